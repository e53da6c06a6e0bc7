"""The peer-learning API keeps the pages' rules."""

from collections import Counter

from django.urls import reverse

from practices import services
from practices.models import Openness, Practice
from tests import factories
from tests.api import token_client

NEW = {
    "title": "Zero-trust architecture",
    "summary": "Identity-based access for all systems.",
    "recommendations": [4],
    "kind": "project",
    "status": "in_progress",
    "tags": ["zero trust"],
    "outcomes": [{"indicator": "Systems covered, %", "achieved": "64"}],
}


def test_a_respondent_creates_a_draft_for_their_office(respondent, office):
    response = token_client(respondent).post(
        reverse("api_practices") + "?office=AU", NEW, format="json"
    )
    assert response.status_code == 201, response.content
    practice = Practice.objects.get()
    assert (practice.office, practice.state) == (office, Practice.State.DRAFT)
    assert response.json()["recommendations"] == [4]


def test_it_refuses_to_create_for_another_office(outsider):
    response = token_client(outsider).post(
        reverse("api_practices") + "?office=AU", NEW, format="json"
    )
    assert response.status_code == 404
    assert not Practice.objects.exists()


def test_search_finds_published_entries_only(respondent, office, outsider, other_office):
    draft = services.practice_create(
        office=other_office,
        user=outsider,
        numbers=[4],
        title="Zero trust draft",
        summary="Not yet.",
        kind="project",
        status="planned",
    )
    published = services.practice_publish(
        practice=services.practice_create(
            office=other_office,
            user=outsider,
            numbers=[4],
            title="Zero trust",
            summary="Done.",
            kind="project",
            status="completed",
        ),
        user=outsider,
    )
    body = token_client(respondent).get(reverse("api_practices"), {"q": "zero trust"}).json()
    assert [r["id"] for r in body["results"]] == [published.pk]
    assert body["facets"]["number"] == {"4": 1}
    assert token_client(respondent).get(reverse("api_practice", args=[draft.pk])).status_code == 404


def test_a_stale_patch_is_refused_with_the_stored_entry(respondent, colleague, office):
    practice = services.practice_create(
        office=office,
        user=respondent,
        numbers=[4],
        title="Zero trust",
        summary="First.",
        kind="project",
        status="planned",
    )
    services.practice_update(practice=practice, user=colleague, version=1, summary="Colleague's.")
    response = token_client(respondent).patch(
        reverse("api_practice", args=[practice.pk]),
        {"summary": "Mine", "version": 1},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["summary"] == "Colleague's."
    practice.refresh_from_db()
    assert practice.summary == "Colleague's."


def test_another_office_cannot_patch(outsider, respondent, office):
    practice = services.practice_publish(
        practice=services.practice_create(
            office=office,
            user=respondent,
            numbers=[4],
            title="Ours",
            summary="Ours.",
            kind="project",
            status="planned",
        ),
        user=respondent,
    )
    response = token_client(outsider).patch(
        reverse("api_practice", args=[practice.pk]),
        {"title": "Theirs", "version": 2},
        format="json",
    )
    assert response.status_code == 404
    practice.refresh_from_db()
    assert practice.title == "Ours"


def _read_etag(person, code="AU") -> str:
    return token_client(person).get(reverse("api_office_openness", args=[code]))["ETag"]


def test_openness_is_put_by_respondents_only(respondent, viewer, office):
    url = reverse("api_office_openness", args=["AU"])
    body = {"recommendations": {"10": {"share": True, "joint": False}}, "languages": ["en"]}
    etag = _read_etag(viewer)
    assert (
        token_client(viewer).put(url, body, format="json", headers={"If-Match": etag}).status_code
        == 403
    )
    assert not Openness.objects.exists()
    response = token_client(respondent).put(url, body, format="json", headers={"If-Match": etag})
    assert response.json()["recommendations"] == {"10": {"share": True, "joint": False}}
    bad = token_client(respondent).put(
        url,
        {"recommendations": {"11": {"share": True, "joint": False}}},
        format="json",
        headers={"If-Match": response["ETag"]},
    )
    assert bad.status_code == 400


def test_an_openness_put_without_the_version_read_is_refused(respondent, office):
    url = reverse("api_office_openness", args=["AU"])
    body = {"recommendations": {"10": {"share": True, "joint": False}}}
    response = token_client(respondent).put(url, body, format="json")
    assert response.status_code == 428
    assert not Openness.objects.exists()


def test_a_stale_client_never_reopens_a_consent_a_colleague_withdrew(respondent, office):
    colleague = factories.make_person("deputy@au.test", office=office)
    services.openness_set(office=office, user=colleague, choices={10: {"share": True}})
    stale = _read_etag(respondent)
    services.openness_set(office=office, user=colleague, choices={10: {"share": False}})
    url = reverse("api_office_openness", args=["AU"])
    body = {"recommendations": {"10": {"share": True, "joint": True}}}
    response = token_client(respondent).put(url, body, format="json", headers={"If-Match": stale})
    assert response.status_code == 412
    assert response["ETag"] == _read_etag(respondent)
    assert Openness.objects.get(office=office, number=10).share is False


def test_an_openness_put_reads_the_openness_once_to_check_and_once_to_answer(
    respondent, office, django_assert_num_queries
):
    url = reverse("api_office_openness", args=["AU"])
    body = {"recommendations": {"10": {"share": True, "joint": False}}, "languages": ["en"]}
    etag = _read_etag(respondent)
    client = token_client(respondent)
    with django_assert_num_queries(14) as queries:
        response = client.put(url, body, format="json", headers={"If-Match": etag})
    assert response.status_code == 200
    reads = Counter(
        table
        for query in queries
        for table in ("practices_openness", "practices_peerprofile")
        if query["sql"].startswith(f'SELECT "{table}".')
    )
    assert reads == {"practices_openness": 2, "practices_peerprofile": 2}
    assert response["ETag"] == _read_etag(respondent) != etag
    assert office.peer_profile.languages == ["en"]


def test_partners_list_open_offices_with_reasons_and_never_closed_ones(
    respondent, office, framework
):
    open_office = factories.make_office("NZ")
    closed = factories.make_office("DE")
    person = factories.make_person("cio@nz.test", office=open_office)
    services.openness_set(office=open_office, user=person, choices={10: {"share": True}})
    body = (
        token_client(respondent)
        .get(
            reverse("api_office_partners", args=["AU"]), {"recommendation": 10, "purpose": "share"}
        )
        .json()
    )
    assert [m["office"] for m in body["matches"]] == ["NZ"]
    assert closed.code not in str(body)


def test_if_match_star_overwrites_knowingly(respondent, office):
    colleague = factories.make_person("deputy@au.test", office=office)
    services.openness_set(office=office, user=colleague, choices={10: {"share": True}})
    url = reverse("api_office_openness", args=["AU"])
    body = {"recommendations": {"10": {"share": False, "joint": False}}}
    response = token_client(respondent).put(url, body, format="json", headers={"If-Match": "*"})
    assert response.status_code == 200
    assert Openness.objects.get(office=office, number=10).share is False


def test_a_stale_client_changing_only_languages_is_refused(respondent, office):
    stale = _read_etag(respondent)
    colleague = factories.make_person("deputy@au.test", office=office)
    services.openness_set(office=office, user=colleague, choices={}, languages=["fr"])
    url = reverse("api_office_openness", args=["AU"])
    body = {"recommendations": {}, "languages": ["en"]}
    response = token_client(respondent).put(url, body, format="json", headers={"If-Match": stale})
    assert response.status_code == 412
    assert _read_etag(respondent) == response["ETag"]
