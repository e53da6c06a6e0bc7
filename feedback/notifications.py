"""The e-mail that tells a sender where their feedback stands."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from feedback.models import Feedback


def triage_notice_send(*, feedback: Feedback) -> int:
    sender = feedback.sender
    if sender is None or not sender.is_active or not sender.email:
        return 0
    context = {
        "name": sender.get_full_name(),
        "feedback": feedback,
        "url": settings.SITE_URL.rstrip("/") + reverse("feedback_detail", args=[feedback.pk]),
    }
    # As every e-mail of the portal: in its default language, not the browsing one.
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("email/feedback_triaged_subject.txt", context)
        body = render_to_string("email/feedback_triaged.txt", context)
    EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[sender.email],
    ).send()
    return 1
