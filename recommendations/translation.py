"""The framework's translated fields (django-modeltranslation): one column per language."""

from modeltranslation.translator import TranslationOptions, register

from recommendations.models import (
    Framework,
    MaturityLevel,
    QuestionLabel,
    Recommendation,
    RecommendedAction,
)


def _options(model) -> type[TranslationOptions]:
    # Each model names its translated fields once (``translated_fields``): the freeze rule
    # and the import read the same list.
    return type(
        f"{model.__name__}Translation", (TranslationOptions,), {"fields": model.translated_fields}
    )


for _model in (Framework, Recommendation, RecommendedAction, MaturityLevel, QuestionLabel):
    register(_model)(_options(_model))
