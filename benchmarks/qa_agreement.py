"""Quality inspection checked against people: the automatic score of real helpdesk dialogues beside
annotators' judgements.

Data (read at run time, never copied into the repository): ``../shared/data`` or ``KESU_DATA_DIR``.

* ``stc3_weibo_helpdesk`` — 3,700 Chinese customer↔helpdesk dialogues on Weibo, each judged by 19
  annotators for customer satisfaction (S), task accomplishment (A) and dialogue effectiveness (E) on
  −2..2; we use the mean of the 19.
* ``ibm_twitter_customer_care`` — 1,024 English customer↔agent Twitter threads with times, each ending
  with the agent's reply that links a help article (``agent_url_utterance``, no time), no quality
  labels. Scored, and set beside a proxy that is not a person's judgement: whether the customer's last
  message after an agent reply reads as non-negative to the analysis engine (another engine than
  the QA rules, so the proxy is not the score's own words).
* ``twcs_customer_support`` — customer tweets only (the company replies are not in the snapshot), so
  there are no agent turns to score; the script says how many rows it saw.

The split, decided before any tuning and never changed: a STC-3 dialogue is in the **test half** when
``int(sha256("kesu-qa-split:" + id), 16) % 2 == 1``, else in the tuning half. Item weights are tuned
on the tuning half only (coordinate search over a grid of non-negative weights, maximising the mean of
the Spearman correlations with E and S); every figure below the "test half" heading is computed on
dialogues the tuning never saw. 95 % intervals: 1,000 bootstrap resamples of the test half (seed 16).

The score is the default scorecard's total over its automatic and assisted items (manual items need
a person; critical items failing set the total to 0, as in an inspection). Baselines: the helpdesk's
reply length in characters (all its turns), and the number of helpdesk turns.

    python benchmarks/qa_agreement.py            # about a minute on one core
    python benchmarks/qa_agreement.py --json out.json
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kesu.core.qa import Transcript, Turn, default_scorecard, score_transcript  # noqa: E402
from kesu.core.qa.scorecard import MANUAL  # noqa: E402

DATA = Path(os.environ.get("KESU_DATA_DIR", ROOT.parent / "shared" / "data"))
GRID = (0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0)
BOOTSTRAP, SEED = 1000, 16


def in_test_half(dialogue_id: str) -> bool:
    return int(hashlib.sha256(f"kesu-qa-split:{dialogue_id}".encode()).hexdigest(), 16) % 2 == 1


def stc3() -> list[dict]:
    path = DATA / "stc3_weibo_helpdesk" / "stc3_weibo_helpdesk_cn.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r.get("E_mean") is not None and r.get("S_mean") is not None]


def stc3_transcript(row: dict) -> Transcript:
    speaker = {"customer": "customer", "helpdesk": "agent"}
    return Transcript(
        tuple(Turn(speaker[t["sender"]], t["text"]) for t in row["turns"] if t["text"].strip()), "social"
    )


def item_matrix(transcripts: list[Transcript], codes: list[str]) -> tuple[np.ndarray, float]:
    """Item scores (NaN: not applicable) and the seconds it took."""
    scorecard = default_scorecard()
    matrix = np.full((len(transcripts), len(codes)), np.nan)
    started = time.perf_counter()
    for row, transcript in enumerate(transcripts):
        scores = score_transcript(transcript, scorecard).scores()
        for col, code in enumerate(codes):
            if scores[code] is not None:
                matrix[row, col] = scores[code]
    return matrix, time.perf_counter() - started


def totals(matrix: np.ndarray, weights: np.ndarray, critical: np.ndarray, pass_below: float) -> np.ndarray:
    """The scorecard's total for each row, as kesu.core.qa.scorecard.total computes it."""
    present = ~np.isnan(matrix)
    filled = np.where(present, matrix, 0.0)
    weight = (present * weights).sum(axis=1)
    raw = np.divide((filled * weights).sum(axis=1), weight, out=np.zeros(len(matrix)), where=weight > 0) * 100
    failed = (present & (filled < pass_below) & critical).any(axis=1)
    return np.where(failed, 0.0, raw)


def rho(x: np.ndarray, y: np.ndarray) -> float:
    value = spearmanr(x, y).statistic
    return float(value) if np.isfinite(value) else 0.0


