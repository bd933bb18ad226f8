"""Escalation risk 升级风险: triggers from the text (data/escalation.tsv) and from the context passed in.

Text triggers work in two steps. The lexicon finds *candidates*: every phrase, weak word and tagged
account (@中国消费者报, @深圳公安) of a trigger that a longer block phrase does not cancel. Then something
decides whether the writer asks for, threatens or has taken that step, not a mention, a third party, a
salutation or a joke:
- the fast tier (inline at intake) by rules: a strong phrase fires unless negated; a weak word fires only
  with a cue word of its trigger right beside it in the same clause (工信部 + 投诉, manager + speak); a
  tagged media, authority or police account fires;
- the semantic tier (``decide``, when the encoder runs) by a classifier over the embedding of the
  candidate's sentence and the rule's own features, so a weak word with no cue can fire (只好向你们新闻部门
  求助) and a strong phrase in someone else's mouth can be held back.
The evidence is always the candidate's span of the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .context import number
from .lexicon import Entry, Hit, Lexicon, Negation, clause_span, covered, read_tsv
from .result import Emotion, Escalation, Trigger

# How much each trigger raises the risk on its own; several combine as 1 - prod(1 - w).
WEIGHTS = {
    "legal": 0.6,
    "regulator": 0.6,
    "public_exposure": 0.55,
    "supervisor_request": 0.45,
    "authority": 0.4,
    "extreme_emotion": 0.5,
    "repeat": 0.4,
    "overdue": 0.35,
    "vip_urgent": 0.5,
}
HIGH = 0.6
MEDIUM = 0.3
REPEAT_AT = 2  # prior complaints on the same matter: the third complaint fires "repeat"
EXTREME_INTENSITY = 0.98  # model + lexicon + exclamation marks; the phrases in the lexicon fire on their own
TEXT_TRIGGERS = ("supervisor_request", "legal", "public_exposure", "regulator", "extreme_emotion")
# A tagged account (Weibo/Twitter @name): the name up to a space, punctuation or the next @.
_HANDLE = re.compile(r"@([0-9a-z_\-\u00b7\u3400-\u4dbf\u4e00-\u9fff]{2,30})")
_SENTENCE_END = re.compile(r"[。！？!?\n]|[.;](?=\s|$)")
WINDOW_CHARS = 160


@dataclass(frozen=True)
class Candidate:
    """A place in the text where a trigger may be meant, with what the rules make of it."""

    code: str
    start: int
    end: int
    phrase: str  # the words of the (normalised) text: the evidence
    kind: str  # strong | weak | handle
    cued: bool  # a weak word with a cue of its trigger beside it
    negated: bool
    fired: bool  # the fast tier's verdict

    @property
    def entry(self) -> Entry:  # read like a lexicon Hit by the bad-faith analyser
        return Entry(code=self.code, kind=self.kind, phrase=self.phrase)


# The semantic tier's decision: (text, candidates) -> probability per candidate, same order.
Decide = Callable[[str, Sequence[Candidate]], Sequence[float]]
CANDIDATE_FEATURES = ("fired", "cued", "negated", "strong", "weak", "handle", "english")


def candidate_features(c: Candidate) -> list[float]:
    """What the rules know of a candidate, beside its sentence's embedding (the head's other inputs)."""
    return [
        float(c.fired),
        float(c.cued),
        float(c.negated),
        float(c.kind == "strong"),
        float(c.kind == "weak"),
        float(c.kind == "handle"),
        float(c.phrase.isascii()),
    ]


CONTEXT_CHARS = 8


def candidate_context(text: str, c: Candidate, size: int = CONTEXT_CHARS) -> tuple[str, str]:
    """The few characters just before and after a candidate, marked at the outer ends (``<`` / ``>``): who
    asks whom is often in them (找你们|领导|给我回电话 against 陪|领导|出来吃饭), which the sentence's
    embedding blurs. The semantic tier's trigger heads read their character 1-3-grams."""
    return "<" + text[max(0, c.start - size) : c.start], text[c.end : c.end + size] + ">"


def sentence_window(text: str, start: int, end: int, size: int = WINDOW_CHARS) -> str:
    """The sentence around a candidate (at most ``size`` characters, centred on it)."""
    left = 0
    for m in _SENTENCE_END.finditer(text, max(0, start - size), start):
        left = m.end()
    after = _SENTENCE_END.search(text, end)
    right = after.end() if after else len(text)
    if right - left > size:
        half = (size - (end - start)) // 2
        left = max(left, start - half)
        right = min(right, end + half)
    return text[left:right].strip()


