from django.db import transaction

from recommendations.loader import load_framework, read_framework_file
from recommendations.models import Framework, MaturityLevel, Recommendation, RecommendedAction


@transaction.atomic
def framework_copy(*, framework: Framework, version: str, title: str = "") -> Framework:
    """A new draft framework with the wording of ``framework``, ready to edit."""
    copy = Framework.objects.create(
        version=version,
        title=title or framework.title,
        document_symbol=framework.document_symbol,
        adopted_on=None,
        status=Framework.Status.DRAFT,
        source_note=framework.source_note,
        derived_from=framework,
    )
    recommendations = framework.recommendations.prefetch_related("actions", "levels")
    for original in recommendations:
        recommendation = Recommendation.objects.create(
            framework=copy,
            number=original.number,
            short_title=original.short_title,
            statement=original.statement,
            gist=original.gist,
        )
        # bulk_create skips the freeze check in save(): the copy is a fresh draft anyway.
        RecommendedAction.objects.bulk_create(
            RecommendedAction(recommendation=recommendation, position=a.position, text=a.text)
            for a in original.actions.all()
        )
        MaturityLevel.objects.bulk_create(
            MaturityLevel(
                recommendation=recommendation,
                level=lv.level,
                name=lv.name,
                descriptor=lv.descriptor,
            )
            for lv in original.levels.all()
        )
    return copy


def framework_ensure_default() -> Framework:
    """The shipped 2024 framework, loaded again if it is missing (the data migration loads it)."""
    data = read_framework_file()
    existing = Framework.objects.filter(version=data["version"]).first()
    if existing is not None:
        return existing
    return load_framework(
        data,
        status=Framework.Status.ACTIVE,
        models=(Framework, Recommendation, RecommendedAction, MaturityLevel),
    )
