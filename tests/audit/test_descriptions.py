"""The audit log names what each event is about as people do, not by table and number."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exports.models import ExportJob
from portal.api.services import token_create
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from tests.factories import make_assessment, make_cycle

pytestmark = pytest.mark.django_db

Kind = AuditEvent.Kind
URL = reverse("audit_log")
keys = itertools.count()


@pytest.fixture
def reader(client_of, secretariat):
    client = client_of(secretariat)
    AuditEvent.objects.all().delete()
    return client


@pytest.fixture
def cycle(office):
    return make_cycle(2025, offices=[office])


def export(cycle, person, kind=ExportJob.Kind.ANNEX, office=None) -> ExportJob:
    job = ExportJob.objects.create(
        kind=kind, cycle=cycle, office=office, requested_by=person, request_key=next(keys)
    )
    audit_record(kind=Kind.EXPORT, user=person, target=job)
    return job


def described(reader) -> list[str]:
    return [row.target for row in reader.get(URL).context["rows"]]


def test_an_annex_export_is_named_by_its_year_and_who_asked_for_it(reader, cycle, secretariat):
    export(cycle, secretariat)
    assert described(reader) == ["Annex export of 2025 by secretariat@ib.test"]


def test_an_office_summary_is_named_by_its_office(viewer, reader, cycle, office):
    export(cycle, viewer, kind=ExportJob.Kind.OFFICE_SUMMARY, office=office)
    assert described(reader) == ["Summary of AU for 2025, exported by jo@ipaustralia.test"]


def test_a_reopening_names_the_office_and_the_year(reader, cycle, office, secretariat):
    assessment = make_assessment(cycle, office, submitted=True)
    audit_record(kind=Kind.REOPENED, user=secretariat, target=assessment)
    html = reader.get(URL).content.decode()
    assert "Assessment of AU, 2025" in html
    assert "assessments.Assessment" not in html


def test_an_account_and_an_api_token_are_named_by_their_owner(respondent, reader):
    token_create(user=respondent, name="nightly sync")
    audit_record(kind=Kind.ROLE_CHANGED, target=respondent)
    assert described(reader) == [
        "Account of robin@ipaustralia.test",
        "API token “nightly sync” of robin@ipaustralia.test",
    ]


def test_an_object_deleted_since_is_named_as_it_was_then(reader, cycle, secretariat):
    job = export(cycle, secretariat)
    number = job.pk
    job.delete()
    assert described(reader) == [
        f"export “Committee annex (PDF) 2025 #{number}” (no longer in the portal)"
    ]


def test_an_event_about_nothing_names_nothing(reader):
    audit_record(kind=Kind.LOGIN_FAILED, username="someone@example.test")
    assert described(reader) == [""]


def test_the_details_are_named_in_words(reader, cycle, office, secretariat):
    assessment = make_assessment(cycle, office, submitted=True)
    audit_record(kind=Kind.REOPENED, target=assessment, detail={"reason": "Typo in R4"})
    (row,) = reader.get(URL).context["rows"]
    assert row.detail == [("reason", "Typo in R4")]


def test_describing_a_page_of_events_takes_one_query_per_kind_of_object(
    respondent, reader, cycle, office, secretariat
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert reader.get(URL).status_code == 200
        return len(captured)

    export(cycle, secretariat)
    audit_record(kind=Kind.ROLE_CHANGED, target=respondent)
    queries()  # the first page of a session writes it
    few = queries()
    for _ in range(5):
        export(cycle, secretariat)
        audit_record(kind=Kind.ROLE_CHANGED, target=respondent)
    audit_record(kind=Kind.REOPENED, target=make_assessment(cycle, office, submitted=True))
    # One more kind of object (the assessment) costs one more query, not one per event.
    assert queries() == few + 1
