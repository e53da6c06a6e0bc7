"""The office summary PDF: an office's own answers of a cycle, its maturity profile beside the
anonymised figures of its peers, and the change since its previous submission."""

import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from exports.office_summary import build_office_summary, office_summary_html
from exports.output import submitted_versions
from kpi.models import OfficeFigures
from kpi.services import snapshot_refresh
from tests.factories import make_assessment, make_cycle, make_office, reopen_with_draft_edits

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    """The PDF's text with every run of white space made one space (lines wrap anywhere)."""
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def level(current, target=None, status="ongoing"):
    return {"status": status, "maturity_current": current, "maturity_target": target or current}


def all_levels(current, status="ongoing"):
    return {f"r{n}": level(current, status=status) for n in range(1, 11)}


def peers(cycle, codes, current=5):
    """Offices of ``codes`` that submitted, every recommendation at level ``current``."""
    for code in codes:
        make_assessment(cycle, make_office(code), submitted=True, **all_levels(current))


@pytest.fixture
def cycle(office, other_office):
    return make_cycle(2025, offices=[office, other_office])


def test_the_summary_holds_the_offices_answers_and_its_own_comments(cycle, office):
    assessment = make_assessment(
        cycle,
        office,
        submitted=True,
        r1={
            "status": "implemented",
            "maturity_current": 3,
            "maturity_target": 4,
            "status_comment": "E-filing covers every IP right since 2023.",
        },
        r2={
            "status": "considering",
            "status_comment": "The budget for a new strategy is not approved yet.",
            "status_comment_private": True,
            "challenge": True,
            "challenge_comment": "Too few architects on staff.",
        },
    )
    assessment.proposals = "Merge recommendations 8 and 9."
    assessment.save()

    output = build_office_summary(cycle=cycle, office=office)

    text = pdf_text(output.content)
    assert "AU – 2025 self-assessment summary" in text
    assert "IP Australia" in text
    assert "Submitted on 1 October 2025" in text
    assert "1. Digital transformation Implemented" in text
    assert "3 – Defined 4 – Managed" in text
    assert "E-filing covers every IP right since 2023." in text
    assert "Too few architects on staff." in text
    assert "Merge recommendations 8 and 9." in text
    # Its own comment marked "not for publication" is in it, labelled as such.
    assert "(not for publication) The budget for a new strategy is not approved yet." in text
    assert output.filename == "AU-2025-summary.pdf"
    assert output.content_type == "application/pdf"
    assert output.pages == len(PdfReader(io.BytesIO(output.content)).pages)
    assert (output.answers, output.answers_hash) == submitted_versions(cycle, office)
    assert output.answers == {"AU": assessment.version}


def test_office_text_is_escaped_and_its_direction_follows_its_script(cycle, office):
    make_assessment(
        cycle,
        office,
        submitted=True,
        r1={"status_comment": "<b>not bold</b> & <script>x()</script>"},
        r5={"focus": True, "focus_comment": "مشروع البيانات المفتوحة"},
    )

    html = office_summary_html(cycle=cycle, office=office)

    assert "&lt;b&gt;not bold&lt;/b&gt; &amp; &lt;script&gt;" in html
    assert "<script>" not in html
    # Worked out here: WeasyPrint does not implement dir="auto".
    assert '<p dir="rtl">مشروع البيانات المفتوحة</p>' in html
    assert "<b>not bold</b>" in pdf_text(build_office_summary(cycle=cycle, office=office).content)


def test_a_peer_group_of_fewer_than_five_offices_is_hidden_while_all_offices_are_shown(
    cycle, office, other_office
):
    # AU and NZ are the only offices of Asia and the Pacific; with five European offices,
    # seven offices responded, all of them national offices.
    make_assessment(cycle, office, submitted=True, **all_levels(2))
    make_assessment(cycle, other_office, submitted=True, **all_levels(1))
    peers(cycle, ["FR", "DE", "GB", "ES", "PL"], current=5)
    snapshot_refresh(cycle=cycle)

    text = pdf_text(build_office_summary(cycle=cycle, office=office).content)

    assert "All responding offices (7 offices)" in text
    assert "National offices (7 offices)" in text
    assert "All responding offices: mean" in text
    assert "4.0" in text  # (2 + 1 + 5 × 5) / 7
    assert (
        "Asia and the Pacific: Fewer than 5 offices besides yours are in this group: its "
        "figures are not shown" in text
    )
    assert "Asia and the Pacific: mean" not in text
    assert "1.5" not in text  # the mean of AU and NZ
    published = OfficeFigures.objects.get(cycle=cycle).published_at
    assert (
        f"Figures of other offices as last published on {published:%-d %B %Y, %H:%M} (UTC), "
        "from the answers of 7 offices." in text
    )


