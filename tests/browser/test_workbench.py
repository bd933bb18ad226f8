"""A day at the complaint desk: the team lead's queue (filters as chips, a saved view, the SLA
countdown, bulk assignment), the transfer picker, the customer's profile and the notifications."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from kesu.complaints.models import Complaint
from kesu.handling.intake import take_in
from kesu.handling.sweep import sweep
from tests.browser.ui import browser_test, css, submit, wait, xpath
from tests.factories import CustomerFactory, TeamFactory, UserFactory, unit_embedding

pytestmark = browser_test


@pytest.fixture
def team(db):
    return TeamFactory(name="投诉一组")


@pytest.fixture
def agent(team):
    return UserFactory(username="agent", display_name="王小明", team=team, role="agent")


@pytest.fixture
def agent2(team):
    return UserFactory(username="agent2", display_name="李小红", team=team, role="agent")


@pytest.fixture
def lead(team):
    return UserFactory(username="lead", display_name="赵组长", team=team, role="team_lead")


@pytest.fixture
def complaints(agent):
    customer = CustomerFactory(name="刘德华")
    urgent = [
        take_in(actor=agent, customer=customer, text=f"宽带断网第{n}天了，还没人管。", channel="phone", priority=4)
        for n in (1, 2)
    ]
    calm = take_in(actor=agent, customer=CustomerFactory(), text="请问账单怎么查？", channel="web")
    sweep()
    return urgent, calm


def test_a_team_lead_filters_saves_a_view_and_assigns_in_bulk(browser, login, lead, agent2, complaints):
    urgent, calm = complaints
    login(lead)
    browser.get(f"{browser.base_url}/complaints/")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.complaints tbody tr[data-reference]")
    assert len(rows) == 3
    assert "剩余" in css(rows[0], ".sla-cell").text  # the countdown per row

    Select(css(browser, "select[name=priority]")).select_by_visible_text("紧急")
    submit(browser, xpath(browser, "//form[@class='filters']//button[normalize-space()='筛选']"))
    chip = css(browser, ".chips a.chip")
    assert chip.text.startswith("优先级：紧急")
    shown = {r.get_attribute("data-reference") for r in browser.find_elements(By.CSS_SELECTOR, "tr[data-reference]")}
    assert shown == {c.reference for c in urgent}

    # Keep the filter as a view of one's own.
    css(browser, "form.save-view input[name=name]").send_keys("紧急待办")
    submit(browser, css(browser, "form.save-view button"))
    assert "紧急待办" in css(browser, "nav.saved-views").text

    # Tick both and hand them to a colleague picked by name.
    for row in browser.find_elements(By.CSS_SELECTOR, "tr[data-reference] input[name=complaints]"):
        row.click()
    Select(css(browser, "#bulk-form select[name=to_user]")).select_by_visible_text("李小红")
    css(browser, "#bulk-form input[name=reason]").send_keys("平衡工作量")
    submit(browser, xpath(browser, "//form[@id='bulk-form']//button[normalize-space()='分配']"))
    assert "已将 2 件投诉分配给李小红" in css(browser, ".messages li.success").text
    assert all(Complaint.objects.get(pk=c.pk).owner == agent2 for c in urgent)

    # The chip comes off; the list is whole again.
    submit(browser, css(browser, ".chips a.chip"))
    assert len(browser.find_elements(By.CSS_SELECTOR, "tr[data-reference]")) == 3

    # On a complaint page, the transfer picks a person by display name.
    browser.get(f"{browser.base_url}/complaints/{calm.reference}/")
    xpath(browser, "//summary[normalize-space()='转派给其他负责人']").click()
    picker = Select(css(browser, "select[name=to_user]"))
    assert {"王小明", "李小红", "赵组长"} <= {o.text for o in picker.options}
    picker.select_by_visible_text("王小明")
    css(browser, "#id_transfer_reason").send_keys("熟悉账单业务")
    submit(browser, xpath(browser, "//button[normalize-space()='转派']"))
    assert Complaint.objects.get(pk=calm.pk).owner.username == "agent"


@pytest.mark.parametrize("width", [390, 768])
def test_narrow_screens_fold_the_header_and_show_lists_as_cards(browser, login, agent, complaints, width):
    urgent, _calm = complaints
    browser.set_window_size(width, 900)
    try:
        login(agent)
        for path in ("/complaints/", f"/complaints/{urgent[0].reference}/", "/"):
            browser.get(f"{browser.base_url}{path}")
            overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} scrolls sideways at {width}px"
        nav = css(browser, "#topnav")
        assert not nav.is_displayed()
        css(browser, ".menu-toggle").click()
        assert nav.is_displayed() and css(nav, "a[href='/complaints/']").is_displayed()
        browser.get(f"{browser.base_url}/complaints/")
        row = css(browser, "table.complaints tbody tr[data-reference]")
        assert row.value_of_css_property("display") == "block"
        assert not css(browser, "table.complaints thead").is_displayed()
    finally:
        browser.set_window_size(1400, 1000)


def test_the_complaint_page_shows_a_similar_past_complaint_and_how_it_was_solved(browser, login, agent):
    """相似投诉: the panel arrives after the page (HTMX) with the earlier complaint, its state and solution."""
    earlier = take_in(actor=agent, customer=CustomerFactory(), text="家里宽带断网，师傅一直不上门", channel="phone")
    now = take_in(actor=agent, customer=CustomerFactory(), text="宽带又断网了，报修三天没人来", channel="web")
    Complaint.objects.filter(pk=earlier.pk).update(
        embedding=unit_embedding(1, 0.15), stage="closed", solution_type="repair", solution_text="当天派师傅上门更换光猫"
    )
    Complaint.objects.filter(pk=now.pk).update(embedding=unit_embedding(1, 0.1))
    login(agent)
    browser.get(f"{browser.base_url}/complaints/{now.reference}/")
    row = wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, f"#similar tr[data-reference={earlier.reference}]"))
    assert "相似投诉" in css(browser, "#similar h2").text
    assert "更换光猫" in row.text and css(row, ".similarity").text == "100%"  # cosine of (1, 0.1) and (1, 0.15)
    css(row, "a").click()
    wait(browser).until(lambda d: earlier.reference in d.find_element(By.CSS_SELECTOR, "h1").text)
