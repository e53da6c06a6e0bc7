"""An office's roadmap over the API: the same access (``roadmap_place``), rules, version
check and history as the pages; the roadmap's version as ETag / If-Match."""

import re

from django.contrib.auth.decorators import login_not_required
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from portal.api.conditions import if_match, if_match_parameter
from portal.api.docs import detail, errors
from roadmap import selectors, services
from roadmap.models import REASON_MAX_LENGTH, TEXT_MAX_LENGTH, RoadmapAction


class CarriedFromSerializer(serializers.Serializer):
    recommendation = serializers.IntegerField()
    framework = serializers.CharField()


class LinkedPracticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    available = serializers.BooleanField(
        help_text="Whether you may open it; if not (withdrawn, or not shared with you), its "
        "office and title are null."
    )
    office = serializers.CharField(allow_null=True, help_text="ST.3 code of its office.")
    title = serializers.CharField(allow_null=True)


class RoadmapActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    recommendation = serializers.IntegerField(help_text="The recommendation's number.")
    framework = serializers.CharField(
        help_text="The version of the framework the recommendation belongs to: the roadmap's "
        "own, or an older one for an action kept on a recommendation of an older version "
        "(done, dropped, or of a retired recommendation)."
    )
    carried_from = CarriedFromSerializer(
        allow_null=True,
        help_text="The recommendation of an older version the action was planned for, when "
        "the crosswalk carried it to this one.",
    )
    recommended_action = serializers.IntegerField(
        allow_null=True,
        help_text="The position of the recommended action chosen, or null for the office's own.",
    )
    text = serializers.CharField(allow_blank=True)
    responsible_unit = serializers.CharField()
    due_on = serializers.DateField()
    status = serializers.ChoiceField(choices=RoadmapAction.Status.choices)
    drop_reason = serializers.CharField(allow_blank=True)
    done_on = serializers.DateField(allow_null=True, help_text="Set when it was marked done.")
    practices = LinkedPracticeSerializer(
        many=True, help_text="Practices of the catalogue the action draws on."
    )
    version = serializers.IntegerField()


class RoadmapActionWriteSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, allow_null=True, help_text="An existing action's id; absent to add one."
    )
    recommendation = serializers.IntegerField(min_value=1, max_value=10)
    framework = serializers.CharField(
        required=False,
        max_length=20,
        help_text="The version of the framework the recommendation belongs to; absent: the "
        "action's own for an existing action, the roadmap's for a new one. An action of an "
        "older version is addressed as it is read; new actions go to the roadmap's version.",
    )
    recommended_action = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    text = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH)
    responsible_unit = serializers.CharField(max_length=200)
    due_on = serializers.DateField()
    status = serializers.ChoiceField(choices=RoadmapAction.Status.choices)
    drop_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=REASON_MAX_LENGTH
    )
    practices = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=50,
        help_text="Ids of the practices it draws on: your office's own, or other offices' "
        "published ones. Absent: unchanged (none for a new action). A practice withdrawn "
        "since it was linked may be sent back and stays linked.",
    )


class GapSerializer(serializers.Serializer):
    recommendation = serializers.IntegerField()
    current = serializers.IntegerField(allow_null=True)
    target = serializers.IntegerField(allow_null=True)


class ShareSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    of = serializers.IntegerField()
    percent = serializers.IntegerField(allow_null=True)


class RoadmapSerializer(serializers.Serializer):
    office = serializers.CharField(help_text="ST.3 code")
    version = serializers.IntegerField(
        help_text="Send it back in If-Match with a PUT; also the ETag header."
    )
    editable = serializers.BooleanField(help_text="Whether you may change it.")
    based_on = serializers.IntegerField(
        allow_null=True, help_text="The year of the submission whose levels it starts from."
    )
    framework = serializers.CharField(allow_null=True)
    gaps = GapSerializer(many=True, help_text="Recommendations whose target is above the level.")
    done_by_due_date = ShareSerializer(
        help_text="Actions done by their due date, of those done or past due (dropped ones "
        "and open ones not due yet are not counted)."
    )
    actions = RoadmapActionSerializer(many=True)


class RoadmapUpdateSerializer(serializers.Serializer):
    actions = RoadmapActionWriteSerializer(
        many=True,
        help_text="The whole roadmap: items with an id change that action, items without one "
        "are added, actions left out are removed. Each change is recorded in the history.",
    )


IF_MATCH = if_match_parameter('The roadmap\'s version you read (its ETag, e.g. "7").')


def _if_match(request) -> int:
    version = if_match(request, '"7"')
    if not re.fullmatch(r"\d{1,9}", version):
        raise ValidationError({"If-Match": _('It must be the roadmap\'s version, e.g. "7".')})
    return int(version)


