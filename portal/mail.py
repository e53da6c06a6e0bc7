"""The one way the portal writes an e-mail to a person: in that person's language."""

import re

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from portal.languages import in_language_of

ONE_LINE = re.compile(r"[ \t\r\n]+")


def email_message(*, template: str, context: dict, to) -> EmailMessage:
    """``<template>_subject.txt`` and ``<template>.txt`` rendered for the person ``to``, in
    their preferred language (the portal's default if they have none), dates and numbers
    included, whatever language the request or task that sends it runs in."""
    with in_language_of(to):
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}.txt", context)
    return EmailMessage(
        # A header is one line, whatever the template's whitespace; the no-break spaces of
        # French typography ("invitation :") stay.
        subject=ONE_LINE.sub(" ", subject).strip(),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to.email],
    )
