"""`make model`: every step, in order, each in its own process; writes build/timings.json."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
STEPS = ["convert.py", "data.py", "prune.py", "train.py", "export.py", "evaluate.py", "manifest.py"]


def main():
    timings = []
    t_all = time.time()
    for step in STEPS:
        t0 = time.time()
        print(f"== {step}", flush=True)
        r = subprocess.run([sys.executable, str(HERE / step)], cwd=HERE)
        if r.returncode != 0:
            sys.exit(f"step {step} failed with exit code {r.returncode}")
        timings.append({"step": step, "seconds": round(time.time() - t0, 1)})
        print(f"== {step} done in {time.time() - t0:.0f} s", flush=True)
    timings.append({"step": "total", "seconds": round(time.time() - t_all, 1)})
    out = HERE.parent / "build" / "timings.json"
    out.write_text(json.dumps(timings, indent=2) + "\n")
    print(json.dumps(timings, indent=2))


if __name__ == "__main__":
    main()
