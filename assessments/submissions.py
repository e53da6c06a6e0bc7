"""The last submitted version of assessments: what everyone outside the office reads.

A submitted assessment is read-only, so its stored answers are the ones it submitted. Once the
secretariat reopens it, the stored answers become the office's work in progress, and the version
it submitted is replayed from the history instead: every event records each answer's old and new
value, and a reopening changes no answer, so undoing every change recorded after the last
reopening gives back the submitted answers exactly. Nothing is copied at submission time, so
imported past surveys, the demo and older data need nothing more than the history they have.

Every reader other than the office's own people and the secretariat's view of the draft goes
through here: co-leads' page and API, the KPIs, the dashboard, the exports and the annex. A
reopened submission keeps counting as the office's answer (the office did submit) until it is
submitted again; draft edits are never counted nor shown.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch

from assessments import questionnaire as q
from assessments.models import Answer, Assessment, AssessmentEvent


@dataclass(frozen=True)
class Revision:
    """Where a reopened submission's history leaves its submitted version."""

    version: int  # the version that was submitted
    undo: tuple[dict, ...]  # the changes made since, newest first


def _revisions(pks: Iterable[int]) -> dict[int, Revision]:
    """For each reopened assessment, the changes to undo (one query for all of them)."""
    pks = list(pks)
    if not pks:
        return {}
    events = defaultdict(list)
    for event in AssessmentEvent.objects.filter(assessment_id__in=pks).order_by(
        "assessment_id", "version", "pk"
    ):
        events[event.assessment_id].append(event)
    revisions = {}
    for pk in pks:
        history = events.get(pk, [])
        reopenings = [e for e in history if e.kind == AssessmentEvent.Kind.REOPEN]
        if reopenings:
            anchor = reopenings[-1]
            submitted_version = anchor.version - 1
        else:
            # Without a recorded reopening (data made by hand), the last submission is the
            # anchor; without either, the stored answers are all there is.
            submits = [e for e in history if e.kind == AssessmentEvent.Kind.SUBMIT]
            anchor = submits[-1] if submits else None
            submitted_version = anchor.version if anchor else None
        later = [e for e in history if anchor is not None and e.version > anchor.version]
        undo = tuple(change for event in reversed(later) for change in reversed(event.changes))
        revisions[pk] = Revision(version=submitted_version or 0, undo=undo)
    return revisions


def _being_revised(assessment: Assessment) -> bool:
    return assessment.submitted_at is not None and assessment.status != Assessment.Status.SUBMITTED


def _refuse(*args, **kwargs):
    raise TypeError("A submitted version is read from the history; it is never written.")


def _replay(assessment: Assessment, answers: list[Answer], revision: Revision) -> None:
    """Undoes ``revision`` on the (unsaved) assessment and answers, in place."""
    by_number = {answer.recommendation.number: answer for answer in answers}
    for change in revision.undo:
        number, name = q.parse_key(change["field"])
        target = assessment if number is None else by_number.get(number)
        if target is not None and name in q.QUESTIONS:
            setattr(target, name, change["old"])


def submitted_version(assessment: Assessment) -> Assessment:
    """The assessment as last submitted, with its answers loaded: ``answers.all()``,
    ``selectors.answers_by_number`` and ``selectors.with_answers`` give the submitted values."""
    stored = (
        Assessment.objects.select_related("cycle__framework", "office", "submitted_by")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("recommendation"))
        )
        .get(pk=assessment.pk)
    )
    answers = list(stored.answers.all())
    # A copy for reading only: whoever holds it cannot write it over the draft.
    stored.save = stored.delete = _refuse
    stored.is_submitted_version = True
    stored.being_revised = _being_revised(stored)
    if stored.being_revised:
        revision = _revisions([stored.pk])[stored.pk]
        _replay(stored, answers, revision)
        stored.version = revision.version or stored.version
        stored.status = Assessment.Status.SUBMITTED
    for answer in answers:
        answer.save = answer.delete = _refuse
    stored._prefetched_objects_cache = {"answers": answers}
    return stored


def submitted_answers(assessments) -> list[Answer]:
    """The last submitted answers of ``assessments`` (a queryset; only the ones ever submitted
    count), each with its recommendation and ``assessment.office`` loaded, for reading
    only. One query, two when some are being revised."""
    answers = list(
        Answer.objects.filter(assessment__in=assessments.filter(submitted_at__isnull=False))
        .select_related("recommendation", "assessment__office")
        .order_by("assessment__office__code", "recommendation__number")
    )
    revised = {a.assessment_id: a.assessment for a in answers if _being_revised(a.assessment)}
    if revised:
        revisions = _revisions(revised)
        by_assessment = defaultdict(list)
        for answer in answers:
            by_assessment[answer.assessment_id].append(answer)
        for pk, assessment in revised.items():
            _replay(assessment, by_assessment[pk], revisions[pk])
            for answer in by_assessment[pk]:
                answer.save = answer.delete = _refuse
    return answers


def submitted_levels(assessment: Assessment) -> dict[int, tuple[int | None, int | None]]:
    """By recommendation number, the current and target levels ``assessment`` was last
    submitted with: three columns of one query, unless it is being revised."""
    if _being_revised(assessment):
        return {
            answer.recommendation.number: (answer.maturity_current, answer.maturity_target)
            for answer in submitted_answers(Assessment.objects.filter(pk=assessment.pk))
        }
    rows = Answer.objects.filter(assessment_id=assessment.pk).values_list(
        "recommendation__number", "maturity_current", "maturity_target"
    )
    return {number: (current, target) for number, current, target in rows}


def submitted_assessments(assessments) -> list[Assessment]:
    """The ever-submitted ``assessments`` with their overall answers (proposals, other
    comments) and version as last submitted; ``being_revised`` marks the reopened ones."""
    found = list(assessments.filter(submitted_at__isnull=False).select_related("office"))
    revised = [a for a in found if _being_revised(a)]
    revisions = _revisions(a.pk for a in revised)
    for assessment in found:
        assessment.being_revised = assessment.pk in revisions
        if assessment.being_revised:
            revision = revisions[assessment.pk]
            _replay(assessment, [], revision)
            assessment.version = revision.version or assessment.version
            assessment.status = Assessment.Status.SUBMITTED
            assessment.save = assessment.delete = _refuse
    return found
