"""Reads for the KPI engine: the database does the counting, in a handful of queries."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.utils.dateparse import parse_datetime

from assessments.models import Answer, Assessment, Cycle
from assessments.submissions import submitted_answers as last_submitted_answers
from assessments.submissions import submitted_assessments
from kpi import engine, privacy
from kpi.engine import FLAGS, LEVELS, STATUSES, Row, Tally, tally_rows
from kpi.models import KpiSnapshot, OfficeFigures
from portal.prepared import Prepared
from recommendations import crosswalk as xw


@dataclass
class CycleCounts:
    """What a cycle's figures are assembled from."""

    cycle: Cycle
    # respondent office id -> code, region, office_type, on_time, token
    offices: dict[int, dict]
    invited: int
    # (region, office type) -> recommendation number -> counts
    cells: dict[tuple[str, str], dict[int, Tally]]
    # office id -> flag -> (questions answered, recommendations selected)
    choices: dict[int, dict[str, tuple[int, int]]]
    fingerprint: list[tuple]
    # Offices whose submission is reopened: counted as last submitted, never as revised.
    revised: set[int] = field(default_factory=set)

    def tallies(self, match) -> dict[int, Tally]:
        """The counts of the offices whose (region, type) ``match`` accepts."""
        total: dict[int, Tally] = defaultdict(Tally)
        for key, tallies in self.cells.items():
            if match(*key):
                for number, tally in tallies.items():
                    total[number].add(tally)
        return total

    def none_selected(self, offices) -> dict[str, int]:
        return {
            flag: sum(
                1
                for office in offices
                if self.choices.get(office, {}).get(flag, (0, 0))[0]
                and not self.choices[office][flag][1]
            )
            for flag in FLAGS
        }


# The dashboard's snapshot, read on every request of it: its SQL is built once. The
# document (every figure of every group) is left out: read only to draw what is not drawn yet.
_dashboard_snapshot = Prepared(
    lambda *, year: (
        KpiSnapshot.objects.select_related("cycle__framework")
        .defer("document")
        .filter(cycle__year=year)
    ),
    year=int,
)


def dashboard_snapshot(year: int) -> KpiSnapshot | None:
    return _dashboard_snapshot.first(year=year)


