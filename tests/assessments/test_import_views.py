"""The secretariat checks and imports a past survey from its page."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Answer, Assessment, AssessmentEvent, Cycle, Invitation
from portal.offices.models import Office

pytestmark = pytest.mark.django_db

URL = "/secretariat/import/"

SURVEY = {
    "format": "ict-maturity-exchange",
    "version": 1,
    "cycle": {"year": 2021, "framework": "2024"},
    "offices": [{"code": "AU", "name": "IP Australia"}],
    "assessments": [
        {
            "office": "AU",
            "answers": [{"recommendation": 1, "status": "implemented", "maturity": 3}],
        },
        {"office": "NZ", "answers": [{"recommendation": 2, "status": None}]},
    ],
}


def upload(data, name="survey-2021.json") -> SimpleUploadedFile:
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, content, content_type="application/json")


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Office, Cycle, Invitation, Assessment, Answer, AssessmentEvent)
    }


@pytest.fixture
def page(client_of, secretariat, framework, office):
    """The secretariat's import page; IP Australia is in the portal."""
    return client_of(secretariat)


def test_the_page_is_wired_to_its_url():
    assert reverse("survey_import") == URL


def test_the_secretariat_sees_the_upload_form_with_check_only_ticked(page):
    response = page.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="file" name="file"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'type="checkbox" name="dry_run" id="id_dry_run" checked' in html
    assert "docs/exchange-format.md" in html


def test_the_secretariat_home_links_to_the_page(page):
    assert f'href="{URL}"' in page.get(reverse("secretariat_home")).content.decode()


def test_a_dry_run_upload_reports_what_would_be_imported_and_writes_nothing(page):
    before = counts()
    response = page.post(URL, {"file": upload(SURVEY), "dry_run": "on"})

    assert response.status_code == 200
    assert counts() == before
    html = response.content.decode()
    assert "survey-2021.json has no problems. Importing it would give:" in html
    assert "untick “Check only”" in html


def test_with_check_only_unticked_the_survey_is_imported(page, secretariat, office):
    response = page.post(URL, {"file": upload(SURVEY)})

    assert response.status_code == 200
    assert "survey-2021.json is imported:" in response.content.decode()
    imported = Assessment.objects.get(cycle__year=2021, office=office)
    assert imported.status == Assessment.Status.SUBMITTED
    submit = imported.events.get(kind="submit")
    assert (submit.user, submit.reason) == (secretariat, "imported from survey-2021.json")
    assert Office.objects.filter(code="NZ").exists()


def test_uploading_the_same_file_again_changes_nothing(page):
    page.post(URL, {"file": upload(SURVEY)})
    before = counts()

    response = page.post(URL, {"file": upload(SURVEY)})

    assert counts() == before
    assert "Nothing changed" in response.content.decode()


def test_a_file_with_problems_lists_them_all_and_imports_nothing(page):
    bad = json.loads(json.dumps(SURVEY))
    bad["assessments"][0]["answers"][0]["status"] = "done"
    bad["assessments"][1]["office"] = "QQ"
    before = counts()

    response = page.post(URL, {"file": upload(bad)})

    assert counts() == before
    html = response.content.decode()
    assert "2 problems in survey-2021.json: nothing was imported" in html
    assert "<td><code>assessments[0].answers[0].status</code></td>" in html
    assert "“done” is not a status" in html
    assert "<td><code>assessments[1].office</code></td>" in html
    assert "“QQ” is not a WIPO ST.3 code. Did you mean QA (Qatar)" in html


def test_a_file_that_is_not_json_is_refused_with_its_line_and_column(page):
    before = counts()
    response = page.post(URL, {"file": upload(b'{"format": 1,\n  "version" 1}')})

    assert counts() == before
    assert (
        "The file is not valid JSON: Expecting &#x27;:&#x27; delimiter at line 2, column 13."
        in response.content.decode()
    )


def test_a_file_over_5_mb_is_refused(page):
    big = b" " * (5 * 1024 * 1024) + b"{}"
    response = page.post(URL, {"file": upload(big)})

    assert "The file is 5.0\xa0MB; the limit is 5 MB." in response.content.decode()
    assert not Cycle.objects.exists()


def test_posting_without_a_file_asks_for_one(page):
    response = page.post(URL, {"dry_run": "on"})
    assert "This field is required." in response.content.decode()


@pytest.mark.parametrize("person", ["colead", "respondent", "viewer"])
def test_only_the_secretariat_may_import(request, client_of, framework, person):
    client = client_of(request.getfixturevalue(person))
    before = counts()

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": upload(SURVEY)}).status_code == 403
    assert counts() == before


def test_an_anonymous_visitor_is_sent_to_login_and_nothing_is_imported(client, framework):
    before = counts()
    for response in (client.get(URL), client.post(URL, {"file": upload(SURVEY)})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert counts() == before


def test_a_file_nested_fifty_thousand_deep_is_refused_clearly(page):
    before = counts()
    response = page.post(URL, {"file": upload(b"[" * 50000 + b"]" * 50000)})
    assert response.status_code == 200
    assert "more than 32 levels deep" in response.content.decode()
    assert counts() == before


def test_the_dry_run_reports_a_nul_in_a_comment_as_the_import_would(page):
    data = json.loads(json.dumps(SURVEY))
    data["assessments"][0]["answers"][0]["status_comment"] = "Done.\x00"
    before = counts()
    for dry_run in (True, False):
        response = page.post(URL, {"file": upload(data), "dry_run": "on" if dry_run else ""})
        html = response.content.decode()
        assert "1 problem in survey-2021.json: nothing was imported" in html
        assert "<td><code>assessments[0].answers[0].status_comment</code></td>" in html
        assert "Contains a control character (U+0000) at character 6" in html
    assert counts() == before
