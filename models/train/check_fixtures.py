"""Diagnostic (not part of `make model`): does the shipped model find the person names in the
project's fixture documents? Needs `pdftotext` (poppler-utils).

For every `person` entry in fixtures/gold/*.json, the name counts as found when one of its
occurrences in the document text lies entirely inside PER spans predicted by the model. The
engine additionally propagates every found name to all its occurrences, which this ignores.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tokenizers import Tokenizer

from common import OUT_DIR, REPO_DIR
from evaluate import predict, session
from features import decode, encode_example, merge_window_predictions, snap_to_words


def tag(sess, tok, text):
    feats, spans_tok = encode_example(tok, {"text": text, "spans": []}, with_labels=False)
    preds = predict(sess, feats)
    return snap_to_words(text, decode(text, spans_tok,
                                      merge_window_predictions(len(spans_tok), feats, preds)))


def main():
    tok = Tokenizer.from_file(str(OUT_DIR / "tokenizer.json"))
    sess = session(OUT_DIR / "model.onnx", 2)
    total = found = 0
    for gold_path in sorted((REPO_DIR / "fixtures" / "gold").glob("*.json")):
        gold = json.load(open(gold_path))
        pdf = REPO_DIR / "fixtures" / "documents" / gold["file"]
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        per = [0] * len(text)
        pages = text.split("\f")
        off = 0
        for page in pages:
            for s, e, t in tag(sess, tok, page):
                if t == "PER":
                    for i in range(off + s, off + e):
                        per[i] = 1
            off += len(page) + 1
        names = sorted({m["text"] for m in gold["must_mask"] if m["category"] == "person"})
        missed = []
        for name in names:
            total += 1
            ok = False
            start = text.find(name)
            while start >= 0 and not ok:
                ok = all(per[start:start + len(name)]) or all(
                    per[i] for i in range(start, start + len(name)) if not text[i].isspace())
                start = text.find(name, start + 1)
            found += ok
            if not ok:
                missed.append(name)
        print(f"{gold['file']}: {len(names) - len(missed)}/{len(names)} person names found"
              + (f"; missed: {missed}" if missed else ""))
    print(f"total {found}/{total}")


if __name__ == "__main__":
    main()
