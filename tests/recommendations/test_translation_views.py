"""The framework in the reader's language on the pages, and the secretariat's translation
pages: the list and the file import, the edit page and the download."""

import io
import json
import re

import pytest
from django.urls import reverse

from assessments import services
from recommendations.exchange import translation_import
from recommendations.models import (
    Framework,
    FrameworkTranslation,
    QuestionLabel,
    Recommendation,
)
from tests.api import token_client
from tests.factories import SESSION_QUERIES
from tests.recommendations.translation_files import FRENCH, translation_file

pytestmark = pytest.mark.django_db

FRENCH_PAGE = {"HTTP_ACCEPT_LANGUAGE": "fr"}
RUSSIAN_PAGE = {"HTTP_ACCEPT_LANGUAGE": "ru"}
ARABIC_PAGE = {"HTTP_ACCEPT_LANGUAGE": "ar"}
# The note's class: its words are in the reader's language once the catalogues have them.
NOTE = 'class="fallback-note'


@pytest.fixture
def french(framework, secretariat):
    translation_import(data=translation_file("fr"), user=secretariat, source="fr.json")
    return Framework.objects.get(pk=framework.pk)


def upload(data, name="framework_2024.fr.json", dry_run=False):
    file = io.BytesIO(json.dumps(data).encode())
    file.name = name
    return {"file": file, **({"dry_run": "on"} if dry_run else {})}


def framework_page(client, **headers) -> str:
    """The page's own content (the language menu names each language in itself)."""
    html = client.get(reverse("framework_detail", args=["2024"]), **headers).content.decode()
    return html.split("<main", 1)[1].split("</main>", 1)[0]


# --- The framework page in the reader's language ---------------------------------------------


def test_a_french_reader_reads_the_working_french_translation_and_is_told_so(
    client_of, viewer, french
):
    html = framework_page(client_of(viewer), **FRENCH_PAGE)
    assert FRENCH["title"] in html
    assert FRENCH["short_title_1"] in html and FRENCH["statement_1"] in html
    assert "pill-working" in html
    # Every text has its French; only the note on the English source stays English.
    assert html.count('lang="en"') == 1 and '<p class="muted" lang="en">Statements' in html
    assert NOTE not in html


def test_a_russian_reader_reads_english_marked_as_english_once_a_block(client_of, viewer, french):
    html = framework_page(client_of(viewer), **RUSSIAN_PAGE)
    assert html.count(NOTE) == 10  # once a recommendation, not once a line
    assert '<p class="statement" lang="en">IP offices should optimize' in html
    assert "pill-working" not in html and "pill-official" not in html


def test_an_arabic_page_marks_english_text_left_to_right(client_of, viewer, framework):
    html = framework_page(client_of(viewer), **ARABIC_PAGE)
    assert '<p class="statement" lang="en" dir="ltr">' in html


def test_an_english_reader_sees_the_source_unmarked(client_of, viewer, french):
    html = framework_page(client_of(viewer))
    assert "Digital transformation" in html and FRENCH["short_title_1"] not in html
    assert NOTE not in html and 'lang="en"' not in html


def test_an_official_translation_says_it_is_official(client_of, viewer, french, secretariat):
    translation_import(data=translation_file("fr", kind="official"), user=secretariat)
    assert "pill-official" in framework_page(client_of(viewer), **FRENCH_PAGE)


def test_the_framework_page_in_french_takes_a_fixed_number_of_queries(
    client_of, viewer, french, django_assert_max_num_queries
):
    client = client_of(viewer)
    with django_assert_max_num_queries(10 + SESSION_QUERIES):
        client.get(reverse("framework_detail", args=["2024"]), **FRENCH_PAGE)


def test_the_api_gives_the_wording_in_the_language_asked_for(viewer, french):
    data = (
        token_client(viewer)
        .get(reverse("api_framework", args=["2024"]), HTTP_ACCEPT_LANGUAGE="fr")
        .json()
    )
    assert data["language"] == "fr"
    assert data["title"] == FRENCH["title"]
    assert data["recommendations"][0]["short_title"] == FRENCH["short_title_1"]
    assert data["recommendations"][0]["language"] == "fr"
    assert [(t["language"], t["kind"]) for t in data["translations"]] == [("fr", "working")]
    russian = (
        token_client(viewer)
        .get(reverse("api_framework", args=["2024"]), HTTP_ACCEPT_LANGUAGE="ru")
        .json()
    )
    assert russian["recommendations"][0]["short_title"] == "Digital transformation"
    assert russian["recommendations"][0]["language"] == "en"


