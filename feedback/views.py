"""Feedback on the recommendations: send it, read the list, triage it (the secretariat)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from feedback import selectors, services
from feedback.forms import FeedbackForm, FilterForm, TriageForm
from outbox.notices import tell_if_held
from portal.permissions import reads_all_submissions
from recommendations.models import Framework

LIST_LIMIT = 500


def feedback_list(request: HttpRequest) -> HttpResponse:
    if not selectors.can_send(request.user):
        raise PermissionDenied
    filters = FilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    items = list(selectors.feedback_list(request.user, filters=chosen)[:LIST_LIMIT])
    return render(
        request,
        "feedback/list.html",
        {
            "items": items,
            "filters": filters,
            "limit": LIST_LIMIT,
            "reads_all": reads_all_submissions(request.user),
        },
    )


def feedback_new(request: HttpRequest) -> HttpResponse:
    if not selectors.can_send(request.user):
        raise PermissionDenied
    framework = Framework.objects.current()
    if framework is None:
        raise Http404
    form = FeedbackForm(request.POST or None, framework=framework)
    if request.method == "POST" and form.is_valid():
        item = services.feedback_send(
            user=request.user,
            office=selectors.sender_office(request.user),
            framework=framework,
            recommendation=form.cleaned_data["recommendation"],
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            private=form.cleaned_data["private"],
        )
        messages.success(
            request,
            _("Thank you: the secretariat has received it and will tell you what becomes of it."),
        )
        return redirect("feedback_detail", pk=item.pk)
    return render(
        request,
        "feedback/new.html",
        {"form": form, "framework": framework},
        status=400 if form.is_bound and form.errors else 200,
    )


def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.feedback_detail(request.user, pk)
    form = None
    if request.user.is_secretariat:
        form = TriageForm(
            initial={
                "status": item.status,
                "draft_version": item.draft_version,
                "decline_reason": item.decline_reason,
            }
        )
    return render(request, "feedback/detail.html", {"item": item, "form": form})


@require_POST
def feedback_triage(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_secretariat:
        raise PermissionDenied
    item = selectors.feedback_detail(request.user, pk)
    form = TriageForm(request.POST)
    if not form.is_valid():
        return render(request, "feedback/detail.html", {"item": item, "form": form}, status=400)
    with tell_if_held(request):
        changed = services.feedback_triage(
            feedback=item,
            user=request.user,
            status=form.cleaned_data["status"],
            draft_version=form.cleaned_data["draft_version"],
            reason=form.cleaned_data["decline_reason"],
        )
    if changed:
        messages.success(request, _("Saved. The sender is told by e-mail."))
    else:
        messages.info(request, _("Nothing changed."))
    return redirect("feedback_detail", pk=item.pk)
