import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from pypdf import PdfReader

from assessments.services import assessment_reopen
from exports import selectors, services
from exports.models import ExportJob
from outbox.models import OutboxMessage
from tests.factories import make_assessment, make_cycle, make_office, make_person

pytestmark = pytest.mark.django_db

ANNEX = {"symbol": "CWS/14/8", "date": "2026-03-02"}


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Runs the jobs queued by a request when its transaction commits, as a worker would."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def ask_annex(user, cycle, parameters=ANNEX):
    return services.export_request(
        user=user, kind=ExportJob.Kind.ANNEX, cycle=cycle, parameters=parameters
    )


def test_an_annex_job_runs_and_keeps_its_file(survey, secretariat, run_on_commit):
    job, created = run_on_commit(lambda: ask_annex(secretariat, survey))
    job.refresh_from_db()
    assert created
    assert job.state == ExportJob.State.DONE
    assert (job.progress, job.step, job.attempts) == (100, "Done", 1)
    assert job.requested_by == secretariat
    assert job.filename == "CWS-14-8-annex-2025.pdf"
    assert job.file.read().startswith(b"%PDF")
    assert job.size == job.file.size and job.pages >= 8
    assert job.answers_hash and set(job.answers) == {"AU", "NZ", "JP", "KR", "DE", "FR"}
    assert job.started_at <= job.finished_at


def test_the_progress_reaches_the_job_row_while_it_runs(survey, secretariat):
    ask_annex(secretariat, survey)  # queued: its task is not run here
    job = services.export_claim(job_id=ExportJob.objects.get().pk)
    report = services._progress_writer(job)
    report(30, "Laying out the pages")
    job.refresh_from_db()
    assert (job.progress, job.step) == (30, "Laying out the pages")
    report(140, "x")  # a builder's slip never gives an unfinished job 100 % or more
    job.refresh_from_db()
    assert job.progress == 99


def test_asking_again_while_it_runs_does_not_start_a_second(survey, secretariat):
    first, created = ask_annex(secretariat, survey)
    again, created_again = ask_annex(secretariat, survey)
    assert created and not created_again
    assert again.pk == first.pk
    assert ExportJob.objects.count() == 1


def test_another_symbol_is_another_export(survey, secretariat):
    ask_annex(secretariat, survey)
    _other, created = ask_annex(secretariat, survey, {**ANNEX, "symbol": "CWS/14/9"})
    assert created
    assert ExportJob.objects.active().count() == 2


def test_a_finished_export_can_be_asked_for_again(survey, secretariat, run_on_commit):
    run_on_commit(lambda: ask_annex(secretariat, survey))
    _job, created = run_on_commit(lambda: ask_annex(secretariat, survey))
    assert created
    assert ExportJob.objects.filter(state=ExportJob.State.DONE).count() == 2


def test_a_summary_of_a_cycle_the_office_submitted_nothing_in_is_refused_at_once(survey):
    # EP has only a draft: nothing to summarise, and no job that would fail.
    assessment = survey.assessments.get(office__code="EP")
    person = make_person("cio@ep.test", office=assessment.office)
    with pytest.raises(services.NothingSubmitted):
        services.export_request(
            user=person, kind=ExportJob.Kind.OFFICE_SUMMARY, cycle=survey, office=assessment.office
        )
    assert not ExportJob.objects.exists()


