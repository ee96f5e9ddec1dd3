"""Step 4: fine-tune the first LAYERS layers of the pruned encoder as a BIO token tagger.

AdamW with linear warm-up and decay, length-bucketed batches (sequences of similar length
together, so little padding), a fixed seed, two CPU threads. Writes build/ckpt.pt after every
epoch (the last one is the model that is exported).

Usage: python train.py [--epochs N] [--layers L] [--max-minutes M]
"""
from __future__ import annotations

import argparse
import json
import random
import time

import torch
from tokenizers import Tokenizer

from common import BUILD, LABELS, SEED, read_jsonl, seed_everything
from features import IGNORE, encode_example
from model import BertTagger


def build_model(layers: int) -> BertTagger:
    full = torch.load(BUILD / "e5_full.pt", weights_only=False)
    cfg, sd = full["config"], full["state_dict"]
    old_ids = torch.tensor(json.load(open(BUILD / "vocab_map.json"))["old_ids"])
    model = BertTagger(vocab=len(old_ids), hidden=cfg["hidden"], layers=layers, heads=cfg["heads"],
                       ffn=cfg["ffn"], max_pos=cfg["max_pos"], eps=cfg["eps"], num_labels=len(LABELS))
    new_sd = {}
    for k, v in sd.items():
        if k == "word.weight":
            new_sd[k] = v[old_ids].clone()
        elif k.startswith("layers."):
            if int(k.split(".")[1]) < layers:
                new_sd[k] = v
        else:
            new_sd[k] = v
    missing, unexpected = model.load_state_dict(new_sd, strict=False)
    assert set(missing) == {"head.weight", "head.bias"} and not unexpected, (missing, unexpected)
    torch.nn.init.normal_(model.head.weight, std=0.02)
    torch.nn.init.zeros_(model.head.bias)
    return model


def make_batches(feats, rng, max_tokens=4000, max_seqs=64):
    """Shuffle, sort within pools of similar length, cut into token-budget batches, shuffle."""
    idx = list(range(len(feats)))
    rng.shuffle(idx)
    pool = 2000
    batches = []
    for p in range(0, len(idx), pool):
        chunk = sorted(idx[p:p + pool], key=lambda i: len(feats[i]["ids"]))
        cur, cur_max = [], 0
        for i in chunk:
            n = len(feats[i]["ids"])
            if cur and (max(cur_max, n) * (len(cur) + 1) > max_tokens or len(cur) >= max_seqs):
                batches.append(cur)
                cur, cur_max = [], 0
            cur.append(i)
            cur_max = max(cur_max, n)
        if cur:
            batches.append(cur)
    rng.shuffle(batches)
    return batches


def collate(feats, batch):
    n = max(len(feats[i]["ids"]) for i in batch)
    ids = torch.ones((len(batch), n), dtype=torch.long)  # <pad> = 1
    mask = torch.zeros((len(batch), n), dtype=torch.long)
    labels = torch.full((len(batch), n), IGNORE, dtype=torch.long)
    for r, i in enumerate(batch):
        f = feats[i]
        k = len(f["ids"])
        ids[r, :k] = torch.tensor(f["ids"])
        mask[r, :k] = 1
        labels[r, :k] = torch.tensor(f["labels"])
    return ids, mask, labels


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--lr", type=float, default=1.5e-4)
    ap.add_argument("--max-minutes", type=float, default=0.0, help="stop early (not reproducible)")
    ap.add_argument("--out", default=str(BUILD / "ckpt.pt"))
    args = ap.parse_args()

    seed_everything()
    torch.set_num_threads(2)
    rng = random.Random(SEED)
    tok = Tokenizer.from_file(str(BUILD / "tokenizer.json"))
    feats = []
    for ex in read_jsonl(BUILD / "train.jsonl"):
        f, _ = encode_example(tok, ex)
        feats += f
    n_tokens = sum(len(f["ids"]) for f in feats)
    print(f"{len(feats)} training windows, {n_tokens} tokens", flush=True)

    model = build_model(args.layers)
    head = [p for n, p in model.named_parameters() if n.startswith("head.")]
    no_decay = [p for n, p in model.named_parameters()
                if not n.startswith("head.") and (n.endswith("bias") or "ln" in n or n == "type0")]
    decay = [p for n, p in model.named_parameters()
             if not n.startswith("head.") and not (n.endswith("bias") or "ln" in n or n == "type0")]
    opt = torch.optim.AdamW([
        {"params": decay, "weight_decay": 0.01, "lr": args.lr},
        {"params": no_decay, "weight_decay": 0.0, "lr": args.lr},
        {"params": head, "weight_decay": 0.0, "lr": args.lr * 10},
    ])
    epoch_batches = [make_batches(feats, rng) for _ in range(args.epochs)]
    total = sum(len(b) for b in epoch_batches)
    warm = max(1, int(0.06 * total))
    base = [g["lr"] for g in opt.param_groups]
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=IGNORE)
    step, t0 = 0, time.time()
    stopped = False
    for ep, batches in enumerate(epoch_batches):
        model.train()
        run_loss, run_n = 0.0, 0
        for b in batches:
            scale = step / warm if step < warm else max(0.0, (total - step) / (total - warm))
            for g, lr in zip(opt.param_groups, base):
                g["lr"] = lr * scale
            ids, mask, labels = collate(feats, b)
            logits = model(ids, mask)
            loss = loss_fn(logits.view(-1, logits.shape[-1]), labels.view(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            run_loss += loss.item()
            run_n += 1
            if step % 20 == 0:
                el = time.time() - t0
                print(f"epoch {ep + 1} step {step}/{total} loss {run_loss / run_n:.4f} "
                      f"{el / 60:.1f} min, eta {el / step * (total - step) / 60:.1f} min", flush=True)
                run_loss, run_n = 0.0, 0
            if args.max_minutes and time.time() - t0 > args.max_minutes * 60:
                stopped = True
                break
        torch.save({"config": model.config, "state_dict": model.state_dict(), "epoch": ep + 1,
                    "steps": step, "complete": not stopped, "args": vars(args),
                    "minutes": (time.time() - t0) / 60}, args.out)
        print(f"saved {args.out} after epoch {ep + 1} ({(time.time() - t0) / 60:.1f} min)", flush=True)
        if stopped:
            break


if __name__ == "__main__":
    main()
