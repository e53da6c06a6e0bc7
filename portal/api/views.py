"""Personal API tokens on the profile page: create (shown once) and revoke."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.api import services
from portal.api.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What the token is for"),
        max_length=80,
        help_text=gettext_lazy("For example: “KPI notebook” or “office survey script”."),
    )


@never_cache
@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the token a name, up to 80 characters."))
        return redirect("account_profile")
    try:
        token, key = services.token_create(
            user=request.user, name=form.cleaned_data["name"], request=request
        )
    except services.TooManyTokens:
        messages.error(
            request,
            _("You have %(count)s tokens already: revoke one you no longer use first.")
            % {"count": services.MAX_LIVE_TOKENS},
        )
        return redirect("account_profile")
    # Shown on this one page, never stored: the response must not be cached anywhere.
    return render(request, "accounts/token_created.html", {"token": token, "key": key})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.live(), pk=pk, user=request.user)
    services.token_revoke(token=token, user=request.user, request=request)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("account_profile")


urlpatterns = [
    path("tokens/new/", token_create, name="api_token_create"),
    path("tokens/<int:pk>/revoke/", token_revoke, name="api_token_revoke"),
]


@csrf_exempt  # it writes nothing; a script's PUT to a wrong address gets this JSON too
@login_not_required
def api_not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any other address under /api/: scripts get JSON, as from every API answer."""
    return JsonResponse({"detail": _("There is no such API address.")}, status=404)
