"""Reads of the roadmap: who may open it, what it starts from, and its figures."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone

from assessments.models import Assessment
from assessments.selectors import latest_submission_before
from assessments.submissions import submitted_answers, submitted_levels
from kpi.engine import percent
from portal.offices.models import MemberRole, Office
from portal.permissions import office_role
from practices.models import Practice
from recommendations.crosswalk import Crosswalk, carry_office
from recommendations.models import Framework, Recommendation, RecommendedAction
from recommendations.selectors import crosswalk_between
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
    roadmap = Roadmap.objects.filter(office=office).first()
    if roadmap is not None:
        roadmap.office = office  # read already, with the person's role
    return RoadmapPlace(office=office, role=role, roadmap=roadmap)


@dataclass
class Basis:
    """Where the roadmap starts from: the levels of the office's latest submission, in the
    numbering of ``framework`` (``crosswalk`` says how, when the submission answered an
    older version)."""

    year: int | None
    framework: Framework
    levels: dict[int, tuple[int | None, int | None]]  # number: (current, target)
    crosswalk: Crosswalk | None = None

    @property
    def across_versions(self) -> bool:
        return self.crosswalk is not None and not self.crosswalk.is_identity


def _levels_across(walk: Crosswalk, levels: dict) -> dict:
    """Levels by old number to levels by new number, by the crosswalk's one rule (a merged
    recommendation has the lowest level and the lowest target of its parts)."""
    answers = {
        number: {"maturity_current": current, "maturity_target": target}
        for number, (current, target) in levels.items()
    }
    return {
        number: (answer.get("maturity_current"), answer.get("maturity_target"))
        for number, answer in carry_office(walk, answers).items()
    }


def roadmap_basis(office: Office) -> Basis:
    """The current and target levels of the office's latest submitted assessment, as it was
    submitted (a reopened one counts as submitted until it is submitted again, as everywhere
    else), so that the office, co-leads and the secretariat see the same starting point.

    The framework is that of the office's latest assessment, submitted or not: once the
    office opens a cycle with a new framework version, its roadmap is in that version's
    numbering, with last year's levels carried through the crosswalk (docs/roadmap.md).
    Without any submission yet the roadmap starts from that framework (else the current
    one), with no gaps.
    """
    assessments = Assessment.objects.filter(office=office).select_related("cycle__framework")
    latest = assessments.order_by("-cycle__year").first()
    if latest is None:
        return Basis(year=None, framework=Framework.objects.current(), levels={})
    submitted = (
        latest
        if latest.submitted_at is not None
        else assessments.filter(submitted_at__isnull=False).order_by("-cycle__year").first()
    )
    if submitted is None:
        return Basis(year=None, framework=latest.cycle.framework, levels={})
    answers = submitted_answers(Assessment.objects.filter(pk=submitted.pk))
    levels = {
        answer.recommendation.number: (answer.maturity_current, answer.maturity_target)
        for answer in answers
    }
    framework, walk = submitted.cycle.framework, None
    if latest.cycle.framework_id != framework.pk:
        walk = crosswalk_between(framework, latest.cycle.framework)
        if walk is not None:
            # A framework the new one does not continue keeps the submission's own.
            framework, levels = latest.cycle.framework, _levels_across(walk, levels)
    return Basis(year=submitted.cycle.year, framework=framework, levels=levels, crosswalk=walk)


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


def actions_of(
    roadmap: Roadmap | None, user=None, *, as_office: bool = False
) -> list[RoadmapAction]:
    """The roadmap's actions; each with ``links`` (``PracticeLink``) as ``user`` may see
    them, or, ``as_office``, as the roadmap's office may (its own document, the office
    summary, read by no one person); none may be opened otherwise. Three queries, however
    many links."""
    if roadmap is None:
        return []
    actions = list(
        roadmap.actions.select_related(
            "recommendation__framework", "recommended_action", "carried_from__framework"
        )
        .prefetch_related(
            Prefetch("practices", queryset=Practice.objects.select_related("office").order_by())
        )
        .order_by("recommendation__number", "due_on", "pk")
    )
    linked = {practice.pk for action in actions for practice in action.practices.all()}
    if as_office:
        from practices.selectors import visible_to_office

        visible = visible_to_office(roadmap.office_id)
    elif user is not None:
        visible = Practice.objects.readable_by(user)
    else:
        visible = Practice.objects.none()
    readable = set(visible.filter(pk__in=linked).values_list("pk", flat=True)) if linked else set()
    for action in actions:
        action.links = [
            PracticeLink(practice.pk, practice if practice.pk in readable else None)
            for practice in sorted(
                action.practices.all(), key=lambda practice: (practice.office.code, practice.pk)
            )
        ]
    return actions


@dataclass(frozen=True)
class Origin:
    """An action planned for a recommendation of an older framework version: which one, and
    the other new recommendations that continue it when it was split."""

    number: int
    version: str
    also: tuple[int, ...] = ()


class Walks:
    """Crosswalks to one framework from the versions a roadmap's actions were planned in,
    each read once."""

    def __init__(self, framework: Framework):
        self.framework = framework
        self.read: dict[int, Crosswalk | None] = {}

    def targets(self, recommendation: Recommendation) -> tuple[int, ...] | None:
        """The numbers continuing ``recommendation`` in the framework (empty: retired;
        None: a framework that this one does not continue)."""
        return self.continuing(recommendation.framework, recommendation.number)

    def continuing(self, old: Framework, number: int) -> tuple[int, ...] | None:
        """``targets`` of recommendation ``number`` of framework ``old``."""
        if old.pk == self.framework.pk:
            return (number,)
        if old.pk not in self.read:
            self.read[old.pk] = crosswalk_between(old, self.framework)
        walk = self.read[old.pk]
        return None if walk is None else walk.targets(number)


def place_actions(framework: Framework, actions: list[RoadmapAction]):
    """Each action under the recommendation of ``framework`` that continues its own: by
    number, and those whose recommendation was retired (or belongs to a framework this one
    does not continue). An action planned or carried from an older version gets
    ``origin``; the others ``origin = None``. No query when every action is in
    ``framework`` and none was carried."""
    walks = Walks(framework)
    by_number: dict[int, list] = defaultdict(list)
    retired = []
    for action in actions:
        action.origin = None
        source = action.carried_from or action.recommendation
        if source.framework_id != framework.pk:
            targets = walks.targets(source) or ()
            action.origin = Origin(
                source.number,
                source.framework.version,
                tuple(n for n in targets if n != action.recommendation.number)
                if action.carried_from
                else targets[1:],
            )
        if action.recommendation.framework_id == framework.pk:
            by_number[action.recommendation.number].append(action)
            continue
        targets = walks.targets(action.recommendation)
        if targets:
            # Done and dropped actions stay on their old recommendation (history) and are
            # shown under the first new one that continues it, as open ones are carried.
            by_number[targets[0]].append(action)
        else:
            retired.append(action)
    return by_number, retired


@dataclass
class Row:
    recommendation: Recommendation
    current: int | None
    target: int | None
    actions: list = field(default_factory=list)

    @property
    def gap(self) -> bool:
        return has_gap(self.current, self.target)


@dataclass
class Layout:
    rows: list[Row]
    # Actions of recommendations the basis's framework retired: listed, so nothing is lost.
    retired: list[RoadmapAction]


def roadmap_layout(basis: Basis, actions: list[RoadmapAction], recommendations=None) -> Layout:
    """A row for each recommendation whose target is above its level, and for any other
    that has actions already (a target reached, or one set in an older submission); actions
    of older framework versions under the recommendation that continues theirs.
    ``recommendations``: the basis framework's, when the caller has read them already."""
    if basis.framework is None:
        return Layout([], [])
    by_number, retired = place_actions(basis.framework, actions)
    rows = []
    if recommendations is None:
        recommendations = basis.framework.recommendations.prefetch_related(
            Prefetch("actions", queryset=RecommendedAction.objects.order_by("position"))
        ).order_by("number")
    for recommendation in recommendations:
        current, target = basis.levels.get(recommendation.number, (None, None))
        mine = sorted(by_number.get(recommendation.number, []), key=lambda a: (a.due_on, a.pk))
        if has_gap(current, target) or mine:
            rows.append(Row(recommendation, current, target, mine))
    return Layout(rows, retired)


