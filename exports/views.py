"""Pages of the exports: ask for one, watch it run, download it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import selectors as assessment_selectors
from assessments.models import Cycle
from exports import selectors, services
from exports.forms import AnnexForm, DataForm
from exports.models import ExportJob
from outbox.notices import tell_if_held
from portal.permissions import (
    colead_or_secretariat_required,
    secretariat_required,
)

RECENT = 50


def _home(request: HttpRequest, *, annex_form=None, data_form=None, status=200) -> HttpResponse:
    cycles = list(Cycle.objects.order_by("-year"))
    # The survey of the tab, or after a refused form the survey that form was about.
    year, posted = request.GET.get("year"), request.POST.get("cycle")
    cycle = next(
        (c for c in cycles if str(c.year) == year or str(c.pk) == posted),
        cycles[0] if cycles else None,
    )
    is_secretariat = request.user.is_secretariat
    if cycle is not None:
        last_symbol = (
            ExportJob.objects.filter(kind=ExportJob.Kind.ANNEX, cycle=cycle)
            .order_by("-pk")
            .values_list("parameters__symbol", flat=True)
            .first()
        )
        annex_form = annex_form or AnnexForm(initial={"cycle": cycle, "symbol": last_symbol or ""})
        data_form = data_form or DataForm(initial={"cycle": cycle})
    jobs = ExportJob.objects.for_user(request.user).select_related(
        "cycle", "office", "requested_by"
    )[:RECENT]
    return render(
        request,
        "exports/home.html",
        {
            "cycles": cycles,
            "cycle": cycle,
            "annex_form": annex_form if is_secretariat else None,
            "data_form": data_form,
            "changes": selectors.annex_changes(cycle) if cycle and is_secretariat else None,
            "jobs": jobs,
        },
        status=status,
    )


@colead_or_secretariat_required
def exports_home(request: HttpRequest) -> HttpResponse:
    return _home(request)


def _started(request: HttpRequest, job: ExportJob, created: bool) -> HttpResponse:
    if not created:
        messages.info(request, _("This export is already under way: here it is."))
    return redirect("export_job", pk=job.pk)


@secretariat_required
@require_POST
def annex_start(request: HttpRequest) -> HttpResponse:
    form = AnnexForm(request.POST)
    if not form.is_valid():
        return _home(request, annex_form=form, status=400)
    with tell_if_held(request):
        job, created = services.export_request(
            user=request.user,
            kind=ExportJob.Kind.ANNEX,
            cycle=form.cleaned_data["cycle"],
            parameters={
                "symbol": form.cleaned_data["symbol"].strip(),
                "date": form.cleaned_data["date"].isoformat(),
                "language": form.cleaned_data["language"] or get_language(),
            },
        )
    return _started(request, job, created)


@colead_or_secretariat_required
@require_POST
def data_start(request: HttpRequest) -> HttpResponse:
    form = DataForm(request.POST)
    if not form.is_valid():
        return _home(request, data_form=form, status=400)
    with tell_if_held(request):
        job, created = services.export_request(
            user=request.user, kind=form.cleaned_data["format"], cycle=form.cleaned_data["cycle"]
        )
    return _started(request, job, created)


@login_required
@require_POST
def office_summary_start(request: HttpRequest, code: str, year: int) -> HttpResponse:
    place = assessment_selectors.assessment_place(request.user, code, year)
    if place.role == "colead":
        raise PermissionDenied  # co-leads read the task force's exports, not an office's
    try:
        with tell_if_held(request):
            job, created = services.export_request(
                user=request.user,
                kind=ExportJob.Kind.OFFICE_SUMMARY,
                cycle=place.cycle,
                office=place.office,
            )
    except services.NothingSubmitted:
        raise Http404 from None  # a summary is of a submission
    return _started(request, job, created)


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_for(request.user, pk)
    return render(request, "exports/job.html", {"job": job})


def _status(job: ExportJob) -> dict:
    return {
        "state": job.state,
        "state_label": job.get_state_display(),
        "progress": job.progress,
        "step": job.step,
        "error": job.error,
        "download": reverse("export_job_download", args=[job.pk])
        if job.state == ExportJob.State.DONE
        else None,
    }


@login_required
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """Polled by the job page while the export runs."""
    return JsonResponse(_status(selectors.job_for(request.user, pk)))


@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = selectors.job_for(request.user, pk)
    if job.state != ExportJob.State.DONE or not job.file:
        raise Http404
    services.export_downloaded(job=job, user=request.user)
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=job.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_for(request.user, pk)
    with tell_if_held(request):
        job, retried = services.export_retry(job=job, user=request.user)
    if not retried and job.pk != pk:
        messages.info(request, _("The same export was started again since: here it is."))
    return redirect("export_job", pk=job.pk)
