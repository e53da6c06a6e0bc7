"""A demo data set: 40 real offices, three past cycles and an open one, and one login per role.

The answers are invented but plausible: each office has its own maturity that grows a little
every year, recommendations differ in difficulty (emerging technologies are the hardest and
the most discussed, as in the 2025 survey), and the same seed always gives the same data.
"""

import datetime
import random
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.models import Answer, Assessment, AssessmentEvent, Cycle, Invitation
from feedback.models import Feedback
from feedback.services import feedback_from_survey, feedback_send
from kpi.services import snapshot_refresh
from portal.accounts.models import SiteRole, User
from portal.offices.models import MemberRole, Membership, Office
from practices.demo import seed_practices
from recommendations.models import SOURCE_LANGUAGE, Framework, column
from recommendations.selectors import crosswalk_stamp
from recommendations.services import crosswalk_save, framework_copy
from roadmap.selectors import has_gap, roadmap_basis
from roadmap.services import action_add, action_update

DEMO_PASSWORD = "maturity-demo"  # noqa: S105 - printed for the demo, refused outside DEBUG
DEMO_OFFICE = "AU"

OFFICES = [
    # Africa
    ("ZA", "Companies and Intellectual Property Commission (CIPC)"),
    ("EG", "Egyptian Patent Office"),
    ("KE", "Kenya Industrial Property Institute (KIPI)"),
    ("MA", "Moroccan Industrial and Commercial Property Office (OMPIC)"),
    ("NG", "Trademarks, Patents and Designs Registry"),
    ("GH", "Registrar-General's Department"),
    ("TN", "National Institute for Standardization and Industrial Property (INNORPI)"),
    # Asia and the Pacific
    ("AU", "IP Australia"),
    ("CN", "China National Intellectual Property Administration (CNIPA)"),
    ("JP", "Japan Patent Office (JPO)"),
    ("KR", "Korean Intellectual Property Office (KIPO)"),
    ("IN", "Office of the Controller General of Patents, Designs and Trade Marks"),
    ("SG", "Intellectual Property Office of Singapore (IPOS)"),
    ("MY", "Intellectual Property Corporation of Malaysia (MyIPO)"),
    ("PH", "Intellectual Property Office of the Philippines (IPOPHL)"),
    ("NZ", "Intellectual Property Office of New Zealand (IPONZ)"),
    ("SA", "Saudi Authority for Intellectual Property (SAIP)"),
    # Europe
    ("GB", "UK Intellectual Property Office"),
    ("DE", "German Patent and Trade Mark Office (DPMA)"),
    ("FR", "National Institute of Industrial Property (INPI)"),
    ("ES", "Spanish Patent and Trademark Office (OEPM)"),
    ("PL", "Patent Office of the Republic of Poland"),
    ("SE", "Swedish Intellectual Property Office (PRV)"),
    ("FI", "Finnish Patent and Registration Office (PRH)"),
    ("CH", "Swiss Federal Institute of Intellectual Property (IPI)"),
    ("CZ", "Industrial Property Office of the Czech Republic"),
    # Latin America and the Caribbean
    ("BR", "National Institute of Industrial Property (INPI Brazil)"),
    ("MX", "Mexican Institute of Industrial Property (IMPI)"),
    ("AR", "National Institute of Industrial Property (INPI Argentina)"),
    ("CL", "National Institute of Industrial Property (INAPI)"),
    ("CO", "Superintendence of Industry and Commerce (SIC)"),
    ("PE", "National Institute for the Defense of Competition and Protection of IP (INDECOPI)"),
    # North America
    ("US", "United States Patent and Trademark Office (USPTO)"),
    ("CA", "Canadian Intellectual Property Office (CIPO)"),
    # Regional IP organizations
    ("EP", "European Patent Office (EPO)"),
    ("EM", "European Union Intellectual Property Office (EUIPO)"),
    ("AP", "African Regional Intellectual Property Organization (ARIPO)"),
    ("OA", "African Intellectual Property Organization (OAPI)"),
    ("EA", "Eurasian Patent Organization (EAPO)"),
    ("GC", "GCC Patent Office"),
]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    name: str
    office: str = ""
    site_role: str = ""
    member_role: str = MemberRole.RESPONDENT