def roadmap_rows(basis: Basis, actions: list[RoadmapAction], recommendations=None) -> list[Row]:
    return roadmap_layout(basis, actions, recommendations).rows


@dataclass(frozen=True)
class Share:
    """``count`` of ``of`` actions done by their due date; ``percent`` is None when ``of``
    is 0 (no figure rather than a misleading 0 %)."""

    count: int
    of: int

    @property
    def percent(self) -> int | None:
        # Rounded half up, as every published percentage (kpi.engine).
        return percent(self.count, self.of) if self.of else None


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


def done_by_due_date_in_year(
    *, year: int, framework: Framework, today: datetime.date | None = None
) -> tuple[Share, dict[int, Share]]:
    """The cycle of ``year``'s share of planned actions done by their due date, over every
    office's roadmap: overall and by recommendation number (of ``framework``, the cycle's).

    Counted are the actions due within the year (1 January to 31 December) by the one rule
    above (``_settled``, ``ON_TIME``) as of ``today``: done ones (on time when done on or
    before the due date) and open ones past their due date (late); dropped ones and open
    ones not yet due are left out. An action planned for a recommendation of an earlier
    version counts under the one of ``framework`` that continues it (the first, when it was
    split), as the roadmap page shows it: done actions stay on their old recommendation when
    the open ones are carried. One of a retired recommendation, or of a version ``framework``
    does not descend from, is not counted. Once the year is over every open action in it is
    past due, so the figure changes only with the roadmaps. The overall share pools every
    counted action, whatever its office. One query, and one per earlier version met.
    """
    today = today or timezone.localdate()
    rows = (
        RoadmapAction.objects.filter(
            due_on__gte=datetime.date(year, 1, 1),
            due_on__lte=datetime.date(year, 12, 31),
        )
        .filter(_settled(today))
        .order_by()
        .values("recommendation__framework_id", "recommendation__number")
        .annotate(of=Count("pk"), count=Count("pk", filter=ON_TIME))
    )
    walks = Walks(framework)
    versions = Framework.objects.in_bulk({row["recommendation__framework_id"] for row in rows})
    counted: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        continuing = walks.continuing(
            versions[row["recommendation__framework_id"]], row["recommendation__number"]
        )
        if not continuing:
            continue
        number = continuing[0]
        counted[number][0] += row["count"]
        counted[number][1] += row["of"]
    by_number = {number: Share(count, of) for number, (count, of) in counted.items()}
    overall = Share(
        sum(share.count for share in by_number.values()),
        sum(share.of for share in by_number.values()),
    )
    return overall, by_number


