"""Cycles and the e-mails around them: invitations, deadline reminders, reopening notices.

Each e-mail is written in its recipient's language (portal.languages.in_language_of), never
in the language of whoever caused it: a task that runs inside a request must not write to an
office in whatever language the secretariat happens to browse in.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from assessments import selectors
from assessments.models import Assessment, Cycle, Invitation, Reminder
from outbox.services import enqueue
from portal.accounts.models import SiteRole, User
from portal.mail import email_message
from portal.offices.models import MemberRole, Membership, Office
from recommendations.models import Framework

logger = logging.getLogger(__name__)

# Days before the closing date on which offices that have not submitted are reminded.
REMINDER_DAYS = (14, 7, 2)


# --- Cycles and invitations -----------------------------------------------------------------


@transaction.atomic
def cycle_create(
    *,
    year: int,
    framework: Framework,
    opens_on: datetime.date,
    closes_on: datetime.date,
    offices: Iterable[Office],
    user: User,
) -> Cycle:
    """A new cycle with its invitations; the invitation e-mails leave once it is committed."""
    cycle = Cycle(year=year, framework=framework, opens_on=opens_on, closes_on=closes_on)
    # The form checks the same rules; checking here too keeps scripts and shells honest.
    cycle.full_clean()
    cycle.save()
    logger.info("%s opened cycle %s", user, year)
    cycle_invite(cycle=cycle, offices=offices, user=user)
    return cycle


@transaction.atomic
def cycle_update(
    *,
    cycle: Cycle,
    user: User,
    opens_on: datetime.date | None = None,
    closes_on: datetime.date | None = None,
) -> Cycle:
    """Moves a cycle's dates; the model's rules (closing after opening) are checked."""
    locked = Cycle.objects.select_for_update().select_related("framework").get(pk=cycle.pk)
    if opens_on is not None:
        locked.opens_on = opens_on
    if closes_on is not None:
        locked.closes_on = closes_on
    locked.full_clean()
    locked.save()
    logger.info(
        "%s moved cycle %s to %s – %s", user, locked.year, locked.opens_on, locked.closes_on
    )
    return locked


@transaction.atomic
def cycle_invite(*, cycle: Cycle, offices: Iterable[Office], user: User) -> list[Office]:
    """Invites the offices not invited yet and returns them; the others are left alone."""
    # Two secretariat members inviting at once must not mail an office twice: the lock on
    # the cycle makes the second wait and then see the first one's invitations.
    Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
    invited = set(Invitation.objects.filter(cycle=cycle).values_list("office_id", flat=True))
    new = sorted(
        {office.pk: office for office in offices if office.pk not in invited}.values(),
        key=lambda office: office.code,
    )
    if not new:
        return []
    Invitation.objects.bulk_create(Invitation(cycle=cycle, office=office) for office in new)
    logger.info("%s invited %d offices to cycle %s", user, len(new), cycle.year)

    enqueue(
        "assessments.tasks.send_invitations",
        args=[cycle.pk, [office.pk for office in new]],
        held_notice=_("The invitations will be e-mailed as soon as the mail queue is back."),
    )
    return new


def invitations_send(*, cycle: Cycle, offices: Iterable[Office]) -> int:
    """E-mails each office's respondents their invitation; returns the number of e-mails.

    One office at a time: its invitation is locked while its e-mails leave and marked as
    sent right after, so a retry after a failure mails only the offices that were not
    reached, and two deliveries of the same job at once never mail an office twice.
    """
    invitations = list(
        cycle.invitations.filter(office__in=list(offices), sent_at__isnull=True)
        .select_related("office")
        .order_by("office__code")
    )
    respondents = _respondents_by_office([invitation.office_id for invitation in invitations])
    count = 0
    for invitation in invitations:
        office = invitation.office
        people = respondents.get(office.pk)
        if not people:
            # Left unsent: the cycle page shows the office has nobody to write to.
            continue
        with transaction.atomic():
            unsent = Invitation.objects.select_for_update().filter(
                pk=invitation.pk, sent_at__isnull=True
            )
            if unsent.first() is None:
                continue  # another delivery of this job sent it meanwhile
            _send(
                _message("invitation", _context(person, office, cycle), person) for person in people
            )
            unsent.update(sent_at=timezone.now())
        count += len(people)
    return count


# --- Deadline reminders ---------------------------------------------------------------------


@dataclass
class ReminderBatch:
    """The offices of one cycle reminded on one day."""

    cycle: Cycle
    days_before: int
    offices: list[Office] = field(default_factory=list)


def reminders_send(*, today: datetime.date) -> list[ReminderBatch]:
    """Reminds the offices that have not submitted, 14, 7 and 2 days before a cycle closes.

    Each reminder is sent once (a ``Reminder`` row records it), so running this again on the
    same day sends nothing new. The secretariat then gets one note listing who was reminded.
    """
    due = {today + datetime.timedelta(days=days) for days in REMINDER_DAYS}
    # A cycle that has not opened yet has nothing to remind anyone of.
    cycles = (
        Cycle.objects.filter(closes_on__in=due, opens_on__lte=today)
        .select_related("framework")
        .order_by("year")
    )
    batches, failure = [], None
    for cycle in cycles:
        batch, error = _remind_cycle(cycle, days_before=(cycle.closes_on - today).days)
        failure = failure or error
        if batch.offices:
            batches.append(batch)
    if batches:
        secretariat = User.objects.filter(is_active=True, site_role=SiteRole.SECRETARIAT).order_by(
            "email"
        )
        context = {"today": today, "batches": _note_batches(batches)}
        _send(_message("reminder_note", context, person) for person in secretariat)
    if failure is not None:
        # The offices reached are recorded; failing loudly lets the mail problem be seen.
        raise failure
    return batches


REMIND_TASK = "assessments.tasks.send_reminder_now"


@transaction.atomic
def reminder_request(*, cycle: Cycle, office: Office) -> None:
    """The secretariat's "remind now", sent by a worker once asked."""
    enqueue(
        REMIND_TASK,
        args=[cycle.pk, office.pk],
        held_notice=_("The reminder to %(code)s will be sent as soon as the mail queue is back.")
        % {"code": office.code},
    )


