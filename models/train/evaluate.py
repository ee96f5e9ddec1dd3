"""Step 6: entity-level strict P/R/F1 on the held-out validation split, with onnxruntime, for
the fp32 and the int8 (shipped) graphs; then speed and load time of the shipped graph.

Strict: an entity counts only if type, start and end all match (boundaries compared after
trimming punctuation at the edges, since a sub-word piece such as ")." can carry a bracket or a
full stop). Metrics per source (suc, sucrem, klintan, synth) and over everything.

Writes build/metrics.json and build/speed.json.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from common import BUILD, OUT_DIR, read_jsonl, write_json
from features import (decode, encode_example, merge_window_predictions, prf, snap_to_words,
                      strict_counts)


def session(path: Path, threads: int) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def predict(sess, all_feats, batch_tokens=8192):
    """Argmax label ids for every window, batched by similar length."""
    order = sorted(range(len(all_feats)), key=lambda i: len(all_feats[i]["ids"]))
    preds = [None] * len(all_feats)
    i = 0
    while i < len(order):
        n = len(all_feats[order[i]]["ids"])
        j = i
        while j < len(order) and (j - i + 1) * len(all_feats[order[j]]["ids"]) <= batch_tokens:
            j += 1
        j = max(j, i + 1)
        batch = order[i:j]
        s = max(len(all_feats[k]["ids"]) for k in batch)
        ids = np.ones((len(batch), s), dtype=np.int64)
        mask = np.zeros((len(batch), s), dtype=np.int64)
        for r, k in enumerate(batch):
            f = all_feats[k]["ids"]
            ids[r, :len(f)] = f
            mask[r, :len(f)] = 1
        logits = sess.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]
        for r, k in enumerate(batch):
            preds[k] = logits[r].argmax(-1)
        i = j
        del n
    return preds


def evaluate(model_path: Path, tok: Tokenizer, rows, threads=2):
    sess = session(model_path, threads)
    enc = []
    flat = []
    for ex in rows:
        feats, spans_tok = encode_example(tok, ex, with_labels=False)
        enc.append((feats, spans_tok, len(flat)))
        flat += feats
    preds = predict(sess, flat)
    counts, raw = {}, {}
    for ex, (feats, spans_tok, k) in zip(rows, enc):
        labels = merge_window_predictions(len(spans_tok), feats, preds[k:k + len(feats)])
        pred = decode(ex["text"], spans_tok, labels)
        for key in (ex["source"], "all"):
            strict_counts(ex["text"], ex["spans"], snap_to_words(ex["text"], pred),
                          counts.setdefault(key, {}))
            strict_counts(ex["text"], ex["spans"], pred, raw.setdefault(key, {}))
    return ({k: prf(v) for k, v in sorted(counts.items())},
            {k: prf(v) for k, v in sorted(raw.items())})


def speed(model_path: Path, tok_path: Path, vocab: int):
    out = {"sequence_length": 256, "runs": []}
    rng = np.random.default_rng(0)
    loads = []
    for _ in range(3):
        t0 = time.perf_counter()
        Tokenizer.from_file(str(tok_path))
        session(model_path, 1)
        loads.append(time.perf_counter() - t0)
    out["load_seconds"] = round(sorted(loads)[1], 3)
    for threads in (1, 2):
        sess = session(model_path, threads)
        for batch in (1, 8):
            ids = rng.integers(4, vocab, size=(batch, 256)).astype(np.int64)
            ids[:, 0], ids[:, -1] = 0, 2
            mask = np.ones_like(ids)
            feed = {"input_ids": ids, "attention_mask": mask}
            sess.run(["logits"], feed)  # warm-up
            n, t0 = 0, time.perf_counter()
            while time.perf_counter() - t0 < 4.0 or n < 3:
                sess.run(["logits"], feed)
                n += 1
            dt = time.perf_counter() - t0
            out["runs"].append({"threads": threads, "batch": batch,
                                "tokens_per_second": round(n * batch * 256 / dt)})
            print(out["runs"][-1], flush=True)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out-dir", default=str(OUT_DIR))
    ap.add_argument("--fp32", default=str(BUILD / "model.fp32.onnx"))
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--tag", default="")
    args = ap.parse_args()
    out_dir = Path(args.out_dir)
    tok = Tokenizer.from_file(str(out_dir / "tokenizer.json"))
    rows = read_jsonl(BUILD / "val.jsonl")
    metrics = {}
    for name, path in (("int8", out_dir / "model.onnx"), ("fp32", Path(args.fp32))):
        t0 = time.time()
        metrics[name], metrics[name + "_token_spans"] = evaluate(path, tok, rows)
        print(f"{name} ({time.time() - t0:.0f} s):")
        for src, m in list(metrics[name].items()) + [("raw-all", metrics[name + "_token_spans"]["all"])]:
            print(f"  {src:8s} " + "  ".join(
                f"{t} P {v['precision']:.3f} R {v['recall']:.3f} F1 {v['f1']:.3f} (n={v['support']})"
                for t, v in m.items()), flush=True)
    write_json(BUILD / f"metrics{args.tag}.json", metrics)
    if not args.no_speed:
        sp = speed(out_dir / "model.onnx", out_dir / "tokenizer.json", tok.get_vocab_size())
        sp["fp32_runs"] = speed(Path(args.fp32), out_dir / "tokenizer.json", tok.get_vocab_size())["runs"]
        write_json(BUILD / f"speed{args.tag}.json", sp)
        print(json.dumps(sp))


if __name__ == "__main__":
    main()