# --- The questionnaire in the reader's language ----------------------------------------------


def test_the_form_asks_the_frameworks_questions_in_the_readers_language(
    client_of, respondent, draft, french
):
    form = reverse("assessment_form", kwargs={"code": "AU", "year": draft.cycle.year})
    html = client_of(respondent).get(form, **FRENCH_PAGE).content.decode()
    assert FRENCH["statement_1"] in html
    assert "[fr] Comments on the status" in html  # the framework's label, in French
    assert NOTE not in html


def test_the_form_marks_english_wording_on_a_russian_page(client_of, respondent, draft):
    form = reverse("assessment_form", kwargs={"code": "AU", "year": draft.cycle.year})
    html = client_of(respondent).get(form, **RUSSIAN_PAGE).content.decode()
    assert html.count(NOTE) == 10
    assert 'class="statement" id="r1-statement" lang="en"' in html


def test_a_framework_label_in_english_gives_way_to_the_portals_own_translation(
    client_of, respondent, draft
):
    # The 2024 labels are worded as the portal words them: the French catalogue has them.
    form = reverse("assessment_form", kwargs={"code": "AU", "year": draft.cycle.year})
    html = client_of(respondent).get(form, **FRENCH_PAGE).content.decode()
    assert '<span lang="en">Comments on the status</span>' not in html


def test_a_reworded_question_is_shown_as_the_framework_words_it_everywhere(
    client_of, respondent, draft, framework
):
    label = QuestionLabel.objects.get(framework=framework, name="status")
    label.label_en = "Where does your office stand?"
    label.save()
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values={"r3-status": "decided"}
    )
    client = client_of(respondent)
    history = reverse("assessment_history", kwargs={"code": "AU", "year": draft.cycle.year})
    assert "Recommendation 3: Where does your office stand?" in client.get(history).content.decode()
    html = client.get(history, **RUSSIAN_PAGE).content.decode()
    assert "Where does your office stand?" in html


def test_a_framework_without_labels_is_asked_in_the_portals_wording(
    client_of, respondent, draft, framework
):
    QuestionLabel.objects.filter(framework=framework).delete()
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values={"r3-status": "decided"}
    )
    history = reverse("assessment_history", kwargs={"code": "AU", "year": draft.cycle.year})
    assert "Recommendation 3: Implementation status" in (
        client_of(respondent).get(history).content.decode()
    )


# --- The translations page and the import ----------------------------------------------------


def translations_url() -> str:
    return reverse("framework_translations", args=["2024"])


def test_the_secretariat_sees_each_language_with_its_kind_and_how_complete(
    client_of, secretariat, french
):
    html = client_of(secretariat).get(translations_url()).content.decode()
    assert "Source wording" in html
    assert "pill-working" in html
    assert "Not translated: shown in English" in html
    assert html.count("193 of 193") == 2  # English and French


def test_the_translations_page_takes_a_fixed_number_of_queries(
    client_of, secretariat, french, django_assert_max_num_queries
):
    client = client_of(secretariat)
    # The framework, its translations, the menu; the texts of its five tables, read once
    # for their counts and for the stale ones.
    with django_assert_max_num_queries(11 + SESSION_QUERIES):
        client.get(translations_url())


def test_the_secretariat_checks_a_file_then_loads_it(client_of, secretariat, framework):
    client = client_of(secretariat)
    checked = client.post(translations_url(), upload(translation_file("fr"), dry_run=True))
    assert "has no problems. Loading it would give" in checked.content.decode()
    assert not FrameworkTranslation.objects.exists()
    loaded = client.post(translations_url(), upload(translation_file("fr")))
    assert "is loaded" in loaded.content.decode()
    assert (
        Recommendation.objects.get(framework=framework, number=1).short_title_fr
        == (FRENCH["short_title_1"])
    )
    assert FrameworkTranslation.objects.get().loaded_by == secretariat


