"""An export whose worker is killed mid-run finishes anyway, once, with nobody asking."""

import os
import signal
import time

import pytest

from exports import services
from exports.models import ExportJob
from exports.tasks import recover_stalled_exports
from tests.factories import make_assessment, make_cycle, make_office
from tests.integration.test_celery_worker import wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_framework"),
]

# A heartbeat every second, lost after four: the test need not wait long for either.
FAST = {"EXPORT_HEARTBEAT_SECONDS": "1", "EXPORT_STALLED_SECONDS": "4"}
CODES = ["AU", "NZ", "JP", "KR", "DE", "FR", "BR", "MX", "CA", "US", "IN", "CN"]


@pytest.fixture
def fast_heartbeat(settings):
    settings.EXPORT_HEARTBEAT_SECONDS = 1
    settings.EXPORT_STALLED_SECONDS = 4


def ask_annex(secretariat) -> ExportJob:
    offices = [make_office(code) for code in CODES]
    cycle = make_cycle(2025, offices=offices)
    for office in offices:
        make_assessment(
            cycle,
            office,
            submitted=True,
            **{
                f"r{number}": {
                    "status": "ongoing",
                    "status_comment": f"{office.code}: work on recommendation {number}. " * 8,
                }
                for number in range(1, 11)
            },
        )
    job, _created = services.export_request(
        user=secretariat,
        kind=ExportJob.Kind.ANNEX,
        cycle=cycle,
        parameters={"symbol": "CWS/14/8", "date": "2026-03-02"},
    )
    return job


def running(job: ExportJob) -> ExportJob | None:
    return ExportJob.objects.filter(pk=job.pk, state="running", progress__gte=30).first()


def finished(job: ExportJob) -> ExportJob | None:
    return ExportJob.objects.filter(pk=job.pk, state__in=["done", "failed"]).first()


def pdfs(media_root) -> list:
    return list(media_root.glob("exports/**/*.pdf"))


def test_an_export_whose_worker_is_killed_is_finished_by_the_next_worker_once(
    start_worker, routed, fast_heartbeat, secretariat, media_root
):
    first = start_worker(env=FAST)
    routed(first.queue)
    job = ask_annex(secretariat)
    assert wait_for(lambda: running(job), 60), "the annex did not start within 60 s"
    first.process.send_signal(signal.SIGKILL)
    first.process.wait()
    time.sleep(2)
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("running", 1)  # its worker is gone

    second = start_worker(env=FAST)

    def recovered():
        # What beat does every few seconds; the new worker runs it.
        recover_stalled_exports.apply_async(queue=second.queue)
        time.sleep(2)
        return finished(job)

    done = wait_for(recovered, 120)
    assert done is not None, "the annex was not finished within 120 s of the new worker"
    assert done.state == "done", done.error
    assert done.attempts == 2
    time.sleep(3)  # a late second run would have stored a second file by now
    assert len(pdfs(media_root)) == 1
    assert ExportJob.objects.get(pk=job.pk).attempts == 2
    print(f"annex finished on attempt {done.attempts} after its worker was killed")


def test_an_export_whose_pool_process_is_killed_runs_again_without_a_sweep(
    start_worker, routed, fast_heartbeat, secretariat, media_root
):
    worker = start_worker(pool="prefork", env=FAST)
    routed(worker.queue)
    job = ask_annex(secretariat)
    assert wait_for(lambda: running(job), 60), "the annex did not start within 60 s"
    (child,) = worker.pool_children()
    os.kill(child, signal.SIGKILL)
    # The message is handed back at once (reject_on_worker_lost); its new delivery waits
    # for the killed run's heartbeat to go stale, then takes the job over.
    done = wait_for(lambda: finished(job), 120)
    assert done is not None, "the annex was not finished within 120 s of the kill"
    assert done.state == "done", done.error
    assert done.attempts == 2
    time.sleep(3)
    assert len(pdfs(media_root)) == 1
