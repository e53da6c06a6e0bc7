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


def show_section(page, number):
    """The form shows one section at a time: open another from the section list."""
    anchor = f"r{number}" if isinstance(number, int) else number
    page.wait_for_load_state()  # the form's script has run and hidden the other sections
    if not page.locator(f"#{anchor}").is_visible():
        page.locator(f"[data-section-link='{anchor}']").click()
    expect(page.locator(f"#{anchor}")).to_be_visible()


def answer_section(page, number, status="Ongoing implementation", level=3):
    show_section(page, number)
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
    show_section(page, 1)
    page.locator("#r1").get_by_label("Comments on the status").fill("Paperless since 2024.")
    expect(page.locator("[data-progress-count]")).to_have_text("3")
    wait_until_all_saved(page)

    page.reload()
    show_section(page, 2)
    expect(page.locator("#r2").get_by_label("Ongoing implementation", exact=True)).to_be_checked()
    show_section(page, 1)
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
    show_section(page, "overall")
    page.locator(".form-actions").get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Saved at")
    page.get_by_role("link", name="Check and submit").first.click()
    expect(page.get_by_text("Every section is complete.")).to_be_visible()
    page.get_by_role("button", name="Submit the assessment").click()

    expect(page.locator(".messages")).to_contain_text("Submitted. Thank you!")
    expect(page.get_by_text("is read-only")).to_be_visible()
    show_section(page, 1)
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
    show_section(robin, 1)
    robin.locator("#r1").get_by_label("Comments on the status").fill("Robin's note")
    show_section(robin, 1)
    robin.locator("#r1").get_by_role("button", name="Save").click()
    expect(robin.locator(".messages")).to_contain_text("Saved at")

    # Sam's page still shows the version before Robin's save.
    answer_section(sam, 1, status="Not planned")
    show_section(sam, 2)
    sam.locator("#r2").get_by_label("Comments on the status").fill("Sam's note")
    show_section(sam, 2)
    sam.locator("#r2").get_by_role("button", name="Save").click()

    conflict = sam.locator("#conflict")
    expect(conflict).to_contain_text("Answers changed by someone else")
    # The page opens at the merge table, not at the section the save was sent from.
    expect(conflict).to_be_in_viewport()
    expect(conflict).to_contain_text("Recommendation 1: Implementation status")
    expect(conflict).to_contain_text("robin@ipaustralia.test")
    show_section(sam, 2)
    expect(sam.locator("#r2").get_by_label("Comments on the status")).to_have_value("Sam's note")
    show_section(sam, 1)
    expect(sam.locator("#r1").get_by_label("Comments on the status")).to_have_value("Robin's note")
    conflict.get_by_label("Use their answer").first.check()
    show_section(sam, "overall")
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
    show_section(page, 3)
    page.locator("#r3").get_by_label("Evidence", exact=True).fill("Data policy approved in March.")
    banner = page.locator("[data-banner]")
    expect(banner).to_contain_text("Your session has expired", timeout=15_000)
    banner.get_by_role("button", name=re.compile("Log in again")).click()
    page.get_by_label("E-mail address").fill(setting["respondent"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".messages")).to_contain_text("before your session expired")
    show_section(page, 3)
    expect(page.locator("#r3").get_by_label("Evidence", exact=True)).to_have_value(
        "Data policy approved in March."
    )
    show_section(page, 3)
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
    show_section(page, 7)
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
    show_section(page, 9)
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

    show_section(tab1, 1)
    tab1.locator("#r1").get_by_label("Comments on the status").fill("Written in tab 1")
    wait_until_all_saved(tab1)

    show_section(tab2, 2)
    tab2.locator("#r2").get_by_label("Decision made to implement", exact=True).check()
    show_section(tab2, 2)
    tab2.locator("#r2").get_by_role("button", name="Save").click()
    expect(tab2.locator(".messages")).to_contain_text("Answers changed meanwhile by others")
    show_section(tab2, 1)
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

    show_section(page, 3)
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
    show_section(page, 3)
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
    show_section(page, 1)
    page.locator("#r1").get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Saved at")

    page.get_by_role("link", name="Start from last year’s answers").click()
    preview = page.locator("table.copy-preview")
    expect(preview).to_contain_text("Recommendation 2: Comments on the status")
    expect(preview).not_to_contain_text("Recommendation 1: A current focus")
    page.get_by_role("button", name=re.compile("Fill these")).first.click()
    expect(page.locator(".messages")).to_contain_text("marked in the form")
    expect(page.locator("input[name='r1-focus'][value='no']")).to_be_checked()  # this year's no
    show_section(page, 2)
    expect(page.locator("#r2 .copied-tag").first).to_be_visible()
    show_section(page, 2)
    page.locator("#r2").get_by_role("button", name="Keep them as this year’s answers").click()
    show_section(page, 2)
    expect(page.locator("#r2 .copied-tag")).to_have_count(0)
    show_section(page, 1)
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
    show_section(page, 2)
    page.locator("#r2").get_by_label("Link to evidence").fill("not a link")
    show_section(page, 2)
    page.locator("#r2").get_by_label("Comments on the status").fill("Kept and saved")
    state = page.locator("[data-save-state]")
    expect(state).to_contain_text("except 1 answer that needs your attention", timeout=20_000)
    show_section(page, 2)
    expect(page.locator("#r2")).to_contain_text("Enter a valid URL")
    stored = Answer.objects.get(assessment=started, recommendation__number=2)
    assert (stored.status_comment, stored.evidence_url) == ("Kept and saved", "")

    page.reload()
    show_section(page, 2)
    expect(page.locator("#r2").get_by_label("Link to evidence")).to_have_value("not a link")
    show_section(page, 2)
    expect(page.locator("#r2").get_by_label("Comments on the status")).to_have_value(
        "Kept and saved"
    )
    show_section(page, 2)
    expect(page.locator("#r2")).to_contain_text("Enter a valid URL", timeout=20_000)
    show_section(page, 2)
    page.locator("#r2").get_by_label("Link to evidence").fill("https://ipaustralia.test/plan")
    wait_until_all_saved(page)
    stored.refresh_from_db()
    assert stored.evidence_url == "https://ipaustralia.test/plan"