LOGINS = [
    DemoLogin("office respondent", "cio@au.example", "Robin Carter", DEMO_OFFICE),
    DemoLogin("office respondent (a colleague)", "deputy@au.example", "Sam Lee", DEMO_OFFICE),
    DemoLogin(
        "office viewer", "staff@au.example", "Jo Patel", DEMO_OFFICE, member_role=MemberRole.VIEWER
    ),
    DemoLogin(
        "task-force co-lead", "colead@taskforce.example", "Ana Costa", site_role=SiteRole.COLEAD
    ),
    DemoLogin(
        "secretariat", "secretariat@wipo.example", "Marie Dubois", site_role=SiteRole.SECRETARIAT
    ),
]

# Co-leads and the secretariat must give a TOTP code after their password. Their demo
# accounts get an authenticator with a fixed, published key (refused outside DEBUG like the
# password): add it to an app, or print the current code with `manage.py totp_code EMAIL`.
DEMO_TOTP_KEYS = {
    "colead@taskforce.example": "64656d6f2d636f6c6561642d3266612d6b657921",
    "secretariat@wipo.example": "64656d6f2d73656372657461726961742d326661",
}


def demo_site_url(addrport: str) -> str:
    """Where the demo is reached when it serves at ``addrport`` (as runserver takes it: a
    port, or an address and a port): the address e-mail links point to."""
    host, _, port = addrport.rpartition(":")
    if host in ("", "0", "0.0.0.0", "[::]"):  # noqa: S104 - compared, not bound
        # Served on every interface (or the default one): this machine's name reaches it.
        host = "localhost"
    return f"http://{host}:{port}"


def demo_devices_ensure() -> None:
    """Gives the demo co-lead and secretariat their authenticator (also in a demo database
    made before two-factor authentication existed)."""
    for email, key in DEMO_TOTP_KEYS.items():
        user = User.objects.filter(email=email).first()
        if user is not None and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="Demo authenticator", key=key, confirmed=True)


# How much harder (negative) or easier each recommendation is than an office's average.
DIFFICULTY = {1: 0.0, 2: 0.3, 3: -0.3, 4: 0.6, 5: -0.1, 6: 0.7, 7: 0.4, 8: -0.5, 9: -0.2, 10: -0.9}
EXTRA_FOCUS = {1: 0.15, 3: 0.15, 10: 0.35}
EXTRA_CHALLENGE = {1: 0.15, 3: 0.1, 8: 0.2, 10: 0.4}
EXTRA_DISCUSS = {5: 0.1, 8: 0.15, 10: 0.4}

