"""A respondent's assessment in a real browser: autosave, reload, submit, and two people at once."""

import datetime
import re

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
    office = make_office("AU", "IP Australia")
    today = timezone.localdate()
    cycle = make_cycle(
        today.year,
        offices=[office],
        opens_on=today - datetime.timedelta(days=3),
        closes_on=today + datetime.timedelta(days=20),
    )
    return {
        "cycle": cycle,
        "respondent": make_person("robin@ipaustralia.test", office=office),
        "colleague": make_person("sam@ipaustralia.test", office=office),
        "url": f"/offices/AU/{cycle.year}/",
    }


@pytest.fixture
def started(setting):
    from assessments.services import assessment_start

    office = setting["respondent"].memberships.get().office
    return assessment_start(cycle=setting["cycle"], office=office, user=setting["respondent"])


def answer_section(page, number, status="Ongoing implementation", level=3):
    section = page.locator(f"#r{number}")
    section.get_by_label(status, exact=True).check()
    section.locator(f"input[name='r{number}-maturity_current'][value='{level}']").check()


def wait_until_all_saved(page):
    expect(page.locator("[data-save-state]")).to_contain_text("Saved at", timeout=30_000)
    page.wait_for_function(
        "() => !localStorage.getItem('held-answers:' + location.pathname)", timeout=30_000
    )


def test_a_respondent_fills_in_saves_and_submits(page, setting):
    log_in(page, setting["respondent"].email, PASSWORD)
    page.goto(setting["url"])
    page.get_by_role("button", name="Start empty").click()
    for number in (1, 2, 3):
        answer_section(page, number)
    page.locator("#r1").get_by_label("Comments on the status").fill("Paperless since 2024.")
    expect(page.locator("[data-progress-count]")).to_have_text("3")
    wait_until_all_saved(page)

    page.reload()
    expect(page.locator("#r2").get_by_label("Ongoing implementation", exact=True)).to_be_checked()
    expect(page.locator("#r1").get_by_label("Comments on the status")).to_have_value(
        "Paperless since 2024."
    )
    expect(page.locator("[data-progress-count]")).to_have_text("3")

    page.get_by_role("link", name="Check and submit").first.click()
    expect(page.get_by_role("heading", name="7 sections still need answers")).to_be_visible()
    expect(page.get_by_role("button", name="Submit the assessment")).to_be_disabled()

    page.get_by_role("link", name="Back to the form").click()
    for number in range(4, 11):
        answer_section(page, number, status="Implemented", level=4)
    page.locator(".form-actions").get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Saved at")
    page.get_by_role("link", name="Check and submit").first.click()
    expect(page.get_by_text("Every section is complete.")).to_be_visible()
    page.get_by_role("button", name="Submit the assessment").click()

    expect(page.locator(".messages")).to_contain_text("Submitted. Thank you!")
    expect(page.get_by_text("is read-only")).to_be_visible()
    expect(page.locator("#r1").get_by_label("Ongoing implementation", exact=True)).to_be_disabled()
    assessment = Assessment.objects.get(office__code="AU")
    assert assessment.status == "submitted"
    assert assessment.answers.exclude(status="").count() == 10


def test_two_respondents_at_once_never_overwrite_each_other(
    chromium, live_server, setting, started
):
    pages = {}
    for person in ("respondent", "colleague"):
        context = chromium.new_context(base_url=live_server.url)
        pages[person] = context.new_page()
        log_in(pages[person], setting[person].email, PASSWORD)
        pages[person].goto(setting["url"])
    robin, sam = pages["respondent"], pages["colleague"]

    answer_section(robin, 1, status="Implemented")
    robin.locator("#r1").get_by_label("Comments on the status").fill("Robin's note")
    robin.locator("#r1").get_by_role("button", name="Save").click()
    expect(robin.locator(".messages")).to_contain_text("Saved at")

    # Sam's page still shows the version before Robin's save.
    answer_section(sam, 1, status="Not planned")
    sam.locator("#r2").get_by_label("Comments on the status").fill("Sam's note")
    sam.locator("#r2").get_by_role("button", name="Save").click()

    conflict = sam.locator("#conflict")
    expect(conflict).to_contain_text("Answers changed by someone else")
    expect(conflict).to_contain_text("Recommendation 1: Implementation status")
    expect(conflict).to_contain_text("robin@ipaustralia.test")
    expect(sam.locator("#r2").get_by_label("Comments on the status")).to_have_value("Sam's note")
    expect(sam.locator("#r1").get_by_label("Comments on the status")).to_have_value("Robin's note")
    conflict.get_by_label("Use their answer").first.check()
    sam.locator(".form-actions").get_by_role("button", name="Save").click()
    expect(sam.locator(".messages")).to_contain_text("Saved at")

    answers = {
        a.recommendation.number: a
        for a in Answer.objects.filter(assessment__office__code="AU").select_related(
            "recommendation"
        )
    }
    assert answers[1].status == "implemented"
    assert answers[1].status_comment == "Robin's note"
    assert answers[2].status_comment == "Sam's note"
    for page in pages.values():
        page.context.close()


