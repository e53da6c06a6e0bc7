"""The committee annex: the survey's results as a WIPO committee document annex (PDF)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from assessments.models import Assessment, Cycle
from assessments.questionnaire import TEXT_ANSWERS
from assessments.submissions import submitted_answers, submitted_assessments
from exports.output import Output, Progress, no_progress, read_consistently
from exports.pdf import render_pdf
from feedback.models import Feedback
from feedback.selectors import published_feedback
from kpi import charts, dashboard
from kpi.services import cycle_kpis

COMMENT_FIELDS = TEXT_ANSWERS


def comment_labels() -> dict[str, str]:
    return {
        "status_comment": _("Comments on the implementation status (Q3)"),
        "focus_comment": _("Related projects of offices for which it is a focus (Q4)"),
        "low_priority_comment": _("Why it is a low priority (Q5)"),
        "challenge_comment": _("Why it is a big implementation challenge (Q6)"),
        "evidence": _("Evidence of the maturity level"),
    }


@dataclass
class Comment:
    code: str
    text: str
    # The language its office writes in ("" when not known): the annex marks it.
    language: str = ""


def published_comments(cycle: Cycle, numbers: list[int]) -> list[dict]:
    """The comments per recommendation and question, attributed by ST.3 code, without any
    text its office marked "not for publication"; as last submitted."""
    rows = [
        (
            answer.recommendation.number,
            answer.assessment.office.code,
            answer.assessment.language,
            *(
                getattr(answer, name)
                for field in COMMENT_FIELDS
                for name in (field, f"{field}_private")
            ),
        )
        for answer in submitted_answers(Assessment.objects.filter(cycle=cycle))
    ]
    rows.sort(key=lambda row: (row[0], row[1]))
    found: dict[int, dict[str, list[Comment]]] = {n: {} for n in numbers}
    for number, code, language, *values in rows:
        for index, field in enumerate(COMMENT_FIELDS):
            text, private = values[2 * index], values[2 * index + 1]
            if text.strip() and not private:
                found.setdefault(number, {}).setdefault(field, []).append(
                    Comment(code, text, language)
                )
    labels = comment_labels()
    return [
        {
            "number": number,
            "questions": [
                {"label": labels[field], "comments": found[number][field]}
                for field in COMMENT_FIELDS
                if found[number].get(field)
            ],
        }
        for number in numbers
    ]


def published_texts(cycle: Cycle, field: str) -> list[Comment]:
    rows = [
        (assessment.office.code, getattr(assessment, field), assessment.language)
        for assessment in submitted_assessments(
            Assessment.objects.filter(cycle=cycle).order_by("office__code")
        )
        if not getattr(assessment, f"{field}_private")
    ]
    return [Comment(code, text, language) for code, text, language in rows if text.strip()]


@dataclass
class FeedbackItem:
    kind: str
    text: str
    language: str
    status: str
    # Where it stands, in a sentence: the draft version it was taken into, or the reason it
    # was declined (written by the secretariat, in the language it chose).
    draft_version: str = ""
    decline_reason: str = ""
    from_survey: bool = False


def feedback_by_recommendation(year: int, framework) -> list[dict]:
    """The feedback on the recommendations received in ``year`` that may be published, grouped
    by recommendation (the framework as a whole first), each item with where its triage
    stands. Not attributed: a sender was told only that the task force reads it and that
    "not for publication" keeps it out of the committee's documents, never that the
    office would be named. A text is shown as written; its language is known only when it
    came through the survey (the assessment's language)."""
    groups: dict[tuple, dict] = {}
    for item in published_feedback(year):
        recommendation = item.recommendation
        key = (item.framework.version, recommendation.number if recommendation else 0)
        if key not in groups:
            groups[key] = {
                "recommendation": recommendation,
                # Feedback on an earlier framework version says which one it is about.
                "version": item.framework.version if item.framework_id != framework.pk else "",
                "items": [],
            }
        groups[key]["items"].append(
            FeedbackItem(
                kind=item.get_kind_display(),
                text=item.text,
                language=item.assessment.language if item.assessment else "",
                status=item.status,
                draft_version=item.draft_version,
                decline_reason=item.decline_reason,
                from_survey=item.source == Feedback.Source.SURVEY,
            )
        )
    # The cycle's framework first, then any other version.
    return sorted(groups.values(), key=lambda group: bool(group["version"]))


def annex_html(*, cycle: Cycle, symbol: str, date: datetime.date) -> tuple[str, dict]:
    """The annex as HTML, and the KPI document it shows."""
    # The roadmaps' actions are read as on the annex's date, so that the same date gives
    # the same figures whenever the annex is built.
    document = cycle_kpis(cycle, today=date)
    recommendations = list(cycle.framework.recommendations.order_by("number"))
    numbers = [r.number for r in recommendations]
    titles = {r.number: r for r in recommendations}
    respondents = (
        Assessment.objects.filter(cycle=cycle, submitted_at__isnull=False)
        .order_by("office__code")
        .values_list("office__code", "office__name")
    )
    comments = published_comments(cycle, numbers)
    for entry in comments:
        entry["recommendation"] = titles[entry["number"]]
    with charts.drawn_for_print():
        panels = (
            dashboard.panels(document, recommendations, attainment=True)
            if document["respondents"]
            else []
        )
    html = render_to_string(
        "pdf/annex.html",
        {
            "cycle": cycle,
            "symbol": symbol,
            "date": date,
            "document": document,
            "offices": list(respondents),
            "panels": panels,
            "signalled": [
                r
                for r, e in zip(recommendations, document["recommendations"], strict=False)
                if e["priority_signal"]
            ],
            "recommendations": recommendations,
            "comments": comments,
            "proposals": published_texts(cycle, "proposals"),
            "other_comments": published_texts(cycle, "other_comments"),
            "feedback": feedback_by_recommendation(cycle.year, cycle.framework),
        },
    )
    return html, document


def build_annex(
    *,
    cycle: Cycle,
    symbol: str,
    date: datetime.date,
    language: str = "en",
    progress: Progress = no_progress,
) -> Output:
    """The committee annex of ``cycle``. Built twice from unchanged answers with the same
    symbol and date, it gives the same bytes."""
    with translation.override(language):
        progress(5, _("Counting the answers"))
        (html, _document), answers, answers_hash = read_consistently(
            cycle, lambda: annex_html(cycle=cycle, symbol=symbol, date=date)
        )
        progress(30, _("Laying out the pages"))
        rendered = render_pdf(
            html,
            on_laid_out=lambda pages: progress(
                85, _("Writing the PDF (%(pages)s pages)") % {"pages": pages}
            ),
        )
    slug = symbol.replace("/", "-").replace(" ", "") or "annex"
    # The annex in another language than the site's is told apart by its name too.
    suffix = "" if language == settings.LANGUAGE_CODE else f"-{language}"
    return Output(
        content=rendered.content,
        filename=f"{slug}-annex-{cycle.year}{suffix}.pdf",
        content_type="application/pdf",
        pages=rendered.pages,
        answers=answers,
        answers_hash=answers_hash,
    )
