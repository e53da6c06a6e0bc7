"""Login throttling: per e-mail address and client address together, always with an end."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

OFFICE_PROXY = "203.0.113.5"
HOME = "198.51.100.20"


def log_in(client, email, password=PASSWORD, *, address=OFFICE_PROXY, **headers):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address, **headers
    )


def fail(client, email, times, *, address=OFFICE_PROXY):
    for _ in range(times):
        response = log_in(client, email, "wrong-password", address=address)
    return response


def test_wrong_passwords_up_to_the_limit_only_say_the_password_is_wrong(client, respondent):
    response = fail(client, respondent.email, settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 200
    assert "Please enter a correct e-mail address and password" in response.content.decode()
    assert log_in(client, respondent.email).status_code == 302


def test_the_last_failure_locks_with_a_page_that_says_when_to_try_again(client, respondent):
    response = fail(client, respondent.email, settings.AXES_FAILURE_LIMIT)
    assert response.status_code == 429
    html = response.content.decode()
    assert "<h1>Too many failed logins</h1>" in html
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"Please try again in {minutes} minutes (after " in html
    assert 'class="site-header"' in html  # a page of the portal, not a bare error
    assert response["Retry-After"] == str(minutes * 60)


def test_while_locked_even_the_right_password_is_refused(client, respondent):
    fail(client, respondent.email, settings.AXES_FAILURE_LIMIT)
    response = log_in(client, respondent.email)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_ends_after_the_cooling_off(client, respondent):
    fail(client, respondent.email, settings.AXES_FAILURE_LIMIT)
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1)
    )
    response = log_in(client, respondent.email)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(respondent.pk)


def test_a_colleague_behind_the_same_office_proxy_still_logs_in(client, respondent, colleague):
    fail(client, respondent.email, settings.AXES_FAILURE_LIMIT)
    response = log_in(client, colleague.email, address=OFFICE_PROXY)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(colleague.pk)


def test_the_person_still_logs_in_from_another_address(client, respondent):
    fail(client, respondent.email, settings.AXES_FAILURE_LIMIT)
    assert log_in(client, respondent.email, address=HOME).status_code == 302


def test_the_address_counts_whatever_its_case(client, respondent):
    fail(client, respondent.email.upper(), settings.AXES_FAILURE_LIMIT - 1)
    assert fail(client, respondent.email, 1).status_code == 429


def test_a_successful_login_clears_the_count(client, respondent):
    fail(client, respondent.email, settings.AXES_FAILURE_LIMIT - 1)
    log_in(client, respondent.email)
    client.post(reverse("logout"))
    assert fail(client, respondent.email, settings.AXES_FAILURE_LIMIT - 1).status_code == 200
    assert log_in(client, respondent.email).status_code == 302


def test_a_script_that_is_locked_out_gets_json(client, respondent):
    fail(client, respondent.email, settings.AXES_FAILURE_LIMIT)
    response = log_in(client, respondent.email, headers={"x-requested-with": "XMLHttpRequest"})
    assert response.status_code == 429
    assert response.json()["error"] == "locked_out"


def test_the_console_login_is_throttled_too(client, secretariat):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            reverse("admin:login"),
            {"username": secretariat.email, "password": "wrong-password"},
            REMOTE_ADDR=OFFICE_PROXY,
        )
    assert response.status_code == 429


def test_tests_that_log_in_directly_are_never_throttled(client_of, respondent):
    # client_of uses force_login, which checks no password and so never meets the lock.
    fail(Client(), respondent.email, settings.AXES_FAILURE_LIMIT, address="127.0.0.1")
    assert client_of(respondent).get(reverse("home"))["Location"] == "/offices/AU/"
