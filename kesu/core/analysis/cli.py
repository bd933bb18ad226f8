"""``kesu analyze``: JSON lines in, JSON lines out (the contract is in README.md).

Each input line is ``{"id": ..., "text": ..., "context": {...}}``; each output line carries the same ``id``
with the analysis, or ``{"id": ..., "error": {"code", "message"}}`` for a line that cannot be analysed;
the run goes on. Output is flushed after every line so a caller can stream.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from typing import TextIO

from .engine import get_engine
from .errors import AnalysisError


def _error(item_id: object, code: str, message: str) -> dict:
    return {"id": item_id, "error": {"code": code, "message": message}}


def analyze_line(line: str, line_number: int, tier: str = "full") -> dict:
    """The output object for one input line (never raises for bad input)."""
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return _error(None, "invalid_json", f"line {line_number}: {exc.msg}")
    if not isinstance(item, dict):
        return _error(None, "invalid_json", f"line {line_number}: expected a JSON object")
    item_id = item.get("id")
    if "text" not in item:
        return _error(item_id, "missing_text", f"line {line_number}: no 'text' field")
    try:
        result = get_engine().analyze(item["text"], item.get("context"), tier=tier)
    except AnalysisError as exc:
        return _error(item_id, exc.code, str(exc))
    return {"id": item_id, **result.as_dict()}


def run(lines: Iterable[str], out: TextIO, tier: str = "full") -> int:
    errors = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        obj = analyze_line(line, number, tier)
        errors += "error" in obj
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        out.flush()
    return errors


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``kesu analyze [FILE]``. Exit status 0 even when some lines had errors."""
    parser = argparse.ArgumentParser(
        prog="kesu analyze",
        description="Analyse complaint texts: JSON lines {id, text, context} in, one JSON line per input out.",
    )
    parser.add_argument(
        "file", nargs="?", help="JSON lines file (default: standard input; '-' also means stdin)"
    )
    parser.add_argument("-o", "--output", help="write to this file instead of standard output")
    parser.add_argument(
        "--fast",
        action="store_true",
        help="the inline tier alone (lexicons and n-gram models, thousands of texts/s); by default the "
        "semantic tier (the encoder, tens of texts/s on one core) runs too",
    )
    args = parser.parse_args(argv)
    tier = "fast" if args.fast else "full"
    # A command-line run has the machine to itself: let the encoder use every core for each text.
    os.environ.setdefault("KESU_ENCODER_THREADS", str(os.cpu_count() or 1))
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        if args.file and args.file != "-":
            try:
                fh = open(args.file, encoding="utf-8")
            except OSError as exc:
                print(f"kesu analyze: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
                return 2
            with fh:
                run(fh, out, tier)
        else:
            stdin = sys.stdin
            if hasattr(stdin, "reconfigure"):
                stdin.reconfigure(encoding="utf-8", errors="replace")
            run(stdin, out, tier)
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
