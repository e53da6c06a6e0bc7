"""An office finds a partner, reads why, asks for contact; the other office accepts; both see
each other's contact person."""

import pytest
from playwright.sync_api import expect

from practices import services
from tests import factories
from tests.browser.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_framework"),
]


def test_an_office_finds_a_partner_and_the_other_office_accepts(page):
    seeker = factories.make_office("AU", "IP Australia")
    partner = factories.make_office("KR", "Korean Intellectual Property Office")
    robin = factories.make_person("robin@ipaustralia.test", office=seeker)
    kim = factories.make_person("kim@kipo.test", office=partner)
    cycle = factories.make_cycle(2025, offices=[seeker, partner])
    factories.make_assessment(
        cycle, seeker, submitted=True, r10={"maturity_current": 2, "maturity_target": 3}
    )
    factories.make_assessment(cycle, partner, submitted=True, r10={"maturity_current": 4})
    services.openness_set(office=partner, user=kim, choices={10: {"share": True}})
    services.practice_publish(
        practice=services.practice_create(
            office=partner,
            user=kim,
            numbers=[10],
            title="AI-based image search",
            summary="Trademark examiners search earlier marks by image.",
            kind="system",
            status="completed",
        ),
        user=kim,
    )

    log_in(page, robin.email, factories.PASSWORD)
    page.goto("/offices/AU/")
    page.get_by_role("link", name="Find a partner").click()
    page.get_by_label("Recommendation").select_option("10")
    page.get_by_role("button", name="Show").click()
    match = page.locator(".match").filter(has_text="KR")
    expect(match).to_contain_text("level 4 on recommendation 10, yours is 2, target 3")
    expect(match).to_contain_text("AI-based image search")
    expect(match).not_to_contain_text("kim@kipo.test")
    match.get_by_text("Ask for contact").click()
    match.get_by_label("Your message").fill("We would like to learn how you trained the model.")
    match.get_by_role("button", name="Send the request").click()
    expect(page.locator(".messages")).to_contain_text("Sent to KR")
    page.context.clear_cookies()

    log_in(page, kim.email, factories.PASSWORD)
    page.goto("/offices/KR/")
    page.get_by_role("link", name="An office asks to be in contact with yours").click()
    expect(page.locator("blockquote")).to_contain_text("how you trained the model")
    page.get_by_role("button", name="Accept and share our contact").click()
    expect(page.locator(".messages")).to_contain_text("Accepted")
    expect(page.locator("#received-heading + ul")).to_contain_text("robin@ipaustralia.test")
    page.context.clear_cookies()

    log_in(page, robin.email, factories.PASSWORD)
    page.goto("/practices/office/AU/requests/")
    expect(page.locator("#sent-heading + ul")).to_contain_text("kim@kipo.test")
