import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Answer, Assessment, AssessmentEvent, HeldAnswers
from tests.assessments.conftest import complete_values, form_post
from tests.factories import PASSWORD, make_assessment, make_cycle

pytestmark = pytest.mark.django_db


def url(name="assessment_form", code="AU", year=None, draft=None):
    return reverse(name, kwargs={"code": code, "year": year or draft.cycle.year})


def answer(draft, number) -> Answer:
    return Answer.objects.get(assessment=draft, recommendation__number=number)


def test_the_respondent_saves_the_whole_form(client_of, respondent, draft):
    response = client_of(respondent).post(
        url(draft=draft),
        form_post(
            draft,
            r2__status="decided",
            r2__maturity_current=2,
            r2__focus=True,
            r2__focus_comment="New ICT strategy",
            r2__focus_comment_private=True,
            section="r2",
        ),
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#r2")
    stored = answer(draft, 2)
    assert (stored.status, stored.maturity_current, stored.focus) == ("decided", 2, True)
    assert stored.focus_comment_private is True
    assert Assessment.objects.get(pk=draft.pk).version == 2


def test_the_form_shows_the_saved_answers_and_progress(client_of, respondent, draft):
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values=complete_values([1, 2, 3])
    )
    html = client_of(respondent).get(url(draft=draft)).content.decode()
    assert "<strong data-progress-count>3</strong>" in html
    assert 'value="ongoing" id="id_r1-status_2" checked' in html


def test_autosave_stores_only_what_was_sent(client_of, respondent, draft):
    services.assessment_save(
        assessment=draft,
        user=respondent,
        base_version=1,
        values={"r1-status_comment": "Keep me", "r1-focus": True},
    )
    response = client_of(respondent).post(
        url("assessment_autosave", draft=draft),
        {"version": "2", "r1-status": "ongoing", "r1-focus": "no"},
    )
    assert response.status_code == 200
    assert response.json()["version"] == 3
    assert response.json()["message"].startswith("Saved at ")
    stored = answer(draft, 1)
    assert (stored.status, stored.focus, stored.status_comment) == ("ongoing", False, "Keep me")


def test_autosave_refuses_a_stale_version_and_names_who_changed_what(
    client_of, respondent, colleague, draft
):
    services.assessment_save(
        assessment=draft, user=colleague, base_version=1, values={"r1-status": "implemented"}
    )
    response = client_of(respondent).post(
        url("assessment_autosave", draft=draft), {"version": "1", "r1-status": "not_planned"}
    )
    assert response.status_code == 409
    change = response.json()["changes"][0]
    assert change["field"] == "r1-status"
    assert change["value"] == "Implemented"
    assert change["by"] == colleague.email
    assert answer(draft, 1).status == "implemented"


def test_a_stale_full_save_shows_the_conflict_and_keeps_both_sides(
    client_of, respondent, colleague, draft
):
    base = form_post(draft)
    services.assessment_save(
        assessment=draft,
        user=colleague,
        base_version=1,
        values={"r1-status": "implemented", "r5-status_comment": "Colleague's note"},
    )
    mine = {**base, "r1-status": "not_planned", "r2-status_comment": "My note"}
    response = client_of(respondent).post(url(draft=draft), mine)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Answers changed by someone else" in html
    assert 'name="take-r1-status"' in html  # both changed it: a decision to make
    assert "My note</textarea>" in html  # mine, kept
    assert "Colleague&#x27;s note</textarea>" in html  # theirs, not reverted
    assert 'name="version" value="2"' in html
    assert answer(draft, 1).status == "implemented"  # nothing saved yet


def test_merging_keeps_theirs_where_asked_and_mine_elsewhere(
    client_of, respondent, colleague, draft
):
    services.assessment_save(
        assessment=draft, user=colleague, base_version=1, values={"r1-status": "implemented"}
    )
    draft.refresh_from_db()
    merged = form_post(draft, r1__status="not_planned", r2__status_comment="My note")
    merged["take-r1-status"] = "on"
    response = client_of(respondent).post(url(draft=draft), merged)
    assert response.status_code == 302
    assert answer(draft, 1).status == "implemented"
    assert answer(draft, 2).status_comment == "My note"


# --- Two tabs, a script and the web form ----------------------------------------------------


def test_a_stale_tab_of_ones_own_never_blanks_what_the_other_tab_saved(
    client_of, respondent, draft
):
    client = client_of(respondent)
    tab2 = form_post(draft)  # opened at version 1
    tab1 = form_post(draft, r1__status_comment="Written in tab 1")
    assert client.post(url(draft=draft), tab1).status_code == 302
    response = client.post(url(draft=draft), {**tab2, "r2-status": "decided"})
    assert response.status_code == 302
    assert answer(draft, 1).status_comment == "Written in tab 1"
    assert answer(draft, 2).status == "decided"
    assert Assessment.objects.get(pk=draft.pk).version == 3


