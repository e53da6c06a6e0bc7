import datetime
import io

import pytest
from pypdf import PdfReader

from exports.annex import build_annex
from exports.output import submitted_versions
from exports.pdf import FetchRefused, StaticOnlyFetcher, render_pdf
from tests.factories import reopen_with_draft_edits

pytestmark = pytest.mark.django_db

DATE = datetime.date(2026, 3, 2)


def text_of(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    # Words as read, one space apart: line breaks depend on the layout, not on the content.
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    return text, len(reader.pages)


def build(cycle, symbol="CWS/14/8"):
    return build_annex(cycle=cycle, symbol=symbol, date=DATE)


def test_the_annex_lists_the_responding_offices_by_code_and_name(survey):
    text, _pages = text_of(build(survey).content)
    assert "Summary of survey responses on the 10 ICT recommendations for IP offices" in text
    assert "6 responding offices of 7 invited" in text
    offices = text.split("Responding offices")[2].split("Implementation status")[0]
    assert "AU IP Australia" in offices
    for code in ["NZ", "JP", "KR", "DE", "FR"]:
        assert f" {code} " in offices
    assert " EP " not in offices  # a draft is not a response


def test_each_question_has_its_table_of_counts_and_shares(survey):
    text, _pages = text_of(build(survey).content)
    status = text.split("Implementation status (Q2)")[2]
    # implemented, ongoing, decided, considering, not planned, not answered; then adoption
    # and commitment (6 respondents; shares rounded half up).
    assert (
        "1. Digital transformation 1 (17 %) 1 (17 %) 2 (33 %) 0 (0 %) 2 (33 %) 0 (0 %) "
        "2 (33 %) 4 (67 %)"
    ) in status
    for question in [
        "Current focus (Q4)",
        "Low priority (Q5)",
        "Big implementation challenge (Q6)",
        "To discuss at future meetings (Q8)",
        "Maturity",
    ]:
        assert question in text
    focus = text.split("Current focus (Q4)")[2]
    assert "1. Digital transformation 2 33 %" in focus


def test_comments_are_attributed_and_unpublished_ones_left_out(survey):
    text, _pages = text_of(build(survey).content)
    comments = text.split("Comments by recommendation")[2]
    assert "AU Fully digital filing since 2019." in comments
    assert "NZ Стратегия ИКТ утверждена." in comments
    assert "试点项目" in comments
    assert "Budget cuts" not in text


def test_pages_are_numbered_under_a_running_header(survey):
    content = build(survey).content
    text, pages = text_of(content)
    assert 8 <= pages <= 16
    assert f"page 2 of {pages}" in text
    assert text.count("CWS/14/8") >= pages - 1


def test_the_same_answers_give_the_same_annex(survey):
    first, second = build(survey), build(survey)
    assert first.content == second.content
    assert first.answers_hash == second.answers_hash == submitted_versions(survey)[1]
    assert first.answers == {"AU": 1, "DE": 1, "FR": 1, "JP": 1, "KR": 1, "NZ": 1}


def test_a_reopened_submission_stays_in_the_annex_as_submitted(
    survey, office, secretariat, respondent
):
    before = build(survey)
    assessment = reopen_with_draft_edits(
        survey.assessments.get(office=office),
        secretariat=secretariat,
        respondent=respondent,
        **{"r1-status": "not_planned", "r1-status_comment": "Work in progress.", "r3-focus": True},
    )
    during = build(survey)
    assert during.content == before.content
    assert (during.answers_hash, during.answers) == (before.answers_hash, before.answers)
    assert "Work in progress." not in text_of(during.content)[0]

    # Submitted again, the revision is the new answer.
    assessment.status = "submitted"
    assessment.save()
    after = build(survey)
    assert after.answers_hash != before.answers_hash
    assert "Work in progress." in text_of(after.content)[0]


def test_an_empty_survey_still_gives_a_readable_annex(office):
    from tests.factories import make_cycle

    text, pages = text_of(build(make_cycle(2024, offices=[office])).content)
    assert "No office submitted an assessment in this cycle." in text
    assert pages >= 2


def test_building_the_annex_reads_a_bounded_number_of_queries(
    survey, django_assert_max_num_queries
):
    with django_assert_max_num_queries(25):
        build(survey)


def test_the_renderer_fetches_only_the_portals_static_files(settings):
    fetcher = StaticOnlyFetcher()
    assert b"@page" in fetcher.fetch("https://portal.invalid/static/css/pdf.css").read()
    for url in [
        "file:///etc/passwd",
        "https://portal.invalid/static/../portal/settings.py",
        "https://portal.invalid/media/exports/other.pdf",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/logo.png",
        "data:text/plain,hello",
    ]:
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)


def test_markup_in_office_text_is_printed_not_run(survey, office):
    answer = survey.assessments.get(office=office).answers.get(recommendation__number=1)
    answer.status_comment = '<img src="file:///etc/passwd"> & <b>bold</b>'
    answer.save()
    text, _pages = text_of(build(survey).content)
    assert '<img src="file:///etc/passwd"> & <b>bold</b>' in text


def test_a_refused_resource_leaves_the_rest_of_the_document():
    rendered = render_pdf('<p>Before</p><img src="file:///etc/passwd"><p>After</p>')
    text, pages = text_of(rendered.content)
    assert "Before" in text and "After" in text and pages == 1
