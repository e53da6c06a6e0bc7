"""Login throttling: per e-mail address and client address together, always with an end."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, make_person

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


# PostgreSQL's upper() maps the dotless ı to I: a lookup by UPPER(email) let "robın@…" reach
# robin@…'s account under a count of its own. SQLite's does not, so on SQLite the look-alike
# is simply unknown; on both it must never log in, and never add guesses.
LOOK_ALIKE = "robın@ıpaustralıa.test"
FULL_WIDTH = "ｒｏｂｉｎ@ｉｐａｕｓｔｒａｌｉａ.ｔｅｓｔ"


def test_a_look_alike_address_gets_no_guesses_beyond_the_lock(client, respondent):
    fail(client, respondent.email, settings.AXES_FAILURE_LIMIT)
    response = log_in(client, LOOK_ALIKE)
    assert response.status_code != 302
    assert "_auth_user_id" not in client.session


def test_a_look_alike_address_does_not_log_in_even_with_the_right_password(client, respondent):
    assert log_in(client, LOOK_ALIKE).status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_address_counts_whatever_its_unicode_form(client, office):
    # "ß" folds to "ss" (casefold), full-width letters to plain ones (NFKC): one account,
    # one count.
    person = make_person("jorg.strasse@ipaustralia.test", office=office)
    fail(client, "Jorg.Straße@ipaustralia.test", settings.AXES_FAILURE_LIMIT - 2)
    fail(client, "ｊｏｒｇ.ｓｔｒａｓｓｅ@ipaustralia.test", 1)
    assert fail(client, person.email, 1).status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {person.email}


def test_a_folded_form_of_the_address_logs_in(client, office):
    person = make_person("jorg.strasse@ipaustralia.test", office=office)
    assert log_in(client, "JORG.STRAßE@ipaustralia.test").status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_the_address_logs_in_whatever_its_unicode_form(client, respondent):
    assert log_in(client, f"  {FULL_WIDTH.upper()} ").status_code == 302
    assert client.session["_auth_user_id"] == str(respondent.pk)


def test_an_unknown_address_is_counted_under_its_normal_form(client, respondent):
    fail(client, "NOBODY@ＩＰＡＵＳＴＲＡＬＩＡ.test", settings.AXES_FAILURE_LIMIT - 1)
    assert fail(client, "nobody@ipaustralia.test", 1).status_code == 429
