"""Saving a framework's crosswalk, its lineage and its activation: one check, all or nothing."""

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import reverse

from recommendations.models import CrosswalkLink, Framework, FrameworkFrozen, Recommendation
from recommendations.selectors import (
    crosswalk_lines,
    crosswalk_of,
    crosswalk_problems,
    crosswalk_stamp,
)
from recommendations.services import (
    CrosswalkInvalid,
    CrosswalkStale,
    crosswalk_save,
    framework_copy,
    framework_save,
)
from tests.factories import framework_merging_2_8_9, make_assessment, make_cycle

pytestmark = pytest.mark.django_db

LINES_2_8_9 = [(1, 1), (2, 2), (8, 2), (9, 2), (3, 3), (4, 4), (5, 5), (6, 6), (7, 7), (10, 8)]


@pytest.fixture
def draft(framework):
    return framework_merging_2_8_9(status=Framework.Status.DRAFT)


def stored(framework) -> set:
    return set(crosswalk_lines(framework))


def test_the_secretariat_saves_a_crosswalk_and_the_framework_moves_on(draft):
    before = draft.updated_at
    lines = [line for line in LINES_2_8_9 if line != (3, 3)] + [(3, None)]
    crosswalk_save(framework=draft, lines=lines, stamp=crosswalk_stamp(draft))
    draft.refresh_from_db()
    assert stored(draft) == set(lines)
    assert crosswalk_of(draft).retired == (3,)
    assert draft.updated_at > before


def test_a_crosswalk_with_problems_is_refused_and_nothing_is_half_saved(draft):
    lines = [line for line in LINES_2_8_9 if line != (3, 3)]
    with pytest.raises(CrosswalkInvalid) as refused:
        crosswalk_save(framework=draft, lines=lines, stamp=crosswalk_stamp(draft))
    assert [p.previous for p in refused.value.problems] == [3]
    assert stored(draft) == set(LINES_2_8_9)


def test_a_stale_crosswalk_is_refused_not_overwritten(draft):
    opened_at = crosswalk_stamp(draft)
    retired_3 = [line for line in LINES_2_8_9 if line != (3, 3)] + [(3, None)]
    crosswalk_save(framework=draft, lines=retired_3, stamp=opened_at)  # a colleague's
    with pytest.raises(CrosswalkStale):
        crosswalk_save(framework=draft, lines=LINES_2_8_9, stamp=opened_at)
    assert stored(draft) == set(retired_3)


def test_a_recommendation_added_meanwhile_makes_the_crosswalk_stale(draft):
    opened_at = crosswalk_stamp(draft)
    Recommendation.objects.create(framework=draft, number=9, short_title_en="New")
    with pytest.raises(CrosswalkStale):
        crosswalk_save(framework=draft, lines=LINES_2_8_9, stamp=opened_at)


def test_a_recommendation_renumbered_meanwhile_makes_the_crosswalk_stale(draft):
    opened_at = crosswalk_stamp(draft)
    eight = draft.recommendations.get(number=8)
    eight.number = 9
    eight.save()
    with pytest.raises(CrosswalkStale):
        crosswalk_save(framework=draft, lines=LINES_2_8_9, stamp=opened_at)


def test_a_change_the_crosswalk_page_does_not_show_leaves_it_current(draft):
    from recommendations.models import RecommendedAction

    opened_at = crosswalk_stamp(draft)
    action = RecommendedAction.objects.filter(recommendation__framework=draft).first()
    action.moves_from_level = 4 if action.moves_from_level != 4 else 3  # a step of the matrix
    action.save()
    level = draft.recommendations.get(number=1).levels.get(level=2)
    level.descriptor_en = "Reworded"
    level.save()
    before = Framework.objects.get(pk=draft.pk).updated_at
    retired_3 = [line for line in LINES_2_8_9 if line != (3, 3)] + [(3, None)]
    crosswalk_save(framework=draft, lines=retired_3, stamp=opened_at)
    assert stored(draft) == set(retired_3)
    assert Framework.objects.get(pk=draft.pk).updated_at > before  # still moves for the rest


def test_the_crosswalk_of_a_used_framework_cannot_change(draft, office):
    make_assessment(make_cycle(2028, framework=draft, offices=[office]), office, submitted=True)
    with pytest.raises(FrameworkFrozen):
        crosswalk_save(framework=draft, lines=LINES_2_8_9, stamp=crosswalk_stamp(draft))


