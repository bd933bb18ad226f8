"""The reply checker: one agent reply (a draft as it is typed, or before sending) -> :class:`ReplyCheck`.

Rules, each a data file in ``data/`` (SPEC §5 communication rules; SPEC §10 scores the same):

=========================== ======== ============================================================
code                        severity what fires it
=========================== ======== ============================================================
forbidden_phrase            block    a phrase of ``forbidden.tsv``: arguing, blaming the customer,
                                     hiding behind rules (规定就是这样). Inside quotation marks the
                                     agent is quoting (e.g. apologising for a colleague): warn.
negative_expression         warn     a phrase of ``rewrites.tsv``; the suggestion is its positive
                                     form (正面表达法: 很抱歉让您久等了 → 非常感谢您的耐心等候)
prefer_i_over_we            tip      a committing 我们 (我们会, 我们保证; ``we_commit.tsv``) → 我
                                     (取得信任法), except in a clause where the company speaks as a
                                     whole: an apology or responsibility on its behalf (道歉, 抱歉,
                                     代表公司, 责任 …)
promise_without_time_limit  warn     a clause with a promise marker and an action (马上 … 处理;
                                     ``promises.tsv``) while the reply holds no concrete time limit
                                     (``time_limits.tsv``: 24小时内, 今天下午5点前, within 2 hours)
promise_beyond_authority    warn     a compensation word and a money amount above ``authority_limit``
                                     in one clause (or the next), unless the agent restates the
                                     customer's demand (您要求 …); ``authority.tsv``
over_promise                warn     an absolute guarantee (``over_promise.tsv``: 保证不会再出现, 绝对,
                                     百分之百); 不能保证 and other honest forms are allowed
missing_acknowledgement     tip      early in the conversation, no acknowledgement (是啊, 我理解, 谢谢您
                                     告诉我 …; ``acknowledgements.tsv``) in the draft or earlier turns
listening_ratio_low         tip      the agent talks more than the customer (SPEC 7:3)
=========================== ======== ============================================================

Negation and quoting. ``allow`` rows cancel hits inside a longer, harmless phrase (这不是您的问题,
不是不可能, 不能保证, 我们会员); plain negation does not cancel a forbidden phrase — "我不会说规定就是这样"
still puts the phrase in front of an upset customer, so it is flagged. Replies are folded first
(:mod:`.text`): 繁體, full-width characters and 您/你 all match the same rows, and suggestions come
back in 繁體 when the agent writes 繁體.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kesu.core.analysis.amounts import find_amounts
from kesu.core.analysis.lexicon import Hit

from .conversation import last_steps_in, listening_ratio, listening_tip, validate_conversation
from .findings import Finding, make_finding, severity_rank
from .rules import LAST_STEPS, Rules, get_rules
from .text import (
    Folded,
    clause_span,
    fold,
    has_han,
    has_latin,
    sentence_end,
    sentence_start,
    to_traditional,
)

LANGUAGES = ("zh", "zh-Hant", "en")
_OPEN_QUOTES = {'"': '"', "「": "」", "『": "』"}
_ACKNOWLEDGEMENT = {
    "zh": "谢谢您告诉我，我理解您的心情。",
    "zh-Hant": "謝謝您告訴我，我理解您的心情。",
    "en": "Thank you for telling me; I understand how you feel.",
}


@dataclass
class ReplyCheck:
    findings: list[Finding]
    last_steps: dict[str, bool]  # listen, apologize, solve, thank -> covered so far (draft included)
    language: str  # zh | zh-Hant | en: the reply's language, as given or as detected
    listening_ratio: float | None = None  # customer / agent speaking characters, None without turns

    @property
    def missing_last_steps(self) -> list[str]:
        """LAST steps not covered yet, in LAST order."""
        return [step for step in LAST_STEPS if not self.last_steps[step]]

    @property
    def blocked(self) -> bool:
        """True when the reply must not be sent as it is (a "block" finding)."""
        return any(f.severity == "block" for f in self.findings)

    @property
    def severity(self) -> str | None:
        """The worst severity found, or None for a clean reply."""
        return min((f.severity for f in self.findings), key=severity_rank, default=None)

    def as_dict(self) -> dict:
        return {
            "findings": [f.as_dict() for f in self.findings],
            "severity": self.severity,
            "blocked": self.blocked,
            "last_steps": dict(self.last_steps),
            "missing_last_steps": self.missing_last_steps,
            "listening_ratio": self.listening_ratio,
            "language": self.language,
        }


def check_reply(
    text: str,
    *,
    authority_limit: float | None = None,
    conversation: list[tuple[str, str]] | None = None,
    language: str = "zh",
) -> ReplyCheck:
    """Check one agent reply; ``conversation`` holds the earlier turns, oldest first.

    ``authority_limit`` is the agent's compensation authority in 元 (None: not checked). ``language``
    is the reply's language when the text does not say (an English-only text is ``en``, a 繁體 one
    ``zh-Hant``); it picks the language of suggestions. Raises TypeError/ValueError for arguments of
    the wrong type, never for the content of ``text``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    if authority_limit is not None and (
        isinstance(authority_limit, bool) or not isinstance(authority_limit, int | float)
    ):
        raise TypeError("authority_limit must be a number or None")
    turns = validate_conversation(conversation)
    rules = get_rules()
    folded = fold(text)
    language = _reply_language(folded, language)
    agent_texts = [fold(body).text for kind, body in turns if kind == "agent"]

    findings: list[Finding] = []
    if text.strip():
        findings += _phrase_findings(folded, rules)
        findings += _promise_findings(folded, rules)
        if authority_limit is not None and not math.isnan(authority_limit):
            findings += _authority_findings(folded, rules, authority_limit)
        findings += _acknowledgement_findings(folded, rules, agent_texts, language)
        if turns:
            tip = listening_tip([*turns, ("agent", text)])
            if tip:
                findings.append(tip)
    if language == "zh-Hant":
        findings = [_traditional(f) for f in findings]
    findings.sort(key=lambda f: (f.span == (0, 0), f.span[0], severity_rank(f.severity)))
    return ReplyCheck(
        findings=findings,
        last_steps=last_steps_in([*agent_texts, folded.text]),
        language=language,
        listening_ratio=listening_ratio([*turns, ("agent", text)]) if turns else None,
    )


