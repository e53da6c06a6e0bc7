"""A logged-in person refused a page or an object that is not theirs leaves a trace."""

import pytest
from django.urls import reverse

from portal.audit import middleware
from portal.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

REFUSED = AuditEvent.Kind.ACCESS_REFUSED


def refusals():
    return AuditEvent.objects.filter(kind=REFUSED)


def test_an_outsider_opening_another_offices_assessment_is_recorded(
    client_of, outsider, draft, open_cycle
):
    url = f"/offices/AU/{open_cycle.year}/"
    response = client_of(outsider).get(url, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 404
    refusal = refusals().get()
    assert refusal.user == outsider
    assert refusal.username == outsider.email
    assert refusal.address == "203.0.113.9"
    assert refusal.detail == {"path": url, "method": "GET", "status": 404}


def test_a_post_is_recorded_with_its_method(client_of, outsider, draft, open_cycle):
    url = reverse("assessment_review", args=["AU", open_cycle.year])
    assert client_of(outsider).post(url, {"version": "1"}).status_code == 404
    assert refusals().get().detail == {"path": url, "method": "POST", "status": 404}


@pytest.mark.parametrize(
    ("person", "url"),
    [
        ("colead", "/secretariat/"),
        ("respondent", "/secretariat/audit/"),
        ("viewer", "/colead/"),
    ],
)
def test_a_page_of_another_role_is_recorded_when_under_a_watched_path(
    client_of, request, person, url
):
    user = request.getfixturevalue(person)
    response = client_of(user).get(url)
    assert response.status_code == 403
    if url.startswith(middleware.AUDITED_PREFIXES):
        assert refusals().get().user == user
        assert refusals().get().detail["status"] == 403
    else:
        # /colead/ is not an object of anyone's: a role's page, refused with a 403 page.
        assert not refusals().exists()


def test_an_office_person_opening_a_dashboard_is_recorded(client_of, respondent, open_cycle):
    url = reverse("cycle_dashboard", args=[open_cycle.year])
    assert client_of(respondent).get(url).status_code == 403
    assert refusals().get().detail == {"path": url, "method": "GET", "status": 403}


def test_the_api_refusing_an_object_is_recorded(client_of, outsider, draft, open_cycle):
    url = f"/api/v1/offices/AU/assessments/{open_cycle.year}/"
    response = client_of(outsider).get(url)
    assert response.status_code in (403, 404)
    assert refusals().get().detail == {
        "path": url,
        "method": "GET",
        "status": response.status_code,
    }


def test_an_anonymous_visitor_is_not_recorded(client, draft, open_cycle):
    response = client.get(f"/offices/AU/{open_cycle.year}/")
    assert response.status_code == 302
    assert not refusals().exists()


def test_pages_that_answer_are_not_recorded(client_of, respondent, draft, open_cycle):
    assert client_of(respondent).get(f"/offices/AU/{open_cycle.year}/").status_code == 200
    assert not refusals().exists()


def test_a_missing_page_elsewhere_or_a_static_file_is_not_recorded(client_of, respondent):
    client = client_of(respondent)
    assert client.get("/framework/no-such-version/").status_code == 404
    assert client.get("/static/css/no-such-file.css").status_code == 404
    assert not refusals().exists()


def test_a_failed_write_does_not_turn_the_refusal_into_an_error(
    client_of, outsider, draft, open_cycle, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(middleware, "audit_record", broken)
    response = client_of(outsider).get(f"/offices/AU/{open_cycle.year}/")
    assert response.status_code == 404