def _counting_sql() -> tuple[str, str, str, str]:
    """The counting queries as SQL, built once: the ORM's compilation of 27 conditional
    aggregates costs several times what the database spends running them."""
    answer, assessment = Answer._meta.db_table, Assessment._meta.db_table
    office = Assessment._meta.get_field("office").related_model._meta.db_table

    def count(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    both = "a.maturity_current IS NOT NULL AND a.maturity_target IS NOT NULL"
    measures = ", ".join(
        [
            "COUNT(*)",
            *(count(f"a.status = '{status}'") for status in STATUSES),
            *(count(f"a.{flag}") for flag in FLAGS),
            *(count(f"a.{flag} IS NULL") for flag in FLAGS),
            *(count(f"a.maturity_current = {level}") for level in LEVELS),
            *(count(f"a.maturity_target = {level}") for level in LEVELS),
            f"SUM(CASE WHEN {both} THEN a.maturity_target - a.maturity_current ELSE 0 END)",
            count(both),
        ]
    )
    recommendation = Answer._meta.get_field("recommendation").related_model._meta.db_table
    invitation = Cycle._meta.get_field("invited_offices").remote_field.through._meta.db_table
    submitted = f"s.cycle_id = %s AND s.status = '{Assessment.Status.SUBMITTED}'"
    # The respondents include reopened submissions (their figures come from the history).
    ever_submitted = "s.cycle_id = %s AND s.submitted_at IS NOT NULL"
    cells = (
        f"SELECT o.region, o.office_type, r.number, {measures} "  # noqa: S608 - names from the models; values bound
        f"FROM {answer} a JOIN {assessment} s ON s.id = a.assessment_id "
        f"JOIN {office} o ON o.id = s.office_id "
        f"JOIN {recommendation} r ON r.id = a.recommendation_id "
        f"WHERE {submitted} GROUP BY o.region, o.office_type, r.number"
    )
    per_office = ", ".join(
        [
            *(count(f"a.{flag} IS NOT NULL") for flag in FLAGS),
            *(count(f"a.{flag}") for flag in FLAGS),
        ]
    )
    # The respondents themselves come with their choices: one pass, even for an office
    # that submitted without a single answer row (LEFT JOIN).
    offices = (
        f"SELECT s.office_id, s.id, s.version, s.submitted_at, s.status, o.code, o.region, "  # noqa: S608 - names from the models; values bound
        f"o.office_type, {per_office} FROM {assessment} s "
        f"JOIN {office} o ON o.id = s.office_id "
        f"LEFT JOIN {answer} a ON a.assessment_id = s.id WHERE {ever_submitted} "
        "GROUP BY s.office_id, s.id, s.version, s.submitted_at, s.status, o.code, o.region, "
        "o.office_type ORDER BY o.code"
    )
    invited = f"SELECT COUNT(*) FROM {invitation} WHERE cycle_id = %s"  # noqa: S608 - names from the models; values bound
    # The same counts for a given set of offices ({offices}: one placeholder each).
    panel = (
        f"SELECT r.number, {measures} "  # noqa: S608 - names from the models; values bound
        f"FROM {answer} a JOIN {assessment} s ON s.id = a.assessment_id "
        f"JOIN {recommendation} r ON r.id = a.recommendation_id "
        f"WHERE {submitted} AND s.office_id IN ({{offices}}) GROUP BY r.number"
    )
    return cells, offices, invited, panel


CELLS_SQL, OFFICES_SQL, INVITED_SQL, PANEL_SQL = _counting_sql()


def _tally_from_sql(values) -> Tally:
    rows, *rest = values
    statuses, rest = rest[: len(STATUSES)], rest[len(STATUSES) :]
    selected, rest = rest[: len(FLAGS)], rest[len(FLAGS) :]
    not_asked, rest = rest[: len(FLAGS)], rest[len(FLAGS) :]
    levels, rest = rest[: len(LEVELS)], rest[len(LEVELS) :]
    targets, (gap_sum, gap_count) = rest[: len(LEVELS)], rest[len(LEVELS) :]
    return Tally(
        rows=rows,
        status=dict(zip(STATUSES, statuses, strict=True)),
        selected=dict(zip(FLAGS, selected, strict=True)),
        not_asked=dict(zip(FLAGS, not_asked, strict=True)),
        levels=dict(zip(LEVELS, levels, strict=True)),
        targets=dict(zip(LEVELS, targets, strict=True)),
        gap_sum=gap_sum or 0,
        gap_count=gap_count or 0,
    )


def submitted_answers(cycle: Cycle):
    return Answer.objects.filter(
        assessment__cycle=cycle, assessment__status=Assessment.Status.SUBMITTED
    )


@dataclass
class Revised:
    """The reopened submissions of a cycle, counted as last submitted (the SQL above counts
    the others): they are few, so they are replayed from the history in Python."""

    assessments: list[Assessment]
    rows: dict[int, list[Row]]  # office id -> its answers as last submitted

    def tallies(self, office: int) -> dict[int, Tally]:
        return tally_rows(self.rows.get(office, []), {office})[0]

    def choices(self, office: int) -> dict[str, tuple[int, int]]:
        rows = self.rows.get(office, [])
        return {
            flag: (
                sum(1 for row in rows if getattr(row, flag) is not None),
                sum(1 for row in rows if getattr(row, flag)),
            )
            for flag in FLAGS
        }


def revised_submissions(cycle: Cycle, offices: set[int] | None = None) -> Revised:
    reopened = Assessment.objects.filter(cycle=cycle, submitted_at__isnull=False).exclude(
        status=Assessment.Status.SUBMITTED
    )
    if offices is not None:
        reopened = reopened.filter(office_id__in=offices)
    assessments = submitted_assessments(reopened)
    rows: dict[int, list[Row]] = defaultdict(list)
    if assessments:
        for answer in last_submitted_answers(reopened):
            rows[answer.assessment.office_id].append(
                Row(
                    office=answer.assessment.office_id,
                    number=answer.recommendation.number,
                    status=answer.status,
                    focus=answer.focus,
                    low_priority=answer.low_priority,
                    challenge=answer.challenge,
                    discuss=answer.discuss,
                    current=answer.maturity_current,
                    target=answer.maturity_target,
                )
            )
    return Revised(assessments=assessments, rows=dict(rows))


def _moment(value) -> datetime.datetime | None:
    # Raw SQLite cursors return text; PostgreSQL returns datetimes.
    return parse_datetime(value) if isinstance(value, str) else value


def cycle_counts(cycle: Cycle) -> CycleCounts:
    offices, choices, fingerprint, revised_at = {}, {}, [], {}
    cells: dict = defaultdict(dict)
    flags = len(FLAGS)
    with connection.cursor() as cursor:
        cursor.execute(CELLS_SQL, [cycle.pk])
        for region, office_type, number, *values in cursor.fetchall():
            cells[(region, office_type)][number] = _tally_from_sql(values)
        cursor.execute(OFFICES_SQL, [cycle.pk])
        for (
            office,
            pk,
            version,
            submitted_at,
            state,
            code,
            region,
            office_type,
            *values,
        ) in cursor.fetchall():
            moment = _moment(submitted_at)
            offices[office] = {
                "code": code,
                "region": region,
                "office_type": office_type,
                "on_time": moment is not None and moment.date() <= cycle.closes_on,
                # Which submission the figures hold: a resubmission bumps the version.
                "token": f"{pk}:{version}",
            }
            choices[office] = {
                flag: (answered, selected)
                for flag, answered, selected in zip(
                    FLAGS, values[:flags], values[flags:], strict=True
                )
            }
            fingerprint.append([pk, version, moment.isoformat() if moment else None])
            if state != Assessment.Status.SUBMITTED:
                revised_at[office] = fingerprint[-1]
        cursor.execute(INVITED_SQL, [cycle.pk])
        (invited,) = cursor.fetchone()
    if revised_at:
        revised = revised_submissions(cycle, set(revised_at))
        for assessment in revised.assessments:
            office = assessment.office
            choices[office.pk] = revised.choices(office.pk)
            cell = cells[(office.region, office.office_type)]
            for number, tally in revised.tallies(office.pk).items():
                cell.setdefault(number, Tally()).add(tally)
            # The version submitted: draft edits of a reopened submission change nothing,
            # neither in the fingerprint nor in what the published figures say they hold.
            revised_at[office.pk][1] = assessment.version
            offices[office.pk]["token"] = f"{assessment.pk}:{assessment.version}"
    fingerprint = [tuple(entry) for entry in fingerprint]
    return CycleCounts(
        cycle=cycle,
        offices=offices,
        invited=invited,
        cells=dict(cells),
        choices=choices,
        fingerprint=fingerprint,
        revised=set(revised_at),
    )


def panel_tallies(
    cycle: Cycle, offices: set[int], revised: set[int] | None = None
) -> dict[int, Tally]:
    """Counts of a given set of offices (the panel of two years) in one query, and the
    reopened submissions among them (``revised``, if known: else looked up) as submitted."""
    if not offices:
        return {}
    sql = PANEL_SQL.format(offices=", ".join(["%s"] * len(offices)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [cycle.pk, *sorted(offices)])
        tallies = {number: _tally_from_sql(values) for number, *values in cursor.fetchall()}
    among = set(offices) if revised is None else set(offices) & revised
    if among:
        counted = revised_submissions(cycle, among)
        for assessment in counted.assessments:
            for number, tally in counted.tallies(assessment.office_id).items():
                tallies.setdefault(number, Tally()).add(tally)
    return tallies


def previous_cycle(cycle: Cycle) -> Cycle | None:
    return (
        Cycle.objects.filter(year__lt=cycle.year, assessments__submitted_at__isnull=False)
        .select_related("framework")
        .order_by("-year")
        .first()
    )


def cycles_the_days_move(today: datetime.date) -> list[int]:
    """The cycles whose figures a new day can change, as of ``today``: the one that closed
    yesterday (its figures are now final), and each whose stored share of actions done by
    their due date was read as of a day on which some actions of its year were not yet due
    (an open one becomes late the day after its due date; once the year is over, none can).
    So the current year's cycle every day, and a past one once more after its year ended,
    or after a day the daily run missed; a future year's never (nothing in it is late)."""
    yesterday = today - datetime.timedelta(days=1)
    moved = set(Cycle.objects.filter(closes_on=yesterday).values_list("pk", flat=True))
    computed = KpiSnapshot.objects.filter(cycle__year__lte=yesterday.year).values_list(
        "cycle_id", "cycle__year", "document__actions_done_by_due_date_basis__as_of"
    )
    for cycle, year, as_of in computed:
        settled = min(today, datetime.date(year + 1, 1, 1))
        if as_of is None or datetime.date.fromisoformat(as_of) < settled:
            moved.add(cycle)
    return sorted(moved)


@dataclass
class Measures:
    """What target attainment is measured from, read once in a refresh for the co-leads'
    figure and the sets published to offices: the cycle measured against (None when there
    is none, or its framework version is not one this cycle's descends from), its levels
    and targets in this cycle's numbering, this cycle's levels, and who answered it."""

    previous: Cycle | None
    before: dict[tuple[int, int], tuple]  # (office, number) -> (level, target)
    now: dict[tuple[int, int], int | None]  # (office, number) -> level
    answered: set[int]


def attainment_members(
    counts: CycleCounts, numbers: list[int], read: Measures
) -> tuple[dict[str, dict[str, str]], dict[str, dict]]:
    """For publication to offices (``kpi.privacy`` rule 5): per recommendation, the offices
    measured for target attainment, each with a token naming the two submissions it rests
    on, and the figure computed from exactly them. Across framework versions the targets go
    through the crosswalk, as the co-leads' figure does. ``read``: what the co-leads'
    figure was measured from (``kpi.services``), so that both rest on the same reading."""
    previous = read.previous
    if previous is None:
        return {}, {}
    outcomes = engine.attainment_outcomes(read.before, read.now, read.answered, numbers=numbers)
    # A contribution names both submissions it rests on: a resubmission in either cycle
    # changes it. (A reopened one's draft edits last cycle change it too: the figure is then
    # held back or hidden more often, never shown over fewer offices.)
    earlier = {
        office: f"{pk}:{version}"
        for office, pk, version in Assessment.objects.filter(
            cycle=previous, submitted_at__isnull=False
        ).values_list("office_id", "pk", "version")
    }
    members, figures = {}, {}
    for number, measured in outcomes.items():
        if not measured:
            continue
        key = privacy.attainment_key(number)
        members[key] = {}
        for office in measured:
            token = counts.offices.get(office, {}).get("token", "")
            members[key][str(office)] = f"{earlier.get(office, '')}>{token}"
        figures[key] = {
            "number": number,
            "previous_year": previous.year,
            **engine.attainment_share(sum(measured.values()), len(measured)),
        }
    return members, figures


def own_targets(office, cycle: Cycle) -> tuple[Cycle | None, dict[int, tuple]]:
    """The cycle target attainment is measured against for ``cycle``, and ``office``'s
    levels and targets as it last submitted them there (number -> (level, target)) in
    ``cycle``'s numbering: carried through the crosswalk by its rule when the previous cycle
    used an earlier framework version. (None, {}) when there is no previous cycle, or its
    framework version is not one ``cycle``'s descends from."""
    previous = previous_cycle(cycle)
    if previous is None:
        return None, {}
    if previous.framework_id == cycle.framework_id:
        answers = last_submitted_answers(Assessment.objects.filter(cycle=previous, office=office))
        return previous, {
            answer.recommendation.number: (answer.maturity_current, answer.maturity_target)
            for answer in answers
        }
    from recommendations.selectors import crosswalk_between

    walk = crosswalk_between(previous.framework, cycle.framework)
    if walk is None:
        return None, {}
    carried, _answered = carried_answers(previous, walk, office=office)
    return previous, {
        number: (fields.get("maturity_current"), fields.get("maturity_target"))
        for number, fields in carried.get(office.pk, {}).items()
    }


def benchmark_views(cycle: Cycle, office, numbers: list[int]):
    """``office_view`` and ``privacy.attainment_view`` from the same publications, in two
    queries: every publication's members, then the latest one's figures."""
    publications = list(OfficeFigures.objects.filter(cycle=cycle).order_by("pk").defer("figures"))
    return (
        privacy.office_view(publications, office),
        privacy.attainment_view(publications, office, numbers),
    )


def office_view(cycle: Cycle, office) -> privacy.OfficeView:
    """The peer figures of ``cycle`` that ``office`` may see (``kpi.privacy``), in two
    queries: every publication's members, then the latest one's figures."""
    publications = list(OfficeFigures.objects.filter(cycle=cycle).order_by("pk").defer("figures"))
    return privacy.office_view(publications, office)


def submitted_levels(cycle: Cycle) -> tuple[dict[tuple[int, int], tuple], set[int]]:
    """Each office's level and target per recommendation as last submitted in ``cycle``
    ((office, number) -> (level, target)), and the offices that submitted. Reopened
    submissions count as submitted, with the answers they were submitted with."""
    assessments = Assessment.objects.filter(cycle=cycle)
    answered = set(
        assessments.filter(submitted_at__isnull=False).values_list("office_id", flat=True)
    )
    levels = {
        (answer.assessment.office_id, answer.recommendation.number): (
            answer.maturity_current,
            answer.maturity_target,
        )
        for answer in last_submitted_answers(assessments)
    }
    return levels, answered


# What the figures read of an answer, under the names the crosswalk's rule knows them by.
CARRIED_FIELDS = (
    "status",
    "focus",
    "low_priority",
    "challenge",
    "discuss",
    "maturity_current",
    "maturity_target",
)


def carried_answers(
    cycle: Cycle, crosswalk: xw.Crosswalk, office=None
) -> tuple[dict[int, dict], set[int]]:
    """Each office's answers of ``cycle`` as last submitted (``office``'s alone if given),
    carried through ``crosswalk`` into the numbering of its later version by the crosswalk's
    one rule (office -> new number -> answer fields), and the offices that submitted.
    Reopened submissions count as submitted, with the answers they were submitted with."""
    assessments = Assessment.objects.filter(cycle=cycle)
    if office is not None:
        assessments = assessments.filter(office=office)
    answered = set(
        assessments.filter(submitted_at__isnull=False).values_list("office_id", flat=True)
    )
    by_office: dict[int, dict[int, dict]] = defaultdict(dict)
    for answer in last_submitted_answers(assessments):
        by_office[answer.assessment.office_id][answer.recommendation.number] = {
            name: getattr(answer, name) for name in CARRIED_FIELDS
        }
    carried = {office: xw.carry_office(crosswalk, answers) for office, answers in by_office.items()}
    return carried, answered


def carried_rows(carried: dict[int, dict]) -> list[Row]:
    """``carried_answers`` (office -> number -> fields) as the engine's rows."""
    return [
        Row(
            office=office,
            number=number,
            status=fields.get("status") or "",
            focus=fields.get("focus"),
            low_priority=fields.get("low_priority"),
            challenge=fields.get("challenge"),
            discuss=fields.get("discuss"),
            current=fields.get("maturity_current"),
            target=fields.get("maturity_target"),
        )
        for office, answers in carried.items()
        for number, fields in sorted(answers.items())
    ]
