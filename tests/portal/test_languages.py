"""Each person's language: the switcher, the account page, the login, the console's
invitation form, the e-mails about their password, and the pages' lang and dir."""

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from portal.accounts.models import User
from portal.languages import NAMES_LOCAL
from tests.factories import PASSWORD
from tests.portal.test_password_sessions import reset_password

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def language_of(person) -> str:
    return User.objects.get(pk=person.pk).preferred_language


def pick(client, language: str, next_url: str = "/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def html_tag(client, url: str) -> str:
    return re.search(r"<html [^>]*>", client.get(url).content.decode()).group(0)


# --- Choosing ---------------------------------------------------------------------------------


def test_the_first_language_a_person_picks_in_the_switcher_becomes_theirs(client_of, respondent):
    client = client_of(respondent)
    assert pick(client, "fr").status_code == 302
    assert language_of(respondent) == "fr"
    assert client.cookies[COOKIE].value == "fr"


def test_a_later_pick_in_the_switcher_changes_only_the_pages_they_read(client_of, respondent):
    client = client_of(respondent)
    pick(client, "fr")
    pick(client, "es")
    assert language_of(respondent) == "fr"
    assert client.cookies[COOKIE].value == "es"


def test_a_language_the_portal_does_not_speak_is_not_stored(client_of, respondent):
    pick(client_of(respondent), "de")
    assert language_of(respondent) == ""


def test_the_account_page_changes_the_stored_language_and_the_page(client_of, respondent):
    client = client_of(respondent)
    pick(client, "fr")
    response = client.post(reverse("account_language"), {"language": "ar"}, follow=True)
    assert language_of(respondent) == "ar"
    assert client.cookies[COOKIE].value == "ar"
    assert '<html lang="ar" dir="rtl">' in response.content.decode()


def test_the_account_page_refuses_a_language_the_portal_does_not_speak(client_of, respondent):
    client_of(respondent).post(reverse("account_language"), {"language": "de"})
    assert language_of(respondent) == ""


def test_the_account_page_shows_each_language_named_in_itself(client_of, respondent):
    html = client_of(respondent).get(reverse("account_profile")).content.decode()
    for code, name in NAMES_LOCAL.items():
        assert f'<option value="{code}" lang="{code}"' in html
        assert name in html


# --- Logging in -------------------------------------------------------------------------------


def log_in(client, person):
    return client.post(reverse("login"), {"username": person.email, "password": PASSWORD})


def test_logging_in_brings_back_the_persons_language(respondent):
    respondent.preferred_language = "ru"
    respondent.save()
    client = Client()
    assert log_in(client, respondent).status_code == 302
    assert client.cookies[COOKIE].value == "ru"
    assert 'lang="ru"' in html_tag(client, reverse("account_profile"))


def test_a_language_picked_before_logging_in_becomes_theirs_if_they_had_none(respondent):
    client = Client()
    pick(client, "es", "/accounts/login/")
    log_in(client, respondent)
    assert language_of(respondent) == "es"


def test_a_language_picked_before_logging_in_does_not_replace_a_stored_one(respondent):
    respondent.preferred_language = "fr"
    respondent.save()
    client = Client()
    pick(client, "es", "/accounts/login/")
    log_in(client, respondent)
    assert language_of(respondent) == "fr"
    assert client.cookies[COOKIE].value == "fr"


# --- Inviting ---------------------------------------------------------------------------------


def test_the_console_proposes_the_inviters_language_for_a_new_person(client_of, secretariat):
    client = client_of(secretariat)
    client.cookies[COOKIE] = "es"
    html = client.get("/admin/accounts/user/add/").content.decode()
    assert re.search(r'<option value="es"[^>]* selected>Español</option>', html)


def test_the_inviter_can_choose_another_language_for_the_invitee(client_of, secretariat):
    client = client_of(secretariat)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "email": "lea@inpi.test",
            "preferred_language": "fr",
            "usable_password": "false",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(email="lea@inpi.test").preferred_language == "fr"


# --- E-mails about the password -----------------------------------------------------------------


def test_a_forgotten_password_e_mail_is_in_the_account_holders_language(client, respondent):
    respondent.preferred_language = "fr"
    respondent.save()
    client.post(reverse("password_reset"), {"email": respondent.email})
    (message,) = mail.outbox
    assert message.subject == "Votre mot de passe pour le portail de maturité des TIC"


def test_the_password_reset_notice_is_in_the_persons_language(
    client, respondent, django_capture_on_commit_callbacks
):
    respondent.preferred_language = "fr"
    respondent.save()
    reset_password(client, respondent, django_capture_on_commit_callbacks)
    notice = mail.outbox[-1]
    assert notice.subject == "Votre mot de passe pour le portail de maturité des TIC a été modifié"


# --- Pages: lang and dir --------------------------------------------------------------------


def test_the_switcher_names_each_language_in_itself_with_its_lang(client):
    html = client.get(reverse("login")).content.decode()
    for code, name in NAMES_LOCAL.items():
        assert re.search(rf'value="{code}" lang="{code}"[^>]*>{name}<', html)
    assert NAMES_LOCAL["zh-hans"] == "中文"


@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("fr", "ltr"), ("en", "ltr")])
def test_a_page_says_its_language_and_direction(client, language, direction):
    pick(client, language)
    assert html_tag(client, reverse("login")) == f'<html lang="{language}" dir="{direction}">'


