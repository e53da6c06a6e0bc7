"""The office summary: one office's submitted answers of a cycle, its maturity profile beside
the anonymised figures of its peers, and the change since its previous submission (PDF).

It is the office's own document: its comments marked "not for publication" are in it, labelled
as such. Nothing of another office is in it but the figures published for offices that this
office may see (``kpi.privacy``), as on the web benchmark page (``kpi.views.office_benchmark``).
"""

import math
from dataclasses import dataclass, field

from django.db.models import Subquery
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Answer, Assessment, Cycle
from assessments.questionnaire import TEXT_ANSWERS
from assessments.selectors import recommendations_with_levels
from assessments.submissions import submitted_answers, submitted_assessments
from exports.output import Output, Progress, no_progress, read_consistently
from exports.pdf import render_pdf
from kpi import charts, privacy
from kpi import selectors as kpi_selectors
from kpi.engine import FLAGS, one_decimal
from kpi.privacy import MIN_GROUP
from portal.offices.models import Office, OfficeType, Region
from roadmap.models import Roadmap
from roadmap.selectors import Basis, actions_of, done_by_due_date, roadmap_layout

COMMENT_FIELDS = TEXT_ANSWERS
STATUS_COLORS = dict(zip(charts.STATUS_KEYS, charts.STATUS_COLORS, strict=True))
# Rows of one maturity chart: a drawing cannot break across pages, so a longer profile is
# drawn as several charts, each of whole recommendations.
CHART_ROWS = 30


def comment_labels() -> dict[str, str]:
    return {
        "status_comment": _("Comment on the implementation status (Q3)"),
        "focus_comment": _("Related projects (Q4)"),
        "low_priority_comment": _("Why it is a low priority (Q5)"),
        "challenge_comment": _("Why it is a big implementation challenge (Q6)"),
        "evidence": _("Evidence of the maturity level"),
    }


@dataclass
class Comment:
    label: str
    text: str
    private: bool


@dataclass
class AnswerRow:
    recommendation: object
    answer: Answer | None
    status: str  # the label, "Not answered" included
    status_color: str
    flags: list[bool | None]
    current: str
    target: str
    comments: list[Comment] = field(default_factory=list)
    evidence_url: str = ""


@dataclass
class PeerGroup:
    label: str
    figures: dict | None  # None: not shown to offices (kpi.privacy)
    hidden_note: str


@dataclass
class ChangeRow:
    recommendation: object
    status_before: str
    status_now: str
    level_before: int | None
    level_now: int | None

    @property
    def status_changed(self) -> bool:
        return self.status_before != self.status_now

    @property
    def level_change(self) -> int | None:
        if self.level_before is None or self.level_now is None:
            return None
        return self.level_now - self.level_before

    @property
    def change_text(self) -> str:
        change = self.level_change
        if change is None:
            return "–"
        if change == 0:
            return _("same")
        return f"+{change}" if change > 0 else f"−{-change}"


def _status_label(answer: Answer | None) -> str:
    if answer is None or not answer.status:
        return _("Not answered")
    return answer.get_status_display()


def _level_label(level: int | None, names: dict[int, str]) -> str:
    if level is None:
        return "–"
    name = names.get(level)
    return f"{level} – {name}" if name else str(level)


def maturity_index(answers: dict[int, Answer]) -> float | None:
    """The mean current level over the recommendations the office gave a level for."""
    levels = [a.maturity_current for a in answers.values() if a.maturity_current is not None]
    return one_decimal(sum(levels) / len(levels)) if levels else None


def _answer_rows(recommendations, answers: dict[int, Answer]) -> list[AnswerRow]:
    labels = comment_labels()
    rows = []
    for recommendation in recommendations:
        answer = answers.get(recommendation.number)
        names = {level.level: level.name for level in recommendation.levels.all()}
        row = AnswerRow(
            recommendation=recommendation,
            answer=answer,
            status=_status_label(answer),
            status_color=STATUS_COLORS.get(answer.status if answer else "", STATUS_COLORS[""]),
            flags=[getattr(answer, flag) if answer else None for flag in FLAGS],
            current=_level_label(answer.maturity_current if answer else None, names),
            target=_level_label(answer.maturity_target if answer else None, names),
        )
        if answer is not None:
            for name in COMMENT_FIELDS:
                text = getattr(answer, name)
                if text.strip():
                    row.comments.append(
                        Comment(labels[name], text, getattr(answer, f"{name}_private"))
                    )
            row.evidence_url = answer.evidence_url
        rows.append(row)
    return rows


def peer_groups(view: privacy.OfficeView, office: Office) -> list[PeerGroup]:
    """All respondents, the office's region and its office type, as the benchmark page has
    them: the figures published for offices that this office may see, or why not."""
    region = Region(office.region).label if office.region in Region.values else _("Unknown")
    kind = {
        OfficeType.NATIONAL: _("National offices"),
        OfficeType.REGIONAL: _("Regional offices"),
    }.get(office.office_type, _("Unknown"))
    labels = [_("All responding offices"), region, kind]
    return [
        PeerGroup(label, peer.figures, peer.note)
        for label, peer in zip(labels, view.groups, strict=True)
    ]