def test_with_five_respondents_the_office_among_them_no_group_is_shown(cycle, office, other_office):
    make_assessment(cycle, office, submitted=True, **all_levels(2))
    make_assessment(cycle, other_office, submitted=True, **all_levels(4))
    peers(cycle, ["FR", "DE", "GB"], current=4)
    snapshot_refresh(cycle=cycle)

    text = pdf_text(build_office_summary(cycle=cycle, office=office).content)

    assert "All responding offices: Fewer than 5 offices besides yours" in text
    assert "All responding offices: mean" not in text
    assert "3.6" not in text  # the mean of the five


def test_all_offices_minus_national_offices_cannot_reveal_the_regional_ones(cycle, office):
    # The issue: all 13, national 10, regional 3.
    make_assessment(cycle, office, submitted=True, **all_levels(2))
    peers(cycle, ["JP", "KR", "SG", "DE", "FR", "ES", "PL", "US", "BR"], current=3)
    peers(cycle, ["EP", "EM", "AP"], current=5)
    snapshot_refresh(cycle=cycle)

    text = pdf_text(build_office_summary(cycle=cycle, office=office).content)

    assert "All responding offices (13 offices)" in text
    assert "National offices: Hidden because it would reveal a smaller group" in text
    assert "National offices: mean" not in text
    assert "2.9" not in text  # the mean of the ten national offices


def test_nothing_of_other_offices_is_shown_before_figures_are_published(office):
    today = timezone.localdate()
    cycle = make_cycle(
        today.year, offices=[office], opens_on=today, closes_on=today + datetime.timedelta(30)
    )
    make_assessment(cycle, office, submitted=True, **all_levels(2))
    peers(cycle, ["FR", "DE", "GB", "IT"], current=4)

    text = pdf_text(build_office_summary(cycle=cycle, office=office).content)

    assert "All responding offices: Not published yet" in text
    assert "All responding offices: mean" not in text
    assert "3.6" not in text  # (2 + 4 × 4) / 5, live


def test_the_change_since_the_latest_earlier_submission_is_listed(office):
    earlier = make_cycle(2023, offices=[office])
    skipped = make_cycle(2024, offices=[office])
    cycle = make_cycle(2025, offices=[office])
    make_assessment(earlier, office, submitted=True, r1=level(2, status="considering"))
    make_assessment(skipped, office, submitted=False, r1=level(5, status="not_planned"))
    make_assessment(cycle, office, submitted=True, r1=level(4, status="implemented"))

    text = pdf_text(build_office_summary(cycle=cycle, office=office).content)

    assert "Change since the previous submission" in text
    assert "The office’s answers of 2025 against its submission of 2023" in text
    assert "Status 2023 Status 2025 Level 2023 Level 2025 Change" in text
    assert "1. Digital transformation Under consideration → Implemented 2 4 +2" in text
    assert "Maturity index in 2023" in text
    assert "Not planned" not in text  # the 2024 draft is not a submission


def test_without_an_earlier_submission_it_says_there_is_nothing_to_compare(cycle, office):
    make_assessment(cycle, office, submitted=True, r1=level(3))

    text = pdf_text(build_office_summary(cycle=cycle, office=office).content)

    assert "The office has no submission before 2025: there is nothing to compare with yet." in (
        text
    )
    assert "Status 2024" not in text


