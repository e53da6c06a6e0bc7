import datetime

import pytest
from django.urls import reverse

from roadmap.models import RoadmapAction, RoadmapEvent
from roadmap.services import action_add
from tests.api import token_client

pytestmark = pytest.mark.django_db


def url(code="AU"):
    return reverse("api_roadmap", args=[code])


def test_a_respondent_reads_the_roadmap_with_its_version_as_etag(respondent, action):
    response = token_client(respondent).get(url())
    assert response.status_code == 200
    body = response.json()
    assert response["ETag"] == '"1"' and body["version"] == 1
    assert (body["based_on"], body["framework"], body["editable"]) == (2025, "2024", True)
    assert body["gaps"] == [
        {"recommendation": 1, "current": 2, "target": 4},
        {"recommendation": 3, "current": 3, "target": 4},
    ]
    assert body["actions"][0] | {"id": 0} == {
        "id": 0,
        "recommendation": 1,
        "framework": "2024",
        "carried_from": None,
        "recommended_action": action.recommended_action.position,
        "text": "",
        "responsible_unit": "ICT division",
        "due_on": "2026-06-30",
        "status": "planned",
        "drop_reason": "",
        "done_on": None,
        "practices": [],
        "version": 1,
    }
    assert set(body["done_by_due_date"]) == {"count", "of", "percent"}


def test_an_office_without_a_roadmap_reads_an_empty_one(respondent, last_year):
    body = token_client(respondent).get(url()).json()
    assert (body["version"], body["actions"]) == (0, [])


def test_a_put_replaces_the_roadmap_and_records_each_change(respondent, action):
    response = token_client(respondent).put(
        url(),
        {
            "actions": [
                {
                    "id": action.pk,
                    "recommendation": 1,
                    "recommended_action": action.recommended_action.position,
                    "responsible_unit": "ICT division",
                    "due_on": "2026-06-30",
                    "status": "done",
                },
                {
                    "recommendation": 3,
                    "text": "Data catalogue",
                    "responsible_unit": "Data office",
                    "due_on": "2027-03-31",
                    "status": "planned",
                },
            ]
        },
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200, response.json()
    assert response["ETag"] == '"3"'
    action.refresh_from_db()
    assert action.status == "done" and action.done_on is not None
    added = RoadmapAction.objects.get(text="Data catalogue")
    assert added.recommendation.number == 3
    assert list(RoadmapEvent.objects.values_list("kind", "user")) == [
        ("add", respondent.pk),
        ("change", respondent.pk),
        ("add", respondent.pk),
    ]


def test_a_stale_put_gets_412_and_writes_nothing(respondent, action):
    response = token_client(respondent).put(
        url(), {"actions": []}, format="json", HTTP_IF_MATCH='"0"'
    )
    assert response.status_code == 412 and response.json()["version"] == 1
    assert RoadmapAction.objects.filter(pk=action.pk).exists()


def test_a_put_without_if_match_gets_428(respondent, action):
    response = token_client(respondent).put(url(), {"actions": []}, format="json")
    assert response.status_code == 428


def test_an_invalid_item_is_refused_by_its_position(respondent, action):
    response = token_client(respondent).put(
        url(),
        {
            "actions": [
                {
                    "recommendation": 1,
                    "responsible_unit": "A",
                    "due_on": "2026-01-01",
                    "status": "dropped",
                    "text": "X",
                },
                {
                    "recommendation": 1,
                    "recommended_action": 99,
                    "responsible_unit": "A",
                    "due_on": "2026-01-01",
                    "status": "planned",
                },
            ]
        },
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]["actions"]) == {"1"}


