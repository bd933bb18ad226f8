"""Realistic demo data: teams, one login per role, and a few hundred complaints across channels,
tiers, categories and stages, taken through the real services so every stamp, message and audit
event is what production would write. Cases come from ``corpus.json`` (written for the demo)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from kesu.accounts.models import Team, User
from kesu.accounts.roles import ADMIN, AGENT, MANAGER, QA_INSPECTOR, TEAM_LEAD, TRAINER
from kesu.complaints import clock, services
from kesu.complaints.errors import ComplaintError, ErrorCode
from kesu.complaints.models import Category, Complaint
from kesu.complaints.workflow_config import checklist_for
from kesu.core.workflow import Stage
from kesu.customers.models import Customer, Tier
from kesu.escalation.services import approval_request
from kesu.followup.models import WorkOrder
from kesu.followup.services import work_order_complete, work_order_open
from kesu.handling import intake, stages
from kesu.handling.conversation import add_message
from kesu.handling.follow_up import record_follow_up
from kesu.handling.solution import amount_promised, record_solution
from kesu.metrics.models import CustomersServed
from kesu.practice.demo import seed_practice
from kesu.qa.demo import seed_qa
from kesu.reviews import demo as reviews_demo
from kesu.scripts.services import scripts_embed

CORPUS = Path(__file__).with_name("corpus.json")
DEMO_PASSWORD = "kesu-demo"
DEFAULT_COUNT = 300

TEAMS = {"telecom": "投诉一组 · 通信", "bank": "投诉二组 · 银行", "ecommerce": "投诉三组 · 电商"}
# username, display name, role, team key
USERS: list[tuple[str, str, str, str | None]] = [
    ("agent", "王小雨", AGENT, "telecom"),
    ("agent2", "李明", AGENT, "telecom"),
    ("agent_bank", "陈静", AGENT, "bank"),
    ("agent_shop", "赵磊", AGENT, "ecommerce"),
    ("lead", "周婷（班组长）", TEAM_LEAD, "telecom"),
    ("lead_bank", "孙浩（班组长）", TEAM_LEAD, "bank"),
    ("lead_shop", "吴芳（班组长）", TEAM_LEAD, "ecommerce"),
    ("manager", "郑主管", MANAGER, None),
    ("qa", "钱质检", QA_INSPECTOR, None),
    ("trainer", "冯培训", TRAINER, None),
    ("admin", "管理员", ADMIN, None),
]
LOGIN_HINT = [
    ("agent", AGENT),
    ("lead", TEAM_LEAD),
    ("manager", MANAGER),
    ("qa", QA_INSPECTOR),
    ("trainer", TRAINER),
    ("admin", ADMIN),
]

# How far demo complaints have got: most are open, a quarter closed.
STAGE_WEIGHTS = [
    (Stage.ACCEPT, 14),
    (Stage.LISTEN, 10),
    (Stage.CONFIRM, 10),
    (Stage.PROPOSE, 10),
    (Stage.AGREE, 6),
    (Stage.ACT, 10),
    (Stage.FOLLOW_UP, 10),
    (Stage.CLOSED, 25),
    (Stage.REVIEW, 5),
]


def load_corpus() -> dict[str, Any]:
    return json.loads(CORPUS.read_text(encoding="utf-8"))


def _users() -> dict[str, User]:
    teams = {key: Team.objects.get_or_create(name=name)[0] for key, name in TEAMS.items()}
    users: dict[str, User] = {}
    for username, display, role, team_key in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"display_name": display, "team": teams.get(team_key) if team_key else None},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = role == ADMIN
            user.is_superuser = role == ADMIN
            user.save()
        user.groups.add(Group.objects.get(name=role))
        users[username] = user
    return users


def _customers(corpus: dict[str, Any]) -> list[Customer]:
    tiers = {t.code: t for t in Tier.objects.all()}
    customers = []
    for index, data in enumerate(corpus["customers"], start=1):
        customer, _ = Customer.objects.get_or_create(
            external_id=f"DEMO{index:04d}",
            defaults={
                "name": data["name"],
                "phone": data.get("phone", ""),
                "email": data.get("email", ""),
                "id_card": data.get("id_card", ""),
                "tier": tiers.get(data.get("tier", "standard"), tiers["standard"]),
            },
        )
        customers.append(customer)
    return customers


#: About a third of the complaints carried out need another department (处理联动 work orders).
WORK_ORDER_SHARE = 0.35
DEPARTMENTS = ["网络维护部", "计费中心", "物流配送部", "售后维修部", "信用卡中心"]


def _advance(
    complaint: Complaint,
    case: dict[str, Any],
    target: Stage,
    owner: User,
    at: datetime,
    rng: random.Random,
    approver: User,
) -> None:
    """Take a complaint through the method up to ``target`` the way an agent would; a solution
    above the owner's authority is recorded by ``approver`` (the manager)."""

    def step(minutes: int) -> datetime:
        nonlocal at
        at = min(at + timedelta(minutes=minutes), timezone.now())
        return at

    def tick_required() -> None:
        for item in checklist_for(complaint.stage_enum):
            if item.required and item.code not in complaint.checklist_done:
                services.complaint_check_item(complaint=complaint, actor=owner, item=item.code)
                complaint.refresh_from_db()

    def move(to: Stage, reason: str = "") -> None:
        tick_required()
        stages.move(complaint=complaint, actor=owner, to=to.value, reason=reason)
        complaint.refresh_from_db()

    order = list(Stage)
    work_order: WorkOrder | None = None
    with clock.frozen(step(rng.randint(3, 90))):
        services.complaint_accept(complaint=complaint, actor=owner)
    complaint.refresh_from_db()
    conversation = case.get("conversation") or []
    for turn in conversation[:2]:
        with clock.frozen(step(rng.randint(2, 40))):
            add_message(complaint=complaint, actor=owner, body=turn["body"], kind=turn["kind"])
    for stage in order[order.index(Stage.LISTEN) + 1 : order.index(target) + 1]:
        with clock.frozen(step(rng.randint(20, 600))):
            if stage == Stage.AGREE:
                solution = case.get("solution") or {
                    "type": "explanation",
                    "description": "已向客户详细说明原因与后续改进措施。",
                }
                amount = Decimal(str(solution["amount"])) if solution.get("amount") is not None else None
                promised = amount_promised(text=solution["description"], amount=amount)
                # Above the owner's authority the manager records it (as an approval would).
                within = promised is None or promised <= owner.effective_authority_limit()
                record_solution(
                    complaint=complaint,
                    actor=owner if within else approver,
                    solution_type=solution["type"],
                    text=solution["description"],
                    amount=amount,
                    refund_method=solution.get("refund_method")
                    or ("bill_credit" if solution["type"] == "refund" else ""),
                )
                complaint.refresh_from_db()
            if stage == Stage.ACT:
                services.complaint_record_agreement(
                    complaint=complaint,
                    actor=owner,
                    note=(case.get("solution") or {}).get("description", "按约定执行。"),
                )
                complaint.refresh_from_db()
                for turn in conversation[2:]:
                    add_message(complaint=complaint, actor=owner, body=turn["body"], kind=turn["kind"])
                if rng.random() < WORK_ORDER_SHARE:  # 处理联动: another department acts, by a due time
                    work_order = work_order_open(
                        complaint=complaint,
                        actor=owner,
                        department=rng.choice(DEPARTMENTS),
                        description=(case.get("solution") or {}).get("description", "按方案协助处理。"),
                        due_at=at + timedelta(hours=rng.choice((24, 48, 72))),
                    )
            if stage == Stage.FOLLOW_UP and work_order is not None:
                late = rng.random() < 0.15
                hours = (work_order.due_at - at).total_seconds() / 3600
                with clock.frozen(step(int(60 * (hours + 6 if late else rng.uniform(1, hours - 1))))):
                    work_order_complete(work_order=work_order, actor=owner, result="已按工单要求办结。")
            if stage == Stage.CLOSED:
                follow_up = case.get("follow_up")
                if follow_up:
                    record_follow_up(
                        complaint=complaint,
                        actor=owner,
                        result=follow_up["rating"],
                        comment=follow_up.get("comment", ""),
                    )
                    complaint.refresh_from_db()
                    if complaint.stage != Stage.FOLLOW_UP:  # dissatisfied: reopened to the team lead
                        return
                else:
                    services.complaint_set_close_reason(
                        complaint=complaint, actor=owner, reason="客户表示无需回访。"
                    )
                complaint.refresh_from_db()
                # Closing waits for the review when one is due; some closed ones are reviewed by choice.
                if reviews_demo.review_due(complaint) or target == Stage.REVIEW:
                    reviews_demo.write_review(complaint, owner)
            move(stage)