def history(roadmap: Roadmap | None):
    if roadmap is None:
        return RoadmapEvent.objects.none()
    return roadmap.events.select_related("user").order_by("-version", "-pk")


@dataclass(frozen=True)
class Done:
    label: str
    origin: Origin | None = None  # planned for a recommendation of an older version


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
    """Beside a recommendation in next year's form: last year's levels and what was done.
    ``parts`` are the numbers it had in ``version`` when the framework changed since (the
    levels are then the crosswalk's: the lowest of the parts)."""

    year: int
    current: int | None
    target: int | None
    done: list[Done]
    version: str = ""
    parts: tuple[int, ...] = ()

    @property
    def merged(self) -> bool:
        return len(self.parts) > 1

    @property
    def renumbered(self) -> bool:
        return bool(self.parts) and not self.merged


# Not read yet: the form reads it once for this and for its "start from last year".
_UNREAD = object()


def last_year_notes(
    office: Office, year: int, framework: Framework | None = None, *, previous=_UNREAD
) -> dict[int, LastYear]:
    """By recommendation number of ``framework`` (the form's): the target the office set in
    its latest submission before ``year``, and the roadmap's actions done since that
    submission. A submission or an action of an older framework version is carried through
    the crosswalk, with the crosswalk's rule (a merged recommendation shows the lowest level
    and target of its parts, and the actions done for each, labelled with their old number).
    Three queries when nothing changed version; a few more to read a crosswalk."""
    if previous is _UNREAD:
        previous = latest_submission_before(office, year)
    framework = framework or (previous.cycle.framework if previous else None)
    walks = Walks(framework) if framework is not None else None
    notes: dict[int, LastYear] = {}
    if previous is not None:
        levels = submitted_levels(previous)
        old = previous.cycle.framework
        walk = None
        if old.pk != framework.pk:
            walks.read[old.pk] = walk = crosswalk_between(old, framework)
        if walk is not None:
            levels = _levels_across(walk, levels)
        elif old.pk != framework.pk:
            levels = {}  # a framework this one does not continue: nothing to set beside
        for number, (current, target) in levels.items():
            parts = ()
            if walk is not None and walk.sources.get(number) != (number,):
                parts = walk.sources.get(number, ())
            notes[number] = LastYear(
                previous.cycle.year, current, target, [], version=old.version, parts=parts
            )
    done = RoadmapAction.objects.filter(
        roadmap__office=office, status=RoadmapAction.Status.DONE
    ).select_related("recommendation__framework", "recommended_action")
    if previous is not None:
        # What moved the office since it set that target, not every action of past years.
        done = done.filter(done_on__gte=timezone.localdate(previous.submitted_at))
    for action in done.order_by("done_on", "pk"):
        recommendation = action.recommendation
        targets = walks.targets(recommendation) if walks else (recommendation.number,)
        if not targets:
            continue
        origin = None
        if walks and recommendation.framework_id != framework.pk:
            origin = Origin(recommendation.number, recommendation.framework.version)
        number = targets[0]
        if number not in notes:
            notes[number] = LastYear(previous.cycle.year if previous else year - 1, None, None, [])
        notes[number].done.append(Done(action.label, origin))
    return notes