def test_a_failed_job_says_why_and_can_be_retried(survey, run_on_commit):
    # EP has only a draft. A summary job of it (queued before such a request was refused at
    # once, or by hand) fails when it runs, and says why.
    assessment = survey.assessments.get(office__code="EP")
    person = make_person("cio@ep.test", office=assessment.office)
    parameters = {"language": "en"}
    job = ExportJob.objects.create(
        kind=ExportJob.Kind.OFFICE_SUMMARY,
        cycle=survey,
        office=assessment.office,
        parameters=parameters,
        request_key=ExportJob.key_for(
            kind=ExportJob.Kind.OFFICE_SUMMARY,
            cycle=survey,
            office=assessment.office,
            parameters=parameters,
        ),
        requested_by=person,
    )
    services.export_run(job=services.export_claim(job_id=job.pk))
    job.refresh_from_db()
    assert job.state == ExportJob.State.FAILED
    assert job.error == (
        "Office EP has no submitted assessment in the 2025 cycle: there is nothing to summarise."
    )
    assert not job.file

    assessment.status, assessment.submitted_at = "submitted", timezone.now()
    assessment.save()
    retried, again = run_on_commit(lambda: services.export_retry(job=job, user=person))
    retried.refresh_from_db()
    assert again and retried.pk == job.pk
    # "Try again" is a fresh start, with all its attempts.
    assert (retried.state, retried.error, retried.attempts) == ("done", "", 1)
    assert retried.file.read().startswith(b"%PDF")


def test_only_a_failed_job_is_retried(survey, secretariat, run_on_commit):
    job, _created = run_on_commit(lambda: ask_annex(secretariat, survey))
    job.refresh_from_db()
    same, retried = services.export_retry(job=job, user=secretariat)
    assert not retried and same.state == ExportJob.State.DONE


def stalled(job: ExportJob, *, attempts: int = 1) -> ExportJob:
    """The job as a worker killed mid-run leaves it: running, its heartbeat a minute old."""
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportJob.State.RUNNING,
        attempts=attempts,
        progress=30,
        updated_at=timezone.now() - datetime.timedelta(seconds=60),
    )
    return ExportJob.objects.get(pk=job.pk)


def test_a_job_whose_worker_was_killed_runs_again_and_finishes(
    survey, secretariat, run_on_commit, settings
):
    settings.EXPORT_STALLED_SECONDS = 45
    job = stalled(ask_annex(secretariat, survey)[0])
    counts = run_on_commit(services.stalled_jobs_recover)
    assert counts["requeued"] == 1
    job.refresh_from_db()
    assert (job.state, job.progress, job.attempts) == ("done", 100, 2)
    assert job.file.read().startswith(b"%PDF")


def test_a_job_lost_on_its_last_attempt_fails_and_offers_to_try_again(
    survey, secretariat, settings
):
    settings.EXPORT_MAX_ATTEMPTS = 3
    job = stalled(ask_annex(secretariat, survey)[0], attempts=3)
    assert services.stalled_jobs_recover()["failed"] == 1
    job.refresh_from_db()
    assert job.state == ExportJob.State.FAILED
    assert "stopped 3 times" in job.error and "Try again" in job.error
    _job, retried = services.export_retry(job=job, user=secretariat)
    assert retried


def test_a_lost_job_does_not_block_a_new_request_for_the_same_export(survey, secretariat, settings):
    settings.EXPORT_MAX_ATTEMPTS = 1
    stuck = stalled(ask_annex(secretariat, survey)[0])
    job, created = ask_annex(secretariat, survey)
    stuck.refresh_from_db()
    assert stuck.state == ExportJob.State.FAILED
    assert created and job.pk != stuck.pk


def test_a_job_whose_heartbeat_is_fresh_is_left_to_its_worker(survey, secretariat):
    job, _created = ask_annex(secretariat, survey)
    services.export_claim(job_id=job.pk)
    assert services.stalled_jobs_recover() == {"requeued": 0, "failed": 0, "redispatched": 0}
    # A second delivery of its message waits instead of running it a second time.
    with pytest.raises(services.Busy):
        services.export_claim(job_id=job.pk)
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("running", 1)


def test_a_message_that_comes_back_after_its_worker_died_takes_the_job_over(survey, secretariat):
    job = stalled(ask_annex(secretariat, survey)[0])
    claimed = services.export_claim(job_id=job.pk)
    assert (claimed.state, claimed.attempts, claimed.progress) == ("running", 2, 0)


def test_a_finished_job_is_not_run_again_by_a_late_delivery(survey, secretariat, run_on_commit):
    from exports.tasks import run_export

    job, _created = run_on_commit(lambda: ask_annex(secretariat, survey))
    job.refresh_from_db()
    run_export.apply(args=[job.pk])
    again = ExportJob.objects.get(pk=job.pk)
    assert (again.state, again.attempts, again.file.name) == ("done", 1, job.file.name)


