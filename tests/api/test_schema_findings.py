"""What the schemathesis run found beyond the schema itself, each pinned by a plain test."""

from __future__ import annotations

import pytest

from kesu.complaints.errors import ComplaintError
from kesu.complaints.services import complaint_set_close_reason

pytestmark = pytest.mark.django_db


def test_a_close_reason_longer_than_its_column_is_a_400_on_every_database(make_complaint, agent, api):
    """Found by schemathesis on PostgreSQL (SQLite does not enforce the length): a 501-character
    reason was a 500 through the API and the page."""
    complaint = make_complaint()
    url = f"/api/v1/complaints/{complaint.reference}/close-reason/"
    refused = api(agent).post(url, {"reason": "客户" * 251}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "invalid"
    with pytest.raises(ComplaintError) as error:
        complaint_set_close_reason(complaint=complaint, actor=agent, reason="客户" * 251)
    assert error.value.code == "text_too_long"


@pytest.mark.parametrize(
    "path",
    ["/api/v1/qa/inspections/null,null/", "/api/v1/qa/inspections/99999999999999999999/", "/api/v1/qa/appeals/x/decide/"],
)
def test_a_qa_id_that_is_not_a_database_id_is_a_404_not_a_500(path, manager, api):
    client = api(manager)
    client.raise_request_exception = False
    response = client.post(path, {}, format="json") if path.endswith("decide/") else client.get(path)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
