import pytest
from django.urls import reverse

from exports.models import ExportJob
from portal.audit.models import AuditEvent
from tests.api import token_client

pytestmark = pytest.mark.django_db


def test_the_secretariat_starts_polls_and_downloads_an_annex_over_the_api(
    survey, secretariat, django_capture_on_commit_callbacks
):
    client = token_client(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            reverse("api_exports"),
            {"kind": "annex", "year": 2025, "symbol": "CWS/14/8", "date": "2026-03-02"},
            format="json",
        )
    assert started.status_code == 202
    job = started.json()
    assert (job["kind"], job["state"], job["year"]) == ("annex", "queued", 2025)
    polled = client.get(reverse("api_export", args=[job["id"]])).json()
    assert polled["state"] == "done" and polled["progress"] == 100
    assert polled["download"] == reverse("api_export_download", args=[job["id"]])
    download = client.get(polled["download"])
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    kinds = set(AuditEvent.objects.values_list("kind", flat=True))
    assert {AuditEvent.Kind.EXPORT, AuditEvent.Kind.EXPORT_DOWNLOADED} <= kinds


def test_asking_again_over_the_api_returns_the_job_under_way(survey, colead):
    client = token_client(colead)
    first = client.post(reverse("api_exports"), {"kind": "xlsx", "year": 2025}, format="json")
    again = client.post(reverse("api_exports"), {"kind": "xlsx", "year": 2025}, format="json")
    assert (first.status_code, again.status_code) == (202, 200)
    assert first.json()["id"] == again.json()["id"]
    assert ExportJob.objects.count() == 1


def test_the_api_applies_the_pages_export_rules(survey, respondent, outsider, colead):
    annex = {"kind": "annex", "year": 2025, "symbol": "CWS/14/8"}
    assert (
        token_client(colead).post(reverse("api_exports"), annex, format="json").status_code == 403
    )
    summary = {"kind": "office_summary", "year": 2025, "office": "AU"}
    assert (
        token_client(outsider).post(reverse("api_exports"), summary, format="json").status_code
        == 404
    )
    assert (
        token_client(respondent).post(reverse("api_exports"), summary, format="json").status_code
        == 202
    )


def test_a_bad_request_is_told_what_is_wrong(survey, secretariat):
    response = token_client(secretariat).post(
        reverse("api_exports"), {"kind": "annex", "year": 2025}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"symbol": ["An annex needs its symbol."]}


def test_an_export_over_the_api_is_in_the_language_asked_for_or_the_requests(survey, colead):
    client = token_client(colead)
    client.post(
        reverse("api_exports"), {"kind": "csv", "year": 2025, "language": "ru"}, format="json"
    )
    client.post(
        reverse("api_exports"),
        {"kind": "xlsx", "year": 2025},
        format="json",
        HTTP_ACCEPT_LANGUAGE="es",
    )
    languages = dict(ExportJob.objects.values_list("kind", "parameters__language"))
    assert languages == {"csv": "ru", "xlsx": "es"}
    refused = client.post(
        reverse("api_exports"), {"kind": "json", "year": 2025, "language": "de"}, format="json"
    )
    assert refused.status_code == 400


def test_a_summary_of_a_year_the_office_submitted_nothing_in_is_refused_at_once(survey, respondent):
    from tests.factories import make_cycle

    make_cycle(2026, offices=[respondent.memberships.get().office])
    response = token_client(respondent).post(
        reverse("api_exports"),
        {"kind": "office_summary", "year": 2026, "office": "AU"},
        format="json",
    )
    assert response.status_code == 404
    assert "submitted no assessment" in response.json()["detail"]
    assert not ExportJob.objects.exists()
