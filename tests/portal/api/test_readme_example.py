"""The README's API example, run as written against a live demo portal."""

import re
import subprocess
from pathlib import Path

import pytest

from assessments.models import Assessment
from portal.accounts.models import User
from portal.api.services import token_create
from portal.demo import seed_demo

README = Path(__file__).resolve().parents[3] / "README.md"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_framework"),
]


def example() -> str:
    section = README.read_text().split("**A worked example**", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def test_the_readme_api_example_runs_as_written(live_server):
    seed_demo()
    _token, lead = token_create(user=User.objects.get(email="colead@taskforce.example"), name="x")
    _token, key = token_create(user=User.objects.get(email="cio@au.example"), name="x")
    draft = Assessment.objects.get(office__code="AU", status="draft")
    before = draft.version
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", example()],
        env={"PATH": "/usr/bin:/bin", "PORTAL": live_server.url, "TOKEN": key, "LEAD_TOKEN": lead},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"\d+ respondents; R1 adoption \d+ %", lines[0]), lines
    assert lines[1] == f"saved as version {before + 1}"
    draft.refresh_from_db()
    answer = draft.answers.get(recommendation__number=3)
    assert (answer.status, answer.maturity_current) == ("ongoing", 3)
