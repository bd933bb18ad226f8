"""Follow-up cycles 回访轮次: one live link per cycle, one answer per cycle, a reopen starts a new
cycle, the satisfaction rate counts each cycle once, and the page's rate limit is shared by every
process through the configured cache."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from kesu.complaints.errors import Conflict
from kesu.complaints.models import AuditEvent, Complaint
from kesu.followup import services
from kesu.followup.models import FollowUp, FollowUpLink
from kesu.handling.follow_up import answer_follow_up_link, record_follow_up
from kesu.handling.stages import move as move_stage
from kesu.metrics.periods import Period
from kesu.metrics.permissions import Scope
from kesu.metrics.selectors import dashboard
from tests.conftest import require_service
from tests.followup.conftest import walk_to

pytestmark = pytest.mark.django_db


def issue(complaint, agent):
    return services.follow_up_link_issue(complaint=complaint, actor=agent)


def retirements(complaint):
    return list(
        AuditEvent.objects.filter(complaint=complaint, action="follow_up_link_retired")
        .order_by("pk")
        .values_list("changes__retired", flat=True)
    )


def refusal(token):
    with pytest.raises(services.LinkRefused) as error:
        answer_follow_up_link(token=token, result="satisfied")
    return error.value


def test_a_new_link_retires_the_live_one_and_says_why(at_follow_up, agent):
    complaint = at_follow_up()
    first, second = issue(complaint, agent), issue(complaint, agent)
    first_row = FollowUpLink.objects.get(pk=first.link.pk)
    assert (first_row.retired_reason, first_row.cycle, second.link.cycle) == ("replaced", 0, 0)
    assert retirements(complaint) == [[None, "replaced"]]
    assert AuditEvent.objects.get(action="follow_up_link_retired").actor == agent
    refused = refusal(first.token)
    assert refused.code == "link_retired" and "newer link" in refused.message
    answer_follow_up_link(token=second.token, result="satisfied")
    assert FollowUp.objects.get(complaint=complaint).link.pk == second.link.pk


def test_the_database_refuses_a_second_live_link_in_a_cycle(at_follow_up, agent):
    issued = issue(at_follow_up(), agent)
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUpLink.objects.create(
            complaint=issued.link.complaint,
            token_hash="0" * 64,
            created_by=agent,
            expires_at=issued.link.expires_at,
            cycle=issued.link.cycle,
        )


def test_the_agents_answer_retires_the_customers_link(at_follow_up, agent):
    complaint = at_follow_up()
    issued = issue(complaint, agent)
    record_follow_up(complaint=complaint, actor=agent, result="unreachable")
    assert FollowUpLink.objects.get().live  # unreachable: the customer may still answer the link
    record_follow_up(complaint=complaint, actor=agent, result="satisfied")
    assert FollowUpLink.objects.get().retired_reason == "answered"
    refused = refusal(issued.token)
    assert refused.code == "link_retired" and "already been answered" in refused.message


def test_one_answer_per_cycle(at_follow_up, agent):
    complaint = at_follow_up()
    record_follow_up(complaint=complaint, actor=agent, result="satisfied")
    with pytest.raises(Conflict) as error:
        record_follow_up(complaint=complaint, actor=agent, result="very_satisfied")
    assert error.value.code == "follow_up_already_recorded" and error.value.status == 409
    with pytest.raises(Conflict):
        issue(complaint, agent)  # nothing left to ask in this cycle
    complaint.refresh_from_db()
    assert complaint.follow_up_result == "satisfied" and FollowUp.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(complaint=complaint, method="call", result="dissatisfied", cycle=0)


def test_a_second_answer_through_the_api_is_a_409(at_follow_up, agent, api):
    complaint = at_follow_up()
    url = f"/api/v1/complaints/{complaint.reference}/follow-ups/"
    assert api(agent).post(url, {"result": "satisfied"}, format="json").status_code == 201
    again = api(agent).post(url, {"result": "satisfied"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "follow_up_already_recorded"


def test_a_reopen_retires_the_old_links_and_starts_a_new_cycle(at_follow_up, agent, lead):
    complaint = at_follow_up()
    old = issue(complaint, agent)
    record_follow_up(complaint=complaint, actor=agent, result="unreachable")
    move_stage(complaint=complaint, actor=agent, to="closed")
    move_stage(complaint=complaint, actor=agent, to="listen", reason="客户来电说问题又出现了")
    assert retirements(complaint) == [[None, "reopened"]]
    complaint = walk_to(Complaint.objects.get(pk=complaint.pk), agent, "follow_up")
    refused = refusal(old.token)
    assert refused.code == "link_retired" and "handled again" in refused.message
    new = issue(complaint, agent)
    assert new.link.cycle == 1
    answer_follow_up_link(token=new.token, result="very_satisfied")
    assert list(FollowUp.objects.order_by("pk").values_list("cycle", "result")) == [
        (0, "unreachable"),
        (1, "very_satisfied"),
    ]


def test_a_dissatisfied_answer_reopens_and_the_next_cycle_is_answered_anew(at_follow_up, agent, lead):
    complaint = at_follow_up()
    answer_follow_up_link(token=issue(complaint, agent).token, result="dissatisfied", comment="没修好")
    complaint = walk_to(Complaint.objects.get(pk=complaint.pk), agent, "follow_up")
    record_follow_up(complaint=complaint, actor=agent, result="satisfied")
    assert list(FollowUp.objects.order_by("pk").values_list("cycle", "result")) == [
        (0, "dissatisfied"),
        (1, "satisfied"),
    ]


def test_the_satisfaction_rate_counts_each_cycle_once(at_follow_up, agent, lead):
    today = timezone.localdate()
    reached_late = at_follow_up()
    record_follow_up(complaint=reached_late, actor=agent, result="unreachable")
    record_follow_up(complaint=reached_late, actor=agent, result="unreachable")
    record_follow_up(complaint=reached_late, actor=agent, result="satisfied")
    never_reached = at_follow_up()
    record_follow_up(complaint=never_reached, actor=agent, result="unreachable")
    record_follow_up(complaint=never_reached, actor=agent, result="unreachable")
    reopened = at_follow_up()
    record_follow_up(complaint=reopened, actor=agent, result="dissatisfied")
    reopened = walk_to(Complaint.objects.get(pk=reopened.pk), agent, "follow_up")
    record_follow_up(complaint=reopened, actor=agent, result="very_satisfied")

    board = dashboard(period=Period(today.replace(day=1), today), scope=Scope())
    # reached_late once (satisfied), never_reached once (unreachable), reopened once per cycle
    assert board.follow_ups == {"successful": 3, "unreachable": 1}
    satisfaction = next(f for f in board.kpis if f.key == "satisfaction" and not f.tier)
    assert float(satisfaction.value.value) == pytest.approx(2 / 3, abs=1e-3)


@pytest.mark.services
def test_the_rate_limit_is_shared_by_processes_through_redis(settings):
    """Two hits in another process and two in this one, against a limit of three: the fourth is
    refused, because both processes count in the one Redis the settings configure."""
    require_service(6379, "Redis")
    url = "redis://127.0.0.1:6379/14"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "kesu"}}
    settings.KESU_FOLLOWUP_RATE_LIMIT = 3
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    other_process = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'kesu.settings'; django.setup();"
        "from django.test import Client; from django.conf import settings;"
        "settings.KESU_FOLLOWUP_RATE_LIMIT = 3;"
        f"print([Client().get('/f/not-a-token/', REMOTE_ADDR={address!r}).status_code for _ in range(2)])"
    )
    env = {**os.environ, "KESU_CACHE_URL": url, "DJANGO_SETTINGS_MODULE": "kesu.settings"}
    try:
        done = subprocess.run(
            [sys.executable, "-c", other_process], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "[410, 410]"
        client = Client()
        codes = [client.get("/f/not-a-token/", REMOTE_ADDR=address).status_code for _ in range(2)]
        assert codes == [410, 429]
        page = client.get("/f/not-a-token/", REMOTE_ADDR=address)
        assert page.status_code == 429
    finally:
        from django.core.cache import cache

        cache.delete(f"kesu:ratelimit:followup:{address}")


def test_behind_the_tls_proxy_each_customer_has_a_bucket_of_their_own(rf, settings):
    """REMOTE_ADDR is the proxy's for everyone behind it: the address the proxy appended counts."""
    from kesu.followup.ratelimit import client_address

    request = rf.get("/f/x/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    settings.BEHIND_TLS_PROXY = False
    assert client_address(request) == "10.0.0.1"
    settings.BEHIND_TLS_PROXY = True
    assert client_address(request) == "203.0.113.9"
