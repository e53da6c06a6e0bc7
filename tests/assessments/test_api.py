import pytest
from django.urls import reverse

from assessments.models import Assessment, AssessmentEvent
from assessments.services import assessment_save
from tests.api import token_client

pytestmark = pytest.mark.django_db


def url(draft, suffix=""):
    name = {
        "": "api_assessment",
        "submit": "api_assessment_submit",
        "start": "api_assessment_start",
    }
    return reverse(name[suffix], args=[draft.office.code, draft.cycle.year])


def complete_answers(numbers=range(1, 11)):
    return [{"recommendation": n, "status": "ongoing", "maturity_current": 2} for n in numbers]


def test_a_respondent_reads_the_draft_with_its_version_as_etag(respondent, draft):
    response = token_client(respondent).get(url(draft))
    assert response.status_code == 200
    body = response.json()
    assert response["ETag"] == f'"{draft.version}"'
    assert (body["office"], body["status"], body["version"]) == ("AU", "draft", draft.version)
    assert [a["recommendation"] for a in body["answers"]] == list(range(1, 11))
    # A yes/no question of a draft is not answered yet until someone answers it.
    assert body["answers"][0]["focus"] is None and body["editable"] is True


def test_an_update_is_saved_and_recorded_in_the_history(respondent, draft):
    client = token_client(respondent)
    response = client.patch(
        url(draft),
        {
            "answers": [{"recommendation": 3, "status": "implemented", "maturity_current": 4}],
            "proposals": "Add cloud.",
        },
        format="json",
        HTTP_IF_MATCH=f'"{draft.version}"',
    )
    assert response.status_code == 200, response.json()
    draft.refresh_from_db()
    answer = draft.answers.get(recommendation__number=3)
    assert (answer.status, answer.maturity_current, draft.proposals) == (
        "implemented",
        4,
        "Add cloud.",
    )
    assert response["ETag"] == f'"{draft.version}"'
    event = draft.events.latest("version")
    assert (event.kind, event.user) == (AssessmentEvent.Kind.SAVE, respondent)
    assert {c["field"] for c in event.changes} == {"r3-status", "r3-maturity_current", "proposals"}


def test_a_stale_update_gets_412_and_overwrites_nothing(respondent, colleague, draft):
    read = draft.version
    assessment_save(
        assessment=draft, user=colleague, base_version=read, values={"r1-status": "decided"}
    )
    response = token_client(respondent).patch(
        url(draft),
        {"answers": [{"recommendation": 1, "status": "implemented"}]},
        format="json",
        HTTP_IF_MATCH=f'"{read}"',
    )
    assert response.status_code == 412
    assert response.json()["version"] == read + 1
    assert response["ETag"] == f'"{read + 1}"'
    assert draft.answers.get(recommendation__number=1).status == "decided"


def test_even_ones_own_stale_version_is_refused_over_the_api(respondent, draft):
    read = draft.version
    client = token_client(respondent)
    first = client.patch(url(draft), {"proposals": "one"}, format="json", HTTP_IF_MATCH=f'"{read}"')
    assert first.status_code == 200
    second = client.patch(
        url(draft), {"proposals": "two"}, format="json", HTTP_IF_MATCH=f'"{read}"'
    )
    assert second.status_code == 412
    draft.refresh_from_db()
    assert draft.proposals == "one"


def test_an_update_without_if_match_is_refused(respondent, draft):
    response = token_client(respondent).patch(url(draft), {"proposals": "x"}, format="json")
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]


def test_bad_answers_are_refused_with_their_place_and_nothing_is_written(respondent, draft):
    response = token_client(respondent).patch(
        url(draft),
        {
            "answers": [
                {"recommendation": 2, "status": "done", "maturity_current": 9},
                {"recommendation": 4, "status_comment": "x" * 3001},
            ],
            "proposals": "kept out",
        },
        format="json",
        HTTP_IF_MATCH=f'"{draft.version}"',
    )
    assert response.status_code == 400
    errors = response.json()["errors"]["answers"]
    assert set(errors["0"]) == {"status", "maturity_current"}
    assert "status_comment" in errors["1"]
    draft.refresh_from_db()
    assert draft.proposals == "" and draft.version == 1


def test_the_forms_own_rules_apply(respondent, draft):
    response = token_client(respondent).patch(
        url(draft),
        {"answers": [{"recommendation": 5, "evidence_url": "not a link"}]},
        format="json",
        HTTP_IF_MATCH=f'"{draft.version}"',
    )
    assert response.status_code == 400
    # Keyed by position in the list sent, as the serializer's own errors are.
    assert "evidence_url" in response.json()["errors"]["answers"]["0"]