def _approvals_waiting(rng: random.Random) -> None:
    """A few proposals above the agent's authority, waiting in the team leads' approvals inbox."""
    proposing = Complaint.objects.filter(stage=Stage.PROPOSE, owner__groups__name=AGENT).select_related("owner")
    for complaint in proposing.order_by("received_at")[:4]:
        amount = Decimal(rng.choice((800, 1200, 2000, 3000)))
        with clock.frozen(min(complaint.received_at + timedelta(hours=rng.randint(2, 20)), timezone.now())):
            approval_request(
                complaint=complaint,
                actor=complaint.owner,
                solution_type="compensation",
                text=f"补偿{amount}元，3个工作日内到账。",
                amount=amount,
                reason="客户损失有凭证，超出坐席权限。",
            )


def _customers_served() -> None:
    """Customers served per month (the per-million KPIs' denominator), as admins would enter."""
    month = timezone.localdate().replace(day=1)
    for _ in range(13):
        CustomersServed.objects.get_or_create(month=month, tier=None, defaults={"count": 2_400_000})
        month = (month - timedelta(days=1)).replace(day=1)


def _embed_scripts(say: Callable[[str], None]) -> None:
    """The library's scripts that have no embedding (migrated while the encoder was off) get one
    where it runs now, so the demo's complaint pages rank them (nothing to do on most starts)."""
    done = scripts_embed(missing_only=True)
    if done.embedded:
        say(f"Embedded {done.embedded} scripts for script retrieval.")