def test_an_expired_session_during_autosave_keeps_what_was_typed(page, setting, started):
    log_in(page, setting["respondent"].email, PASSWORD)
    page.goto(setting["url"])
    page.context.clear_cookies(name="sessionid")  # the session expires
    page.locator("#r3").get_by_label("Evidence", exact=True).fill("Data policy approved in March.")
    banner = page.locator("[data-banner]")
    expect(banner).to_contain_text("Your session has expired", timeout=15_000)
    banner.get_by_role("button", name=re.compile("Log in again")).click()
    page.get_by_label("E-mail address").fill(setting["respondent"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".messages")).to_contain_text("before your session expired")
    expect(page.locator("#r3").get_by_label("Evidence", exact=True)).to_have_value(
        "Data policy approved in March."
    )
    page.locator("#r3").get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Saved at")
    assert Answer.objects.get(assessment__office__code="AU", recommendation__number=3).evidence == (
        "Data policy approved in March."
    )


def test_the_form_works_with_javascript_off(chromium, live_server, setting, started):
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, setting["respondent"].email, PASSWORD)
    page.goto(setting["url"])
    answer_section(page, 7, status="Decision made to implement", level=2)
    page.locator("#r7").get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Saved at")
    expect(page).to_have_url(re.compile(r"#r7$"))
    stored = Answer.objects.get(assessment__office__code="AU", recommendation__number=7)
    assert (stored.status, stored.maturity_current) == ("decided", 2)
    context.close()


def test_autosave_runs_at_most_every_ten_seconds_while_typing(page, setting, started):
    log_in(page, setting["respondent"].email, PASSWORD)
    page.goto(setting["url"])
    autosaves = []
    page.on("request", lambda r: autosaves.append(r) if r.url.endswith("/autosave/") else None)
    box = page.locator("#r9").get_by_label("Comments on the status")
    box.click()
    for word in ["Lessons", "learned", "sessions", "after", "each", "project", "since", "2024"]:
        page.keyboard.type(word + " ", delay=60)
        page.wait_for_timeout(1400)  # about 13 s of steady typing in all
    assert 1 <= len(autosaves) <= 2
    wait_until_all_saved(page)
    stored = Answer.objects.get(assessment__office__code="AU", recommendation__number=9)
    assert stored.status_comment == "Lessons learned sessions after each project since 2024"


def test_two_tabs_of_one_person_never_blank_each_other(chromium, live_server, setting, started):
    context = chromium.new_context(base_url=live_server.url)
    tab1 = context.new_page()
    log_in(tab1, setting["respondent"].email, PASSWORD)
    tab1.goto(setting["url"])
    tab2 = context.new_page()
    tab2.goto(setting["url"])  # the same version, before tab 1's save

    tab1.locator("#r1").get_by_label("Comments on the status").fill("Written in tab 1")
    wait_until_all_saved(tab1)

    tab2.locator("#r2").get_by_label("Decision made to implement", exact=True).check()
    tab2.locator("#r2").get_by_role("button", name="Save").click()
    expect(tab2.locator(".messages")).to_contain_text("Answers changed meanwhile by others")
    expect(tab2.locator("#r1").get_by_label("Comments on the status")).to_have_value(
        "Written in tab 1"
    )
    stored = {
        a.recommendation.number: a
        for a in Answer.objects.filter(assessment=started).select_related("recommendation")
    }
    assert stored[1].status_comment == "Written in tab 1"
    assert stored[2].status == "decided"
    context.close()


