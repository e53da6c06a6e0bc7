"""The secretariat's audit log page, its CSV download and its read-only place in the console."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.audit.views import PAGE_SIZE
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

Kind = AuditEvent.Kind
URL = reverse("audit_log")
CSV_URL = reverse("audit_log_csv")


def event(kind=Kind.LOGIN, *, username="robin@ipaustralia.test", at=None, **fields):
    created = AuditEvent.objects.create(kind=kind, username=username, **fields)
    if at is not None:
        # ``at`` is set on creation (auto_now_add); a test that needs another time sets it.
        AuditEvent.objects.filter(pk=created.pk).update(at=at)
        created.refresh_from_db()
    return created


def listed_users(response) -> list[str]:
    return [row.event.username for row in response.context["rows"]]


@pytest.fixture
def reader(client_of, secretariat):
    """The secretariat's client, with an empty log: logging in may have recorded events."""
    client = client_of(secretariat)
    AuditEvent.objects.all().delete()
    return client


def test_the_secretariat_reads_the_log_newest_first(reader):
    event(Kind.LOGIN, username="first@example.test", address="10.0.0.1")
    event(
        Kind.ACCESS_REFUSED,
        username="second@example.test",
        address="2001:db8::1",
        object_repr="IP Australia 2026",
        object_type="assessments.Assessment",
        object_id="7",
        detail={"path": "/offices/AU/2026/", "status": 404},
    )
    response = reader.get(URL)
    assert response.status_code == 200
    assert listed_users(response) == ["second@example.test", "first@example.test"]
    html = response.content.decode()
    for text in (
        "Access refused",
        "2001:db8::1",
        "IP Australia 2026",
        "/offices/AU/2026/",
        "Time (UTC)",
    ):
        assert text in html


def test_times_are_shown_in_utc(client_of, secretariat, settings):
    settings.TIME_ZONE = "Australia/Sydney"
    event(at=datetime.datetime(2026, 3, 2, 23, 30, tzinfo=datetime.UTC))
    html = client_of(secretariat).get(URL).content.decode()
    assert "2026-03-02 23:30:00" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": Kind.LOGIN_FAILED}, ["failed@example.test"]),
        ({"user": "IPAUSTRALIA"}, ["robin@ipaustralia.test"]),
        ({"address": "192.0.2."}, ["failed@example.test"]),
        ({"since": "2026-03-02"}, ["robin@ipaustralia.test"]),
        ({"until": "2026-03-01"}, ["failed@example.test", "old@example.test"]),
        ({"since": "2026-03-01", "until": "2026-03-01"}, ["failed@example.test"]),
    ],
)
def test_the_filters_narrow_the_list(reader, query, expected):
    event(
        Kind.LOGIN,
        username="robin@ipaustralia.test",
        address="10.1.2.3",
        at=datetime.datetime(2026, 3, 2, 0, 0, tzinfo=datetime.UTC),
    )
    event(
        Kind.LOGIN_FAILED,
        username="failed@example.test",
        address="192.0.2.44",
        at=datetime.datetime(2026, 3, 1, 23, 59, 59, tzinfo=datetime.UTC),
    )
    event(
        Kind.LOGOUT,
        username="old@example.test",
        address="10.9.9.9",
        at=datetime.datetime(2025, 12, 31, 12, 0, tzinfo=datetime.UTC),
    )
    response = reader.get(URL, query)
    assert listed_users(response) == expected


def test_the_user_filter_also_finds_an_account_by_its_current_address(reader, respondent):
    event(user=respondent, username="before-renaming@example.test")
    response = reader.get(URL, {"user": "ipaustralia"})
    assert listed_users(response) == ["before-renaming@example.test"]


def test_a_wrong_filter_is_reported_and_lists_nothing(client_of, secretariat):
    event()
    response = client_of(secretariat).get(URL, {"since": "2026-03-05", "until": "2026-03-01"})
    assert response.status_code == 200
    assert response.context["rows"] == []
    html = response.content.decode()
    assert "The “from” date is after the “to” date." in html
    assert "Correct the filters to see the events." in html


def test_the_list_has_50_events_a_page_and_keeps_the_filters_across_pages(reader):
    client = reader
    AuditEvent.objects.bulk_create(
        [AuditEvent(kind=Kind.LOGIN, username=f"p{n}@example.test") for n in range(120)]
    )
    first = client.get(URL, {"kind": Kind.LOGIN})
    assert len(first.context["rows"]) == PAGE_SIZE == 50
    assert "kind=login&amp;page=2" in first.content.decode()
    last = client.get(URL, {"kind": Kind.LOGIN, "page": 3})
    assert len(last.context["rows"]) == 20
    assert client.get(URL, {"page": "not-a-number"}).status_code == 200


def test_the_page_does_not_query_more_with_more_events(
    client_of, secretariat, django_assert_max_num_queries
):
    client = client_of(secretariat)
    event()
    # Session, user, authenticator, count, the page, the menu, the session saved.
    with django_assert_max_num_queries(10) as few:
        client.get(URL)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(kind=Kind.ACCESS_REFUSED, username=f"p{n}@example.test", detail={"n": n})
            for n in range(300)
        ]
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"user": "example.test"})
    assert len(response.context["rows"]) == PAGE_SIZE