def test_a_run_taken_over_by_another_neither_finishes_nor_fails_the_job(survey, secretariat):
    job, _created = ask_annex(secretariat, survey)
    first = services.export_claim(job_id=job.pk)
    # Its heartbeat was taken for lost and a second run claimed the job meanwhile.
    ExportJob.objects.filter(pk=job.pk).update(attempts=2)
    services.export_run(job=first)
    job.refresh_from_db()
    assert (job.state, job.attempts, job.file.name) == ("running", 2, "")
    services.export_fail(job=first, error="late")
    job.refresh_from_db()
    assert (job.state, job.error) == ("running", "")


def test_a_queued_job_whose_message_the_broker_lost_is_sent_again(
    survey, secretariat, run_on_commit
):
    job, _created = ask_annex(secretariat, survey)
    OutboxMessage.objects.update(sent_at=timezone.now())  # taken by the broker, then lost
    later = timezone.now() + datetime.timedelta(hours=1)
    counts = run_on_commit(lambda: services.stalled_jobs_recover(now=later))
    assert counts["redispatched"] == 1
    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE


def test_a_queued_job_held_in_the_outbox_is_not_sent_twice(survey, secretariat):
    ask_annex(secretariat, survey)  # the broker has not taken its message yet
    later = timezone.now() + datetime.timedelta(hours=1)
    assert services.stalled_jobs_recover(now=later)["redispatched"] == 0
    assert OutboxMessage.objects.count() == 1


def test_the_annex_is_the_secretariats(survey, colead, respondent):
    for person in (colead, respondent):
        with pytest.raises(PermissionDenied):
            ask_annex(person, survey)
    assert not ExportJob.objects.exists()


def test_data_exports_are_the_task_forces(survey, colead, respondent):
    job, created = services.export_request(user=colead, kind=ExportJob.Kind.XLSX, cycle=survey)
    assert created and job.requested_by == colead
    with pytest.raises(PermissionDenied):
        services.export_request(user=respondent, kind=ExportJob.Kind.CSV, cycle=survey)


def test_an_office_summary_is_for_that_offices_people(survey, office, viewer, outsider):
    _job, created = services.export_request(
        user=viewer, kind=ExportJob.Kind.OFFICE_SUMMARY, cycle=survey, office=office
    )
    assert created
    with pytest.raises(PermissionDenied):
        services.export_request(
            user=outsider, kind=ExportJob.Kind.OFFICE_SUMMARY, cycle=survey, office=office
        )


def test_the_export_page_knows_which_offices_changed_since_the_last_annex(
    survey, office, secretariat, run_on_commit
):
    assert selectors.annex_changes(survey).annex is None
    run_on_commit(lambda: ask_annex(secretariat, survey))
    assert not selectors.annex_changes(survey).any

    assessment = survey.assessments.get(office=office)
    assessment_reopen(assessment=assessment, user=secretariat, reason="Fix R2.")
    make_assessment(survey, make_office("BR"), submitted=True)
    assessment.refresh_from_db()
    changes = selectors.annex_changes(survey)
    # Reopened, AU still counts as it submitted: the annex is not stale until AU resubmits.
    assert (changes.changed, changes.added, changes.removed) == ([], ["BR"], [])

    assessment.status, assessment.version = "submitted", assessment.version + 1
    assessment.save()
    assert selectors.annex_changes(survey).changed == ["AU"]


def test_an_annex_of_another_cycle_says_nothing_of_this_one(survey, secretariat, run_on_commit):
    other = make_cycle(2024)
    run_on_commit(lambda: ask_annex(secretariat, other))
    assert selectors.annex_changes(survey).annex is None


def _built() -> None:
    """Waits for the exports that requests put off to be built."""
    import threading

    from outbox.services import AFTER_RESPONSE_THREAD

    for thread in threading.enumerate():
        if thread.name == AFTER_RESPONSE_THREAD:
            thread.join(timeout=60)


