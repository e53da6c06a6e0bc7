"""Writes to an office's roadmap: every change is versioned and recorded in its history."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.offices.models import Office
from practices.selectors import visible_to_office
from recommendations.models import Framework, Recommendation, RecommendedAction
from roadmap.models import TEXT_MAX_LENGTH, Roadmap, RoadmapAction, RoadmapEvent
from roadmap.selectors import Walks

# What a person changes in an action; the history records these, and the links to practices
# (a many-to-many, so set apart).
FIELDS = ("recommended_action", "text", "responsible_unit", "due_on", "status", "drop_reason")


class StaleVersion(Exception):
    """The action (or roadmap) changed since the version the change was based on."""

    def __init__(self, current):
        super().__init__("stale version")
        self.current = current


class InvalidActions(Exception):
    """Some items of a whole-roadmap change are invalid: ``problems`` by position, then field."""

    def __init__(self, problems: dict):
        super().__init__("invalid actions")
        self.problems = problems


def action_problems(
    *,
    recommendation: Recommendation | None,
    recommended_action: RecommendedAction | None,
    text: str,
    status: str,
    drop_reason: str,
) -> dict[str, str]:
    """What is wrong with an action, by field: the one rule for the page and the API."""
    problems = {}
    if recommendation is None:
        problems["recommendation"] = _("Choose a recommendation.")
    elif (
        recommended_action is not None and recommended_action.recommendation_id != recommendation.pk
    ):
        problems["recommended_action"] = _(
            "Choose one of this recommendation’s recommended actions."
        )
    if recommended_action is None and not text.strip():
        problems["text"] = _("Choose a recommended action or describe your own.")
    if status == RoadmapAction.Status.DROPPED and not drop_reason.strip():
        problems["drop_reason"] = _("Say why the action was dropped.")
    return problems


def practice_problems(office: Office, chosen, already=()) -> dict[str, str]:
    """A practice newly linked must be one the office may see: its own, or another office's
    published one. One linked before and withdrawn since may stay (it is shown as no longer
    available), so that the action's other changes are not refused because of it."""
    new = set(chosen) - set(already)
    if not new:
        return {}
    seen = set(visible_to_office(office).filter(pk__in=new).values_list("pk", flat=True))
    if new - seen:
        return {
            "practices": _(
                "Choose practices your office may see: its own, or other offices’ published ones."
            )
        }
    return {}


def linked_practices(action: RoadmapAction) -> list[int]:
    """The ids of the practices ``action`` links, in order (none before it is saved)."""
    return sorted(practice.pk for practice in action.practices.all()) if action.pk else []


def _value(name: str, value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, RecommendedAction):
        return value.position
    return value


def _figures_follow(years: set[int]) -> None:
    """The cycles of ``years`` whose KPI document was computed count the actions due in
    their year (done by the due date or not): they are computed again after the commit, so
    that the co-leads' dashboard follows the roadmaps. Quietly: the office's people are not
    told about figures they do not see. A recomputation not started yet takes the change
    too: a burst of edits recomputes each cycle once, not once per edit."""
    from assessments.models import Cycle
    from outbox.services import enqueue

    cycles = Cycle.objects.filter(year__in=years, kpi_snapshot__isnull=False)
    for cycle_id in cycles.values_list("pk", flat=True):
        enqueue("kpi.tasks.recompute_kpis", args=[cycle_id], coalesce=True)


def _lock_roadmap(office: Office) -> Roadmap:
    # Read and locked in one query; a first action inserts it (locked by the insert), and of
    # two first actions at once the second waits for the first's row, then locks it.
    locked, _created = Roadmap.objects.select_for_update().get_or_create(office=office)
    locked.office = office  # the caller's, so that the checks do not read it again
    return locked


def _record(roadmap: Roadmap, *, action, kind, user, changes=()) -> RoadmapEvent:
    roadmap.version += 1
    roadmap.updated_by = user
    roadmap.save(update_fields=["version", "updated_by", "updated_at"])
    return RoadmapEvent.objects.create(
        roadmap=roadmap,
        action=action if kind != RoadmapEvent.Kind.REMOVE else None,
        action_label=action.label,
        recommendation_number=action.recommendation.number,
        kind=kind,
        user=user,
        version=roadmap.version,
        changes=list(changes),
    )


def _set_status_dates(action: RoadmapAction, today: datetime.date) -> None:
    if action.status == RoadmapAction.Status.DONE:
        action.done_on = action.done_on or today
    else:
        action.done_on = None
    if action.status != RoadmapAction.Status.DROPPED:
        action.drop_reason = ""


