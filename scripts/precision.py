#!/usr/bin/env python3
"""Precision per category of `tusch detect` on a gold folder: a finding is correct when its
text and a must-mask string of its page overlap (letters and digits compared, either one
containing the other). Prints findings, correct and precision per category.

    python3 scripts/precision.py fixtures/realworld [target/release/tusch]
"""
import collections
import json
import pathlib
import subprocess
import sys


def norm(s):
    return "".join(c.lower() for c in s if c.isalnum())


def main():
    folder = pathlib.Path(sys.argv[1])
    tusch = sys.argv[2] if len(sys.argv) > 2 else "target/release/tusch"
    tally = collections.defaultdict(lambda: [0, 0])
    wrong = []
    for gold_path in sorted((folder / "gold").glob("*.json")):
        gold = json.loads(gold_path.read_text())
        out = subprocess.run([tusch, "detect", str(folder / gold["file"]), "--json", "--show-text"],
                             capture_output=True, text=True, check=True).stdout
        musts = collections.defaultdict(list)
        for m in gold["must_mask"]:
            musts[m["page"]].append(norm(m["text"]))
        for f in json.loads(out):
            if f["score"] < 0.5:
                continue
            t = norm(f.get("text", ""))
            ok = bool(t) and any(t in m or m in t for m in musts[f["page"]])
            tally[f["category"]][0] += 1
            tally[f["category"]][1] += ok
            if not ok:
                wrong.append(f"{gold['file']} p{f['page']} {f['category']}")
    total = [0, 0]
    print(f"{'category':24} findings correct precision")
    for cat, (n, ok) in sorted(tally.items()):
        print(f"{cat:24} {n:8} {ok:7} {ok / n:9.3f}")
        total[0] += n
        total[1] += ok
    print(f"{'all':24} {total[0]:8} {total[1]:7} {total[1] / max(total[0], 1):9.3f}")
    for w in wrong:
        print("  not in gold:", w)


if __name__ == "__main__":
    main()
