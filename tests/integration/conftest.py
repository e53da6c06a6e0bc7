"""A real Celery worker process, consuming from Redis and writing to the test database."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config, items):
    if settings.REDIS_URL and connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL: a worker process cannot share "
        "the in-memory SQLite test database"
    )
    for item in items:
        if item.get_closest_marker("integration"):
            item.add_marker(skip)


@pytest.fixture
def worker_mailbox(tmp_path):
    """Where the worker process writes the e-mails it sends."""
    return tmp_path / "mail"


class Worker:
    """A ``celery worker`` process consuming one queue of the test's own."""

    def __init__(self, *, queue: str, hostname: str, mailbox, pool: str, env: dict):
        self.queue, self.hostname = queue, hostname
        test_database = connection.settings_dict["NAME"]
        base_url = settings.DATABASE_URL.rsplit("/", 1)[0]
        environment = {
            **os.environ,
            "DATABASE_URL": f"{base_url}/{test_database}",
            "DB_CONN_MAX_AGE": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mailbox),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            # Exports that the worker itself sends again stay on the test's queue.
            "EXPORT_QUEUE": queue,
            **env,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                f"--pool={pool}",
                "--concurrency=1",
                "--queues",
                queue,
                "--hostname",
                hostname,
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        from portal.celery import app

        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[hostname], timeout=1):
            if self.process.poll() is not None or time.monotonic() > deadline:
                output = self.process.stdout.read() if self.process.poll() is not None else ""
                self.process.kill()
                pytest.fail(f"the Celery worker did not start:\n{output}")

    def pool_children(self) -> list[int]:
        """The pool's processes (prefork), which run the tasks."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            output, _ = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
        print(output)  # shown by pytest for a failing test, and with -s


@pytest.fixture
def start_worker(worker_mailbox):
    """``start_worker(pool=..., env=...)`` starts a worker on the test's queue; each one is
    stopped at the end of the test (the ones a test killed are only read)."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    workers = []

    def start(*, pool: str = "solo", env: dict | None = None) -> Worker:
        worker = Worker(
            queue=queue,
            hostname=f"{queue}-{len(workers)}@localhost",
            mailbox=worker_mailbox,
            pool=pool,
            env=env or {},
        )
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def celery_worker_process(start_worker):
    """Starts ``celery worker`` on a queue of its own; yields (queue, hostname)."""
    worker = start_worker()
    return worker.queue, worker.hostname


@pytest.fixture
def routed():
    """``routed(queue)`` sends every task to that queue (the test's workers' own)."""
    from portal.celery import app

    def route(routes) -> None:
        # Celery builds its router once, at the first task sent: build it again.
        app.conf.task_routes = routes
        app.amqp.flush_routes()
        app.amqp.__dict__.pop("router", None)

    previous = app.conf.task_routes
    yield lambda queue: route({"*": {"queue": queue}})
    route(previous)
