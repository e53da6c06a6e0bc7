"""Writes to assessments. Every change bumps the version and leaves a history entry."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import questionnaire as q
from assessments.models import Answer, Assessment, AssessmentEvent, Cycle, HeldAnswers
from feedback.services import feedback_from_survey
from kpi.services import schedule_recompute
from outbox.services import enqueue
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.languages import portal_language
from portal.offices.models import Office
from recommendations.crosswalk import Crosswalk, carry_office
from recommendations.selectors import crosswalk_between
from roadmap.services import roadmap_carry


class StaleVersion(Exception):
    """The save was based on an older version, and cannot be merged without asking.

    ``changes`` is everything changed since that version (for the panel that shows it);
    ``conflicts`` the answers that both the sender and the stored version changed.
    """

    def __init__(self, *, current_version: int, changes: dict, conflicts=()):
        super().__init__(f"stale version, current is {current_version}")
        self.current_version = current_version
        self.changes = changes  # key -> {"base", "current", "user", "at"}
        self.conflicts = list(conflicts)


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


def assessment_values(assessment: Assessment, answers: dict | None = None) -> dict:
    """Every answer of the assessment by key (``r3-status`` …). ``answers``: its answers by
    number, if read already (``by_number``)."""
    if answers is None:
        answers = {answer.recommendation.number: answer for answer in assessment.answers.all()}
    values = {}
    for number, answer in answers.items():
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
        lacking = q.lacking(answer)
        if lacking:
            missing.by_recommendation[number] = lacking
    return missing


def complete_count(assessment: Assessment) -> int:
    """How many sections are complete: the same rule as ``assessment_missing``, counted by
    the database (an autosave answers it without reading every answer)."""
    return Answer.objects.filter(
        q.COMPLETE_ANSWER,
        assessment_id=assessment.pk,
        recommendation__framework_id=assessment.cycle.framework_id,
    ).count()


def changes_since(assessment: Assessment, version: int) -> dict:
    """What others changed after ``version``: per key, the value then, now, and who did it."""
    changes: dict = {}
    events = assessment.events.filter(version__gt=version).select_related("user")
    for event in events.order_by("version", "pk"):
        for change in event.changes:
            entry = changes.setdefault(change["field"], {"base": change["old"]})
            entry.update(current=change["new"], user=event.user, at=event.at)
    return changes


def same_answer(field_key: str, a, b) -> bool:
    """Whether two values of one answer say the same thing.

    An empty text is the same however it is stored; a yes/no question not answered yet
    (None) is not the same as "no" (False).
    """
    question = q.QUESTIONS.get(q.parse_key(field_key)[1])
    kind = question.kind if question else ""
    if kind in ("text", "url", "choice"):
        return (a or "") == (b or "")
    if kind == "private":
        return bool(a) == bool(b)
    return a == b and type(a) is type(b)


def base_values(assessment: Assessment, base_version: int, stored: dict) -> dict | None:
    """The answers as they were at ``base_version``, replayed back from ``stored`` through
    the history; None when the history cannot tell (a gap, or a version not reached yet).

    Every change since creation is in the history (imports write theirs into the creation
    entry), so this holds for every assessment the portal made or imported; the None case
    is a safety net, and the caller then treats every difference as a question to ask.
    """
    if base_version > assessment.version or base_version < 0:
        return None
    events = list(assessment.events.filter(version__gt=base_version).order_by("version", "pk"))
    if {event.version for event in events} != set(range(base_version + 1, assessment.version + 1)):
        return None
    base = dict(stored)
    for event in reversed(events):
        for change in reversed(event.changes):
            base[change["field"]] = change["old"]
    return base


def three_way(base: dict | None, stored: dict, sent: dict) -> tuple[dict, list[str]]:
    """What a save may write, and what it cannot decide alone.

    Only what the sender changed relative to ``base`` is written; what only others changed
    is kept; an answer both changed, differently, is a conflict. Without a base every
    difference from the stored answers is a conflict.
    """
    writes, conflicts = {}, []
    for field_key, mine in sent.items():
        theirs = stored.get(field_key)
        if same_answer(field_key, mine, theirs):
            continue
        if base is None:
            conflicts.append(field_key)
            continue
        original = base.get(field_key)
        if same_answer(field_key, original, theirs):
            writes[field_key] = mine
        elif not same_answer(field_key, mine, original):
            conflicts.append(field_key)
    return writes, conflicts


def _merge_or_refuse(locked: Assessment, base_version: int, values: dict, *, strict: bool) -> dict:
    """The values to write for a save based on ``base_version``, or StaleVersion.

    ``strict`` (the API's If-Match) refuses any other version: a script's stale write is a
    bug to report, not to merge. The browser's saves are merged: a save writes only what
    its sender changed, whoever made the other changes (another person, or the same person
    in another tab or through the API).
    """
    if base_version == locked.version:
        return values
    if strict or base_version > locked.version:
        raise StaleVersion(
            current_version=locked.version, changes=changes_since(locked, base_version)
        )
    # The locked row with its answers, read with their numbers only.
    stored = assessment_values(locked, Answer.objects.filter(assessment_id=locked.pk).by_number())
    writes, conflicts = three_way(base_values(locked, base_version, stored), stored, values)
    if conflicts:
        raise StaleVersion(
            current_version=locked.version,
            changes=changes_since(locked, base_version),
            conflicts=conflicts,
        )
    return writes


def _check_version(locked: Assessment, base_version: int) -> None:
    """A submission is of what the person saw: any change since refuses it."""
    if base_version != locked.version:
        raise StaleVersion(
            current_version=locked.version, changes=changes_since(locked, base_version)
        )


def _lock(assessment: Assessment) -> Assessment:
    # Only the assessment's row: its cycle's row is what a KPI refresh locks while it
    # publishes, and no office's save should wait for that.
    locked = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("cycle")
        .get(pk=assessment.pk)
    )
    return locked


def _record(assessment: Assessment, *, kind, user, changes=(), reason="") -> AssessmentEvent:
    assessment.version += 1
    assessment.updated_by = user
    if changes:
        # An answer stays "copied" until a later entry (a save, a confirmation, an undo)
        # touches it: the last entry to touch it decides.
        touched = {change["field"] for change in changes}
        copied = set(assessment.copied_keys) - touched
        if kind == AssessmentEvent.Kind.COPY:
            copied |= touched
        assessment.copied_keys = sorted(copied)
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
    numbers = {q.parse_key(key)[0] for key in values} - {None}
    # All the framework's answers (a dozen rows, and of their recommendation the number
    # only): the count of complete sections after the save comes from them, not from one
    # more query.
    answers = assessment.answers.filter(
        recommendation__framework_id=assessment.cycle.framework_id
    ).by_number()
    changes, touched, written = [], set(), set()
    lacking = numbers - set(answers)
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
            written.add(name)
    if len(touched) == 1:
        # An autosave's usual case: a plain UPDATE is cheaper to build than bulk_update's CASE.
        (number,) = touched
        Answer.objects.filter(pk=answers[number].pk).update(
            **{name: getattr(answers[number], name) for name in written}
        )
    elif touched:
        Answer.objects.bulk_update([answers[n] for n in touched], sorted(written))
    assessment.complete_sections = sum(1 for answer in answers.values() if q.is_complete(answer))
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
    """Saves ``values`` (already validated, by key) that its sender changed since
    ``base_version``; StaleVersion if that cannot be decided without asking."""
    locked = _lock(assessment)
    reason = locked.editing_block_reason()
    if reason:
        raise NotEditable(reason)
    changes = _apply(locked, _merge_or_refuse(locked, base_version, values, strict=strict))
    # The caller learns the current version (and how many sections are now complete) even
    # when nothing changed.
    assessment.version = locked.version
    assessment.complete_sections = locked.complete_sections
    if not changes:
        return None
    if not locked.language:
        # Until the office says otherwise, it writes in the language it reads the portal in.
        locked.language = portal_language() or ""
        assessment.language = locked.language
    event = _record(locked, kind=kind, user=user, changes=changes)
    assessment.version = locked.version
    # The form shown after a partly refused save marks the copied answers from this.
    assessment.copied_keys = locked.copied_keys
    return event


@transaction.atomic
def assessment_language_set(*, assessment: Assessment, user, language: str) -> bool:
    """Records the language the office writes its answers in; True if it changed.

    Not an answer: it bumps no version, so that it never puts a colleague typing at the same
    time in conflict; the last choice stands."""
    if portal_language(language) != language:
        raise ValueError(f"not a portal language: {language!r}")
    locked = _lock(assessment)
    reason = locked.editing_block_reason()
    if reason:
        raise NotEditable(reason)
    assessment.language = language
    if locked.language == language:
        return False
    Assessment.objects.filter(pk=locked.pk).update(language=language)
    return True


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
    # Opening a cycle with a new framework version moves the roadmap to it (its basis is
    # the office's latest assessment): its open actions follow the crosswalk now, in this
    # transaction, rather than on a later read.
    roadmap_carry(office=office, framework=cycle.framework, user=user)
    return assessment


def previous_submission(assessment: Assessment) -> Assessment | None:
    return (
        Assessment.objects.submitted_before(
            office_id=assessment.office_id, year=assessment.cycle.year
        )
        .select_related("cycle__framework")
        .prefetch_related("answers__recommendation")
        .first()
    )


def copy_crosswalk(assessment: Assessment, previous: Assessment) -> Crosswalk | None:
    """From the framework of ``previous`` to the assessment's: the identity when they are
    the same, None when neither continues the other (then nothing is carried)."""
    return crosswalk_between(previous.cycle.framework, assessment.cycle.framework)


def in_new_numbering(values: dict, walk: Crosswalk) -> dict:
    """Answers by key (``r3-status`` …) in the numbering of ``walk.new``, by the crosswalk's
    one rule (``recommendations.crosswalk``): a merged recommendation gets the least
    advanced status, the lowest levels and the comments of each part under its number."""
    by_number: dict[int, dict] = {}
    carried = {}
    for field_key, value in values.items():
        number, name = q.parse_key(field_key)
        if number is None:
            carried[field_key] = value
        else:
            by_number.setdefault(number, {})[name] = value
    for number, answer in carry_office(walk, by_number, text_fields=q.TEXT_ANSWERS).items():
        for name, value in answer.items():
            carried[q.key(number, name)] = value
    return carried


def _unanswered(field_key: str, value) -> bool:
    """Not answered: an empty text or status, no level, a yes/no question not answered yet."""
    return value is None or value == ""


def _given_this_year(assessment: Assessment) -> set[str]:
    """The answers someone gave in this assessment: every answer a save ever touched
    (clearing an answer is giving it too)."""
    kinds = (AssessmentEvent.Kind.SAVE, AssessmentEvent.Kind.CONFIRM)
    given = set()
    for changes in assessment.events.filter(kind__in=kinds).values_list("changes", flat=True):
        given.update(change["field"] for change in changes)
    return given


def copy_candidates(assessment: Assessment, previous: Assessment | None = None) -> dict:
    """What "start from last year's answers" would fill: by key, last year's value.

    Only answers never given this year and still unanswered; a "not for publication" mark
    comes along with its text, never alone. A submission made against an older framework
    version is carried through the crosswalk between the two versions (a merged
    recommendation gets what the crosswalk's rule makes of its parts); one made against a
    framework this one does not continue gives nothing.
    """
    previous = previous or previous_submission(assessment)
    if previous is None:
        return {}
    walk = copy_crosswalk(assessment, previous)
    if walk is None:
        return {}
    theirs = in_new_numbering(assessment_values(previous), walk)
    ours = assessment_values(
        Assessment.objects.prefetch_related("answers__recommendation").get(pk=assessment.pk)
    )
    given = _given_this_year(assessment)
    values = {}
    for field_key, value in theirs.items():
        _number, name = q.parse_key(field_key)
        question = q.QUESTIONS.get(name)
        if question is None or question.kind == "private":
            continue
        if field_key in given or not _unanswered(field_key, ours.get(field_key)):
            continue
        if _unanswered(field_key, value):
            continue
        values[field_key] = value
        private_key = f"{field_key}_private"
        if theirs.get(private_key) and private_key not in given:
            values[private_key] = True
    return values


@transaction.atomic
def assessment_copy_previous(*, assessment: Assessment, user, base_version: int) -> int:
    """Fills the answers never given this year from the office's last submission; returns
    how many. What the person saw in the preview is what is copied: a save since then
    refuses the copy (StaleVersion), so that it is previewed again."""
    locked = _lock(assessment)
    reason = locked.editing_block_reason()
    if reason:
        raise NotEditable(reason)
    _check_version(locked, base_version)
    values = copy_candidates(locked)
    if not values:
        return 0
    changes = _apply(locked, values)
    if not changes:
        return 0
    _record(locked, kind=AssessmentEvent.Kind.COPY, user=user, changes=changes)
    assessment.version = locked.version
    assessment.copied_keys = locked.copied_keys
    # Counted as the preview shows them: a "not for publication" mark goes with its text.
    return sum(1 for change in changes if not change["field"].endswith("_private"))


def copied_unconfirmed(assessment: Assessment) -> set[str]:
    """Answers filled from last year that nobody has confirmed or changed since."""
    return set(assessment.copied_keys)


@transaction.atomic
def assessment_confirm_copied(*, assessment: Assessment, user, keys) -> AssessmentEvent | None:
    """Keeps copied answers as this year's own; recorded, so that they are no longer
    marked as copied and no later copy fills them again."""
    locked = _lock(assessment)
    reason = locked.editing_block_reason()
    if reason:
        raise NotEditable(reason)
    keys = set(keys) & copied_unconfirmed(locked)
    if not keys:
        return None
    stored = assessment_values(
        Assessment.objects.prefetch_related("answers__recommendation").get(pk=locked.pk)
    )
    changes = [
        {"field": key, "old": stored.get(key), "new": stored.get(key)} for key in sorted(keys)
    ]
    event = _record(locked, kind=AssessmentEvent.Kind.CONFIRM, user=user, changes=changes)
    assessment.version = locked.version
    assessment.copied_keys = locked.copied_keys
    return event


def copy_still_undoable(assessment: Assessment, event: AssessmentEvent) -> list:
    """The answers of a copy that nobody changed or kept since (later entries win)."""
    if event.kind != AssessmentEvent.Kind.COPY:
        return []
    later = set()
    for changes in assessment.events.filter(version__gt=event.version).values_list(
        "changes", flat=True
    ):
        later.update(change["field"] for change in changes)
    return [change for change in event.changes if change["field"] not in later]


@transaction.atomic
def assessment_undo_copy(*, assessment: Assessment, user, event_id: int) -> AssessmentEvent | None:
    """Undoes one copy of last year's answers: each copied answer nobody changed or kept
    since goes back to what it was; answers edited after the copy stay as edited. Itself a
    history entry (so a second undo of the same copy finds nothing left)."""
    locked = _lock(assessment)
    reason = locked.editing_block_reason()
    if reason:
        raise NotEditable(reason)
    copy = locked.events.filter(pk=event_id, kind=AssessmentEvent.Kind.COPY).first()
    if copy is None:
        return None
    values = {change["field"]: change["old"] for change in copy_still_undoable(locked, copy)}
    changes = _apply(locked, values)
    if not changes:
        return None
    event = _record(
        locked,
        kind=AssessmentEvent.Kind.UNDO,
        user=user,
        changes=changes,
        reason=_("Undid the copy of last year's answers made at %(when)s.")
        % {"when": timezone.localtime(copy.at).strftime("%Y-%m-%d %H:%M")},
    )
    assessment.version = locked.version
    assessment.copied_keys = locked.copied_keys
    return event


@transaction.atomic
def assessment_submit(
    *, assessment: Assessment, user, base_version: int, strict: bool = False
) -> AssessmentEvent:
    locked = _lock(assessment)
    reason = locked.editing_block_reason()
    if reason:
        raise NotEditable(reason)
    _check_version(locked, base_version)
    missing = assessment_missing(
        Assessment.objects.prefetch_related("answers__recommendation").get(pk=locked.pk)
    )
    if missing:
        raise Incomplete(missing)
    changes = []
    if locked.submitted_at is None:
        # The survey asks "which are a focus (any number, or none)": a yes/no question left
        # unanswered is not selected. A resubmission keeps an older survey's "not asked".
        unanswered = {
            q.key(answer.recommendation.number, flag): False
            for answer in locked.answers.select_related("recommendation")
            for flag in q.FLAGS
            if getattr(answer, flag) is None
        }
        changes = _apply(locked, unanswered)
    locked.status = Assessment.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = user
    event = _record(locked, kind=AssessmentEvent.Kind.SUBMIT, user=user, changes=changes)
    feedback_from_survey(assessment=locked)  # the proposals question joins the feedback list
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


# --- Answers typed into an assessment that became read-only ---------------------------------


@transaction.atomic
def held_keep(*, assessment: Assessment, user, base_version: int, values: dict):
    """Keeps what ``user`` typed (changed since ``base_version``) into an assessment that
    became read-only meanwhile; returns the held answers, or None if nothing was typed.

    An autosave adds to what is held already; the oldest base version is kept.
    """
    stored = assessment_values(
        Assessment.objects.prefetch_related("answers__recommendation").get(pk=assessment.pk)
    )
    base = base_values(assessment, base_version, stored) or stored
    typed = {
        key: value
        for key, value in values.items()
        if not same_answer(key, value, base.get(key))
        and not same_answer(key, value, stored.get(key))
    }
    held = HeldAnswers.objects.select_for_update().filter(assessment=assessment, user=user).first()
    if not typed:
        return held
    if held is None:
        held = HeldAnswers(assessment=assessment, user=user, base_version=base_version)
    held.values = {**held.values, **typed}
    held.base_version = min(held.base_version, base_version)
    held.save()
    return held


def held_for(assessment: Assessment, user) -> HeldAnswers | None:
    if assessment is None or not user.is_authenticated:
        return None
    return HeldAnswers.objects.filter(assessment=assessment, user=user).first()


@transaction.atomic
def held_discard(*, assessment: Assessment, user) -> int:
    return HeldAnswers.objects.filter(assessment=assessment, user=user).delete()[0]


@transaction.atomic
def reopen_request(*, assessment: Assessment, user) -> HeldAnswers | None:
    """Asks the secretariat to reopen, so that the held answers can be saved; recorded once,
    the secretariat told by e-mail after the commit."""
    held = HeldAnswers.objects.select_for_update().filter(assessment=assessment, user=user).first()
    if held is None or held.reopen_requested_at is not None:
        return held
    if assessment.status != Assessment.Status.SUBMITTED:
        raise NotEditable(_("This assessment is open for changes: save your answers instead."))
    held.reopen_requested_at = timezone.now()
    held.save(update_fields=["reopen_requested_at", "updated_at"])

    enqueue(
        "assessments.tasks.send_reopen_request",
        args=[held.pk],
        held_notice=_(
            "The e-mail to the secretariat will be sent as soon as the mail queue is back."
        ),
    )
    return held
