"""Choosing a new password ends the person's other sessions; a reset also revokes their API
tokens and tells them by e-mail."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from portal.accounts.models import User
from portal.api.models import ApiToken
from portal.api.services import token_create
from portal.audit.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "correct-horse-battery"


def sessions_of(user) -> list[str]:
    return [
        session.session_key
        for session in Session.objects.all()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def key_of(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def reset_password(client, user, django_capture_on_commit_callbacks):
    client.post(reverse("password_reset"), {"email": user.email})
    link = re.search(r"http://testserver(/accounts/password/reset/\S+)", mail.outbox[-1].body)
    form = client.get(link.group(1), follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            form.redirect_chain[-1][0],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )


def test_a_reset_ends_every_session_of_the_person(
    client, respondent, colleague, django_capture_on_commit_callbacks
):
    laptop, phone, theirs = logged_in(respondent), logged_in(respondent), logged_in(colleague)
    assert reset_password(client, respondent, django_capture_on_commit_callbacks).status_code == 302
    assert sessions_of(respondent) == []
    assert sessions_of(colleague) == [key_of(theirs)]
    assert laptop.get(reverse("home")).status_code == 302
    assert phone.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_a_reset_revokes_the_persons_api_tokens(
    client, respondent, colleague, django_capture_on_commit_callbacks
):
    token, key = token_create(user=respondent, name="script")
    _, theirs = token_create(user=colleague, name="script")
    reset_password(client, respondent, django_capture_on_commit_callbacks)
    assert not ApiToken.objects.live().filter(user=respondent).exists()
    assert ApiToken.objects.live().filter(user=colleague).count() == 1
    refused = Client().get("/api/v1/offices/", headers={"authorization": f"Bearer {key}"})
    assert refused.status_code == 401
    kept = Client().get("/api/v1/offices/", headers={"authorization": f"Bearer {theirs}"})
    assert kept.status_code == 200
    revoked = AuditEvent.objects.get(kind=AuditEvent.Kind.TOKEN_REVOKED)
    assert (revoked.user, revoked.object_id) == (respondent, str(token.pk))


def test_a_reset_is_told_to_the_person_by_e_mail(
    client, respondent, django_capture_on_commit_callbacks
):
    logged_in(respondent)
    token_create(user=respondent, name="script")
    reset_password(client, respondent, django_capture_on_commit_callbacks)
    notice = mail.outbox[-1]
    assert notice.to == [respondent.email]
    assert notice.subject == "Your password for the ICT maturity portal was changed"
    assert "logged out on every device" in notice.body
    assert "1 API token" in notice.body
    assert "http://localhost:8000/accounts/profile/" in notice.body


def test_a_mail_server_that_is_down_does_not_undo_the_reset(
    client, respondent, settings, django_capture_on_commit_callbacks
):
    client.post(reverse("password_reset"), {"email": respondent.email})
    link = re.search(r"http://testserver(/accounts/password/reset/\S+)", mail.outbox[-1].body)
    form = client.get(link.group(1), follow=True)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            form.redirect_chain[-1][0],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
    assert response.status_code == 302
    assert User.objects.get(pk=respondent.pk).check_password(NEW_PASSWORD)


def test_choosing_a_first_password_from_an_invitation_sends_no_notice(
    client, office, django_capture_on_commit_callbacks
):
    from assessments.notifications import welcome_url
    from tests.factories import make_person

    newcomer = make_person("new@ipaustralia.test", office=office)
    newcomer.set_unusable_password()
    newcomer.save()
    path = welcome_url(newcomer).removeprefix(settings.SITE_URL.rstrip("/"))
    form = client.get(path, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            form.redirect_chain[-1][0],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
    assert response.status_code == 302
    assert sessions_of(newcomer) == [key_of(client)]
    assert mail.outbox == []


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(
    client_of, respondent, colleague
):
    laptop = logged_in(respondent)
    theirs = logged_in(colleague)
    here = client_of(respondent)
    response = here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert sessions_of(respondent) == [key_of(here)]
    assert sessions_of(colleague) == [key_of(theirs)]
    assert here.get(reverse("account_profile")).status_code == 200
    assert laptop.get(reverse("account_profile")).status_code == 302


def test_a_password_change_keeps_the_api_tokens(client_of, respondent):
    token_create(user=respondent, name="script")
    client_of(respondent).post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert ApiToken.objects.live().filter(user=respondent).count() == 1


def test_the_page_after_a_reset_says_what_ended(
    client, respondent, django_capture_on_commit_callbacks
):
    response = reset_password(client, respondent, django_capture_on_commit_callbacks)
    page = client.get(response["Location"]).content.decode()
    assert "You have been logged out on every device" in page