def test_the_csv_holds_the_filtered_rows_and_cannot_run_formulas(reader):
    event(Kind.LOGIN_FAILED, username='=HYPERLINK("http://evil.test")', address="192.0.2.1")
    event(Kind.LOGIN, username="robin@ipaustralia.test", detail={"path": "-1+1"})
    response = reader.get(CSV_URL, {"kind": Kind.LOGIN_FAILED})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[:5] == ["Time (UTC)", "Event", "Event code", "User", "Address"]
    assert len(rows) == 1
    assert rows[0][1:5] == [
        "Failed login",
        "login_failed",
        '\'=HYPERLINK("http://evil.test")',
        "192.0.2.1",
    ]


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_names_the_kind_of_object_as_the_page_does_in_the_readers_language(reader):
    about = {"object_id": "7", "object_repr": "IP Australia 2026"}
    event(Kind.ACCESS_REFUSED, object_type="assessments.Assessment", **about)
    event(Kind.EXPORT, object_type="exports.ExportJob", object_id="3", object_repr="Annex")
    event(Kind.LOGIN, object_type="retired.Thing", object_id="1", object_repr="Gone")
    event(Kind.LOGIN_FAILED)

    # Robin's events only: the download records one of its own, about no object.
    header, *rows = _csv_rows(reader.get(CSV_URL, {"user": "robin"}))
    kinds = [row[header.index("Object type")] for row in rows]
    assert kinds == ["", "retired.Thing", "Export", "Assessment"]

    reader.post(reverse("set_language"), {"language": "fr"})
    header, *rows = _csv_rows(reader.get(CSV_URL, {"kind": Kind.ACCESS_REFUSED}))
    assert [row[5:8] for row in rows] == [["Auto-évaluation", "7", "IP Australia 2026"]]


def test_downloading_the_log_is_itself_recorded(reader, secretariat):
    b"".join(reader.get(CSV_URL, {"user": "robin"}).streaming_content)
    download = AuditEvent.objects.filter(kind=Kind.EXPORT).get()
    assert download.user == secretariat
    assert download.detail == {"export": "audit log", "user": "robin"}


def test_the_csv_with_a_wrong_filter_shows_the_page_with_the_error(client_of, secretariat):
    response = client_of(secretariat).get(CSV_URL, {"since": "yesterday"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(kind=Kind.EXPORT).exists()


@pytest.mark.parametrize("person", ["colead", "respondent", "viewer"])
@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_others_are_refused(client_of, request, person, url):
    response = client_of(request.getfixturevalue(person)).get(url)
    assert response.status_code == 403


@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_an_anonymous_visitor_is_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_log_cannot_be_changed_through_the_page(client_of, secretariat):
    logged = event()
    response = client_of(secretariat).post(URL, {"kind": Kind.LOGOUT})
    assert response.status_code == 405
    logged.refresh_from_db()
    assert logged.kind == Kind.LOGIN


def test_the_secretariat_home_links_to_the_log(client_of, secretariat):
    html = client_of(secretariat).get(reverse("secretariat_home")).content.decode()
    assert f'href="{URL}"' in html


# --- The console ---------------------------------------------------------------------------
@pytest.fixture
def superuser(db):
    from portal.accounts.models import User

    return User.objects.create_superuser("root@ib.test", PASSWORD)


@pytest.mark.parametrize("person", ["secretariat", "superuser"])
def test_the_console_shows_the_log_read_only_to_everyone(client_of, request, person):
    client = client_of(request.getfixturevalue(person))
    logged = event(detail={"path": "/x/"})
    changelist = reverse("admin:audit_auditevent_changelist")
    change = reverse("admin:audit_auditevent_change", args=[logged.pk])
    assert client.get(reverse("admin:index")).status_code == 200
    assert changelist in client.get(reverse("admin:index")).content.decode()
    listing = client.get(changelist)
    assert listing.status_code == 200
    assert "robin@ipaustralia.test" in listing.content.decode()
    assert listing.context["cl"].model_admin.get_actions(listing.wsgi_request) == {}
    assert client.get(change).status_code == 200
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.post(change, {"kind": Kind.LOGOUT, "username": "x"}).status_code == 403
    delete = reverse("admin:audit_auditevent_delete", args=[logged.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    logged.refresh_from_db()
    assert (logged.kind, logged.username) == (Kind.LOGIN, "robin@ipaustralia.test")


def test_the_console_does_not_show_the_log_to_a_colead(client_of, colead):
    client = client_of(colead)
    response = client.get(reverse("admin:audit_auditevent_changelist"))
    assert response.status_code in (302, 403)


def test_no_one_holds_a_permission_to_change_the_log(secretariat, superuser, rf):
    from django.contrib import admin

    model_admin = admin.site._registry[AuditEvent]
    for user in (secretariat, superuser):
        request = rf.get("/")
        request.user = user
        assert model_admin.has_view_permission(request)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)


def test_the_time_column_is_the_stored_utc_time(client_of, secretariat):
    logged = event()
    html = client_of(secretariat).get(URL).content.decode()
    assert logged.at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S") in html
    assert timezone.is_aware(logged.at)