def test_a_bad_file_is_refused_with_each_problem_placed(client_of, secretariat, framework):
    data = translation_file("fr")
    data["recommendations"][0]["number"] = 11
    del data["recommendations"][4]["levels"][0]
    html = client_of(secretariat).post(translations_url(), upload(data)).content.decode()
    assert "nothing was loaded" in html
    places = re.findall(r"<td><code>([^<]+)</code></td>", html)
    assert set(places) == {
        "recommendations[0].number",
        "recommendations",
        "recommendations[4].levels",
    }
    assert not FrameworkTranslation.objects.exists()
    assert not Recommendation.objects.exclude(short_title_fr=None).exists()


def test_a_file_for_another_framework_is_refused_on_this_page(client_of, secretariat, framework):
    html = (
        client_of(secretariat)
        .post(translations_url(), upload(translation_file("fr", framework="2019")))
        .content.decode()
    )
    assert "This page loads translations of framework \u20682024\u2069" in html
    assert not FrameworkTranslation.objects.exists()


def test_the_secretariat_downloads_a_language_to_load_it_back(client_of, secretariat, french):
    client = client_of(secretariat)
    response = client.get(reverse("framework_translation_file", args=["2024", "fr"]))
    assert 'filename="framework_2024.fr.json"' in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["recommendations"][0]["short_title"] == FRENCH["short_title_1"]
    client.post(translations_url(), upload(data))
    assert FrameworkTranslation.objects.get().source == "framework_2024.fr.json"


# --- The edit page ---------------------------------------------------------------------------


def edit_url(language="fr") -> str:
    return reverse("framework_translation_edit", args=["2024", language])


def test_the_edit_page_shows_each_text_beside_its_english_source(client_of, secretariat, french):
    html = client_of(secretariat).get(edit_url()).content.decode()
    statement = Recommendation.objects.get(framework=french, number=1)
    assert f'name="Recommendation-{statement.pk}-statement"' in html
    assert FRENCH["statement_1"] in html
    assert '<p class="source" lang="en" dir="ltr">IP offices should optimize' in html


def test_the_secretariat_corrects_a_translation(client_of, secretariat, french):
    recommendation = Recommendation.objects.get(framework=french, number=1)
    response = client_of(secretariat).post(
        edit_url(), {f"Recommendation-{recommendation.pk}-short_title": "Le numérique"}
    )
    assert response.status_code == 302
    assert Recommendation.objects.get(pk=recommendation.pk).short_title_fr == "Le numérique"
    assert Recommendation.objects.get(pk=recommendation.pk).short_title_en == (
        "Digital transformation"
    )


def test_the_edit_page_warns_that_editing_ends_the_official_wording(client_of, secretariat, french):
    translation_import(data=translation_file("fr", kind="official"), user=secretariat)
    html = client_of(secretariat).get(edit_url()).content.decode()
    assert "Saving a change makes it a working translation" in html


def test_english_is_edited_in_the_framework_not_as_a_translation(client_of, secretariat, framework):
    assert client_of(secretariat).get(edit_url("en")).status_code == 404
    assert client_of(secretariat).get(edit_url("de")).status_code == 404


# --- Who may ---------------------------------------------------------------------------------

SECRETARIAT_PAGES = [
    ("get", lambda: translations_url()),
    ("post", lambda: translations_url()),
    ("get", lambda: edit_url()),
    ("post", lambda: edit_url()),
    ("get", lambda: reverse("framework_translation_file", args=["2024", "fr"])),
]


@pytest.mark.parametrize("person", ["respondent", "viewer", "colead"])
@pytest.mark.parametrize(("method", "address"), SECRETARIAT_PAGES)
def test_only_the_secretariat_reaches_the_translation_pages(
    client_of, request, person, method, address, framework
):
    client = client_of(request.getfixturevalue(person))
    response = getattr(client, method)(address())
    assert response.status_code in (403, 404)
    assert not FrameworkTranslation.objects.exists()


@pytest.mark.parametrize(("method", "address"), SECRETARIAT_PAGES)
def test_an_anonymous_visitor_is_sent_to_log_in(client, method, address, framework):
    response = getattr(client, method)(address())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_form_says_discreetly_that_it_is_a_working_translation(
    client_of, respondent, draft, french
):
    form = reverse("assessment_form", kwargs={"code": "AU", "year": draft.cycle.year})
    client = client_of(respondent)
    assert 'data-kind="working"' in client.get(form, **FRENCH_PAGE).content.decode()
    assert "translation-kind" not in client.get(form).content.decode()  # English: the source