PROJECTS = {
    1: [
        "End-to-end electronic filing and notification for all IP rights",
        "Amending the law to allow automated formality decisions",
    ],
    2: [
        "New five-year ICT strategy aligned with the business plan",
        "Yearly review of the ICT roadmap by the management board",
    ],
    3: [
        "Data quality programme for bibliographic data",
        "Appointing data owners for each register",
    ],
    4: ["ISO/IEC 27001 certification project", "Security operations centre shared with government"],
    5: ["Bulk download service for patent data in ST.96", "Open API for trademark register data"],
    6: ["Joining WIPO DAS for priority documents", "Connecting to WIPO CASE"],
    7: ["Moving to ST.26 sequence listings", "Adopting ST.96 for trademark data exchange"],
    8: ["Reusing a shared examination platform", "Common back-office with a neighbouring office"],
    9: [
        "Lessons-learned sessions after each ICT project",
        "Publishing our project methodology for other offices",
    ],
    10: [
        "AI-assisted classification pilot",
        "Machine translation of prior art",
        "Image search for trademarks",
    ],
}
CHALLENGES = [
    "Budget constraints for the next two years",
    "Shortage of skilled ICT staff",
    "The legal framework has to be amended first",
    "Dependence on a legacy system that is hard to change",
    "Governance and ethics rules are still being drafted",
]
# The survey's last question, each in an office's own words: the annex lists them one after
# the other, so that no two read alike. Each cycle draws from its own share, in order (the
# oldest cycle the last share), so the same seed always gives the same proposals.
PROPOSALS = [
    "Add measurable indicators to each recommendation.",
    "Give examples of evidence for each maturity level, so that offices rate themselves alike.",
    "Split recommendation 10 into artificial intelligence and other emerging technologies.",
    "Say how small offices without their own ICT division can reach level 3.",
    "Align the data governance levels with the FAIR principles.",
    "Let offices attach a short note per level explaining their rating.",
    "Add a recommendation on cloud services and data sovereignty.",
    "Ask about the staff and budget behind each project, not only its status.",
    "Publish a short guide to answering the survey with worked examples.",
    "Name the WIPO Standards recommendation 7 expects at each level.",
    "Cover the accessibility of online filing services for people with disabilities.",
    "Ask how offices measure the satisfaction of the users of their e-services.",
    "Merge recommendations 8 and 9: sharing solutions and sharing experience go together.",
    "Add a level between 3 and 4 for information security; the step is too large.",
    "Keep the questionnaire stable for three years so that progress can be compared.",
    "Ask which shared platforms offices would join if they were offered.",
    "Add a question on how offices prepare for the retirement of legacy systems.",
    "Describe what open data for reuse means for offices that charge for bulk data.",
    "Include business continuity and disaster recovery in the information security levels.",
    "Ask about cooperation with the national government's digital agency.",
    "Offer the questionnaire as a spreadsheet for offices that collect answers offline.",
    "Add guidance on the ethics and transparency of automated decisions.",
    "Let regional offices answer for the services they run for their member states.",
    "Ask how long offices keep the data of their legacy systems after a migration.",
]
PROPOSALS_PER_CYCLE = 6

LOW_PRIORITY = [
    "Other recommendations come first with our current resources",
    "Largely handled by our national government ICT agency",
    "Not relevant to the size of our office for now",
]
STATUS_COMMENTS = [
    "Progress was slower than planned because of procurement delays.",
    "Completed for patents; trademarks and designs follow next year.",
    "Covered by the new ICT strategy approved this year.",
    "Pilot finished; roll-out depends on funding.",
]


def _status_for(level: float, rng: random.Random) -> str:
    noisy = level + rng.gauss(0, 0.35)
    if noisy >= 4.2:
        return Answer.Status.IMPLEMENTED
    if noisy >= 3.2:
        return Answer.Status.ONGOING
    if noisy >= 2.5:
        return Answer.Status.DECIDED
    if noisy >= 1.6:
        return Answer.Status.CONSIDERING
    return Answer.Status.NOT_PLANNED