def test_typing_while_a_colleague_submits_keeps_the_text_until_reopened(page, setting, started):
    from assessments.services import assessment_reopen, assessment_save, assessment_submit
    from tests.factories import make_secretariat

    log_in(page, setting["respondent"].email, PASSWORD)
    page.goto(setting["url"])
    colleague = setting["colleague"]
    values = {f"r{n}-status": "ongoing" for n in range(1, 11)}
    values |= {f"r{n}-maturity_current": 2 for n in range(1, 11)}
    assessment_save(assessment=started, user=colleague, base_version=1, values=values)
    assessment_submit(assessment=started, user=colleague, base_version=2)

    page.locator("#r3").get_by_label("Evidence", exact=True).fill("Typed as Sam submitted.")
    banner = page.locator("[data-banner]")
    expect(banner).to_contain_text("kept on the portal", timeout=20_000)
    # The browser's copy stays until a save is acknowledged.
    assert "Typed as Sam submitted." in page.evaluate(
        "() => localStorage.getItem('held-answers:' + location.pathname)"
    )
    banner.get_by_role("link", name="See what was kept").click()
    held = page.locator("#held")
    expect(held).to_contain_text("Typed as Sam submitted.")
    expect(held).to_contain_text("sam@ipaustralia.test submitted this assessment")
    held.get_by_role("button", name="Ask the secretariat to reopen").click()
    expect(page.locator(".messages")).to_contain_text("The secretariat has been asked")

    assessment_reopen(assessment=started, user=make_secretariat(), reason="Robin's evidence")
    page.goto(setting["url"])
    expect(page.locator(".messages")).to_contain_text("are back in the form")
    # Marked, in its accessible name too, until saved.
    expect(page.get_by_label("Evidence not saved yet")).to_have_value("Typed as Sam submitted.")
    page.locator("#r3").get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Saved at")
    page.wait_for_function(
        "() => !localStorage.getItem('held-answers:' + location.pathname)", timeout=15_000
    )
    assert Answer.objects.get(assessment=started, recommendation__number=3).evidence == (
        "Typed as Sam submitted."
    )


def test_last_years_answers_fill_a_partly_answered_form_after_a_preview(page, setting, started):
    from tests.factories import make_assessment, make_cycle

    office = started.office
    make_assessment(
        make_cycle(setting["cycle"].year - 1, offices=[office]),
        office,
        submitted=True,
        r1={"status": "implemented", "maturity_current": 4, "focus": True},
        r2={"status": "decided", "status_comment": "Planned for next year."},
    )
    log_in(page, setting["respondent"].email, PASSWORD)
    page.goto(setting["url"])
    page.locator("input[name='r1-focus'][value='no']").check()
    page.locator("#r1").get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Saved at")

    page.get_by_role("link", name="Start from last year’s answers").click()
    preview = page.locator("table.copy-preview")
    expect(preview).to_contain_text("Recommendation 2: Comments on the status")
    expect(preview).not_to_contain_text("Recommendation 1: A current focus")
    page.get_by_role("button", name=re.compile("Fill these")).first.click()
    expect(page.locator(".messages")).to_contain_text("marked in the form")
    expect(page.locator("input[name='r1-focus'][value='no']")).to_be_checked()  # this year's no
    expect(page.locator("#r2 .copied-tag").first).to_be_visible()
    page.locator("#r2").get_by_role("button", name="Keep them as this year’s answers").click()
    expect(page.locator("#r2 .copied-tag")).to_have_count(0)
    expect(page.locator("#r1 .copied-tag")).to_have_count(2)

    page.get_by_role("link", name="History of changes").click()
    page.get_by_role("button", name="Undo this copy").click()
    expect(page.locator(".messages")).to_contain_text("Copy undone")
    first = Answer.objects.get(assessment=started, recommendation__number=1)
    assert (first.status, first.focus) == ("", False)
    # Kept answers were confirmed by a later entry: the undo leaves them as they are.
    assert Answer.objects.get(assessment=started, recommendation__number=2).status == "decided"


def test_a_refused_link_is_said_and_kept_while_the_rest_is_saved(page, setting, started):
    log_in(page, setting["respondent"].email, PASSWORD)
    page.goto(setting["url"])
    page.locator("#r2").get_by_label("Link to evidence").fill("not a link")
    page.locator("#r2").get_by_label("Comments on the status").fill("Kept and saved")
    state = page.locator("[data-save-state]")
    expect(state).to_contain_text("except 1 answer that needs your attention", timeout=20_000)
    expect(page.locator("#r2")).to_contain_text("Enter a valid URL")
    stored = Answer.objects.get(assessment=started, recommendation__number=2)
    assert (stored.status_comment, stored.evidence_url) == ("Kept and saved", "")

    page.reload()
    expect(page.locator("#r2").get_by_label("Link to evidence")).to_have_value("not a link")
    expect(page.locator("#r2").get_by_label("Comments on the status")).to_have_value(
        "Kept and saved"
    )
    expect(page.locator("#r2")).to_contain_text("Enter a valid URL", timeout=20_000)
    page.locator("#r2").get_by_label("Link to evidence").fill("https://ipaustralia.test/plan")
    wait_until_all_saved(page)
    stored.refresh_from_db()
    assert stored.evidence_url == "https://ipaustralia.test/plan"
