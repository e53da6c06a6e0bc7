"""An office plans how to reach its targets, and finds its progress in next year's form."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import PASSWORD, make_assessment, make_cycle, make_office, make_person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_framework"),
]


def test_an_office_plans_two_actions_marks_one_done_and_sees_it_next_cycle(page):
    office = make_office("AU", "IP Australia")
    make_person("robin@ipaustralia.test", office=office)
    today = timezone.localdate()
    last = make_cycle(today.year - 1, offices=[office])
    # Last cycle the office set a target above its level for recommendation 1.
    make_assessment(last, office, submitted=True, r1={"maturity_current": 2, "maturity_target": 4})
    log_in(page, "robin@ipaustralia.test", PASSWORD)
    page.goto("/offices/AU/")
    page.get_by_role("link", name="Open the roadmap").click()
    section = page.locator("#r1")
    expect(section).to_contain_text("Target: 4")

    for unit, own in (("ICT division", ""), ("Registry", "Pilot e-filing for designs")):
        page.locator("#r1").get_by_role("link", name="Plan an action").click()
        if own:
            page.locator("#id_text").fill(own)
        else:
            page.get_by_label("Recommended action").select_option(index=1)
        page.get_by_label("Responsible unit").fill(unit)
        page.get_by_label("Due date").fill((today + datetime.timedelta(days=90)).isoformat())
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".message-success")).to_be_visible()
    expect(page.locator("#r1 tbody tr")).to_have_count(2)

    page.locator("#r1 tr", has_text="Pilot e-filing").get_by_role("link", name="Edit").click()
    page.get_by_label("Status").select_option("done")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#r1 tr", has_text="Pilot e-filing")).to_contain_text("Done")

    this_year = make_cycle(
        today.year,
        offices=[office],
        opens_on=today - datetime.timedelta(days=5),
        closes_on=today + datetime.timedelta(days=30),
    )
    page.goto(f"/offices/AU/{this_year.year}/")
    page.get_by_role("button", name="Start empty").click()
    beside = page.locator("#r1 .roadmap-last-year")
    expect(beside).to_contain_text(f"In {last.year} your level was 2 and your target 4.")
    expect(beside).to_contain_text("Pilot e-filing for designs")
    expect(page.locator("#r2 .roadmap-last-year")).to_have_count(0)
