"""The transcript as the inspection page shows it: each turn's words, escaped and masked where the
reader may not see personal data, with every automatic item's evidence marked where it lies."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kesu.core import privacy
from kesu.qa.models import ItemResult

SPEAKER_CLASSES = {"customer": "customer", "agent": "agent"}


def clock_label(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def _segments(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[str, list[str]]]:
    """Cut ``text`` at every span boundary: (piece, codes of the items whose evidence covers it)."""
    cuts = sorted({0, len(text), *(max(0, min(len(text), p)) for s, e, _ in spans for p in (s, e))})
    pieces = []
    for a, b in pairwise(cuts):
        codes = [code for s, e, code in spans if s <= a and b <= e and s < e]
        pieces.append((text[a:b], list(dict.fromkeys(codes))))
    return pieces


def marked_turn(
    text: str, spans: list[tuple[int, int, str]], *, mask: bool, labels: dict[str, str]
) -> SafeString:
    """The turn as HTML: escaped, masked piece by piece when ``mask``, evidence in ``<mark>``."""
    out = []
    for piece, codes in _segments(text, spans):
        shown = escape(privacy.mask_text(piece) if mask else piece)
        if codes:
            title = escape(" · ".join(labels.get(c, c) for c in codes))
            classes = " ".join(f"ev-{c}" for c in codes)
            out.append(f'<mark class="evidence {classes}" title="{title}">{shown}</mark>')
        else:
            out.append(shown)
    return mark_safe("".join(out))


def transcript_rows(
    turns: list[dict[str, Any]], results: Iterable[ItemResult], *, mask: bool, labels: dict[str, str]
) -> list[dict[str, Any]]:
    """One row per turn, for the template: speaker, time, the marked words, the items evidenced."""
    spans: dict[int, list[tuple[int, int, str]]] = {}
    for result in results:
        for evidence in result.evidence or []:
            start, end = evidence.get("span", [0, 0])
            if end > start:
                spans.setdefault(evidence.get("turn", -1), []).append((start, end, result.code))
    rows = []
    for index, turn in enumerate(turns):
        text = turn.get("text", "")
        own = spans.get(index, [])
        if mask:
            # Mask the whole turn first when masking keeps its length, so a number cut by a mark is
            # still masked whole; otherwise mask piece by piece (spans would no longer line up).
            masked = privacy.mask_text(text)
            if len(masked) == len(text):
                text, mask_pieces = masked, False
            else:
                mask_pieces = True
        else:
            mask_pieces = False
        rows.append(
            {
                "index": index,
                "number": index + 1,
                "speaker": turn.get("speaker", ""),
                "css": SPEAKER_CLASSES.get(turn.get("speaker", ""), ""),
                "at": clock_label(turn.get("start")),
                "html": marked_turn(text, own, mask=mask_pieces, labels=labels),
                "items": sorted({code for _s, _e, code in own}),
            }
        )
    return rows


#: Evidence notes that name what the evidence is (listen, customer_words, 4.5s) rather than suggest
#: a better wording; the page shows only suggestions.
_NOTE_CODE = re.compile(r"^[a-z_]+$|^[0-9.]+s$|^您$")


def excerpt(result: ItemResult, *, mask: bool) -> list[dict[str, Any]]:
    """The item's evidence as short quotes with their turn numbers, and a suggested rewrite if any."""
    quotes = []
    for evidence in result.evidence or []:
        text = evidence.get("text", "")
        note = evidence.get("note", "")
        quotes.append(
            {
                "turn": evidence.get("turn", -1) + 1,
                "text": privacy.mask_text(text) if mask else text,
                "suggestion": "" if _NOTE_CODE.match(note) else note,
            }
        )
    return quotes
