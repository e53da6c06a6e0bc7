import datetime

import pytest
from django.core import mail
from django.utils import timezone

from assessments import services
from assessments.models import Answer, Assessment, AssessmentEvent
from assessments.selectors import with_answers
from tests.assessments.conftest import complete_values
from tests.factories import make_assessment, make_cycle

pytestmark = pytest.mark.django_db


def test_starting_creates_ten_empty_answers_and_a_history_entry(draft, respondent):
    assert draft.answers.count() == 10
    assert draft.status == Assessment.Status.DRAFT
    event = draft.events.get()
    assert (event.kind, event.user, event.version) == ("create", respondent, 1)


def test_a_save_stores_the_answers_and_records_old_and_new_values(draft, respondent):
    services.assessment_save(
        assessment=draft,
        user=respondent,
        base_version=1,
        values={"r3-status": "ongoing", "r3-maturity_current": 2, "proposals": "Add KPIs."},
    )
    answer = Answer.objects.get(assessment=draft, recommendation__number=3)
    assert (answer.status, answer.maturity_current) == ("ongoing", 2)
    stored = Assessment.objects.get(pk=draft.pk)
    assert stored.proposals == "Add KPIs."
    assert stored.version == 2
    event = stored.events.get(kind="save")
    assert event.user == respondent
    assert sorted(event.changes, key=lambda c: c["field"]) == [
        {"field": "proposals", "old": "", "new": "Add KPIs."},
        {"field": "r3-maturity_current", "old": None, "new": 2},
        {"field": "r3-status", "old": "", "new": "ongoing"},
    ]


def test_a_save_that_changes_nothing_leaves_no_trace(draft, respondent):
    assert (
        services.assessment_save(
            assessment=draft, user=respondent, base_version=1, values={"r1-status": ""}
        )
        is None
    )
    assert Assessment.objects.get(pk=draft.pk).version == 1


def test_a_save_based_on_a_stale_version_is_refused_and_says_what_changed(
    draft, respondent, colleague
):
    services.assessment_save(
        assessment=draft, user=colleague, base_version=1, values={"r1-status": "implemented"}
    )
    with pytest.raises(services.StaleVersion) as stale:
        services.assessment_save(
            assessment=draft,
            user=respondent,
            base_version=1,
            values={"r1-status": "not_planned", "r2-status": "decided"},
        )
    assert stale.value.current_version == 2
    change = stale.value.changes["r1-status"]
    assert (change["base"], change["current"], change["user"]) == ("", "implemented", colleague)
    stored = Answer.objects.filter(assessment=draft).order_by("recommendation__number")
    assert [a.status for a in stored[:2]] == ["implemented", ""]


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (5, 30, "opens on"),
        (-40, -1, "closed on"),
    ],
)
def test_the_form_cannot_be_changed_outside_the_cycle(office, respondent, opens, closes, message):
    today = timezone.localdate()
    cycle = make_cycle(
        today.year,
        offices=[office],
        opens_on=today + datetime.timedelta(days=opens),
        closes_on=today + datetime.timedelta(days=closes),
    )
    assessment = make_assessment(cycle, office)
    with pytest.raises(services.NotEditable, match=message):
        services.assessment_save(
            assessment=assessment, user=respondent, base_version=1, values={"r1-status": "ongoing"}
        )


def test_submitting_needs_every_status_and_current_level(draft, respondent):
    values = complete_values(range(1, 10))
    values["r10-status"] = "ongoing"
    services.assessment_save(assessment=draft, user=respondent, base_version=1, values=values)
    with pytest.raises(services.Incomplete) as incomplete:
        services.assessment_submit(assessment=draft, user=respondent, base_version=2)
    assert incomplete.value.missing.by_recommendation == {10: ["maturity_current"]}
    assert Assessment.objects.get(pk=draft.pk).status == Assessment.Status.DRAFT


def test_a_submission_is_read_only(draft, respondent):
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values=complete_values()
    )
    services.assessment_submit(assessment=draft, user=respondent, base_version=2)
    stored = Assessment.objects.get(pk=draft.pk)
    assert stored.status == Assessment.Status.SUBMITTED
    assert stored.submitted_by == respondent
    assert stored.events.filter(kind="submit").exists()
    with pytest.raises(services.NotEditable, match="read-only"):
        services.assessment_save(
            assessment=stored, user=respondent, base_version=3, values={"r1-status": "implemented"}
        )


