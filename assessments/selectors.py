from dataclasses import dataclass
from functools import cached_property

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language

from assessments import questionnaire as q
from assessments.models import Answer, Assessment, AssessmentEvent, Cycle, HeldAnswers
from assessments.submissions import submitted_version
from portal.cache import kept
from portal.offices.models import MemberRole, Office
from portal.permissions import office_role
from portal.prepared import Prepared
from recommendations import wording
from recommendations.models import MaturityLevel, RecommendedAction


@dataclass
class AssessmentPlace:
    """An office's place in a cycle, as one person may see it."""

    office: Office
    cycle: Cycle
    assessment: Assessment | None
    role: str  # "respondent", "viewer", "colead" or "secretariat"

    @cached_property
    def numbers(self) -> list[int]:
        """The recommendation numbers of the cycle's framework."""
        return [text.number for text in framework_texts(self.cycle)]

    @property
    def can_edit(self) -> bool:
        return self.role == MemberRole.RESPONDENT

    @property
    def can_reopen(self) -> bool:
        return self.role == "secretariat"


# Read by every form page and autosave: its SQL is built once (portal/prepared.py).
_assessment_of = Prepared(
    lambda *, office, year: (
        Assessment.objects.select_related("cycle__framework", "updated_by")
        .filter(office_id=office, cycle__year=year, cycle__invitations__office_id=office)
        .order_by("pk")[:1]
    ),
    office=int,
    year=int,
)


def assessment_place(user, code: str, year: int) -> AssessmentPlace:
    """The office, cycle and assessment behind ``/offices/<code>/<year>/``, or 404.

    Another office's URL is a 404, not a 403: it does not even confirm that the office
    took part.
    """
    office, role = office_role(user, code)
    # The assessment brings its cycle: one query where there is one (the busy pages), a
    # second for the cycle only where the office has not started.
    assessment = _assessment_of.first(office=office.pk, year=year)
    if assessment is not None:
        assessment.office = office
        cycle = assessment.cycle
    else:
        cycle = get_object_or_404(
            Cycle.objects.select_related("framework"), year=year, invitations__office=office
        )
    if role == "colead":
        if assessment is None or assessment.submitted_at is None:
            raise Http404  # co-leads read submissions, not drafts
        # Nor the work in progress on a reopened one: its last submitted version.
        assessment = submitted_version(assessment)
    return AssessmentPlace(office=office, cycle=cycle, assessment=assessment, role=role)


def recommendations_with_levels(cycle: Cycle):
    return cycle.framework.recommendations.prefetch_related(
        Prefetch("levels", queryset=MaturityLevel.objects.order_by("level"))
    ).order_by("number")


@dataclass(frozen=True)
class LevelText:
    level: int
    name: str
    descriptor: str


@dataclass(frozen=True)
class ActionText:
    text: str
    # The step of the matrix it typically moves an office across (from this level), or None.
    moves_from_level: int | None


@dataclass(frozen=True)
class RecommendationText:
    """A recommendation's wording as the form shows it, the same for every office."""

    pk: int
    number: int
    short_title: str
    statement: str
    gist: str
    levels: tuple[LevelText, ...]
    # Some of it is shown in the source language: the section says so, once.
    fallback: bool = False
    # The recommended actions, in order: the form shows the path to the next level.
    actions: tuple[ActionText, ...] = ()


# A day: the key changes anyway with any change to the wording.
FRAMEWORK_TEXTS_SECONDS = 60 * 60 * 24


def framework_texts(cycle: Cycle) -> tuple[RecommendationText, ...]:
    """The recommendations and level descriptors of the cycle's framework, read once per
    framework version, change and language rather than on every form page."""
    framework = cycle.framework
    key = f"framework-texts:{framework.pk}:{framework.version}:{framework.stamp}:{get_language()}"

    def read() -> tuple[RecommendationText, ...]:
        texts = []
        recommendations = recommendations_with_levels(cycle).prefetch_related(
            Prefetch("actions", queryset=RecommendedAction.objects.order_by("position"))
        )
        for recommendation in recommendations:
            words = {
                name: wording.text(recommendation, name)
                for name in ("short_title", "statement", "gist")
            }
            levels = tuple(
                LevelText(
                    level.level, wording.text(level, "name"), wording.text(level, "descriptor")
                )
                for level in recommendation.levels.all()
            )
            actions = tuple(
                ActionText(wording.text(action, "text"), action.moves_from_level)
                for action in recommendation.actions.all()
            )
            fallback = wording.falls_back(
                *words.values(),
                *(t for lv in levels for t in (lv.name, lv.descriptor)),
                *(action.text for action in actions),
            )
            texts.append(
                RecommendationText(
                    pk=recommendation.pk,
                    number=recommendation.number,
                    levels=levels,
                    fallback=fallback,
                    actions=actions,
                    **words,
                )
            )
        return tuple(texts)

    return kept(key, FRAMEWORK_TEXTS_SECONDS, read)


