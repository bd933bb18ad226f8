"""Demo data for closing the loop, through :mod:`kesu.reviews.services` so the trail is what
production would write: the owner writes the STAR-L review of each complaint that needs one before
closing it (and of the closed complaints reviewed by choice), team leads approve most of them,
managers run improvement actions — one finished on billing (计费) complaints, whose effect is
visible because billing complaints were frequent before it and rare after (the demo spreads them
so) — the teams' practice figures (the material's 65 % training coverage against 80 %) and a few
opportunities."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from kesu.accounts.models import Team, User
from kesu.complaints import clock
from kesu.complaints.models import Category, Complaint
from kesu.reviews import selectors, services
from kesu.reviews.models import Review, RootCause, TeamPractice

#: The demo's finished action is on this category; the seed puts most of its complaints before the
#: day the action was done (``ACTION_DONE_DAYS_AGO``).
ACTION_CATEGORY = "price_fee"
ACTION_DONE_DAYS_AGO = 45

CAUSES = {
    "price_fee": ["billing_error", "info_opaque"],
    "product_quality": ["product_defect"],
    "service_attitude": ["training_gap", "service_culture"],
    "communication": ["unclear_explanation", "training_gap"],
    "process": ["process_complex"],
    "logistics_delay": ["logistics_partner"],
    "rights_dispute": ["management_appraisal", "authority_gap"],
    "other": ["process_handover"],
}
LESSONS = {
    "price_fee": "扣费规则未提前告知客户；账单增加扣费明细，开通前短信确认资费。",
    "product_quality": "同批次设备故障集中；48小时内停用+补偿，推动供应商质检。",
    "service_attitude": "一线员工未主动询问需求、拒绝解释；补齐沟通培训，考核纳入沟通评分。",
    "communication": "解释前后不一致；统一话术库，复杂问题由班组长首次回电。",
    "process": "办理环节过多；合并审批节点，线上可查进度。",
    "logistics_delay": "只重复“明天到”；实时进度可视化+负责人直联。",
    "rights_dispute": "条款解释不利于客户；按最不利解释原则处理，并提高一线授权。",
    "other": "部门衔接不畅；工单升级时限纳入考核。",
}


def review_due(complaint: Complaint) -> bool:
    return bool(selectors.review_reasons(complaint)) and selectors.review_status(complaint) == "none"


def write_review(complaint: Complaint, owner: User) -> Review:
    """The owner's STAR-L review, written from what the complaint says, and submitted."""
    code = complaint.category.code if complaint.category else "other"
    review = services.review_start(complaint=complaint, actor=owner)
    services.review_save(
        review=review,
        actor=owner,
        fields={
            "task": "恢复客户情绪，按承诺时限解决问题，并找出根本原因。",
            "action": complaint.solution_text or "致歉、核实事实、提出方案并跟进落实。",
            "result": "客户接受方案，问题已处理。" if complaint.solution_type else "问题处理中。",
            "lesson": LESSONS.get(code, LESSONS["other"]),
        },
        root_causes=CAUSES.get(code, CAUSES["other"]),
    )
    return services.review_submit(review=review, actor=owner)


def seed_loop(*, users: dict[str, User], teams: dict[str, Team]) -> None:
    """After the demo complaints: approvals, actions with an effect, team figures, opportunities."""
    manager, now = users["manager"], timezone.now()
    leads = {review.team_id: None for review in Review.objects.all()}
    for user in users.values():
        if user.has_perm("reviews.approve_review") and user.team_id in leads:
            leads[user.team_id] = user
    for index, review in enumerate(Review.objects.filter(status="submitted").order_by("pk")):
        lead = leads.get(review.team_id)
        if lead is None or lead.pk == review.drafted_by_id or index % 4 == 3:
            continue  # a few wait for approval
        services.review_decide(review=review, actor=lead, approve=True)

    billing = Category.objects.filter(code=ACTION_CATEGORY).first()
    cause = RootCause.objects.get(code="billing_error")
    with clock.frozen(now - timedelta(days=ACTION_DONE_DAYS_AGO + 20)):
        action = services.action_create(
            actor=manager,
            title="账单增加扣费明细，开通前短信确认资费",
            description="计费类投诉集中在“乱扣费”“资费不清”：账单逐项列明，套餐变更前短信确认。",
            owner=users["lead"],
            department="计费中心",
            due_date=(now - timedelta(days=ACTION_DONE_DAYS_AGO)).date(),
            root_cause=cause,
            reviews=list(Review.objects.filter(root_causes=cause)[:5]),
            measure_rate="per_30_days",
            measure_category=billing,
        )
    with clock.frozen(now - timedelta(days=ACTION_DONE_DAYS_AGO)):
        services.action_set_status(action=action, actor=users["lead"], status="done")
    training = RootCause.objects.get(code="training_gap")
    services.action_set_status(
        action=services.action_create(
            actor=manager,
            title="沟通培训覆盖率提升到 80%",
            owner=users["lead"],
            department="培训部",
            due_date=(now + timedelta(days=30)).date(),
            root_cause=training,
            reviews=list(Review.objects.filter(root_causes=training)[:5]),
            measure_rate="escalation_rate",
            measure_root_cause=training,
        ),
        actor=manager,
        status="in_progress",
    )
    services.action_create(
        actor=manager,
        title="考核加入沟通评分（质检沟通分）",
        owner=manager,
        department="客服管理部",
        due_date=date.today() - timedelta(days=3),
        root_cause=RootCause.objects.get(code="management_appraisal"),
        measure_rate="satisfaction",
    )
    for key, (agents, trained, appraisal) in {
        "telecom": (20, 13, False),  # 65 % against the 80 % benchmark, as in the material
        "bank": (12, 11, True),
        "ecommerce": (18, 14, False),
    }.items():
        TeamPractice.objects.update_or_create(
            team=teams[key],
            defaults={
                "agents": agents,
                "agents_trained": trained,
                "appraisal_has_communication_score": appraisal,
            },
        )
    _opportunities(users)


def _opportunities(users: dict[str, User]) -> None:
    closed = Complaint.objects.filter(
        stage="closed", owner__isnull=False, follow_up_result__in=selectors.SATISFIED
    )
    for index, complaint in enumerate(closed.select_related("owner").order_by("pk")[:6]):
        kind = ("product_improvement", "touchpoint_fix", "relationship", "business_value")[index % 4]
        text = {
            "product_improvement": "客户建议：套餐页面标明限速条件",
            "touchpoint_fix": "营业厅排队叫号后无人接待，调整高峰时段排班",
            "relationship": "节日回访问候，邀请参加客户体验日",
            "business_value": "客户主动咨询家庭宽带提速，已同意接收推荐",
        }[kind]
        try:
            services.opportunity_record(
                complaint=complaint, actor=complaint.owner, kind=kind, description=text, consent=True
            )
        except services.ReviewError:
            continue  # no offer to an upset customer, even in the demo (服务不过度)
