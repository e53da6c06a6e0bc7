"""Reads of the roadmap: who may open it, what it starts from, and its figures."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone

from assessments.models import Assessment
from assessments.submissions import submitted_answers
from portal.offices.models import MemberRole, Office
from portal.permissions import office_role
from practices.models import Practice
from recommendations.models import Framework, Recommendation, RecommendedAction
from roadmap.models import Roadmap, RoadmapAction, RoadmapEvent


@dataclass
class RoadmapPlace:
    """An office's roadmap as one person may see it."""

    office: Office
    role: str  # "respondent", "viewer", "colead" or "secretariat"
    roadmap: Roadmap | None

    @property
    def can_edit(self) -> bool:
        return self.role == MemberRole.RESPONDENT


def roadmap_place(user, code: str) -> RoadmapPlace:
    """The office behind ``/offices/<code>/roadmap/``, or 404 (for the pages and the API).

    The office's people read it and its respondents change it, all year. Co-leads and the
    secretariat read every office's roadmap, as they read every submission: the per-
    recommendation figures they are shown rest on these actions. Anyone else gets a 404, which
    does not even confirm that the office has a roadmap.
    """
    office, role = office_role(user, code)
    return RoadmapPlace(
        office=office, role=role, roadmap=Roadmap.objects.filter(office=office).first()
    )


@dataclass
class Basis:
    """Where the roadmap starts from: the levels of the office's latest submission."""

    year: int | None
    framework: Framework
    levels: dict[int, tuple[int | None, int | None]]  # number: (current, target)


def roadmap_basis(office: Office) -> Basis:
    """The current and target levels of the office's latest submitted assessment, as it was
    submitted (a reopened one counts as submitted until it is submitted again, as everywhere
    else), so that the office, co-leads and the secretariat see the same starting point.
    Without any submission yet the roadmap starts from the current framework, with no gaps.
    """
    latest = (
        Assessment.objects.filter(office=office, submitted_at__isnull=False)
        .select_related("cycle__framework")
        .order_by("-cycle__year")
        .first()
    )
    if latest is None:
        return Basis(year=None, framework=Framework.objects.current(), levels={})
    answers = submitted_answers(Assessment.objects.filter(pk=latest.pk))
    levels = {
        answer.recommendation.number: (answer.maturity_current, answer.maturity_target)
        for answer in answers
    }
    return Basis(year=latest.cycle.year, framework=latest.cycle.framework, levels=levels)


def has_gap(current: int | None, target: int | None) -> bool:
    return current is not None and target is not None and target > current


@dataclass(frozen=True)
class PracticeLink:
    """A practice an action links to, as the reader may see it: ``practice`` is None when
    they may not open it (withdrawn, or never shared with them), so that neither a broken
    link nor its title is shown."""

    pk: int
    practice: Practice | None

    @property
    def available(self) -> bool:
        return self.practice is not None


def actions_of(roadmap: Roadmap | None, user=None) -> list[RoadmapAction]:
    """The roadmap's actions; each with ``links`` (``PracticeLink``) as ``user`` may see
    them (none may be opened without a user). Three queries, however many links."""
    if roadmap is None:
        return []
    actions = list(
        roadmap.actions.select_related("recommendation", "recommended_action")
        .prefetch_related(
            Prefetch("practices", queryset=Practice.objects.select_related("office").order_by())
        )
        .order_by("recommendation__number", "due_on", "pk")
    )
    linked = {practice.pk for action in actions for practice in action.practices.all()}
    readable = (
        set(Practice.objects.readable_by(user).filter(pk__in=linked).values_list("pk", flat=True))
        if linked and user is not None
        else set()
    )
    for action in actions:
        action.links = [
            PracticeLink(practice.pk, practice if practice.pk in readable else None)
            for practice in sorted(
                action.practices.all(), key=lambda practice: (practice.office.code, practice.pk)
            )
        ]
    return actions


@dataclass
class Row:
    recommendation: Recommendation
    current: int | None
    target: int | None
    actions: list = field(default_factory=list)

    @property
    def gap(self) -> bool:
        return has_gap(self.current, self.target)


def roadmap_rows(basis: Basis, actions: list[RoadmapAction]) -> list[Row]:
    """A row for each recommendation whose target is above its level, and for any other
    that has actions already (a target reached, or one set in an older submission)."""
    by_number = defaultdict(list)
    for action in actions:
        by_number[action.recommendation.number].append(action)
    rows = []
    if basis.framework is None:
        return rows
    recommendations = basis.framework.recommendations.prefetch_related(
        Prefetch("actions", queryset=RecommendedAction.objects.order_by("position"))
    ).order_by("number")
    for recommendation in recommendations:
        current, target = basis.levels.get(recommendation.number, (None, None))
        if has_gap(current, target) or by_number.get(recommendation.number):
            rows.append(
                Row(recommendation, current, target, by_number.get(recommendation.number, []))
            )
    return rows


