import pytest

from recommendations.models import Framework, FrameworkFrozen, MaturityLevel, Recommendation
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