def test_another_offices_comments_never_appear(cycle, office, other_office):
    make_assessment(cycle, office, submitted=True, r1={"status_comment": "Our own words."})
    theirs = make_assessment(
        cycle,
        other_office,
        submitted=True,
        r1={"status_comment": "Kiwi public remark.", "evidence": "Kiwi evidence."},
        r2={"status_comment": "Kiwi private remark.", "status_comment_private": True},
    )
    theirs.proposals = "Kiwi proposal."
    theirs.other_comments = "Kiwi other comment."
    theirs.save()
    peers(cycle, ["FR", "DE", "GB"])
    snapshot_refresh(cycle=cycle)

    text = pdf_text(build_office_summary(cycle=cycle, office=office).content)

    assert "Our own words." in text
    assert "Kiwi" not in text
    assert "NZ" not in text


def test_an_office_without_a_submission_in_the_cycle_raises_value_error(
    cycle, office, other_office
):
    make_assessment(cycle, office, submitted=False, r1=level(3))

    with pytest.raises(ValueError, match="AU has no submitted assessment in the 2025 cycle"):
        build_office_summary(cycle=cycle, office=office)
    with pytest.raises(ValueError, match="NZ has no submitted assessment"):
        build_office_summary(cycle=cycle, office=other_office)


def test_a_reopened_submission_is_summarised_as_submitted_and_says_so(
    cycle, office, secretariat, respondent
):
    submitted = make_assessment(
        cycle,
        office,
        submitted=True,
        r1=level(3, status="implemented") | {"status_comment": "Done for patents."},
    )
    before = build_office_summary(cycle=cycle, office=office)
    reopen_with_draft_edits(
        submitted,
        secretariat=secretariat,
        respondent=respondent,
        **{"r1-status": "not_planned", "r1-status_comment": "Work in progress."},
    )

    during = build_office_summary(cycle=cycle, office=office)

    text = pdf_text(during.content)
    assert "1. Digital transformation Implemented" in text
    assert "Done for patents." in text
    assert "Work in progress." not in text and "Not planned" not in text
    assert (
        "The office’s submission has been reopened and is being revised: these are its "
        "answers as submitted on 1 October 2025, without the changes made since."
    ) in text
    assert (during.answers, during.answers_hash) == (before.answers, before.answers_hash)
    assert "being revised" not in pdf_text(before.content)


def test_an_earlier_submission_since_reopened_is_compared_as_submitted(
    office, secretariat, respondent
):
    earlier = make_cycle(2024, offices=[office])
    cycle = make_cycle(2025, offices=[office])
    then = make_assessment(earlier, office, submitted=True, r1=level(2, status="considering"))
    make_assessment(cycle, office, submitted=True, r1=level(4, status="implemented"))
    reopen_with_draft_edits(
        then, secretariat=secretariat, respondent=respondent, **{"r1-maturity_current": 5}
    )

    text = pdf_text(build_office_summary(cycle=cycle, office=office).content)

    assert "1. Digital transformation Under consideration → Implemented 2 4 +2" in text


