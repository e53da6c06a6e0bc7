"""An export asked for on the page runs in a real Celery worker and its file is served."""

import pytest
from django.urls import reverse

from exports.models import ExportJob
from portal.celery import app
from tests.factories import make_assessment, make_cycle, make_office
from tests.integration.test_celery_worker import wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_framework"),
]


@pytest.fixture
def exports_to(celery_worker_process):
    """Sends the export tasks to the test worker's own queue."""
    queue, _hostname = celery_worker_process
    previous = app.conf.task_routes
    route(app, {"exports.tasks.run_export": {"queue": queue}})
    yield queue
    route(app, previous)


def route(app, routes) -> None:
    # Celery builds its router once, at the first task sent: build it again.
    app.conf.task_routes = routes
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)


def test_an_annex_is_built_by_the_worker_and_downloaded(exports_to, client_of, secretariat):
    offices = [make_office(code) for code in ["AU", "NZ", "JP", "KR", "DE"]]
    cycle = make_cycle(2025, offices=offices)
    for office in offices:
        make_assessment(cycle, office, submitted=True, r1={"status": "implemented"})
    client = client_of(secretariat)
    response = client.post(
        reverse("export_annex_start"),
        {"cycle": cycle.pk, "symbol": "CWS/14/8", "date": "2026-03-02"},
    )
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("export_job", args=[job.pk])
    done = wait_for(
        lambda: ExportJob.objects.filter(pk=job.pk, state__in=["done", "failed"]).first(), 90
    )
    assert done is not None, "the worker did not finish the annex within 90 s"
    assert done.state == "done", done.error
    assert done.pages >= 8 and done.attempts == 1
    download = client.get(reverse("export_job_download", args=[job.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    print(f"annex built by the worker: {done.pages} pages, {done.size} bytes")
