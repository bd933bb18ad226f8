"""The default root-cause tree 根本原因 (SPEC §8): organisational causes (training, management and
appraisal, authority, service culture) beside product, process, system, communication and third
parties. Admins edit the tree; this is what a fresh installation starts with."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class CauseNode:
    code: str
    name_zh: str
    name_en: str
    children: tuple[CauseNode, ...] = ()


DEFAULT_ROOT_CAUSES: tuple[CauseNode, ...] = (
    CauseNode(
        "organisation",
        "组织原因",
        "Organisation",
        (
            CauseNode("training_gap", "培训不足", "Not enough training"),
            CauseNode("management_appraisal", "管理/考核缺陷", "Management or appraisal flaw"),
            CauseNode("authority_gap", "授权不足", "Not enough authority"),
            CauseNode("service_culture", "服务文化", "Service culture"),
        ),
    ),
    CauseNode(
        "product",
        "产品原因",
        "Product",
        (
            CauseNode("product_defect", "产品缺陷", "Product defect"),
            CauseNode("product_design", "产品设计不合理", "Product design"),
        ),
    ),
    CauseNode(
        "process",
        "流程原因",
        "Process",
        (
            CauseNode("process_complex", "流程繁琐", "Cumbersome procedure"),
            CauseNode("process_handover", "部门衔接不畅", "Hand-over between departments"),
        ),
    ),
    CauseNode(
        "system",
        "系统原因",
        "System",
        (
            CauseNode("system_fault", "系统故障", "System fault"),
            CauseNode("billing_error", "计费差错", "Billing error"),
        ),
    ),
    CauseNode(
        "communication",
        "沟通原因",
        "Communication",
        (
            CauseNode("info_opaque", "信息不透明", "Opaque information"),
            CauseNode("unclear_explanation", "解释不清", "Unclear explanation"),
            CauseNode("over_promise", "过度承诺", "Over-promising"),
        ),
    ),
    CauseNode(
        "third_party",
        "第三方原因",
        "Third parties",
        (
            CauseNode("logistics_partner", "物流/合作方", "Logistics or partner"),
            CauseNode("supplier", "供应商", "Supplier"),
        ),
    ),
)


def walk(
    nodes: tuple[CauseNode, ...] = DEFAULT_ROOT_CAUSES, parent: str | None = None
) -> Iterator[tuple[CauseNode, str | None]]:
    """(node, parent code) for every node, parents before their children."""
    for node in nodes:
        yield node, parent
        yield from walk(node.children, node.code)
