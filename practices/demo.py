"""Demo entries of the practice catalogue, drawn from the kinds of projects offices described
in the 2025 survey; openness for about half the offices and a request waiting for the demo
office's answer."""

import datetime

from django.utils import timezone

from practices.models import (
    ContactRequest,
    Openness,
    Outcome,
    PeerProfile,
    Practice,
    PracticeNumber,
    PracticeTag,
)
from practices.services import search_document

P = Practice
# office, recommendations, title, summary, kind, status, technologies, tags, outcome, lessons
PRACTICES = [
    (
        "GB",
        [1, 8],
        "Patent back end and e-filing forms moved to public cloud",
        "The patent case-management back end and the online filing forms were migrated from the "
        "office's data centre to a public cloud, in three waves over 18 months.",
        P.Kind.PROJECT,
        P.Status.COMPLETED,
        "Public cloud, Kubernetes, PostgreSQL",
        ["cloud", "migration"],
        ("Unplanned downtime per year, hours", "31", "8", "5"),
        "Move the forms last: users notice them first. Agree exit terms with the provider early.",
    ),
    (
        "US",
        [4],
        "Zero-trust architecture for examiner systems",
        "Every access to examiner systems is authenticated and authorised per request, whatever "
        "the "
        "network it comes from; legacy VPN access is being retired.",
        P.Kind.PROJECT,
        P.Status.IN_PROGRESS,
        "Identity provider, device posture checks",
        ["zero trust", "security"],
        ("Systems behind zero-trust access, %", "0", "100", "64"),
        "",
    ),
    (
        "DE",
        [4],
        "ISO/IEC 27001:2022 certification programme",
        "An information security management system covering all IP registers, certified against "
        "ISO/IEC 27001:2022 after a two-year programme.",
        P.Kind.POLICY,
        P.Status.COMPLETED,
        "ISMS",
        ["iso 27001", "security"],
        ("Open major audit findings", "14", "0", "0"),
        "Budget the first surveillance audit as part of the programme, not after it.",
    ),
    (
        "JP",
        [10],
        "AI-assisted IPC classification of patent applications",
        "A model proposes IPC symbols for incoming applications, with explainable output showing "
        "the passages behind each symbol; classifiers confirm or correct.",
        P.Kind.SYSTEM,
        P.Status.COMPLETED,
        "Machine learning, explainable AI",
        ["ai", "classification"],
        ("Accuracy at main-group level, %", "71", "90", "92"),
        "Show the evidence for each proposal: classifiers trusted it once they could check it.",
    ),
    (
        "KR",
        [10],
        "AI-based image search for trademark examiners",
        "Examiners search earlier marks by image as well as by text; figurative elements are "
        "compared by a trained similarity model.",
        P.Kind.SYSTEM,
        P.Status.COMPLETED,
        "Image similarity, vector search",
        ["ai", "image search", "trademarks"],
        ("Search time per application, minutes", "42", "20", "17"),
        "",
    ),
    (
        "EM",
        [6, 10],
        "Blockchain-based synchronisation with TMview and DesignView",
        "Office data reaches TMview (since 2024) and DesignView (since 2022) through a "
        "blockchain-based synchronisation that replaces nightly file transfers.",
        P.Kind.PROJECT,
        P.Status.COMPLETED,
        "Blockchain",
        ["blockchain", "tmview", "designview"],
        ("Delay before data appears in TMview, hours", "24", "1", "0.5"),
        "",
    ),
    (
        "EP",
        [5],
        "Bulk XML full text for the PCT minimum documentation",
        "Full text of patent documents in bulk ST.96 XML, ready for the PCT minimum documentation "
        "requirements that apply from 1 January 2026.",
        P.Kind.PROJECT,
        P.Status.IN_PROGRESS,
        "ST.96 XML, bulk download",
        ["open data", "st.96", "pct"],
        None,
        "",
    ),
    (
        "SG",
        [5],
        "Open-data portal with bulk downloads and an API",
        "Bibliographic and legal status data of all IP rights, downloadable in bulk and through a "
        "documented API following ST.90.",
        P.Kind.SYSTEM,
        P.Status.COMPLETED,
        "REST API, ST.90",
        ["open data", "api"],
        ("Registered API users", "0", "300", "540"),
        "",
    ),
    (
        "CN",
        [7],
        "ST.26 sequence listings from filing to publication",
        "Sequence listings are received, validated and published in ST.26 XML end to end.",
        P.Kind.STANDARD,
        P.Status.COMPLETED,
        "WIPO Sequence, ST.26",
        ["st.26", "standards"],
        None,
        "",
    ),
    (
        "BR",
        [7],
        "ST.96 XML for trademark data exchange",
        "Trademark data exchanged with WIPO and partner offices moves to ST.96 XML.",
        P.Kind.STANDARD,
        P.Status.IN_PROGRESS,
        "ST.96",
        ["st.96", "standards"],
        None,
        "",
    ),
    (
        "MX",
        [3],
        "A data-governance framework for IP registers",
        "Named data owners and stewards for every register, data-quality rules checked weekly "
        "and a "
        "data catalogue.",
        P.Kind.POLICY,
        P.Status.COMPLETED,
        "Data catalogue",
        ["data governance", "data quality"],
        ("Records failing quality rules, %", "6.5", "1", "0.8"),
        "",
    ),
    (
        "KE",
        [2],
        "ICT master plan supported by a development bank",
        "A five-year ICT master plan aligned with the office's strategy, financed in part by a "
        "development bank, with yearly evaluation.",
        P.Kind.POLICY,
        P.Status.IN_PROGRESS,
        "",
        ["strategy", "funding"],
        None,
        "",
    ),
    (
        "AP",
        [6, 8],
        "WIPO IPAS as the core business platform",
        "Filing, examination and registration of all IP rights run on WIPO IPAS, shared with "
        "member "
        "states' offices.",
        P.Kind.SYSTEM,
        P.Status.COMPLETED,
        "WIPO IPAS",
        ["ipas", "shared solutions"],
        None,
        "Train super-users in each member state before go-live.",
    ),
    (
        "FI",
        [9],
        "Lessons-learned reviews shared with peer offices",
        "Every ICT project ends with a review whose lessons are published for other IP offices.",
        P.Kind.TRAINING,
        P.Status.COMPLETED,
        "",
        ["project management", "lessons learned"],
        None,
        "",
    ),
    (
        "CA",
        [1],
        "Legal basis for automated decisions and e-signatures",
        "A review of the IP acts to allow automated formality decisions and qualified electronic "
        "signatures.",
        P.Kind.POLICY,
        P.Status.PLANNED,
        "",
        ["legal", "e-signatures"],
        None,
        "",
    ),
]