def answers_by_number(assessment: Assessment) -> dict[int, Answer]:
    if getattr(assessment, "is_submitted_version", False):
        return {answer.recommendation.number: answer for answer in assessment.answers.all()}
    return Answer.objects.filter(assessment=assessment).by_number()


def with_answers(assessment: Assessment) -> Assessment:
    """The assessment with its answers loaded in one query (for the services' reads)."""
    if getattr(assessment, "is_submitted_version", False):
        return assessment  # loaded already, and not to be swapped for the draft
    return (
        Assessment.objects.prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("recommendation"))
        )
        .select_related("cycle__framework", "office")
        .get(pk=assessment.pk)
    )


def has_previous_submission(office: Office, year: int) -> bool:
    return Assessment.objects.submitted_before(office_id=office.pk, year=year).exists()


def latest_submission_before(office: Office, year: int) -> Assessment | None:
    """The office's latest submitted assessment of a cycle before ``year``, with its
    framework."""
    return (
        Assessment.objects.submitted_before(office_id=office.pk, year=year)
        .select_related("cycle__framework")
        .first()
    )


def moment_stamp(value) -> str:
    """A row's time (``created_at``, ``updated_at``) as part of a cache key; "" for none."""
    return str(value.timestamp()) if value else ""


@dataclass(frozen=True)
class FormStamps:
    """What the form page reads before it knows whether it can reuse what it rendered
    before (assessments/form_page.py), in one query: whether the person has answers held
    back, and stamps of last year's submission and of the office's roadmap (what the form
    shows beside each question)."""

    held: bool
    previous: str
    roadmap: str


def _form_stamps_query(*, assessment: int, user: int, office: int, year: int):
    from roadmap.models import Roadmap

    # Each row's ``updated_at`` moves with every change to it (a save bumps the version).
    previous = Assessment.objects.submitted_before(office_id=office, year=year)
    return Assessment.objects.filter(pk=assessment).values(
        has_held=Exists(HeldAnswers.objects.filter(assessment=OuterRef("pk"), user_id=user)),
        previous_pk=Subquery(previous.values("pk")[:1]),
        previous_at=Subquery(previous.values("updated_at")[:1]),
        roadmap_at=Subquery(Roadmap.objects.filter(office_id=office).values("updated_at")[:1]),
    )


# Read by every form page: its SQL is built once (portal/prepared.py).
_form_stamps = Prepared(_form_stamps_query, assessment=int, user=int, office=int, year=int)


def form_stamps(place: AssessmentPlace, user) -> FormStamps:
    row = _form_stamps.first(
        assessment=place.assessment.pk,
        user=user.pk,
        office=place.office.pk,
        year=place.cycle.year,
    )
    return FormStamps(
        held=row["has_held"],
        previous=f"{row['previous_pk']}/{moment_stamp(row['previous_at'])}",
        roadmap=moment_stamp(row["roadmap_at"]),
    )


def complete_sections(**answers_of):
    """How many sections of an assessment are complete, as an expression for ``annotate``.

    ``answers_of`` picks the assessment's answers with an ``OuterRef``: for example
    ``assessment=OuterRef("pk")`` over assessments, or ``assessment__cycle=cycle,
    assessment__office=OuterRef("pk")`` over offices.
    """
    counts = (
        Answer.objects.filter(q.COMPLETE_ANSWER, **answers_of)
        .order_by()
        .values("assessment")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def form_events(assessment) -> dict:
    """For the top of the form: who last changed answers and, while a reopened assessment
    is being revised, the reopening with its reason. A reopening changes no answer, so it is
    not a "last saved"; only then is the history read (one indexed query each)."""
    if not (assessment.reopened_at and assessment.status == assessment.Status.DRAFT):
        saved = {"at": assessment.updated_at, "user": assessment.updated_by}
        return {"last_saved": saved if assessment.updated_by else None, "reopening": None}
    events = assessment.events.select_related("user").order_by("-version", "-pk")
    saved = events.filter(
        kind__in=[
            AssessmentEvent.Kind.SAVE,
            AssessmentEvent.Kind.COPY,
            AssessmentEvent.Kind.CONFIRM,
            AssessmentEvent.Kind.UNDO,
        ]
    ).first()
    return {
        "last_saved": saved,
        "reopening": events.filter(kind=AssessmentEvent.Kind.REOPEN).first(),
    }
