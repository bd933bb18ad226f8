"""GET /api/v1/reviews/: the case reviews through the API, with the pages' permissions and what
quotes the customer masked for who does not see personal data."""

from __future__ import annotations

import pytest

from kesu.reviews import services
from tests.factories import UserFactory
from tests.reviews.conftest import complete

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


@pytest.fixture
def review(at_follow_up_referral, agent):
    from kesu.complaints.models import Complaint

    complaint = at_follow_up_referral
    Complaint.objects.filter(pk=complaint.pk).update(text=f"{complaint.text}联系电话{PHONE}")
    complaint.refresh_from_db()
    return complete(services.review_start(complaint=complaint, actor=agent), agent)


def test_the_team_reads_its_reviews_and_another_team_does_not(api, review, agent, other_agent):
    listed = api(agent).get("/api/v1/reviews/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [review.pk]
    row = listed.json()["results"][0]
    assert row["complaint"] == review.complaint.reference and row["status"] == "draft"
    assert row["root_causes"] == ["training_gap"] and row["approved_by"] is None
    assert api(other_agent).get("/api/v1/reviews/").json()["results"] == []
    assert api(other_agent).get(f"/api/v1/reviews/{review.pk}/").status_code == 404
    assert api(agent).get("/api/v1/reviews/?status=submitted").json()["results"] == []


def test_one_review_with_star_l_and_the_chain_masked_without_personal_data_rights(api, review, agent):
    own = api(agent).get(f"/api/v1/reviews/{review.pk}/").json()
    assert own["lesson"] and own["chain"]["trigger"]["text"]
    assert PHONE in str(own["chain"])  # the owner sees the complaint in full
    trainer = UserFactory(username="trainer", team=None, role="trainer")
    shown = api(trainer).get(f"/api/v1/reviews/{review.pk}/")
    assert shown.status_code == 200
    assert PHONE not in str(shown.json()) and "139****5678" in str(shown.json()["chain"])


def test_who_has_no_part_in_the_loop_is_refused_and_bad_ids_are_not_found(api, review):
    outsider = UserFactory(username="nobody", role=None)
    refused = api(outsider).get("/api/v1/reviews/")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert api(outsider).get(f"/api/v1/reviews/{review.pk}/").status_code == 404
    for bad in ("99999999999999999999999", "abc"):
        response = api(review.drafted_by).get(f"/api/v1/reviews/{bad}/")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api(review.drafted_by).get("/api/v1/reviews/?status=nonsense").status_code == 400


def test_the_review_page_masks_the_customer_for_who_has_no_personal_data_rights(review, agent):
    """The page shows a trainer what the API does: the customer's name, the chain and STAR-L masked."""
    from django.test import Client

    from kesu.core import privacy

    services.review_save(review=review, actor=agent, fields={"situation": f"客户来电{PHONE}投诉"})
    name = review.complaint.customer.name
    trainer = UserFactory(username="trainer", team=None, role="trainer")
    client = Client()
    client.force_login(trainer)
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert PHONE not in page and "139****5678" in page
    assert name not in page and privacy.mask_name(name) in page
    owner = Client()
    owner.force_login(agent)
    assert PHONE in owner.get(f"/reviews/{review.pk}/").content.decode()