def test_the_secretariat_reopens_with_a_reason_and_the_office_is_told(
    draft, respondent, secretariat, django_capture_on_commit_callbacks
):
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values=complete_values()
    )
    services.assessment_submit(assessment=draft, user=respondent, base_version=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.assessment_reopen(
            assessment=draft, user=secretariat, reason="Status of recommendation 4 is out of date."
        )
    stored = Assessment.objects.get(pk=draft.pk)
    assert stored.status == Assessment.Status.DRAFT
    assert stored.reopened_at is not None
    event = stored.events.get(kind="reopen")
    assert (event.user, event.reason) == (secretariat, "Status of recommendation 4 is out of date.")
    assert [message.to for message in mail.outbox] == [[respondent.email]]
    assert "Status of recommendation 4 is out of date." in mail.outbox[0].body
    # A reopened assessment can be changed even after the closing date.
    stored.cycle.closes_on = timezone.localdate() - datetime.timedelta(days=3)
    stored.cycle.save()
    services.assessment_save(
        assessment=stored,
        user=respondent,
        base_version=stored.version,
        values={"r4-status": "implemented"},
    )


def test_only_the_secretariat_reopens(draft, respondent, colead):
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values=complete_values()
    )
    services.assessment_submit(assessment=draft, user=respondent, base_version=2)
    for person in (respondent, colead):
        with pytest.raises(services.PermissionDenied):
            services.assessment_reopen(assessment=draft, user=person, reason="x")
    assert Assessment.objects.get(pk=draft.pk).status == Assessment.Status.SUBMITTED


def test_last_years_answers_fill_only_what_is_empty(draft, office, respondent):
    last_year = make_cycle(draft.cycle.year - 1, offices=[office])
    make_assessment(
        last_year,
        office,
        submitted=True,
        r1={
            "status": "implemented",
            "maturity_current": 4,
            "focus": True,
            "status_comment": "Done in 2025.",
        },
        r2={"status": "decided", "maturity_current": 2},
    )
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values={"r2-status": "ongoing"}
    )
    copied = services.assessment_copy_previous(assessment=draft, user=respondent, base_version=2)
    answers = {a.recommendation.number: a for a in with_answers(draft).answers.all()}
    assert (answers[1].status, answers[1].maturity_current, answers[1].focus) == (
        "implemented",
        4,
        True,
    )
    assert answers[1].status_comment == "Done in 2025."
    assert answers[2].status == "ongoing"  # typed this year: kept
    assert answers[2].maturity_current == 2
    assert copied == 5
    assert draft.events.filter(kind=AssessmentEvent.Kind.COPY).count() == 1


def test_starting_from_last_year_copies_at_once(open_cycle, office, respondent):
    last_year = make_cycle(open_cycle.year - 1, offices=[office])
    make_assessment(last_year, office, submitted=True, r7={"status": "implemented"})
    assessment = services.assessment_start(
        cycle=open_cycle, office=office, user=respondent, from_last_year=True
    )
    assert assessment.answers.get(recommendation__number=7).status == "implemented"


def test_a_persons_own_other_tab_is_merged_like_anyone_elses(draft, respondent):
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values={"r1-status_comment": "Mine"}
    )
    # The second tab, still at version 1, never touched the comment.
    services.assessment_save(
        assessment=draft,
        user=respondent,
        base_version=1,
        values={"r1-status_comment": "", "r2-status": "decided"},
    )
    assert answer_of(draft, 1).status_comment == "Mine"
    assert answer_of(draft, 2).status == "decided"


def test_a_persons_own_tabs_changing_one_answer_differently_are_a_conflict(draft, respondent):
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values={"r1-status": "decided"}
    )
    with pytest.raises(services.StaleVersion) as stale:
        services.assessment_save(
            assessment=draft, user=respondent, base_version=1, values={"r1-status": "ongoing"}
        )
    assert stale.value.conflicts == ["r1-status"]
    assert answer_of(draft, 1).status == "decided"


def test_a_stale_save_writes_only_what_its_sender_changed(draft, respondent, colleague):
    services.assessment_save(
        assessment=draft,
        user=colleague,
        base_version=1,
        values={"r1-status": "implemented", "r3-focus": True, "proposals": "Theirs"},
    )
    event = services.assessment_save(
        assessment=draft,
        user=respondent,
        base_version=1,
        values={
            "r1-status": "",  # untouched by me: theirs is kept
            "r3-focus": None,
            "r2-status": "ongoing",  # mine only: written
            "proposals": "Theirs",  # the same change on both sides: nothing to decide
        },
    )
    assert [change["field"] for change in event.changes] == ["r2-status"]
    assert answer_of(draft, 1).status == "implemented"
    assert answer_of(draft, 3).focus is True
    assert answer_of(draft, 2).status == "ongoing"


