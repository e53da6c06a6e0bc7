import pytest

from portal.celery import app as celery_app

# Nothing listens on port 1: the connection is refused at once, as when Redis is down.
CLOSED_PORT = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down():
    """The portal configured with a broker that cannot be reached (not in-process tasks);
    ``broker_down.back()`` brings a working one back (in-process here: the integration tests
    do the same with a real Redis and worker)."""
    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager

    class Broker:
        @staticmethod
        def back():
            celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved[0], True

    celery_app.conf.broker_url, celery_app.conf.task_always_eager = CLOSED_PORT, False
    yield Broker
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