class TestWithoutABroker:
    """In the embedded default an export is built after the click is answered, so that the
    page following its progress appears at once."""

    pytestmark = [
        pytest.mark.django_db(transaction=True),
        pytest.mark.usefixtures("committed_framework"),
    ]

    def click(self, secretariat, survey):
        """A request that asks for a CSV export, as the exports page's button does."""
        from django.http import HttpResponse
        from django.test import RequestFactory

        from outbox.middleware import RunAfterResponseMiddleware

        def view(request):
            services.export_request(user=secretariat, kind=ExportJob.Kind.CSV, cycle=survey)
            return HttpResponse("the progress page")

        return RunAfterResponseMiddleware(view)(RequestFactory().post("/exports/data/"))

    def test_the_job_waits_for_the_response_to_be_sent(self, secretariat, survey):
        response = self.click(secretariat, survey)
        job = ExportJob.objects.get()
        assert job.state == ExportJob.State.QUEUED  # answered before the export is built
        response.close()  # what the server does once the response's last byte is sent
        _built()
        job.refresh_from_db()
        assert job.state == ExportJob.State.DONE and job.file.read()

    def test_a_process_that_dies_before_sending_leaves_the_message_for_the_sweep(
        self, secretariat, survey
    ):
        from outbox.services import sweep

        self.click(secretariat, survey)  # never closed: the process died
        assert OutboxMessage.objects.pending().count() == 1
        sweep(grace=0)
        assert ExportJob.objects.get().state == ExportJob.State.DONE

    def test_short_tasks_still_run_before_the_answer(self, respondent, draft):
        from django.http import HttpResponse
        from django.test import RequestFactory

        from assessments.models import Reminder
        from assessments.notifications import reminder_request
        from outbox.middleware import RunAfterResponseMiddleware

        def view(request):
            reminder_request(cycle=draft.cycle, office=draft.office)
            return HttpResponse()

        RunAfterResponseMiddleware(view)(RequestFactory().post("/"))
        assert Reminder.objects.filter(office=draft.office).exists()


# --- Languages ----------------------------------------------------------------------------------
def run_queued(job):
    """Runs a queued job as a worker would, in the worker's own language (English)."""
    with translation.override("en"):
        return services.export_run(job=services.export_claim(job_id=job.pk))


def test_a_data_file_is_built_in_the_language_of_its_requester_not_the_workers(survey, secretariat):
    with translation.override("fr"):
        job, _created = services.export_request(
            user=secretariat, kind=ExportJob.Kind.CSV, cycle=survey
        )
    assert job.parameters == {"language": "fr"}
    job = run_queued(job)
    header = job.file.read().decode("utf-8-sig").splitlines()[0]
    assert "Code de l’office" in header and "Office code" not in header


def test_an_annex_in_another_language_is_another_request(survey, secretariat):
    english, _created = ask_annex(secretariat, survey)
    french, created = ask_annex(secretariat, survey, {**ANNEX, "language": "fr"})
    assert created and french.pk != english.pk
    assert english.parameters["language"] == "en"
    assert french.request_key != english.request_key
    assert run_queued(french).filename == "CWS-14-8-annex-2025-fr.pdf"


def test_the_office_summary_is_built_in_the_language_its_requester_reads(
    survey, respondent, office
):
    with translation.override("fr"):
        job, _created = services.export_request(
            user=respondent, kind=ExportJob.Kind.OFFICE_SUMMARY, cycle=survey, office=office
        )
    assert job.parameters == {"language": "fr"}
    content = run_queued(job).file.read()
    assert PdfReader(io.BytesIO(content)).trailer["/Root"]["/Lang"] == "fr"


def test_a_language_the_portal_does_not_speak_falls_back_to_the_sites(survey, secretariat):
    with translation.override("de"):
        job, _created = services.export_request(
            user=secretariat, kind=ExportJob.Kind.JSON, cycle=survey
        )
    assert job.parameters == {"language": "en"}
