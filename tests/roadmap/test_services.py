import datetime

import pytest
from django.core.exceptions import ValidationError

from roadmap.models import RoadmapAction, RoadmapEvent
from roadmap.selectors import done_by_due_date
from roadmap.services import (
    InvalidActions,
    StaleVersion,
    action_add,
    action_remove,
    action_update,
    roadmap_replace,
)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 5, 1)


def _add(office, user, recommendation, **values):
    return action_add(
        office=office,
        user=user,
        recommendation=recommendation,
        **{
            "text": "Write the data strategy",
            "responsible_unit": "CIO office",
            "due_on": DAY,
            "status": "planned",
            "drop_reason": "",
            **values,
        },
    )


def test_adding_an_action_records_who_added_it(office, respondent, recommendation):
    action = _add(office, respondent, recommendation)
    event = RoadmapEvent.objects.get()
    assert event.kind == "add" and event.user == respondent and event.action == action
    assert {"field": "responsible_unit", "old": None, "new": "CIO office"} in event.changes
    assert action.roadmap.version == 1


def test_an_action_needs_a_recommended_action_or_its_own_text(office, respondent, recommendation):
    with pytest.raises(ValidationError) as refused:
        _add(office, respondent, recommendation, text="  ")
    assert "text" in refused.value.message_dict
    assert not RoadmapAction.objects.exists()


def test_a_recommended_action_of_another_recommendation_is_refused(
    office, respondent, recommendation, last_year
):
    other = last_year.framework.recommendations.get(number=2).actions.first()
    with pytest.raises(ValidationError) as refused:
        _add(office, respondent, recommendation, recommended_action=other)
    assert "recommended_action" in refused.value.message_dict


def test_dropping_an_action_needs_a_reason(action, respondent):
    with pytest.raises(ValidationError):
        action_update(action=action, user=respondent, base_version=1, status="dropped")
    action_update(
        action=action, user=respondent, base_version=1, status="dropped", drop_reason="No budget"
    )
    action.refresh_from_db()
    assert (action.status, action.drop_reason, action.version) == ("dropped", "No budget", 2)


def test_marking_an_action_done_dates_it_and_undoing_clears_the_date(action, respondent):
    action_update(action=action, user=respondent, base_version=1, status="done", today=DAY)
    action.refresh_from_db()
    assert action.done_on == DAY
    action_update(action=action, user=respondent, base_version=2, status="in_progress")
    action.refresh_from_db()
    assert action.done_on is None


def test_an_edit_from_a_stale_tab_is_refused_and_overwrites_nothing(action, respondent, colleague):
    action_update(action=action, user=colleague, base_version=1, responsible_unit="Registry")
    with pytest.raises(StaleVersion) as stale:
        action_update(action=action, user=respondent, base_version=1, responsible_unit="IT")
    action.refresh_from_db()
    assert action.responsible_unit == "Registry"
    assert stale.value.current.version == 2


def test_removing_an_action_keeps_it_in_the_history(action, respondent):
    action_remove(action=action, user=respondent, base_version=1)
    assert not RoadmapAction.objects.exists()
    removed = RoadmapEvent.objects.get(kind="remove")
    assert removed.action is None and removed.action_label and removed.recommendation_number == 1


def test_the_share_done_by_the_due_date_counts_only_settled_actions(
    office, respondent, recommendation
):
    today = datetime.date(2026, 6, 1)
    early = _add(office, respondent, recommendation, due_on=datetime.date(2026, 3, 1))
    action_update(
        action=early,
        user=respondent,
        base_version=1,
        status="done",
        today=datetime.date(2026, 2, 1),
    )
    late = _add(office, respondent, recommendation, due_on=datetime.date(2026, 3, 1))
    action_update(action=late, user=respondent, base_version=1, status="done", today=today)
    _add(office, respondent, recommendation, due_on=datetime.date(2026, 4, 1))  # overdue
    _add(office, respondent, recommendation, due_on=datetime.date(2026, 9, 1))  # not due yet
    _add(
        office,
        respondent,
        recommendation,
        due_on=datetime.date(2026, 1, 1),
        status="dropped",
        drop_reason="Superseded",
    )
    share = done_by_due_date(early.roadmap, today=today)
    assert (share.count, share.of, share.percent) == (1, 3, 33)


def test_no_settled_action_gives_no_percentage(action):
    share = done_by_due_date(action.roadmap, today=datetime.date(2026, 1, 1))
    assert (share.count, share.of, share.percent) == (0, 0, None)


