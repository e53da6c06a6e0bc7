import datetime

import pytest
from django.core.exceptions import ValidationError

from kpi.models import KpiSnapshot
from roadmap.models import Roadmap, RoadmapAction, RoadmapEvent
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


def test_a_second_action_reads_the_roadmap_once_and_locks_it_as_it_reads(
    office, respondent, recommendation
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _add(office, respondent, recommendation)
    with CaptureQueriesContext(connection) as queries:
        _add(office, respondent, recommendation, text="Train the examiners")
    reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "roadmap_roadmap".')]
    assert len(reads) == 1
    if connection.features.has_select_for_update:
        assert reads[0].endswith("FOR UPDATE")
    assert Roadmap.objects.get(office=office).version == 2


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


def _open_the_merged_cycle(merged_cycle, office, respondent):
    from assessments.services import assessment_start

    return assessment_start(cycle=merged_cycle, office=office, user=respondent)


def _state(office):
    return sorted(
        RoadmapAction.objects.filter(roadmap__office=office).values_list(
            "pk", "recommendation_id", "carried_from_id", "version", "status"
        )
    )


def test_opening_the_merged_cycle_carries_the_open_actions_by_the_crosswalk(
    merged_cycle, office, respondent, roadmap_on_2024
):
    _open_the_merged_cycle(merged_cycle, office, respondent)
    new = {r.number: r for r in merged_cycle.framework.recommendations.all()}
    moved = {name: RoadmapAction.objects.get(pk=a.pk) for name, a in roadmap_on_2024.items()}
    for name in ("on 2", "on 8", "on 9"):
        assert moved[name].recommendation == new[2]
        assert moved[name].carried_from == roadmap_on_2024[name].recommendation
    assert moved["on 10"].recommendation == new[8]
    assert moved["on 8"].status == "in_progress"
    # Its recommended action belongs to 2024's recommendation 2: its wording stays.
    assert moved["on 2"].recommended_action is None
    assert moved["on 2"].text == roadmap_on_2024["on 2"].recommended_action.text
    # History stays with the recommendation it was done for.
    assert moved["done on 9"].recommendation == roadmap_on_2024["done on 9"].recommendation
    assert moved["done on 9"].carried_from is None
    events = RoadmapEvent.objects.filter(kind="carry").order_by("pk")
    assert [e.recommendation_number for e in events] == [2, 2, 2, 8]
    assert {e.user for e in events} == {respondent}
    assert events[3].changes == [{"field": "recommendation", "old": "10 (2024)", "new": "8 (2027)"}]


def test_a_carried_wording_longer_than_an_actions_own_is_cut_at_a_word_with_an_ellipsis(
    merged_cycle, office, respondent, roadmap_on_2024
):
    from recommendations.models import RecommendedAction
    from roadmap.models import TEXT_MAX_LENGTH

    sentence = "Review how the office governs its data and publish what the review finds. "
    wording = (sentence * 25)[:1500]
    chosen = roadmap_on_2024["on 2"].recommended_action
    RecommendedAction.objects.filter(pk=chosen.pk).update(text=wording)
    assert len(wording) == 1500 and not wording[TEXT_MAX_LENGTH - 1].isspace()

    _open_the_merged_cycle(merged_cycle, office, respondent)
    carried = RoadmapAction.objects.get(pk=roadmap_on_2024["on 2"].pk)
    assert carried.recommended_action is None
    assert len(carried.text) <= TEXT_MAX_LENGTH and carried.text.endswith("…")
    kept = carried.text.removesuffix("…")
    assert wording.startswith(kept) and wording[len(kept)] == " "
    # The last word boundary that leaves room for the ellipsis: no later one was passed over.
    assert " " not in wording[len(kept) + 1 : TEXT_MAX_LENGTH]
    event = RoadmapEvent.objects.get(kind="carry", action=carried)
    assert {"field": "text", "old": "", "new": carried.text} in event.changes
    assert event.action_label == carried.text


def test_carrying_twice_changes_nothing(merged_cycle, office, respondent, roadmap_on_2024):
    from roadmap.services import roadmap_carry

    _open_the_merged_cycle(merged_cycle, office, respondent)
    before = _state(office)
    version = Roadmap.objects.get(office=office).version
    assert roadmap_carry(office=office, framework=merged_cycle.framework, user=respondent) == []
    assert _state(office) == before
    assert Roadmap.objects.get(office=office).version == version


def test_another_offices_roadmap_is_untouched(
    merged_cycle, office, other_office, respondent, roadmap_on_2024
):
    before = _state(other_office)
    _open_the_merged_cycle(merged_cycle, office, respondent)
    assert _state(other_office) == before
    assert not RoadmapEvent.objects.filter(roadmap__office=other_office, kind="carry").exists()


def _framework_splitting_10_and_retiring_9():
    """A 2028 version of 2024 in which 9 is retired and 10 continues as 9 and 10."""
    from recommendations.models import CrosswalkLink
    from recommendations.services import framework_copy
    from tests.factories import default_framework

    original = default_framework()
    new = framework_copy(framework=original, version="2028")
    CrosswalkLink.objects.filter(framework=new).delete()
    old = {r.number: r for r in original.recommendations.all()}
    mine = {r.number: r for r in new.recommendations.all()}
    lines = [(n, n) for n in range(1, 9)] + [(9, None), (10, 9), (10, 10)]
    for previous, number in lines:
        CrosswalkLink.objects.create(
            framework=new,
            previous=old[previous],
            recommendation=mine[number] if number else None,
        )
    new.status = "active"
    new.save()
    return new


def test_a_split_carries_to_the_first_new_one_and_a_retired_one_keeps_its_actions(
    office, respondent, roadmap_on_2024
):
    from roadmap.selectors import actions_of, roadmap_basis, roadmap_layout
    from roadmap.services import roadmap_carry
    from tests.factories import make_assessment, make_cycle

    framework = _framework_splitting_10_and_retiring_9()
    make_assessment(make_cycle(2028, framework=framework), office)
    moved = roadmap_carry(office=office, framework=framework, user=None)
    assert {a.pk for a in moved} == {roadmap_on_2024[n].pk for n in ("on 2", "on 8", "on 10")}
    ten = RoadmapAction.objects.get(pk=roadmap_on_2024["on 10"].pk)
    assert (ten.recommendation.framework, ten.recommendation.number) == (framework, 9)
    nine = RoadmapAction.objects.get(pk=roadmap_on_2024["on 9"].pk)
    assert nine.recommendation == roadmap_on_2024["on 9"].recommendation  # retired: kept
    assert RoadmapEvent.objects.filter(kind="carry", user=None).count() == 3

    layout = roadmap_layout(roadmap_basis(office), actions_of(office.roadmap))
    row = next(row for row in layout.rows if row.recommendation.number == 9)
    [carried] = [a for a in row.actions if a.pk == ten.pk]
    assert (carried.origin.number, carried.origin.version, carried.origin.also) == (
        10,
        "2024",
        (10,),
    )
    assert {a.pk for a in layout.retired} == {
        roadmap_on_2024["on 9"].pk,
        roadmap_on_2024["done on 9"].pk,
    }


def test_a_change_to_an_action_recomputes_the_figures_of_its_due_dates_year(
    office, respondent, recommendation, last_year
):
    from kpi.services import snapshot_refresh
    from outbox.models import OutboxMessage
    from tests.factories import make_cycle

    snapshot_refresh(cycle=last_year)  # 2025 has figures; 2026 has a cycle without any yet
    make_cycle(2026, offices=[office])
    OutboxMessage.objects.all().delete()

    def recomputed():
        return sorted(
            message.args[0]
            for message in OutboxMessage.objects.filter(task="kpi.tasks.recompute_kpis")
        )

    action = _add(office, respondent, recommendation, due_on=datetime.date(2025, 10, 1))
    assert recomputed() == [last_year.pk]

    OutboxMessage.objects.all().delete()
    action_update(action=action, user=respondent, base_version=1, status="done")
    assert recomputed() == [last_year.pk]

    OutboxMessage.objects.all().delete()
    action.refresh_from_db()
    action_update(
        action=action,
        user=respondent,
        base_version=action.version,
        due_on=datetime.date(2026, 1, 5),
    )
    assert recomputed() == [last_year.pk]  # its old year; 2026 has no figures to follow

    OutboxMessage.objects.all().delete()
    _add(office, respondent, recommendation, due_on=datetime.date(2027, 1, 1))
    assert recomputed() == []


def _recomputations(*, sent: bool | None = None) -> list[int]:
    from outbox.models import OutboxMessage

    messages = OutboxMessage.objects.filter(task="kpi.tasks.recompute_kpis")
    if sent is not None:
        messages = messages.filter(sent_at__isnull=not sent)
    return [message.args[0] for message in messages.order_by("pk")]


def test_a_burst_of_edits_asks_for_one_recomputation_until_it_starts(
    office, respondent, recommendation, last_year
):
    from django.db import transaction

    from kpi.services import snapshot_refresh
    from outbox.models import OutboxMessage
    from outbox.services import dispatch

    snapshot_refresh(cycle=last_year)
    OutboxMessage.objects.all().delete()
    due = datetime.date(2025, 10, 1)
    with transaction.atomic():
        action = _add(office, respondent, recommendation, due_on=due)
        action_update(action=action, user=respondent, base_version=1, status="in_progress")
    action_update(action=action, user=respondent, base_version=2, text="Write it with IT")
    _add(office, respondent, recommendation, due_on=due, text="Train the examiners")
    assert _recomputations(sent=False) == [last_year.pk]

    # Its run starts (in-process here, as without a broker): a later edit is not in it.
    [waiting] = OutboxMessage.objects.all()
    dispatch(waiting.pk)
    document = KpiSnapshot.objects.get(cycle=last_year).document
    assert document["actions_done_by_due_date"]["count"] == 0  # both open, past their date
    action_update(action=action, user=respondent, base_version=3, status="done", today=due)
    assert _recomputations(sent=True) == [last_year.pk]
    assert _recomputations(sent=False) == [last_year.pk]


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


@pytest.mark.django_db(transaction=True)
def test_edits_committed_while_the_broker_is_down_wait_as_one_recomputation(
    committed_framework, office, respondent, broker_down
):
    from django.db import transaction

    from kpi.services import snapshot_refresh
    from outbox.models import OutboxMessage
    from outbox.services import sweep
    from tests.factories import make_cycle

    cycle = make_cycle(2025, offices=[office])
    snapshot_refresh(cycle=cycle)
    recommendation = cycle.framework.recommendations.get(number=1)
    due = datetime.date(2025, 10, 1)
    action = _add(office, respondent, recommendation, due_on=due)
    action_update(action=action, user=respondent, base_version=1, status="in_progress")
    with transaction.atomic():
        action_update(action=action, user=respondent, base_version=2, text="With IT")
        _add(office, respondent, recommendation, due_on=due, text="Train the examiners")
    [waiting] = OutboxMessage.objects.filter(task="kpi.tasks.recompute_kpis")
    assert waiting.sent_at is None and waiting.last_error  # each commit tried to send it

    broker_down.back()
    assert sweep(grace=0).sent == 1
    assert KpiSnapshot.objects.get(cycle=cycle).document["actions_done_by_due_date"]["of"] == 2
    # Sent, so perhaps running: a later edit asks for a run of its own.
    action_update(action=action, user=respondent, base_version=3, status="done", today=due)
    assert _recomputations(sent=True) == [cycle.pk, cycle.pk]
    assert KpiSnapshot.objects.get(cycle=cycle).document["actions_done_by_due_date"]["count"] == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_framework")
def test_two_first_actions_at_once_make_one_roadmap_and_both_are_recorded(
    office, respondent, recommendation
):
    import threading

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("rows are locked one by one on PostgreSQL only")

    def a_colleague_adds_meanwhile():
        try:
            _add(office, respondent, recommendation, text="Train the examiners")
        finally:
            connections.close_all()

    with transaction.atomic():
        _add(office, respondent, recommendation)
        colleague = threading.Thread(target=a_colleague_adds_meanwhile)
        colleague.start()
        colleague.join(timeout=1)
        assert colleague.is_alive()  # waits for the roadmap this first action made
    colleague.join(timeout=10)
    assert not colleague.is_alive()
    roadmap = Roadmap.objects.get(office=office)
    assert roadmap.version == 2
    assert sorted(roadmap.events.values_list("version", flat=True)) == [1, 2]
    assert roadmap.actions.count() == 2
