"""A respondent reads the recommendations in Russian: on the framework page and in the form,
from the working translation shipped with the portal, with the interface in Russian too."""

import datetime
import json

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from assessments.services import assessment_start
from recommendations.exchange import translations_load_shipped
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, make_cycle, make_office, make_person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_framework"),
]

SHIPPED = settings.BASE_DIR / "recommendations" / "data" / "translations"


def russian() -> dict:
    return json.loads((SHIPPED / "framework_2024.ru.json").read_text(encoding="utf-8"))


def choose_language(page, code: str) -> None:
    page.locator("details.language-switch summary").click()
    page.locator(f"button[name='language'][value='{code}']").click()
    page.wait_for_load_state()


def test_a_respondent_reads_the_recommendations_in_russian(page):
    translations_load_shipped()
    office = make_office("AU", "IP Australia")
    today = timezone.localdate()
    cycle = make_cycle(
        today.year,
        offices=[office],
        opens_on=today - datetime.timedelta(days=3),
        closes_on=today + datetime.timedelta(days=20),
    )
    robin = make_person("robin@ipaustralia.test", office=office)
    assessment_start(cycle=cycle, office=office, user=robin)
    first = russian()["recommendations"][0]

    log_in(page, robin.email, PASSWORD)
    choose_language(page, "ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")

    page.goto("/framework/")
    expect(page.locator("main")).to_contain_text(first["short_title"])
    expect(page.locator("main")).to_contain_text(first["statement"])
    expect(page.locator("main")).to_contain_text(first["levels"][0]["descriptor"])

    page.goto(f"/offices/AU/{cycle.year}/")
    section = page.locator("#r1")
    expect(section.locator("legend").first).to_contain_text(first["short_title"])
    expect(section.locator(".statement")).to_have_text(first["statement"])
    expect(section).to_contain_text(first["levels"][2]["name"])
    expect(section).to_contain_text(russian()["questions"]["maturity_target"])
