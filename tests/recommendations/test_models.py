import importlib

import pytest
from django.apps import apps as django_apps
from django.db import IntegrityError, transaction

from recommendations.loader import actions_of, read_framework_file
from recommendations.models import (
    Framework,
    FrameworkFrozen,
    MaturityLevel,
    Recommendation,
    RecommendedAction,
)
from recommendations.services import framework_copy
from tests.factories import make_assessment, make_cycle

pytestmark = pytest.mark.django_db


def test_the_default_framework_is_the_2024_set_of_ten(framework):
    assert framework.status == Framework.Status.ACTIVE
    assert framework.document_symbol == "CWS/12/22"
    assert list(framework.recommendations.values_list("number", flat=True)) == list(range(1, 11))
    assert Framework.objects.current() == framework


def test_each_recommendation_has_actions_and_five_levels_of_its_own(framework):
    descriptors = set()
    for recommendation in framework.recommendations.prefetch_related("actions", "levels"):
        assert recommendation.actions.count() >= 3
        levels = list(recommendation.levels.all())
        assert [level.level for level in levels] == [1, 2, 3, 4, 5]
        assert [level.name for level in levels] == [
            "Initial",
            "Developing",
            "Defined",
            "Managed",
            "Optimising",
        ]
        descriptors.update(level.descriptor for level in levels)
    assert len(descriptors) == 50


def test_a_framework_without_submissions_can_be_edited(framework, office):
    make_assessment(make_cycle(2025, offices=[office]), office, submitted=False)
    recommendation = framework.recommendations.get(number=1)
    recommendation.short_title = "Digital first"
    recommendation.save()
    assert framework.recommendations.get(number=1).short_title == "Digital first"
    assert not framework.is_frozen


@pytest.fixture
def frozen(framework, office):
    make_assessment(make_cycle(2025, offices=[office]), office, submitted=True)
    return Framework.objects.get(pk=framework.pk)


def test_a_submission_freezes_the_framework(frozen):
    assert frozen.is_frozen
    assert Framework.objects.with_frozen().get(pk=frozen.pk).frozen


def test_a_frozen_framework_refuses_new_wording(frozen):
    frozen.title = "Something else"
    with pytest.raises(FrameworkFrozen):
        frozen.save()
    recommendation = frozen.recommendations.get(number=4)
    recommendation.statement = "Rewritten"
    with pytest.raises(FrameworkFrozen):
        recommendation.save()
    level = MaturityLevel.objects.get(recommendation=recommendation, level=3)
    level.descriptor = "Rewritten"
    with pytest.raises(FrameworkFrozen):
        level.save()
    with pytest.raises(FrameworkFrozen):
        recommendation.actions.first().delete()
    with pytest.raises(FrameworkFrozen):
        Recommendation(framework=frozen, number=10, short_title="x", statement="x").save()
    assert Recommendation.objects.get(pk=recommendation.pk).statement != "Rewritten"


def test_a_frozen_framework_cannot_be_deleted(frozen):
    with pytest.raises(FrameworkFrozen):
        frozen.delete()
    assert Framework.objects.filter(pk=frozen.pk).exists()


def test_a_frozen_framework_can_still_be_retired(frozen):
    frozen.status = Framework.Status.RETIRED
    frozen.save()
    assert Framework.objects.get(pk=frozen.pk).status == Framework.Status.RETIRED


def test_a_new_version_copies_everything_into_an_editable_draft(frozen):
    copy = framework_copy(framework=frozen, version="2027")
    assert copy.status == Framework.Status.DRAFT
    assert copy.derived_from == frozen
    assert not copy.is_frozen
    assert copy.recommendations.count() == 10
    assert MaturityLevel.objects.filter(recommendation__framework=copy).count() == 50
    original = frozen.recommendations.get(number=3)
    copied = copy.recommendations.get(number=3)
    assert copied.statement == original.statement
    assert list(copied.actions.values_list("text", flat=True)) == list(
        original.actions.values_list("text", flat=True)
    )
    copied.statement = "Updated wording"
    copied.save()
    assert frozen.recommendations.get(number=3).statement == original.statement


# --- The path: the step each recommended action moves an office across ----------------------


def test_every_shipped_action_has_its_step_from_the_framework_file(framework):
    data = read_framework_file()
    for item in data["recommendations"]:
        stored = framework.recommendations.get(number=item["number"]).actions.order_by("position")
        assert [(a.position, a.moves_from_level) for a in stored] == [
            (position, step) for position, _text, step in actions_of(item)
        ]
    steps = RecommendedAction.objects.filter(recommendation__framework=framework)
    assert (
        not steps.filter(moves_from_level__isnull=True)
        .exclude(recommendation__number__in=[2, 10])
        .exists()
    )  # two actions help at any level: the forum the Bureau runs, staff skills
    assert set(steps.values_list("moves_from_level", flat=True)) == {None, 1, 2, 3, 4}


def test_the_secretariat_places_an_action_on_a_frozen_framework(frozen):
    action = RecommendedAction.objects.get(
        recommendation__framework=frozen, position=1, recommendation__number=4
    )
    stamp = Framework.objects.get(pk=frozen.pk).updated_at
    action.moves_from_level = 3
    action.save()
    assert RecommendedAction.objects.get(pk=action.pk).moves_from_level == 3
    # The form's cached sections are keyed by the stamp: they show the new path.
    assert Framework.objects.get(pk=frozen.pk).updated_at > stamp


def test_the_wording_of_an_action_stays_frozen_with_its_step(frozen):
    action = RecommendedAction.objects.filter(recommendation__framework=frozen).first()
    action.moves_from_level = 4
    action.text_en = "Rewritten"
    with pytest.raises(FrameworkFrozen):
        action.save()
    assert RecommendedAction.objects.get(pk=action.pk).text_en != "Rewritten"


def test_a_step_is_between_two_levels_of_the_matrix(framework):
    action = RecommendedAction.objects.filter(recommendation__framework=framework).first()
    action.moves_from_level = 5  # there is no level 6 to move to
    with pytest.raises(IntegrityError), transaction.atomic():
        action.save()


def test_a_new_version_copies_the_steps(frozen):
    copy = framework_copy(framework=frozen, version="2027")
    original = frozen.recommendations.get(number=7).actions.order_by("position")
    copied = copy.recommendations.get(number=7).actions.order_by("position")
    assert list(copied.values_list("moves_from_level", flat=True)) == list(
        original.values_list("moves_from_level", flat=True)
    )


def test_the_loader_reads_an_action_as_its_text_alone_too():
    item = {"actions": ["Plain text", {"text": "Placed", "moves_from_level": 2}, {"text": "Any"}]}
    assert actions_of(item) == [(1, "Plain text", None), (2, "Placed", 2), (3, "Any", None)]


def test_the_data_migration_sets_the_steps_of_the_shipped_actions_only(framework):
    migration = importlib.import_module("recommendations.migrations.0010_level_steps_2024")
    actions = RecommendedAction.objects.filter(recommendation__framework=framework)
    actions.update(moves_from_level=None)
    reworded = actions.get(recommendation__number=3, position=2)
    RecommendedAction.objects.filter(pk=reworded.pk).update(text_en="The office's own wording")
    migration.set_steps(django_apps, None)
    assert actions.get(recommendation__number=3, position=1).moves_from_level == 1
    assert actions.get(recommendation__number=9, position=4).moves_from_level == 3
    assert actions.get(pk=reworded.pk).moves_from_level is None  # left for the secretariat
