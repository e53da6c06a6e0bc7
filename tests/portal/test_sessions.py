"""Sessions end after a pause and after a fixed lifetime, and nothing typed is lost to it."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Answer
from portal.accounts.middleware import LOGIN_AT_SESSION_KEY, duration
from portal.accounts.two_factor import current_code
from portal.audit.models import AuditEvent
from tests.assessments.conftest import form_post
from tests.factories import PASSWORD, make_device

pytestmark = pytest.mark.django_db

SCRIPT = {"accept": "application/json", "x-requested-with": "XMLHttpRequest"}


def log_in(client, user, *, follow=False, url=None):
    return client.post(
        url or reverse("login"), {"username": user.email, "password": PASSWORD}, follow=follow
    )


def session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def pause(client) -> None:
    """What SESSION_IDLE_TIMEOUT seconds without a request do: the session's expiry passes."""
    Session.objects.filter(session_key=session_key(client)).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )


def age(client, seconds: int) -> None:
    """Moves the session's login time ``seconds`` back."""
    session = client.session
    session[LOGIN_AT_SESSION_KEY] -= seconds
    session.save()


def answer(draft, number) -> Answer:
    return Answer.objects.get(assessment=draft, recommendation__number=number)


def form_url(draft) -> str:
    return reverse("assessment_form", args=["AU", draft.cycle.year])


def test_every_request_pushes_the_idle_timeout_back(client_of, respondent):
    client = client_of(respondent)
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_TIMEOUT
    Session.objects.filter(session_key=session_key(client)).update(
        expire_date=timezone.now() + datetime.timedelta(seconds=30)
    )
    client.get(reverse("home"))
    expiry = Session.objects.get(session_key=session_key(client)).expire_date
    idle = datetime.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT)
    assert expiry > timezone.now() + idle - datetime.timedelta(seconds=60)


def test_the_session_is_written_at_most_once_a_minute(client_of, respondent):
    client = client_of(respondent)
    client.get(reverse("home"))
    first = Session.objects.get(session_key=session_key(client)).expire_date
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("framework_current"))
    assert not [q for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert Session.objects.get(session_key=session_key(client)).expire_date == first


def test_after_the_idle_timeout_pages_ask_to_log_in_again(client_of, respondent):
    client = client_of(respondent)
    pause(client)
    assert client.get(reverse("office_home", args=["AU"]))["Location"].startswith(reverse("login"))


def test_a_draft_typed_after_the_idle_timeout_is_not_lost(client, respondent, draft):
    log_in(client, respondent)
    assert client.get(form_url(draft)).status_code == 200
    pause(client)  # the form stays open through a long meeting

    autosave = client.post(
        reverse("assessment_autosave", args=["AU", draft.cycle.year]),
        {"version": "1", "r4-evidence": "Our ISMS policy, 2026."},
        headers=SCRIPT,
    )
    assert autosave.status_code == 401
    assert autosave.json()["error"] == "session_expired"
    assert answer(draft, 4).evidence == ""

    # The banner's "log in again" posts the whole form.
    typed = form_post(draft, r4__status="ongoing", r4__evidence="Our ISMS policy, 2026.")
    posted = client.post(form_url(draft), typed)
    assert posted["Location"].startswith(reverse("login"))
    assert answer(draft, 4).status == ""

    back = log_in(client, respondent, url=posted["Location"], follow=True)
    html = back.content.decode()
    assert "answers you typed before your session expired" in html
    assert "Our ISMS policy, 2026.</textarea>" in html
    assert 'value="ongoing" id="id_r4-status_2" checked' in html
    assert answer(draft, 4).evidence == ""  # saved only when the person presses Save


def test_a_draft_typed_after_the_idle_timeout_survives_the_code_step_too(client, respondent, draft):
    device = make_device(respondent)
    log_in(client, respondent)
    client.post(reverse("two_factor_verify"), {"code": current_code(device)})
    pause(client)
    posted = client.post(form_url(draft), form_post(draft, r7__status_comment="After lunch"))
    assert posted["Location"].startswith(reverse("login"))

    code_step = log_in(client, respondent, url=posted["Location"])
    code_step = client.get(code_step["Location"])
    assert code_step["Location"].startswith(reverse("two_factor_verify"))
    device.refresh_from_db()
    back = client.post(
        code_step["Location"], {"code": current_code(device, unused=True)}, follow=True
    )
    assert "After lunch</textarea>" in back.content.decode()
    assert answer(draft, 7).status_comment == ""


def test_a_session_ends_after_its_lifetime_however_active(client_of, respondent):
    client = client_of(respondent)
    age(client, settings.SESSION_MAX_AGE - 60)
    assert client.get(reverse("office_home", args=["AU"])).status_code == 200
    age(client, 120)
    response = client.get(reverse("office_home", args=["AU"]), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    ends = f"a session ends {duration(settings.SESSION_MAX_AGE)} after logging in"
    assert ends in response.content.decode()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.LOGOUT)
    assert event.user == respondent
    assert event.detail == {"reason": "session_max_age"}


def test_answers_posted_as_the_lifetime_ends_are_kept_for_the_next_login(
    client_of, respondent, draft
):
    client = client_of(respondent)
    age(client, settings.SESSION_MAX_AGE + 1)
    posted = client.post(form_url(draft), form_post(draft, r2__status_comment="Last words"))
    assert posted["Location"].startswith(reverse("login"))
    assert answer(draft, 2).status_comment == ""
    back = log_in(client, respondent, url=posted["Location"], follow=True)
    assert "Last words</textarea>" in back.content.decode()


def test_disabling_an_account_ends_all_its_sessions(respondent, colleague):
    office_pc, laptop, neighbour = Client(), Client(), Client()
    office_pc.force_login(respondent)
    laptop.force_login(respondent)
    neighbour.force_login(colleague)

    respondent.is_active = False
    respondent.save()

    assert not Session.objects.filter(session_key=session_key(office_pc)).exists()
    assert not Session.objects.filter(session_key=session_key(laptop)).exists()
    for browser in (office_pc, laptop):
        assert browser.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert neighbour.get(reverse("home"))["Location"] == "/offices/AU/"
