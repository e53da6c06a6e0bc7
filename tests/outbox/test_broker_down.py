"""With the broker unreachable (a closed port, tasks not run in-process), every change is
stored, its page answers as usual and says what will follow, and once the broker is back
the sweep sends each e-mail and job once.

These tests commit, as a running portal does: a task is sent when the change commits."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, Reminder
from assessments.services import assessment_save
from exports.models import ExportJob
from outbox import services
from outbox.models import OutboxMessage
from tests.api import token_client
from tests.assessments.conftest import complete_values
from tests.factories import make_assessment, make_office

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_framework"),
]


def pending(task: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.pending().filter(task=task))


def shown(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


@pytest.fixture
def complete_draft(draft, respondent):
    assessment_save(assessment=draft, user=respondent, base_version=1, values=complete_values())
    return Assessment.objects.get(pk=draft.pk)


@pytest.fixture
def submitted(draft):
    draft.status, draft.submitted_at = "submitted", timezone.now()
    draft.save()
    return draft


def test_a_submission_is_stored_and_its_figures_follow(
    client_of, respondent, complete_draft, broker_down
):
    url = reverse("assessment_review", args=["AU", complete_draft.cycle.year])
    response = client_of(respondent).post(url, {"version": complete_draft.version}, follow=True)
    assert response.status_code == 200
    assert Assessment.objects.get(pk=complete_draft.pk).status == "submitted"
    assert "The figures will be updated as soon as the job queue is back." in shown(response)
    assert len(pending("kpi.tasks.recompute_kpis")) == 1
    broker_down.back()
    assert services.sweep(grace=0).sent == 1
    assert complete_draft.cycle.kpi_snapshot is not None


def test_a_submission_over_the_api_is_stored(respondent, complete_draft, broker_down):
    response = token_client(respondent).post(
        reverse("api_assessment_submit", args=["AU", complete_draft.cycle.year]),
        HTTP_IF_MATCH=f'"{complete_draft.version}"',
    )
    assert response.status_code == 200
    assert Assessment.objects.get(pk=complete_draft.pk).status == "submitted"


def test_a_reopening_is_stored_and_its_e_mail_leaves_once_the_broker_is_back(
    client_of, secretariat, respondent, submitted, broker_down
):
    url = reverse("assessment_reopen", args=["AU", submitted.cycle.year])
    response = client_of(secretariat).post(url, {"reason": "R4 needs a source."}, follow=True)
    assert response.status_code == 200
    assert Assessment.objects.get(pk=submitted.pk).status == "draft"
    text = shown(response)
    assert "The e-mail to the office will be sent as soon as the mail queue is back." in text
    assert "have been told by e-mail" not in text
    assert mail.outbox == []
    broker_down.back()
    services.sweep(grace=0)
    services.sweep(grace=0)
    assert [message.to for message in mail.outbox] == [[respondent.email]]
    assert "R4 needs a source." in mail.outbox[0].body


def test_remind_now_says_the_reminder_will_follow_and_sends_it_once(
    client_of, secretariat, respondent, open_cycle, broker_down
):
    url = reverse("cycle_remind", kwargs={"year": open_cycle.year, "code": "AU"})
    response = client_of(secretariat).post(url, follow=True)
    assert response.status_code == 200
    text = shown(response)
    assert "The reminder to AU will be sent as soon as the mail queue is back." in text
    assert "on its way" not in text
    broker_down.back()
    services.sweep(grace=0)
    services.sweep(grace=0)
    assert [message.to for message in mail.outbox] == [[respondent.email]]
    assert Reminder.objects.filter(cycle=open_cycle, office__code="AU").count() == 1


@pytest.fixture
def five_submitted(office, open_cycle):
    offices = [office, *(make_office(code) for code in ["JP", "KR", "DE", "FR"])]
    for each in offices:
        open_cycle.invitations.get_or_create(office=each)
        make_assessment(open_cycle, each, submitted=True, r1={"status": "implemented"})
    return open_cycle


def test_an_export_waits_for_the_broker_and_runs_once_it_is_back(
    client_of, secretariat, five_submitted, broker_down
):
    response = client_of(secretariat).post(
        reverse("export_data_start"), {"cycle": five_submitted.pk, "format": "csv"}, follow=True
    )
    assert response.status_code == 200
    job = ExportJob.objects.get()
    assert job.state == ExportJob.State.QUEUED
    assert "the export will start as soon as it is back" in shown(response)
    broker_down.back()
    services.sweep(grace=0)
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("done", 1)


def test_an_export_asked_for_over_the_api_is_accepted(colead, five_submitted, broker_down):
    response = token_client(colead).post(
        reverse("api_exports"), {"kind": "xlsx", "year": five_submitted.year}, format="json"
    )
    assert response.status_code == 202
    assert response.json()["state"] == "queued"


def test_the_health_check_says_degraded_without_taking_web_out_of_service(client, broker_down):
    services.enqueue("portal.tasks.record_heartbeat")
    OutboxMessage.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=10))
    response = client.get(reverse("health"))
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["broker"], body["worker"]) == (
        "degraded",
        "unreachable",
        "silent",
    )
    assert body["outbox"]["pending"] == 1 and body["outbox"]["status"] == "late"
    assert body["outbox"]["oldest_seconds"] >= 600


def test_the_status_panel_shows_the_broker_down_and_what_waits(client_of, secretariat, broker_down):
    services.enqueue("portal.tasks.record_heartbeat")
    html = client_of(secretariat).get(reverse("secretariat_home")).content.decode()
    assert "Job queue (broker)" in html
    assert "unreachable: changes are stored" in html
    assert "1 waiting, the oldest for" in html