def test_a_framework_is_activated_only_with_a_sound_crosswalk(draft):
    CrosswalkLink.objects.filter(framework=draft, previous__number=3).delete()
    draft.status = Framework.Status.ACTIVE
    with pytest.raises(CrosswalkInvalid) as refused:
        framework_save(framework=draft)
    assert "Previous recommendation 3 is not accounted for" in refused.value.messages[0]
    assert Framework.objects.get(pk=draft.pk).status == Framework.Status.DRAFT
    crosswalk_save(
        framework=draft,
        lines=[*LINES_2_8_9[:4], (3, None), *LINES_2_8_9[5:]],
        stamp=crosswalk_stamp(draft),
    )
    draft.refresh_from_db()
    draft.status = Framework.Status.ACTIVE
    framework_save(framework=draft)
    assert Framework.objects.get(pk=draft.pk).status == Framework.Status.ACTIVE


def test_a_framework_cannot_be_derived_from_its_own_descendant(framework, draft):
    framework.derived_from = draft
    with pytest.raises(CrosswalkInvalid) as refused:
        framework_save(framework=framework)
    assert refused.value.problems[0].place == "derived_from"
    assert Framework.objects.get(pk=framework.pk).derived_from is None


def test_a_framework_derived_from_another_version_since_shows_its_stale_lines(framework, draft):
    other = framework_copy(framework=framework, version="2026")
    draft.derived_from = other
    draft.save()
    places = [problem.place for problem in crosswalk_problems(draft)]
    assert places[0] == "crosswalk"  # the lines name 2024's recommendations
    assert len(places) == 11  # and none of 2026's is accounted for


def test_a_framework_no_longer_derived_from_any_version_shows_its_left_lines(draft):
    assert CrosswalkLink.objects.filter(framework=draft).exists()
    draft.derived_from = None
    draft.save()
    problems = crosswalk_problems(draft)
    assert [problem.place for problem in problems] == ["crosswalk"]
    assert "derived from no other version" in problems[0].message


def test_an_active_version_pointed_at_another_one_is_refused(framework):
    active = framework_merging_2_8_9()  # active, its crosswalk from 2024
    other = framework_copy(framework=framework, version="2026")
    active.derived_from = other
    with pytest.raises(CrosswalkInvalid) as refused:
        framework_save(framework=active)
    assert refused.value.problems[0].place == "crosswalk"
    assert Framework.objects.get(pk=active.pk).derived_from == framework


def test_a_copy_writes_its_crosswalk_in_one_go(framework, django_assert_max_num_queries):
    # Five queries per recommendation (its row through the freeze check, its actions and its
    # levels in bulk), a few for the framework, and one for all the crosswalk's lines.
    with django_assert_max_num_queries(61):
        copy = framework_copy(framework=framework, version="2026")
    assert crosswalk_of(copy).is_identity


# --- Every crosswalk is read from its lines ---------------------------------------------------


def write_identity_lines():
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "recommendations.migrations.0011_identity_crosswalk_lines_for_versions_without_lines"
    )
    migration.write_identity_lines(apps, None)


def test_the_data_migration_writes_the_by_number_reading_of_a_version_without_lines(
    framework, draft
):
    older = framework_copy(framework=framework, version="2026")
    CrosswalkLink.objects.filter(framework=older).delete()
    older.recommendations.get(number=10).delete()
    stamp = Framework.objects.get(pk=older.pk).updated_at
    write_identity_lines()
    assert crosswalk_lines(older) == [(n, n) for n in range(1, 10)] + [(10, None)]
    assert Framework.objects.get(pk=older.pk).updated_at == stamp
    assert stored(draft) == set(LINES_2_8_9)  # a version with lines keeps them
    assert not CrosswalkLink.objects.filter(framework=framework).exists()  # a first version


def test_the_data_migration_can_run_twice(framework):
    older = framework_copy(framework=framework, version="2026")
    CrosswalkLink.objects.filter(framework=older).delete()
    write_identity_lines()
    write_identity_lines()
    assert CrosswalkLink.objects.filter(framework=older).count() == 10


def test_a_version_without_lines_continues_nothing(framework):
    copy = framework_copy(framework=framework, version="2026")
    CrosswalkLink.objects.filter(framework=copy).delete()
    walk = crosswalk_of(copy)
    assert set(walk.relations().values()) == {"new"} and walk.retired == ()
    assert len(crosswalk_problems(copy)) == 10  # none of 2024's is accounted for