@transaction.atomic
def reminders_request(*, cycle: Cycle, offices: list[Office]) -> None:
    """The secretariat's "remind all who have not submitted": one "remind now" per office,
    so that each is recorded, and safe to send twice, as when pressed one by one."""
    for office in offices:
        enqueue(
            REMIND_TASK,
            args=[cycle.pk, office.pk],
            held_notice=_("The reminders will be sent as soon as the mail queue is back."),
        )


def reminder_send_now(*, cycle: Cycle, office: Office) -> bool:
    """The secretariat's "remind now": the office's respondents get today's reminder.

    Recorded like a scheduled one (by the days left), so pressing twice the same day, or a
    scheduled reminder due the same day, does not send it twice.
    """
    days_left = max((cycle.closes_on - timezone.localdate()).days, 0)
    batch, failure = _remind_cycle(cycle, days_before=days_left, only=office)
    if failure is not None:
        raise failure
    return bool(batch.offices)


def _remind_cycle(
    cycle: Cycle, *, days_before: int, only: Office | None = None
) -> tuple[ReminderBatch, Exception | None]:
    offices = _offices_to_remind(cycle, days_before=days_before)
    if only is not None:
        offices = offices.filter(pk=only.pk)
    offices = list(offices)
    respondents = _respondents_by_office([office.pk for office in offices])
    total = cycle.framework.recommendations.count()
    batch, failure = ReminderBatch(cycle=cycle, days_before=days_before), None
    for office in offices:
        people = respondents.get(office.pk)
        if not people:
            continue
        progress = {
            "days_before": days_before,
            "has_draft": office.has_draft,
            "complete": office.complete,
            "total": total,
        }
        try:
            _send(
                _message("reminder", {**_context(person, office, cycle), **progress}, person)
                for person in people
            )
        except Exception as error:  # one office's bad address must not stop the others
            logger.exception("reminder to %s for cycle %s failed", office.code, cycle.year)
            failure = failure or error
            continue
        batch.offices.append(office)
    Reminder.objects.bulk_create(
        (Reminder(cycle=cycle, office=office, days_before=days_before) for office in batch.offices),
        ignore_conflicts=True,
    )
    return batch, failure


