"""Reads of the practice catalogue: what a person may see, and search over it.

Search runs on PostgreSQL's full-text search (the ``simple`` configuration: entries are written
in any of six languages, so no stemmer of one language is right for all) over the casefolded
``search_document``, through the GIN index of migration ``0002_search_index``, ranked by
``ts_rank``. SQLite has no such thing: there every word of the query must occur in the document
and the rank counts their occurrences, in SQL, so that the order holds across pages. Scripts
without spaces between words (Chinese) are matched as substrings on both, since neither
tokeniser splits them into words.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, Count, F, FloatField, Func, Q, QuerySet, Value
from django.db.models.functions import Cast, Length, Replace

from portal.offices.models import Office
from practices.models import Practice, PracticeNumber, PracticeTag

WORD = re.compile(r"[\w]+(?:[-.][\w]+)*", re.UNICODE)
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
TSVECTOR = "to_tsvector('simple'::regconfig, "


@dataclass
class Filters:
    q: str = ""
    number: int | None = None
    region: str = ""
    office_type: str = ""
    status: str = ""
    kind: str = ""
    tag: str = ""
    sort: str = "relevance"  # or "recent"

    @property
    def active(self) -> dict:
        return {
            name: value
            for name, value in self.__dict__.items()
            if value not in ("", None) and name not in ("sort",)
        }


@dataclass
class SearchResult:
    practices: list
    total: int
    facets: dict = field(default_factory=dict)


def terms(query: str) -> list[str]:
    return [t.casefold() for t in WORD.findall(query or "")][:12]


def _match(queryset: QuerySet, query: str) -> QuerySet:
    words = terms(query)
    if not words:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    if connection.vendor == "postgresql" and not CJK.search(query):
        tsquery = " & ".join(_lexeme(w) for w in words)
        # The vector is the GIN index's own expression, so that the index serves the match.
        vector = Func(F("search_document"), template=TSVECTOR + "%(expressions)s)")
        parsed = Func(Value(tsquery), template="to_tsquery('simple'::regconfig, %(expressions)s)")
        return (
            queryset.alias(
                matched=Func(
                    vector,
                    parsed,
                    arg_joiner=" @@ ",
                    template="(%(expressions)s)",
                    output_field=BooleanField(),
                )
            )
            .filter(matched=True)
            .annotate(rank=Func(vector, parsed, function="ts_rank", output_field=FloatField()))
        )
    # Every word must occur; the rank counts their occurrences (the text is casefolded).
    rank = Value(0.0, output_field=FloatField())
    for word in words:
        queryset = queryset.filter(search_document__contains=word)
        occurrences = Length("search_document") - Length(
            Replace("search_document", Value(word), Value(""))
        )
        rank = rank + Cast(occurrences, FloatField()) / len(word)
    return queryset.annotate(rank=rank)


def _lexeme(word: str) -> str:
    # A quoted lexeme: the query's own punctuation never becomes tsquery syntax.
    escaped = word.replace("'", "''").replace("\\", "\\\\")
    return f"'{escaped}'"


def catalogue(user, filters: Filters, *, limit: int = 20, offset: int = 0) -> SearchResult:
    """The entries ``user`` may read, matching ``filters``, a page of them and their facets."""
    base = (
        Practice.objects.readable_by(user)
        .filter(state=Practice.State.PUBLISHED)
        .select_related("office")
    )
    matched = _match(base, filters.q)
    narrowed = _narrow(matched, filters)
    facets = _facets(narrowed)
    if filters.sort == "recent" or not filters.q:
        ordered = narrowed.order_by("-published_at", "-pk")
    else:
        ordered = narrowed.order_by(F("rank").desc(), "-published_at", "-pk")
    total = facets.pop("total")
    page = list(ordered.prefetch_related("numbers", "tags")[offset : offset + limit])
    return SearchResult(practices=page, total=total, facets=facets)


def _narrow(queryset: QuerySet, filters: Filters) -> QuerySet:
    # Subqueries, not joins: a practice matches once, so no DISTINCT is needed.
    if filters.number:
        queryset = queryset.filter(
            pk__in=PracticeNumber.objects.filter(number=filters.number).values("practice_id")
        )
    if filters.region:
        queryset = queryset.filter(office__region=filters.region)
    if filters.office_type:
        queryset = queryset.filter(office__office_type=filters.office_type)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.tag:
        queryset = queryset.filter(
            pk__in=PracticeTag.objects.filter(name=filters.tag.casefold()).values("practice_id")
        )
    return queryset


def _facets(queryset: QuerySet) -> dict:
    """How many of the matching entries each filter value would leave (one query each)."""
    ids = queryset.values("pk")
    rows = list(
        queryset.order_by()
        .values("kind", "status", "office__region", "office__office_type")
        .annotate(n=Count("pk"))
    )
    numbers = Counter(
        dict(
            PracticeNumber.objects.filter(practice__in=ids)
            .values_list("number")
            .annotate(n=Count("pk"))
            .values_list("number", "n")
        )
    )
    tags = (
        PracticeTag.objects.filter(practice__in=ids)
        .values("name")
        .annotate(n=Count("pk"))
        .order_by("-n", "name")[:20]
    )

    def tally(key):
        counts = Counter()
        for row in rows:
            counts[row[key]] += row["n"]
        return counts

    return {
        "total": sum(row["n"] for row in rows),
        "number": dict(sorted(numbers.items())),
        "kind": tally("kind"),
        "status": tally("status"),
        "region": tally("office__region"),
        "office_type": tally("office__office_type"),
        "tag": {t["name"]: t["n"] for t in tags},
    }


# An office's peer-learning pages and routes are its own people's (``portal.permissions.
# office_role`` with these roles; changes are its respondents'): co-leads and the
# secretariat get the 404 of any other office, as the task force reads the catalogue and its
# own table instead.
OWN_PEOPLE = ("respondent", "viewer")


def own_practices(office: Office) -> QuerySet:
    return (
        Practice.objects.filter(office=office)
        .prefetch_related("numbers", "tags")
        .order_by("state", "-updated_at")
    )


def visible_to_office(office: Office) -> QuerySet:
    """What an office may see of the catalogue, as an office rather than as one person: its
    own entries in any state, and other offices' published entries shared with all offices.
    A roadmap action links only these (``roadmap.services``)."""
    return Practice.objects.filter(
        Q(office=office) | Q(state=Practice.State.PUBLISHED, visibility=Practice.Visibility.OFFICES)
    )


def linkable_choices(office: Office, number: int) -> tuple[list, list]:
    """The practices an office may link to an action on recommendation ``number``: those
    serving it first, then the others; each list by office code and title. One query."""
    serving, others = [], []
    practices = (
        visible_to_office(office)
        .select_related("office")
        .annotate(serves=Count("pk", filter=Q(numbers__number=number)))
        .order_by("office__code", "title", "pk")
    )
    for practice in practices:
        (serving if practice.serves else others).append(practice)
    return serving, others


def roadmap_uses(user, practice: Practice) -> list[tuple[str, int]]:
    """For a practice's page: in how many roadmap actions of each of the reader's own offices
    it is linked. Other offices' roadmaps are not theirs to count. One query."""
    if not user.is_authenticated:
        return []
    from portal.offices.models import Membership
    from roadmap.models import RoadmapAction

    return list(
        RoadmapAction.objects.filter(
            practices=practice,
            roadmap__office_id__in=Membership.objects.filter(user=user).values("office_id"),
        )
        .order_by("roadmap__office__code")
        .values_list("roadmap__office__code")
        .annotate(n=Count("pk"))
    )


