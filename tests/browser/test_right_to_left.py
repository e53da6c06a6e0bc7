"""The respondent's journey in Arabic (right to left) and its first steps in Chinese.

Nothing here depends on the wording of the interface: the Arabic and Chinese catalogues may
or may not be in, the layout, the keyboard and the autosave must work either way.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import Answer, Assessment
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, make_cycle, make_office, make_person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_framework"),
]


@pytest.fixture
def setting():
    from assessments.services import assessment_start

    office = make_office("AU", "IP Australia")
    today = timezone.localdate()
    cycle = make_cycle(
        today.year,
        offices=[office],
        opens_on=today - datetime.timedelta(days=3),
        closes_on=today + datetime.timedelta(days=20),
    )
    respondent = make_person("robin@ipaustralia.test", office=office)
    assessment_start(cycle=cycle, office=office, user=respondent)
    return {"respondent": respondent, "url": f"/offices/AU/{cycle.year}/"}


def open_form_in(page, setting, language):
    log_in(page, setting["respondent"].email, PASSWORD)
    page.locator("details.language-switch summary").click()
    page.locator(f"button[name='language'][value='{language}']").click()
    page.wait_for_load_state()
    page.goto(setting["url"])
    page.wait_for_load_state()


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def saved(page):
    expect(page.locator("[data-save-state]")).to_have_attribute(
        "data-kind", "saved", timeout=30_000
    )
    page.wait_for_function(
        "() => !localStorage.getItem('held-answers:' + location.pathname)", timeout=30_000
    )


def focused_box(page):
    return page.evaluate(
        "() => { const r = document.activeElement.getBoundingClientRect();"
        " return {x: r.x, width: r.width, value: document.activeElement.value || ''}; }"
    )


def test_an_arabic_respondent_works_through_a_mirrored_form(page, setting):
    open_form_in(page, setting, "ar")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")

    # The section list is on the right of the answers, where an Arabic reader starts.
    nav, form = box(page, ".section-nav"), box(page, "#assessment-form")
    assert nav["x"] > form["x"] + form["width"] - 1
    # A section's number is at its right, its status choices start from the right.
    legend = page.locator("#r1 > legend")
    number, title = legend.locator(".number").bounding_box(), legend.bounding_box()
    assert number["x"] + number["width"] > title["x"] + title["width"] - 30

    # The keyboard follows the reading order: each Tab moves leftwards along a row (the
    # header's: the language menu, the account, logging out).
    page.locator("details.language-switch summary").focus()
    previous = focused_box(page)
    for _step in range(2):
        page.keyboard.press("Tab")
        current = focused_box(page)
        assert current["x"] + current["width"] <= previous["x"] + 1
        previous = current

    # The autosave still saves, mixed-direction text included, and records the language.
    section = page.locator("#r1")
    section.locator("input[name='r1-status'][value='ongoing']").check()
    comment = section.locator("textarea[name='r1-status_comment']")
    comment.fill("يعمل نظام IPAS منذ 2020.")
    saved(page)
    stored = Answer.objects.get(assessment__office__code="AU", recommendation__number=1)
    assert (stored.status, stored.status_comment) == ("ongoing", "يعمل نظام IPAS منذ 2020.")
    assert Assessment.objects.get(office__code="AU").language == "ar"

    # A Latin comment on the Arabic page is laid out left to right, on its own.
    comment.fill("Paperless since 2024.")
    assert comment.evaluate("el => el.matches(':dir(ltr)')")
    page.locator("select[name='answers_language']").select_option("en")
    saved(page)
    assert Assessment.objects.get(office__code="AU").language == "en"
    stored.refresh_from_db()
    assert stored.status_comment == "Paperless since 2024."


def test_a_chinese_respondent_starts_the_form_left_to_right(page, setting):
    open_form_in(page, setting, "zh-hans")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(html).to_have_attribute("dir", "ltr")
    nav, form = box(page, ".section-nav"), box(page, "#assessment-form")
    assert nav["x"] + nav["width"] < form["x"] + 1
    page.locator("#r1 input[name='r1-status'][value='implemented']").check()
    page.locator("#r1 input[name='r1-maturity_current'][value='4']").check()
    page.locator("#r1 textarea[name='r1-status_comment']").fill("全面电子化申请。")
    saved(page)
    stored = Answer.objects.get(assessment__office__code="AU", recommendation__number=1)
    assert (stored.status, stored.maturity_current) == ("implemented", 4)
    assert stored.status_comment == "全面电子化申请。"
    assert Assessment.objects.get(office__code="AU").language == "zh-hans"