def _fit(text: str, suffix: str = "", limit: int = charts.LABEL_CHARS) -> str:
    """A chart label with its ``suffix``; the renderer wraps it whole (``limit`` is kept for
    callers, nothing is cut any more)."""
    return text + suffix


def profile_charts(recommendations, answers, groups: list[PeerGroup], code: str) -> list[str]:
    """The office's current level per recommendation, each followed by the mean level of every
    group shown; split into as few charts of about CHART_ROWS rows as needed (one page each)."""
    shown = [group for group in groups if group.figures]
    means = [
        {entry["number"]: entry["maturity"]["mean"] for entry in group.figures["recommendations"]}
        for group in shown
    ]
    no_level = " " + _("(no level)")
    per_recommendation = []
    for recommendation in recommendations:
        answer = answers.get(recommendation.number)
        level = answer.maturity_current if answer else None
        title = f"{recommendation.number}. {recommendation.short_title}"
        rows = [(_fit(title, "" if level is not None else no_level), level or 0, True)]
        for group, group_means in zip(shown, means, strict=True):
            mean = group_means.get(recommendation.number)
            if mean is not None:  # no office of the group gave a level: nothing to draw
                # An em space indents the groups under their recommendation (SVG keeps it).
                rows.append((_fit("\u2003" + group.label), mean, False))
        per_recommendation.append((recommendation.number, rows))
    if not any(value for _number, rows in per_recommendation for _label, value, _own in rows):
        return []  # no level at all (a survey without the maturity matrix)

    # As few charts as fit, with the recommendations shared out evenly between them.
    count = math.ceil(sum(len(rows) for _number, rows in per_recommendation) / CHART_ROWS) or 1
    chunk_size = math.ceil(len(per_recommendation) / count) or 1
    chunks = [
        per_recommendation[start : start + chunk_size]
        for start in range(0, len(per_recommendation), chunk_size)
    ]
    svgs = []
    for index, chunk in enumerate(chunks, 1):
        rows = [row for _number, chunk_rows in chunk for row in chunk_rows]
        title = _("Maturity profile")
        if len(chunks) > 1:
            title = _("Maturity profile, recommendations %(first)s to %(last)s") % {
                "first": chunk[0][0],
                "last": chunk[-1][0],
            }
        svgs.append(
            charts.bars(
                chart_id=f"maturity-profile-{index}",
                title=title,
                description=_(
                    "For each recommendation, the office's current maturity level (1 to 5) "
                    "followed by the mean current level of each group of offices shown."
                ),
                categories=[label for label, _value, _own in rows],
                values=[value for _label, value, _own in rows],
                max_value=5,
                unit="",
                decimals=1,
                highlight={i for i, (_label, _value, own) in enumerate(rows) if own},
                highlight_label=_("%(code)s, current level") % {"code": code},
            )
        )
    return svgs


def _profile_rows(recommendations, answers, groups: list[PeerGroup]) -> list[dict]:
    by_number = [
        {entry["number"]: entry for entry in group.figures["recommendations"]}
        if group.figures
        else {}
        for group in groups
    ]
    rows = []
    for recommendation in recommendations:
        answer = answers.get(recommendation.number)
        entries = [entries.get(recommendation.number) for entries in by_number]
        distribution = None
        if entries[0]:
            levels = entries[0]["maturity"]["distribution"]
            distribution = [levels[str(level)] for level in range(1, 6)]
        rows.append(
            {
                "recommendation": recommendation,
                "current": answer.maturity_current if answer else None,
                "target": answer.maturity_target if answer else None,
                "means": [
                    entry["maturity"]["mean"] if entry else None
                    for entry, group in zip(entries, groups, strict=True)
                    if group.figures
                ],
                "distribution": distribution,
            }
        )
    return rows


def _change_rows(recommendations, answers, previous_answers) -> list[ChangeRow]:
    return [
        ChangeRow(
            recommendation=recommendation,
            status_before=_status_label(previous_answers.get(recommendation.number)),
            status_now=_status_label(answers.get(recommendation.number)),
            level_before=getattr(
                previous_answers.get(recommendation.number), "maturity_current", None
            ),
            level_now=getattr(answers.get(recommendation.number), "maturity_current", None),
        )
        for recommendation in recommendations
    ]


