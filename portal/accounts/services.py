"""Writes about people's accounts: their authenticator device, their sessions, their
password."""

import logging
from importlib import import_module

import django_otp
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.models import User
from portal.accounts.two_factor import confirmed_device, two_factor_required
from portal.api.models import ApiToken
from portal.api.services import token_revoke
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.languages import supported
from portal.mail import email_message

logger = logging.getLogger(__name__)

DEVICE_NAME = "Authenticator app"


def two_factor_device_pending(*, user) -> TOTPDevice:
    """The device being set up: the same key on every visit until a code confirms it, so
    that a reload does not invalidate the QR code already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def _refused(*, request: HttpRequest, device: TOTPDevice, step: str) -> None:
    allowed, _ = device.verify_is_allowed()
    audit_record(
        kind=AuditEvent.Kind.TWO_FACTOR_FAILED,
        request=request,
        target=device.user,
        detail={"step": step, "throttled": not allowed},
    )


@transaction.atomic
def two_factor_confirm(*, request: HttpRequest, device: TOTPDevice, code: str) -> bool:
    """Turns the pending ``device`` on if ``code`` is right; the session counts as verified."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(code):
        _refused(request=request, device=device, step="setup")
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One authenticator per person: a set-up left half-done elsewhere is dropped.
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    django_otp.login(request, device)
    audit_record(kind=AuditEvent.Kind.TWO_FACTOR_ENROLLED, request=request, target=device.user)
    return True


def two_factor_verify(*, request: HttpRequest, code: str) -> bool:
    """The code step after the password: marks the session verified if ``code`` is right."""
    device = confirmed_device(request.user)
    if device is None:
        return False
    verified = django_otp.verify_token(request.user, device.persistent_id, code)
    if verified is None:
        device.refresh_from_db()
        _refused(request=request, device=device, step="login")
        return False
    django_otp.login(request, verified)
    return True


@transaction.atomic
def two_factor_remove(*, request: HttpRequest, code: str) -> bool:
    """Turns two-factor authentication off for an office person who gives a current code."""
    user = request.user
    if two_factor_required(user):
        return False
    device = confirmed_device(user)
    if device is None:
        return False
    if django_otp.verify_token(user, device.persistent_id, code) is None:
        device.refresh_from_db()
        _refused(request=request, device=device, step="remove")
        return False
    TOTPDevice.objects.filter(user=user).delete()
    request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
    audit_record(kind=AuditEvent.Kind.TWO_FACTOR_REMOVED, request=request, target=user)
    return True


def sessions_end(*, user, keep: str | None = None) -> int:
    """Deletes every stored session of ``user`` but the one whose key is ``keep``; returns
    how many there were.

    Sessions are stored by key, not by person: the live ones are decoded one by one. There
    are few (they end after the idle timeout), and this runs only when an account is
    disabled or its password changes. A cache-only session engine cannot be listed; there
    the authentication backend's refusal of inactive accounts, and Django's check of the
    password hash kept in each session, are what log the person out.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return 0
    ended = 0
    live = store.get_model_class().objects.filter(expire_date__gt=timezone.now())
    if keep:
        live = live.exclude(session_key=keep)
    for session in live.iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            # Through the store, so that cached_db forgets its cached copy too.
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


def password_changed(*, request: HttpRequest) -> int:
    """After a person changed their own password: their other sessions end, this one
    stays (Django's update_session_auth_hash has given it the new password's mark)."""
    return sessions_end(user=request.user, keep=request.session.session_key)


@transaction.atomic
def password_reset(*, user, request: HttpRequest, had_password: bool) -> None:
    """After a password was chosen through an e-mailed link: whoever used the old one (or
    a token made with it) is shut out, as a reset is what someone does whose password may
    be known to others. Every other session ends, every API token is revoked, and the
    person is told by e-mail, unless this was their first password (an invitation's link).
    """
    sessions_end(user=user, keep=request.session.session_key)
    tokens = list(ApiToken.objects.live().filter(user=user))
    for token in tokens:
        token_revoke(token=token, user=user, request=request)
    if had_password:
        from outbox.services import enqueue

        # Through the outbox like every e-mail: a broker that is down neither loses it nor
        # turns the committed reset into an error.
        enqueue(
            "portal.accounts.tasks.send_password_reset_notice",
            args=[user.pk, timezone.now().isoformat(), len(tokens)],
        )


def password_reset_notice_send(*, user, changed_at, tokens: int) -> None:
    """Tells the person that their password was reset and what that ended."""
    context = {
        "name": user.get_full_name(),
        "email": user.email,
        "changed_at": changed_at,
        "tokens": tokens,
        "profile_url": settings.SITE_URL.rstrip("/") + reverse("account_profile"),
    }
    message = email_message(template="email/password_reset", context=context, to=user)
    try:
        message.send()
    except Exception:
        # The password is changed and the sessions are ended: a mail server that is down
        # must not make that look failed (Django's reset form does the same).
        logger.exception("The password reset notice to user %s could not be sent", user.pk)


# --- Language -------------------------------------------------------------------------------


def preferred_language_set(*, user, language: str) -> None:
    """The language chosen on the account page: the portal's at login, and the e-mails'."""
    if not supported(language):
        raise ValueError(f"the portal does not speak {language!r}")
    User.objects.filter(pk=user.pk).update(preferred_language=language)
    user.preferred_language = language


def preferred_language_first_choice(*, user, language: str) -> bool:
    """The first language a person picks in the switcher becomes theirs; later picks change
    only what they are reading now (the account page changes the stored one). Returns
    whether it was stored. One conditional update: two tabs picking at once store one."""
    if not supported(language):
        return False
    stored = User.objects.filter(pk=user.pk, preferred_language="").update(
        preferred_language=language
    )
    if stored:
        user.preferred_language = language
    return bool(stored)


def language_on_login(*, user, chosen: str | None) -> str | None:
    """The language to switch to as ``user`` logs in: their stored one. Someone who has
    none yet but picked one in the switcher before logging in (``chosen``, the language
    cookie) keeps it, and it becomes theirs."""
    if supported(user.preferred_language):
        return user.preferred_language
    if chosen:
        preferred_language_first_choice(user=user, language=chosen)
    return None
