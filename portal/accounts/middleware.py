"""Session limits and the two-factor step, for every request.

Order in settings.MIDDLEWARE: after AuthenticationMiddleware and MessageMiddleware (a
logged-out person gets a message), SessionLifetimeMiddleware, then django_otp's
OTPMiddleware (read through its subclass here), then TwoFactorMiddleware.
"""

import datetime
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django_otp import middleware as otp_middleware
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.two_factor import confirmed_device, needs_code, two_factor_required
from portal.languages import language_cookie_set
from portal.prepared import Prepared

LOGIN_AT_SESSION_KEY = "portal_login_at"


def duration(seconds: int) -> str:
    """``43200`` as "12 hours", in the person's language."""
    now = timezone.now()
    return timesince(now - datetime.timedelta(seconds=seconds), now)


# The idle limit is kept to the minute.
RENEW_EVERY = 60
RENEWED_AT_SESSION_KEY = "portal_session_renewed_at"


# Read on every request of a person who passed the code step: its SQL is built once.
device_read = Prepared(lambda *, pk: TOTPDevice.objects.filter(pk=pk), pk=int)


class OTPMiddleware(otp_middleware.OTPMiddleware):
    """django_otp's middleware, reading the session's authenticator with a prepared read."""

    def _device_from_persistent_id(self, persistent_id: str):
        persistent_id = self._normalize_persistent_id(persistent_id)
        label, _slash, pk = persistent_id.rpartition("/")
        if label != TOTPDevice.model_label():
            return super()._device_from_persistent_id(persistent_id)
        try:
            return device_read.first(pk=pk)
        except ValueError:
            return None


class SessionLifetimeMiddleware:
    """Logs out a session older than SESSION_MAX_AGE, however active it has been.

    The inactivity limit is the session's own expiry (SESSION_COOKIE_AGE), pushed back here
    at most once a minute: renewing it on every request would write the session row on
    every page and autosave. This is also where the absolute limit is kept. The request then
    goes on as an anonymous one, so that a form posted at that moment is held for after the
    next login like any post from an expired session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            logged_in_at = request.session.get(LOGIN_AT_SESSION_KEY)
            now = int(time.time())
            if now - request.session.get(RENEWED_AT_SESSION_KEY, 0) >= RENEW_EVERY:
                # A change to the session: Django saves it with a fresh expiry.
                request.session[RENEWED_AT_SESSION_KEY] = now
            if logged_in_at is None:
                # A session from before this limit existed: its clock starts now.
                request.session[LOGIN_AT_SESSION_KEY] = now
            elif now - logged_in_at > settings.SESSION_MAX_AGE:
                request.logout_reason = "session_max_age"
                logout(request)
                messages.info(
                    request,
                    _(
                        "For your security, a session ends %(duration)s after logging in. "
                        "Please log in again."
                    )
                    % {"duration": duration(settings.SESSION_MAX_AGE)},
                )
        return self.get_response(request)


# Pages a person half-way through logging in can open; everything else waits for the code.
OPEN_BEFORE_CODE = frozenset(
    {
        "logout",
        "admin:logout",
        "two_factor_verify",
        "two_factor_setup",
        "set_language",
        "health",
    }
)
# Pages that keep what was typed when the session cannot save it (assessments/held.py).
HOLDS_ANSWERS = {"assessment_form": True, "assessment_autosave": False}


def wants_json(request: HttpRequest) -> bool:
    return (
        request.path.startswith("/api/")
        or "application/json" in request.headers.get("Accept", "")
        or request.headers.get("X-Requested-With") == "XMLHttpRequest"
    )


class TwoFactorMiddleware:
    """Sends a logged-in person who still owes a code to the code step (or, for co-leads
    and the secretariat without an authenticator, to setting one up), for every page.

    Scripts and the API get a JSON 401 instead of a redirect they could not follow.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(settings.STATIC_URL):
            return None
        if not needs_code(request.user):
            return None
        request.two_factor_pending = True
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_BEFORE_CODE:
            return None
        if match is not None and match.url_name in HOLDS_ANSWERS and request.method == "POST":
            # Posted from a tab opened before this login: kept, and shown after the code.
            from assessments.held import hold_answers

            hold_answers(
                request,
                view_kwargs["code"],
                view_kwargs["year"],
                full=HOLDS_ANSWERS[match.url_name],
            )
            if HOLDS_ANSWERS[match.url_name]:
                return redirect(self._step_url(request, next_url=request.path))
        url = self._step_url(request, next_url=request.get_full_path())
        if wants_json(request):
            message = _("Your login is not complete: type your two-factor code first.")
            return JsonResponse(
                {
                    "error": "two_factor_required",
                    "detail": message,
                    "message": message,
                    "login_url": url,
                },
                status=401,
            )
        return redirect(url)

    @staticmethod
    def _step_url(request, *, next_url: str) -> str:
        user = request.user
        if two_factor_required(user) and confirmed_device(user) is None:
            step = reverse("two_factor_setup")
        else:
            step = reverse("two_factor_verify")
        return f"{step}?{urlencode({'next': next_url})}"


class AccountLanguageMiddleware:
    """Hands the browser the stored language of the person who has just logged in (the
    login signal puts it on the request), whichever page logged them in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        language = getattr(request, "account_language", None)
        if language:
            language_cookie_set(response, language)
        return response
