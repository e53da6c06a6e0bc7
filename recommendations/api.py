from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from portal.api.docs import errors
from recommendations.models import Framework, Recommendation


class LevelSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    name = serializers.CharField()
    descriptor = serializers.CharField()


class ActionSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    text = serializers.CharField()


class RecommendationSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    short_title = serializers.CharField()
    statement = serializers.CharField()
    gist = serializers.CharField()
    actions = ActionSerializer(many=True)
    levels = LevelSerializer(many=True)


class FrameworkSummarySerializer(serializers.Serializer):
    version = serializers.CharField()
    title = serializers.CharField()
    document_symbol = serializers.CharField()
    adopted_on = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=Framework.Status.choices)


class FrameworkSerializer(FrameworkSummarySerializer):
    recommendations = RecommendationSerializer(many=True)


@extend_schema(
    operation_id="frameworks_list",
    tags=["frameworks"],
    summary="The framework versions",
    responses={200: FrameworkSummarySerializer(many=True), **errors(401)},
)
@login_not_required
@api_view(["GET"])
def framework_list(request):
    frameworks = Framework.objects.order_by("-version")
    return Response(FrameworkSummarySerializer(frameworks, many=True).data)


@extend_schema(
    operation_id="frameworks_retrieve",
    tags=["frameworks"],
    summary="One framework: its recommendations, actions and maturity levels",
    responses={200: FrameworkSerializer, **errors(401, 404)},
)
@login_not_required
@api_view(["GET"])
def framework_detail(request, version: str):
    framework = get_object_or_404(
        Framework.objects.prefetch_related(
            Prefetch(
                "recommendations",
                Recommendation.objects.order_by("number").prefetch_related("actions", "levels"),
            )
        ),
        version=version,
    )
    return Response(FrameworkSerializer(framework).data)
