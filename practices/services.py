"""Writes of the peer-learning app: practices, openness, contact requests.

Every write is keyword-only and atomic; e-mails leave through the outbox after the commit.
"""

import datetime
import hashlib
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outbox.services import enqueue
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.offices.models import MemberRole, Office
from practices.models import (
    OPEN_REQUEST_LIMIT,
    ContactRequest,
    Openness,
    Outcome,
    PeerProfile,
    Practice,
    PracticeEvent,
    PracticeNumber,
    PracticeTag,
)
from recommendations.models import RECOMMENDATION_COUNT

# The fields a practice's form edits, recorded in its history.
EDITABLE = (
    "title",
    "summary",
    "kind",
    "status",
    "started_on",
    "ended_on",
    "technologies",
    "lessons",
    "links",
    "contact_id",
    "contact_languages",
    "language",
    "visibility",
)


# The changes of state that go to the audit log (a yearly confirmation does not).
AUDITED = {
    PracticeEvent.Kind.PUBLISH: AuditEvent.Kind.PRACTICE_PUBLISHED,
    PracticeEvent.Kind.UNPUBLISH: AuditEvent.Kind.PRACTICE_UNPUBLISHED,
    PracticeEvent.Kind.HIDE: AuditEvent.Kind.PRACTICE_HIDDEN,
    PracticeEvent.Kind.SHOW: AuditEvent.Kind.PRACTICE_SHOWN,
}


class StalePractice(Exception):
    """The entry changed since the editor's page was loaded: their edit is not applied."""

    def __init__(self, practice: Practice):
        super().__init__(practice.pk)
        self.practice = practice


def is_respondent(user, office: Office) -> bool:
    return office.memberships.filter(user=user, role=MemberRole.RESPONDENT).exists()


def _require_respondent(user, office: Office) -> None:
    if not is_respondent(user, office):
        raise PermissionDenied