def test_only_the_latest_earlier_submission_is_read_not_an_older_reopened_one(
    office, secretariat, respondent
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    oldest = make_cycle(2023, offices=[office])
    earlier = make_cycle(2024, offices=[office])
    cycle = make_cycle(2025, offices=[office])
    old = make_assessment(oldest, office, submitted=True, r1=level(1, status="not_planned"))
    reopen_with_draft_edits(
        old, secretariat=secretariat, respondent=respondent, **{"r1-maturity_current": 5}
    )
    make_assessment(earlier, office, submitted=True, r1=level(2, status="considering"))
    make_assessment(cycle, office, submitted=True, r1=level(4, status="implemented"))

    with CaptureQueriesContext(connection) as queries:
        text = pdf_text(build_office_summary(cycle=cycle, office=office).content)

    assert "1. Digital transformation Under consideration → Implemented 2 4 +2" in text
    # The 2023 submission's history (its reopening) is not replayed: it is not compared.
    assert not any("assessments_assessmentevent" in q["sql"] for q in queries.captured_queries)


def test_progress_is_reported_in_steps(cycle, office):
    make_assessment(cycle, office, submitted=True, r1=level(3))
    steps = []

    build_office_summary(cycle=cycle, office=office, progress=lambda p, s: steps.append((p, s)))

    assert [percent for percent, _step in steps] == sorted(p for p, _s in steps)
    assert steps[0] == (5, "Reading the answers")
    assert steps[-1][1].startswith("Writing the PDF")


@pytest.mark.parametrize("offices", [5, 20])
@pytest.mark.parametrize("stored_snapshot", [True, False])
def test_the_query_count_is_bounded_whatever_the_number_of_offices(
    office, offices, stored_snapshot, django_assert_max_num_queries
):
    codes = ["FR", "DE", "GB", "ES", "IT", "PT", "NL", "BE", "AT", "CH"]
    codes += ["JP", "KR", "CN", "BR", "MX", "CA", "US", "IN", "SG"]
    earlier = make_cycle(2024, offices=[office])
    cycle = make_cycle(2025, offices=[office])
    make_assessment(earlier, office, submitted=True, **all_levels(2))
    make_assessment(cycle, office, submitted=True, **all_levels(3))
    peers(cycle, codes[: offices - 1])
    # Its roadmap is read in a fixed number of queries too, whatever its length.
    today = timezone.localdate()
    for number in range(1, offices // 2 + 1):
        add_action(cycle, office, number, today + datetime.timedelta(days=number))
    if stored_snapshot:
        snapshot_refresh(cycle=cycle)

    # The roadmap adds four queries: the roadmap, its actions, their practices, the share.
    with django_assert_max_num_queries(14 if stored_snapshot else 24):
        output = build_office_summary(cycle=cycle, office=office)

    assert output.pages


def test_the_profile_follows_the_comments_without_leaving_a_page_nearly_empty(cycle, office):
    make_assessment(
        cycle,
        office,
        submitted=True,
        r1=level(3, 4) | {"status_comment": "E-filing covers every IP right since 2023."},
        r2=level(4),
    )
    peers(cycle, ["JP", "KR", "DE", "FR", "EP", "GB"], current=4)
    snapshot_refresh(cycle=cycle)

    output = build_office_summary(cycle=cycle, office=office)

    pages = [page.extract_text() for page in PdfReader(io.BytesIO(output.content)).pages]
    (comments_page,) = [n for n, text in enumerate(pages) if "Comments by recommendation" in text]
    assert "Maturity profile" in pages[comments_page]
    assert len(pages) <= 4


# --- The roadmap ---------------------------------------------------------------------------------
def add_action(cycle, office, number, due_on, status="planned", done_on=None, **values):
    from roadmap.models import Roadmap, RoadmapAction

    roadmap, _created = Roadmap.objects.get_or_create(office=office)
    return RoadmapAction.objects.create(
        roadmap=roadmap,
        recommendation=cycle.framework.recommendations.get(number=number),
        text=values.pop("text", f"Action on recommendation {number}"),
        responsible_unit=values.pop("unit", "ICT division"),
        due_on=due_on,
        status=status,
        done_on=done_on,
        **values,
    )


def test_the_summary_shows_the_roadmap_for_each_target_above_the_level(cycle, office):
    make_assessment(cycle, office, submitted=True, r1=level(2, 4), r2=level(3), r3=level(3, 4))
    today = timezone.localdate()
    add_action(
        cycle,
        office,
        1,
        datetime.date(2025, 3, 1),
        "done",
        datetime.date(2025, 2, 1),
        text="Publish the API strategy",
    )
    add_action(
        cycle,
        office,
        1,
        today - datetime.timedelta(days=30),
        text="Move the filing forms to the cloud",
        unit="Digital services branch",
    )
    add_action(cycle, office, 1, today + datetime.timedelta(days=60), "in_progress")
    add_action(cycle, office, 2, datetime.date(2025, 5, 1), "dropped", drop_reason="Covered by R3.")

    text = pdf_text(build_office_summary(cycle=cycle, office=office).content)

    roadmap = text.split("Roadmap")[-1]
    assert "1. Digital transformation Level now: 2 · Target: 4" in roadmap
    assert "Publish the API strategy ICT division 1 March 2025 Done on 1 February 2025" in roadmap
    assert "Move the filing forms to the cloud Digital services branch" in roadmap
    assert "overdue Planned" in roadmap
    # An action on a recommendation without a gap is still listed; one with a gap but no
    # action says so.
    assert "2. ICT strategy Level now: 3 · Target: 3 · no gap to close any more" in roadmap
    assert "Covered by R3." in roadmap
    assert "3. Data governance Level now: 3 · Target: 4 No action planned yet." in roadmap
    # Done by the due date: the one done in time, of it and the overdue one.
    assert "50 % Actions done by their due date: 1 of 2 actions" in roadmap


def test_the_summary_names_the_practices_an_action_draws_on_that_the_office_may_see(
    cycle, office, other_office
):
    from practices import services as practices
    from practices.models import Practice
    from tests.factories import make_person

    people = {
        of: make_person(f"writer@{of.code.lower()}.test", office=of)
        for of in (office, other_office)
    }

    def practice(of, title, *, publish):
        person = people[of]
        made = practices.practice_create(
            office=of,
            user=person,
            numbers=[1],
            title=title,
            summary="As the office runs it.",
            kind="project",
            status="completed",
        )
        return practices.practice_publish(practice=made, user=person) if publish else made

    make_assessment(cycle, office, submitted=True, r1=level(2, 4))
    action = add_action(cycle, office, 1, datetime.date(2025, 3, 1), text="Adopt zero trust")
    theirs = practice(other_office, "Zero-trust architecture", publish=True)
    ours = practice(office, "Our own draft", publish=False)
    action.practices.set([theirs, ours])
    # Withdrawn after it was linked: no longer for this office to see, nor its title.
    Practice.objects.filter(pk=theirs.pk).update(state=Practice.State.DRAFT)
    theirs_later = practice(other_office, "Cloud filing", publish=True)
    action.practices.add(theirs_later)

    text = pdf_text(build_office_summary(cycle=cycle, office=office).content)

    roadmap = text.split("Roadmap")[-1]
    assert "Practices it draws on:" in roadmap
    assert "NZ – Cloud filing" in roadmap and "AU – Our own draft" in roadmap
    assert "Zero-trust architecture" not in roadmap
    assert "A practice no longer available" in roadmap


def test_actions_of_a_recommendation_the_new_version_retired_are_kept(office):
    from recommendations.models import CrosswalkLink
    from recommendations.services import framework_copy
    from tests.factories import default_framework

    old = default_framework()
    earlier = make_cycle(2025, offices=[office])
    add_action(earlier, office, 3, datetime.date(2026, 3, 1), text="Write a data policy")
    new = framework_copy(framework=old, version="2027")
    CrosswalkLink.objects.filter(framework=new, previous__number=3).delete()
    new.recommendations.get(number=3).delete()
    CrosswalkLink.objects.create(
        framework=new, previous=old.recommendations.get(number=3), recommendation=None
    )
    cycle = make_cycle(2026, framework=new, offices=[office])
    make_assessment(cycle, office, submitted=True, r1=level(2, 4))

    text = pdf_text(build_office_summary(cycle=cycle, office=office).content)

    retired = text.split("Recommendations retired in 2027")[1]
    assert "Write a data policy" in retired
    assert "Was recommendation 3 of 2024." in retired


def test_without_a_roadmap_the_summary_says_so(cycle, office):
    make_assessment(cycle, office, submitted=True, r1=level(2, 4))

    text = pdf_text(build_office_summary(cycle=cycle, office=office).content)

    assert "The office has no roadmap yet: no action is planned towards its target levels." in text


def test_another_offices_roadmap_never_appears(cycle, office, other_office):
    make_assessment(cycle, office, submitted=True, r1=level(2, 4))
    add_action(cycle, other_office, 1, datetime.date(2025, 3, 1), text="Their own plan")

    text = pdf_text(build_office_summary(cycle=cycle, office=office).content)

    assert "Their own plan" not in text
    assert "The office has no roadmap yet" in text


def test_the_roadmap_is_in_the_summarys_language(cycle, office):
    from django.utils import translation

    make_assessment(cycle, office, submitted=True, r1=level(2, 4))
    add_action(cycle, office, 1, datetime.date(2025, 3, 1), "done", datetime.date(2025, 2, 1))
    with translation.override("fr"):
        html = office_summary_html(cycle=cycle, office=office)
        heading = translation.gettext("Roadmap")
        due = translation.gettext("Due date")
    assert heading != "Roadmap" and f"<h2>{heading}</h2>" in html
    assert due in html and "1 mars 2025" in html