def test_the_error_pages_say_their_language_and_direction(client_of, outsider):
    client = client_of(outsider)
    pick(client, "ar")
    assert html_tag(client, "/offices/AU/") == '<html lang="ar" dir="rtl">'  # 404
    assert html_tag(client, reverse("secretariat_home")) == '<html lang="ar" dir="rtl">'  # 403


def test_the_server_error_page_says_its_language_and_direction():
    from django.template.loader import render_to_string

    with translation.override("ar"):
        assert '<html lang="ar" dir="rtl">' in render_to_string("500.html")
    with translation.override("fr"):
        html = render_to_string("500.html")
        heading = translation.gettext("Something went wrong on our side")
    assert '<html lang="fr" dir="ltr">' in html
    assert heading in html and heading != "Something went wrong on our side"


# --- Dates ------------------------------------------------------------------------------------

DAY = datetime.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "1 December 2026"),
        ("fr", "1 déc. 2026"),
        ("zh-hans", "2026年12月1日"),
        ("ru", "1 декабря 2026 г."),
        ("es", "1 de diciembre de 2026"),
        ("ar", "1 ديسمبر 2026"),
    ],
)
def test_each_language_writes_a_date_its_own_way(language, expected):
    with translation.override(language):
        assert formats.date_format(DAY) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "1 December 2026, 14:05"),
        ("fr", "1 déc. 2026, 14:05"),
        ("zh-hans", "2026年12月1日 14:05"),
        ("ru", "1 декабря 2026 г., 14:05"),
        ("es", "1 de diciembre de 2026, 14:05"),
        ("ar", "1 ديسمبر 2026، 14:05"),
    ],
)
def test_each_language_writes_a_moment_its_own_way(language, expected):
    moment = datetime.datetime(2026, 12, 1, 14, 5)
    with translation.override(language):
        assert formats.date_format(moment, "DATETIME_FORMAT") == expected


def test_no_template_writes_a_date_pattern_of_its_own():
    """Patterns are English word order: templates name a format (DATE_FORMAT...), or ask for
    a machine-readable one ('c' for datetime attributes, 'Y' alone, or a comparison key)."""
    allowed = {"c", "Y", "YmdHi", "DATETIME_FORMAT", "SHORT_DATE_FORMAT", "H:i:s", "Y-m-d H:i:s"}
    found = []
    for path in (settings.BASE_DIR / "templates").rglob("*"):
        if path.suffix not in (".html", ".txt"):
            continue
        for pattern in re.findall(r"\|(?:date|time):[\"']([^\"']*)[\"']", path.read_text()):
            if pattern not in allowed and not re.fullmatch(r"[A-Z_]+_FORMAT", pattern):
                found.append(f"{path.name}: {pattern}")
    assert found == []


@pytest.mark.parametrize(
    "language, listed",
    [("en", "2, 8 and 9"), ("ar", "2، 8 و9"), ("zh-hans", "2、8和9")],
)
def test_a_list_is_joined_in_the_readers_language(language, listed):
    from portal.languages import text_list

    with translation.override(language):
        assert text_list([2, 8, 9]) == listed
