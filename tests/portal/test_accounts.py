import re

import pytest
from django.core import mail
from django.urls import reverse

from portal.accounts.models import User

pytestmark = pytest.mark.django_db


def test_a_forgotten_password_is_reset_through_the_e_mailed_link(client, respondent):
    client.post(reverse("password_reset"), {"email": "ROBIN@ipaustralia.test"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [respondent.email]
    link = re.search(r"http://testserver(/accounts/password/reset/\S+)", message.body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "correct-horse-battery", "new_password2": "correct-horse-battery"},
    )
    assert done.status_code == 302
    assert User.objects.get(pk=respondent.pk).check_password("correct-horse-battery")


def test_a_reset_for_an_unknown_address_reveals_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "stranger@example.test"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_a_weak_new_password_is_refused_with_the_reasons(client_of, respondent):
    response = client_of(respondent).post(
        reverse("password_change"),
        {
            "old_password": "a-long-test-password",
            "new_password1": "12345678",
            "new_password2": "12345678",
        },
    )
    html = response.content.decode()
    assert "This password is too short" in html
    assert "This password is entirely numeric" in html
    assert User.objects.get(pk=respondent.pk).check_password("a-long-test-password")


def test_logging_out_ends_the_session(client_of, respondent):
    client = client_of(respondent)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_language_switcher_shows_the_portal_in_french(client_of, respondent):
    client = client_of(respondent)
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/offices/AU/"})
    assert response.status_code == 302
    html = client.get("/offices/AU/").content.decode()
    assert '<html lang="fr" dir="ltr">' in html
    assert "Cycles d’auto-évaluation" in html


def test_the_login_page_can_be_read_in_french_before_logging_in(client, db):
    client.post(reverse("set_language"), {"language": "fr", "next": "/accounts/login/"})
    html = client.get(reverse("login")).content.decode()
    assert "Se connecter" in html
