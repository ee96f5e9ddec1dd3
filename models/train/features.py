"""Tokenisation, labels, windows, BIO decoding and entity metrics.

Exactly the pipeline the Rust engine runs: tokenizer.json on the raw text with special tokens,
token offsets (character offsets into the text; a piece that starts with the "▁" metaspace
covers the preceding space, which is skipped) mapped to labels, windows of at most MAX_LENGTH
tokens (including <s> and </s>) overlapping by STRIDE tokens.

Labels are put on every sub-token ("label_all_tokens": true): the first piece of an entity gets
B-X, the following pieces I-X, so decoding needs no word boundaries.
"""
from __future__ import annotations

import re

from common import ENTITY_TYPES, LABEL2ID, LABELS, MAX_LENGTH, STRIDE

IGNORE = -100


def token_spans(text, offsets):
    """Offsets with leading whitespace removed; (s, s) for pieces that are only a space."""
    out = []
    for s, e in offsets:
        while s < e and text[s].isspace():
            s += 1
        out.append((s, e))
    return out


def token_labels(spans_tok, entities):
    """Label ids for content tokens from character entity spans."""
    labels = [LABEL2ID["O"]] * len(spans_tok)
    for es, ee, lab in entities:
        first = True
        for i, (s, e) in enumerate(spans_tok):
            if s < e and s < ee and e > es:
                labels[i] = LABEL2ID[("B-" if first else "I-") + lab]
                first = False
    return labels


def windows(n_content, max_len=MAX_LENGTH, stride=STRIDE):
    """[start, end) ranges over content tokens; consecutive windows overlap by `stride`."""
    size = max_len - 2
    if n_content <= size:
        return [(0, n_content)]
    out, start = [], 0
    while True:
        end = min(start + size, n_content)
        out.append((start, end))
        if end == n_content:
            return out
        start = end - stride


def encode_example(tok, ex, with_labels=True):
    """Returns a list of window features: ids (with <s>, </s>), labels, and token spans."""
    enc = tok.encode(ex["text"], add_special_tokens=False)
    ids = enc.ids
    spans_tok = token_spans(ex["text"], enc.offsets)
    labels = token_labels(spans_tok, ex["spans"]) if with_labels else None
    bos, eos = 0, 2
    feats = []
    for a, b in windows(len(ids)):
        f = {"ids": [bos] + ids[a:b] + [eos], "start": a, "end": b}
        if labels is not None:
            f["labels"] = [IGNORE] + labels[a:b] + [IGNORE]
        feats.append(f)
    return feats, spans_tok


def merge_window_predictions(n_content, feats, preds):
    """One label per content token: each token takes the window where it is most central."""
    best = [(-1, 0)] * n_content  # (distance to window edge, label)
    for f, p in zip(feats, preds):
        a, b = f["start"], f["end"]
        for j in range(a, b):
            d = min(j - a, b - 1 - j)
            if d > best[j][0]:
                best[j] = (d, int(p[j - a + 1]))
    return [lab for _, lab in best]


def decode(text, spans_tok, label_ids):
    """BIO decoding over tokens to character spans; an I-X after O or another type starts X."""
    ents = []
    cur = None
    for (s, e), lid in zip(spans_tok, label_ids):
        lab = LABELS[lid]
        if s >= e:  # a bare "▁" piece: neither starts nor ends an entity
            continue
        if lab == "O":
            cur = None
            continue
        bio, typ = lab.split("-")
        if bio == "I" and cur is not None and cur[2] == typ:
            cur[1] = e
        else:
            cur = [s, e, typ]
            ents.append(cur)
    return [tuple(x) for x in ents]


WORD = re.compile(r"\w+(?:[-'’:]\w+)*")


def snap_to_words(text, ents):
    """Widen every entity to whole words and merge entities that then overlap.

    The tagger labels sub-word pieces, and now and then only part of a word comes out as an
    entity ("▁I" O + "gnatius" B-PER, or "Ruth" PER + "erford" LOC). Masking half a name leaks
    it, so a word that has any entity piece becomes entity as a whole; when two entities then
    overlap, the earlier one absorbs the later (its type wins).
    """
    if not ents:
        return []
    starts, ends = {}, {}
    for m in WORD.finditer(text):
        for i in range(m.start(), m.end()):
            starts[i] = m.start()
            ends[i] = m.end()
    out = []
    for s, e, t in sorted(ents):
        s2 = starts.get(s, s)
        e2 = ends.get(e - 1, e)
        if out and s2 < out[-1][1]:
            out[-1][1] = max(out[-1][1], e2)
            continue
        out.append([s2, e2, t])
    return [tuple(x) for x in out]


def _trim(text, s, e):
    while s < e and not text[s].isalnum():
        s += 1
    while e > s and not text[e - 1].isalnum():
        e -= 1
    return s, e


def strict_counts(text, gold, pred, counts):
    """Exact-match entity counts per type (boundaries compared after trimming punctuation)."""
    g = {(*_trim(text, s, e), t) for s, e, t in gold}
    p = {(*_trim(text, s, e), t) for s, e, t in pred}
    for t in ENTITY_TYPES:
        gt = {x for x in g if x[2] == t}
        pt = {x for x in p if x[2] == t}
        c = counts.setdefault(t, [0, 0, 0])  # tp, n_pred, n_gold
        c[0] += len(gt & pt)
        c[1] += len(pt)
        c[2] += len(gt)


def prf(counts):
    out = {}
    tot = [0, 0, 0]
    for t in ENTITY_TYPES:
        tp, npred, ngold = counts.get(t, [0, 0, 0])
        tot = [tot[0] + tp, tot[1] + npred, tot[2] + ngold]
        out[t] = _prf(tp, npred, ngold)
    out["micro"] = _prf(*tot)
    return out


def _prf(tp, npred, ngold):
    p = tp / npred if npred else 0.0
    r = tp / ngold if ngold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": ngold}
