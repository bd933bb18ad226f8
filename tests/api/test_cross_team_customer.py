"""Naming another team's customer at intake (their customer id, or their phone) links the new
complaint to that customer — repeats are found, the tier counts — but does not open the record:
the agent sees only the details the agent gave, and the rest masked, in the response and after.
A team that has handled the customer before, and roles that see every team, see it all."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kesu.complaints.models import AuditEvent, Complaint
from kesu.handling.intake import take_in
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/complaints/"


@pytest.fixture
def theirs(other_agent):
    """A customer known so far only to the other team."""
    customer = CustomerFactory(
        external_id="C-9001", name="王秀英", phone="13947296651", email="wang.xy@example.com"
    )
    take_in(actor=other_agent, customer=customer, text="宽带又断了，第三次了", channel="phone")
    return customer


def intake(client, team=None, **customer):
    body = {"customer": customer, "text": "宽带断网三天了，快给我修！", "channel": "phone"}
    if team is not None:
        body["team"] = team.pk
    response = client.post(URL, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_customer_id_of_another_team_returns_nothing_the_agent_did_not_give(api, agent, theirs):
    created = intake(api(agent), external_id="C-9001", name="某客户")
    shown = created["customer"]
    assert Complaint.objects.get(reference=created["reference"]).customer == theirs  # still linked
    assert shown["masked"] is True
    assert "13947296651" not in str(shown) and "王秀英" not in str(shown)
    assert "wang.xy@example.com" not in str(shown) and "110101199003071234" not in str(shown)
    again = api(agent).get(f"{URL}{created['reference']}/").json()["customer"]
    assert again == shown  # and not later, on reading the complaint


def test_a_phone_of_another_team_shows_that_phone_and_no_more(api, agent, theirs, client):
    created = intake(api(agent), phone="13947296651", name="某客户")
    shown = created["customer"]
    assert shown["phone"] == "13947296651"  # the agent gave it: the agent can call back
    assert shown["name"] == "王**" and shown["id_card"] == "110101********1234"
    client.force_login(agent)
    page = client.get(reverse("web:complaint", args=[created["reference"]])).content.decode()
    assert "王秀英" not in page and "wang.xy@example.com" not in page
    event = AuditEvent.objects.get(complaint__reference=created["reference"], action="created")
    assert event.changes["customer_hidden"] == [None, ["name", "email", "id_card"]]


def test_the_team_that_knows_the_customer_and_a_manager_see_the_record(
    api, other_agent, manager, team, theirs
):
    own = intake(api(other_agent), external_id="C-9001", name="王秀英")
    assert own["customer"]["phone"] == "13947296651" and own["customer"]["masked"] is False
    for_team_one = intake(api(manager), team=team, external_id="C-9001", name="某客户")
    detail = api(manager).get(f"{URL}{for_team_one['reference']}/").json()
    assert detail["customer"]["name"] == "王秀英"


def test_a_new_customer_is_shown_in_full_to_who_took_it_in(api, agent):
    created = intake(api(agent), external_id="C-NEW", name="赵六", phone="13600001111")
    assert created["customer"]["name"] == "赵六" and created["customer"]["masked"] is False
