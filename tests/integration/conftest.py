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


@pytest.fixture
def celery_worker_process(worker_mailbox):
    """Starts ``celery worker`` on a queue of its own; yields (queue, hostname)."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    hostname = f"{queue}@localhost"
    test_database = connection.settings_dict["NAME"]
    base_url = settings.DATABASE_URL.rsplit("/", 1)[0]
    env = {
        **os.environ,
        "DATABASE_URL": f"{base_url}/{test_database}",
        "DB_CONN_MAX_AGE": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(worker_mailbox),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
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
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    from portal.celery import app

    deadline = time.monotonic() + 60
    while not app.control.ping(destination=[hostname], timeout=1):
        if worker.poll() is not None or time.monotonic() > deadline:
            output = worker.stdout.read() if worker.poll() is not None else ""
            worker.kill()
            pytest.fail(f"the Celery worker did not start:\n{output}")
    try:
        yield queue, hostname
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        print(output)  # shown by pytest for a failing test, and with -s