def _represent(place, user, basis=None) -> Response:
    roadmap = place.roadmap
    basis = basis or selectors.roadmap_basis(place.office)
    share = selectors.done_by_due_date(roadmap)
    version = roadmap.version if roadmap else 0
    data = {
        "office": place.office.code,
        "version": version,
        "editable": place.can_edit,
        "based_on": basis.year,
        "framework": basis.framework.version if basis.framework else None,
        "gaps": [
            {"recommendation": number, "current": current, "target": target}
            for number, (current, target) in sorted(basis.levels.items())
            if selectors.has_gap(current, target)
        ],
        "done_by_due_date": {"count": share.count, "of": share.of, "percent": share.percent},
        "actions": [
            {
                "id": action.pk,
                "recommendation": action.recommendation.number,
                "framework": action.recommendation.framework.version,
                "carried_from": {
                    "recommendation": action.carried_from.number,
                    "framework": action.carried_from.framework.version,
                }
                if action.carried_from
                else None,
                "recommended_action": action.recommended_action.position
                if action.recommended_action
                else None,
                "text": action.text,
                "responsible_unit": action.responsible_unit,
                "due_on": action.due_on,
                "status": action.status,
                "drop_reason": action.drop_reason,
                "done_on": action.done_on,
                "practices": [
                    {
                        "id": link.pk,
                        "available": link.available,
                        "office": link.practice.office.code if link.available else None,
                        "title": link.practice.title if link.available else None,
                    }
                    for link in action.links
                ],
                "version": action.version,
            }
            for action in selectors.actions_of(roadmap, user)
        ],
    }
    response = Response(RoadmapSerializer(data).data)
    response["ETag"] = f'"{version}"'
    return response


def _resolve(items: list[dict], framework, roadmap) -> list[dict]:
    """Numbers and positions to the framework's rows; unknown ones are refused by position.
    An item naming an older framework version must be an action of the roadmap planned for
    that recommendation (it is read back as it is kept); new actions go to ``framework``."""
    recommendations = {
        (framework.version, r.number): r
        for r in framework.recommendations.prefetch_related("actions")
    }
    kept = {}
    if roadmap is not None:
        kept = {
            action.pk: action.recommendation
            for action in roadmap.actions.exclude(recommendation__framework=framework)
            .select_related("recommendation__framework")
            .prefetch_related("recommendation__actions")
        }
    for recommendation in kept.values():
        recommendations[(recommendation.framework.version, recommendation.number)] = recommendation
    resolved, problems = [], {}
    for index, item in enumerate(items):
        # Absent: the action's own version (a client that ignores versions sends back what it
        # read unchanged), the roadmap's for a new action.
        own = kept.get(item.get("id"))
        version = item.get("framework") or (own.framework.version if own else framework.version)
        recommendation = recommendations.get((version, item["recommendation"]))
        if recommendation is None:
            problems[str(index)] = {"recommendation": [_("No such recommendation.")]}
            continue
        if version != framework.version and kept.get(item.get("id")) != recommendation:
            problems[str(index)] = {
                "framework": [
                    _("Plan new actions for the recommendations of the %(version)s framework.")
                    # Plain: a JSON client lays the message out itself.
                    % {"version": framework.version}
                ]
            }
            continue
        values = {**item, "recommendation": recommendation}
        if "recommended_action" in item:
            position = item["recommended_action"]
            chosen = None
            if position is not None:
                chosen = next(
                    (a for a in recommendation.actions.all() if a.position == position), None
                )
                if chosen is None:
                    problems[str(index)] = {
                        "recommended_action": [_("No such recommended action.")]
                    }
                    continue
            values["recommended_action"] = chosen
        resolved.append(values)
    if problems:
        raise ValidationError({"actions": problems})
    return resolved


@extend_schema(
    methods=["GET"],
    operation_id="roadmap_retrieve",
    tags=["roadmaps"],
    summary="An office's roadmap",
    description="The office's people read their own; co-leads and the secretariat read every "
    "office's. The ETag header is the version.",
    responses={200: RoadmapSerializer, **errors(401, 404)},
)
@extend_schema(
    methods=["PUT"],
    operation_id="roadmap_update",
    tags=["roadmaps"],
    summary="Replace your office's roadmap (respondents)",
    description="Validated as the pages validate; every change is recorded in the history. "
    "Send the version you read in If-Match: a stale version gets 412 and nothing is written.",
    parameters=[IF_MATCH],
    request=RoadmapUpdateSerializer,
    responses={
        200: RoadmapSerializer,
        412: OpenApiResponse(description="Someone changed the roadmap since your version."),
        **errors(400, 401, 403, 404, 428),
    },
)
@login_not_required
@api_view(["GET", "PUT"])
def roadmap_detail(request, code: str):
    place = selectors.roadmap_place(request.user, code)
    if request.method == "GET":
        return _represent(place, request.user)
    if not place.can_edit:
        raise PermissionDenied(_("You can read this roadmap, not change it."))
    base_version = _if_match(request)
    serializer = RoadmapUpdateSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    basis = selectors.roadmap_basis(place.office)
    items = _resolve(serializer.validated_data["actions"], basis.framework, place.roadmap)
    try:
        roadmap = services.roadmap_replace(
            office=place.office, user=request.user, base_version=base_version, actions=items
        )
    except services.StaleVersion as stale:
        response = Response(
            {
                **detail(_("Someone changed this roadmap since your version; read it again.")),
                "version": stale.current.version,
            },
            status=status.HTTP_412_PRECONDITION_FAILED,
        )
        response["ETag"] = f'"{stale.current.version}"'
        return response
    except services.InvalidActions as invalid:
        raise ValidationError({"actions": invalid.problems}) from invalid
    # The person's role and the roadmap's basis (its levels and framework) are those the
    # change was checked against; only the roadmap itself is new.
    place.roadmap = roadmap
    return _represent(place, request.user, basis)
