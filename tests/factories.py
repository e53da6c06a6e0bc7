"""Small builders for test data; each takes only what a test needs to say."""

import datetime

from assessments.models import Answer, Assessment, Cycle, Invitation
from portal.accounts.models import SiteRole, User
from portal.offices.models import MemberRole, Membership, Office
from recommendations.models import Framework

PASSWORD = "a-long-test-password"


def make_office(code: str, name: str | None = None) -> Office:
    office = Office(code=code, name=name or f"Office {code}")
    office.full_clean()
    office.save()
    return office


def make_person(
    email: str,
    *,
    office: Office | None = None,
    member_role: str = MemberRole.RESPONDENT,
    site_role: str = "",
) -> User:
    user = User.objects.create_user(email, PASSWORD, site_role=site_role)
    if office is not None:
        Membership.objects.create(user=user, office=office, role=member_role)
    return user


def make_colead(email: str = "colead@taskforce.test") -> User:
    return make_person(email, site_role=SiteRole.COLEAD)


def make_secretariat(email: str = "secretariat@ib.test") -> User:
    return make_person(email, site_role=SiteRole.SECRETARIAT)


def default_framework() -> Framework:
    return Framework.objects.get(version="2024")


def make_cycle(
    year: int = 2025,
    *,
    framework: Framework | None = None,
    offices=(),
    opens_on=None,
    closes_on=None,
) -> Cycle:
    cycle = Cycle.objects.create(
        year=year,
        framework=framework or default_framework(),
        opens_on=opens_on or datetime.date(year, 9, 1),
        closes_on=closes_on or datetime.date(year, 11, 30),
    )
    for office in offices:
        Invitation.objects.create(cycle=cycle, office=office)
    return cycle


def make_assessment(
    cycle: Cycle, office: Office, *, submitted: bool = False, **answers_by_number
) -> Assessment:
    assessment = Assessment.objects.create(
        cycle=cycle,
        office=office,
        status=Assessment.Status.SUBMITTED if submitted else Assessment.Status.DRAFT,
        submitted_at=datetime.datetime(cycle.year, 10, 1, tzinfo=datetime.UTC)
        if submitted
        else None,
    )
    for recommendation in cycle.framework.recommendations.all():
        fields = answers_by_number.get(f"r{recommendation.number}", {})
        Answer.objects.create(assessment=assessment, recommendation=recommendation, **fields)
    return assessment
