"""Login throttling (django-axes): how a login attempt is named, and when a lock ends.

Attempts are counted per e-mail address and client address together (settings
AXES_LOCKOUT_PARAMETERS): a guesser behind an office's proxy locks only the addresses it
tries from there, never the colleagues behind the same proxy.
"""

import datetime

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.db.models import Max
from django.utils import timezone


def typed_username(request, credentials: dict | None = None) -> str | None:
    """The e-mail address as the accounts store it: ``ROBIN@…`` and ``robin@…`` are one
    person, so they share one count of failures."""
    if credentials and credentials.get("username") is not None:
        typed = credentials["username"]
    else:
        typed = getattr(request, "POST", {}).get("username")
    return typed.strip().lower() if isinstance(typed, str) else typed


def unlock_time(request, credentials: dict | None = None) -> datetime.datetime:
    """When the lock on this attempt's address and e-mail ends: the cooling-off counts from
    the last failure, as failures during the lock are refused without being counted."""
    cool_off = get_cool_off(request) or datetime.timedelta(0)
    last = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials),
        ip_address=getattr(request, "axes_ip_address", None),
    ).aggregate(last=Max("attempt_time"))["last"]
    return (last or timezone.now()) + cool_off
