"""The customer-journey map (SPEC §8, §11): the touchpoints where complaints arise and where the
handling itself goes wrong, and which of them a complaint touched.

The material speaks of the 7 key touchpoints *of complaint handling* without listing them; the
product ships the documented default below (投诉接入 … 结果确认与回访), and one more list for where
complaints arise (宣传 … 变更/退订). Both are defaults: admins edit the list, each touchpoint's
keywords and the handling signals that point to it.

A touchpoint is suggested for a complaint when one of its keywords is in the customer's words, or
when one of its signals fired in the handling history; a person confirms or corrects it in the
review.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Phase(StrEnum):
    HANDLING = "handling"  # 投诉处理的关键触点
    ARISING = "arising"  # where complaints arise, along the customer's life with the product


class Signal(StrEnum):
    """Things the handling history shows, each pointing to a handling touchpoint."""

    FIRST_REPLY_LATE = "first_reply_late"  # first-reply clock breached
    EXTREME_EMOTION = "extreme_emotion"  # the customer's emotion ran out of control
    SOLUTION_DECLINED = "solution_declined"  # went back from 达成一致 to 方案
    ABOVE_AUTHORITY = "above_authority"  # the solution needed approval above the agent
    EFFECTIVE_LATE = "effective_late"  # effective-reply clock breached
    WORK_ORDER_LATE = "work_order_late"  # a department's work order was late
    REOPENED = "reopened"
    DISSATISFIED = "dissatisfied"  # a dissatisfied follow-up
    REPEAT = "repeat"  # the customer had complained about the same matter before


SIGNAL_NAMES: dict[Signal, tuple[str, str]] = {
    Signal.FIRST_REPLY_LATE: ("首次回复超时", "First reply late"),
    Signal.EXTREME_EMOTION: ("情绪失控", "Extreme emotion"),
    Signal.SOLUTION_DECLINED: ("方案被拒", "Solution declined"),
    Signal.ABOVE_AUTHORITY: ("超出权限", "Above the agent's authority"),
    Signal.EFFECTIVE_LATE: ("有效回复超时", "Effective reply late"),
    Signal.WORK_ORDER_LATE: ("工单超时", "Work order late"),
    Signal.REOPENED: ("重新打开", "Reopened"),
    Signal.DISSATISFIED: ("回访不满意", "Dissatisfied follow-up"),
    Signal.REPEAT: ("重复投诉", "Repeat complaint"),
}


@dataclass(frozen=True)
class TouchpointRule:
    code: str
    name_zh: str
    name_en: str
    phase: Phase
    keywords: tuple[str, ...] = ()
    signals: tuple[Signal, ...] = ()


#: The documented default (SPEC §11): seven touchpoints of complaint handling, then seven where
#: complaints arise.
DEFAULT_TOUCHPOINTS: tuple[TouchpointRule, ...] = (
    TouchpointRule(
        "intake",
        "投诉接入",
        "Complaint intake",
        Phase.HANDLING,
        ("打不通", "没人接", "占线", "转来转去", "找不到投诉", "排队"),
    ),
    TouchpointRule(
        "first_response",
        "首次响应/受理",
        "First response / acceptance",
        Phase.HANDLING,
        ("没人回复", "没有回复", "没人理", "不回复", "推脱", "踢皮球"),
        (Signal.FIRST_REPLY_LATE,),
    ),
    TouchpointRule(
        "listen_soothe",
        "倾听安抚",
        "Listening and soothing",
        Phase.HANDLING,
        ("不耐烦", "态度差", "态度恶劣", "打断", "冷淡", "不听"),
        (Signal.EXTREME_EMOTION,),
    ),
    TouchpointRule(
        "verify",
        "核实确认",
        "Verifying the facts",
        Phase.HANDLING,
        ("没搞清楚", "问了好几遍", "重复说明", "不核实", "不询问", "未主动询问"),
        (),
    ),
    TouchpointRule(
        "negotiate",
        "方案协商",
        "Negotiating the solution",
        Phase.HANDLING,
        ("不合理", "不接受", "拒绝解释", "不给解决", "敷衍"),
        (Signal.SOLUTION_DECLINED, Signal.ABOVE_AUTHORITY),
    ),
    TouchpointRule(
        "execute_update",
        "执行与进度同步",
        "Execution and progress updates",
        Phase.HANDLING,
        ("没有进展", "一直说明天", "没有消息", "进度", "拖延"),
        (Signal.EFFECTIVE_LATE, Signal.WORK_ORDER_LATE),
    ),
    TouchpointRule(
        "confirm_follow_up",
        "结果确认与回访",
        "Confirming the result and following up",
        Phase.HANDLING,
        ("还是没解决", "又坏了", "没有回访", "再次投诉"),
        (Signal.REOPENED, Signal.DISSATISFIED, Signal.REPEAT),
    ),
    TouchpointRule(
        "marketing", "宣传", "Marketing", Phase.ARISING, ("宣传", "广告", "虚假", "承诺的", "说好的", "误导")
    ),
    TouchpointRule(
        "purchase",
        "购买/开通",
        "Purchase / activation",
        Phase.ARISING,
        ("开通", "办理", "购买", "下单", "签约", "套餐变"),
    ),
    TouchpointRule(
        "delivery",
        "交付/安装/物流",
        "Delivery / installation / logistics",
        Phase.ARISING,
        ("物流", "快递", "发货", "安装", "上门", "配送", "到货"),
    ),
    TouchpointRule(
        "usage",
        "使用",
        "Use",
        Phase.ARISING,
        ("黑屏", "断网", "信号", "故障", "坏了", "死机", "网速", "掉线"),
    ),
    TouchpointRule(
        "billing", "计费", "Billing", Phase.ARISING, ("扣费", "话费", "账单", "收费", "乱扣", "资费", "费用")
    ),
    TouchpointRule(
        "after_sales",
        "售后/维修",
        "After-sales / repair",
        Phase.ARISING,
        ("售后", "维修", "保修", "换货", "退货", "检修"),
    ),
    TouchpointRule(
        "change_cancel",
        "变更/退订",
        "Change / cancellation",
        Phase.ARISING,
        ("退订", "销户", "取消", "携号转网", "变更", "注销"),
    ),
)


def suggest_touchpoints(
    text: str, signals: Iterable[Signal | str], rules: Sequence[TouchpointRule] = DEFAULT_TOUCHPOINTS
) -> list[str]:
    """The codes of the touchpoints the complaint touched, in the map's order: a keyword in the
    customer's words, or a signal from the handling history."""
    fired = {Signal(s) for s in signals}
    return [
        rule.code
        for rule in rules
        if any(word and word in text for word in rule.keywords) or fired & set(rule.signals)
    ]
