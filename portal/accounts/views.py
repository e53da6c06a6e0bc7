import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from portal.accounts import services
from portal.accounts.forms import CodeForm, LanguageForm, ResetForm
from portal.accounts.lockout import unlock_time
from portal.accounts.two_factor import (
    confirmed_device,
    qr_svg,
    secret_base32,
    two_factor_required,
)
from portal.languages import language_choices, language_cookie_set


def _next_url(request: HttpRequest) -> str:
    """Where to go once the code step is done: the page asked for, if it is ours."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def account_profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = confirmed_device(user)
    return render(
        request,
        "accounts/profile.html",
        {
            "memberships": user.memberships.select_related("office").order_by("office__code"),
            "device": device,
            "required": two_factor_required(user),
            "form": CodeForm() if device is not None else None,
            "languages": language_choices(),
            "language": user.preferred_language or translation.get_language(),
        },
    )


@require_POST
def account_language(request: HttpRequest) -> HttpResponse:
    """The account page's language: stored, and the one of this browser from now on."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the portal's languages."))
        return redirect("account_profile")
    language = form.cleaned_data["language"]
    services.preferred_language_set(user=request.user, language=language)
    translation.activate(language)
    messages.success(request, _("Your language is saved: the portal and your e-mails use it."))
    response = redirect("account_profile")
    language_cookie_set(response, language)
    return response


@login_not_required
def language_choose(request: HttpRequest) -> HttpResponse:
    """The header's switcher: Django's set_language, and for someone logged in who never
    chose a language, that first choice becomes theirs (their e-mails' language too)."""
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated:
        services.preferred_language_first_choice(user=request.user, language=language)
    return set_language(request)


def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The code step after the password, for whoever has an authenticator."""
    next_url = _next_url(request)
    if request.user.is_verified():
        return redirect(next_url)
    if confirmed_device(request.user) is None:
        if two_factor_required(request.user):
            return redirect(f"{reverse('two_factor_setup')}?{request.GET.urlencode()}")
        return redirect(next_url)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if services.two_factor_verify(request=request, code=form.cleaned_data["code"]):
            return redirect(next_url)
        form.add_error("code", _wrong_code_message())
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": next_url},
        status=400 if form.errors else 200,
    )


def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Adds an authenticator app: scan (or type) the key, then confirm one code."""
    user = request.user
    next_url = _next_url(request)
    if confirmed_device(user) is not None:
        # Replacing a device needs the code of the current one: that is the code step.
        if not user.is_verified():
            return redirect(f"{reverse('two_factor_verify')}?{request.GET.urlencode()}")
        messages.info(request, _("Two-factor authentication is already on for your account."))
        return redirect("account_profile")
    device = services.two_factor_device_pending(user=user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if services.two_factor_confirm(
            request=request, device=device, code=form.cleaned_data["code"]
        ):
            messages.success(
                request,
                _(
                    "Two-factor authentication is on. From now on you will be asked for a code "
                    "after your password."
                ),
            )
            return redirect(next_url)
        form.add_error("code", _wrong_code_message())
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "required": two_factor_required(user),
            "qr_svg": qr_svg(device),
            "secret": secret_base32(device),
            "issuer": settings.OTP_TOTP_ISSUER,
        },
        status=400 if form.errors else 200,
    )


@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    if two_factor_required(request.user):
        messages.error(
            request,
            _("Co-leads and the secretariat cannot turn two-factor authentication off."),
        )
        return redirect("account_profile")
    form = CodeForm(request.POST)
    if form.is_valid() and services.two_factor_remove(
        request=request, code=form.cleaned_data["code"]
    ):
        messages.success(request, _("Two-factor authentication is off."))
    else:
        messages.error(
            request,
            _("Two-factor authentication is still on: the code was wrong or used already."),
        )
    return redirect("account_profile")


def _wrong_code_message() -> str:
    return _(
        "This code is wrong or has been used already. Wait for the next code of your app "
        "and try again; check that your phone’s clock is right."
    )


def login_locked_out(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """What django-axes answers to a login from a locked e-mail and address (settings
    AXES_LOCKOUT_CALLABLE): a page of the portal that says when to try again."""
    until = unlock_time(request, credentials)
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    retry_after = str(minutes * 60)
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        answer = JsonResponse({"error": "locked_out", "retry_after": int(retry_after)}, status=429)
    else:
        answer = render(
            request,
            "accounts/locked_out.html",
            {"minutes": minutes, "until": until, "limit": settings.AXES_FAILURE_LIMIT},
            status=429,
        )
    answer["Retry-After"] = retry_after
    return answer


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(request=self.request)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        # An invitation's link sets a first password: nothing to warn anyone about.
        had_password = form.user.has_usable_password()
        response = super().form_valid(form)
        services.password_reset(user=form.user, request=self.request, had_password=had_password)
        return response


# Django's own views, with the portal's templates (templates/registration/).
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", account_profile, name="account_profile"),
    path("profile/language/", account_language, name="account_language"),
    path("two-factor/", two_factor_verify, name="two_factor_verify"),
    path("two-factor/setup/", two_factor_setup, name="two_factor_setup"),
    path("two-factor/disable/", two_factor_disable, name="two_factor_disable"),
    path("password/change/", PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(form_class=ResetForm),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # The link in an invitation for someone who has no password yet: choosing one logs
    # them in, so they go straight on to their office.
    path(
        "welcome/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(
            template_name="registration/welcome_confirm.html",
            post_reset_login=True,
            # The throttling backend comes first and logs no one in.
            post_reset_login_backend="portal.accounts.backends.RoleBackend",
            success_url=reverse_lazy("home"),
        ),
        name="welcome",
    ),
]