def test_submitting_needs_every_answer_then_locks_the_draft(respondent, draft):
    client = token_client(respondent)
    incomplete = client.post(url(draft, "submit"), HTTP_IF_MATCH=f'"{draft.version}"')
    assert incomplete.status_code == 400
    assert set(incomplete.json()["errors"]["answers"]) == {str(n) for n in range(1, 11)}

    saved = client.patch(
        url(draft),
        {"answers": complete_answers()},
        format="json",
        HTTP_IF_MATCH=f'"{draft.version}"',
    )
    version = saved.json()["version"]
    submitted = client.post(url(draft, "submit"), HTTP_IF_MATCH=f'"{version}"')
    assert submitted.status_code == 200
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.SUBMITTED and draft.submitted_by == respondent
    again = client.patch(
        url(draft), {"proposals": "late"}, format="json", HTTP_IF_MATCH=f'"{draft.version}"'
    )
    assert again.status_code == 409


def test_a_respondent_starts_the_draft_of_an_open_cycle(respondent, open_cycle, office):
    response = token_client(respondent).post(
        reverse("api_assessment_start", args=["AU", open_cycle.year]), {}, format="json"
    )
    assert response.status_code == 201
    assert Assessment.objects.get(cycle=open_cycle, office=office).answers.count() == 10


@pytest.mark.parametrize("who", ["viewer", "colead", "secretariat"])
def test_only_respondents_change_an_assessment(request, who, draft):
    client = token_client(request.getfixturevalue(who))
    response = client.patch(
        url(draft), {"proposals": "x"}, format="json", HTTP_IF_MATCH=f'"{draft.version}"'
    )
    # A co-lead does not even see a draft; the others see it and may not change it.
    assert response.status_code == (404 if who == "colead" else 403)
    draft.refresh_from_db()
    assert draft.proposals == ""


def test_another_office_and_an_anonymous_caller_are_refused(outsider, draft, client):
    outsider_client = token_client(outsider)
    for path in (url(draft), url(draft, "submit"), url(draft, "start")):
        method = outsider_client.get if path == url(draft) else outsider_client.post
        assert method(path).status_code == 404
        assert client.get(path).status_code == 401
    assert (
        outsider_client.patch(
            url(draft), {"proposals": "x"}, format="json", HTTP_IF_MATCH='"1"'
        ).status_code
        == 404
    )


def test_an_if_match_that_is_not_a_version_is_told_so(respondent, draft):
    response = token_client(respondent).patch(
        url(draft), {"proposals": "x"}, format="json", HTTP_IF_MATCH="yesterday"
    )
    assert response.status_code == 400
    assert "If-Match" in response.json()["errors"]
    draft.refresh_from_db()
    assert draft.proposals == ""


def test_a_patch_then_a_stale_web_save_keeps_the_patched_comment(client_of, respondent, draft):
    from tests.assessments.conftest import form_post

    stale_page = form_post(draft)
    patched = token_client(respondent).patch(
        url(draft),
        {"answers": [{"recommendation": 2, "status_comment": "Patched by the script"}]},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert patched.status_code == 200
    web = client_of(respondent).post(
        reverse("assessment_form", args=["AU", draft.cycle.year]),
        {**stale_page, "r5-status": "decided"},
    )
    assert web.status_code == 302
    draft.refresh_from_db()
    assert draft.answers.get(recommendation__number=2).status_comment == "Patched by the script"
    assert draft.answers.get(recommendation__number=5).status == "decided"
    # The API itself stays strict: its own stale version is still refused.
    again = token_client(respondent).patch(
        url(draft),
        {"proposals": "Late"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert again.status_code == 412


def test_a_colead_reads_a_reopened_assessment_as_it_was_submitted(colead, revised):
    response = token_client(colead).get(url(revised))
    body = response.json()
    assert response.status_code == 200
    assert (body["status"], body["version"], body["being_revised"]) == ("submitted", 3, True)
    assert response["ETag"] == '"3"'
    first, second = body["answers"][0], body["answers"][1]
    assert (first["status"], first["status_comment"]) == ("ongoing", "As submitted.")
    assert second["focus"] is False and body["proposals"] == "Sent."


def test_the_office_reads_its_draft_being_revised(respondent, revised):
    body = token_client(respondent).get(url(revised)).json()
    assert (body["status"], body["being_revised"], body["proposals"]) == (
        "draft",
        True,
        "Half-written.",
    )
