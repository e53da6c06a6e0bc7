"""Fixtures shared by every test: the people of the stories, and two offices.

- a respondent and a colleague (both respondents of office AU) and a viewer of AU;
- an outsider: the respondent of another office (NZ);
- a co-lead and the secretariat.
"""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone, translation

from assessments.services import assessment_start
from portal.accounts.two_factor import two_factor_required
from portal.cache import forget_kept
from portal.celery import app as celery_app
from tests import factories


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    # Real hashing costs ~0.3 s a login: the suite logs in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english():
    # LocaleMiddleware leaves the last request's language active in the thread.
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def nothing_kept_from_another_test():
    # Keys change with what they hold, but a test may stand in for what they are made from.
    forget_kept()


@pytest.fixture(autouse=True)
def tasks_in_process(request):
    """Run Celery tasks in-process unless the test is about the real worker.

    With REDIS_URL set the portal queues tasks for a worker; ordinary tests assert on a
    task's effect at once, so they run it in-process as the embedded default does.
    """
    if request.node.get_closest_marker("integration"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    """Export files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def committed_framework(transactional_db):
    """For tests that commit: the table flush after each of them removes migration data."""
    from recommendations.services import framework_ensure_default

    return framework_ensure_default()


@pytest.fixture
def office(db):
    return factories.make_office("AU", "IP Australia")


@pytest.fixture
def other_office(db):
    return factories.make_office("NZ", "Intellectual Property Office of New Zealand")


@pytest.fixture
def respondent(office):
    return factories.make_person("robin@ipaustralia.test", office=office)


@pytest.fixture
def colleague(office):
    return factories.make_person("sam@ipaustralia.test", office=office)


@pytest.fixture
def viewer(office):
    return factories.make_person("jo@ipaustralia.test", office=office, member_role="viewer")


@pytest.fixture
def outsider(other_office):
    return factories.make_person("kim@iponz.test", office=other_office)


@pytest.fixture
def colead(db):
    return factories.make_colead()


@pytest.fixture
def secretariat(db):
    return factories.make_secretariat()


@pytest.fixture
def framework(db):
    return factories.default_framework()


@pytest.fixture
def client_of(client):
    """``client_of(person)``: the test client, logged in as that person; a co-lead or the
    secretariat past the two-factor step too, with an authenticator of their own."""

    def login(user):
        client.force_login(user)
        if two_factor_required(user):
            factories.pass_code_step(client, factories.make_device(user))
        return client

    return login


@pytest.fixture
def open_cycle(office, other_office):
    today = timezone.localdate()
    return factories.make_cycle(
        today.year,
        offices=[office, other_office],
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=30),
    )


@pytest.fixture
def draft(open_cycle, office, respondent):
    return assessment_start(cycle=open_cycle, office=office, user=respondent)


# The 2/8/9 merge, from an office's side: what it answered on the 2024 framework last year,
# and the cycle of this year on the 2027 framework that merges 2, 8 and 9 (10 becomes 8).
MERGE_ANSWERS = {
    "r2": {
        "status": "implemented",
        "maturity_current": 4,
        "maturity_target": 5,
        "status_comment": "Cloud first since 2022.",
    },
    "r8": {"status": "considering", "maturity_current": 2, "maturity_target": 3},
    "r9": {
        "status": "ongoing",
        "maturity_current": 3,
        "status_comment": "A data lake.",
        "status_comment_private": True,
        "focus": True,
    },
    "r10": {
        "status": "decided",
        "maturity_current": 1,
        "maturity_target": 2,
        "evidence": "Board minutes.",
    },
}


@pytest.fixture
def submitted_on_2024(office, other_office):
    """AU's submission of last year, on the 2024 framework (``MERGE_ANSWERS``)."""
    cycle = factories.make_cycle(timezone.localdate().year - 1, offices=[office, other_office])
    return factories.make_assessment(cycle, office, submitted=True, **MERGE_ANSWERS)


@pytest.fixture
def merged_cycle(db, office, other_office):
    """This year's cycle, open, on the 2027 framework that merges 2, 8 and 9."""
    today = timezone.localdate()
    return factories.make_cycle(
        today.year,
        framework=factories.framework_merging_2_8_9(),
        offices=[office, other_office],
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=30),
    )