# The form one works through: a section at a time, follow-ups when they apply, warnings
# beside the field, the status in view on a phone.


def stored(number) -> Answer:
    return Answer.objects.get(assessment__office__code="AU", recommendation__number=number)


def test_next_and_previous_keep_every_answer(page, setting, started):
    log_in(page, setting["respondent"].email, PASSWORD)
    page.goto(setting["url"])
    expect(page.locator("#r1")).to_be_visible()
    expect(page.locator("#r2")).to_be_hidden()
    page.locator("#r1").get_by_label("Implemented", exact=True).check()
    page.locator("#r1").get_by_label("Comments on the status").fill("Done in 2023.")
    page.locator("#r1").get_by_role("button", name="Next section").click()
    expect(page.locator("#r2")).to_be_visible()
    expect(page.locator("#r1")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"#r2$"))
    page.locator("#r2").get_by_role("button", name="Previous section").click()
    expect(page.locator("#r1").get_by_label("Comments on the status")).to_have_value(
        "Done in 2023."
    )
    wait_until_all_saved(page)
    assert (stored(1).status, stored(1).status_comment) == ("implemented", "Done in 2023.")


def test_next_section_posts_the_form_and_opens_the_next_one_without_javascript(
    chromium, live_server, setting, started
):
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, setting["respondent"].email, PASSWORD)
    page.goto(setting["url"])
    page.locator("#r4").get_by_label("Not planned", exact=True).check()
    page.locator("#r4").get_by_role("button", name="Next section").click()
    expect(page.locator(".messages")).to_contain_text("Saved at")
    expect(page).to_have_url(re.compile(r"#r5$"))
    assert stored(4).status == "not_planned"
    context.close()


