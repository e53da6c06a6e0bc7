"""A prepared read gives what its queryset gives, with its SQL built once."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from kpi import selectors
from portal.accounts import sessions
from portal.accounts.backends import RoleBackend, person_read
from portal.prepared import Prepared
from tests.factories import make_device
from tests.kpi.test_views import EUROPE, survey

pytestmark = pytest.mark.django_db


def test_the_person_read_is_the_person_the_queryset_reads(respondent, office):
    make_device(respondent)
    found = person_read.first(pk=respondent.pk)
    expected = person_read.build(pk=respondent.pk).get()
    assert found == expected
    assert {field.attname: getattr(found, field.attname) for field in found._meta.fields} == {
        field.attname: getattr(expected, field.attname) for field in expected._meta.fields
    }
    # Annotations come converted as the ORM converts them (SQLite gives 1 for an EXISTS).
    assert found.has_authenticator is True
    assert found.joined_office_codes == expected.joined_office_codes == office.code


def test_its_values_change_with_each_call(respondent, colead):
    assert person_read.first(pk=respondent.pk) == respondent
    assert person_read.first(pk=colead.pk) == colead
    assert person_read.first(pk=colead.pk + 1000) is None


def test_its_sql_is_built_once(respondent, colead):
    built = []

    def build(*, pk):
        built.append(pk)
        return get_user_model().objects.filter(pk=pk)

    read = Prepared(build, pk=int)
    assert read.first(pk=respondent.pk) == respondent
    assert read.first(pk=colead.pk) == colead
    # Twice with markers (to tell its values from its constants), for neither person.
    assert len(built) == 2
    assert respondent.pk not in built and colead.pk not in built


def test_a_value_may_be_used_twice_beside_constants(respondent, colead):
    read = Prepared(
        lambda *, pk: (
            get_user_model().objects.filter(pk=pk, is_active=True).exclude(pk=pk + 0)
            | get_user_model().objects.filter(pk=pk, is_staff=False)
        ),
        pk=int,
    )
    assert read.all(pk=respondent.pk) == [respondent]
    assert read.all(pk=colead.pk) == [colead]


def test_related_rows_come_in_the_same_query(office, django_assert_num_queries):
    cycle = survey(office, EUROPE)
    with django_assert_num_queries(1):
        snapshot = selectors.dashboard_snapshot(2025)
        assert snapshot.cycle == cycle
        assert snapshot.cycle.framework.version == cycle.framework.version
    assert "document" in snapshot.get_deferred_fields()
    assert selectors.dashboard_snapshot(1999) is None


def test_a_value_that_does_not_reach_the_sql_fails_loudly(respondent):
    read = Prepared(lambda *, pk: get_user_model().objects.all(), pk=int)
    with pytest.raises(ValueError, match="does not reach"):
        read.first(pk=respondent.pk)


def test_it_takes_integers_and_strings_only():
    with pytest.raises(TypeError):
        Prepared(lambda *, when: Session.objects.filter(expire_date__gt=when), when=datetime.date)


def test_a_key_that_is_not_a_number_finds_nobody(respondent):
    # A session whose user key was tampered with reads as logged out, not as an error.
    assert RoleBackend().get_user("1 OR 1=1") is None
    assert RoleBackend().get_user(respondent.pk) == respondent


def test_an_expired_session_row_is_no_session(client_of, respondent):
    client = client_of(respondent)
    key = client.cookies["sessionid"].value
    assert sessions.SessionStore(key).load()
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    store = sessions.SessionStore(key)
    assert store.load() == {}
    assert store.session_key is None  # a new key is made if anything is stored
    assert sessions.SessionStore("no-such-key-0123456789abcdef").load() == {}


@pytest.mark.django_db(transaction=True)
def test_another_thread_reads_on_its_own_connection(respondent):
    # A threaded server: the SQL was built on one thread's connection, read on another's.
    import threading

    from django.db import connection

    assert person_read.first(pk=respondent.pk) == respondent
    found, failed = [], []

    def read():
        try:
            found.append(person_read.first(pk=respondent.pk))
        except Exception as error:  # reported below, with the thread's own error
            failed.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert failed == [] and found == [respondent]


@pytest.mark.parametrize("year", [32768, 2**31, 2**63, 10**30])
def test_a_year_beyond_any_column_is_not_found(client_of, colead, respondent, year):
    # The ORM compiles such a value to no rows; a prepared read must not fail on it either.
    assert client_of(colead).get(f"/dashboard/{year}/").status_code == 404
    assert client_of(respondent).get(f"/offices/AU/{year}/").status_code == 404
    assert client_of(respondent).post(f"/offices/AU/{year}/autosave/").status_code == 404


def test_a_session_naming_another_persons_authenticator_leaves_the_colead_at_the_code_step(
    client_of, colead, secretariat
):
    # The authenticator is read by its key alone; whose it is, and that it is confirmed,
    # is still checked (django_otp's middleware, which the prepared read sits under).
    client = client_of(colead)
    assert client.get(reverse("cycle_dashboard", args=[2025])).status_code == 404  # no cycle
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = make_device(secretariat).persistent_id
    session.save()
    refused = client.get(reverse("cycle_dashboard", args=[2025]))
    assert refused.status_code == 302 and "two-factor" in refused["Location"]
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_a_malformed_authenticator_key_in_a_session_is_no_authenticator(client_of, colead):
    client = client_of(colead)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = "otp_totp.totpdevice/not-a-number"
    session.save()
    refused = client.get(reverse("cycle_dashboard", args=[2025]))
    assert refused.status_code == 302 and "two-factor" in refused["Location"]