def test_a_viewer_reads_but_cannot_put(viewer, action):
    client = token_client(viewer)
    assert client.get(url()).json()["editable"] is False
    response = client.put(url(), {"actions": []}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 403
    assert RoadmapAction.objects.exists()


def test_it_refuses_another_office_and_an_anonymous_script(client, outsider, action):
    from rest_framework.test import APIClient

    assert APIClient().get(url()).status_code == 401
    assert token_client(outsider).get(url()).status_code == 404
    response = token_client(outsider).put(
        url(), {"actions": []}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 404
    assert RoadmapAction.objects.exists()


def test_a_colead_reads_every_roadmap(colead, action):
    assert token_client(colead).get(url()).status_code == 200


def test_the_roadmap_reads_in_a_bounded_number_of_queries(
    respondent, office, recommendation, django_assert_max_num_queries
):
    for day in range(1, 21):
        action_add(
            office=office,
            user=respondent,
            recommendation=recommendation,
            text=f"Step {day}",
            responsible_unit="ICT",
            due_on=datetime.date(2026, 2, day),
            status="planned",
        )
    client = token_client(respondent)
    with django_assert_max_num_queries(12):
        assert client.get(url()).status_code == 200


def _reads_of(queries, table: str) -> int:
    """How many queries read rows of ``table`` (not counting it in another's subquery)."""
    return sum(query["sql"].startswith(f'SELECT "{table}".') for query in queries)


def test_a_put_reads_the_office_and_the_roadmaps_basis_once(
    respondent, action, django_assert_num_queries
):
    client = token_client(respondent)
    item = {
        "id": action.pk,
        "recommendation": 1,
        "recommended_action": action.recommended_action.position,
        "responsible_unit": "ICT division",
        "due_on": "2026-06-30",
        "status": "done",
    }
    with django_assert_num_queries(23) as queries:
        response = client.put(url(), {"actions": [item]}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2
    # The person's role comes with the office, in its subquery.
    assert _reads_of(queries, "offices_office") == 1
    assert _reads_of(queries, "offices_membership") == 0
    assert _reads_of(queries, "assessments_assessment") == 1
    assert _reads_of(queries, "assessments_answer") == 1


@pytest.fixture
def carried(merged_cycle, office, respondent, roadmap_on_2024):
    from assessments.services import assessment_start

    assessment_start(cycle=merged_cycle, office=office, user=respondent)
    return roadmap_on_2024


def _items(body):
    keep = ("id", "recommendation", "framework", "text", "responsible_unit", "due_on", "status")
    return [
        {name: item[name] for name in keep} | {"drop_reason": item["drop_reason"]}
        for item in body["actions"]
    ]


def test_actions_across_versions_carry_their_framework_and_where_they_come_from(
    respondent, carried
):
    body = token_client(respondent).get(url()).json()
    assert body["framework"] == "2027"
    by_id = {item["id"]: item for item in body["actions"]}
    ten = by_id[carried["on 10"].pk]
    assert (ten["recommendation"], ten["framework"]) == (8, "2027")
    assert ten["carried_from"] == {"recommendation": 10, "framework": "2024"}
    done = by_id[carried["done on 9"].pk]
    assert (done["recommendation"], done["framework"], done["carried_from"]) == (9, "2024", None)


def test_a_put_sends_back_an_action_of_an_older_version_as_it_was_read(respondent, carried):
    client = token_client(respondent)
    response = client.get(url())
    items = _items(response.json())
    response = client.put(url(), {"actions": items}, format="json", HTTP_IF_MATCH=response["ETag"])
    assert response.status_code == 200, response.json()
    done = RoadmapAction.objects.get(pk=carried["done on 9"].pk)
    assert (done.recommendation.framework.version, done.recommendation.number) == ("2024", 9)


def test_a_put_refuses_a_new_action_on_an_older_version(respondent, carried):
    client = token_client(respondent)
    response = client.get(url())
    new = {
        "recommendation": 9,
        "framework": "2024",
        "text": "Late idea",
        "responsible_unit": "ICT",
        "due_on": "2027-01-31",
        "status": "planned",
    }
    response = client.put(
        url(),
        {"actions": [*_items(response.json()), new]},
        format="json",
        HTTP_IF_MATCH=response["ETag"],
    )
    assert response.status_code == 400
    # Plain text: a JSON client lays it out itself, with no invisible direction marks.
    assert "recommendations of the 2027 framework." in str(response.json())
    assert not RoadmapAction.objects.filter(text="Late idea").exists()


def test_a_client_that_ignores_versions_sends_back_what_it_read(respondent, carried):
    client = token_client(respondent)
    response = client.get(url())
    items = [
        {name: value for name, value in item.items() if name != "framework"}
        for item in _items(response.json())
    ]
    response = client.put(url(), {"actions": items}, format="json", HTTP_IF_MATCH=response["ETag"])
    assert response.status_code == 200, response.json()
    assert RoadmapAction.objects.filter(roadmap__office__code="AU").count() == 5


def _item(action, **values):
    return {
        "id": action.pk,
        "recommendation": 1,
        "recommended_action": action.recommended_action.position,
        "responsible_unit": "ICT division",
        "due_on": "2026-06-30",
        "status": "planned",
        **values,
    }


def test_a_put_links_practices_and_a_get_names_them(respondent, action, their_practice):
    client = token_client(respondent)
    response = client.put(
        url(),
        {"actions": [_item(action, practices=[their_practice.pk])]},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200, response.json()
    assert list(action.practices.all()) == [their_practice]
    assert client.get(url()).json()["actions"][0]["practices"] == [
        {"id": their_practice.pk, "available": True, "office": "NZ", "title": their_practice.title}
    ]
    assert RoadmapEvent.objects.filter(action=action, kind="change").get().changes == [
        {"field": "practices", "old": [], "new": [their_practice.pk]}
    ]


def test_a_put_refuses_another_offices_unpublished_practice(respondent, action, their_draft):
    response = token_client(respondent).put(
        url(),
        {"actions": [_item(action, practices=[their_draft.pk])]},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 400
    assert "practices" in response.json()["errors"]["actions"]["0"]
    assert not action.practices.exists()


def test_a_withdrawn_practice_reads_as_unavailable_without_its_title(
    respondent, outsider, action, their_practice
):
    from practices.services import practice_unpublish
    from roadmap.services import action_update

    action_update(action=action, user=respondent, base_version=1, practices=[their_practice.pk])
    practice_unpublish(practice=their_practice, user=outsider)
    body = token_client(respondent).get(url()).json()
    assert body["actions"][0]["practices"] == [
        {"id": their_practice.pk, "available": False, "office": None, "title": None}
    ]