def test_a_merged_full_save_says_that_others_changes_were_kept(
    client_of, respondent, colleague, draft
):
    stale = form_post(draft, r2__status="decided")
    services.assessment_save(
        assessment=draft, user=colleague, base_version=1, values={"r1-status": "implemented"}
    )
    response = client_of(respondent).post(url(draft=draft), stale, follow=True)
    assert "Answers changed meanwhile by others were kept." in response.content.decode()
    assert (answer(draft, 1).status, answer(draft, 2).status) == ("implemented", "decided")


def test_a_stale_autosave_is_merged_and_tells_the_page_what_others_changed(
    client_of, respondent, colleague, draft
):
    services.assessment_save(
        assessment=draft,
        user=colleague,
        base_version=1,
        values={"r1-status_comment": "Theirs", "r4-focus": True},
    )
    response = client_of(respondent).post(
        url("assessment_autosave", draft=draft), {"version": "1", "r2-status": "ongoing"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 3
    assert body["updated"] == {"r1-status_comment": "Theirs", "r4-focus": "yes"}
    assert answer(draft, 2).status == "ongoing"
    assert answer(draft, 1).status_comment == "Theirs"


def test_a_stale_autosave_changing_what_someone_else_changed_is_a_conflict(
    client_of, respondent, colleague, draft
):
    services.assessment_save(
        assessment=draft, user=colleague, base_version=1, values={"r1-status_comment": "Theirs"}
    )
    response = client_of(respondent).post(
        url("assessment_autosave", draft=draft),
        {"version": "1", "r1-status_comment": "Mine", "r2-status": "ongoing"},
    )
    assert response.status_code == 409
    assert [c["field"] for c in response.json()["changes"]] == ["r1-status_comment"]
    assert answer(draft, 1).status_comment == "Theirs"
    assert answer(draft, 2).status == ""  # nothing written until the person decides


def test_an_api_change_survives_a_stale_web_save(client_of, respondent, draft):
    from tests.api import token_client

    stale = form_post(draft)
    patched = token_client(respondent).patch(
        reverse("api_assessment", args=["AU", draft.cycle.year]),
        {"answers": [{"recommendation": 1, "status_comment": "From the script"}]},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert patched.status_code == 200
    response = client_of(respondent).post(url(draft=draft), {**stale, "r3-status": "ongoing"})
    assert response.status_code == 302
    assert answer(draft, 1).status_comment == "From the script"
    assert answer(draft, 3).status == "ongoing"


# --- Typing while a colleague submits -------------------------------------------------------


def submitted_by(colleague, draft):
    services.assessment_save(
        assessment=draft, user=colleague, base_version=1, values=complete_values()
    )
    draft.refresh_from_db()
    services.assessment_submit(assessment=draft, user=colleague, base_version=draft.version)
    draft.refresh_from_db()
    return draft


def test_a_save_into_a_submitted_assessment_keeps_the_typed_text_beside_it(
    client_of, respondent, colleague, draft
):
    typing = form_post(draft, r3__status_comment="Typed while Sam submitted")
    submitted_by(colleague, draft)
    client = client_of(respondent)
    response = client.post(url(draft=draft), typing, follow=True)
    html = response.content.decode()
    assert "submitted this assessment at" in html
    assert "Your answers not saved" in html
    assert "Typed while Sam submitted" in html
    assert "sam@ipaustralia.test" in html or str(colleague) in html
    assert "Ask the secretariat to reopen" in html
    held = HeldAnswers.objects.get(assessment=draft, user=respondent)
    assert held.values == {"r3-status_comment": "Typed while Sam submitted"}
    assert answer(draft, 3).status_comment == ""


def test_an_autosave_into_a_submitted_assessment_is_held_and_says_so(
    client_of, respondent, colleague, draft
):
    submitted_by(colleague, draft)
    response = client_of(respondent).post(
        url("assessment_autosave", draft=draft),
        {"version": "1", "r3-evidence": "Half a sentence"},
    )
    assert response.status_code == 403
    assert response.json()["held"] is True
    assert "kept on the portal" in response.json()["message"]
    held = HeldAnswers.objects.get(assessment=draft, user=respondent)
    assert held.values == {"r3-evidence": "Half a sentence"}


def test_asking_to_reopen_records_it_and_mails_the_secretariat(
    client_of,
    respondent,
    colleague,
    secretariat,
    draft,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    typing = form_post(draft, r3__status_comment="Typed late")
    submitted_by(colleague, draft)
    client = client_of(respondent)
    client.post(url(draft=draft), typing)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("assessment_reopen_request", draft=draft))
    assert response.status_code == 302
    held = HeldAnswers.objects.get(assessment=draft, user=respondent)
    assert held.reopen_requested_at is not None
    assert [m.to for m in mailoutbox] == [[secretariat.email]]
    assert "asks to reopen" in mailoutbox[0].subject
    assert respondent.email in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("assessment_reopen_request", draft=draft))  # a second click: no more
    assert len(mailoutbox) == 1
    assert "You asked the secretariat to reopen it" in client.get(url(draft=draft)).content.decode()


def test_after_the_reopening_the_held_text_is_offered_back_and_saved(
    client_of, respondent, colleague, secretariat, draft
):
    typing = form_post(draft, r3__status_comment="Typed late")
    submitted_by(colleague, draft)
    client = client_of(respondent)
    client.post(url(draft=draft), typing)
    services.assessment_reopen(assessment=draft, user=secretariat, reason="Robin's text")
    page = client.get(url(draft=draft))
    html = page.content.decode()
    assert "are back in the form" in html
    assert "Typed late</textarea>" in html
    assert html.count('class="held-tag"') == 1  # marked "not saved yet"
    assert 'name="held" value="1"' in html
    draft.refresh_from_db()
    saved = client.post(
        url(draft=draft), form_post(draft, r3__status_comment="Typed late", held="1")
    )
    assert saved.status_code == 302
    assert answer(draft, 3).status_comment == "Typed late"
    assert not HeldAnswers.objects.filter(assessment=draft).exists()


def test_held_text_saved_meanwhile_is_no_longer_offered(
    client_of, respondent, colleague, secretariat, draft
):
    typing = form_post(draft, r3__status_comment="Typed late")
    submitted_by(colleague, draft)
    client = client_of(respondent)
    client.post(url(draft=draft), typing)
    services.assessment_reopen(assessment=draft, user=secretariat, reason="Robin's text")
    draft.refresh_from_db()
    client.post(
        url("assessment_autosave", draft=draft),
        {"version": str(draft.version), "r3-status_comment": "Typed late"},
    )
    assert "are back in the form" not in client.get(url(draft=draft)).content.decode()
    assert not HeldAnswers.objects.filter(assessment=draft).exists()


def test_held_text_can_be_discarded(client_of, respondent, colleague, draft):
    typing = form_post(draft, r3__status_comment="Never mind")
    submitted_by(colleague, draft)
    client = client_of(respondent)
    client.post(url(draft=draft), typing)
    client.post(url("assessment_held_discard", draft=draft))
    assert not HeldAnswers.objects.filter(assessment=draft).exists()


def test_an_expired_session_keeps_the_typed_answers_for_after_login(respondent, draft):
    browser = Client()
    browser.force_login(respondent)
    typed = form_post(draft, r4__status="ongoing", r4__evidence="Our ISMS policy, 2026.")
    browser.session.flush()  # the session expires while the person types
    browser.cookies.pop("sessionid", None)
    response = browser.post(url(draft=draft), typed)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert answer(draft, 4).status == ""  # not saved by an anonymous request

    logged_in = browser.post(
        response["Location"], {"username": respondent.email, "password": PASSWORD}, follow=True
    )
    html = logged_in.content.decode()
    assert "answers you typed before your session expired" in html
    assert "Our ISMS policy, 2026.</textarea>" in html
    browser.post(url(draft=draft), typed)
    assert answer(draft, 4).evidence == "Our ISMS policy, 2026."


def test_autosave_after_the_session_expired_answers_401_and_holds_the_answers(respondent, draft):
    browser = Client()
    response = browser.post(
        url("assessment_autosave", draft=draft),
        {"version": "1", "r6-status_comment": "Typed while logged out"},
    )
    assert response.status_code == 401
    assert response.json()["login_url"].startswith(reverse("login"))
    browser.post(reverse("login"), {"username": respondent.email, "password": PASSWORD})
    html = browser.get(url(draft=draft)).content.decode()
    assert "Typed while logged out</textarea>" in html


def test_over_long_text_is_refused_in_place_and_the_rest_is_saved(client_of, respondent, draft):
    response = client_of(respondent).post(
        url(draft=draft), form_post(draft, r1__status="ongoing", r3__status_comment="x" * 3001)
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "This answer is 3001 characters long; the limit is 3000." in html
    assert "except 1 answer that needs your attention" in html
    assert 'value="ongoing" id="id_r1-status_2" checked' in html
    assert "x" * 3001 in html  # the refused text stays in the form, not saved
    assert answer(draft, 1).status == "ongoing"
    assert answer(draft, 3).status_comment == ""
    assert 'name="version" value="2"' in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("r2-maturity_current", "7", "Choose a level from 1 to 5"),
        ("r2-status", "done", "is not one of the five implementation statuses"),
        ("r2-evidence_url", "not a link", "Enter a valid URL"),
        ("r2-focus", "maybe", "Answer yes or no."),
    ],
)
def test_a_refused_answer_is_named_kept_and_the_valid_ones_saved(
    client_of, respondent, draft, field, value, message
):
    client = client_of(respondent)
    response = client.post(
        url(draft=draft), {**form_post(draft, r1__status="ongoing"), field: value}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Saved at" in html and "except 1 answer that needs your attention" in html
    if field.endswith("evidence_url"):
        assert f'value="{value}"' in html  # kept in the page until fixed
    assert answer(draft, 1).status == "ongoing"
    autosave = client.post(
        url("assessment_autosave", draft=draft),
        {"version": "2", "r1-status_comment": "Kept", field: value},
    )
    body = autosave.json()
    assert autosave.status_code == 200
    assert body["message"].startswith("Saved at") and "except 1 answer" in body["message"]
    assert message in " ".join(body["refused"][field])
    assert body["saved"] == ["r1-status_comment"]
    assert answer(draft, 1).status_comment == "Kept"
    assert Assessment.objects.get(pk=draft.pk).version == 3


def test_an_autosave_of_only_refused_answers_saves_nothing_and_says_so(
    client_of, respondent, draft
):
    response = client_of(respondent).post(
        url("assessment_autosave", draft=draft),
        {"version": "1", "r2-evidence_url": "not a link"},
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("Not saved")
    assert "Enter a valid URL." in response.json()["errors"]["r2-evidence_url"]
    assert Assessment.objects.get(pk=draft.pk).version == 1


def test_an_answer_for_an_unknown_recommendation_saves_nothing(client_of, respondent, draft):
    client = client_of(respondent)
    response = client.post(
        url(draft=draft), {**form_post(draft, r1__status="ongoing"), "r11-status": "ongoing"}
    )
    assert response.status_code == 400
    assert "There is no recommendation 11 in this framework" in response.content.decode()
    autosave = client.post(
        url("assessment_autosave", draft=draft),
        {"version": "1", "r1-status": "ongoing", "r11-status": "ongoing"},
    )
    assert autosave.status_code == 400
    assert answer(draft, 1).status == ""


def test_a_post_without_the_csrf_token_is_refused(respondent, draft):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(respondent)
    response = browser.post(url(draft=draft), form_post(draft, r1__status="ongoing"))
    assert response.status_code == 403
    assert answer(draft, 1).status == ""


def test_forged_fields_change_nothing_but_answers(client_of, respondent, draft, other_office):
    client_of(respondent).post(
        url(draft=draft),
        {
            **form_post(draft, r1__status="ongoing"),
            "status": "submitted",
            "office": other_office.pk,
            "submitted_at": "2020-01-01",
        },
    )
    stored = Assessment.objects.get(pk=draft.pk)
    assert (stored.status, stored.office_id, stored.submitted_at) == (
        "draft",
        draft.office_id,
        None,
    )


def test_a_tampered_version_is_a_conflict_not_an_overwrite(client_of, respondent, colleague, draft):
    services.assessment_save(
        assessment=draft, user=colleague, base_version=1, values={"r1-status": "implemented"}
    )
    response = client_of(respondent).post(
        url(draft=draft), {**form_post(draft, r1__status="not_planned"), "version": "1"}
    )
    assert response.status_code == 409
    assert answer(draft, 1).status == "implemented"


def test_a_viewer_reads_but_cannot_change(client_of, viewer, draft):
    client = client_of(viewer)
    page = client.get(url(draft=draft))
    assert page.status_code == 200
    assert "only the office’s respondents can change it" in page.content.decode()
    assert client.post(url(draft=draft), form_post(draft, r1__status="ongoing")).status_code == 403
    assert (
        client.post(
            url("assessment_autosave", draft=draft), {"version": "1", "r1-status": "ongoing"}
        ).status_code
        == 403
    )
    assert client.post(url("assessment_review", draft=draft), {"version": "1"}).status_code == 403
    assert answer(draft, 1).status == ""


ALL_PAGES = [
    "assessment_form",
    "assessment_autosave",
    "assessment_start",
    "assessment_copy",
    "assessment_keep_copied",
    "assessment_held_discard",
    "assessment_reopen_request",
    "assessment_review",
    "assessment_history",
    "assessment_reopen",
]


@pytest.mark.parametrize("name", ALL_PAGES)
def test_another_office_is_refused_every_page(client_of, outsider, draft, name):
    client = client_of(outsider)
    assert client.get(url(name, draft=draft)).status_code in (404, 405)
    assert (
        client.post(
            url(name, draft=draft), {"version": "1", "r1-status": "ongoing", "reason": "x"}
        ).status_code
        == 404
    )
    assert answer(draft, 1).status == ""
    assert Assessment.objects.get(pk=draft.pk).version == 1


@pytest.mark.parametrize("name", ALL_PAGES)
def test_an_anonymous_visitor_is_refused_every_page(client, draft, name):
    response = client.post(url(name, draft=draft), {"version": "1", "r1-status": "ongoing"})
    assert response.status_code in (302, 401)
    assert answer(draft, 1).status == ""


def test_a_colead_reads_submissions_but_not_drafts(client_of, colead, respondent, draft):
    client = client_of(colead)
    assert client.get(url(draft=draft)).status_code == 404
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values=complete_values()
    )
    services.assessment_submit(assessment=draft, user=respondent, base_version=2)
    assert client.get(url(draft=draft)).status_code == 200
    assert client.post(url(draft=draft), form_post(draft)).status_code == 403


def test_the_review_lists_what_is_missing_and_refuses_to_submit(client_of, respondent, draft):
    client = client_of(respondent)
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values=complete_values(range(1, 9))
    )
    html = client.get(url("assessment_review", draft=draft)).content.decode()
    assert "2 sections still need answers" in html
    assert "9. " in html and "10. " in html
    response = client.post(url("assessment_review", draft=draft), {"version": "2"})
    assert response.status_code == 400
    assert "Not submitted: some answers are still missing." in response.content.decode()
    assert Assessment.objects.get(pk=draft.pk).status == "draft"


def test_submitting_locks_the_form(client_of, respondent, draft):
    client = client_of(respondent)
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values=complete_values()
    )
    response = client.post(url("assessment_review", draft=draft), {"version": "2"})
    assert response.status_code == 302
    assert Assessment.objects.get(pk=draft.pk).status == "submitted"
    html = client.get(url(draft=draft)).content.decode()
    assert "is read-only" in html
    assert 'id="id_r1-status_2" checked disabled' in html or "disabled" in html
    client.post(url(draft=draft), form_post(draft, r1__status="implemented"))
    assert answer(draft, 1).status == "ongoing"


