from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from assessments.models import Cycle
from exports import selectors, services
from exports.forms import SYMBOL_MAX_LENGTH, SYMBOL_PATTERN
from exports.models import ExportJob
from portal.api.docs import errors
from portal.offices.models import Office


class ExportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.ChoiceField(choices=ExportJob.Kind.choices)
    year = serializers.IntegerField(source="cycle.year")
    office = serializers.CharField(source="office.code", allow_null=True, default=None)
    parameters = serializers.DictField()
    state = serializers.ChoiceField(choices=ExportJob.State.choices)
    progress = serializers.IntegerField(help_text="Per cent done.")
    step = serializers.CharField()
    error = serializers.CharField()
    requested_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    filename = serializers.CharField()
    size = serializers.IntegerField()
    pages = serializers.IntegerField(allow_null=True)
    answers_hash = serializers.CharField(
        help_text="Hash of the submissions the file was built from."
    )
    download = serializers.SerializerMethodField(help_text="Where to fetch the file once done.")

    def get_download(self, job) -> str | None:
        if job.state != ExportJob.State.DONE:
            return None
        return reverse("api_export_download", args=[job.pk])


class ExportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ExportJob.Kind.choices)
    year = serializers.IntegerField(min_value=2000, max_value=2999)
    office = serializers.CharField(
        required=False, max_length=2, help_text="ST.3 code: for an office summary only."
    )
    symbol = serializers.RegexField(
        SYMBOL_PATTERN,
        max_length=SYMBOL_MAX_LENGTH,
        required=False,
        help_text="Document symbol of an annex, e.g. CWS/14/8.",
    )
    date = serializers.DateField(required=False, help_text="Title-page date of an annex.")
    language = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES],
        required=False,
        help_text="Language of the file; by default the request's (Accept-Language).",
    )

    def validate(self, data):
        kind = data["kind"]
        if kind == ExportJob.Kind.OFFICE_SUMMARY and not data.get("office"):
            raise serializers.ValidationError({"office": _("An office summary needs an office.")})
        if kind != ExportJob.Kind.OFFICE_SUMMARY and data.get("office"):
            raise serializers.ValidationError(
                {"office": _("Only an office summary is about one office.")}
            )
        if kind == ExportJob.Kind.ANNEX and not data.get("symbol"):
            raise serializers.ValidationError({"symbol": _("An annex needs its symbol.")})
        return data


def _job_response(job: ExportJob, code: int = status.HTTP_200_OK) -> Response:
    return Response(ExportJobSerializer(job).data, status=code)


@extend_schema(
    operation_id="exports_create",
    tags=["exports"],
    summary="Start an export, or get the same export already under way",
    description="Annex: secretariat. Data (xlsx, csv, json): co-leads and secretariat. "
    "Office summary: that office's people. Poll the job until its state is done.",
    request=ExportRequestSerializer,
    responses={
        202: OpenApiResponse(ExportJobSerializer, description="Started."),
        200: OpenApiResponse(ExportJobSerializer, description="The same export was running."),
        **errors(400, 401, 403, 404),
    },
)
@login_not_required
@api_view(["POST"])
def export_create(request):
    serializer = ExportRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    cycle = get_object_or_404(Cycle, year=data["year"])
    office = None
    if data["kind"] == ExportJob.Kind.OFFICE_SUMMARY:
        office = get_object_or_404(
            Office.objects.for_user(request.user), code=data["office"].upper()
        )
    parameters = {}
    if data["kind"] == ExportJob.Kind.ANNEX:
        date = data.get("date") or timezone.localdate()
        parameters = {"symbol": data["symbol"].strip(), "date": date.isoformat()}
    if data.get("language"):
        parameters["language"] = data["language"]
    # Refused by the same rules as the pages (portal.permissions.can_export: a 403; a
    # summary of a cycle the office submitted nothing in: a 404).
    try:
        job, created = services.export_request(
            user=request.user, kind=data["kind"], cycle=cycle, office=office, parameters=parameters
        )
    except services.NothingSubmitted:
        raise NotFound(_("The office submitted no assessment in that cycle.")) from None
    job.refresh_from_db()
    return _job_response(job, status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK)


@extend_schema(
    operation_id="exports_retrieve",
    tags=["exports"],
    summary="An export job: its state and progress",
    responses={200: ExportJobSerializer, **errors(401, 404)},
)
@login_not_required
@api_view(["GET"])
def export_detail(request, pk: int):
    return _job_response(selectors.job_for(request.user, pk))


@extend_schema(
    operation_id="exports_download",
    tags=["exports"],
    summary="The file of a finished export",
    responses={
        (200, "application/octet-stream"): OpenApiResponse(
            OpenApiTypes.BINARY, description="The file (PDF, XLSX, CSV or JSON)."
        ),
        **errors(401, 404),
    },
)
@login_not_required
@api_view(["GET"])
def export_download(request, pk: int):
    job = selectors.job_for(request.user, pk)
    if job.state != ExportJob.State.DONE or not job.file:
        raise Http404
    services.export_downloaded(job=job, user=request.user)
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=job.content_type,
    )
