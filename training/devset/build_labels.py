"""Join the labellers' shard files into ``labels.tsv``, applying the adjudication rules of GUIDE.md.

    python -m training.devset.build_labels var/devset-labels var/devset-labels2
    python -m training.devset.build_labels --add var/devset-labels4     # a later round beside labels.tsv

The shard files (one per labeller, with evidence as copied words) are not committed: they quote the texts.
``labels.tsv`` keeps ids, labels and evidence as character offsets (``code@start-end``) into the text that
``training.devset.load()`` re-joins from ../shared/data.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from training.devset import COLUMNS, LABELS_FILE, TRIGGERS
from training.devset.draw import draw

_BARE_MENTION = re.compile(r"@\S+")


def _evidence(text: str, raw: str) -> list[tuple[str, str]]:
    out = []
    for part in filter(None, (p.strip() for p in raw.split(" | "))):
        code, _, words = part.partition("=")
        out.append((code.strip(), words.strip()))
    return out


def adjudicate(row: dict, text: str) -> dict:
    ev = _evidence(text, row["evidence"])
    by_code: dict[str, list[str]] = {}
    for code, words in ev:
        by_code.setdefault(code, []).append(words)

    def drop(code: str) -> None:
        row[code] = "0"
        by_code.pop(code, None)

    if row["supervisor_request"] == "1" and all(_BARE_MENTION.fullmatch(w) for w in by_code.get("supervisor_request", [])):
        drop("supervisor_request")
    if row["regulator"] == "1" and any("FTC" in w for w in by_code.get("regulator", [])) and "identity theft" in text.lower():
        drop("regulator")
    if row["regulator"] == "1" and all("315曝光" in w for w in by_code.get("regulator", [])):
        drop("regulator")
    spans = []
    for code, words in ((c, w) for c, ws in by_code.items() for w in ws):
        start = text.find(words)
        if start < 0:
            raise ValueError(f"{row['id']}: evidence {words!r} is not in the text")
        spans.append(f"{code}@{start}-{start + len(words)}")
    row["evidence"] = " ".join(spans)
    return row


def main(folders: list[str], add: bool = False) -> None:
    """Every drawn id must be labelled once by the shard files; with ``add`` the shards add drawn ids (a
    later round) to labels.tsv as it stands, whose rows are kept as they are (already adjudicated, evidence
    as offsets)."""
    drawn = {r["id"]: r for r in draw()}
    kept: list[dict] = []
    if add:
        with open(LABELS_FILE, encoding="utf-8", newline="") as fh:
            kept = list(csv.DictReader(fh, delimiter="\t"))
        drawn_new = {i: r for i, r in drawn.items() if i not in {k["id"] for k in kept}}
    else:
        drawn_new = drawn
    rows = []
    for folder in folders:
        for path in sorted(Path(folder).glob("shard*.tsv")):
            with open(path, encoding="utf-8", newline="") as fh:
                rows += list(csv.DictReader(fh, delimiter="\t"))
    ids = [r["id"] for r in rows]
    if len(ids) != len(set(ids)) or (set(ids) - set(drawn_new) if add else set(ids) != set(drawn_new)):
        raise SystemExit(f"labels cover {len(set(ids))} ids, the draw has {len(drawn_new)} to label")
    out = list(kept)
    for row in rows:
        d = drawn[row["id"]]
        row = adjudicate(dict(row), d["text"])
        row.update(source=d["source"], stratum=d["stratum"], split=d["split"])
        for code in TRIGGERS:
            if row[code] not in ("0", "1"):
                raise ValueError(f"{row['id']}: {code}={row[code]!r}")
        out.append(row)
    out.sort(key=lambda r: r["id"])
    with open(LABELS_FILE, "w", encoding="utf-8", newline="") as fh:
        fh.write("\t".join(COLUMNS) + "\n")
        for row in out:
            fh.write("\t".join(row[c] for c in COLUMNS) + "\n")
    print(f"{len(out)} labelled items -> {LABELS_FILE}")


if __name__ == "__main__":
    args = sys.argv[1:]
    add = "--add" in args
    args = [a for a in args if a != "--add"]
    main(args or ["var/devset-labels", "var/devset-labels2"], add)