def test_without_a_history_to_tell_every_difference_is_asked(draft, respondent, colleague):
    services.assessment_save(
        assessment=draft, user=colleague, base_version=1, values={"r1-status": "implemented"}
    )
    draft.events.filter(version=2).delete()  # a gap: the base cannot be replayed
    with pytest.raises(services.StaleVersion) as stale:
        services.assessment_save(
            assessment=draft, user=respondent, base_version=1, values={"r2-status": "ongoing"}
        )
    assert stale.value.conflicts == ["r2-status"]
    assert answer_of(draft, 2).status == ""


def answer_of(assessment, number) -> Answer:
    return Answer.objects.get(assessment=assessment, recommendation__number=number)


def test_an_assessment_without_all_its_rows_is_measured_against_the_framework(
    open_cycle, office, respondent
):
    assessment = make_assessment(open_cycle, office)
    assessment.answers.filter(recommendation__number__gt=5).delete()
    missing = services.assessment_missing(with_answers(assessment))
    assert sorted(missing.by_recommendation) == list(range(1, 11))
    services.assessment_save(
        assessment=assessment, user=respondent, base_version=1, values={"r8-status": "ongoing"}
    )
    created = assessment.answers.get(recommendation__number=8)
    assert created.status == "ongoing"
    # Not answered yet, like every row made at the start (a submission makes them "no").
    assert (created.focus, created.challenge, created.discuss) == (None, None, None)


def test_the_copy_never_replaces_this_years_no_or_an_emptied_comment(draft, office, respondent):
    last_year = make_cycle(draft.cycle.year - 1, offices=[office])
    make_assessment(
        last_year,
        office,
        submitted=True,
        r1={"focus": True, "challenge": True, "status_comment": "Old", "discuss": False},
        r2={"status_comment": "Old 2", "status_comment_private": True},
    )
    services.assessment_save(
        assessment=draft,
        user=respondent,
        base_version=1,
        values={"r1-focus": False, "r1-status_comment": "Typed"},
    )
    services.assessment_save(
        assessment=draft, user=respondent, base_version=2, values={"r1-status_comment": ""}
    )
    assert services.copy_candidates(draft) == {
        "r1-challenge": True,
        "r1-discuss": False,
        "r2-status_comment": "Old 2",
        "r2-status_comment_private": True,
    }
    copied = services.assessment_copy_previous(assessment=draft, user=respondent, base_version=3)
    first = Answer.objects.get(assessment=draft, recommendation__number=1)
    assert (first.focus, first.challenge, first.status_comment) == (False, True, "")
    assert copied == 3  # the mark comes with its text
    draft.refresh_from_db()
    assert services.copied_unconfirmed(draft) == {
        "r1-challenge",
        "r1-discuss",
        "r2-status_comment",
        "r2-status_comment_private",
    }


def test_a_copy_based_on_an_old_preview_is_refused(draft, office, respondent, colleague):
    make_assessment(
        make_cycle(draft.cycle.year - 1, offices=[office]),
        office,
        submitted=True,
        r1={"status": "implemented"},
    )
    services.assessment_save(
        assessment=draft, user=colleague, base_version=1, values={"r1-status": "ongoing"}
    )
    with pytest.raises(services.StaleVersion):
        services.assessment_copy_previous(assessment=draft, user=respondent, base_version=1)
    assert Answer.objects.get(assessment=draft, recommendation__number=1).status == "ongoing"


def test_undoing_a_copy_is_itself_in_the_history_and_keeps_later_edits(draft, office, respondent):
    make_assessment(
        make_cycle(draft.cycle.year - 1, offices=[office]),
        office,
        submitted=True,
        r1={"status": "implemented", "maturity_current": 4},
    )
    services.assessment_copy_previous(assessment=draft, user=respondent, base_version=1)
    services.assessment_save(
        assessment=draft, user=respondent, base_version=2, values={"r1-maturity_current": 3}
    )
    copy = draft.events.get(kind="copy")
    event = services.assessment_undo_copy(assessment=draft, user=respondent, event_id=copy.pk)
    assert event.changes == [{"field": "r1-status", "old": "implemented", "new": ""}]
    first = Answer.objects.get(assessment=draft, recommendation__number=1)
    assert (first.status, first.maturity_current) == ("", 3)
    assert (
        services.assessment_undo_copy(assessment=draft, user=respondent, event_id=copy.pk) is None
    )


