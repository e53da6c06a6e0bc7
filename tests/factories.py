"""Small builders for test data; each takes only what a test needs to say."""

import datetime

import django_otp
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.models import Answer, Assessment, Cycle, Invitation
from portal.accounts.models import SiteRole, User
from portal.offices.models import MemberRole, Membership, Office
from recommendations.models import Framework

PASSWORD = "a-long-test-password"
# Queries of every logged-in page before its own: renewing the session's expiry (an UPDATE,
# in a savepoint inside a test's transaction) and finding the person's authenticator.
SESSION_QUERIES = 4


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


def make_device(user: User, *, confirmed: bool = True) -> TOTPDevice:
    """The person's authenticator (their existing one if they have one)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=confirmed).first()
    return device or TOTPDevice.objects.create(user=user, name="phone", confirmed=confirmed)


def pass_code_step(client, device: TOTPDevice) -> None:
    """Marks the client's session as past the code step, as django_otp.login does."""
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


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


def reopen_with_draft_edits(assessment: Assessment, *, secretariat, respondent, **values):
    """The secretariat reopens a submission and the office starts revising it: ``values``
    (by key, ``r1-status`` …) are saved in the draft, not submitted."""
    from assessments.services import assessment_reopen, assessment_save

    assessment_reopen(assessment=assessment, user=secretariat, reason="Revise, please.")
    assessment.refresh_from_db()
    assessment_save(
        assessment=assessment, user=respondent, base_version=assessment.version, values=values
    )
    assessment.refresh_from_db()
    return assessment


def framework_merging_2_8_9(version: str = "2027", *, status: str = "active") -> Framework:
    """A new version of the 2024 framework in which its recommendations 2, 8 and 9 are
    merged into one (the delegation's proposal): 1 stays 1, 2+8+9 become 2, 3-7 keep their
    numbers, 10 becomes 8. Its crosswalk says so; the wording is the 2024 one."""
    from recommendations.models import CrosswalkLink
    from recommendations.services import framework_copy

    original = default_framework()
    new = framework_copy(framework=original, version=version)
    CrosswalkLink.objects.filter(framework=new).delete()
    old = {r.number: r for r in original.recommendations.all()}
    mine = {r.number: r for r in new.recommendations.all()}
    mine[8].delete()
    mine[9].delete()
    # 10 -> 8: move it out of the way first (one number per framework).
    mine[10].number = 8
    mine[10].save()
    mine[2].short_title_en = "Data, cloud and infrastructure"
    mine[2].save()
    lines = [(n, n) for n in (1, 3, 4, 5, 6, 7)] + [(2, 2), (8, 2), (9, 2), (10, 8)]
    for previous, number in lines:
        target = mine[10] if previous == 10 else mine[number]
        CrosswalkLink.objects.create(framework=new, previous=old[previous], recommendation=target)
    new.status = status
    new.save()
    return new
