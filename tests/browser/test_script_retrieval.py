"""The complaint page puts the script closest to the customer's words first and says so (最相关,
相关度); inserting it works as before."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from kesu.complaints import services as complaints
from kesu.complaints.models import Complaint
from kesu.handling.intake import take_in
from tests.browser.ui import browser_test, css, wait
from tests.factories import CustomerFactory, TeamFactory, UserFactory
from tests.scripts.library import FEE, LATE_PARCEL, PARCEL, embedded, only_these_propose_scripts

pytestmark = browser_test


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", team=TeamFactory(name="投诉一组"), role="agent")


@pytest.fixture
def late_parcel(agent, scripts_encoder):
    """A complaint about a late parcel at the propose stage, refined (its embedding stored)."""
    only_these_propose_scripts()
    complaint = complaints.complaint_accept(
        complaint=take_in(actor=agent, customer=CustomerFactory(), text=LATE_PARCEL, channel="phone"), actor=agent
    )
    Complaint.objects.filter(pk=complaint.pk).update(stage="propose", embedding=embedded(scripts_encoder, LATE_PARCEL))
    return complaint


def test_the_handling_page_offers_the_most_relevant_script_first(browser, login, agent, late_parcel):
    login(agent)
    browser.get(f"{browser.base_url}/complaints/{late_parcel.reference}/")
    items = browser.find_elements(By.CSS_SELECTOR, ".scripts li")
    assert [css(li, "strong").text for li in items] == [PARCEL[0], FEE[0]]  # the rules' order is FEE first
    assert css(items[0], ".tag.relevant").text == "最相关"
    assert not items[1].find_elements(By.CSS_SELECTOR, ".tag.relevant")
    first, second = (int(css(li, ".tag.relevance").text.removeprefix("相关度 ").removesuffix("%")) for li in items)
    assert first > second
    assert "最相关" in css(browser, ".scripts .ranked-note").text

    insert = css(items[0], "button.insert-script")
    insert.click()
    box = css(browser, "#id_body")
    wait(browser).until(lambda d: box.get_attribute("value") == insert.get_attribute("data-text"))
    assert "加急派送" in box.get_attribute("value") and "{时限}" not in box.get_attribute("value")
