"""Writes of feedback: sent on the portal, collected from the survey, triaged."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.models import Feedback
from outbox.services import enqueue


@transaction.atomic
def feedback_send(
    *, user, office, framework, recommendation, kind: str, text: str, private: bool = False
) -> Feedback:
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write your proposal or comment.")})
    if recommendation is not None and recommendation.framework_id != framework.pk:
        raise ValidationError({"recommendation": _("Choose a recommendation of this framework.")})
    return Feedback.objects.create(
        framework=framework,
        recommendation=recommendation,
        kind=kind,
        text=text,
        private=private,
        source=Feedback.Source.PORTAL,
        sender=user,
        office=office,
    )


def feedback_from_survey(*, assessment) -> Feedback | None:
    """The survey's proposals question lands in the same list as the rest, so that it is
    triaged and answered the same way. Called by the submit service, in its transaction.

    A resubmission with the same text keeps its triage (only its "not for publication" mark
    follows the submission); a changed text is
    a new proposal to look at, so it goes back to "received"; an emptied one is left as it
    was triaged (it was received, and the sender was told).
    """
    text = assessment.proposals.strip()
    existing = Feedback.objects.filter(assessment=assessment).first()
    if existing is None:
        if not text:
            return None
        return Feedback.objects.create(
            framework=assessment.cycle.framework,
            recommendation=None,
            kind=Feedback.Kind.PROPOSAL,
            text=text,
            private=assessment.proposals_private,
            source=Feedback.Source.SURVEY,
            sender=assessment.submitted_by,
            office=assessment.office,
            assessment=assessment,
            created_at=assessment.submitted_at or timezone.now(),
        )
    if text and text != existing.text:
        existing.text = text
        existing.private = assessment.proposals_private
        existing.sender = assessment.submitted_by
        existing.status = Feedback.Status.RECEIVED
        existing.draft_version = existing.decline_reason = ""
        existing.save()
    elif text and existing.private != assessment.proposals_private:
        # The same text, now (or no longer) "not for publication": the annex follows the
        # office's last word; the triage of an unchanged proposal stands. (An emptied one
        # keeps its mark: emptying clears the mark too, and must not publish it.)
        existing.private = assessment.proposals_private
        existing.save(update_fields=["private"])
    return existing


def triage_problems(*, status: str, draft_version: str, reason: str) -> dict[str, str]:
    problems = {}
    if status == Feedback.Status.TAKEN and not draft_version.strip():
        problems["draft_version"] = _("Name the draft version it was taken into.")
    if status == Feedback.Status.DECLINED and not reason.strip():
        problems["decline_reason"] = _("Give a reason: the sender reads it.")
    return problems


@transaction.atomic
def feedback_triage(
    *, feedback: Feedback, user, status: str, draft_version: str = "", reason: str = ""
) -> bool:
    """Sets where the feedback stands; the sender is told by e-mail when that changed.
    Returns whether anything changed."""
    if not user.is_secretariat:
        raise PermissionDenied
    problems = triage_problems(status=status, draft_version=draft_version, reason=reason)
    if problems:
        raise ValidationError(problems)
    locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
    draft_version = draft_version.strip() if status == Feedback.Status.TAKEN else ""
    reason = reason.strip() if status == Feedback.Status.DECLINED else ""
    if (locked.status, locked.draft_version, locked.decline_reason) == (
        status,
        draft_version,
        reason,
    ):
        return False
    locked.status = status
    locked.draft_version = draft_version
    locked.decline_reason = reason
    locked.triaged_by = user
    locked.triaged_at = timezone.now()
    locked.save()
    if locked.sender_id:
        enqueue(
            "feedback.tasks.send_triage_notice",
            args=[locked.pk, locked.status],
            held_notice=_(
                "The e-mail to the sender will be sent as soon as the mail queue is back."
            ),
        )
    feedback.refresh_from_db()
    return True
