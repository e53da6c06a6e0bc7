"""Writes to assessments. Every change bumps the version and leaves a history entry."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import questionnaire as q
from assessments.models import Answer, Assessment, AssessmentEvent, Cycle
from kpi.services import schedule_recompute
from outbox.services import enqueue
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.offices.models import Office

FLAG_KINDS = ("flag", "private")


class StaleVersion(Exception):
    """The save was based on a version that someone else has changed since."""

    def __init__(self, *, current_version: int, changes: dict):
        super().__init__(f"stale version, current is {current_version}")
        self.current_version = current_version
        self.changes = changes  # key -> {"base", "current", "user", "at"}


class NotEditable(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Missing:
    """What still has to be answered before submitting, by recommendation number."""

    by_recommendation: dict[int, list[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.by_recommendation)


class Incomplete(Exception):
    def __init__(self, missing: Missing):
        super().__init__("incomplete")
        self.missing = missing


def assessment_values(assessment: Assessment) -> dict:
    """Every answer of the assessment by key (``r3-status`` …)."""
    values = {}
    for answer in assessment.answers.all():
        number = answer.recommendation.number
        for question in q.PER_RECOMMENDATION:
            values[q.key(number, question.name)] = getattr(answer, question.name)
    for question in q.OVERALL:
        values[question.name] = getattr(assessment, question.name)
    return values


def assessment_missing(assessment: Assessment) -> Missing:
    """Measured against the framework, so that a recommendation without any answer counts."""
    answers = {answer.recommendation.number: answer for answer in assessment.answers.all()}
    missing = Missing()
    numbers = assessment.cycle.framework.recommendations.values_list("number", flat=True)
    for number in numbers:
        answer = answers.get(number)
        lacking = [
            name for name in q.REQUIRED if answer is None or getattr(answer, name) in (None, "")
        ]
        if lacking:
            missing.by_recommendation[number] = lacking
    return missing


def changes_since(assessment: Assessment, version: int) -> dict:
    """What others changed after ``version``: per key, the value then, now, and who did it."""
    changes: dict = {}
    events = assessment.events.filter(version__gt=version).select_related("user")
    for event in events.order_by("version", "pk"):
        for change in event.changes:
            entry = changes.setdefault(change["field"], {"base": change["old"]})
            entry.update(current=change["new"], user=event.user, at=event.at)
    return changes


def _check_version(locked: Assessment, base_version: int, user, *, strict: bool = False) -> None:
    """Refuses a save based on a version that someone else has changed since.

    The person's own saves in between (an autosave still landing when they press Save,
    a second tab) are theirs to overwrite in the browser. ``strict`` (the API's If-Match)
    refuses any other version: a script's stale write is a bug to report, not to merge.
    """
    if base_version == locked.version:
        return
    by_others = locked.events.filter(version__gt=base_version).exclude(user=user)
    if strict or base_version > locked.version or by_others.exists():
        raise StaleVersion(
            current_version=locked.version, changes=changes_since(locked, base_version)
        )


def _lock(assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update().select_related("cycle").get(pk=assessment.pk)
    return locked


def _record(assessment: Assessment, *, kind, user, changes=(), reason="") -> AssessmentEvent:
    assessment.version += 1
    assessment.updated_by = user
    assessment.save()
    return AssessmentEvent.objects.create(
        assessment=assessment,
        kind=kind,
        user=user,
        version=assessment.version,
        changes=list(changes),
        reason=reason,
    )


def _apply(assessment: Assessment, values: dict) -> list[dict]:
    """Writes the values that differ from what is stored; returns the changes."""
    answers = {
        answer.recommendation.number: answer
        for answer in assessment.answers.select_related("recommendation")
    }
    changes, touched = [], set()
    lacking = {q.parse_key(key)[0] for key in values} - set(answers) - {None}
    if lacking:
        # Imported or older assessments may lack rows: make them when first answered.
        for recommendation in assessment.cycle.framework.recommendations.filter(number__in=lacking):
            answer = Answer.blank(assessment, recommendation)
            answer.save()
            answers[recommendation.number] = answer
    for field_key, new in values.items():
        number, name = q.parse_key(field_key)
        target = assessment if number is None else answers.get(number)
        if target is None or name not in q.QUESTIONS:
            raise ValueError(f"unknown answer {field_key}")
        old = getattr(target, name)
        if old == new or (old is None and new == "" and q.QUESTIONS[name].kind != "level"):
            continue
        setattr(target, name, new)
        changes.append({"field": field_key, "old": old, "new": new})
        if number is not None:
            touched.add(number)
    if touched:
        names = [question.name for question in q.PER_RECOMMENDATION]
        Answer.objects.bulk_update([answers[n] for n in touched], names)
    return changes


@transaction.atomic
def assessment_save(
    *,
    assessment: Assessment,
    user,
    base_version: int,
    values: dict,
    kind: str = AssessmentEvent.Kind.SAVE,
    strict: bool = False,
) -> AssessmentEvent | None:
    """Saves ``values`` (already validated, by key) unless someone saved since ``base_version``."""
    locked = _lock(assessment)
    reason = locked.editing_block_reason()
    if reason:
        raise NotEditable(reason)
    _check_version(locked, base_version, user, strict=strict)
    changes = _apply(locked, values)
    if not changes:
        return None
    event = _record(locked, kind=kind, user=user, changes=changes)
    assessment.version = locked.version
    return event


@transaction.atomic
def assessment_start(
    *, cycle: Cycle, office: Office, user, from_last_year: bool = False
) -> Assessment:
    """The office's draft for the cycle, with one empty answer per recommendation."""
    assessment, created = Assessment.objects.get_or_create(cycle=cycle, office=office)
    if not created:
        return assessment
    Answer.objects.bulk_create(
        Answer.blank(assessment, recommendation)
        for recommendation in cycle.framework.recommendations.all()
    )
    AssessmentEvent.objects.create(
        assessment=assessment,
        kind=AssessmentEvent.Kind.CREATE,
        user=user,
        version=assessment.version,
    )
    if from_last_year:
        assessment_copy_previous(assessment=assessment, user=user, base_version=assessment.version)
    return assessment


def previous_submission(assessment: Assessment) -> Assessment | None:
    return (
        Assessment.objects.filter(
            office_id=assessment.office_id,
            cycle__year__lt=assessment.cycle.year,
            submitted_at__isnull=False,
        )
        .order_by("-cycle__year")
        .prefetch_related("answers__recommendation")
        .first()
    )


@transaction.atomic
def assessment_copy_previous(*, assessment: Assessment, user, base_version: int) -> int:
    """Fills the draft's empty answers from the office's last submission; returns how many.

    Answers already given are never overwritten. Recommendations are matched by number, so a
    submission made against an older framework version still helps.
    """
    previous = previous_submission(assessment)
    if previous is None:
        return 0
    theirs = assessment_values(previous)
    ours = assessment_values(
        Assessment.objects.prefetch_related("answers__recommendation").get(pk=assessment.pk)
    )
    values = {
        field_key: value
        for field_key, value in theirs.items()
        if field_key in ours
        and ours[field_key] in (None, "", False)
        and value not in (None, "")
        and not (q.QUESTIONS[q.parse_key(field_key)[1]].kind in FLAG_KINDS and value is False)
    }
    event = assessment_save(
        assessment=assessment,
        user=user,
        base_version=base_version,
        values=values,
        kind=AssessmentEvent.Kind.COPY,
    )
    return len(event.changes) if event else 0


@transaction.atomic
def assessment_submit(
    *, assessment: Assessment, user, base_version: int, strict: bool = False
) -> AssessmentEvent:
    locked = _lock(assessment)
    reason = locked.editing_block_reason()
    if reason:
        raise NotEditable(reason)
    _check_version(locked, base_version, user, strict=strict)
    missing = assessment_missing(
        Assessment.objects.prefetch_related("answers__recommendation").get(pk=locked.pk)
    )
    if missing:
        raise Incomplete(missing)
    locked.status = Assessment.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = user
    event = _record(locked, kind=AssessmentEvent.Kind.SUBMIT, user=user)
    schedule_recompute(locked.cycle)
    assessment.refresh_from_db()
    return event


@transaction.atomic
def assessment_reopen(*, assessment: Assessment, user, reason: str) -> AssessmentEvent:
    if not user.is_secretariat:
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValueError(_("Give a reason: the office reads it."))
    locked = _lock(assessment)
    if locked.status != Assessment.Status.SUBMITTED:
        raise NotEditable(_("Only a submitted assessment can be reopened."))
    locked.status = Assessment.Status.DRAFT
    locked.reopened_at = timezone.now()
    event = _record(locked, kind=AssessmentEvent.Kind.REOPEN, user=user, reason=reason)
    audit_record(kind=AuditEvent.Kind.REOPENED, user=user, target=locked, detail={"reason": reason})

    enqueue(
        "assessments.tasks.send_reopened_notice",
        args=[locked.pk, reason],
        held_notice=_("The e-mail to the office will be sent as soon as the mail queue is back."),
    )
    schedule_recompute(locked.cycle)
    assessment.refresh_from_db()
    return event
