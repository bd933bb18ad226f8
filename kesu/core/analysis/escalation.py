"""Escalation risk 升级风险: triggers from the text (data/escalation.tsv) and from the context passed in."""

from __future__ import annotations

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


class EscalationAnalyzer:
    def __init__(self, negation: Negation) -> None:
        self.negation = negation
        rows = read_tsv("escalation.tsv")
        self.lexicon = Lexicon(Entry(code=r[0], kind=r[1], phrase=r[2]) for r in rows)
        self.urgency = Lexicon(Entry(code=r[0], kind="urgency", phrase=r[1]) for r in read_tsv("urgency.tsv"))

    def text_triggers(self, text: str) -> dict[str, Hit]:
        """The first convincing, non-negated phrase for each text trigger."""
        hits = self.lexicon.find(text)
        blocks = [h for h in hits if h.entry.kind == "block"]
        cues: dict[str, list[Hit]] = {}
        for h in hits:
            if h.entry.kind == "cue":
                cues.setdefault(h.entry.code, []).append(h)
        fired: dict[str, Hit] = {}
        for h in hits:
            code, kind = h.entry.code, h.entry.kind
            if code in fired or kind not in ("strong", "weak"):
                continue
            if covered(h, [b for b in blocks if b.entry.code == code]):
                continue
            start = h.start
            if kind == "weak":
                left, right = clause_span(text, h.start, h.end)
                before, after = (24, 12) if h.phrase.isascii() else (4, 2)
                near = [
                    c
                    for c in cues.get(code, [])
                    if left <= c.start
                    and c.end <= right
                    and not (c.start >= h.start and c.end <= h.end)
                    and (h.start - before <= c.end <= h.start or h.end <= c.start <= h.end + after)
                ]
                if not near:
                    continue
                start = min(h.start, min(c.start for c in near))
            if self.negation.is_negated(text, start) or self.negation.is_negated(text, h.start):
                continue
            fired[code] = h
        return fired

    def analyze(self, text: str, emotion: Emotion, context: dict, demanded: float | None) -> Escalation:
        triggers: list[Trigger] = []
        for code, hit in self.text_triggers(text).items():
            triggers.append(Trigger(code, hit.phrase))
        if (
            "extreme_emotion" not in {t.code for t in triggers}
            and emotion.label == "anger"
            and emotion.intensity >= EXTREME_INTENSITY
        ):
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