def _as_json(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def search_document(practice: Practice, *, numbers=(), tags=(), outcomes=()) -> str:
    """The casefolded text search reads: every field a seeker might type a word of."""
    parts = [
        practice.title,
        practice.summary,
        practice.technologies,
        practice.lessons,
        " ".join(tags),
        " ".join(outcome.indicator for outcome in outcomes),
    ]
    return "\n".join(part for part in parts if part).casefold()


def _clean_numbers(numbers: Iterable[int]) -> list[int]:
    cleaned = sorted({int(n) for n in numbers})
    if not cleaned:
        raise ValidationError({"numbers": _("Choose at least one recommendation.")})
    if any(n < 1 or n > RECOMMENDATION_COUNT for n in cleaned):
        raise ValidationError({"numbers": _("Recommendations are numbered 1 to 10.")})
    return cleaned


def _clean_tags(tags: Iterable[str]) -> list[str]:
    return sorted({tag.strip().casefold()[:40] for tag in tags if tag and tag.strip()})


def _write_parts(practice: Practice, *, numbers, tags, outcomes) -> None:
    practice.numbers.all().delete()
    PracticeNumber.objects.bulk_create(PracticeNumber(practice=practice, number=n) for n in numbers)
    practice.tags.all().delete()
    PracticeTag.objects.bulk_create(PracticeTag(practice=practice, name=t) for t in tags)
    if outcomes is not None:
        practice.outcomes.all().delete()
        Outcome.objects.bulk_create(
            Outcome(practice=practice, position=i, **outcome)
            for i, outcome in enumerate(outcomes, start=1)
        )


def _snapshot(practice: Practice) -> dict:
    data = {name: _as_json(getattr(practice, name)) for name in EDITABLE}
    if practice.pk:
        data["numbers"] = list(practice.numbers.values_list("number", flat=True))
        data["tags"] = list(practice.tags.values_list("name", flat=True))
    return data


@transaction.atomic
def practice_create(
    *,
    office: Office,
    user,
    numbers: Iterable[int],
    tags: Iterable[str] = (),
    outcomes: list[dict] | None = None,
    source_answer=None,
    **fields,
) -> Practice:
    """A draft entry of ``office``: nothing is published without the office's own action."""
    _require_respondent(user, office)
    numbers, tags = _clean_numbers(numbers), _clean_tags(tags)
    practice = Practice(office=office, source_answer=source_answer, **fields)
    practice.full_clean(exclude=["contact"])
    _check_contact(practice, office)
    practice.save()
    _write_parts(practice, numbers=numbers, tags=tags, outcomes=outcomes or [])
    practice.search_document = search_document(
        practice, numbers=numbers, tags=tags, outcomes=practice.outcomes.all()
    )
    practice.save(update_fields=["search_document"])
    PracticeEvent.objects.create(
        practice=practice,
        kind=PracticeEvent.Kind.CREATE,
        user=user,
        changes=[{"field": k, "old": None, "new": v} for k, v in _snapshot(practice).items()],
    )
    audit_record(kind=AuditEvent.Kind.PRACTICE_CREATED, user=user, target=practice)
    return practice


def _check_contact(practice: Practice, office: Office) -> None:
    # The contact person is one of the office's own people, never anyone else's.
    if practice.contact_id and not office.memberships.filter(user_id=practice.contact_id).exists():
        raise ValidationError({"contact": _("The contact person must belong to your office.")})


@transaction.atomic
def practice_update(
    *,
    practice: Practice,
    user,
    version: int,
    numbers: Iterable[int] | None = None,
    tags: Iterable[str] | None = None,
    outcomes: list[dict] | None = None,
    **fields,
) -> Practice:
    """Applies an edit made on version ``version``; an older version is refused whole
    (``StalePractice``), so that a second tab never overwrites a colleague's edit unseen."""
    locked = (
        Practice.objects.select_for_update(of=("self",))
        .select_related("office")
        .get(pk=practice.pk)
    )
    _require_respondent(user, locked.office)
    if locked.state == Practice.State.HIDDEN:
        raise PermissionDenied
    if locked.version != version:
        raise StalePractice(locked)
    before = _snapshot(locked)
    for name, value in fields.items():
        if name not in EDITABLE and name != "contact":
            raise TypeError(name)
        setattr(locked, name, value)
    locked.full_clean(exclude=["contact"])
    _check_contact(locked, locked.office)
    numbers = _clean_numbers(numbers) if numbers is not None else before["numbers"]
    tags = _clean_tags(tags) if tags is not None else before["tags"]
    locked.version += 1
    locked.save()
    _write_parts(locked, numbers=numbers, tags=tags, outcomes=outcomes)
    locked.search_document = search_document(
        locked, numbers=numbers, tags=tags, outcomes=locked.outcomes.all()
    )
    locked.save(update_fields=["search_document"])
    after = _snapshot(locked)
    changes = [
        {"field": k, "old": before.get(k), "new": v} for k, v in after.items() if before.get(k) != v
    ]
    if outcomes is not None:
        changes.append({"field": "outcomes", "old": None, "new": len(outcomes)})
    PracticeEvent.objects.create(
        practice=locked, kind=PracticeEvent.Kind.EDIT, user=user, changes=changes
    )
    return locked


def _state_change(practice: Practice, *, user, kind: str, state: str, note: str = "") -> Practice:
    locked = (
        Practice.objects.select_for_update(of=("self",))
        .select_related("office")
        .get(pk=practice.pk)
    )
    old = locked.state
    locked.state = state
    now = timezone.now()
    if state == Practice.State.PUBLISHED and old == Practice.State.DRAFT:
        locked.published_at = locked.published_at or now
        locked.confirmed_at = now
    if state == Practice.State.HIDDEN:
        locked.hidden_reason = note
    elif old == Practice.State.HIDDEN:
        locked.hidden_reason = ""
    locked.version += 1
    locked.save()
    PracticeEvent.objects.create(
        practice=locked,
        kind=kind,
        user=user,
        note=note,
        changes=[{"field": "state", "old": old, "new": state}],
    )
    if kind in AUDITED:
        audit_record(
            kind=AUDITED[kind], user=user, target=locked, detail={"note": note} if note else {}
        )
    return locked


@transaction.atomic
def practice_publish(*, practice: Practice, user) -> Practice:
    _require_respondent(user, practice.office)
    if practice.state == Practice.State.HIDDEN:
        raise PermissionDenied
    return _state_change(
        practice, user=user, kind=PracticeEvent.Kind.PUBLISH, state=Practice.State.PUBLISHED
    )


@transaction.atomic
def practice_unpublish(*, practice: Practice, user) -> Practice:
    _require_respondent(user, practice.office)
    if practice.state != Practice.State.PUBLISHED:
        raise PermissionDenied
    return _state_change(
        practice, user=user, kind=PracticeEvent.Kind.UNPUBLISH, state=Practice.State.DRAFT
    )


@transaction.atomic
def practice_confirm(*, practice: Practice, user) -> Practice:
    """The office says the entry is still current (asked once a year)."""
    _require_respondent(user, practice.office)
    locked = Practice.objects.select_for_update().get(pk=practice.pk)
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["confirmed_at"])
    PracticeEvent.objects.create(practice=locked, kind=PracticeEvent.Kind.CONFIRM, user=user)
    return locked


