"""The assessment over the API: the same rules, validation, version check and history as the
web form (``assessments/views.py``), with the version as ETag / If-Match."""

import re

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response

from assessments import questionnaire as q
from assessments import selectors, services
from assessments.forms import AnswersForm
from assessments.models import (
    COMMENT_MAX_LENGTH,
    LONG_TEXT_MAX_LENGTH,
    Answer,
    Assessment,
    Cycle,
    cycle_date_problems,
)
from assessments.notifications import cycle_create, cycle_update
from portal.api.docs import detail, errors
from portal.offices.models import Office
from portal.permissions import is_secretariat, reads_all_submissions
from recommendations.models import Framework


# --- Cycles ---------------------------------------------------------------------------------
class CycleSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    framework = serializers.CharField(source="framework.version")
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    state = serializers.ChoiceField(choices=Cycle.State.choices)


class CycleCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2999)
    framework = serializers.SlugRelatedField(
        slug_field="version", queryset=Framework.objects.filter(status=Framework.Status.ACTIVE)
    )
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    offices = serializers.ListField(
        child=serializers.CharField(max_length=2),
        required=False,
        default=list,
        help_text="ST.3 codes of the offices to invite now; more can be invited later.",
    )

    def validate_year(self, year):
        if Cycle.objects.filter(year=year).exists():
            raise serializers.ValidationError(
                _("There is a %(year)s cycle already.") % {"year": year}
            )
        return year

    def validate_offices(self, codes):
        codes = sorted({code.upper() for code in codes})
        found = {o.code: o for o in Office.objects.filter(code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown offices: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return list(found.values())

    def validate(self, data):
        problems = cycle_date_problems(data["year"], data["opens_on"], data["closes_on"])
        if problems:
            raise serializers.ValidationError(problems)
        return data


class CycleDatesSerializer(serializers.Serializer):
    opens_on = serializers.DateField(required=False)
    closes_on = serializers.DateField(required=False)


def _cycles_for(user):
    cycles = Cycle.objects.select_related("framework").order_by("-year")
    if reads_all_submissions(user):
        return cycles
    return cycles.filter(invitations__office__memberships__user=user).distinct()


@extend_schema(
    methods=["GET"],
    operation_id="cycles_list",
    tags=["cycles"],
    summary="The cycles: all for the task force, your office's for an office",
    responses={200: CycleSerializer(many=True), **errors(401)},
)
@extend_schema(
    methods=["POST"],
    operation_id="cycles_create",
    tags=["cycles"],
    summary="Open a new cycle and invite offices (secretariat)",
    request=CycleCreateSerializer,
    responses={201: CycleSerializer, **errors(400, 401, 403)},
)
@login_not_required
@api_view(["GET", "POST"])
def cycle_list(request):
    if request.method == "GET":
        return Response(CycleSerializer(_cycles_for(request.user), many=True).data)
    if not is_secretariat(request.user):
        raise PermissionDenied(_("Only the secretariat opens cycles."))
    serializer = CycleCreateSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    cycle = cycle_create(
        year=data["year"],
        framework=data["framework"],
        opens_on=data["opens_on"],
        closes_on=data["closes_on"],
        offices=data["offices"],
        user=request.user,
    )
    return Response(CycleSerializer(cycle).data, status=status.HTTP_201_CREATED)


@extend_schema(
    methods=["GET"],
    operation_id="cycles_retrieve",
    tags=["cycles"],
    summary="One cycle",
    responses={200: CycleSerializer, **errors(401, 404)},
)
@extend_schema(
    methods=["PATCH"],
    operation_id="cycles_partial_update",
    tags=["cycles"],
    summary="Move a cycle's dates (secretariat)",
    request=CycleDatesSerializer,
    responses={200: CycleSerializer, **errors(400, 401, 403, 404)},
)
@login_not_required
@api_view(["GET", "PATCH"])
def cycle_detail(request, year: int):
    cycle = get_object_or_404(_cycles_for(request.user), year=year)
    if request.method == "GET":
        return Response(CycleSerializer(cycle).data)
    if not is_secretariat(request.user):
        raise PermissionDenied(_("Only the secretariat changes cycles."))
    serializer = CycleDatesSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    try:
        cycle = cycle_update(cycle=cycle, user=request.user, **serializer.validated_data)
    except DjangoValidationError as invalid:
        raise ValidationError(invalid.message_dict) from invalid
    return Response(CycleSerializer(cycle).data)


# --- Assessments ----------------------------------------------------------------------------
def _answer_field(question: q.Question, *, write: bool) -> serializers.Field:
    optional = {"required": False} if write else {}
    if question.kind == "choice":
        # Blank is "not answered".
        return serializers.ChoiceField(choices=Answer.Status.choices, allow_blank=True, **optional)
    if question.kind == "level":
        return serializers.IntegerField(min_value=1, max_value=5, allow_null=True, **optional)
    if question.kind == "flag":
        # Null is "not asked" (older surveys); a write answers the question.
        return (
            serializers.BooleanField(**optional)
            if write
            else serializers.BooleanField(allow_null=True)
        )
    if question.kind == "private":
        return serializers.BooleanField(**optional)
    if question.kind == "url":
        return serializers.CharField(allow_blank=True, max_length=question.max_length, **optional)
    return serializers.CharField(allow_blank=True, max_length=COMMENT_MAX_LENGTH, **optional)


def _answer_serializer(name: str, *, write: bool) -> type[serializers.Serializer]:
    fields = {"recommendation": serializers.IntegerField(min_value=1, max_value=10)}
    fields |= {
        question.name: _answer_field(question, write=write) for question in q.PER_RECOMMENDATION
    }
    return type(name, (serializers.Serializer,), fields)


AnswerSerializer = _answer_serializer("AnswerSerializer", write=False)
AnswerUpdateSerializer = _answer_serializer("AnswerUpdateSerializer", write=True)


def _overall_fields(*, write: bool) -> dict:
    optional = {"required": False} if write else {}
    return {
        question.name: serializers.BooleanField(**optional)
        if question.kind == "private"
        else serializers.CharField(allow_blank=True, max_length=LONG_TEXT_MAX_LENGTH, **optional)
        for question in q.OVERALL
    }


AssessmentSerializer = type(
    "AssessmentSerializer",
    (serializers.Serializer,),
    {
        "office": serializers.CharField(help_text="ST.3 code"),
        "year": serializers.IntegerField(),
        "status": serializers.ChoiceField(choices=Assessment.Status.choices),
        "version": serializers.IntegerField(
            help_text="Send it back in If-Match with any change; also the ETag header."
        ),
        "editable": serializers.BooleanField(help_text="Whether you may change it now."),
        "submitted_at": serializers.DateTimeField(allow_null=True),
        "being_revised": serializers.BooleanField(
            help_text="The secretariat reopened this submission and the office is revising it. "
            "Co-leads then read the version last submitted (its status, version and answers), "
            "never the work in progress."
        ),
        "answers": AnswerSerializer(many=True),
        **_overall_fields(write=False),
    },
)
AssessmentUpdateSerializer = type(
    "AssessmentUpdateSerializer",
    (serializers.Serializer,),
    {
        "answers": AnswerUpdateSerializer(
            many=True,
            required=False,
            help_text="Only the answers and fields you send change; the others stay.",
        ),
        **_overall_fields(write=True),
    },
)
StaleSerializer = type(
    "Stale",
    (serializers.Serializer,),
    {
        "detail": serializers.CharField(),
        "version": serializers.IntegerField(help_text="The current version."),
        "changes": serializers.ListField(child=serializers.DictField()),
    },
)
StartSerializer = type(
    "AssessmentStart",
    (serializers.Serializer,),
    {
        "from_last_year": serializers.BooleanField(
            default=False, help_text="Fill the new draft from last year's submission."
        )
    },
)

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description='The version you read (its ETag, e.g. "7").',
)
STALE = OpenApiResponse(
    StaleSerializer, description="Someone changed the assessment since your version."
)


def _place(request, code: str, year: int):
    return selectors.assessment_place(request.user, code, year)


def _represent(place) -> Response:
    assessment = selectors.with_answers(place.assessment)
    answers = [
        {
            "recommendation": answer.recommendation.number,
            **{question.name: getattr(answer, question.name) for question in q.PER_RECOMMENDATION},
        }
        for answer in assessment.answers.all()
    ]
    data = {
        "office": place.office.code,
        "year": place.cycle.year,
        "status": assessment.status,
        "version": assessment.version,
        "editable": place.can_edit and not assessment.editing_block_reason(),
        "submitted_at": assessment.submitted_at,
        "being_revised": assessment.submitted_at is not None
        and (getattr(assessment, "being_revised", False) or assessment.status != "submitted"),
        "answers": answers,
        **{question.name: getattr(assessment, question.name) for question in q.OVERALL},
    }
    response = Response(AssessmentSerializer(data).data)
    response["ETag"] = f'"{assessment.version}"'
    return response


class PreconditionRequired(APIException):
    status_code = 428
    default_code = "precondition_required"


def _if_match(request) -> int:
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired(
            _('Send the version you read in an If-Match header, e.g. If-Match: "7".')
        )
    match = re.fullmatch(r'(?:W/)?"?(\d{1,9})"?', header)
    if not match:
        raise ValidationError({"If-Match": _('It must be the assessment\'s version, e.g. "7".')})
    return int(match.group(1))


def _editable_place(request, code: str, year: int):
    place = _place(request, code, year)
    if not place.can_edit:
        raise PermissionDenied(_("You can read this assessment, not change it."))
    if place.assessment is None:
        raise Http404
    return place


def _stale(stale: services.StaleVersion) -> Response:
    response = Response(
        {
            **detail(_("Someone changed this assessment since your version; read it again.")),
            "version": stale.current_version,
            "changes": [
                {"field": key, "by": str(change["user"] or ""), "value": change["current"]}
                for key, change in stale.changes.items()
            ],
        },
        status=status.HTTP_412_PRECONDITION_FAILED,
    )
    response["ETag"] = f'"{stale.current_version}"'
    return response


def _form_data(validated: dict, version: int) -> tuple[dict, dict]:
    """The answers as the web form posts them, and where each came from in the request."""
    data, places = {"version": str(version)}, {}
    for index, answer in enumerate(validated.get("answers", [])):
        number = answer["recommendation"]
        for name, value in answer.items():
            if name == "recommendation":
                continue
            key = q.key(number, name)
            if key in data:
                raise ValidationError(
                    {
                        "answers": {
                            str(index): _("Recommendation %(n)s is sent twice.") % {"n": number}
                        }
                    }
                )
            data[key] = _as_posted(value)
            places[key] = ("answers", str(index), name)
    for question in q.OVERALL:
        if question.name in validated:
            data[question.name] = _as_posted(validated[question.name])
            places[question.name] = (question.name,)
    return data, places


def _as_posted(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _form_errors(form: AnswersForm, places: dict) -> dict:
    found: dict = {}
    for key, messages in form.errors.items():
        if key == "__all__":
            found.setdefault("non_field_errors", []).extend(messages)
            continue
        place = places.get(key, (key,))
        if place[0] == "answers":
            found.setdefault("answers", {}).setdefault(place[1], {})[place[2]] = messages
        else:
            found[place[0]] = messages
    return found


@extend_schema(
    methods=["GET"],
    operation_id="assessments_retrieve",
    tags=["assessments"],
    summary="An office's assessment of a cycle",
    description="Office members read their own; co-leads read submissions; the secretariat "
    "reads all. The ETag header is the version.",
    responses={200: AssessmentSerializer, **errors(401, 404)},
)
@extend_schema(
    methods=["PATCH"],
    operation_id="assessments_partial_update",
    tags=["assessments"],
    summary="Change answers of your office's draft (respondents)",
    description="Validated as the web form validates; recorded in the history. Send the "
    "version you read in If-Match: a stale version gets 412 and nothing is written.",
    parameters=[IF_MATCH],
    request=AssessmentUpdateSerializer,
    responses={
        200: AssessmentSerializer,
        412: STALE,
        **errors(400, 401, 403, 404, 409, 428),
    },
)
@login_not_required
@api_view(["GET", "PATCH"])
def assessment_detail(request, code: str, year: int):
    if request.method == "GET":
        place = _place(request, code, year)
        if place.assessment is None:
            raise Http404
        return _represent(place)
    place = _editable_place(request, code, year)
    version = _if_match(request)
    serializer = AssessmentUpdateSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data, places = _form_data(serializer.validated_data, version)
    form = AnswersForm(data, numbers=place.numbers, partial=True)
    if not form.is_valid():
        raise ValidationError(_form_errors(form, places))
    try:
        services.assessment_save(
            assessment=place.assessment,
            user=request.user,
            base_version=version,
            values=form.answer_values(),
            strict=True,
        )
    except services.StaleVersion as stale:
        return _stale(stale)
    except services.NotEditable as refused:
        return Response(detail(refused.reason), status=status.HTTP_409_CONFLICT)
    return _represent(place)


@extend_schema(
    operation_id="assessments_submit",
    tags=["assessments"],
    summary="Submit your office's draft (respondents)",
    description="Needs a status and a current maturity level for every recommendation; the "
    "answer lists what is missing otherwise.",
    parameters=[IF_MATCH],
    request=None,
    responses={200: AssessmentSerializer, 412: STALE, **errors(400, 401, 403, 404, 409, 428)},
)
@login_not_required
@api_view(["POST"])
def assessment_submit(request, code: str, year: int):
    place = _editable_place(request, code, year)
    version = _if_match(request)
    try:
        services.assessment_submit(
            assessment=place.assessment, user=request.user, base_version=version, strict=True
        )
    except services.StaleVersion as stale:
        return _stale(stale)
    except services.NotEditable as refused:
        return Response(detail(refused.reason), status=status.HTTP_409_CONFLICT)
    except services.Incomplete as incomplete:
        labels = q.labels_for(place.cycle.framework)
        missing = {
            str(number): [str(labels[name]) for name in names]
            for number, names in incomplete.missing.by_recommendation.items()
        }
        return Response(
            {**detail(_("Some answers are missing.")), "errors": {"answers": missing}},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return _represent(place)


@extend_schema(
    operation_id="assessments_start",
    tags=["assessments"],
    summary="Start your office's draft for an open cycle (respondents)",
    request=StartSerializer,
    responses={
        200: OpenApiResponse(AssessmentSerializer, description="It was started already."),
        201: AssessmentSerializer,
        **errors(400, 401, 403, 404, 409),
    },
)
@login_not_required
@api_view(["POST"])
def assessment_start(request, code: str, year: int):
    place = _place(request, code, year)
    if not place.can_edit:
        raise PermissionDenied(_("Only the office's respondents start its assessment."))
    serializer = StartSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    existed = place.assessment is not None
    reason = place.cycle.editing_block_reason()
    if reason and not existed:
        return Response(detail(reason), status=status.HTTP_409_CONFLICT)
    place.assessment = services.assessment_start(
        cycle=place.cycle,
        office=place.office,
        user=request.user,
        from_last_year=serializer.validated_data["from_last_year"],
    )
    response = _represent(place)
    response.status_code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
    return response
