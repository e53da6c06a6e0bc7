from dataclasses import dataclass

from assessments.models import Answer, Assessment, Cycle
from kpi.engine import Row


@dataclass
class CycleData:
    """What a cycle's figures are computed from, read in three queries."""

    cycle: Cycle
    rows: list[Row]
    offices: dict[int, dict]  # respondent office id -> {"code", "region", "office_type", ...}
    invited: int


def cycle_data(cycle: Cycle) -> CycleData:
    submitted = Assessment.objects.filter(cycle=cycle, status=Assessment.Status.SUBMITTED)
    offices = {
        office_id: {
            "code": code,
            "region": region,
            "office_type": office_type,
            "on_time": submitted_at.date() <= cycle.closes_on if submitted_at else False,
        }
        for office_id, code, region, office_type, submitted_at in submitted.values_list(
            "office_id", "office__code", "office__region", "office__office_type", "submitted_at"
        )
    }
    rows = [
        Row(*values)
        for values in Answer.objects.filter(assessment__in=submitted)
        .values_list(
            "assessment__office_id",
            "recommendation__number",
            "status",
            "focus",
            "low_priority",
            "challenge",
            "discuss",
            "maturity_current",
            "maturity_target",
        )
        .order_by()
    ]
    return CycleData(cycle=cycle, rows=rows, offices=offices, invited=cycle.invitations.count())


def previous_cycle(cycle: Cycle) -> Cycle | None:
    return (
        Cycle.objects.filter(year__lt=cycle.year, assessments__status=Assessment.Status.SUBMITTED)
        .order_by("-year")
        .first()
    )
