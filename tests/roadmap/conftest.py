import datetime

import pytest

from roadmap.services import action_add
from tests.factories import make_assessment, make_cycle
from tests.outbox.conftest import broker_down  # noqa: F401 - the same broker that is down


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


def plan(office, user, recommendation, text="", **values):
    return action_add(
        office=office,
        user=user,
        recommendation=recommendation,
        **{
            "text": text,
            "responsible_unit": "ICT division",
            "due_on": datetime.date(2027, 6, 30),
            "status": "planned",
            "drop_reason": "",
            **values,
        },
    )


@pytest.fixture
def roadmap_on_2024(office, other_office, respondent, outsider, submitted_on_2024):
    """AU's roadmap on the 2024 framework: open actions on 2 (a recommended action), 8 (in
    progress), 9 and 10, and one done on 9; NZ's own open action on 2."""
    old = {r.number: r for r in submitted_on_2024.cycle.framework.recommendations.all()}
    return {
        "on 2": plan(
            office,
            respondent,
            old[2],
            recommended_action=old[2].actions.order_by("position").first(),
        ),
        "on 8": plan(office, respondent, old[8], "Pilot a cloud archive", status="in_progress"),
        "on 9": plan(office, respondent, old[9], "Open a data catalogue"),
        "on 10": plan(office, respondent, old[10], "Train the examiners"),
        "done on 9": plan(office, respondent, old[9], "Inventory of datasets", status="done"),
        "NZ on 2": plan(other_office, outsider, old[2], "New Zealand's own plan"),
    }


def _practice(office, person, title, *, numbers=(1,), publish=True, **fields):
    from practices import services as practices

    practice = practices.practice_create(
        office=office,
        user=person,
        numbers=list(numbers),
        title=title,
        summary=f"{title}, as the office runs it.",
        kind="project",
        status="completed",
        **fields,
    )
    return practices.practice_publish(practice=practice, user=person) if publish else practice


@pytest.fixture
def their_practice(other_office, outsider):
    """Another office's published practice on recommendation 1: one to learn from."""
    return _practice(other_office, outsider, "Zero-trust architecture")


@pytest.fixture
def their_draft(other_office, outsider):
    """Another office's practice it has not published: not for AU to see."""
    return _practice(other_office, outsider, "Secret cloud migration", publish=False)


@pytest.fixture
def our_draft(office, respondent):
    """AU's own practice on another recommendation, still a draft."""
    return _practice(office, respondent, "Our ISO 27001 programme", numbers=(4,), publish=False)