def test_the_history_shows_each_change_with_who_and_old_and_new(
    client_of, respondent, viewer, secretariat, draft
):
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values={"r3-status": "decided"}
    )
    services.assessment_save(
        assessment=draft, user=respondent, base_version=2, values={"r3-status": "ongoing"}
    )
    for person in (respondent, viewer, secretariat):
        html = client_of(person).get(url("assessment_history", draft=draft)).content.decode()
        assert "Recommendation 3: Implementation status" in html
        assert "Decision made to implement" in html and "Ongoing implementation" in html
        assert respondent.email in html


def test_the_secretariat_reopens_from_the_history_page(client_of, respondent, secretariat, draft):
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values=complete_values()
    )
    services.assessment_submit(assessment=draft, user=respondent, base_version=2)
    client = client_of(secretariat)
    assert (
        "Reopen this submission"
        in client.get(url("assessment_history", draft=draft)).content.decode()
    )
    refused = client.post(url("assessment_reopen", draft=draft), {"reason": ""})
    assert refused.status_code == 302
    assert Assessment.objects.get(pk=draft.pk).status == "submitted"
    client.post(url("assessment_reopen", draft=draft), {"reason": "Wrong year in R4."})
    assert Assessment.objects.get(pk=draft.pk).status == "draft"
    html = client.get(url("assessment_history", draft=draft)).content.decode()
    assert "Reason: <bdi>Wrong year in R4.</bdi>" in html


