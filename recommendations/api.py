from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from portal.api.docs import errors
from recommendations import crosswalk, wording
from recommendations.models import Framework, FrameworkTranslation, Recommendation
from recommendations.selectors import crosswalk_of


class TranslationSerializer(serializers.Serializer):
    language = serializers.CharField(help_text="A language code: ar, zh-hans, fr, ru or es.")
    kind = serializers.ChoiceField(
        choices=FrameworkTranslation.Kind.choices,
        help_text="official: the committee's published wording; working: made for the portal.",
    )
    note = serializers.CharField()
    loaded_at = serializers.DateTimeField()


class LevelSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    name = serializers.CharField()
    descriptor = serializers.CharField()


class ActionSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    text = serializers.CharField()
    moves_from_level = serializers.IntegerField(
        allow_null=True,
        min_value=1,
        max_value=4,
        help_text="The step of the maturity matrix this action typically moves an office "
        "across: from this level to the next (1 to 4); null when it is not tied to one step. "
        "Guidance: it may change on a framework that assessments were submitted against.",
    )


class RecommendationSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    language = serializers.SerializerMethodField(
        help_text="The language its texts are in: the request's where translated, else en."
    )
    short_title = serializers.CharField()
    statement = serializers.CharField()
    gist = serializers.CharField()
    actions = ActionSerializer(many=True)
    levels = LevelSerializer(many=True)

    def get_language(self, recommendation) -> str:
        return wording.text(recommendation, "statement").lang


class CrosswalkRecommendationSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="The recommendation's number in this version.")
    relation = serializers.ChoiceField(
        choices=list(crosswalk.RELATIONS),
        help_text="same: continues one previous recommendation alone (perhaps renumbered); "
        "merged: continues several; split: its previous one continues into others too; new: "
        "continues none.",
    )
    previous = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="The numbers of the previous version's recommendations it continues.",
    )


class CrosswalkSerializer(serializers.Serializer):
    from_framework = serializers.CharField(help_text="The version this one is derived from.")
    to_framework = serializers.CharField(help_text="This version.")
    composed = serializers.BooleanField(
        help_text="Whether it chains the crosswalks of versions in between (false here)."
    )
    recommendations = CrosswalkRecommendationSerializer(many=True)
    retired = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="The previous version's recommendations that no recommendation continues.",
    )


class FrameworkSummarySerializer(serializers.Serializer):
    version = serializers.CharField()
    title = serializers.CharField()
    document_symbol = serializers.CharField()
    adopted_on = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=Framework.Status.choices)


class FrameworkSerializer(FrameworkSummarySerializer):
    language = serializers.SerializerMethodField(
        help_text="The language asked for (Accept-Language); a text not translated into it is "
        "in the source language, en."
    )
    translations = TranslationSerializer(many=True)
    recommendations = RecommendationSerializer(many=True)
    crosswalk = serializers.SerializerMethodField(
        help_text="How this version continues the one it is derived from, and by which rule "
        "answers, trends and roadmaps are carried across (docs/framework-evolution.md); null "
        "for a first version."
    )

    def get_language(self, framework) -> str:
        return wording.reader_language()

    @extend_schema_field(CrosswalkSerializer(allow_null=True))
    def get_crosswalk(self, framework) -> dict | None:
        walk = crosswalk_of(framework)
        return walk.describe() if walk is not None else None


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
    description=(
        "The texts are in the language of the request's Accept-Language header where the "
        "framework has a translation into it, else in its source language (English); "
        "`translations` says which languages have one, and whether it is the committee's "
        "official wording or a working translation."
    ),
    responses={200: FrameworkSerializer, **errors(401, 404)},
)
@login_not_required
@api_view(["GET"])
def framework_detail(request, version: str):
    framework = get_object_or_404(
        Framework.objects.select_related("derived_from").prefetch_related(
            Prefetch(
                "recommendations",
                Recommendation.objects.order_by("number").prefetch_related("actions", "levels"),
            ),
            "translations",
        ),
        version=version,
    )
    return Response(FrameworkSerializer(framework).data)