def _reply_language(folded: Folded, given: str) -> str:
    """What the text says first (Chinese, 繁體, English only), else the language given."""
    if has_han(folded.text):
        return "zh-Hant" if folded.traditional or given == "zh-Hant" else "zh"
    return "en" if has_latin(folded.text) else given


def _traditional(finding: Finding) -> Finding:
    if not finding.suggestion:
        return finding
    return Finding(**{**finding.__dict__, "suggestion": to_traditional(finding.suggestion)})


def _finding(message_id: str, folded: Folded, hit: Hit, suggestion: str | None = None) -> Finding:
    span = folded.span(hit.start, hit.end)
    return make_finding(message_id, span, folded.original[span[0] : span[1]], suggestion)


def _quoted(text: str, position: int) -> bool:
    """Is ``position`` inside quotation marks opened earlier in its sentence?"""
    before = text[sentence_start(text, position) : position]
    if before.count('"') % 2:
        return True
    return any(before.rfind(o) > before.rfind(c) for o, c in _OPEN_QUOTES.items() if o != '"')


def _phrase_findings(folded: Folded, rules: Rules) -> list[Finding]:
    t = folded.text
    found = []
    forbidden = rules.forbidden.find(t)
    for hit in forbidden:
        message = "forbidden_phrase.quoted" if _quoted(t, hit.start) else "forbidden_phrase"
        found.append(_finding(message, folded, hit, hit.entry.sub or None))
    for hit in rules.rewrites.find(t):
        if not any(hit.start < f.end and f.start < hit.end for f in forbidden):
            found.append(_finding("negative_expression", folded, hit, hit.entry.sub))
    for hit in rules.we_commit.find(t):
        if not rules.we_exempt.search(t[slice(*clause_span(t, hit.start, hit.end))]):
            found.append(_finding("prefer_i_over_we", folded, hit, hit.entry.sub))
    for hit in rules.over_promise.find(t):
        found.append(_finding("over_promise", folded, hit, hit.entry.sub))
    return found


def _promise_findings(folded: Folded, rules: Rules) -> list[Finding]:
    """One finding per clause holding a promise marker and an action, when the reply names no concrete
    time limit anywhere (the limit may come in the next sentence: 我马上为您处理。24小时内给您回复。)."""
    t = folded.text
    if rules.time_limit.search(t):
        return []
    found = []
    seen: set[tuple[int, int]] = set()
    for marker in rules.promise_marker.find(t):
        left, right = clause_span(t, marker.start, marker.end)
        if (left, right) in seen:
            continue
        actions = rules.promise_action.find(t[left:right])
        if actions:
            seen.add((left, right))
            end = max(marker.end, left + actions[-1].end)
            span = folded.span(min(marker.start, left + actions[0].start), end)
            found.append(make_finding("promise_without_time_limit", span, folded.original[span[0] : span[1]]))
    return found


def _authority_findings(folded: Folded, rules: Rules, limit: float) -> list[Finding]:
    findings = []
    for (start, end), value in _promises(folded, rules):
        if value > limit:
            span = folded.span(start, end)
            findings.append(
                make_finding(
                    "promise_beyond_authority",
                    span,
                    folded.original[span[0] : span[1]],
                    amount=_number(value),
                    limit=_number(limit),
                )
            )
    return findings


def promised_amounts(text: str) -> list[float]:
    """The money amounts ``text`` promises (what ``promise_beyond_authority`` compares with the
    authority limit): the same rule counts a solution's words against the agent's authority."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    return [value for _, value in _promises(fold(text), get_rules())]


def _promises(folded: Folded, rules: Rules) -> list[tuple[tuple[int, int], float]]:
    """Amounts in a clause with a compensation word, or in the clause after it, with their folded
    spans; clauses restating the customer's demand (您要求赔偿五千元) are no promise and are skipped."""
    t = folded.text
    found = []
    seen: set[tuple[int, int]] = set()
    for verb in rules.compensation_verb.find(t):
        left, right = clause_span(t, verb.start, verb.end)
        if rules.restate.search(t[left:right]):
            continue
        end = sentence_end(t, verb.end)
        if right < end:
            next_left, next_right = clause_span(t, right + 1, right + 1)
            if not rules.restate.search(t[next_left:next_right]):
                right = min(next_right, end)
        clause = t[left:right]
        for amount in find_amounts(clause):
            raw = clause[amount.start : amount.end]
            start = left + amount.start + len(raw) - len(raw.lstrip())
            at = (start, start + len(amount.text))
            if at not in seen:
                seen.add(at)
                found.append((at, amount.value))
    return found


def _acknowledgement_findings(
    folded: Folded, rules: Rules, agent_texts: list[str], language: str
) -> list[Finding]:
    if len(agent_texts) >= rules.settings["acknowledgement_early_turns"]:
        return []
    if any(rules.acknowledgement.search(body) for body in [*agent_texts, folded.text]):
        return []
    return [make_finding("missing_acknowledgement", suggestion=_ACKNOWLEDGEMENT[language])]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
