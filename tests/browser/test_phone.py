"""Every main page of every role fits a 390 px phone: nothing scrolls the page sideways."""

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.demo import DEMO_OFFICE, DEMO_PASSWORD, seed_demo
from tests.browser.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_framework"),
]

PHONE = {"width": 390, "height": 844}


def pages_by_login() -> dict[str, list[str]]:
    year = timezone.localdate().year  # the demo's open cycle
    last = year - 1  # closed, with a snapshot to compare against
    office = {"code": DEMO_OFFICE}
    this_year = {"code": DEMO_OFFICE, "year": year}
    draft = f"{year + 1}-draft"  # the demo's proposed next version of the framework
    return {
        "cio@au.example": [
            reverse("office_home", kwargs=office),
            reverse("assessment_form", kwargs=this_year),
            reverse("assessment_review", kwargs=this_year),
            reverse("assessment_review", kwargs={"code": DEMO_OFFICE, "year": last}),
            reverse("assessment_history", kwargs=this_year),
            reverse("office_benchmark", kwargs={"code": DEMO_OFFICE, "year": last}),
            reverse("framework_current"),
            reverse("roadmap", kwargs=office),
            reverse("roadmap_action_new", kwargs=office) + "?recommendation=1",
            reverse("roadmap_history", kwargs=office),
            reverse("practices_catalogue"),
            reverse("office_practices", kwargs=office),
            reverse("office_openness", kwargs=office),
            reverse("office_partners", kwargs=office),
            reverse("office_requests", kwargs=office),
            reverse("feedback_list"),
            reverse("feedback_new"),
        ],
        "staff@au.example": [
            reverse("office_home", kwargs=office),
            reverse("assessment_form", kwargs=this_year),
            reverse("assessment_form", kwargs={"code": DEMO_OFFICE, "year": last}),
        ],
        "colead@taskforce.example": [
            reverse("colead_home"),
            reverse("cycle_dashboard", kwargs={"year": last}),
            reverse("cycle_dashboard", kwargs={"year": year}),
            reverse("office_home", kwargs=office),
            reverse("office_benchmark", kwargs={"code": DEMO_OFFICE, "year": last}),
            reverse("roadmap_figures"),
            reverse("practices_task_force"),
        ],
        "secretariat@wipo.example": [
            reverse("secretariat_home"),
            reverse("cycle_detail", kwargs={"year": year}),
            reverse("exports_home"),
            reverse("audit_log"),
            reverse("survey_import"),
            reverse("feedback_list"),
            reverse("framework_detail", kwargs={"version": draft}),
            reverse("framework_crosswalk", kwargs={"version": draft}),
            reverse("framework_translations", kwargs={"version": draft}),
            reverse("framework_translation_edit", kwargs={"version": draft, "language": "ar"}),
            reverse("framework_load"),
        ],
    }


@pytest.mark.parametrize("language", ["en", "ar"])
def test_no_page_of_any_role_scrolls_sideways_on_a_phone(chromium, live_server, language):
    from django.conf import settings

    seed_demo()
    too_wide = {}
    for email, paths in pages_by_login().items():
        context = chromium.new_context(base_url=live_server.url, viewport=PHONE)
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, email, DEMO_PASSWORD)
        # Arabic too: right to left, with longer words in places.
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        for path in paths:
            response = page.goto(path)
            assert response is not None and response.ok, (email, path, response)
            assert page.evaluate("document.documentElement.lang") == language, (email, path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide[f"{email} {path}"] = width
        context.close()
    assert too_wide == {}


def test_a_refused_save_shows_its_merge_table_on_a_phone_without_sideways_scroll(
    chromium, live_server
):
    import datetime

    from playwright.sync_api import expect

    from tests.browser.test_assessment import answer_section, show_section
    from tests.factories import PASSWORD, make_cycle, make_office, make_person

    office = make_office("AU", "IP Australia")
    today = timezone.localdate()
    cycle = make_cycle(
        today.year,
        offices=[office],
        opens_on=today - datetime.timedelta(days=3),
        closes_on=today + datetime.timedelta(days=20),
    )
    url = f"/offices/AU/{cycle.year}/"
    people = {
        "robin": make_person("robin@ipaustralia.test", office=office),
        "sam": make_person("sam@ipaustralia.test", office=office),
    }
    from assessments.services import assessment_start

    assessment_start(cycle=cycle, office=office, user=people["robin"])
    pages = {}
    for name, person in people.items():
        context = chromium.new_context(base_url=live_server.url, viewport=PHONE)
        pages[name] = context.new_page()
        pages[name].set_default_timeout(15_000)
        log_in(pages[name], person.email, PASSWORD)
        pages[name].goto(url)
    robin, sam = pages["robin"], pages["sam"]

    answer_section(robin, 1, status="Implemented")
    robin.locator("#r1").get_by_label("Comments on the status").fill(
        "A long note from Robin that wraps over several lines on a narrow screen."
    )
    robin.locator("#r1").get_by_role("button", name="Save").click()
    expect(robin.locator(".messages")).to_contain_text("Saved at")

    # Sam's phone still shows the version before Robin's save: the save is refused.
    answer_section(sam, 1, status="Not planned")
    show_section(sam, 1)
    sam.locator("#r1").get_by_label("Comments on the status").fill("Sam's different note")
    sam.locator("#r1").get_by_role("button", name="Save").click()

    conflict = sam.locator("#conflict")
    expect(conflict).to_contain_text("Answers changed by someone else")
    expect(conflict).to_be_in_viewport()
    expect(conflict.get_by_label("Use their answer").first).to_be_visible()
    assert sam.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Nor does the merge table scroll sideways inside its own box (headers hidden for
    # screen readers only, one pixel wide, aside).
    widths = conflict.evaluate(
        "box => [...box.querySelectorAll('*')].filter(e => e.clientWidth > 1"
        " && e.scrollWidth > e.clientWidth + 1"
        " && getComputedStyle(e).overflowX !== 'visible').map(e => e.tagName + '.' +"
        " e.className)"
    )
    assert widths == []
    box = conflict.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    for page in pages.values():
        page.context.close()