def test_a_respondent_starts_the_assessment(client_of, respondent, open_cycle):
    client = client_of(respondent)
    page = client.get(url(year=open_cycle.year))
    assert "Start with an empty form" in page.content.decode()
    client.post(url("assessment_start", year=open_cycle.year))
    assert Assessment.objects.get(cycle=open_cycle, office__code="AU").answers.count() == 10


def test_the_form_page_takes_a_fixed_number_of_queries(
    client_of, respondent, draft, django_assert_max_num_queries
):
    client = client_of(respondent)
    client.get(url(draft=draft))  # the framework's wording, read once for every office
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values={"r1-status": "ongoing"}
    )
    # A version not shown yet: 2 for the session and the person (with whether they have an
    # authenticator), 2 to find the assessment, 1 for what decides whether its sections can
    # be reused (answers held for the person, stamps of last year's submission and of the
    # roadmap), the menu's offices; then, to render the sections, the answers, last year's
    # submission (none here) and the roadmap's actions done.
    with django_assert_max_num_queries(9) as rendered:
        client.get(url(draft=draft))
    # The same version again, by a colleague too: the sections from the cache.
    with django_assert_max_num_queries(6):
        client.get(url(draft=draft))
    services.assessment_save(
        assessment=draft,
        user=respondent,
        base_version=2,
        values={**complete_values(), **{f"r{n}-evidence": "long text " * 50 for n in range(1, 11)}},
    )
    for version in range(3, 9):
        services.assessment_save(
            assessment=draft,
            user=respondent,
            base_version=version,
            values={"r1-status_comment": f"edit {version}"},
        )
    with django_assert_max_num_queries(len(rendered.captured_queries)):
        client.get(url(draft=draft))