@transaction.atomic
def practice_hide(*, practice: Practice, user, reason: str) -> Practice:
    """The secretariat takes an entry out of the catalogue; the office is told why."""
    if not user.is_secretariat:
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say why, for the office.")})
    hidden = _state_change(
        practice,
        user=user,
        kind=PracticeEvent.Kind.HIDE,
        state=Practice.State.HIDDEN,
        note=reason.strip(),
    )
    enqueue(
        "practices.tasks.send_hidden_notice",
        args=[hidden.pk],
        held_notice=_("The e-mail to the office will be sent as soon as the mail queue is back."),
    )
    return hidden


@transaction.atomic
def practice_show(*, practice: Practice, user) -> Practice:
    if not user.is_secretariat:
        raise PermissionDenied
    return _state_change(
        practice, user=user, kind=PracticeEvent.Kind.SHOW, state=Practice.State.PUBLISHED
    )


@transaction.atomic
def practices_from_assessment(*, assessment, user) -> list[Practice]:
    """Draft entries from the current-focus projects an office described in its survey, one per
    recommendation, each linked to it; run twice, it adds nothing."""
    _require_respondent(user, assessment.office)
    already = set(
        Practice.objects.filter(
            office=assessment.office, source_answer__assessment=assessment
        ).values_list("source_answer_id", flat=True)
    )
    created = []
    answers = assessment.answers.select_related("recommendation").order_by("recommendation__number")
    for answer in answers:
        text = answer.focus_comment.strip()
        if not answer.focus or not text or answer.pk in already:
            continue
        first_line = text.splitlines()[0]
        title = first_line if len(first_line) <= 120 else first_line[:117].rstrip() + "…"
        created.append(
            practice_create(
                office=assessment.office,
                user=user,
                numbers=[answer.recommendation.number],
                title=title,
                summary=text,
                kind=Practice.Kind.PROJECT,
                status=Practice.Status.IN_PROGRESS,
                language=getattr(assessment, "language", "") or "en",
                source_answer=answer,
            )
        )
    return created


# --- Openness -------------------------------------------------------------------------------


class StaleOpenness(Exception):
    """The openness changed since the page was shown: nothing was written."""


def openness_stamp(rows, languages) -> str:
    """A fingerprint of an office's openness (its ``Openness`` rows) and languages, from what
    the caller has just read of them: the page and the API send it out with what they show,
    ``openness_set`` compares it with what is stored."""
    key = sorted((row.number, row.share, row.joint) for row in rows)
    return hashlib.sha256(repr((key, sorted(languages or []))).encode()).hexdigest()[:16]


@transaction.atomic
def openness_set(
    *, office: Office, user, choices: dict[int, dict], languages=None, seen: str | None = None
) -> list:
    """Sets, per recommendation, whether ``office`` is open to share and to work jointly.

    Takes effect at once: a withdrawn consent removes the office from every match from the
    next request on. Every change is dated and in the audit log. ``seen``: the stamp of the
    state the page showed (``openness_stamp``); if a colleague changed it since, nothing is
    written (``StaleOpenness``), so that a stale tab never reopens a consent they withdrew."""
    _require_respondent(user, office)
    # The office's row, not only its openness rows: a first choice or a change of languages
    # has no openness row to lock, and two such saves at once must not both pass the check.
    Office.objects.select_for_update().filter(pk=office.pk).first()
    existing = {o.number: o for o in Openness.objects.filter(office=office)}
    profile = PeerProfile.objects.filter(office=office).first()
    if seen is not None and seen != openness_stamp(
        existing.values(), profile.languages if profile else None
    ):
        raise StaleOpenness
    now = timezone.now()
    changed = []
    for number, choice in choices.items():
        number = int(number)
        if number < 1 or number > RECOMMENDATION_COUNT:
            raise ValidationError({"recommendations": _("Recommendations are numbered 1 to 10.")})
        share, joint = bool(choice.get("share")), bool(choice.get("joint"))
        row = existing.get(number)
        if row is None:
            if not (share or joint):
                continue
            row = Openness(office=office, number=number)
        elif row.share == share and row.joint == joint:
            continue
        changed.append({"number": number, "old": [row.share, row.joint], "new": [share, joint]})
        row.share, row.joint, row.changed_at, row.changed_by = share, joint, now, user
        row.save()
    if languages is not None:
        # Created here at the latest; the office's row is locked, so only once.
        profile = profile or PeerProfile(office=office)
        profile.languages = sorted(set(languages))
        profile.save()
    if changed:
        audit_record(
            kind=AuditEvent.Kind.OPENNESS_CHANGED,
            user=user,
            target=office,
            detail={"changes": changed},
        )
    return changed


# --- Contact requests -----------------------------------------------------------------------


