"""Speed of the analysis engine on one core, both tiers, beside snownlp on the same texts.

    python benchmarks/analysis_speed.py [--n 3000] [--n-full 300]

The fast tier (lexicons and n-gram models: what intake runs inline) and the full analysis with the semantic
tier (the encoder on one core: what the background task and ``kesu analyze`` run), on the same texts.

Prints: engine load time (fresh interpreter: import + get_engine()), throughput on real texts of
20-300 characters (single thread), on texts of 100-300 characters (mostly English CFPB narratives, which
skip the models) and on Chinese-only texts of 100-300 characters (the slowest case: both models run),
peak resident memory, and the same for snownlp's sentiment.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from training import datasets  # noqa: E402

_CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from kesu.core.analysis import get_engine
engine = get_engine()
tier = sys.argv[1] if len(sys.argv) > 1 else "fast"
texts = json.loads(sys.stdin.read())
engine.analyze(texts[0], tier=tier)  # the first call loads OpenCC (and the encoder): count it as loading
load = time.perf_counter() - t0
t1 = time.perf_counter()
for t in texts:
    engine.analyze(t, tier=tier)
elapsed = time.perf_counter() - t1
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"load_s": load, "texts_per_s": len(texts) / elapsed, "rss_mb": rss}))
"""

_SNOW = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from snownlp import SnowNLP
SnowNLP("加载").sentiments
load = time.perf_counter() - t0
texts = json.loads(sys.stdin.read())
t1 = time.perf_counter()
for t in texts:
    SnowNLP(t).sentiments
elapsed = time.perf_counter() - t1
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"load_s": load, "texts_per_s": len(texts) / elapsed, "rss_mb": rss}))
"""


_HAN = re.compile(r"[\u4e00-\u9fff]")


def sample_texts(n: int, shortest: int = 20, chinese_only: bool = False) -> list[str]:
    pool = [t for t, _ in datasets.smp_usual_eval()]
    with open(datasets.data_dir() / "waimai_10k" / "waimai_10k.csv", encoding="utf-8") as fh:
        pool += [r["review"] for r in csv.DictReader(fh)]
    pool += [t for t, _, _ in datasets.car_complaints()]
    with open(datasets.data_dir() / "cfpb_complaints" / "cfpb_dev.csv", encoding="utf-8") as fh:
        pool += [
            r["Consumer complaint narrative"][:300]
            for r in csv.DictReader(fh)
            if r["Consumer complaint narrative"]
        ]
    pool = [t for t in pool if shortest <= len(t) <= 300]
    if chinese_only:  # at least half Han characters, no English narratives
        pool = [t for t in pool if len(_HAN.findall(t)) * 2 >= len(t)]
    random.Random(7).shuffle(pool)
    return pool[:n]


def run_child(code: str, texts: list[str], *argv: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "KESU_ENCODER_THREADS": "1"}
    cmd = [sys.executable, "-c", code, *argv]
    if hasattr(os, "sched_setaffinity"):
        cmd = ["taskset", "-c", "0", *cmd] if _has_taskset() else cmd
    out = subprocess.run(cmd, input=json.dumps(texts), capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _has_taskset() -> bool:
    from shutil import which

    return which("taskset") is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=3000, help="number of texts")
    parser.add_argument("--n-full", type=int, default=300, help="texts for the full analysis (slower)")
    parser.add_argument("--no-snownlp", action="store_true")
    args = parser.parse_args()
    texts = sample_texts(args.n)
    mean_len = sum(map(len, texts)) / len(texts)
    print(f"{len(texts)} real texts, 20-300 characters (mean {mean_len:.0f}), one core\n")
    rows = [("Kesu fast tier (all fields)", run_child(_CHILD, texts))]
    rows.append(("Kesu both tiers (+ encoder)", run_child(_CHILD, texts[: args.n_full], "full")))
    long_texts = sample_texts(args.n, shortest=100)
    rows.append(
        (
            f"Kesu, 100-300 chars (mean {sum(map(len, long_texts)) / len(long_texts):.0f})",
            run_child(_CHILD, long_texts),
        )
    )
    zh_long = sample_texts(args.n, shortest=100, chinese_only=True)
    zh_long = (zh_long * (1 + args.n // max(1, len(zh_long))))[: args.n]  # few exist: repeat them
    rows.append(
        (
            f"Kesu, Chinese 100-300 (mean {sum(map(len, zh_long)) / len(zh_long):.0f})",
            run_child(_CHILD, zh_long),
        )
    )
    rows.append(("Kesu both tiers, Chinese 100-300", run_child(_CHILD, zh_long[: args.n_full], "full")))
    import importlib.util

    if not args.no_snownlp and importlib.util.find_spec("snownlp") is None:
        print("snownlp is not installed (make bench-analysis installs it): left out\n")
    elif not args.no_snownlp:
        rows.append(("snownlp 0.12.3 (sentiment only)", run_child(_SNOW, texts[: max(200, args.n // 5)])))
    print(f"{'system':<34} {'load s':>8} {'texts/s':>10} {'peak RSS MB':>12}")
    for name, r in rows:
        print(f"{name:<34} {r['load_s']:>8.2f} {r['texts_per_s']:>10.0f} {r['rss_mb']:>12.0f}")
    print("\ntargets (fast tier, inline at intake): >= 2000 texts/s, load < 2 s, RSS < 400 MB;"
          " the semantic tier runs after intake, in a task")


if __name__ == "__main__":
    main()
