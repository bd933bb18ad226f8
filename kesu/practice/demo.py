"""Demo training, after the demo complaints exist: a closed complaint proposed to the case library by
the demo trainer, anonymised, checked by the QA inspector, published and tagged with its scenario; a
solo practice against the simulated customer played to the end; a group of three whose first round is
played, rated and scored; and an assignment with a due date. Everything goes through
:mod:`kesu.practice.services`, so the trail is what production would write."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kesu.accounts.models import User
from kesu.complaints.models import Complaint
from kesu.practice import services
from kesu.practice.models import Case, PracticeSession, Scenario

SOLO = (
    "非常抱歉，茶具碎了给您添麻烦了，我理解您的心情。能告诉我茶具是多少钱买的吗？",
    "按照标准，我为您赔偿茶具300元和运费20元，共320元，今天下午5点前退回到您的支付账户。",
    "谢谢您的理解和耐心！以后收到破损包裹，您可以先拍照再签收。",
)
GROUP_TURNS = (
    ("customer", "这已经是我第三次投诉了！一个月断网四次，你们到底管不管？"),
    ("agent", "非常抱歉让您一再受影响，我理解您的心情。能跟我说说前两次是怎么处理的吗？"),
    ("customer", "每次都给个工单号，然后就没下文了。"),
    ("agent", "我是您这次的专人负责人，今天下午4点前安排师傅上门检修，修好后我给您回电确认。"),
)


def seed_practice() -> None:
    if PracticeSession.objects.exists():
        return
    users = {
        u.username: u for u in User.objects.filter(username__in=["trainer", "qa", "agent", "agent2", "lead"])
    }
    if len(users) < 5:
        return
    trainer, agent = users["trainer"], users["agent"]
    beyond = Scenario.objects.get(code="compensation_beyond_standard")
    repeated = Scenario.objects.get(code="repeated_unresolved")

    closed = (
        Complaint.objects.filter(stage="closed", messages__kind="agent", category__isnull=False)
        .exclude(pk__in=Case.objects.values("complaint"))
        .order_by("closed_at")
        .first()
    )
    if closed is not None:
        case = services.case_propose(complaint=closed, actor=trainer, kind="exemplary")
        case = services.case_update(
            case=case,
            actor=trainer,
            data={
                "task": "当天给出带时限的方案，恢复客户信任",
                "result": "客户接受方案，回访满意",
                "lesson": "先共情再提问，方案要在标准和权限之内并给出明确时限。",
            },
            scenarios=[repeated],
        )
        if not services.case_leaks(case):
            services.case_publish(case=services.case_check(case=case, actor=users["qa"]), actor=trainer)

    solo = services.session_start_solo(trainee=agent, scenario=beyond)
    for text in SOLO:
        services.session_reply(session=solo, actor=agent, text=text)
    services.session_finish(session=solo, actor=agent)

    group = services.group_create(
        trainer=trainer,
        scenario=repeated,
        members=[users["agent2"], agent, users["lead"]],
        name="一组 · 角色扮演",
    )
    first = group.sessions.get()
    for speaker, text in GROUP_TURNS:
        if speaker == "customer":
            services.session_customer_says(session=first, actor=first.customer_player, text=text)
        else:
            services.session_reply(session=first, actor=first.trainee, text=text)
    services.session_finish(session=first, actor=first.observer)
    services.session_rate(session=first, actor=first.customer_player, rating=4)

    services.assignment_create(
        trainer=trainer,
        trainee=users["agent2"],
        scenario=Scenario.objects.get(code="complicated_procedure"),
        due_on=timezone.localdate() + timedelta(days=7),
        note="流程类投诉：先问清楚缺什么，再给代办方案",
    )