class RequestRefused(ValidationError):
    pass


@transaction.atomic
def contact_request_send(
    *, seeker: Office, target: Office, number: int, purpose: str, message: str, user
) -> ContactRequest:
    """Asks ``target`` for contact; refused unless it is open on ``number`` for ``purpose``."""
    _require_respondent(user, seeker)
    if seeker.pk == target.pk:
        raise RequestRefused(_("An office cannot ask itself."))
    if not message.strip():
        raise RequestRefused(_("Write a few words about what you would like to learn or do."))
    open_row = Openness.objects.filter(office=target, number=number).first()
    if open_row is None or not getattr(open_row, purpose, False):
        # The same words whether it closed or never opened: nothing more is revealed.
        raise RequestRefused(_("This office is not open to such a request at the moment."))
    expire_requests(office=seeker)
    pending = ContactRequest.objects.select_for_update().filter(
        seeker=seeker, state=ContactRequest.State.PENDING
    )
    if pending.count() >= OPEN_REQUEST_LIMIT:
        raise RequestRefused(
            _(
                "Your office has %(limit)s requests waiting for an answer: wait for one or "
                "withdraw one before asking again."
            )
            % {"limit": OPEN_REQUEST_LIMIT}
        )
    try:
        with transaction.atomic():
            request = ContactRequest.objects.create(
                seeker=seeker,
                target=target,
                number=number,
                purpose=purpose,
                message=message.strip(),
                sent_by=user,
            )
    except IntegrityError:
        raise RequestRefused(
            _("Your office already asked this office about this recommendation.")
        ) from None
    audit_record(kind=AuditEvent.Kind.CONTACT_REQUESTED, user=user, target=request)
    enqueue(
        "practices.tasks.send_request_notice",
        args=[request.pk],
        held_notice=_("The e-mail to the office will be sent as soon as the mail queue is back."),
    )
    return request


@transaction.atomic
def contact_request_answer(*, request: ContactRequest, user, accept: bool, contact=None):
    """The target office accepts (naming its contact person) or declines."""
    locked = ContactRequest.objects.select_for_update().get(pk=request.pk)
    _require_respondent(user, locked.target)
    if locked.state != ContactRequest.State.PENDING or locked.is_expired:
        raise RequestRefused(_("This request is no longer waiting for an answer."))
    locked.state = ContactRequest.State.ACCEPTED if accept else ContactRequest.State.DECLINED
    locked.answered_by, locked.answered_at = user, timezone.now()
    if accept:
        contact = contact or user
        if not locked.target.memberships.filter(user=contact).exists():
            raise RequestRefused(_("The contact person must belong to your office."))
        locked.target_contact = contact
        locked.seeker_contact = locked.sent_by
    locked.save()
    audit_record(
        kind=AuditEvent.Kind.CONTACT_ACCEPTED if accept else AuditEvent.Kind.CONTACT_DECLINED,
        user=user,
        target=locked,
    )
    enqueue(
        "practices.tasks.send_answer_notice",
        args=[locked.pk],
        held_notice=_("The e-mail to the office will be sent as soon as the mail queue is back."),
    )
    return locked


@transaction.atomic
def contact_request_withdraw(*, request: ContactRequest, user) -> ContactRequest:
    locked = ContactRequest.objects.select_for_update().get(pk=request.pk)
    _require_respondent(user, locked.seeker)
    if locked.state != ContactRequest.State.PENDING:
        raise RequestRefused(_("This request is no longer waiting for an answer."))
    locked.state = ContactRequest.State.WITHDRAWN
    locked.save(update_fields=["state"])
    audit_record(kind=AuditEvent.Kind.CONTACT_WITHDRAWN, user=user, target=locked)
    return locked


def expire_requests(*, office: Office | None = None) -> int:
    """Lapses requests nobody answered in time (also run by beat)."""
    from practices.models import REQUEST_EXPIRY_DAYS

    cutoff = timezone.now() - datetime.timedelta(days=REQUEST_EXPIRY_DAYS)
    pending = ContactRequest.objects.filter(state=ContactRequest.State.PENDING, sent_at__lte=cutoff)
    if office is not None:
        pending = pending.filter(seeker=office)
    with transaction.atomic():
        # Locked first: an answer arriving meanwhile either lands before or finds it expired.
        lapsed = list(pending.select_for_update())
        ContactRequest.objects.filter(pk__in=[r.pk for r in lapsed]).update(
            state=ContactRequest.State.EXPIRED
        )
        for request in lapsed:
            request.state = ContactRequest.State.EXPIRED
            audit_record(kind=AuditEvent.Kind.CONTACT_EXPIRED, target=request, by_portal=True)
    return len(lapsed)
