"""The shared words: the analysis engine's codes (:mod:`kesu.core.analysis.result`) with the names
people read — English here, Chinese in the catalogue (``kesu/locale``). Every page, export and
admin form that names an emotion, a category, a value, a trigger or a risk level takes the name
from here; a test checks that every code the engine can give has one.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: 情绪 (SPEC §3)
EMOTION_LABELS: dict[str, Promise] = {
    "anger": _("Anger"),  # 愤怒
    "disappointment": _("Disappointment"),  # 失望
    "anxiety": _("Anxiety"),  # 焦虑
    "confusion": _("Confusion"),  # 疑问
    "expectation": _("Expectation"),  # 期待
    "neutral": _("Neutral"),  # 平静
    "satisfied": _("Satisfied"),  # 满意
}
#: The emotions that make a conversation heated when they rise.
NEGATIVE_EMOTIONS = frozenset({"anger", "disappointment", "anxiety"})

#: The default taxonomy's top categories (SPEC §3); the admin-edited names of the taxonomy
#: (``complaints.Category``) are what a complaint shows, these name the codes where no row does.
CATEGORY_LABELS: dict[str, Promise] = {
    "product_quality": _("Product quality"),  # 产品质量
    "service_attitude": _("Service attitude"),  # 服务态度
    "process": _("Process"),  # 流程问题
    "communication": _("Communication"),  # 沟通问题
    "price_fee": _("Price and fees"),  # 价格/费用
    "logistics_delay": _("Logistics and delays"),  # 物流/服务延误
    "rights_dispute": _("Rights dispute"),  # 权益纠纷
    "other": _("Other"),  # 其他
}

#: 价值取向: what the customer values (SPEC §3)
VALUE_LABELS: dict[str, Promise] = {
    "speed": _("Speed 速度"),
    "respect": _("Respect 获得尊重"),
    "money": _("Money 金钱的价值"),
    "reliability": _("Reliability 可靠性/便利性"),
    "flexibility": _("Flexibility 灵活性"),
    "fairness": _("Fairness 公平性"),
}

#: 升级风险 triggers (SPEC §3)
TRIGGER_LABELS: dict[str, Promise] = {
    "supervisor_request": _("Asks for a supervisor"),
    "authority": _("Beyond authority"),
    "legal": _("Legal risk"),
    "public_exposure": _("Threat of going public"),
    "regulator": _("Regulator"),
    "extreme_emotion": _("Extreme emotion"),
    "repeat": _("Repeat complaint"),
    "overdue": _("Waiting too long"),
    "vip_urgent": _("VIP / urgent"),
}

#: What the customer demands (诉求), as the engine names it
DEMAND_LABELS: dict[str, Promise] = {
    "refund": _("Refund"),
    "replacement": _("Replacement"),
    "repair": _("Repair"),
    "compensation": _("Compensation"),
    "apology": _("Apology"),
    "explanation": _("Explanation"),
    "punish_staff": _("Punish the staff"),
    "other": _("Other"),
}

#: Signals of a bad-faith complaint 恶意投诉 (for the team lead to judge, never proof)
BAD_FAITH_LABELS: dict[str, Promise] = {
    "excessive_compensation": _("Demand far above the compensation standard"),
    "repeated_unreasonable": _("Repeated unreasonable demands"),
    "coercion": _("Coercion"),
    "refuses_solutions": _("Refuses every solution"),
    "threat_to_spread": _("Threatens to spread it"),
}

RISK_LEVEL_LABELS: dict[str, Promise] = {"low": _("low"), "medium": _("medium"), "high": _("high")}


def label(labels: dict[str, Promise], code: str | None, default: str = "") -> str:
    """The name of ``code`` in the active language; a code without one shows as itself."""
    if not code:
        return default
    found = labels.get(code)
    return str(found) if found is not None else code


def choices(labels: dict[str, Promise]) -> list[tuple[str, Promise]]:
    """``(code, name)`` pairs for a model or form field."""
    return list(labels.items())