@dataclass(frozen=True)
class Share:
    """``count`` of ``of`` actions done by their due date; ``percent`` is None when ``of``
    is 0 (no figure rather than a misleading 0 %)."""

    count: int
    of: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.count / self.of) if self.of else None


def _settled(today: datetime.date) -> Q:
    """The actions whose outcome is known: done (on time or late), or still open past their
    due date (late). Dropped ones, and open ones not due yet, are not counted either way."""
    open_statuses = [RoadmapAction.Status.PLANNED, RoadmapAction.Status.IN_PROGRESS]
    return Q(status=RoadmapAction.Status.DONE) | Q(status__in=open_statuses, due_on__lt=today)


ON_TIME = Q(status=RoadmapAction.Status.DONE, done_on__lte=F("due_on"))


def done_by_due_date(roadmap: Roadmap | None, today: datetime.date | None = None) -> Share:
    """The office's own share of planned actions done by their due date (its page only)."""
    if roadmap is None:
        return Share(0, 0)
    today = today or timezone.localdate()
    figures = roadmap.actions.filter(_settled(today)).aggregate(
        of=Count("pk"), count=Count("pk", filter=ON_TIME)
    )
    return Share(figures["count"], figures["of"])


@dataclass(frozen=True)
class RecommendationShare:
    version: str
    number: int
    short_title: str
    offices: int
    actions: int
    dropped: int
    share: Share


def done_by_due_date_by_recommendation(
    today: datetime.date | None = None,
) -> list[RecommendationShare]:
    """For co-leads and the secretariat, who read every office's roadmap: per recommendation
    (of each framework version), how many offices plan actions, and the share done by the
    due date. One query."""
    today = today or timezone.localdate()
    rows = (
        RoadmapAction.objects.order_by()
        .values(
            "recommendation__framework__version",
            "recommendation__number",
            "recommendation__short_title",
        )
        .annotate(
            offices=Count("roadmap__office", distinct=True),
            actions=Count("pk"),
            dropped=Count("pk", filter=Q(status=RoadmapAction.Status.DROPPED)),
            of=Count("pk", filter=_settled(today)),
            count=Count("pk", filter=_settled(today) & ON_TIME),
        )
        .order_by("-recommendation__framework__version", "recommendation__number")
    )
    return [
        RecommendationShare(
            version=row["recommendation__framework__version"],
            number=row["recommendation__number"],
            short_title=row["recommendation__short_title"],
            offices=row["offices"],
            actions=row["actions"],
            dropped=row["dropped"],
            share=Share(row["count"], row["of"]),
        )
        for row in rows
    ]


def history(roadmap: Roadmap | None):
    if roadmap is None:
        return RoadmapEvent.objects.none()
    return roadmap.events.select_related("user").order_by("-version", "-pk")


def practice_names(user, events) -> dict[int, str]:
    """The practices named in these history entries that ``user`` may open, by id, as
    "code: title"; the others are left out (the history does not keep titles, so a
    withdrawn practice's is not shown to whoever may no longer see it). One query."""
    ids = {
        pk
        for event in events
        for change in event.changes
        if change["field"] == "practices"
        for pk in (change["old"] or []) + (change["new"] or [])
    }
    if not ids:
        return {}
    return {
        practice.pk: f"{practice.office.code}: {practice.title}"
        for practice in Practice.objects.readable_by(user)
        .filter(pk__in=ids)
        .select_related("office")
    }


@dataclass
class LastYear:
    """Beside a recommendation in next year's form: last year's levels and what was done."""

    year: int
    current: int | None
    target: int | None
    done: list[str]


def last_year_notes(office: Office, year: int) -> dict[int, LastYear]:
    """By recommendation number: the target the office set in its latest submission before
    ``year``, and the roadmap's actions done since that submission. Numbers are matched as
    within one framework version (a version that renumbers needs its crosswalk first).
    Two queries."""
    previous = (
        Assessment.objects.filter(office=office, submitted_at__isnull=False, cycle__year__lt=year)
        .select_related("cycle")
        .order_by("-cycle__year")
        .first()
    )
    notes: dict[int, LastYear] = {}
    if previous is not None:
        for answer in submitted_answers(Assessment.objects.filter(pk=previous.pk)):
            notes[answer.recommendation.number] = LastYear(
                previous.cycle.year, answer.maturity_current, answer.maturity_target, []
            )
    done = RoadmapAction.objects.filter(
        roadmap__office=office, status=RoadmapAction.Status.DONE
    ).select_related("recommendation", "recommended_action")
    if previous is not None:
        # What moved the office since it set that target, not every action of past years.
        done = done.filter(done_on__gte=timezone.localdate(previous.submitted_at))
    for action in done.order_by("done_on", "pk"):
        number = action.recommendation.number
        if number not in notes:
            notes[number] = LastYear(previous.cycle.year if previous else year - 1, None, None, [])
        notes[number].done.append(action.label)
    return notes
