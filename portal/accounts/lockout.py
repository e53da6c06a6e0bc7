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

from portal.accounts.models import User, email_normalised


def typed_username(request, credentials: dict | None = None) -> str | None:
    """What failures are counted under: the account that the typed address logs in to, by
    the login's own lookup, so that no other spelling of it (``ROBIN@…``, full-width
    letters) has a count of its own; for an address of no account, its normalised form."""
    if credentials and credentials.get("username") is not None:
        typed = credentials["username"]
    else:
        typed = getattr(request, "POST", {}).get("username")
    if not isinstance(typed, str):
        return typed
    # Axes asks several times per attempt: one lookup per request and address.
    known = request.__dict__.setdefault("_login_accounts", {}) if request is not None else {}
    if typed not in known:
        try:
            known[typed] = User.objects.get_by_natural_key(typed).email
        except User.DoesNotExist:
            known[typed] = email_normalised(typed)
    return known[typed]


def unlock_time(request, credentials: dict | None = None) -> datetime.datetime:
    """When the lock on this attempt's address and e-mail ends: the cooling-off counts from
    the last failure, as failures during the lock are refused without being counted."""
    cool_off = get_cool_off(request) or datetime.timedelta(0)
    last = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials),
        ip_address=getattr(request, "axes_ip_address", None),
    ).aggregate(last=Max("attempt_time"))["last"]
    return (last or timezone.now()) + cool_off
