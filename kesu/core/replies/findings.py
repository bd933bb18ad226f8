"""What the checker reports: :class:`Finding` (one rule that fired, with where and why) and its messages."""

from __future__ import annotations

from dataclasses import dataclass

from .rules import SEVERITIES, get_rules


@dataclass(frozen=True)
class Finding:
    """One rule that fired. ``span`` is (start, end) in the reply as typed; an empty span (0, 0) means
    the finding is about the whole reply or conversation, not about particular words."""

    code: str
    severity: str  # block | warn | tip
    message_zh: str
    message_en: str
    span: tuple[int, int]
    evidence: str
    suggestion: str | None = None

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "span": list(self.span),
            "evidence": self.evidence,
            "suggestion": self.suggestion,
        }


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def make_finding(
    message_id: str,
    span: tuple[int, int] = (0, 0),
    evidence: str = "",
    suggestion: str | None = None,
    **values: object,
) -> Finding:
    """A finding whose code, severity and texts come from ``data/messages.tsv`` row ``message_id``."""
    message = get_rules().messages[message_id]
    fields = _Blank(evidence=evidence, suggestion=suggestion or "", **{k: str(v) for k, v in values.items()})
    return Finding(
        code=message.code,
        severity=message.severity,
        message_zh=message.zh.format_map(fields),
        message_en=message.en.format_map(fields),
        span=span,
        evidence=evidence,
        suggestion=suggestion,
    )


def severity_rank(severity: str) -> int:
    """0 for block, 1 for warn, 2 for tip: sort findings worst first."""
    return SEVERITIES.index(severity)