def test_recommendations_deleted_and_added_again_are_not_the_same_ones(framework):
    copy = framework_copy(framework=framework, version="2026")
    for recommendation in copy.recommendations.all():
        recommendation.delete()  # its lines go with it
    for number in range(1, 11):
        Recommendation.objects.create(framework=copy, number=number, short_title_en=f"{number}")
    copy = Framework.objects.get(pk=copy.pk)
    copy.status = Framework.Status.ACTIVE
    with pytest.raises(CrosswalkInvalid) as refused:
        framework_save(framework=copy)
    assert len(refused.value.problems) == 10
    assert Framework.objects.get(pk=copy.pk).status == Framework.Status.DRAFT


def admin_form(framework, user, **changes):
    model_admin = admin.site._registry[Framework]
    request = RequestFactory().get("/")
    request.user = user
    form_class = model_admin.get_form(request, framework)
    data = {
        key: value
        for key, value in model_to_dict(framework).items()
        if key in form_class.base_fields and value is not None
    }
    return form_class(data={**data, **changes}, instance=framework)


def test_the_console_refuses_an_activation_beside_the_status(draft, secretariat):
    CrosswalkLink.objects.filter(framework=draft, previous__number=3).delete()
    form = admin_form(draft, secretariat, status="active")
    assert not form.is_valid()
    assert "Cannot be made active" in form.errors["status"][0]


def test_the_console_refuses_a_loop_beside_derived_from(framework, draft, secretariat):
    form = admin_form(framework, secretariat, derived_from=draft.pk)
    assert not form.is_valid()
    assert form.errors["derived_from"] == [
        "Framework \u20682027\u2069 is derived from \u20682024\u2069: \u20682024\u2069 cannot be "
        "derived from it in turn."
    ]


def console_post(framework, user, **changes) -> dict:
    """The console's change form of ``framework`` as posted, its inlines left as they are."""
    form = admin_form(framework, user, **changes)
    data = {**form.data}
    for prefix in ("recommendations", "questions"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


@pytest.fixture
def framework_checks(monkeypatch):
    """How many times the framework check runs (the real one, counted)."""
    from recommendations import admin as framework_admin
    from recommendations import services

    calls = []
    real = services.framework_problems

    def counted(framework):
        calls.append(framework.version)
        return real(framework)

    monkeypatch.setattr(services, "framework_problems", counted)
    monkeypatch.setattr(framework_admin, "framework_problems", counted)
    return calls


def test_the_console_checks_a_framework_once_when_it_is_made_active(
    client_of, secretariat, draft, framework_checks
):
    url = reverse("admin:recommendations_framework_change", args=[draft.pk])
    response = client_of(secretariat).post(url, console_post(draft, secretariat, status="active"))
    assert response.status_code == 302
    assert Framework.objects.get(pk=draft.pk).status == Framework.Status.ACTIVE
    assert framework_checks == ["2027"]


def test_the_console_still_refuses_an_unsound_crosswalk_with_one_check(
    client_of, secretariat, draft, framework_checks
):
    CrosswalkLink.objects.filter(framework=draft, previous__number=3).delete()
    url = reverse("admin:recommendations_framework_change", args=[draft.pk])
    response = client_of(secretariat).post(url, console_post(draft, secretariat, status="active"))
    assert response.status_code == 200
    assert "Cannot be made active" in response.content.decode()
    assert Framework.objects.get(pk=draft.pk).status == Framework.Status.DRAFT
    assert framework_checks == ["2027"]


def test_what_the_secretariat_does_to_frameworks_is_in_the_audit_log(draft, secretariat):
    from portal.audit.describe import targets_described
    from portal.audit.models import AuditEvent
    from recommendations.services import translation_edit

    crosswalk_save(framework=draft, lines=LINES_2_8_9, stamp=crosswalk_stamp(draft))
    translation_edit(
        framework=draft,
        language="fr",
        texts={f"Framework-{draft.pk}-title": "Nouveau titre"},
        user=secretariat,
    )
    events = AuditEvent.objects.filter(object_id=str(draft.pk)).order_by("pk")
    assert [event.kind for event in events] == [
        "framework_made",
        "crosswalk_saved",
        "framework_translated",
    ]
    assert events[0].detail == {"copied_from": "2024"}
    assert [10, 8] in events[1].detail["lines"]
    assert events[2].user == secretariat and events[2].detail == {"language": "fr", "texts": 1}
    assert set(targets_described(events).values()) == {"Framework 2027"}
