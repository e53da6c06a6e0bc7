"""Redis down: the cache answers as a miss, and pages read the database."""

import socket
import time

import pytest
from django.urls import reverse

from assessments.models import Answer
from kpi.services import snapshot_refresh
from portal.cache import ForgivingRedisCache

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1
DOWN = {
    "default": {
        "BACKEND": "portal.cache.ForgivingRedisCache",
        "LOCATION": UNREACHABLE,
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = DOWN


def test_a_cache_that_cannot_reach_redis_answers_as_a_miss():
    cache = ForgivingRedisCache(UNREACHABLE, {"OPTIONS": DOWN["default"]["OPTIONS"]})
    assert cache.get("form-sections", "missed") == "missed"
    assert cache.set("form-sections", "html") is None
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.add("a", 1) is False
    assert cache.has_key("a") is False
    assert cache.delete("a") is False


@pytest.fixture
def hanging_redis():
    """A Redis that takes connections and never answers: the worst kind of down."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(64)
        host, port = listening.getsockname()
        yield ForgivingRedisCache(
            f"redis://{host}:{port}/0",
            {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}},
        )


def test_a_redis_that_hangs_costs_a_page_one_timeout_not_one_per_cache_call(hanging_redis):
    started = time.monotonic()
    for _ in range(10):
        assert hanging_redis.get("form-sections") is None
        hanging_redis.set("form-sections", "html")
    assert time.monotonic() - started < 1.0  # twenty timeouts would be 4 s


def test_redis_is_asked_again_once_the_pause_is_over(hanging_redis, monkeypatch):
    import portal.cache

    monkeypatch.setattr(portal.cache, "RETRY_AFTER_SECONDS", 0)
    hanging_redis.get("form-sections")
    started = time.monotonic()
    assert hanging_redis.get("form-sections") is None
    assert time.monotonic() - started >= 0.15  # it waited for Redis again


def test_the_form_and_an_autosave_work_while_redis_is_down(
    redis_down, client_of, respondent, draft
):
    client = client_of(respondent)
    url = reverse("assessment_form", args=["AU", draft.cycle.year])
    assert client.get(url).status_code == 200
    response = client.post(
        reverse("assessment_autosave", args=["AU", draft.cycle.year]),
        {"version": "1", "r1-status_comment": "Typed while Redis was down"},
    )
    assert response.status_code == 200
    stored = Answer.objects.get(assessment=draft, recommendation__number=1)
    assert stored.status_comment == "Typed while Redis was down"


def test_a_co_lead_reads_the_dashboard_while_redis_is_down(redis_down, client_of, colead, draft):
    snapshot_refresh(cycle=draft.cycle)
    response = client_of(colead).get(reverse("cycle_dashboard", args=[draft.cycle.year]))
    assert response.status_code == 200


def test_the_secretariat_sees_that_the_cache_is_down(redis_down, db):
    from portal.selectors import system_status

    cache = next(part for part in system_status() if part["name"] == "cache")
    assert cache["ok"] is False


# --- Kept in the process -----------------------------------------------------------------


def test_a_kept_value_is_computed_once_and_then_read_from_the_process():
    from django.core.cache import cache

    from portal.cache import kept

    made = []
    key = f"test-kept:{time.monotonic_ns()}"
    assert kept(key, 60, lambda: made.append(1) or ["texts"]) == ["texts"]
    cache.delete(key)  # gone from the shared cache: the process still has it
    assert kept(key, 60, lambda: made.append(1) or ["other"]) == ["texts"]
    assert made == [1]


def test_the_process_keeps_only_the_latest_values(monkeypatch):
    from django.core.cache import cache

    from portal import cache as kept_module

    monkeypatch.setattr(kept_module, "PROCESS_ENTRIES", 3)
    prefix = f"test-kept:{time.monotonic_ns()}"
    for n in range(4):
        kept_module.kept(f"{prefix}:{n}", 60, lambda n=n: n)
    cache.delete(f"{prefix}:0")
    assert kept_module.kept(f"{prefix}:0", 60, lambda: "made again") == "made again"
    assert len(kept_module._process) <= 3
