"""The language an office writes its answers in: recorded, chosen on the form, carried by the
autosave, and marked on the comments wherever they are read."""

import pytest
from django.urls import reverse
from django.utils import translation

from assessments import services
from assessments.models import Assessment

pytestmark = pytest.mark.django_db


def url(name, draft):
    return reverse(name, kwargs={"code": draft.office.code, "year": draft.cycle.year})


def stored(draft) -> Assessment:
    return Assessment.objects.get(pk=draft.pk)


def test_the_first_save_records_the_language_the_respondent_reads_the_portal_in(respondent, draft):
    with translation.override("es"):
        services.assessment_save(
            assessment=draft, user=respondent, base_version=1, values={"r1-status": "ongoing"}
        )
    with translation.override("fr"):
        services.assessment_save(
            assessment=draft, user=respondent, base_version=2, values={"r1-focus": True}
        )
    assert stored(draft).language == "es"  # the first save's; a later reader changes nothing


def test_choosing_the_language_changes_no_answer_and_no_version(respondent, draft):
    assert services.assessment_language_set(assessment=draft, user=respondent, language="ar")
    assessment = stored(draft)
    assert (assessment.language, assessment.version) == ("ar", 1)
    assert not assessment.events.exclude(kind="create").exists()
    with pytest.raises(ValueError):
        services.assessment_language_set(assessment=draft, user=respondent, language="de")


def test_the_form_asks_which_language_the_answers_are_written_in(client_of, respondent, draft):
    client = client_of(respondent)
    client.post(reverse("set_language"), {"language": "fr"})
    html = client.get(url("assessment_form", draft)).content.decode()
    assert '<select name="answers_language" id="id_answers_language">' in html
    # Not chosen yet: the language of the page, which the first save records.
    assert '<option value="fr" lang="fr" selected>Français</option>' in html
    assert '<option value="ar" lang="ar">العربية</option>' in html


def test_an_autosave_carries_the_language_alone_or_with_answers(client_of, respondent, draft):
    client = client_of(respondent)
    alone = client.post(
        url("assessment_autosave", draft), {"version": "1", "answers_language": "ru"}
    )
    assert alone.status_code == 200
    assert alone.json()["saved"] == ["answers_language"]
    assert (stored(draft).language, stored(draft).version) == ("ru", 1)
    both = client.post(
        url("assessment_autosave", draft),
        {"version": "1", "answers_language": "zh-hans", "r1-status_comment": "试点项目"},
    )
    assert both.json()["saved"] == ["answers_language", "r1-status_comment"]
    assert (stored(draft).language, stored(draft).version) == ("zh-hans", 2)


def test_an_autosave_refuses_a_language_the_portal_does_not_speak_and_keeps_the_answers(
    client_of, respondent, draft
):
    response = client_of(respondent).post(
        url("assessment_autosave", draft),
        {"version": "1", "answers_language": "de", "r1-status": "ongoing"},
    )
    assert response.status_code == 200
    assert list(response.json()["refused"]) == ["answers_language"]
    assert response.json()["saved"] == ["r1-status"]
    assert stored(draft).language == "en"  # the first save's


def test_the_whole_form_saves_the_language_too(client_of, respondent, draft):
    client_of(respondent).post(
        url("assessment_form", draft), {"version": "1", "answers_language": "ar"}
    )
    assert stored(draft).language == "ar"


def test_another_office_cannot_set_the_language(client_of, outsider, draft):
    response = client_of(outsider).post(
        url("assessment_autosave", draft), {"version": "1", "answers_language": "ar"}
    )
    assert response.status_code in (403, 404)
    assert stored(draft).language == ""


def test_an_anonymous_visitor_cannot_set_the_language(client, draft):
    response = client.post(
        url("assessment_autosave", draft), {"version": "1", "answers_language": "ar"}
    )
    assert response.status_code == 401
    assert stored(draft).language == ""


def test_a_submitted_assessment_keeps_its_language(client_of, respondent, submitted):
    language = stored(submitted).language
    response = client_of(respondent).post(
        url("assessment_autosave", submitted), {"version": "3", "answers_language": "ar"}
    )
    assert response.status_code == 403
    assert stored(submitted).language == language


def test_a_reader_sees_each_comment_marked_with_its_language(client_of, viewer, respondent, draft):
    services.assessment_save(
        assessment=draft,
        user=respondent,
        base_version=1,
        values={"r1-status_comment": "Le portail IPAS est en service.", "proposals": "Plus"},
    )
    services.assessment_language_set(assessment=draft, user=respondent, language="fr")
    html = client_of(viewer).get(url("assessment_form", draft)).content.decode()
    assert '<div lang="fr" dir="auto">Le portail IPAS est en service.</div>' in html
    assert '<div lang="fr" dir="auto">Plus</div>' in html
