#!/usr/bin/env python3
"""Build common_words.txt: lower-case Swedish words that the NER corpora write in lower case
and never tag as (part of) a person's name.

Sources (both CC BY 4.0), from the shared data folder beside the repository:
  ner/sucx3/sucx3_dev.jsonl, ner/sucx3/removed_sents_fine_and_simple.txt  (SUC 3.0, KBLab)
  ner/klintan/train_corpus.txt                                           (Webbnyheter 2012)

Usage: python3 crates/tusch-ner/data/make_common_words.py [../shared/data] > crates/tusch-ner/data/common_words.txt
"""

import json
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "../../../../shared/data")
ner = os.path.join(root, "ner")
lower, names = set(), set()


def add(token, tags):
    if any("PRS" in t or "PER" in t for t in tags):
        names.add(token.lower())
    elif token[:1].islower():
        lower.add(token)


with open(os.path.join(ner, "sucx3/sucx3_dev.jsonl"), encoding="utf-8") as f:
    for line in f:
        d = json.loads(line)
        for t, tag in zip(d["tokens"], d["ner_tags"]):
            add(t, [tag])
for path in ["sucx3/removed_sents_fine_and_simple.txt", "klintan/train_corpus.txt"]:
    with open(os.path.join(ner, path), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2:
                add(parts[0], parts[1:])

words = sorted(w for w in lower - names if len(w) >= 3 and w.isalpha())
sys.stdout.write("".join(w + "\n" for w in words))
