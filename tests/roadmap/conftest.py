import datetime

import pytest

from roadmap.services import action_add
from tests.factories import make_assessment, make_cycle


@pytest.fixture
def last_year(office, other_office):
    """AU submitted 2025: recommendation 1 at level 2 aiming at 4, recommendation 2 at 3
    aiming at 3 (no gap), recommendation 3 at 3 aiming at 4."""
    cycle = make_cycle(2025, offices=[office, other_office])
    make_assessment(
        cycle,
        office,
        submitted=True,
        r1={"maturity_current": 2, "maturity_target": 4},
        r2={"maturity_current": 3, "maturity_target": 3},
        r3={"maturity_current": 3, "maturity_target": 4},
    )
    return cycle


@pytest.fixture
def recommendation(last_year):
    return last_year.framework.recommendations.get(number=1)


@pytest.fixture
def action(office, respondent, recommendation):
    return action_add(
        office=office,
        user=respondent,
        recommendation=recommendation,
        recommended_action=recommendation.actions.order_by("position").first(),
        text="",
        responsible_unit="ICT division",
        due_on=datetime.date(2026, 6, 30),
        status="planned",
        drop_reason="",
    )
