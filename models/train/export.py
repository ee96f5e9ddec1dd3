"""Step 5: export the trained tagger to ONNX and quantise it to int8.

Graph contract (what crates/tusch-ner loads): inputs `input_ids` and `attention_mask`, both
int64 [batch, sequence]; output `logits`, float32 [batch, sequence, 7]; batch and sequence
axes dynamic; no token_type_ids input (type 0 is baked into the embeddings). Opset 17.

Writes build/model.fp32.onnx, build/model.int8.onnx (dynamic int8 quantisation of every
MatMul and of the embedding Gather) and copies the int8 model and the pruned tokenizer.json
into the output directory.
"""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic

from common import BUILD, OUT_DIR, seed_everything
from model import BertTagger


def load_trained(path: Path) -> BertTagger:
    ck = torch.load(path, weights_only=False)
    c = ck["config"]
    model = BertTagger(vocab=c["vocab"], hidden=c["hidden"], layers=c["layers"], heads=c["heads"],
                       ffn=c["ffn"], max_pos=c["max_pos"], eps=c["eps"], num_labels=c["num_labels"])
    model.load_state_dict(ck["state_dict"])
    model.eval()
    return model


def export(model: BertTagger, path: Path) -> None:
    ids = torch.tensor([[0, 1000, 2000, 3000, 2], [0, 500, 2, 1, 1]], dtype=torch.long)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=torch.long)
    torch.onnx.export(
        model, (ids, mask), str(path), dynamo=False, opset_version=17,
        input_names=["input_ids", "attention_mask"], output_names=["logits"],
        dynamic_axes={"input_ids": {0: "batch", 1: "sequence"},
                      "attention_mask": {0: "batch", 1: "sequence"},
                      "logits": {0: "batch", 1: "sequence"}},
        do_constant_folding=True)
    onnx.checker.check_model(onnx.load(str(path)))


def check_against_torch(model: BertTagger, path: Path, tol: float) -> float:
    """Max |logit difference| between torch and onnxruntime on padded random batches."""
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    worst = 0.0
    for b, s in ((1, 7), (3, 40), (2, 256)):
        ids = rng.integers(4, model.config["vocab"], size=(b, s)).astype(np.int64)
        ids[:, 0], ids[:, -1] = 0, 2
        mask = np.ones_like(ids)
        if b > 1:
            mask[1, s // 2:] = 0
            ids[1, s // 2:] = 1
        with torch.no_grad():
            ref = model(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
        out = sess.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]
        assert out.shape == (b, s, model.config["num_labels"]) and out.dtype == np.float32
        diff = np.abs(out - ref)[mask.astype(bool)].max()
        worst = max(worst, float(diff))
    if worst > tol:
        raise SystemExit(f"{path}: onnxruntime differs from torch by {worst}")
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=str(BUILD / "ckpt.pt"))
    ap.add_argument("--out-dir", default=str(OUT_DIR))
    ap.add_argument("--build", default=str(BUILD))
    args = ap.parse_args()
    seed_everything()
    build, out_dir = Path(args.build), Path(args.out_dir)
    build.mkdir(parents=True, exist_ok=True)
    model = load_trained(Path(args.ckpt))
    fp32, int8 = build / "model.fp32.onnx", build / "model.int8.onnx"
    export(model, fp32)
    print(f"fp32 ONNX {fp32.stat().st_size / 1e6:.1f} MB, max |torch - ort| "
          f"{check_against_torch(model, fp32, 1e-3):.2e}")
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8,
                     op_types_to_quantize=["MatMul", "Gather"])
    onnx.checker.check_model(onnx.load(str(int8)))
    print(f"int8 ONNX {int8.stat().st_size / 1e6:.1f} MB")
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(int8, out_dir / "model.onnx")
    shutil.copyfile(BUILD / "tokenizer.json", out_dir / "tokenizer.json")
    print("wrote", out_dir / "model.onnx", out_dir / "tokenizer.json")


if __name__ == "__main__":
    main()
