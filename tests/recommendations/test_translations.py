"""The framework's wording in other languages: the fallback rule, the freeze, the file."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from recommendations import wording
from recommendations.exchange import (
    TranslationInvalid,
    translation_export,
    translation_import,
    translation_parse,
)
from recommendations.loader import shipped_translation_files
from recommendations.models import (
    Framework,
    FrameworkFrozen,
    FrameworkTranslation,
    MaturityLevel,
    QuestionLabel,
    Recommendation,
    RecommendedAction,
)
from recommendations.services import framework_copy, translation_edit
from tests.factories import make_assessment, make_cycle
from tests.recommendations.translation_files import FRENCH, translation_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen(framework, office):
    make_assessment(make_cycle(2025, offices=[office]), office, submitted=True)
    return Framework.objects.get(pk=framework.pk)


@pytest.fixture
def french(framework, secretariat):
    translation_import(data=translation_file("fr"), user=secretariat, source="fr.json")
    return Framework.objects.get(pk=framework.pk)


def stored_french() -> list:
    """Every French text the portal holds."""
    return [
        *Framework.objects.values_list("title_fr", flat=True),
        *Recommendation.objects.values_list("short_title_fr", "statement_fr", "gist_fr"),
        *RecommendedAction.objects.values_list("text_fr", flat=True),
        *MaturityLevel.objects.values_list("name_fr", "descriptor_fr"),
        *QuestionLabel.objects.values_list("label_fr", flat=True),
    ]


def nothing_in_french() -> bool:
    return (
        all(
            text is None or (isinstance(text, tuple) and set(text) == {None})
            for text in stored_french()
        )
        and not FrameworkTranslation.objects.exists()
    )


# --- The source and the fallback -------------------------------------------------------------


def test_the_wording_stored_before_translations_is_the_english_source(framework):
    assert not Recommendation.objects.filter(statement_en__isnull=True).exists()
    assert not MaturityLevel.objects.filter(descriptor_en__isnull=True).exists()
    assert framework.title_en == "Recommendations on ICT and IP administration"
    assert QuestionLabel.objects.filter(framework=framework).count() == 15


def test_a_french_reader_gets_the_french_wording_where_it_exists(french):
    recommendation = french.recommendations.get(number=1)
    with translation.override("fr"):
        title = wording.text(recommendation, "short_title")
        assert (title, title.lang) == (FRENCH["short_title_1"], "fr")
        assert recommendation.short_title == FRENCH["short_title_1"]  # modeltranslation too


def test_a_text_without_translation_is_shown_in_english_and_says_so(french):
    recommendation = french.recommendations.get(number=2)
    with translation.override("ru"):
        statement = wording.text(recommendation, "statement")
        assert statement == recommendation.statement_en
        assert statement.lang == "en"
        assert wording.falls_back(statement)
    with translation.override("fr"):
        assert not wording.falls_back(wording.text(recommendation, "statement"))


def test_an_emptied_translation_falls_back_to_english(french, secretariat):
    recommendation = french.recommendations.get(number=2)
    key = f"Recommendation-{recommendation.pk}-statement"
    translation_edit(framework=french, language="fr", texts={key: " "}, user=secretariat)
    recommendation.refresh_from_db()
    assert recommendation.statement_fr is None
    with translation.override("fr"):
        assert wording.text(recommendation, "statement").lang == "en"


# --- Frozen frameworks -----------------------------------------------------------------------


def test_a_frozen_framework_takes_a_translation_but_not_new_english_wording(frozen):
    recommendation = frozen.recommendations.get(number=4)
    recommendation.statement_ru = "Информационная безопасность"
    recommendation.save()
    assert Recommendation.objects.get(pk=recommendation.pk).statement_ru.startswith("Информ")
    recommendation.statement_en = "Rewritten"
    with pytest.raises(FrameworkFrozen):
        recommendation.save()
    frozen.title_es = "Recomendaciones sobre TIC"
    frozen.save()
    frozen.title_en = "Something else"
    with pytest.raises(FrameworkFrozen):
        frozen.save()
    assert Framework.objects.get(pk=frozen.pk).title_en != "Something else"


def test_a_translation_moves_the_stamp_the_form_texts_are_cached_by(frozen):
    before = frozen.updated_at
    level = MaturityLevel.objects.get(
        recommendation__framework=frozen, level=1, recommendation__number=1
    )
    level.name_fr = "Initial"
    level.save()
    assert Framework.objects.get(pk=frozen.pk).updated_at > before


def test_loading_a_file_moves_the_stamp_too(framework, secretariat):
    before = framework.updated_at
    translation_import(data=translation_file("fr"), user=secretariat)
    assert Framework.objects.get(pk=framework.pk).updated_at > before


# --- The file --------------------------------------------------------------------------------


def test_the_secretariat_loads_a_working_translation(framework, secretariat):
    report = translation_import(data=translation_file("fr"), user=secretariat, source="fr.json")
    assert report.changed == report.total > 190
    recommendation = framework.recommendations.get(number=1)
    assert recommendation.short_title_fr == FRENCH["short_title_1"]
    assert recommendation.short_title_en == "Digital transformation"  # the source stays
    assert recommendation.levels.get(level=2).name_fr == "En développement"
    assert (
        QuestionLabel.objects.get(framework=framework, name="status").label_fr == FRENCH["status"]
    )
    record = FrameworkTranslation.objects.get(framework=framework, language="fr")
    assert (record.kind, record.loaded_by, record.source) == ("working", secretariat, "fr.json")
    assert record.note == "Made for the tests."


def test_a_frozen_framework_takes_a_translation_file(frozen, secretariat):
    translation_import(data=translation_file("ar"), user=secretariat)
    assert frozen.recommendations.get(number=3).statement_ar.startswith("[ar] ")


def test_a_dry_run_writes_nothing(framework, secretariat):
    report = translation_import(data=translation_file("fr"), user=secretariat, dry_run=True)
    assert report.dry_run and report.changed > 190
    assert nothing_in_french()


def problems_of(data) -> dict[str, str]:
    with pytest.raises(TranslationInvalid) as refused:
        translation_import(data=data)
    return {problem.place: problem.message for problem in refused.value.problems}


def test_a_file_with_an_unknown_recommendation_is_refused_whole(framework):
    data = translation_file("fr")
    data["recommendations"].append({**data["recommendations"][0], "number": 11})
    problems = problems_of(data)
    assert list(problems) == ["recommendations[10].number"]
    assert "no recommendation 11" in problems["recommendations[10].number"]
    assert nothing_in_french()


def test_a_file_with_a_missing_level_is_refused_whole(framework):
    data = translation_file("fr")
    del data["recommendations"][3]["levels"][4]
    problems = problems_of(data)
    assert problems == {"recommendations[3].levels": "Missing: no item with “level”: 5."}
    assert nothing_in_french()


def test_a_file_in_a_language_the_portal_does_not_speak_is_refused(framework):
    problems = problems_of({**translation_file("fr"), "language": "de"})
    assert list(problems) == ["language"]
    assert "“de” is not a language of the portal" in problems["language"]
    assert nothing_in_french() and not Recommendation.objects.exclude(statement_ar=None).exists()


def test_every_problem_is_reported_with_its_place(framework):
    data = translation_file("fr", kind="final", format="something")
    data["recommendations"][2]["statement"] = ""
    del data["recommendations"][1]["levels"][1]["descriptor"]
    data["recommendations"][0]["actions"].append({"position": 9, "text": "x"})
    data["questions"]["foo"] = "Bar"
    del data["questions"]["evidence"]
    problems = problems_of(data)
    assert set(problems) == {
        "format",
        "kind",
        "recommendations[2].statement",
        "recommendations[1].levels[1].descriptor",
        "recommendations[0].actions[5].position",
        "questions.foo",
        "questions.evidence",
    }
    assert problems["recommendations[2].statement"].startswith("Empty")
    assert problems["recommendations[1].levels[1].descriptor"].startswith("Missing")
    assert nothing_in_french()


def test_a_file_for_another_framework_version_is_refused(framework):
    assert list(problems_of(translation_file("fr", framework="2019"))) == ["framework"]


def test_an_english_file_cannot_change_the_source_of_a_frozen_framework(frozen):
    data = {**translation_file("fr"), "language": "en"}
    assert list(problems_of(data)) == ["language"]
    assert frozen.recommendations.get(number=1).short_title_en == "Digital transformation"


def test_an_english_file_rewords_a_framework_not_used_yet(framework):
    translation_import(data={**translation_file("fr"), "language": "en"})
    assert framework.recommendations.get(number=2).short_title_en.startswith("[fr] ")
    assert not FrameworkTranslation.objects.exists()  # the source is not a translation


def test_an_exported_translation_loads_back_unchanged(french):
    exported = json.loads(json.dumps(translation_export(framework=french, language="fr")))
    assert exported["kind"] == "working" and exported["title"] == FRENCH["title"]
    report = translation_import(data=exported)
    assert report.changed == 0 and report.total > 190


def test_an_official_translation_replaces_the_working_one(french, secretariat):
    report = translation_import(data=translation_file("fr", kind="official"), user=secretariat)
    assert (report.previous_kind, report.kind) == ("working", "official")
    assert FrameworkTranslation.objects.get(language="fr").is_official


def test_editing_an_official_translation_makes_it_a_working_one(french, secretariat):
    translation_import(data=translation_file("fr", kind="official"), user=secretariat)
    action = RecommendedAction.objects.filter(recommendation__framework=french).first()
    changed = translation_edit(
        framework=french,
        language="fr",
        texts={f"RecommendedAction-{action.pk}-text": "Une action reformulée."},
        user=secretariat,
    )
    record = FrameworkTranslation.objects.get(language="fr")
    assert changed == 1
    assert RecommendedAction.objects.get(pk=action.pk).text_fr == "Une action reformulée."
    assert record.kind == "working"
    assert "no longer the committee’s published wording" in record.note


def test_saving_nothing_new_keeps_an_official_translation_official(french, secretariat):
    translation_import(data=translation_file("fr", kind="official"), user=secretariat)
    action = RecommendedAction.objects.filter(recommendation__framework=french).first()
    key = f"RecommendedAction-{action.pk}-text"
    assert (
        translation_edit(
            framework=french, language="fr", texts={key: action.text_fr}, user=secretariat
        )
        == 0
    )
    assert FrameworkTranslation.objects.get(language="fr").is_official


def test_a_new_version_carries_the_translations_as_working_ones(french, secretariat):
    translation_import(data=translation_file("fr", kind="official"), user=secretariat)
    copy = framework_copy(framework=french, version="2027")
    assert copy.recommendations.get(number=1).short_title_fr == FRENCH["short_title_1"]
    assert copy.questions.get(name="status").label_fr == FRENCH["status"]
    assert copy.translations.get().kind == "working"


def test_the_command_loads_a_file_and_refuses_a_bad_one(framework, tmp_path):
    good = tmp_path / "framework_2024.fr.json"
    good.write_text(json.dumps(translation_file("fr")), encoding="utf-8")
    call_command("load_framework_translation", str(good), "--dry-run")
    assert nothing_in_french()
    call_command("load_framework_translation", str(good))
    assert framework.recommendations.get(number=1).short_title_fr == FRENCH["short_title_1"]
    bad = tmp_path / "framework_2024.es.json"
    data = translation_file("es")
    data["recommendations"][0]["number"] = 12
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("load_framework_translation", str(bad))
    assert not Recommendation.objects.exclude(statement_es=None).exists()


def test_the_shipped_files_load_for_languages_not_loaded_yet(framework, tmp_path, monkeypatch):
    from recommendations import loader

    folder = tmp_path / "translations"
    folder.mkdir()
    (folder / "framework_2024.ru.json").write_text(
        json.dumps(translation_file("ru")), encoding="utf-8"
    )
    monkeypatch.setattr(loader, "TRANSLATIONS_DIR", folder)
    call_command("load_framework_translation", "--shipped")
    assert framework.recommendations.get(number=5).short_title_ru.startswith("[ru] ")
    assert FrameworkTranslation.objects.get(language="ru").kind == "working"


def test_a_framework_without_labels_gets_them_from_a_translation(framework):
    QuestionLabel.objects.filter(framework=framework).delete()
    translation_import(data=translation_file("fr"))
    status = QuestionLabel.objects.get(framework=framework, name="status")
    assert (status.label_en, status.label_fr) == ("Implementation status", FRENCH["status"])
    assert QuestionLabel.objects.filter(framework=framework).count() == 15


@pytest.mark.parametrize(
    "path",
    [pytest.param(path, id=path.name) for path in shipped_translation_files("2024")]
    or [pytest.param(None, id="none-shipped-yet")],
)
def test_every_shipped_translation_loads_without_a_problem(framework, path):
    if path is None:
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    parsed = translation_parse(data)
    assert [str(problem) for problem in parsed.problems] == []
    assert parsed.kind == "working" and parsed.language != "en"
    assert path.name == f"framework_2024.{parsed.language}.json"