def test_replacing_the_roadmap_adds_changes_and_removes_in_one_version_check(
    office, respondent, recommendation, action
):
    removed = _add(office, respondent, recommendation)
    roadmap = action.roadmap
    roadmap.refresh_from_db()
    roadmap_replace(
        office=office,
        user=respondent,
        base_version=roadmap.version,
        actions=[
            {
                "id": action.pk,
                "recommendation": recommendation,
                "status": "in_progress",
                "responsible_unit": "ICT division",
                "due_on": action.due_on,
            },
            {
                "recommendation": recommendation,
                "text": "Pilot",
                "responsible_unit": "Lab",
                "due_on": DAY,
                "status": "planned",
            },
        ],
    )
    assert set(RoadmapAction.objects.values_list("text", "status")) == {
        ("", "in_progress"),
        ("Pilot", "planned"),
    }
    assert not RoadmapAction.objects.filter(pk=removed.pk).exists()
    assert list(RoadmapEvent.objects.order_by("version").values_list("kind", flat=True))[-3:] == [
        "change",
        "add",
        "remove",
    ]


def test_replacing_from_a_stale_version_writes_nothing(office, respondent, recommendation, action):
    with pytest.raises(StaleVersion):
        roadmap_replace(office=office, user=respondent, base_version=0, actions=[])
    assert RoadmapAction.objects.filter(pk=action.pk).exists()


def test_one_invalid_item_writes_nothing(office, respondent, recommendation, action):
    with pytest.raises(InvalidActions) as refused:
        roadmap_replace(
            office=office,
            user=respondent,
            base_version=1,
            actions=[
                {
                    "recommendation": recommendation,
                    "text": "Fine",
                    "responsible_unit": "A",
                    "due_on": DAY,
                    "status": "planned",
                },
                {
                    "recommendation": recommendation,
                    "text": "",
                    "responsible_unit": "A",
                    "due_on": DAY,
                    "status": "planned",
                },
            ],
        )
    assert "1" in refused.value.problems
    assert list(RoadmapAction.objects.values_list("pk", flat=True)) == [action.pk]


def test_an_action_links_its_own_and_another_offices_published_practices(
    office, respondent, recommendation, their_practice, our_draft
):
    action = _add(office, respondent, recommendation, practices=[their_practice.pk, our_draft.pk])
    assert set(action.practices.all()) == {their_practice, our_draft}
    added = RoadmapEvent.objects.get(action=action, kind="add")
    linked = sorted([their_practice.pk, our_draft.pk])
    assert {"field": "practices", "old": None, "new": linked} in added.changes


def test_it_refuses_another_offices_unpublished_practice(
    office, respondent, recommendation, their_draft
):
    with pytest.raises(ValidationError) as refused:
        _add(office, respondent, recommendation, practices=[their_draft.pk])
    assert "practices" in refused.value.message_dict
    assert not RoadmapAction.objects.exists() and not RoadmapEvent.objects.exists()


def test_it_refuses_a_practice_shared_with_the_task_force_only(
    office, respondent, recommendation, other_office, outsider
):
    from tests.roadmap.conftest import _practice

    confidential = _practice(other_office, outsider, "Internal only", visibility="task_force")
    with pytest.raises(ValidationError):
        _add(office, respondent, recommendation, practices=[confidential.pk])


def test_a_change_of_links_is_recorded_in_the_history(
    office, respondent, action, their_practice, our_draft
):
    action_update(action=action, user=respondent, base_version=1, practices=[their_practice.pk])
    action_update(action=action, user=respondent, base_version=2, practices=[our_draft.pk])
    action.refresh_from_db()
    assert list(action.practices.all()) == [our_draft] and action.version == 3
    latest = RoadmapEvent.objects.filter(action=action).first()
    assert latest.changes == [
        {"field": "practices", "old": [their_practice.pk], "new": [our_draft.pk]}
    ]


def test_a_practice_withdrawn_since_it_was_linked_stays_linked_when_the_action_changes(
    office, respondent, outsider, action, their_practice
):
    from practices.services import practice_unpublish

    action_update(action=action, user=respondent, base_version=1, practices=[their_practice.pk])
    practice_unpublish(practice=their_practice, user=outsider)
    action_update(
        action=action,
        user=respondent,
        base_version=2,
        status="in_progress",
        practices=[their_practice.pk],
    )
    action.refresh_from_db()
    assert action.status == "in_progress" and list(action.practices.all()) == [their_practice]


def test_the_whole_roadmap_put_refuses_an_unseen_practice_and_writes_nothing(
    office, respondent, action, recommendation, their_draft
):
    item = {
        "id": action.pk,
        "recommendation": recommendation,
        "responsible_unit": "ICT division",
        "due_on": DAY,
        "status": "planned",
        "practices": [their_draft.pk],
    }
    with pytest.raises(InvalidActions) as refused:
        roadmap_replace(office=office, user=respondent, base_version=1, actions=[item])
    assert "practices" in refused.value.problems["0"]
    assert not action.practices.exists()
