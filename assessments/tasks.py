"""Background jobs about cycles: each takes primary keys, re-reads, and calls a service."""

from celery import shared_task
from django.utils import timezone

from assessments import notifications
from assessments.models import Assessment, Cycle, HeldAnswers
from outbox.services import delivery
from portal.offices.models import Office


@shared_task
def send_invitations(cycle_id: int, office_ids: list[int]) -> None:
    cycle = Cycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        return  # deleted before the job ran: nobody to invite to it
    notifications.invitations_send(cycle=cycle, offices=Office.objects.filter(pk__in=office_ids))


@shared_task
def send_deadline_reminders() -> None:
    notifications.reminders_send(today=timezone.localdate())


@shared_task(bind=True)
def send_reopened_notice(self, assessment_id: int, reason: str) -> None:
    assessment = (
        Assessment.objects.select_related("cycle", "office").filter(pk=assessment_id).first()
    )
    if assessment is None:
        return
    # The e-mail leaves no trace to check: the outbox lets one delivery send it.
    with delivery(self.request) as first:
        if first:
            notifications.reopened_notice_send(assessment=assessment, reason=reason)


@shared_task(bind=True)
def send_reminder_now(self, cycle_id: int, office_id: int) -> None:
    cycle = Cycle.objects.filter(pk=cycle_id).select_related("framework").first()
    office = Office.objects.filter(pk=office_id).first()
    if cycle is None or office is None:
        return
    with delivery(self.request) as first:
        if first:
            notifications.reminder_send_now(cycle=cycle, office=office)


@shared_task(bind=True)
def send_reopen_request(self, held_id: int) -> None:
    held = (
        HeldAnswers.objects.select_related("assessment__cycle", "assessment__office", "user")
        .filter(pk=held_id)
        .first()
    )
    if held is None:
        return  # discarded or saved before the job ran: nothing left to ask for
    with delivery(self.request) as first:
        if first:
            notifications.reopen_request_send(held=held)
