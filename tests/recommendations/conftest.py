"""The tests of translations start from the English source alone: the migrations load the
working translations shipped with the portal, and these tests say which translation exists."""

import pytest
from django.utils import timezone

from recommendations.models import (
    Framework,
    FrameworkTranslation,
    MaturityLevel,
    QuestionLabel,
    Recommendation,
    RecommendedAction,
)

OTHER_LANGUAGES = ("ar", "zh_hans", "fr", "ru", "es")


@pytest.fixture(autouse=True)
def english_source_only(db):
    for model in (Framework, Recommendation, RecommendedAction, MaturityLevel, QuestionLabel):
        blank = {
            f"{name}_{language}": None
            for name in model.translated_fields
            for language in OTHER_LANGUAGES
        }
        # update() leaves save()'s freeze rule alone: this is set-up.
        model.objects.update(**blank)
    # A new stamp, so that no wording read by an earlier test (in any language) is served
    # from the cache as if the translations were still there.
    Framework.objects.update(updated_at=timezone.now())
    FrameworkTranslation.objects.all().delete()