def test_the_office_home_shows_progress_and_the_deadline(client_of, respondent, draft):
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values=complete_values([1, 2, 3, 4])
    )
    html = client_of(respondent).get(reverse("office_home", args=["AU"])).content.decode()
    assert "Draft, 4/10 complete" in html
    assert "30 days left" in html


def test_an_autosave_takes_a_fixed_number_of_queries(
    client_of, respondent, draft, django_assert_max_num_queries
):
    client = client_of(respondent)
    client.get(url(draft=draft))  # the session's renewal, once a minute, is not the save's
    # 2 for the session and the person, 2 to find the assessment (its office with the
    # person's role, then it with its cycle), lock, read the answers (which also count the
    # complete sections), write them, the version and the history entry; 2 savepoints in
    # tests.
    with django_assert_max_num_queries(11) as one:
        client.post(
            url("assessment_autosave", draft=draft), {"version": "1", "r1-status": "ongoing"}
        )
    many = {"version": "2"}
    for number in range(1, 11):
        many.update(
            {
                f"r{number}-status": "implemented",
                f"r{number}-maturity_current": "4",
                f"r{number}-evidence": f"Evidence {number}",
                f"r{number}-focus": "on",
            }
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.post(url("assessment_autosave", draft=draft), many)
    assert response.status_code == 200
    assert answer(draft, 10).maturity_current == 4


# --- Starting from last year's answers ------------------------------------------------------


@pytest.fixture
def last_year(draft, office):
    from tests.factories import make_assessment, make_cycle

    cycle = make_cycle(draft.cycle.year - 1, offices=[office])
    return make_assessment(
        cycle,
        office,
        submitted=True,
        r1={"status": "implemented", "maturity_current": 4, "focus": True, "challenge": True},
        r2={"status": "decided", "status_comment": "Planned for 2026.", "focus": True},
    )


def test_the_copy_is_previewed_before_anything_is_filled(client_of, respondent, draft, last_year):
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values={"r1-focus": False}
    )
    page = client_of(respondent).get(url("assessment_copy", draft=draft))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Recommendation 1: Implementation status" in html
    assert "Recommendation 2: Comments on the status" in html
    assert "Recommendation 1: A current focus of our office" not in html  # a "no" this year
    assert "Recommendation 1: A big implementation challenge" in html
    assert Assessment.objects.get(pk=draft.pk).version == 2  # nothing filled yet