class EscalationAnalyzer:
    def __init__(self, negation: Negation) -> None:
        self.negation = negation
        rows = read_tsv("escalation.tsv")
        self.lexicon = Lexicon(Entry(code=r[0], kind=r[1], phrase=r[2]) for r in rows if r[1] != "handle")
        # Account names that mark a tagged account as media, an authority or the police (@辽宁日报).
        self.handle_words = [(r[0], r[2]) for r in rows if r[1] == "handle"]
        self.urgency = Lexicon(Entry(code=r[0], kind="urgency", phrase=r[1]) for r in read_tsv("urgency.tsv"))

    def candidates(self, text: str) -> list[Candidate]:
        """Every possible text trigger, in text order, with the fast tier's verdict on each."""
        hits = self.lexicon.find(text)
        blocks: dict[str, list[Hit]] = {}
        cues: dict[str, list[Hit]] = {}
        for h in hits:
            if h.entry.kind == "block":
                blocks.setdefault(h.entry.code, []).append(h)
            elif h.entry.kind == "cue":
                cues.setdefault(h.entry.code, []).append(h)
        out: list[Candidate] = []
        for h in hits:
            code, kind = h.entry.code, h.entry.kind
            if kind not in ("strong", "weak") or covered(h, blocks.get(code, [])):
                continue
            start = h.start
            cued = False
            if kind == "weak":
                near = self._cues_near(text, h, cues.get(code, []))
                cued = bool(near)
                if near:
                    start = min(h.start, min(c.start for c in near))
            negated = self.negation.is_negated(text, start) or self.negation.is_negated(text, h.start)
            fired = (kind == "strong" or cued) and not negated
            out.append(Candidate(code, h.start, h.end, h.phrase, kind, cued, negated, fired))
        out += self._handles(text)
        out.sort(key=lambda c: (c.start, -c.end))
        return out

    @staticmethod
    def _cues_near(text: str, h: Hit, cues: list[Hit]) -> list[Hit]:
        left, right = clause_span(text, h.start, h.end)
        before, after = (24, 12) if h.phrase.isascii() else (4, 2)
        return [
            c
            for c in cues
            if left <= c.start
            and c.end <= right
            and not (c.start >= h.start and c.end <= h.end)
            and (h.start - before <= c.end <= h.start or h.end <= c.start <= h.end + after)
        ]

    def _handles(self, text: str) -> list[Candidate]:
        if "@" not in text:
            return []
        out = []
        for m in _HANDLE.finditer(text):
            name = m.group(1)
            for code, word in self.handle_words:
                if word in name:
                    out.append(Candidate(code, m.start(), m.end(), m.group(0), "handle", False, False, True))
                    break
        return out

    def text_triggers(self, text: str, decide: Decide | None = None) -> dict[str, Candidate]:
        """The first convincing candidate of each text trigger: by the rules, or by ``decide``."""
        candidates = self.candidates(text)
        fired: dict[str, Candidate] = {}
        if decide is None:
            for c in candidates:
                if c.fired and c.code not in fired:
                    fired[c.code] = c
            return fired
        best: dict[str, tuple[float, Candidate]] = {}
        for c, p in zip(candidates, decide(text, candidates), strict=True):
            if p >= 0.5 and (c.code not in best or p > best[c.code][0]):
                best[c.code] = (p, c)
        return {code: best[code][1] for code in TEXT_TRIGGERS if code in best}

    def analyze(
        self,
        text: str,
        emotion: Emotion,
        context: dict,
        demanded: float | None,
        text_triggers: dict[str, Candidate] | None = None,
        extreme: bool | None = None,
    ) -> Escalation:
        """``text_triggers`` as decided (the fast tier's when None); ``extreme``: the semantic verdict on a
        text whose anger runs high but names no rage phrase (None: anger intensity >= EXTREME_INTENSITY)."""
        found = self.text_triggers(text) if text_triggers is None else text_triggers
        triggers: list[Trigger] = [Trigger(code, c.phrase) for code, c in found.items()]
        if extreme is None:
            extreme = emotion.label == "anger" and emotion.intensity >= EXTREME_INTENSITY
        if "extreme_emotion" not in found and extreme:
            triggers.append(Trigger("extreme_emotion", f"anger intensity {emotion.intensity:.2f}"))
        limit = number(context.get("authority_limit"))
        if limit is not None and demanded is not None and demanded > limit:
            triggers.append(Trigger("authority", f"demanded {demanded:g} > authority_limit {limit:g}"))
        repeat = number(context.get("repeat_count"))
        if repeat is not None and repeat >= REPEAT_AT:
            triggers.append(Trigger("repeat", f"repeat_count {repeat:g} (>= {REPEAT_AT} earlier complaints)"))
        waited, sla = number(context.get("hours_waited")), number(context.get("sla_hours"))
        if waited is not None and sla is not None and waited > sla:
            triggers.append(Trigger("overdue", f"hours_waited {waited:g} > sla_hours {sla:g}"))
        vip = self._vip_urgent(text, str(context.get("tier") or "").lower())
        if vip:
            triggers.append(Trigger("vip_urgent", vip))
        triggers.sort(key=lambda t: list(WEIGHTS).index(t.code))
        risk = 1.0
        for t in triggers:
            risk *= 1 - WEIGHTS[t.code]
        base = 0.25 * emotion.intensity if emotion.label in ("anger", "disappointment", "anxiety") else 0.0
        risk = 1 - risk * (1 - base)
        risk = round(min(1.0, risk), 3)
        level = "high" if risk >= HIGH else "medium" if risk >= MEDIUM else "low"
        return Escalation(risk=risk, level=level, triggers=triggers)

    def _vip_urgent(self, text: str, tier: str) -> str | None:
        """VIP with urgency/safety/many-affected words; any tier when many customers or injury/fire."""
        hits = [h for h in self.urgency.find(text) if not self.negation.is_negated(text, h.start)]
        kinds = {h.entry.code: h.phrase for h in reversed(hits)}
        if tier == "vip" and kinds:
            key = "safety" if "safety" in kinds else "many" if "many" in kinds else "urgent"
            return f"tier vip + {kinds[key]}"
        if "many" in kinds:
            return f"many customers affected: {kinds['many']}"
        serious = {
            "受伤",
            "起火",
            "着火",
            "自燃",
            "爆炸",
            "触电",
            "中毒",
            "住院",
            "injured",
            "injury",
            "caught fire",
        }
        for h in hits:
            if h.entry.code == "safety" and h.phrase in serious:
                return f"safety: {h.phrase}"
        return None