def interval(x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    n = len(x)
    values = [rho(x[idx], y[idx]) for idx in (rng.integers(0, n, n) for _ in range(BOOTSTRAP))]
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def tune(
    matrix: np.ndarray, start: np.ndarray, critical: np.ndarray, pass_below: float, targets: list[np.ndarray]
) -> tuple[np.ndarray, float]:
    """Coordinate search over GRID per weight; objective: mean Spearman with the targets."""

    def objective(w: np.ndarray) -> float:
        if w.sum() <= 0:
            return -1.0
        score = totals(matrix, w, critical, pass_below)
        return float(np.mean([rho(score, t) for t in targets]))

    weights, best = start.copy(), objective(start)
    for _ in range(4):
        improved = False
        for j in range(len(weights)):
            for value in GRID:
                if value == weights[j]:
                    continue
                trial = weights.copy()
                trial[j] = value
                got = objective(trial)
                if got > best + 1e-6:
                    weights, best, improved = trial, got, True
        if not improved:
            break
    return weights, best


def analysis_proxy(turns: list[dict]) -> int | None:
    """1 when the customer's last message after an agent reply reads as non-negative, 0 when negative,
    None when the customer did not write after the agent."""
    from kesu.core.analysis import analyze

    last_agent = max((i for i, t in enumerate(turns) if t["role"] == "agent"), default=None)
    after = (
        [t for t in turns[(last_agent or 0) + 1 :] if t["role"] == "client"] if last_agent is not None else []
    )
    if not after:
        return None
    label = analyze(after[-1]["text"]).emotion.label
    return 0 if label in {"anger", "disappointment", "anxiety", "confusion"} else 1


def ibm() -> tuple[list[Transcript], list[dict]]:
    from datetime import datetime

    path = DATA / "ibm_twitter_customer_care" / "ibm_twitter_customer_care.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    transcripts, kept = [], []
    for row in rows:
        turns = row["turns"]
        origin = datetime.fromisoformat(turns[0]["datetime"].replace("Z", "+00:00"))
        made = []
        for t in turns:
            at = (datetime.fromisoformat(t["datetime"].replace("Z", "+00:00")) - origin).total_seconds()
            made.append(Turn("agent" if t["role"] == "agent" else "customer", t["text"], max(0.0, at)))
        if row.get("agent_url_utterance"):  # the agent's closing reply with the help link (no time given)
            made.append(Turn("agent", row["agent_url_utterance"]))
        transcripts.append(Transcript(tuple(made), "social"))
        kept.append(row)
    return transcripts, kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    scorecard = default_scorecard()
    codes = [item.code for item in scorecard.items if item.kind != MANUAL]
    weights0 = np.array([scorecard.item(c).weight for c in codes])
    critical = np.array([scorecard.item(c).critical for c in codes])

    rows = stc3()
    transcripts = [stc3_transcript(r) for r in rows]
    test = np.array([in_test_half(r["id"]) for r in rows])
    matrix, seconds = item_matrix(transcripts, codes)
    e = np.array([r["E_mean"] for r in rows])
    s = np.array([r["S_mean"] for r in rows])
    a = np.array([r["A_mean"] for r in rows])
    length = np.array(
        [float(sum(len(t.text) for t in tr.turns if t.speaker == "agent")) for tr in transcripts]
    )
    helpdesk_turns = np.array([float(sum(t.speaker == "agent" for t in tr.turns)) for tr in transcripts])
    print(
        f"STC-3 Weibo helpdesk: {len(rows)} annotated dialogues scored in {seconds:.1f} s "
        f"({len(rows) / seconds:.0f} dialogues/s); tuning half {int((~test).sum())}, test half {int(test.sum())}"
    )

    tuned, objective = tune(matrix[~test], weights0, critical, scorecard.pass_below, [e[~test], s[~test]])
    print(f"tuned on the tuning half (mean Spearman with E and S there: {objective:.3f})")

    rng = np.random.default_rng(SEED)
    default_total = totals(matrix, weights0, critical, scorecard.pass_below)
    tuned_total = totals(matrix, tuned, critical, scorecard.pass_below)
    candidates = {
        "QA score, default weights": default_total,
        "QA score, tuned weights": tuned_total,
        "baseline: helpdesk reply length": length,
        "baseline: helpdesk turns": helpdesk_turns,
    }
    figures: dict = {"stc3": {"dialogues": len(rows), "test": int(test.sum()), "tuning": int((~test).sum())}}
    print("\nSpearman ρ on the test half [95 % bootstrap interval]")
    print(f"{'':34} {'effectiveness E':>24} {'satisfaction S':>24} {'accomplishment A':>24}")
    for name, score in candidates.items():
        cells, record = [], {}
        for label, target in (("E", e), ("S", s), ("A", a)):
            value = rho(score[test], target[test])
            low, high = interval(score[test], target[test], rng)
            cells.append(f"{value:+.3f} [{low:+.3f}, {high:+.3f}]")
            record[label] = {"rho": round(value, 4), "ci95": [round(low, 4), round(high, 4)]}
        figures["stc3"][name] = record
        print(f"{name:34} {cells[0]:>24} {cells[1]:>24} {cells[2]:>24}")

    print(
        "\nPer item on the test half: applicable share, mean score, Spearman ρ with E and S (applicable rows)"
    )
    print(f"{'item':22} {'applies':>8} {'mean':>6} {'ρ E':>7} {'ρ S':>7} {'weight':>7} {'tuned':>6}")
    figures["items"] = {}
    for j, code in enumerate(codes):
        column = matrix[test, j]
        ok = ~np.isnan(column)
        share = ok.mean()
        mean = float(np.nanmean(column)) if ok.any() else float("nan")
        re_ = rho(column[ok], e[test][ok]) if ok.sum() > 2 and np.ptp(column[ok]) > 0 else float("nan")
        rs_ = rho(column[ok], s[test][ok]) if ok.sum() > 2 and np.ptp(column[ok]) > 0 else float("nan")
        figures["items"][code] = {
            "applies": round(float(share), 4),
            "mean": round(mean, 4),
            "rho_E": re_,
            "rho_S": rs_,
            "weight": float(weights0[j]),
            "tuned": float(tuned[j]),
        }
        print(f"{code:22} {share:8.2f} {mean:6.2f} {re_:+7.3f} {rs_:+7.3f} {weights0[j]:7g} {tuned[j]:6g}")

    transcripts_en, rows_en = ibm()
    matrix_en, seconds_en = item_matrix(transcripts_en, codes)
    total_en = totals(matrix_en, weights0, critical, scorecard.pass_below)
    proxy = [analysis_proxy(r["turns"]) for r in rows_en]
    has = np.array([p is not None for p in proxy])
    proxy_arr = np.array([p if p is not None else 0 for p in proxy], dtype=float)
    length_en = np.array(
        [float(sum(len(t.text) for t in tr.turns if t.speaker == "agent")) for tr in transcripts_en]
    )
    print(
        f"\nIBM Twitter customer care (English, no human quality labels): {len(rows_en)} threads with agent turns, "
        f"scored in {seconds_en:.1f} s; mean score {total_en.mean():.1f}"
    )
    rates = {
        code: float(np.nanmean(matrix_en[:, j] >= 0.5)) if (~np.isnan(matrix_en[:, j])).any() else None
        for j, code in enumerate(codes)
    }
    applies = {code: float((~np.isnan(matrix_en[:, j])).mean()) for j, code in enumerate(codes)}
    print(
        "  item passes (score ≥ 0.5, where it applies): "
        + ", ".join(f"{c} {rates[c]:.0%}/{applies[c]:.0%}" for c in codes if rates[c] is not None)
    )
    print(
        f"  proxy (customer's last message after the agent non-negative to the analysis engine) on {int(has.sum())} threads: "
        f"ρ QA score {rho(total_en[has], proxy_arr[has]):+.3f}, ρ reply length {rho(length_en[has], proxy_arr[has]):+.3f}"
    )
    figures["ibm"] = {
        "threads": len(rows_en),
        "mean_score": round(float(total_en.mean()), 2),
        "proxy_threads": int(has.sum()),
        "rho_proxy_score": rho(total_en[has], proxy_arr[has]),
        "rho_proxy_length": rho(length_en[has], proxy_arr[has]),
        "pass_rates": rates,
    }

    twcs = DATA / "twcs_customer_support"
    counted = {}
    for path in sorted(twcs.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            counted[path.name] = sum(1 for _ in csv.reader(handle)) - 1
    print(f"\nTWCS customer support: {counted} rows, all customer tweets — no agent turns to score.")
    figures["twcs"] = counted
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