def test_copied_answers_are_marked_until_kept_or_changed(client_of, respondent, draft, last_year):
    client = client_of(respondent)
    response = client.post(url("assessment_copy", draft=draft), {"version": "1"}, follow=True)
    html = response.content.decode()
    assert "are marked in the form until you keep or change them" in html
    assert html.count('class="copied-tag"') == 7
    assert answer(draft, 2).status_comment == "Planned for 2026."
    client.post(url("assessment_keep_copied", draft=draft), {"section": "r1"})
    draft.refresh_from_db()
    client.post(url(draft=draft), form_post(draft, r2__status_comment="Changed"))
    html = client.get(url(draft=draft)).content.decode()
    assert html.count('class="copied-tag"') == 2  # r2's status and focus, still unconfirmed


def test_a_copied_answer_changed_in_a_partly_refused_save_is_no_longer_marked(
    client_of, respondent, draft, last_year
):
    client = client_of(respondent)
    client.post(url("assessment_copy", draft=draft), {"version": "1"})
    draft.refresh_from_db()
    response = client.post(
        url(draft=draft),
        form_post(draft, r2__status_comment="Changed", r3__status_comment="x" * 3001),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert answer(draft, 2).status_comment == "Changed"
    assert "r2-status_comment" not in Assessment.objects.get(pk=draft.pk).copied_keys
    assert html.count('class="copied-tag"') == 6  # all but the comment just changed


def test_a_copy_is_undone_from_the_history_keeping_later_edits(
    client_of, respondent, draft, last_year
):
    client = client_of(respondent)
    client.post(url("assessment_copy", draft=draft), {"version": "1"})
    draft.refresh_from_db()
    client.post(url(draft=draft), form_post(draft, r2__status_comment="Edited after the copy"))
    copy = draft.events.get(kind="copy")
    history = client.get(url("assessment_history", draft=draft)).content.decode()
    assert "Undo this copy" in history
    undo = reverse(
        "assessment_undo_copy", kwargs={"code": "AU", "year": draft.cycle.year, "pk": copy.pk}
    )
    response = client.post(undo, follow=True)
    assert "Copy undone" in response.content.decode()
    assert (answer(draft, 1).status, answer(draft, 1).focus) == ("", None)
    assert answer(draft, 2).status_comment == "Edited after the copy"
    assert draft.events.latest("version").kind == "undo"
    assert (
        "Undo this copy" not in client.get(url("assessment_history", draft=draft)).content.decode()
    )


def test_undoing_a_copy_is_refused_to_another_office_and_anonymous(
    client, client_of, outsider, respondent, draft, last_year
):
    services.assessment_copy_previous(assessment=draft, user=respondent, base_version=1)
    copy = draft.events.get(kind="copy")
    undo = reverse(
        "assessment_undo_copy", kwargs={"code": "AU", "year": draft.cycle.year, "pk": copy.pk}
    )
    assert client.post(undo).status_code == 302  # to the login page
    assert client_of(outsider).post(undo).status_code == 404
    assert answer(draft, 1).status == "implemented"


def test_starting_from_last_year_shows_the_preview_first(client_of, respondent, open_cycle, office):
    from tests.factories import make_assessment, make_cycle

    make_assessment(
        make_cycle(open_cycle.year - 1, offices=[office]),
        office,
        submitted=True,
        r7={"status": "implemented"},
    )
    response = client_of(respondent).post(
        url("assessment_start", year=open_cycle.year), {"from_last_year": "1"}
    )
    assert response["Location"] == url("assessment_copy", year=open_cycle.year)
    assert (
        Answer.objects.get(
            recommendation__number=7, assessment__office=office, assessment__cycle=open_cycle
        ).status
        == ""
    )


def test_a_colead_reads_a_reopened_assessment_as_it_was_submitted(client_of, colead, revised):
    client = client_of(colead)
    for page in ("assessment_form", "assessment_review"):
        html = client.get(url(page, draft=revised)).content.decode()
        assert "Reopened on" in html and "being revised by the office" in html
        assert "As submitted." in html or page == "assessment_review"
        assert "Work in progress." not in html and "Half-written." not in html
    form = client.get(url(draft=revised)).content.decode()
    # Readers get the answers to read (the summary), not a disabled form.
    assert re.search(r"1\. [^<]*</th>\s*<td>Ongoing implementation</td>", form)
    assert "Sent." in form
    assert client.get(url("assessment_history", draft=revised)).status_code == 404


def test_the_office_and_the_secretariat_read_the_draft_being_revised(
    client_of, respondent, secretariat, revised
):
    for person in (respondent, secretariat):
        html = client_of(person).get(url(draft=revised)).content.decode()
        assert "Work in progress." in html and "being revised by the office" not in html


def test_a_colead_sees_a_reopened_assessment_as_submitted_on_the_office_home(
    client_of, colead, revised
):
    html = client_of(colead).get(reverse("office_home", args=["AU"])).content.decode()
    assert "reopened, being revised" in html
    assert "complete" not in html  # nothing of the draft's progress
    assert (
        reverse("assessment_history", kwargs={"code": "AU", "year": revised.cycle.year}) not in html
    )


def test_an_autosave_of_two_answers_writes_them_and_answers_a_few_hundred_bytes(
    client_of, respondent, draft, django_assert_max_num_queries
):
    client = client_of(respondent)
    client.get(url(draft=draft))
    with django_assert_max_num_queries(11):
        response = client.post(
            url("assessment_autosave", draft=draft),
            {"version": "1", "r1-status": "ongoing", "r2-maturity_current": "3"},
        )
    body = response.json()
    assert response.status_code == 200 and len(response.content) < 400
    assert body["saved"] == ["r1-status", "r2-maturity_current"]
    assert (answer(draft, 1).status, answer(draft, 2).maturity_current) == ("ongoing", 3)
    event = Assessment.objects.get(pk=draft.pk).events.get(version=2)
    assert [change["field"] for change in event.changes] == ["r1-status", "r2-maturity_current"]


def test_an_autosave_counts_complete_sections_as_the_review_does(client_of, respondent, draft):
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values=complete_values([1, 2, 3])
    )
    response = client_of(respondent).post(
        url("assessment_autosave", draft=draft),
        {"version": "2", "r3-maturity_current": "", "r4-status": "ongoing"},
    )
    assert response.json()["complete"] == 2
    draft.refresh_from_db()
    missing = services.assessment_missing(services.Assessment.objects.get(pk=draft.pk))
    assert response.json()["complete"] == 10 - len(missing.by_recommendation)


