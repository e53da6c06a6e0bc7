"""An office plans how to reach its targets, and finds its progress in next year's form."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import (
    PASSWORD,
    framework_merging_2_8_9,
    make_assessment,
    make_cycle,
    make_office,
    make_person,
)

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


def _plan_two_and_mark_one_done(page, number: int, today) -> None:
    for unit, own in (("ICT division", ""), ("Registry", "Pilot e-filing for designs")):
        page.locator(f"#r{number}").get_by_role("link", name="Plan an action").click()
        if own:
            page.locator("#id_text").fill(own)
        else:
            page.get_by_label("Recommended action").select_option(index=1)
        page.get_by_label("Responsible unit").fill(unit)
        page.get_by_label("Due date").fill((today + datetime.timedelta(days=90)).isoformat())
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".message-success")).to_be_visible()
    page.locator(f"#r{number} tr", has_text="Pilot e-filing").get_by_role(
        "link", name="Edit"
    ).click()
    page.get_by_label("Status").select_option("done")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(f"#r{number} tr", has_text="Pilot e-filing")).to_contain_text("Done")


def test_next_cycle_on_a_framework_that_merges_it_the_office_sees_its_target_and_actions(page):
    office = make_office("AU", "IP Australia")
    make_person("robin@ipaustralia.test", office=office)
    today = timezone.localdate()
    last = make_cycle(today.year - 1, offices=[office])
    # Last cycle, on the 2024 framework, a target above the level for recommendation 9.
    make_assessment(last, office, submitted=True, r9={"maturity_current": 2, "maturity_target": 4})
    log_in(page, "robin@ipaustralia.test", PASSWORD)
    page.goto("/offices/AU/roadmap/")
    expect(page.locator("#r9")).to_contain_text("Target: 4")
    _plan_two_and_mark_one_done(page, 9, today)

    # This cycle uses the 2027 framework, in which 2024's 2, 8 and 9 are merged into 2.
    this_year = make_cycle(
        today.year,
        framework=framework_merging_2_8_9(),
        offices=[office],
        opens_on=today - datetime.timedelta(days=5),
        closes_on=today + datetime.timedelta(days=30),
    )
    page.goto(f"/offices/AU/{this_year.year}/")
    page.get_by_role("button", name="Start empty").click()
    beside = page.locator("#r2 .roadmap-last-year")
    expect(beside).to_contain_text(f"In {last.year} your level was 2 and your target 4.")
    # Versions are isolated (FSI … PDI), so that they keep their order on Arabic pages.
    expect(beside).to_contain_text("merges recommendations 2, 8 and 9 of \u20682024\u2069")
    expect(beside).to_contain_text("Pilot e-filing for designs")
    expect(beside).to_contain_text("recommendation 9 of \u20682024\u2069")
    expect(page.locator("#r9")).to_have_count(0)  # 2027 has eight recommendations

    # Opening the cycle carried the open action to the merged recommendation.
    page.goto("/offices/AU/roadmap/")
    merged = page.locator("#r2")
    expect(merged).to_contain_text("Target: 4")
    expect(merged.locator("tbody tr")).to_have_count(2)
    expect(merged.locator("tr", has_text="ICT division")).to_contain_text(
        "Was recommendation 9 of \u20682024\u2069."
    )
    expect(merged.locator("tr", has_text="Pilot e-filing")).to_contain_text("Done")
