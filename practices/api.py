"""The peer-learning API: the same rules as the pages (``practices.selectors``,
``practices.matching``, ``practices.services``), the same refusals."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from portal.api.conditions import if_match, if_match_parameter
from portal.api.docs import detail, errors
from portal.offices.models import Office
from portal.permissions import office_role
from practices import matching, selectors, services
from practices.models import ContactRequest, Openness, PeerProfile, Practice
from recommendations.models import RECOMMENDATION_COUNT


class OutcomeSerializer(serializers.Serializer):
    indicator = serializers.CharField(max_length=200)
    baseline = serializers.CharField(max_length=60, required=False, allow_blank=True)
    target = serializers.CharField(max_length=60, required=False, allow_blank=True)
    achieved = serializers.CharField(max_length=60, required=False, allow_blank=True)


class PracticeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    office = serializers.CharField(source="office.code", read_only=True)
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=4000)
    recommendations = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=RECOMMENDATION_COUNT),
        min_length=1,
        write_only=True,
    )
    kind = serializers.ChoiceField(choices=Practice.Kind.choices)
    status = serializers.ChoiceField(choices=Practice.Status.choices)
    started_on = serializers.DateField(required=False, allow_null=True)
    ended_on = serializers.DateField(required=False, allow_null=True)
    technologies = serializers.CharField(max_length=300, required=False, allow_blank=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, write_only=True
    )
    lessons = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    links = serializers.ListField(
        child=serializers.URLField(max_length=500), required=False, max_length=10
    )
    outcomes = OutcomeSerializer(many=True, required=False, write_only=True)
    language = serializers.CharField(max_length=10, required=False)
    visibility = serializers.ChoiceField(choices=Practice.Visibility.choices, required=False)
    state = serializers.ChoiceField(choices=Practice.State.choices, read_only=True)
    version = serializers.IntegerField(read_only=True)


class PracticeReadSerializer(PracticeSerializer):
    recommendations = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    outcomes = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_recommendations(self, practice) -> list:
        return [n.number for n in practice.numbers.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, practice) -> list:
        return [t.name for t in practice.tags.all()]

    @extend_schema_field(OutcomeSerializer(many=True))
    def get_outcomes(self, practice) -> list:
        return OutcomeSerializer(practice.outcomes.all(), many=True).data


class PracticePatchSerializer(PracticeSerializer):
    version = serializers.IntegerField(help_text="The version you read: a stale one is refused.")


class PracticeListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = PracticeReadSerializer(many=True)
    facets = serializers.DictField()


class ChoiceSerializer(serializers.Serializer):
    share = serializers.BooleanField()
    joint = serializers.BooleanField()


class OpennessSerializer(serializers.Serializer):
    recommendations = serializers.DictField(child=ChoiceSerializer())
    languages = serializers.ListField(child=serializers.CharField(), required=False)


class MatchSerializer(serializers.Serializer):
    office = serializers.CharField()
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())
    practices = serializers.ListField(child=serializers.IntegerField())


class PartnersSerializer(serializers.Serializer):
    recommendation = serializers.IntegerField()
    purpose = serializers.ChoiceField(choices=ContactRequest.Purpose.choices)
    matches = MatchSerializer(many=True)


def _service_values(data: dict) -> dict:
    values = dict(data)
    values.pop("version", None)
    if "recommendations" in values:
        values["numbers"] = values.pop("recommendations")
    return values


FILTERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Words, all of which must occur."),
    OpenApiParameter("recommendation", OpenApiTypes.INT),
    OpenApiParameter("region", OpenApiTypes.STR),
    OpenApiParameter("office_type", OpenApiTypes.STR),
    OpenApiParameter("status", OpenApiTypes.STR),
    OpenApiParameter("kind", OpenApiTypes.STR),
    OpenApiParameter("tag", OpenApiTypes.STR),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=["relevance", "recent"]),
    OpenApiParameter("office", OpenApiTypes.STR, description="On POST: your office's code."),
]


@extend_schema(
    methods=["GET"],
    operation_id="practices_list",
    tags=["practices"],
    summary="Search the practice catalogue",
    parameters=FILTERS,
    responses={200: PracticeListSerializer, **errors(401)},
)
@extend_schema(
    methods=["POST"],
    operation_id="practices_create",
    tags=["practices"],
    summary="Describe a practice of your office, as a draft (respondents)",
    parameters=[OpenApiParameter("office", OpenApiTypes.STR, required=True)],
    request=PracticeSerializer,
    responses={201: PracticeReadSerializer, **errors(400, 401, 404)},
)
@login_not_required
@api_view(["GET", "POST"])
def practice_list(request):
    if request.method == "POST":
        office, _role = office_role(
            request.user, request.query_params.get("office", ""), allowed=("respondent",)
        )
        serializer = PracticeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            practice = services.practice_create(
                office=office, user=request.user, **_service_values(serializer.validated_data)
            )
        except ValidationError as error:
            return Response({"errors": error.message_dict}, status=status.HTTP_400_BAD_REQUEST)
        return Response(PracticeReadSerializer(practice).data, status=status.HTTP_201_CREATED)
    params = request.query_params
    try:
        number = int(params.get("recommendation") or 0) or None
        offset = max(int(params.get("offset") or 0), 0)
    except ValueError:
        number, offset = None, 0
    result = selectors.catalogue(
        request.user,
        selectors.Filters(
            q=params.get("q", "")[:200],
            number=number,
            region=params.get("region", ""),
            office_type=params.get("office_type", ""),
            status=params.get("status", ""),
            kind=params.get("kind", ""),
            tag=params.get("tag", ""),
            sort=params.get("sort", "relevance"),
        ),
        limit=50,
        offset=offset,
    )
    return Response(
        {
            "count": result.total,
            "results": PracticeReadSerializer(result.practices, many=True).data,
            "facets": {k: {str(key): n for key, n in v.items()} for k, v in result.facets.items()},
        }
    )


@extend_schema(
    methods=["GET"],
    operation_id="practices_retrieve",
    tags=["practices"],
    summary="One practice",
    responses={200: PracticeReadSerializer, **errors(401, 404)},
)
@extend_schema(
    methods=["PATCH"],
    operation_id="practices_partial_update",
    tags=["practices"],
    summary="Change your office's practice (respondents); send the version you read",
    request=PracticePatchSerializer,
    responses={200: PracticeReadSerializer, 409: PracticeReadSerializer, **errors(400, 401, 404)},
)
@login_not_required
@api_view(["GET", "PATCH"])
def practice_detail(request, pk: int):
    practice = selectors.practice_for(request.user, pk)
    if practice is None:
        raise Http404
    if request.method == "GET":
        return Response(PracticeReadSerializer(practice).data)
    if not selectors.may_edit(request.user, practice):
        raise Http404
    serializer = PracticePatchSerializer(data=request.data, partial=True)
    serializer.is_valid(raise_exception=True)
    if "version" not in serializer.validated_data:
        return Response(detail("Send the version you read."), status=status.HTTP_400_BAD_REQUEST)
    try:
        practice = services.practice_update(
            practice=practice,
            user=request.user,
            version=serializer.validated_data["version"],
            **_service_values(serializer.validated_data),
        )
    except services.StalePractice as stale:
        # The stored entry, so that the client can merge and send again.
        fresh = selectors.practice_for(request.user, stale.practice.pk)
        return Response(PracticeReadSerializer(fresh).data, status=status.HTTP_409_CONFLICT)
    except ValidationError as error:
        return Response({"errors": error.message_dict}, status=status.HTTP_400_BAD_REQUEST)
    return Response(PracticeReadSerializer(selectors.practice_for(request.user, practice.pk)).data)


OPENNESS_IF_MATCH = if_match_parameter("The ETag of the openness you read.")


@extend_schema(
    methods=["GET"],
    operation_id="offices_openness_retrieve",
    tags=["practices"],
    summary="Where your office is open to be contacted",
    responses={200: OpennessSerializer, **errors(401, 404)},
)
@extend_schema(
    methods=["PUT"],
    operation_id="offices_openness_update",
    tags=["practices"],
    summary="Open or close your office per recommendation (respondents); at once",
    description="Send the ETag you read in If-Match: if a colleague changed the office's "
    "openness since, you get 412 and nothing is written, so that a stale client never reopens "
    "a consent they withdrew.",
    parameters=[OPENNESS_IF_MATCH],
    request=OpennessSerializer,
    responses={
        200: OpennessSerializer,
        412: OpenApiResponse(description="A colleague changed it since you read it."),
        **errors(400, 401, 403, 404, 428),
    },
)
@login_not_required
@api_view(["GET", "PUT"])
def openness(request, code: str):
    office, _role = office_role(request.user, code, allowed=selectors.OWN_PEOPLE)
    if request.method == "PUT":
        seen = if_match(request, '"3f2a9c0d1b7e4a65"')
        if seen == "*":  # any current version (RFC 9110): the client overwrites knowingly
            seen = None
        serializer = OpennessSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        choices = {}
        for key, choice in serializer.validated_data["recommendations"].items():
            if not key.isdigit() or not 1 <= int(key) <= RECOMMENDATION_COUNT:
                return Response(
                    {"errors": {"recommendations": [f"{key}: not a recommendation number"]}},
                    status=status.HTTP_400_BAD_REQUEST,
                )
            choices[int(key)] = choice
        try:
            services.openness_set(
                office=office,
                user=request.user,
                choices=choices,
                languages=serializer.validated_data.get("languages"),
                seen=seen,
            )
        except PermissionDenied:
            return Response(detail("Only the office's respondents change this."), status=403)
        except services.StaleOpenness:
            response = Response(
                detail(_("A colleague changed this since you read it; read it again.")),
                status=status.HTTP_412_PRECONDITION_FAILED,
            )
            rows, languages = _stored_openness(office)
            response["ETag"] = f'"{services.openness_stamp(rows, languages)}"'
            return response
    rows, languages = _stored_openness(office)
    response = Response(
        {
            "recommendations": {
                str(row.number): {"share": row.share, "joint": row.joint} for row in rows
            },
            "languages": languages,
        }
    )
    response["ETag"] = f'"{services.openness_stamp(rows, languages)}"'
    return response


def _stored_openness(office: Office) -> tuple[list[Openness], list[str]]:
    """The office's openness rows and languages as stored now, read once for both the body
    and its ETag."""
    rows = list(Openness.objects.filter(office=office))
    languages = (
        PeerProfile.objects.filter(office=office).values_list("languages", flat=True).first()
    )
    return rows, languages or []


@extend_schema(
    operation_id="offices_partners",
    tags=["practices"],
    summary="Partner offices for a recommendation, best first, with the reasons",
    parameters=[
        OpenApiParameter(
            "recommendation",
            OpenApiTypes.INT,
            description="Default: the office's largest gap between target and level.",
        ),
        OpenApiParameter("purpose", OpenApiTypes.STR, enum=["share", "joint"]),
    ],
    responses={200: PartnersSerializer, **errors(400, 401, 404)},
)
@login_not_required
@api_view(["GET"])
def partners(request, code: str):
    office, _role = office_role(request.user, code, allowed=selectors.OWN_PEOPLE)
    raw = request.query_params.get("recommendation")
    if raw is None:
        # Without one, the first the office would be proposed: its largest gap or challenge.
        proposed = matching.proposed_numbers(matching.own_levels(office))
        raw = str(proposed[0] if proposed else 1)
    try:
        number = int(raw)
    except ValueError:
        number = 0
    purpose = request.query_params.get("purpose", "share")
    if not 1 <= number <= RECOMMENDATION_COUNT or purpose not in ContactRequest.Purpose.values:
        return Response(
            {"errors": {"recommendation": ["1 to 10"], "purpose": ["share or joint"]}},
            status=status.HTTP_400_BAD_REQUEST,
        )
    matches = matching.partners(seeker=office, number=number, purpose=purpose, user=request.user)
    return Response(
        {
            "recommendation": number,
            "purpose": purpose,
            "matches": [
                {
                    "office": m.office.code,
                    "score": m.score,
                    "reasons": [str(r) for r in m.reasons],
                    "practices": [p.pk for p in m.practices],
                }
                for m in matches
            ],
        }
    )