def _answer(assessment, recommendation, base: float, rng: random.Random) -> Answer:
    number = recommendation.number
    level = base + DIFFICULTY[number] + rng.gauss(0, 0.55)
    current = min(5, max(1, round(level)))
    target = min(5, current + (1 if rng.random() < 0.55 else 0) + (1 if rng.random() < 0.08 else 0))
    status = _status_for(level, rng)
    in_progress = status in (Answer.Status.ONGOING, Answer.Status.DECIDED)
    focus = rng.random() < 0.2 + EXTRA_FOCUS.get(number, 0) + (0.15 if in_progress else 0)
    challenge = rng.random() < 0.12 + EXTRA_CHALLENGE.get(number, 0)
    discuss = rng.random() < 0.12 + EXTRA_DISCUSS.get(number, 0)
    unplanned = status in (Answer.Status.NOT_PLANNED, Answer.Status.CONSIDERING)
    low_priority = not focus and rng.random() < 0.04 + (0.25 if unplanned else 0)
    status_comment = rng.choice(STATUS_COMMENTS) if rng.random() < 0.2 else ""
    challenge_comment = rng.choice(CHALLENGES) if challenge and rng.random() < 0.7 else ""
    return Answer(
        assessment=assessment,
        recommendation=recommendation,
        status=status,
        status_comment=status_comment,
        status_comment_private=bool(status_comment) and rng.random() < 0.1,
        focus=focus,
        focus_comment=rng.choice(PROJECTS[number]) if focus and rng.random() < 0.6 else "",
        low_priority=low_priority,
        low_priority_comment=rng.choice(LOW_PRIORITY) if low_priority else "",
        challenge=challenge,
        challenge_comment=challenge_comment,
        challenge_comment_private=bool(challenge_comment) and rng.random() < 0.15,
        discuss=discuss,
        maturity_current=current,
        maturity_target=target,
    )


def _office_base(code: str) -> float:
    rng = random.Random(f"base-{code}")
    return rng.uniform(1.8, 3.9)


@transaction.atomic
def seed_demo(*, today: datetime.date | None = None) -> bool:
    """Creates the demo data set; returns False (and changes nothing) if it is there already."""
    if User.objects.filter(email=LOGINS[-1].email).exists():
        return False
    today = today or timezone.localdate()
    framework = Framework.objects.get(version="2024")
    recommendations = list(framework.recommendations.order_by("number"))

    offices = {}
    for code, name in OFFICES:
        office = Office(code=code, name=name)
        office.full_clean()
        office.save()
        offices[code] = office

    for login in LOGINS:
        first_name, last_name = login.name.split(" ", 1)
        user = User.objects.create_user(
            login.email,
            DEMO_PASSWORD,
            first_name=first_name,
            last_name=last_name,
            site_role=login.site_role,
        )
        if login.office:
            Membership.objects.create(
                user=user, office=offices[login.office], role=login.member_role
            )

    respondent = User.objects.get(email=LOGINS[0].email)
    for age in (3, 2, 1):
        year = today.year - age
        cycle = Cycle.objects.create(
            year=year,
            framework=framework,
            opens_on=datetime.date(year, 9, 1),
            closes_on=datetime.date(year, 11, 30),
        )
        _invite_and_answer(cycle, offices, recommendations, age=age, respondent=respondent)

    open_cycle = Cycle.objects.create(
        year=today.year,
        framework=framework,
        opens_on=today - datetime.timedelta(days=21),
        closes_on=today + datetime.timedelta(days=40),
    )
    _invite_and_answer(open_cycle, offices, recommendations, age=0, respondent=respondent)
    for cycle in Cycle.objects.order_by("year"):
        snapshot_refresh(cycle=cycle)
    _roadmap_and_feedback(today=today)
    seed_practices(offices, today=today)
    demo_devices_ensure()
    return True