def _check(values: dict, recommendation, *, office: Office, linked=()) -> None:
    problems = action_problems(
        recommendation=recommendation,
        recommended_action=values.get("recommended_action"),
        text=values.get("text", ""),
        status=values.get("status", RoadmapAction.Status.PLANNED),
        drop_reason=values.get("drop_reason", ""),
    )
    if "practices" in values:
        problems |= practice_problems(office, values["practices"], linked)
    if problems:
        raise ValidationError(problems)


def _add(roadmap: Roadmap, *, user, recommendation, values: dict, today) -> RoadmapAction:
    _check(values, recommendation, office=roadmap.office)
    action = RoadmapAction(roadmap=roadmap, recommendation=recommendation)
    for name in FIELDS:
        if name in values:
            setattr(action, name, values[name])
    action.text = action.text.strip()
    _set_status_dates(action, today)
    action.save()
    practices = sorted(set(values.get("practices", ())))
    action.practices.set(practices)
    changes = [
        {"field": name, "old": None, "new": _value(name, getattr(action, name))}
        for name in FIELDS
        if getattr(action, name) not in (None, "")
    ]
    if practices:
        changes.append({"field": "practices", "old": None, "new": practices})
    _record(roadmap, action=action, kind=RoadmapEvent.Kind.ADD, user=user, changes=changes)
    return action


def _change(roadmap: Roadmap, action: RoadmapAction, *, user, values: dict, today) -> list:
    linked = linked_practices(action)
    merged = {name: getattr(action, name) for name in FIELDS} | {"practices": linked} | values
    _check(merged, action.recommendation, office=roadmap.office, linked=linked)
    practices = sorted(set(merged["practices"]))
    before = {name: getattr(action, name) for name in (*FIELDS, "done_on")}
    for name in FIELDS:
        setattr(action, name, merged[name])
    action.text = (action.text or "").strip()
    _set_status_dates(action, today)
    changes = [
        {
            "field": name,
            "old": _value(name, before[name]),
            "new": _value(name, getattr(action, name)),
        }
        for name in (*FIELDS, "done_on")
        if before[name] != getattr(action, name)
    ]
    if practices != linked:
        changes.append({"field": "practices", "old": linked, "new": practices})
    if changes:
        action.version += 1
        action.save()
        action.practices.set(practices)
        _record(roadmap, action=action, kind=RoadmapEvent.Kind.CHANGE, user=user, changes=changes)
    return changes


@transaction.atomic
def action_add(
    *, office: Office, user, recommendation: Recommendation, today=None, **values
) -> RoadmapAction:
    roadmap = _lock_roadmap(office)
    action = _add(
        roadmap,
        user=user,
        recommendation=recommendation,
        values=values,
        today=today or timezone.localdate(),
    )
    _figures_follow({action.due_on.year})
    return action


@transaction.atomic
def action_update(
    *, action: RoadmapAction, user, base_version: int, today=None, **values
) -> RoadmapAction:
    """Changes an action; refused with ``StaleVersion`` if it changed since ``base_version``
    (a colleague's edit in another tab is never overwritten unseen)."""
    roadmap = _lock_roadmap(action.roadmap.office)
    locked = (
        RoadmapAction.objects.select_for_update(of=("self",))
        .select_related("recommendation", "recommended_action")
        .get(pk=action.pk)
    )
    if locked.version != base_version:
        raise StaleVersion(locked)
    due_before = locked.due_on
    if _change(roadmap, locked, user=user, values=values, today=today or timezone.localdate()):
        _figures_follow({due_before.year, locked.due_on.year})
    return locked


@transaction.atomic
def action_remove(*, action: RoadmapAction, user, base_version: int) -> None:
    roadmap = _lock_roadmap(action.roadmap.office)
    locked = (
        RoadmapAction.objects.select_for_update(of=("self",))
        .select_related("recommendation", "recommended_action")
        .get(pk=action.pk)
    )
    if locked.version != base_version:
        raise StaleVersion(locked)
    _record(roadmap, action=locked, kind=RoadmapEvent.Kind.REMOVE, user=user)
    locked.delete()
    _figures_follow({locked.due_on.year})


