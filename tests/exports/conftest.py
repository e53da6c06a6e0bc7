"""A small survey with known answers and comments, for the exports."""

import pytest

from tests.factories import make_assessment, make_cycle, make_office

# Five more offices beside AU and NZ: every group of all respondents is shown to offices.
OTHERS = ["JP", "KR", "DE", "FR", "EP"]


@pytest.fixture
def survey(office, other_office):
    offices = [office, other_office, *(make_office(code) for code in OTHERS)]
    cycle = make_cycle(2025, offices=offices)
    make_assessment(
        cycle,
        office,
        submitted=True,
        r1={
            "status": "implemented",
            "focus": True,
            "maturity_current": 4,
            "maturity_target": 5,
            "status_comment": "Fully digital filing since 2019.",
        },
        r2={
            "status": "ongoing",
            "challenge": True,
            "challenge_comment": "Budget cuts delayed the strategy review.",
            "challenge_comment_private": True,
        },
    )
    make_assessment(
        cycle,
        other_office,
        submitted=True,
        r1={"status": "ongoing", "focus": True, "status_comment": "Стратегия ИКТ утверждена."},
        r10={"status": "considering", "discuss": True, "focus_comment": "试点项目"},
    )
    for index, _code in enumerate(OTHERS):
        make_assessment(
            cycle,
            offices[2 + index],
            submitted=index != 4,  # EP only has a draft
            r1={"status": "not_planned" if index % 2 else "decided"},
        )
    return cycle