def practice_for(user, pk: int) -> Practice | None:
    """The entry if ``user`` may read it, else None (the view answers 404 either way)."""
    return (
        Practice.objects.readable_by(user)
        .select_related("office", "contact")
        .prefetch_related("numbers", "tags", "outcomes")
        .filter(pk=pk)
        .first()
    )


def may_edit(user, practice: Practice) -> bool:
    from portal.offices.models import MemberRole

    return (
        user.is_authenticated
        and practice.state != Practice.State.HIDDEN
        and practice.office.memberships.filter(user=user, role=MemberRole.RESPONDENT).exists()
    )


def practices_due_for_confirmation(office: Office) -> list[Practice]:
    return [
        p
        for p in Practice.objects.filter(office=office, state="published")
        if p.is_due_for_confirmation()
    ]


def published_on(number: int) -> QuerySet:
    return Practice.objects.filter(state=Practice.State.PUBLISHED, numbers__number=number)


__all__ = ["Filters", "Q", "SearchResult", "catalogue", "own_practices", "practice_for"]


@dataclass
class TaskForceRow:
    number: int
    title: str
    seekers: int = 0
    offering: int = 0
    joint: int = 0
    requests: int = 0
    accepted: int = 0
    presenters: list = field(default_factory=list)


# A candidate presenter for a workshop: open to share, a completed practice on it, and at least
# this level on it in its last submission.
PRESENTER_LEVEL = 4


def task_force_rows() -> list[TaskForceRow]:
    """Per recommendation, for co-leads: who seeks help, who offers it, what came of requests,
    and whom to ask to present at a workshop. A fixed number of queries."""
    from assessments.models import Assessment
    from assessments.submissions import submitted_answers
    from practices.models import ContactRequest, Openness
    from recommendations.models import Framework

    framework = Framework.objects.current()
    titles = {r.number: r.short_title for r in framework.recommendations.all()} if framework else {}
    rows = {n: TaskForceRow(number=n, title=t) for n, t in titles.items()}
    for row in Openness.objects.values("number").annotate(
        share=Count("pk", filter=Q(share=True)), joint=Count("pk", filter=Q(joint=True))
    ):
        if row["number"] in rows:
            rows[row["number"]].offering = row["share"]
            rows[row["number"]].joint = row["joint"]
    for row in ContactRequest.objects.values("number").annotate(
        seekers=Count("seeker", distinct=True),
        made=Count("pk"),
        accepted=Count("pk", filter=Q(state=ContactRequest.State.ACCEPTED)),
    ):
        if row["number"] in rows:
            target = rows[row["number"]]
            target.seekers, target.requests, target.accepted = (
                row["seekers"],
                row["made"],
                row["accepted"],
            )
    sharing = set(Openness.objects.filter(share=True).values_list("office_id", "number"))
    completed = set(
        PracticeNumber.objects.filter(
            practice__state=Practice.State.PUBLISHED,
            practice__status=Practice.Status.COMPLETED,
        ).values_list("practice__office_id", "number")
    )
    candidates = sharing & completed
    if candidates:
        offices = {o.pk: o for o in Office.objects.filter(pk__in={o for o, _n in candidates})}
        latest = {}
        for assessment in Assessment.objects.filter(
            office_id__in=offices, submitted_at__isnull=False
        ).order_by("office_id", "-cycle__year"):
            latest.setdefault(assessment.office_id, assessment.pk)
        levels = {}
        for answer in submitted_answers(Assessment.objects.filter(pk__in=latest.values())):
            levels[(answer.assessment.office_id, answer.recommendation.number)] = (
                answer.maturity_current
            )
        for office_id, number in sorted(candidates, key=lambda c: (c[1], offices[c[0]].code)):
            level = levels.get((office_id, number))
            if number in rows and level and level >= PRESENTER_LEVEL:
                rows[number].presenters.append((offices[office_id], level))
    return list(rows.values())