def seed_demo(
    *,
    count: int = DEFAULT_COUNT,
    reset: bool = False,
    seed: int = 2026,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Create the demo data once (or again with ``reset``); returns the number of complaints.
    ``progress`` is told how far it got (a line every tenth of the way)."""
    say = progress or (lambda _line: None)
    _embed_scripts(say)
    if Complaint.objects.exists() and not reset:
        say(f"Demo data already there ({Complaint.objects.count()} complaints).")
        return Complaint.objects.count()
    if reset and Complaint.objects.exists():
        raise ComplaintError(ErrorCode.RESET_REFUSED, "Delete var/kesu.sqlite3 to start the demo afresh.")
    rng = random.Random(seed)
    corpus = load_corpus()
    users = _users()
    customers = _customers(corpus)
    by_lang: dict[str, list[Customer]] = {}
    for data, customer in zip(corpus["customers"], customers, strict=True):
        by_lang.setdefault(data.get("lang", "zh-hans"), []).append(customer)
    teams = {key: Team.objects.get(name=name) for key, name in TEAMS.items()}
    _customers_served()
    agents = {
        key: [u for u in users.values() if u.team_id == team.pk and u.groups.filter(name=AGENT).exists()]
        for key, team in teams.items()
    }
    leads = {
        key: users[name]
        for key, name in (("telecom", "lead"), ("bank", "lead_bank"), ("ecommerce", "lead_shop"))
    }
    categories = {c.code: c for c in Category.objects.filter(parent=None)}
    stages, weights = zip(*STAGE_WEIGHTS, strict=True)
    now = timezone.now()
    created = 0
    for index in range(count):
        case = corpus["cases"][index % len(corpus["cases"])]
        pool = by_lang.get(case["lang"]) or customers
        customer = rng.choice(pool)
        # Older complaints are further along; the newest are still waiting.
        target = rng.choices(stages, weights)[0]
        age_days = rng.uniform(0, 3) if target in (Stage.ACCEPT, Stage.LISTEN) else rng.uniform(1, 120)
        if case.get("category") == reviews_demo.ACTION_CATEGORY and rng.random() < 0.85:
            # Billing complaints were frequent before the demo's improvement action and rare after.
            age_days = rng.uniform(reviews_demo.ACTION_DONE_DAYS_AGO + 1, 120)
        received = now - timedelta(days=age_days, minutes=rng.randint(0, 600))
        team_key = case["sector"]
        intake_by = rng.choice(agents[team_key])
        with transaction.atomic(), clock.frozen(received):
            complaint = intake.take_in(
                actor=intake_by,
                customer=customer,
                text=case["text"],
                channel=case["channel"],
                source=case.get("source", "customer"),
                # Half the walk-ins came to a branch counter: not escalated complaints (SPEC §11).
                receiving_unit="counter" if case["channel"] == "walk_in" and index % 2 else "provincial",
                team=teams[team_key],
                product=case.get("product", ""),
                order_number=case.get("order_number") or "",
                demand_type=case.get("demand_type", ""),
                demand_amount=Decimal(str(case["demand_amount"]))
                if case.get("demand_amount") is not None
                else None,
                priority={"low": 1, "normal": 2, "high": 3, "urgent": 4}.get(
                    case.get("priority", "normal"), 2
                ),
                category=categories.get(case.get("category", "")),
                received_at=received,
            )
            if target != Stage.ACCEPT:
                owner = leads[team_key] if case.get("priority") == "urgent" else rng.choice(agents[team_key])
                _advance(complaint, case, target, owner, received, rng, users["manager"])
        created += 1
        if created % max(1, count // 10) == 0 or created == count:
            say(f"  demo complaints: {created}/{count}")
    _approvals_waiting(rng)
    reviews_demo.seed_loop(users=users, teams=teams)
    say("  quality inspection samples…")
    seed_qa(password=DEMO_PASSWORD)
    seed_practice()
    return created


def print_logins() -> None:
    print(f"\nKesu 客诉 demo logins (password for all: {DEMO_PASSWORD})")
    for username, role in LOGIN_HINT:
        print(f"  {role:<13} {username}")
    print("  (more: agent2, agent_bank, agent_shop, lead_bank, lead_shop, qa2)\n")
