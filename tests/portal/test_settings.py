"""Start-up refuses a malformed environment and names the variable at fault."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.env import ConfigurationError, env_bool, env_int, env_list, env_networks

ROOT = Path(__file__).resolve().parents[2]


def start_with(**environment) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"}
    }
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", "import portal.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_starts_with_no_environment_at_all():
    assert start_with().returncode == 0


@pytest.mark.parametrize(
    ("environment", "named"),
    [
        ({"DEBUG": "flase"}, "DEBUG"),
        ({"EMAIL_PORT": "25x"}, "EMAIL_PORT"),
        ({"EMAIL_USE_TLS": "maybe"}, "EMAIL_USE_TLS"),
        ({"CELERY_TASK_TIME_LIMIT": "3"}, "CELERY_TASK_TIME_LIMIT"),
        ({"DEBUG": "false"}, "SECRET_KEY"),
        ({"DEBUG": "false", "SECRET_KEY": "s" * 50}, "ALLOWED_HOSTS"),
        ({"DEBUG": "false", "SECRET_KEY": "s" * 50, "ALLOWED_HOSTS": "portal.example"}, "SITE_URL"),
        ({"DATABASE_URL": "postgress://nowhere/db"}, "DATABASE_URL"),
        ({"EXPORT_HEARTBEAT_SECONDS": "30"}, "EXPORT_STALLED_SECONDS"),
        ({"EXPORT_MAX_ATTEMPTS": "0"}, "EXPORT_MAX_ATTEMPTS"),
    ],
)
def test_it_refuses_to_start_and_names_the_variable(environment, named):
    result = start_with(**environment)
    assert result.returncode != 0
    assert "ConfigurationError" in result.stderr
    assert named in result.stderr.splitlines()[-1]


def test_production_settings_start_when_everything_is_given():
    result = start_with(
        DEBUG="false",
        SECRET_KEY="s" * 50,
        ALLOWED_HOSTS="portal.example",
        SITE_URL="https://portal.example",
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("1", True),
        ("true", True),
        ("Yes", True),
        (" on ", True),
        ("0", False),
        ("false", False),
        ("NO", False),
        ("off", False),
        ("", False),
    ],
)
def test_booleans_accept_the_usual_words(monkeypatch, word, value):
    monkeypatch.setenv("SOME_FLAG", word)
    assert env_bool("SOME_FLAG", not value) is value


def test_a_missing_boolean_takes_its_default(monkeypatch):
    monkeypatch.delenv("SOME_FLAG", raising=False)
    assert env_bool("SOME_FLAG", True) is True


def test_an_integer_below_its_minimum_is_refused(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "0")
    with pytest.raises(ConfigurationError, match="SOME_NUMBER=0 is below the minimum of 1"):
        env_int("SOME_NUMBER", 5, minimum=1)


def test_lists_are_comma_separated_and_trimmed(monkeypatch):
    monkeypatch.setenv("SOME_LIST", " a.example, b.example ,,")
    assert env_list("SOME_LIST", []) == ["a.example", "b.example"]


def test_trusted_proxies_are_addresses_and_cidr_ranges(monkeypatch):
    monkeypatch.setenv("SOME_PROXIES", "10.0.0.0/8, 192.0.2.7 ,::1")
    assert [str(network) for network in env_networks("SOME_PROXIES", [])] == [
        "10.0.0.0/8",
        "192.0.2.7/32",
        "::1/128",
    ]


@pytest.mark.parametrize("value", ["10.0.0.1/8", "10.0.0.0/33", "proxy.example", "10.0.0.*"])
def test_a_malformed_trusted_proxy_is_refused_by_name(monkeypatch, value):
    monkeypatch.setenv("SOME_PROXIES", value)
    with pytest.raises(ConfigurationError, match=f"SOME_PROXIES: '{value}' is not"):
        env_networks("SOME_PROXIES", [])


def test_behind_a_tls_proxy_the_proxys_addresses_are_required():
    result = start_with(BEHIND_TLS_PROXY="true")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr.splitlines()[-1]
    assert start_with(BEHIND_TLS_PROXY="true", TRUSTED_PROXIES="172.16.0.0/12").returncode == 0


def test_a_bad_trusted_proxy_stops_start_up():
    result = start_with(TRUSTED_PROXIES="10.0.0.300/8")
    assert "TRUSTED_PROXIES" in result.stderr.splitlines()[-1]


def test_beat_sends_the_outbox_and_the_lost_exports_again_within_a_minute(settings):
    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert schedule["outbox.tasks.sweep_outbox"] <= 60
    assert schedule["exports.tasks.recover_stalled_exports"] <= 60
    assert settings.EXPORT_STALLED_SECONDS + 15 <= 60


def settings_of(**environment) -> dict:
    import json

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "SECRET_KEY", "DEBUG"}
    }
    env.update(environment)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, portal.settings as s; "
            "print(json.dumps({'cache': s.CACHES['default'], 'broker': s.CELERY_BROKER_URL, "
            "'database': s.DATABASES['default'].get('OPTIONS', {})}, default=str))",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_cache_has_a_redis_of_its_own_when_cache_url_says_so():
    found = settings_of(REDIS_URL="redis://broker:6379/0", CACHE_URL="redis://cache:6379/0")
    assert found["cache"]["LOCATION"] == "redis://cache:6379/0"
    assert found["broker"] == "redis://broker:6379/0"


def test_the_cache_shares_the_brokers_redis_otherwise():
    found = settings_of(REDIS_URL="redis://broker:6379/0")
    assert found["cache"]["LOCATION"] == "redis://broker:6379/0"
    assert found["cache"]["BACKEND"] == "portal.cache.ForgivingRedisCache"


POSTGRES = "postgres://portal:secret@db:5432/portal"


def test_postgresql_keeps_the_plans_of_the_queries_a_connection_repeats():
    found = settings_of(DATABASE_URL=POSTGRES)
    assert found["database"] == {"server_side_binding": True, "prepare_threshold": 5}


def test_behind_a_transaction_pooler_the_plans_are_not_kept():
    assert settings_of(DATABASE_URL=POSTGRES, DB_PREPARED_STATEMENTS="false")["database"] == {}


def test_sqlite_is_left_as_it_is():
    assert "server_side_binding" not in settings_of()["database"]


@pytest.mark.django_db
def test_on_postgresql_a_query_run_again_and_again_is_planned_once():
    from django.db import connection

    from portal.offices.models import Office

    if connection.vendor != "postgresql":
        pytest.skip("the plans kept are PostgreSQL's")
    for _ in range(6):
        list(Office.objects.filter(code="AU"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        kept = [row[0] for row in cursor.fetchall()]
    assert any('"offices_office"' in statement for statement in kept)