def test_an_autosave_builds_only_the_fields_it_was_sent():
    from assessments.forms import AnswersForm

    form = AnswersForm({"version": "1", "r2-status": "ongoing"}, numbers=range(1, 11), partial=True)
    assert set(form.fields) == {"version", "r2-status"}
    assert form.is_valid()
    unknown = AnswersForm(
        {"version": "1", "r12-status": "ongoing"}, numbers=range(1, 11), partial=True
    )
    assert not unknown.is_valid() and unknown.unknown_numbers == [12]


# --- The history ----------------------------------------------------------------------------


def test_one_persons_saves_in_a_row_make_one_history_entry_listing_every_change(
    client_of, respondent, colleague, draft
):
    for version, text in enumerate(["First", "Second", "Third"], start=1):
        services.assessment_save(
            assessment=draft, user=respondent, base_version=version, values={"proposals": text}
        )
    services.assessment_save(
        assessment=draft, user=colleague, base_version=4, values={"r2-status": "ongoing"}
    )
    services.assessment_save(
        assessment=draft, user=respondent, base_version=5, values={"r2-status": "decided"}
    )
    html = client_of(respondent).get(url("assessment_history", draft=draft)).content.decode()
    assert html.count('class="history-entry') == 4  # respondent, colleague, respondent, start
    assert "3 saves, versions 2–4" in html
    for text in ("First", "Second", "Third"):
        assert (
            f'<td dir="auto">{text}</td>' in html
        )  # every value it went through, not only the last


def _typing(draft, user, count):
    """``count`` autosaves of one person a few seconds apart, as hours of typing leave."""
    start = timezone.now() - datetime.timedelta(hours=3)
    AssessmentEvent.objects.bulk_create(
        AssessmentEvent(
            assessment=draft,
            kind=AssessmentEvent.Kind.SAVE,
            user=user,
            at=start + datetime.timedelta(seconds=2 * n),
            version=draft.version + 1 + n,
            changes=[{"field": "proposals", "old": f"text {n}", "new": f"text {n + 1}"}],
        )
        for n in range(count)
    )
    Assessment.objects.filter(pk=draft.pk).update(version=draft.version + count)


