"""Logins, lockouts, role changes and disabled accounts land in the audit log: who, when,
from where."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.offices.models import MemberRole, Membership
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

Kind = AuditEvent.Kind
ADDRESS = "192.0.2.44"


def log_in(client, email, password=PASSWORD):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ADDRESS
    )


def mark() -> int:
    """The last event so far: the fixtures' people and memberships have theirs."""
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def role_changes(since: int):
    return AuditEvent.objects.filter(kind=Kind.ROLE_CHANGED, pk__gt=since).order_by("pk")


def just_now(event) -> bool:
    return timezone.now() - event.at < datetime.timedelta(minutes=1)


def test_a_login_is_recorded_with_the_person_the_time_and_the_address(client, respondent):
    log_in(client, respondent.email)
    event = AuditEvent.objects.get(kind=Kind.LOGIN)
    assert (event.user, event.username, event.address) == (respondent, respondent.email, ADDRESS)
    assert just_now(event)


def test_a_failed_login_is_recorded_with_what_was_typed(client, respondent):
    log_in(client, "Robin@IPAustralia.test", "not-my-password")
    event = AuditEvent.objects.get(kind=Kind.LOGIN_FAILED)
    assert (event.user, event.username, event.address) == (None, respondent.email, ADDRESS)
    assert just_now(event)


def test_a_lockout_is_recorded_and_so_is_each_attempt_it_refuses(client, respondent):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, respondent.email, "not-my-password")
    log_in(client, respondent.email)  # the right password, refused while locked
    assert AuditEvent.objects.filter(kind=Kind.LOGIN_FAILED).count() == settings.AXES_FAILURE_LIMIT
    locked, refused = AuditEvent.objects.filter(kind=Kind.LOGIN_LOCKED).order_by("pk")
    assert (locked.username, locked.address) == (respondent.email, ADDRESS)
    assert locked.detail == {"failures": settings.AXES_FAILURE_LIMIT}
    assert refused.detail == {"refused": True}
    assert not AuditEvent.objects.filter(kind=Kind.LOGIN).exists()


def test_logging_out_is_recorded(client, respondent):
    log_in(client, respondent.email)
    client.post(reverse("logout"), REMOTE_ADDR=ADDRESS)
    event = AuditEvent.objects.get(kind=Kind.LOGOUT)
    assert (event.user, event.address, event.detail) == (respondent, ADDRESS, {})


def change_in_console(client, person, membership, **fields):
    """Posts the person's page of the secretariat console."""
    data = {
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "site_role": person.site_role,
        "is_active": "on",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": str(membership.pk),
        "memberships-0-user": str(person.pk),
        "memberships-0-office": str(membership.office_id),
        "memberships-0-role": membership.role,
        "_save": "Save",
    }
    data.update(fields)
    data = {key: value for key, value in data.items() if value is not None}
    response = client.post(
        reverse("admin:accounts_user_change", args=[person.pk]), data, REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def test_role_changes_in_the_console_are_recorded_with_who_made_them(
    client_of, secretariat, respondent
):
    membership = Membership.objects.get(user=respondent)
    since = mark()
    change_in_console(
        client_of(secretariat),
        respondent,
        membership,
        site_role="colead",
        **{"memberships-0-role": MemberRole.VIEWER},
    )
    site, office = role_changes(since)
    for event in (site, office):
        assert (event.user, event.address) == (secretariat, ADDRESS)
        assert (event.object_type, event.object_id) == ("accounts.User", str(respondent.pk))
    assert site.detail == {"site_role": {"old": "", "new": "colead"}}
    assert office.detail == {"office": "AU", "old": "respondent", "new": "viewer"}


def test_an_office_role_given_and_taken_away_is_recorded(respondent, other_office):
    since = mark()
    membership = Membership.objects.create(
        user=respondent, office=other_office, role=MemberRole.VIEWER
    )
    membership.delete()
    given, taken = role_changes(since)
    assert given.detail == {"office": "NZ", "old": "", "new": "viewer"}
    assert taken.detail == {"office": "NZ", "old": "viewer", "new": ""}
    assert given.object_repr == str(respondent)


def test_saving_a_person_without_a_change_of_role_records_nothing(respondent):
    since = mark()
    respondent.first_name = "Robin"
    respondent.save()
    assert mark() == since


def test_disabling_an_account_in_the_console_is_recorded_and_ends_its_sessions(
    client_of, secretariat, respondent
):
    laptop = Client()
    laptop.force_login(respondent)
    change_in_console(
        client_of(secretariat), respondent, Membership.objects.get(user=respondent), is_active=None
    )
    event = AuditEvent.objects.get(kind=Kind.ACCOUNT_DISABLED)
    assert (event.user, event.address) == (secretariat, ADDRESS)
    assert (event.object_id, event.detail) == (str(respondent.pk), {"sessions_ended": 1})
    assert laptop.get(reverse("home"))["Location"].startswith(reverse("login"))