def roadmap_summary(
    cycle: Cycle, office: Office, answers: dict[int, Answer], recommendations
) -> dict:
    """The office's roadmap as it stands today (it is kept all year, not per cycle): the
    recommendations whose target in this submission is above the level, and any other that
    has actions, as on the roadmap page (``roadmap.selectors.roadmap_rows``), with the
    office's own share of actions done by their due date."""
    roadmap = Roadmap.objects.filter(office=office).first()
    actions = actions_of(roadmap, as_office=True)
    if not actions:
        return {"rows": [], "retired": [], "share": None, "as_of": timezone.localdate()}
    basis = Basis(
        year=cycle.year,
        framework=cycle.framework,
        levels={
            number: (answer.maturity_current, answer.maturity_target)
            for number, answer in answers.items()
        },
    )
    layout = roadmap_layout(basis, actions, recommendations)
    return {
        "rows": layout.rows,
        # Actions of recommendations this framework version retired: listed, nothing lost.
        "retired": layout.retired,
        "share": done_by_due_date(roadmap),
        "as_of": timezone.localdate(),
    }


def _as_submitted(assessments) -> tuple[Assessment | None, dict[int, Answer]]:
    """The latest of ``assessments`` that was submitted, as it was last submitted, with its
    answers by number: a reopened one is read as it was submitted and marked
    ``being_revised``, its draft edits left out, as every export reads it
    (assessments/submissions.py). Two queries; a reopened one's history is read too."""
    # Only the latest is read (and, if reopened, replayed), not every earlier submission.
    latest_pk = (
        assessments.filter(submitted_at__isnull=False).order_by("-cycle__year").values("pk")[:1]
    )
    found = submitted_assessments(
        Assessment.objects.filter(pk__in=Subquery(latest_pk)).select_related("cycle")
    )
    if not found:
        return None, {}
    latest = found[0]
    answers = submitted_answers(Assessment.objects.filter(pk=latest.pk))
    return latest, {answer.recommendation.number: answer for answer in answers}


def office_summary_html(*, cycle: Cycle, office: Office, progress: Progress = no_progress) -> str:
    # Its charts are for WeasyPrint only.
    with charts.drawn_for_print():
        return _office_summary_html(cycle=cycle, office=office, progress=progress)


def _office_summary_html(*, cycle: Cycle, office: Office, progress: Progress) -> str:
    assessment, answers = _as_submitted(Assessment.objects.filter(cycle=cycle, office=office))
    if assessment is None:
        raise ValueError(
            f"Office {office.code} has no submitted assessment in the {cycle.year} cycle: "
            "there is nothing to summarise."
        )
    recommendations = list(recommendations_with_levels(cycle))
    previous, previous_answers = _as_submitted(
        Assessment.objects.filter(office=office, cycle__year__lt=cycle.year)
    )

    progress(20, _("Comparing with other offices"))
    publication = kpi_selectors.office_view(cycle, office)
    groups = peer_groups(publication, office)
    answer_rows = _answer_rows(recommendations, answers)
    levels = [a.maturity_target for a in answers.values() if a.maturity_target is not None]
    return render_to_string(
        "pdf/office_summary.html",
        {
            "cycle": cycle,
            "office": office,
            "assessment": assessment,
            "region": groups[1].label,
            "office_type": OfficeType(office.office_type).label
            if office.office_type in OfficeType.values
            else _("Unknown"),
            "rows": answer_rows,
            "commented": [row for row in answer_rows if row.comments or row.evidence_url],
            "has_private": any(c.private for row in answer_rows for c in row.comments)
            or (assessment.proposals.strip() and assessment.proposals_private)
            or (assessment.other_comments.strip() and assessment.other_comments_private),
            "index": maturity_index(answers),
            "target_index": one_decimal(sum(levels) / len(levels)) if levels else None,
            "adopted": sum(
                1
                for a in answers.values()
                if a.status in (Answer.Status.IMPLEMENTED, Answer.Status.ONGOING)
            ),
            "groups": groups,
            "publication": publication,
            "shown_groups": [group for group in groups if group.figures],
            "hidden_groups": [group for group in groups if not group.figures],
            "show_distribution": groups[0].figures is not None,
            "charts": profile_charts(recommendations, answers, groups, office.code),
            "profile": _profile_rows(recommendations, answers, groups),
            "previous": previous,
            "previous_index": maturity_index(previous_answers) if previous else None,
            "changes": _change_rows(recommendations, answers, previous_answers) if previous else [],
            "min_group": MIN_GROUP,
            "roadmap": roadmap_summary(cycle, office, answers, recommendations),
        },
    )


def build_office_summary(
    *, cycle: Cycle, office: Office, progress: Progress = no_progress
) -> Output:
    """The summary PDF of ``office``'s submitted assessment of ``cycle``; ValueError if the
    office has not submitted in that cycle."""
    progress(5, _("Reading the answers"))
    html, answers, answers_hash = read_consistently(
        cycle,
        lambda: office_summary_html(cycle=cycle, office=office, progress=progress),
        office=office,
    )
    progress(40, _("Laying out the pages"))
    rendered = render_pdf(
        html,
        on_laid_out=lambda pages: progress(
            85, _("Writing the PDF (%(pages)s pages)") % {"pages": pages}
        ),
    )
    return Output(
        content=rendered.content,
        filename=f"{office.code}-{cycle.year}-summary.pdf",
        content_type="application/pdf",
        pages=rendered.pages,
        answers=answers,
        answers_hash=answers_hash,
    )
