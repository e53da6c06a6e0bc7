"""Schemathesis fuzzes every API operation against its schema, as three people: no answer is a
server error, and every answer matches what the schema says."""

import datetime
import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from assessments.services import assessment_start
from kpi.services import snapshot_refresh
from portal.wsgi import application
from tests.api import token_client
from tests.factories import make_assessment, make_cycle

# Per operation and person; CI runs them all on every push. FUZZ_EXAMPLES=200 digs deeper.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
# The same examples on every run, so that a red CI is a change of ours, not a roll of the
# dice; FUZZ_RANDOM=1 explores new ones (and did find the NUL and newline cases).
DERANDOMIZE = not os.environ.get("FUZZ_RANDOM")
# Data of the right shape may still be refused by a rule of the survey (an unknown framework
# version, a year with no cycle): a 400 or 404 for it is right, not a failure.
NOT_OURS = [positive_data_acceptance]


@pytest.fixture
def api_schema(db, office, other_office, respondent):
    # Something to find behind the paths: a closed survey with figures, an open cycle with
    # a draft.
    closed = make_cycle(2025, offices=[office, other_office])
    make_assessment(closed, office, submitted=True, r1={"status": "implemented"})
    snapshot_refresh(cycle=closed)
    today = timezone.localdate()
    open_cycle = make_cycle(
        today.year,
        offices=[office, other_office],
        opens_on=today - datetime.timedelta(days=5),
        closes_on=today + datetime.timedelta(days=30),
    )
    assessment_start(cycle=open_cycle, office=office, user=respondent)
    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(document, default=str)))
    loaded.app = application
    # As Django's test client does: the end of a request must not close the connection that
    # holds the test's transaction (PostgreSQL would lose it).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield loaded
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def callers(respondent, colead, secretariat):
    """The Authorization header of each person the API is fuzzed as."""
    return {
        person: token_client(person)._credentials["HTTP_AUTHORIZATION"]
        for person in (respondent, colead, secretariat)
    }


def test_the_api_answers_as_its_schema_says(api_schema, callers):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 16
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=DERANDOMIZE,
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_described(case):
            for header in callers.values():
                # Schemathesis asks for gzip but reads a WSGI answer as sent, without
                # decompressing it (compression has its own tests).
                case.call_and_validate(
                    headers={"Authorization": header, "Accept-Encoding": "identity"},
                    excluded_checks=NOT_OURS,
                )

        answers_as_described()