def _offices_to_remind(cycle: Cycle, *, days_before: int):
    """Invited offices without a submission and not yet reminded this many days before."""
    assessment = Assessment.objects.filter(cycle=cycle, office=OuterRef("pk"))
    reminded = Reminder.objects.filter(cycle=cycle, office=OuterRef("pk"), days_before=days_before)
    return (
        Office.objects.filter(invitations__cycle=cycle)
        .filter(~Exists(assessment.filter(status=Assessment.Status.SUBMITTED)), ~Exists(reminded))
        .annotate(
            has_draft=Exists(assessment),
            complete=selectors.complete_sections(
                assessment__cycle=cycle, assessment__office=OuterRef("pk")
            ),
        )
        .order_by("code")
    )


def _note_batches(batches: list[ReminderBatch]) -> list[dict]:
    return [
        {
            "cycle": batch.cycle,
            "days_before": batch.days_before,
            "offices": batch.offices,
            "url": _absolute(reverse("cycle_detail", kwargs={"year": batch.cycle.year})),
        }
        for batch in batches
    ]


# --- Reopening ------------------------------------------------------------------------------


def reopened_notice_send(*, assessment: Assessment, reason: str) -> int:
    """Tells the office's respondents that the secretariat reopened their assessment."""
    cycle, office = assessment.cycle, assessment.office
    people = _respondents_by_office([office.pk]).get(office.pk, [])
    _send(
        _message("reopened", {**_context(person, office, cycle), "reason": reason}, person)
        for person in people
    )
    return len(people)


def reopen_request_send(*, held) -> int:
    """Tells the secretariat that a respondent asks to reopen a submission, to save answers
    typed while a colleague submitted it."""
    assessment = held.assessment
    cycle, office = assessment.cycle, assessment.office
    path = reverse("assessment_history", kwargs={"code": office.code, "year": cycle.year})
    people = User.objects.filter(is_active=True, site_role=SiteRole.SECRETARIAT).order_by("email")
    context = {
        "office": office,
        "cycle": cycle,
        "requester": held.user,
        "count": len(held.values),
        "submitted_at": assessment.submitted_at,
        "history_url": _absolute(path),
    }
    _send(_message("reopen_request", context, person) for person in people)
    return len(people)


# --- Helpers --------------------------------------------------------------------------------


def _respondents_by_office(office_ids: list[int]) -> dict[int, list[User]]:
    memberships = (
        Membership.objects.filter(
            office_id__in=office_ids, role=MemberRole.RESPONDENT, user__is_active=True
        )
        .select_related("user")
        .order_by("user__email")
    )
    people = defaultdict(list)
    for membership in memberships:
        people[membership.office_id].append(membership.user)
    return people


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def welcome_url(user: User) -> str:
    """The link with which a person who has no password yet chooses one (valid three days)."""
    path = reverse(
        "welcome",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return _absolute(path)


def _context(person: User, office: Office, cycle: Cycle) -> dict:
    """What every e-mail to a respondent needs: whom it greets and where the form is.

    Someone invited before they ever logged in has no password; each e-mail brings them a
    fresh link to choose one, so an expired link is never the end of the road.
    """
    form_path = reverse("assessment_form", kwargs={"code": office.code, "year": cycle.year})
    return {
        "name": person.get_full_name(),
        "office": office,
        "cycle": cycle,
        "form_url": _absolute(form_path),
        "welcome_url": "" if person.has_usable_password() else welcome_url(person),
    }


def _message(template: str, context: dict, person: User) -> EmailMessage:
    """The e-mail ``email/<template>`` to ``person``, in their language."""
    return email_message(template=f"email/{template}", context=context, to=person)


def _send(messages: Iterable[EmailMessage]) -> None:
    messages = list(messages)
    if messages:
        get_connection().send_messages(messages)