def test_submitting_turns_unanswered_yes_no_questions_into_no(draft, respondent):
    values = {**complete_values(), "r1-focus": True}
    services.assessment_save(assessment=draft, user=respondent, base_version=1, values=values)
    event = services.assessment_submit(assessment=draft, user=respondent, base_version=2)
    answers = Answer.objects.filter(assessment=draft)
    assert answers.filter(focus__isnull=True).count() == 0
    assert answers.filter(focus=True).count() == 1
    assert answers.filter(discuss=False).count() == 10
    # Recorded, so that the history still replays every value.
    assert {"field": "r2-focus", "old": None, "new": False} in event.changes
    assert {"field": "r1-focus", "old": True, "new": False} not in event.changes


def test_a_resubmission_keeps_an_older_surveys_not_asked(
    open_cycle, office, respondent, secretariat
):
    imported = make_assessment(
        open_cycle,
        office,
        submitted=True,
        **{f"r{n}": {"status": "ongoing", "maturity_current": 2} for n in range(1, 11)},
    )
    services.assessment_reopen(assessment=imported, user=secretariat, reason="typo")
    imported.refresh_from_db()
    services.assessment_submit(assessment=imported, user=respondent, base_version=imported.version)
    assert Answer.objects.filter(assessment=imported, focus__isnull=True).count() == 10


def test_the_migration_makes_untouched_draft_flags_not_answered_yet(draft, respondent, office):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "assessments.migrations.0003_flags_not_answered_yet_and_copy_review"
    )
    Answer.objects.filter(assessment=draft).update(
        focus=False, low_priority=False, challenge=False, discuss=False
    )  # as drafts were started before
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values={"r2-focus": True}
    )
    services.assessment_save(
        assessment=draft, user=respondent, base_version=2, values={"r2-focus": False}
    )
    submitted = make_assessment(
        make_cycle(draft.cycle.year - 1, offices=[office]),
        office,
        submitted=True,
        r1={"focus": False},
    )
    migration.untouched_flags_are_not_answered_yet(apps, None)
    assert Answer.objects.get(assessment=draft, recommendation__number=1).focus is None
    assert Answer.objects.get(assessment=draft, recommendation__number=2).focus is False
    assert Answer.objects.get(assessment=submitted, recommendation__number=1).focus is False


def test_last_years_answers_cross_the_merge_of_2_8_and_9_by_the_crosswalks_rule(
    merged_cycle, submitted_on_2024, office, respondent
):
    draft = services.assessment_start(
        cycle=merged_cycle, office=office, user=respondent, from_last_year=True
    )
    merged = Answer.objects.get(assessment=draft, recommendation__number=2)
    assert (merged.status, merged.maturity_current, merged.maturity_target) == (
        "considering",
        2,
        3,
    )
    assert merged.status_comment == "[2] Cloud first since 2022.\n\n[9] A data lake."
    assert merged.status_comment_private is True  # one of its parts was not for publication
    assert merged.focus is True
    was_ten = Answer.objects.get(assessment=draft, recommendation__number=8)
    assert (was_ten.status, was_ten.maturity_current, was_ten.maturity_target) == (
        "decided",
        1,
        2,
    )
    assert was_ten.evidence == "Board minutes."
    draft.refresh_from_db()
    assert {"r2-status", "r2-maturity_target", "r8-evidence"} <= services.copied_unconfirmed(draft)
    assert draft.answers.count() == 8


def test_nothing_is_carried_from_a_framework_this_one_does_not_continue(
    merged_cycle, submitted_on_2024, office, respondent
):
    from recommendations.models import Framework

    Framework.objects.filter(pk=merged_cycle.framework_id).update(derived_from=None)
    merged_cycle.refresh_from_db()
    draft = services.assessment_start(cycle=merged_cycle, office=office, user=respondent)
    assert services.copy_candidates(draft) == {}
    copied = services.assessment_copy_previous(assessment=draft, user=respondent, base_version=1)
    assert copied == 0
    assert not draft.answers.exclude(status="").exists()


def test_a_save_locks_the_assessment_and_not_its_cycle(draft, respondent):
    """A KPI refresh locks the cycle's row while it publishes: no office's save waits for it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if not connection.features.has_select_for_update_of:
        pytest.skip("rows are locked one by one on PostgreSQL only")
    with CaptureQueriesContext(connection) as queries:
        services.assessment_save(
            assessment=draft, user=respondent, base_version=1, values={"r1-status": "ongoing"}
        )
    locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert locks and all(sql.endswith('FOR UPDATE OF "assessments_assessment"') for sql in locks)