def test_the_history_of_thousands_of_autosaves_is_paged_and_renders_a_bounded_page(
    client_of, respondent, draft, django_assert_max_num_queries
):
    client = client_of(respondent)
    _typing(draft, respondent, 20)
    with django_assert_max_num_queries(20) as few:
        small = client.get(url("assessment_history", draft=draft))
    _typing(Assessment.objects.get(pk=draft.pk), respondent, 5000)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url("assessment_history", draft=draft))
    html = page.content.decode()
    assert page.status_code == 200
    assert len(page.content) < 20 * len(small.content)
    assert html.count("<td>text ") <= 2 * 100  # one page of saves, each with its before/after
    assert "Page 1 of 51" in html and 'rel="next"' in html
    last = client.get(url("assessment_history", draft=draft) + "?page=51").content.decode()
    assert "Started" in last  # the oldest entry is on the last page


# --- What the form page keeps between requests ------------------------------------------------


def test_the_form_marks_copied_answers_without_reading_the_history(
    client_of, respondent, office, draft
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    last_year = make_cycle(draft.cycle.year - 1, offices=[office])
    make_assessment(last_year, office, submitted=True, r2={"status_comment": "Last year's"})
    services.assessment_copy_previous(assessment=draft, user=respondent, base_version=1)
    _typing(Assessment.objects.get(pk=draft.pk), respondent, 200)
    client = client_of(respondent)
    client.get(url(draft=draft))
    with CaptureQueriesContext(connection) as read:
        html = client.get(url(draft=draft)).content.decode()
    assert "assessments_assessmentevent" not in " ".join(q["sql"] for q in read.captured_queries)
    assert "r2-status_comment" in Assessment.objects.get(pk=draft.pk).copied_keys
    assert "from last year’s submission" in html


def test_copied_answers_are_worked_out_from_the_history_on_upgrade(respondent, office, draft):
    import importlib

    from django.apps import apps

    last_year = make_cycle(draft.cycle.year - 1, offices=[office])
    make_assessment(
        last_year,
        office,
        submitted=True,
        r2={"status_comment": "Last year's"},
        r3={"status_comment": "Also last year's"},
    )
    services.assessment_copy_previous(assessment=draft, user=respondent, base_version=1)
    services.assessment_save(
        assessment=draft, user=respondent, base_version=2, values={"r2-status_comment": "Mine"}
    )
    kept = set(Assessment.objects.get(pk=draft.pk).copied_keys)
    Assessment.objects.filter(pk=draft.pk).update(copied_keys=[])
    migration = importlib.import_module(
        "assessments.migrations.0006_copied_answers_kept_on_the_assessment"
    )
    migration.copied_from_history(apps, None)
    after = set(Assessment.objects.get(pk=draft.pk).copied_keys)
    assert after == kept == {"r3-status_comment"}


def test_the_form_page_reads_the_frameworks_wording_once_not_on_every_request(
    client_of, respondent, draft
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_of(respondent)
    client.get(url(draft=draft))
    with CaptureQueriesContext(connection) as again:
        html = client.get(url(draft=draft)).content.decode()
    read = " ".join(query["sql"] for query in again.captured_queries)
    assert "recommendations_maturitylevel" not in read
    assert 'FROM "recommendations_recommendation"' not in read
    level = draft.cycle.framework.recommendations.get(number=1).levels.get(level=1)
    assert level.descriptor in html


def test_a_change_to_a_draft_frameworks_wording_shows_on_the_form_at_once(
    client_of, respondent, draft
):
    client = client_of(respondent)
    client.get(url(draft=draft))
    level = draft.cycle.framework.recommendations.get(number=1).levels.get(level=2)
    level.descriptor = "A newly worded descriptor."
    level.save()
    assert "A newly worded descriptor." in client.get(url(draft=draft)).content.decode()


def test_the_preview_says_where_answers_come_from_across_framework_versions(
    client_of, respondent, office, merged_cycle, submitted_on_2024
):
    draft = services.assessment_start(cycle=merged_cycle, office=office, user=respondent)
    html = client_of(respondent).get(url("assessment_copy", draft=draft)).content.decode()
    assert "From the 2024 framework to the 2027 framework" in html
    assert (
        "Recommendation 2: from recommendations 2, 8 and 9 of 2024, merged: the least advanced "
        "status and the lowest level, each comment under its old number." in html
    )
    assert "Recommendation 8: from recommendation 10 of 2024." in html
    assert "Recommendation 3: from" not in html  # the same recommendation: nothing to say
    assert "[2] Cloud first since 2022.<br><br>[9] A data lake." in html


def test_the_preview_says_why_nothing_comes_from_an_unrelated_framework(
    client_of, respondent, office, merged_cycle, submitted_on_2024
):
    from recommendations.models import Framework

    Framework.objects.filter(pk=merged_cycle.framework_id).update(derived_from=None)
    draft = services.assessment_start(cycle=merged_cycle, office=office, user=respondent)
    html = client_of(respondent).get(url("assessment_copy", draft=draft)).content.decode()
    assert "which this year’s \u20682027\u2069 framework does not continue" in html
    assert "Fill these" not in html


def test_another_office_cannot_preview_the_copy_across_versions(
    client_of, respondent, outsider, office, merged_cycle, submitted_on_2024
):
    draft = services.assessment_start(cycle=merged_cycle, office=office, user=respondent)
    assert client_of(outsider).get(url("assessment_copy", draft=draft)).status_code in (403, 404)
