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
    return {
        "cio@au.example": [
            reverse("office_home", kwargs=office),
            reverse("assessment_form", kwargs=this_year),
            reverse("assessment_review", kwargs=this_year),
            reverse("assessment_review", kwargs={"code": DEMO_OFFICE, "year": last}),
            reverse("assessment_history", kwargs=this_year),
            reverse("office_benchmark", kwargs={"code": DEMO_OFFICE, "year": last}),
            reverse("framework_current"),
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
        ],
        "secretariat@wipo.example": [
            reverse("secretariat_home"),
            reverse("cycle_detail", kwargs={"year": year}),
            reverse("exports_home"),
            reverse("audit_log"),
            reverse("survey_import"),
        ],
    }


def test_no_page_of_any_role_scrolls_sideways_on_a_phone(chromium, live_server):
    seed_demo()
    too_wide = {}
    for email, paths in pages_by_login().items():
        context = chromium.new_context(base_url=live_server.url, viewport=PHONE)
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, email, DEMO_PASSWORD)
        for path in paths:
            response = page.goto(path)
            assert response is not None and response.ok, (email, path, response)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide[f"{email} {path}"] = width
        context.close()
    assert too_wide == {}
