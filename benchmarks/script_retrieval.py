"""话术检索: ranking a stage's scripts by their cosine with the complaint (the complaint page's
suggested scripts, :func:`kesu.core.replies.rank_scripts`).

Makes ``--scripts`` scripts of one stage (categories and emotions drawn from the engine's codes,
a third of them general) with random unit embeddings stored as float16 bytes, as the scripts app
stores them, then times what the page does per view beside its query: decode every embedding
(``embedding_of``) and rank the fitting ones against the complaint's. With ``--encoder`` it also
times the real encoder over the demo library's scripts (the cost of saving a script, once).

    python benchmarks/script_retrieval.py                  # 200 scripts
    python benchmarks/script_retrieval.py --scripts 2000 --encoder

Target: well under a millisecond for a library's stage (tens of scripts); 200 leaves room.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kesu.core.replies import CATEGORIES, EMOTIONS, load_scripts, rank_scripts, script_documents  # noqa: E402


def library(count: int, rng: np.random.Generator) -> tuple[list[dict], list[bytes]]:
    rows, stored = [], []
    for n in range(count):
        general = n % 3 == 0
        rows.append({
            "stage": "propose",
            "category": None if general else str(rng.choice(CATEGORIES)),
            "emotion": None if general or n % 2 else str(rng.choice(EMOTIONS)),
            "title": f"s{n}",
        })
        vector = rng.standard_normal(384).astype(np.float32)
        stored.append((vector / np.linalg.norm(vector)).astype(np.float16).tobytes())
    return rows, stored


def decode(data: bytes) -> np.ndarray:  # kesu.complaints.analysis.embedding_of
    return np.frombuffer(bytes(data), dtype=np.float16).astype(np.float32)


def time_ranking(count: int, repeat: int) -> list[str]:
    rng = np.random.default_rng(7)
    rows, stored = library(count, rng)
    query = decode(stored[0])
    category, emotion = CATEGORIES[0], EMOTIONS[0]
    fitting = len(rank_scripts(rows, "propose", category, emotion, query=None, embeddings=[None] * count, limit=count))
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        vectors = [decode(d) for d in stored]
        ranked = rank_scripts(rows, "propose", category, emotion, query=query, embeddings=vectors, limit=5)
        times.append(time.perf_counter() - started)
    assert len(ranked) == min(5, fitting)
    times.sort()
    median, p95 = statistics.median(times), times[int(0.95 * (len(times) - 1))]
    rules = []
    for _ in range(repeat):
        started = time.perf_counter()
        rank_scripts(rows, "propose", category, emotion, query=None, embeddings=[None] * count, limit=5)
        rules.append(time.perf_counter() - started)
    return [
        f"{count} scripts ({fitting} fit the category and emotion), {repeat} runs:",
        f"  decode + rank by similarity: median {median * 1000:.3f} ms, p95 {p95 * 1000:.3f} ms",
        f"  rules' order alone (no embedding): median {statistics.median(rules) * 1000:.3f} ms",
    ]


def time_encoder(limit: int) -> list[str]:
    from kesu.core.analysis.semantic.model import SemanticModel

    scripts = load_scripts(ROOT / "kesu" / "demo" / "scripts.json")[:limit]
    model = SemanticModel()
    documents = [d for s in scripts for d in script_documents(s.title, s.text, s.text_en)]
    model.embed(documents[:2])  # warm
    started = time.perf_counter()
    for start in range(0, len(documents), 32):
        model.embed(documents[start : start + 32])
    elapsed = time.perf_counter() - started
    return [
        f"encoder: {len(scripts)} demo scripts ({len(documents)} texts, Chinese and English) in {elapsed:.2f} s, "
        f"{1000 * elapsed / len(scripts):.0f} ms a script (KESU_ENCODER_THREADS or 1 thread)"
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scripts", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=500)
    parser.add_argument("--encoder", action="store_true", help="also time the real encoder over the demo scripts")
    parser.add_argument("--encoder-scripts", type=int, default=63)
    args = parser.parse_args()
    lines = time_ranking(args.scripts, args.repeat)
    if args.encoder:
        lines += time_encoder(args.encoder_scripts)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
