"""A co-lead reviews a cycle's results in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from portal.demo import DEMO_PASSWORD, seed_demo
from tests.browser.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_framework"),
]


def test_a_colead_opens_the_dashboard_switches_the_heatmap_and_filters(page):
    seed_demo()
    log_in(page, "colead@taskforce.example", DEMO_PASSWORD)
    year = page.locator("table.data tbody tr").nth(1).locator("th").inner_text()
    page.get_by_role("link", name=f"Dashboard {year}").click()
    expect(page.get_by_role("heading", name=f"Survey results {year}")).to_be_visible()
    expect(page.locator(".signal")).to_contain_text("10. Emerging technologies")

    status_chart = page.locator("#status .chart-wide svg")
    expect(status_chart).to_have_attribute("role", "img")
    page.locator("#status").get_by_text("Show the table behind the chart").click()
    expect(page.locator("#status table")).to_be_visible()

    page.locator("#heatmap").get_by_role("link", name="Maturity", exact=True).click()
    expect(page).to_have_url(re.compile(r"heatmap=maturity"))
    expect(page.locator("#heatmap")).to_contain_text("Current maturity level by office")

    page.get_by_label("Region").select_option(label="Europe")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"region=europe"))
    expect(page.locator(".notice")).to_contain_text("Filtered:")
    heatmap_rows = page.locator("#heatmap svg").text_content()
    assert "DE" in heatmap_rows and "AU" not in heatmap_rows


def open_dashboard(page):
    seed_demo()
    log_in(page, "colead@taskforce.example", DEMO_PASSWORD)
    year = page.locator("table.data tbody tr").nth(1).locator("th").inner_text()
    page.get_by_role("link", name=f"Dashboard {year}").click()
    return year


def test_a_colead_filtering_to_a_small_region_sees_it_marked_as_such(page):
    open_dashboard(page)
    page.get_by_label("Region").select_option(label="North America")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".kpi-strip")).to_contain_text("in this selection")
    expect(page.locator(".notice.small-group")).to_contain_text("Small group")
    count = int(page.locator(".kpi-strip strong").first.inner_text())
    assert 0 < count < 5
    for basis in page.locator(".chart-panel .basis").all():
        expect(basis).to_contain_text("Based on")
        expect(basis).to_contain_text("Small group")
    tabs = page.locator("nav.tabs a")
    if tabs.count() > 1:
        expect(tabs.first).to_have_attribute("href", re.compile(r"region=north_america"))
    page.locator("form.filters").get_by_role("link", name="Clear filters").click()
    expect(page.locator(".notice.small-group")).to_have_count(0)


def test_the_dashboard_fits_a_phone_and_prints_without_navigation_or_filters(page):
    open_dashboard(page)
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    expect(page.locator("#status .chart-narrow svg")).to_be_visible()
    expect(page.locator("#status .chart-wide svg")).to_be_hidden()
    # The heatmap is a card per office, its code a link reached from the keyboard.
    expect(page.locator("#heatmap svg")).to_be_hidden()
    cards = page.locator("#heatmap .heat-card")
    expect(cards.first).to_be_visible()
    expect(cards.first.locator(".heat-cell")).to_have_count(10)
    cards.first.get_by_role("link").focus()
    expect(cards.first.get_by_role("link")).to_be_focused()
    box = cards.first.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    page.set_viewport_size({"width": 1366, "height": 900})
    page.emulate_media(media="print")
    expect(page.locator(".main-nav")).to_be_hidden()
    for form in page.locator("form.filters").all():  # the filters and the office search
        expect(form).to_be_hidden()
    expect(page.locator(".heatmap-pager")).to_be_hidden()
    expect(page.locator("#status .chart-wide svg")).to_be_visible()


def test_a_colead_reads_the_multi_year_view(page):
    year = open_dashboard(page)
    section = page.locator("#years")
    expect(section.get_by_role("heading", name="Over the years")).to_be_visible()
    expect(section.locator(".chart-wide svg")).to_have_attribute("role", "img")
    expect(section.locator(".chart-wide svg")).to_contain_text(year)
    section.get_by_text("Show the table behind the chart").click()
    expect(section.locator("table")).to_contain_text("Same offices")
    # Maturity and the flags over the years, one at a time, drawn the same way.
    section.get_by_role("link", name="Maturity", exact=True).click()
    expect(page).to_have_url(re.compile(r"years=maturity"))
    expect(section.locator(".chart-wide svg")).to_contain_text(
        "Mean current maturity level over the years"
    )
    section.get_by_role("link", name="Big implementation challenge (Q6)").click()
    expect(section.locator("h3")).to_have_text("Big implementation challenge (Q6)")