def _invite_and_answer(cycle, offices, recommendations, *, age: int, respondent) -> None:
    rng = random.Random(f"cycle-{cycle.year}")
    opened = timezone.make_aware(datetime.datetime.combine(cycle.opens_on, datetime.time(9)))
    # Only the demo office has people to receive the invitation e-mail.
    Invitation.objects.bulk_create(
        Invitation(cycle=cycle, office=office, sent_at=opened if code == DEMO_OFFICE else None)
        for code, office in offices.items()
    )
    answers, events = [], []
    proposals = iter(PROPOSALS[age * PROPOSALS_PER_CYCLE : (age + 1) * PROPOSALS_PER_CYCLE])
    for code, office in offices.items():
        if age == 0:
            # The open cycle: a third have submitted, a quarter are drafting, the demo
            # office has a draft with four sections done and a fifth begun.
            roll = rng.random()
            if code == DEMO_OFFICE:
                assessment = Assessment.objects.create(
                    cycle=cycle, office=office, updated_by=respondent
                )
                for recommendation in recommendations[:4]:
                    answers.append(
                        _answer(assessment, recommendation, _office_base(code) + 0.9, rng)
                    )
                partial = _answer(assessment, recommendations[4], _office_base(code) + 0.9, rng)
                partial.maturity_current = partial.maturity_target = None
                answers.append(partial)
                answers.extend(Answer.blank(assessment, r) for r in recommendations[5:])
                events.append(
                    AssessmentEvent(
                        assessment=assessment, kind="create", user=respondent, version=1, at=opened
                    )
                )
                continue
            if roll > 0.6:
                continue
            submitted = roll < 0.35
        else:
            submitted = code == DEMO_OFFICE or rng.random() < 0.85
            if not submitted:
                continue
        submitted_at = (
            opened + datetime.timedelta(days=rng.randint(10, 80), hours=rng.randint(0, 8))
            if submitted
            else None
        )
        if submitted_at and age == 0:
            submitted_at = min(submitted_at, timezone.now() - datetime.timedelta(hours=2))
        assessment = Assessment.objects.create(
            cycle=cycle,
            office=office,
            status=Assessment.Status.SUBMITTED if submitted else Assessment.Status.DRAFT,
            submitted_at=submitted_at,
            submitted_by=respondent if submitted and code == DEMO_OFFICE else None,
            proposals=next(proposals, "") if submitted and rng.random() < 0.15 else "",
        )
        base = _office_base(code) + (3 - age) * 0.3
        answered = len(recommendations) if submitted else rng.randint(1, 9)
        answers.extend(_answer(assessment, r, base, rng) for r in recommendations[:answered])
        answers.extend(Answer.blank(assessment, r) for r in recommendations[answered:])
        events.append(
            AssessmentEvent(
                assessment=assessment,
                kind="create",
                version=1,
                user=respondent if code == DEMO_OFFICE else None,
                at=opened,
            )
        )
        if submitted:
            events.append(
                AssessmentEvent(
                    assessment=assessment,
                    kind="submit",
                    version=2,
                    user=assessment.submitted_by,
                    at=submitted_at,
                )
            )
    Answer.objects.bulk_create(answers)
    AssessmentEvent.objects.bulk_create(events)
    Assessment.objects.filter(cycle=cycle, status=Assessment.Status.SUBMITTED).update(version=2)