def test_a_follow_up_appears_when_its_yes_is_chosen(page, setting, started):
    log_in(page, setting["respondent"].email, PASSWORD)
    page.goto(setting["url"])
    section = page.locator("#r1")
    projects = section.get_by_label("Related projects")
    expect(projects).to_be_hidden()
    section.locator("input[name='r1-focus'][value='yes']").check()
    expect(projects).to_be_visible()
    expect(section.locator("[data-field='r1-focus'] .not-answered")).to_be_hidden()
    section.locator("input[name='r1-focus'][value='no']").check()
    expect(projects).to_be_hidden()
    expect(section.get_by_label("Comments on the status")).to_be_visible()  # not a follow-up


def test_a_contradiction_is_warned_about_beside_the_field_and_saved_all_the_same(
    page, setting, started
):
    log_in(page, setting["respondent"].email, PASSWORD)
    page.goto(setting["url"])
    section = page.locator("#r2")
    page.locator("[data-section-link='r2']").click()
    section.get_by_label("Under consideration", exact=True).check()
    section.locator("input[name='r2-maturity_current'][value='5']").check()
    warning = section.locator("[data-warning='maturity_current']")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Under consideration")
    section.locator("select[name='r2-maturity_target']").select_option("3")
    expect(section.locator("[data-warning='maturity_target']")).to_contain_text(
        "below the current level"
    )
    section.get_by_label("Ongoing implementation", exact=True).check()
    expect(warning).to_be_hidden()
    wait_until_all_saved(page)
    assert (stored(2).maturity_current, stored(2).maturity_target) == (5, 3)
    page.goto(setting["url"] + "review/")
    expect(page.locator("[data-warnings]")).to_contain_text("below the current level")


def test_on_a_phone_the_status_stays_in_view_and_nothing_scrolls_sideways(
    chromium, live_server, setting, started
):
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, setting["respondent"].email, PASSWORD)
    page.goto(setting["url"])
    section = page.locator("#r1")
    section.get_by_label("Evidence", exact=True).fill("Policy of 2024.")
    section.get_by_label("Evidence", exact=True).scroll_into_view_if_needed()
    status = page.locator("[data-form-status]")
    box = status.bounding_box()
    assert box is not None and 0 <= box["y"] < 5, box  # stuck to the top while far down
    expect(page.locator("[data-save-state]")).to_contain_text("Saved at", timeout=30_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Another section is chosen from the sticky bar, or from the list folded under it.
    page.locator("[data-section-select]").select_option("r3")
    expect(page.locator("#r3")).to_be_visible()
    expect(page.locator("#r1")).to_be_hidden()
    assert page.locator("[data-form-status]").bounding_box()["y"] < 5
    page.get_by_text("Sections", exact=True).click()
    page.locator("[data-section-link='r6']").click()
    expect(page.locator("#r6")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_the_path_marks_the_step_up_from_the_level_the_respondent_chooses(page, setting, started):
    log_in(page, "robin@ipaustralia.test", PASSWORD)
    page.goto(setting["url"])
    show_section(page, 4)
    section = page.locator("#r4")
    path = section.locator("details.path-form")
    path.locator("summary").click()
    expect(path.locator(".path-step.is-next")).to_have_count(0)
    section.locator("input[name='r4-maturity_current'][value='2']").check()
    expect(path.locator(".path-step.is-next")).to_have_attribute("data-step-from", "2")
    expect(path.locator(".path-level.is-current")).to_have_attribute("data-level", "2")
    expect(path.locator(".path-next:visible")).to_have_count(1)
    section.locator("input[name='r4-maturity_current'][value='4']").check()
    expect(path.locator(".path-step.is-next")).to_have_attribute("data-step-from", "4")
    expect(path.locator(".path-here:visible")).to_have_count(1)
