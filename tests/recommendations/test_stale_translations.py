"""A translation older than its English source: each translated text records the English it
translates, and the secretariat's pages say which texts changed in English since."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from recommendations.exchange import translation_import
from recommendations.models import Framework, FrameworkTranslation, Recommendation
from recommendations.selectors import stale_translations
from recommendations.services import framework_copy
from recommendations.wording import translated_source_hashes
from tests.factories import SESSION_QUERIES
from tests.recommendations.translation_files import translation_file

pytestmark = pytest.mark.django_db

STATEMENT_3 = "recommendation:3:statement"
MARK = "Changed in English since it was translated"


@pytest.fixture
def arabic(framework, secretariat):
    translation_import(data=translation_file("ar"), user=secretariat, source="ar.json")
    return Framework.objects.get(pk=framework.pk)


@pytest.fixture
def draft_2030(arabic):
    return framework_copy(framework=arabic, version="2030")


def reword(framework, number=3, statement="IP offices should publish their ICT strategy."):
    recommendation = Recommendation.objects.get(framework=framework, number=number)
    recommendation.statement_en = statement
    recommendation.save()
    return recommendation


def record(framework, language="ar") -> FrameworkTranslation:
    return FrameworkTranslation.objects.get(framework=framework, language=language)


def edit_url(framework, language="ar") -> str:
    return reverse("framework_translation_edit", args=[framework.version, language])


def translations_url(framework) -> str:
    return reverse("framework_translations", args=[framework.version])


# --- What is recorded, and what is stale -----------------------------------------------------


def test_rewording_a_statement_in_a_draft_flags_its_arabic_translation_and_only_that(
    draft_2030, arabic
):
    reword(draft_2030)
    assert stale_translations(draft_2030, "ar") == {STATEMENT_3}
    # The version it was copied from keeps its English, and so its translation is current.
    assert stale_translations(arabic, "ar") == set()


def test_every_translated_language_of_the_text_is_flagged(draft_2030, secretariat):
    data = translation_file("ru", framework="2030")
    translation_import(data=data, user=secretariat, source="ru.json")
    reword(draft_2030)
    assert stale_translations(draft_2030, "ar") == {STATEMENT_3}
    assert stale_translations(draft_2030, "ru") == {STATEMENT_3}
    assert stale_translations(draft_2030, "fr") == set()  # no French at all


def test_a_reworded_text_without_a_translation_is_not_flagged(draft_2030):
    recommendation = reword(draft_2030)
    Recommendation.objects.filter(pk=recommendation.pk).update(statement_ar=None)
    assert stale_translations(draft_2030, "ar") == set()


def test_translating_the_statement_anew_clears_the_mark(client_of, secretariat, draft_2030):
    recommendation = reword(draft_2030)
    client_of(secretariat).post(
        edit_url(draft_2030),
        {f"Recommendation-{recommendation.pk}-statement": "ينبغي لمكاتب الملكية الفكرية نشر"},
    )
    recommendation.refresh_from_db()
    assert recommendation.statement_ar == "ينبغي لمكاتب الملكية الفكرية نشر"
    assert stale_translations(draft_2030, "ar") == set()


def test_saving_another_text_leaves_the_stale_one_flagged(client_of, secretariat, draft_2030):
    recommendation = reword(draft_2030)
    client_of(secretariat).post(
        edit_url(draft_2030),
        {
            f"Recommendation-{recommendation.pk}-short_title": "عنوان جديد",
            f"Recommendation-{recommendation.pk}-statement": recommendation.statement_ar,
        },
    )
    assert stale_translations(draft_2030, "ar") == {STATEMENT_3}


def test_emptying_a_stale_translation_forgets_what_it_translated(
    client_of, secretariat, draft_2030
):
    recommendation = reword(draft_2030)
    client_of(secretariat).post(
        edit_url(draft_2030), {f"Recommendation-{recommendation.pk}-statement": ""}
    )
    assert STATEMENT_3 not in record(draft_2030).source_hashes
    assert stale_translations(draft_2030, "ar") == set()


def test_a_file_load_records_what_each_text_translates(arabic):
    hashes = record(arabic).source_hashes
    assert hashes == translated_source_hashes(arabic, "ar")
    # The title, 10 × (short title, statement, gist, 5 levels × 2) and the actions and
    # questions: every text of the file.
    assert {"framework:title", STATEMENT_3, "level:3:2:descriptor", "label:status"} <= set(hashes)
    assert "action:3:1:text" in hashes
    assert stale_translations(arabic, "ar") == set()


def test_loading_the_current_texts_again_clears_the_marks(draft_2030, secretariat):
    reword(draft_2030)
    data = translation_file("ar", framework="2030")
    translation_import(data=data, user=secretariat, source="ar.json")
    assert stale_translations(draft_2030, "ar") == set()


def test_an_english_file_rewording_a_draft_flags_its_translations(draft_2030, secretariat):
    data = translation_file("en", framework="2030")
    data["recommendations"][2]["statement"] = "IP offices should publish their ICT strategy."
    translation_import(data=data, user=secretariat, source="en.json")
    assert STATEMENT_3 in stale_translations(draft_2030, "ar")


def test_a_copy_carries_the_hashes_and_nothing_is_stale_right_after(draft_2030, arabic):
    assert record(draft_2030).source_hashes == record(arabic).source_hashes
    assert stale_translations(draft_2030, "ar") == set()


def test_a_copy_under_a_new_title_flags_the_translated_title(arabic):
    copy = framework_copy(framework=arabic, version="2030", title="ICT recommendations 2030")
    assert stale_translations(copy, "ar") == {"framework:title"}


def test_a_copy_of_a_stale_translation_stays_stale(draft_2030):
    reword(draft_2030)
    later = framework_copy(framework=draft_2030, version="2031")
    assert stale_translations(later, "ar") == {STATEMENT_3}


def test_the_migration_records_what_existing_translations_translate(arabic):
    FrameworkTranslation.objects.update(source_hashes={})
    migration = importlib.import_module("recommendations.migrations.0012_translation_source_hashes")
    migration.record(apps, None)
    assert record(arabic).source_hashes == translated_source_hashes(arabic, "ar")
    assert stale_translations(arabic, "ar") == set()


# --- The secretariat's pages -----------------------------------------------------------------


def test_the_translations_page_counts_the_stale_texts_of_each_language(
    client_of, secretariat, draft_2030
):
    reword(draft_2030)
    html = client_of(secretariat).get(translations_url(draft_2030)).content.decode()
    assert "1 text changed in English since it was translated" in html


def test_the_translations_page_says_nothing_when_every_translation_is_current(
    client_of, secretariat, draft_2030
):
    html = client_of(secretariat).get(translations_url(draft_2030)).content.decode()
    assert "changed in English since" not in html


def test_the_edit_page_marks_the_stale_text_beside_its_english(client_of, secretariat, draft_2030):
    recommendation = reword(draft_2030)
    html = client_of(secretariat).get(edit_url(draft_2030)).content.decode()
    key = f"Recommendation-{recommendation.pk}-statement"
    assert html.count(f">{MARK}</span>") == 1
    mark = html.index(f'id="stale_{key}"')
    assert mark < html.index("IP offices should publish their ICT strategy.")
    assert f'aria-describedby="stale_{key}"' in html
    assert "1 text changed in English since it was translated" in html


def test_the_mark_is_gone_once_the_text_is_translated_anew(client_of, secretariat, draft_2030):
    recommendation = reword(draft_2030)
    client = client_of(secretariat)
    client.post(edit_url(draft_2030), {f"Recommendation-{recommendation.pk}-statement": "نص جديد"})
    assert MARK not in client.get(edit_url(draft_2030)).content.decode()


def test_a_reader_keeps_seeing_the_translation(client_of, viewer, arabic):
    recommendation = reword(arabic)
    html = (
        client_of(viewer)
        .get(reverse("framework_detail", args=["2024"]), HTTP_ACCEPT_LANGUAGE="ar")
        .content.decode()
    )
    assert recommendation.statement_ar in html
    assert MARK not in html and "changed in English since" not in html


@pytest.mark.parametrize("person", ["respondent", "outsider", "colead"])
def test_only_the_secretariat_sees_which_texts_are_stale(client_of, request, person, draft_2030):
    reword(draft_2030)
    client = client_of(request.getfixturevalue(person))
    for address in (translations_url(draft_2030), edit_url(draft_2030)):
        response = client.get(address)
        assert response.status_code in (403, 404)
        assert MARK not in response.content.decode()
    hashes = record(draft_2030).source_hashes
    client.post(edit_url(draft_2030), {"anything": "x"})
    assert record(draft_2030).source_hashes == hashes


def test_an_anonymous_visitor_is_sent_to_log_in(client, draft_2030):
    for address in (translations_url(draft_2030), edit_url(draft_2030)):
        response = client.get(address)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_edit_page_takes_a_fixed_number_of_queries(
    client_of, secretariat, draft_2030, django_assert_max_num_queries
):
    reword(draft_2030)
    reword(draft_2030, number=5)
    client = client_of(secretariat)
    # However many texts are stale: the framework's texts are read once, for the form and
    # for the hashes.
    with django_assert_max_num_queries(9 + SESSION_QUERIES):
        client.get(edit_url(draft_2030))