def _roadmap_and_feedback(*, today: datetime.date) -> None:
    """The demo office's roadmap towards the targets of its last submission, with actions
    in every state; and feedback on the recommendations, some of it triaged."""
    office = Office.objects.get(code=DEMO_OFFICE)
    respondent = User.objects.get(email=LOGINS[0].email)
    colleague = User.objects.get(email=LOGINS[1].email)
    basis = roadmap_basis(office)
    gaps = [
        recommendation
        for recommendation in basis.framework.recommendations.order_by("number")
        if has_gap(*basis.levels.get(recommendation.number, (None, None)))
    ]
    days = datetime.timedelta
    # (recommended action or own text, unit, due in days from today, final status, done days ago)
    plans = [
        (1, "", "ICT strategy unit", -60, "done", 75),
        (None, "Monthly steering review of the roadmap", "Executive board", -20, "done", 5),
        (2, "", "Enterprise architecture", 90, "in_progress", None),
        (
            None,
            "Pilot with a neighbouring office",
            "International cooperation",
            200,
            "planned",
            None,
        ),
        (3, "", "Data office", -30, "in_progress", None),
        (None, "Outsource the help desk", "Corporate services", 120, "dropped", None),
    ]
    for index, (position, text, unit, due, status, done_ago) in enumerate(plans):
        recommendation = gaps[index % len(gaps)] if gaps else None
        if recommendation is None:
            break
        recommended = recommendation.actions.filter(position=position).first() if position else None
        action = action_add(
            office=office,
            user=respondent,
            recommendation=recommendation,
            recommended_action=recommended,
            text="" if recommended else (text or "Own action"),
            responsible_unit=unit,
            due_on=today + days(days=due),
            status="planned",
            drop_reason="",
        )
        if status != "planned":
            action_update(
                action=action,
                user=colleague,
                base_version=action.version,
                status=status,
                drop_reason="Covered by the government's shared service."
                if status == "dropped"
                else "",
                today=today - days(days=done_ago or 0),
            )

    for assessment in (
        Assessment.objects.filter(status=Assessment.Status.SUBMITTED)
        .exclude(proposals="")
        .select_related("cycle__framework", "office")
    ):
        feedback_from_survey(assessment=assessment)
    framework = Framework.objects.current()
    colead = User.objects.get(email=LOGINS[3].email)
    secretariat = User.objects.get(email=LOGINS[4].email)
    sent = [
        (
            respondent,
            office,
            2,
            "proposal",
            "Merge recommendations 2, 8 and 9: in our office they are one governance process.",
        ),
        (
            colleague,
            office,
            10,
            "comment",
            "Levels 3 and 4 of emerging technologies are hard to tell apart.",
        ),
        (
            colead,
            None,
            None,
            "proposal",
            "Give each recommendation one or two measurable indicators.",
        ),
        (respondent, office, 5, "proposal", "Mention bulk data in WIPO ST.96 explicitly."),
    ]
    items = [
        feedback_send(
            user=user,
            office=sender_office,
            framework=framework,
            recommendation=framework.recommendations.get(number=number) if number else None,
            kind=kind,
            text=text,
        )
        for user, sender_office, number, kind, text in sent
    ]
    # Triaged as the secretariat would (without e-mailing the demo people at seeding time).
    now = timezone.now()
    draft = _proposed_version(framework, version=f"{today.year + 1}-draft")
    Feedback.objects.filter(pk=items[0].pk).update(
        status=Feedback.Status.TAKEN,
        draft_version=draft.version,
        triaged_by=secretariat,
        triaged_at=now,
    )
    Feedback.objects.filter(pk=items[2].pk).update(
        status=Feedback.Status.UNDER_REVIEW, triaged_by=secretariat, triaged_at=now
    )
    Feedback.objects.filter(pk=items[3].pk).update(
        status=Feedback.Status.DECLINED,
        decline_reason="The recommendations name no particular standard; the guidance does.",
        triaged_by=secretariat,
        triaged_at=now,
    )


def _proposed_version(framework: Framework, *, version: str) -> Framework:
    """A draft of the next framework version taking up the demo office's proposal: its
    recommendations 2, 8 and 9 merged into one, 10 renumbered 8, with the crosswalk that
    says so, for the secretariat to open (docs/framework-evolution.md)."""
    draft = framework_copy(framework=framework, version=version)
    mine = {r.number: r for r in draft.recommendations.all()}
    merged = mine[2]
    merged.short_title_en = "ICT strategy, shared architectures and project experience"
    merged.statement_en = (
        "IP offices should have an ICT strategy that builds on shared architectures and "
        "solutions and on the experience of ICT projects shared among offices."
    )
    # Its translations were 2's: until translators word the merged one, English shows.
    for name in ("short_title", "statement", "gist"):
        for language in settings.MODELTRANSLATION_LANGUAGES:
            if language != SOURCE_LANGUAGE:
                setattr(merged, column(name, language), None)
    merged.save()
    mine[8].delete()
    mine[9].delete()
    mine[10].number = 8
    mine[10].save()
    lines = [(n, n) for n in range(1, 8)] + [(8, 2), (9, 2), (10, 8)]
    crosswalk_save(framework=draft, lines=lines, stamp=crosswalk_stamp(draft))
    return draft