@transaction.atomic
def roadmap_replace(
    *, office: Office, user, base_version: int, actions: list[dict], today=None
) -> Roadmap:
    """The API's PUT: the roadmap becomes ``actions``. Each item with an ``id`` changes that
    action, one without adds one, and actions left out are removed; each is recorded in the
    history as if done on the page. Refused with ``StaleVersion`` if the roadmap changed
    since ``base_version``; nothing is written when any item is invalid."""
    today = today or timezone.localdate()
    roadmap = _lock_roadmap(office)
    if roadmap.version != base_version:
        raise StaleVersion(roadmap)
    existing = {
        action.pk: action
        for action in roadmap.actions.select_related(
            "recommendation", "recommended_action"
        ).prefetch_related("practices")
    }
    years = {action.due_on.year for action in existing.values()}
    problems = {}
    kept = set()
    for index, item in enumerate(actions):
        values = {name: item[name] for name in (*FIELDS, "practices") if name in item}
        try:
            if item.get("id") is not None:
                action = existing.get(item["id"])
                if action is None or item["id"] in kept:
                    raise ValidationError({"id": _("No such action in this roadmap.")})
                if item["recommendation"].pk != action.recommendation_id:
                    raise ValidationError(
                        {"recommendation": _("An action cannot move to another recommendation.")}
                    )
                kept.add(action.pk)
                _change(roadmap, action, user=user, values=values, today=today)
            else:
                _add(
                    roadmap,
                    user=user,
                    recommendation=item["recommendation"],
                    values=values,
                    today=today,
                )
        except ValidationError as invalid:
            problems[str(index)] = invalid.message_dict
    if problems:
        raise InvalidActions(problems)
    for pk, action in existing.items():
        if pk not in kept:
            _record(roadmap, action=action, kind=RoadmapEvent.Kind.REMOVE, user=user)
            action.delete()
    # Every change above was recorded on this very row (``_record``): it is current.
    if roadmap.version != base_version:
        years |= {day.year for day in roadmap.actions.dates("due_on", "year")}
        _figures_follow(years)
    return roadmap


OPEN = (RoadmapAction.Status.PLANNED, RoadmapAction.Status.IN_PROGRESS)


def _within_limit(text: str, limit: int = TEXT_MAX_LENGTH) -> str:
    """``text`` as an action's own wording may hold it: whole when it fits, else cut at the
    last word boundary that leaves room for an ellipsis (mid-word only for a single word
    longer than the limit), so that the office can send the action back unchanged."""
    if len(text) <= limit:
        return text
    room = text[: limit - 1]
    if not text[limit - 1].isspace():
        whole_words = re.match(r"(?s)(.*\S)\s", room)
        room = whole_words.group(1) if whole_words else room
    return room.rstrip() + "…"


def _where(recommendation: Recommendation) -> str:
    """A recommendation as the history records it across versions: "10 (2024)"."""
    return f"{recommendation.number} ({recommendation.framework.version})"


@transaction.atomic
def roadmap_carry(*, office: Office, framework: Framework, user=None) -> list[RoadmapAction]:
    """Carries the office's open actions (planned, in progress) planned for recommendations
    of older framework versions to the recommendations of ``framework`` that continue them,
    by the crosswalk: same or merged, to the one new recommendation; split, to the first of
    the new ones (the page says which others it also concerns). Actions of a retired
    recommendation, and done or dropped ones, stay where they are: their history is about
    that recommendation, and the page shows them under the new one (or as retired).

    Each move is recorded in the roadmap's history as a carry by ``user``, the person whose
    opening of the new cycle triggered it (None: the crosswalk alone). Running it again
    changes nothing. Returns the actions moved."""
    roadmap = Roadmap.objects.filter(office=office).first()
    if roadmap is None:
        return []
    roadmap = _lock_roadmap(office)
    candidates = list(
        roadmap.actions.filter(status__in=OPEN)
        .exclude(recommendation__framework=framework)
        .select_related("recommendation__framework", "recommended_action")
        .order_by("pk")
    )
    if not candidates:
        return []
    mine = {r.number: r for r in framework.recommendations.all()}
    walks = Walks(framework)
    moved = []
    for action in candidates:
        old = action.recommendation
        targets = walks.targets(old) or ()
        if not targets or targets[0] not in mine:
            continue  # retired, or a framework this one does not continue: kept as it is
        new = mine[targets[0]]
        changes = [{"field": "recommendation", "old": _where(old), "new": _where(new)}]
        if action.recommended_action is not None:
            # Its recommended action belongs to the old recommendation: its wording stays,
            # as the office's own, within what the office's own wording may hold.
            label = _within_limit(action.label)
            changes.append(
                {
                    "field": "recommended_action",
                    "old": action.recommended_action.position,
                    "new": None,
                }
            )
            if not action.text:
                changes.append({"field": "text", "old": "", "new": label})
                action.text = label
            action.recommended_action = None
        action.carried_from = action.carried_from or old
        action.recommendation = new
        action.version += 1
        action.save()
        _record(roadmap, action=action, kind=RoadmapEvent.Kind.CARRY, user=user, changes=changes)
        moved.append(action)
    return moved