OPENNESS = {
    "JP": {10: (True, False)},
    "KR": {10: (True, True)},
    "EM": {6: (True, False), 10: (True, False)},
    "GB": {1: (True, True), 8: (True, False)},
    "US": {4: (True, False)},
    "DE": {4: (False, True)},
    "SG": {5: (True, False)},
    "CN": {7: (True, False)},
    "MX": {3: (True, False)},
    "FI": {9: (True, False)},
    "NZ": {10: (False, True), 4: (False, True)},
    "EP": {5: (True, False)},
    "AP": {8: (False, True)},
    "KE": {2: (False, True)},
    "SA": {10: (False, True)},
    "AU": {2: (False, True)},
    "ES": {10: (False, True), 3: (False, True)},
    "BR": {7: (False, True)},
    "CA": {1: (False, True)},
    "PE": {5: (False, True)},
}
LANGUAGES = {
    "JP": ["en"],
    "KR": ["en"],
    "EM": ["en", "fr", "es"],
    "GB": ["en"],
    "US": ["en", "es"],
    "DE": ["en"],
    "SG": ["en", "zh-hans"],
    "CN": ["zh-hans", "en"],
    "MX": ["es", "en"],
    "FI": ["en"],
    "NZ": ["en"],
    "EP": ["en", "fr"],
    "AP": ["en"],
    "KE": ["en"],
    "SA": ["ar", "en"],
    "AU": ["en"],
    "ES": ["es", "en"],
    "BR": ["en", "es"],
    "CA": ["en", "fr"],
    "PE": ["es"],
}


def seed_practices(offices: dict, *, today: datetime.date) -> None:
    now = timezone.now()
    for i, (code, numbers, title, summary, kind, status, tech, tags, outcome, lessons) in enumerate(
        PRACTICES
    ):
        practice = Practice.objects.create(
            office=offices[code],
            title=title,
            summary=summary,
            kind=kind,
            status=status,
            technologies=tech,
            lessons=lessons,
            language="en",
            state=Practice.State.PUBLISHED,
            published_at=now - datetime.timedelta(days=20 + 9 * i),
            confirmed_at=now - datetime.timedelta(days=20 + 9 * i),
            contact_languages=LANGUAGES.get(code, ["en"]),
            started_on=datetime.date(today.year - 2, 1 + i % 12, 1),
            ended_on=datetime.date(today.year - 1, 1 + i % 12, 1)
            if status == P.Status.COMPLETED
            else None,
        )
        PracticeNumber.objects.bulk_create(
            PracticeNumber(practice=practice, number=n) for n in numbers
        )
        PracticeTag.objects.bulk_create(PracticeTag(practice=practice, name=t) for t in tags)
        outcomes = []
        if outcome:
            indicator, baseline, target, achieved = outcome
            outcomes = [
                Outcome.objects.create(
                    practice=practice,
                    indicator=indicator,
                    baseline=baseline,
                    target=target,
                    achieved=achieved,
                )
            ]
        practice.search_document = search_document(practice, tags=tags, outcomes=outcomes)
        practice.save(update_fields=["search_document"])
    for code, choices in OPENNESS.items():
        for number, (share, joint) in choices.items():
            Openness.objects.create(office=offices[code], number=number, share=share, joint=joint)
    for code, languages in LANGUAGES.items():
        PeerProfile.objects.create(office=offices[code], languages=languages)
    ContactRequest.objects.create(
        seeker=offices["KE"],
        target=offices["AU"],
        number=2,
        purpose=ContactRequest.Purpose.JOINT,
        message="We are drafting our ICT master plan with a development bank and would like to "
        "compare evaluation methods and indicators with an office at a similar level.",
        sent_at=now - datetime.timedelta(days=3),
    )
