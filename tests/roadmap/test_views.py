import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roadmap.models import RoadmapAction, RoadmapEvent
from roadmap.services import action_add, action_update
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def page(code="AU"):
    return reverse("roadmap", kwargs={"code": code})


def test_the_roadmap_lists_the_recommendations_whose_target_is_above_the_level(
    client_of, respondent, last_year
):
    body = client_of(respondent).get(page()).content.decode()
    assert 'id="r1"' in body and 'id="r3"' in body
    assert 'id="r2"' not in body  # level 3, target 3: nothing to plan
    assert "Plan an action" in body


def test_a_viewer_reads_it_without_changing_it(client_of, viewer, action):
    body = client_of(viewer).get(page()).content.decode()
    assert action.recommended_action.text in body
    assert "Plan an action" not in body and "only the office’s respondents" in body


@pytest.mark.parametrize("person", ["colead", "secretariat"])
def test_the_task_force_reads_every_roadmap(request, client_of, person, action):
    response = client_of(request.getfixturevalue(person)).get(page())
    assert response.status_code == 200
    assert "Plan an action" not in response.content.decode()


def test_it_refuses_another_office_and_an_anonymous_visitor(client, client_of, outsider, action):
    assert client.get(page()).status_code == 302
    assert client_of(outsider).get(page()).status_code == 404
    edit = reverse("roadmap_action", kwargs={"code": "AU", "pk": action.pk})
    assert client_of(outsider).get(edit).status_code == 404


def test_an_office_cannot_reach_its_own_action_through_another_office(
    client_of, outsider, other_office, action
):
    # NZ's respondent, on NZ's address, with AU's action number.
    edit = reverse("roadmap_action", kwargs={"code": "NZ", "pk": action.pk})
    assert client_of(outsider).get(edit).status_code == 404


def test_a_respondent_plans_an_action_from_the_recommended_ones(
    client_of, respondent, recommendation
):
    chosen = recommendation.actions.order_by("position").last()
    url = reverse("roadmap_action_new", kwargs={"code": "AU"})
    response = client_of(respondent).post(
        url,
        {
            "recommendation": "1",
            "recommended_action": chosen.pk,
            "text": "",
            "responsible_unit": "Registry",
            "due_on": "2026-12-31",
            "status": "planned",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#r1")
    stored = RoadmapAction.objects.get()
    assert (stored.recommended_action, stored.responsible_unit) == (chosen, "Registry")
    assert stored.roadmap.office.code == "AU"


def test_a_viewer_cannot_plan_an_action(client_of, viewer, last_year):
    url = reverse("roadmap_action_new", kwargs={"code": "AU"}) + "?recommendation=1"
    assert client_of(viewer).get(url).status_code == 403
    assert not RoadmapAction.objects.exists()


def test_an_edit_from_a_stale_tab_is_shown_beside_theirs(client_of, respondent, colleague, action):
    action_update(action=action, user=colleague, base_version=1, responsible_unit="Registry")
    url = reverse("roadmap_action", kwargs={"code": "AU", "pk": action.pk})
    response = client_of(respondent).post(
        url,
        {
            "recommended_action": action.recommended_action_id,
            "responsible_unit": "ICT",
            "due_on": "2026-06-30",
            "status": "done",
            "version": "1",
        },
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Registry" in body and 'value="ICT"' in body
    action.refresh_from_db()
    assert (action.responsible_unit, action.status) == ("Registry", "planned")


def test_a_dropped_action_without_a_reason_is_refused_on_the_page(client_of, respondent, action):
    url = reverse("roadmap_action", kwargs={"code": "AU", "pk": action.pk})
    response = client_of(respondent).post(
        url,
        {
            "recommended_action": action.recommended_action_id,
            "responsible_unit": "ICT",
            "due_on": "2026-06-30",
            "status": "dropped",
            "version": "1",
        },
    )
    assert response.status_code == 400
    action.refresh_from_db()
    assert action.status == "planned"


def test_the_history_says_who_changed_what(client_of, viewer, respondent, action):
    action_update(action=action, user=respondent, base_version=1, status="in_progress")
    body = client_of(viewer).get(reverse("roadmap_history", kwargs={"code": "AU"})).content.decode()
    assert "Action changed" in body and "In progress" in body and str(respondent) in body


def test_the_roadmap_page_reads_in_a_fixed_number_of_queries(
    client_of, respondent, office, recommendation, django_assert_max_num_queries
):
    for day in range(1, 16):
        action_add(
            office=office,
            user=respondent,
            recommendation=recommendation,
            text=f"Step {day}",
            responsible_unit="ICT",
            due_on=datetime.date(2026, 1, day),
            status="planned",
        )
    browser = client_of(respondent)
    browser.get(page())
    with django_assert_max_num_queries(16):
        assert browser.get(page()).status_code == 200


def test_the_office_home_links_to_the_roadmap(client_of, respondent, office):
    body = client_of(respondent).get(reverse("office_home", args=["AU"])).content.decode()
    assert page() in body


def _beside_question(html: str) -> str:
    """What the roadmap says beside a section's questions."""
    return html.split('class="hint-box roadmap-last-year"')[1].split("</aside>")[0]


def test_next_years_form_shows_last_years_target_and_the_actions_done(
    client_of, respondent, office, other_office, action, draft
):
    action_update(action=action, user=respondent, base_version=1, status="done")
    body = (
        client_of(respondent)
        .get(reverse("assessment_form", kwargs={"code": "AU", "year": draft.cycle.year}))
        .content.decode()
    )
    assert "In 2025 your level was 2 and your target 4." in body
    section = body.split('id="r1"')[1].split('id="r2"')[0]
    assert action.recommended_action.text in _beside_question(section)


def test_an_action_done_after_the_form_was_shown_is_beside_its_question_on_the_next_page(
    client_of, respondent, action, draft
):
    client = client_of(respondent)
    form = reverse("assessment_form", kwargs={"code": "AU", "year": draft.cycle.year})
    before = client.get(form).content.decode().split('id="r1"')[1].split('id="r2"')[0]
    assert action.recommended_action.text not in _beside_question(before)

    action_update(action=action, user=respondent, base_version=1, status="done")

    # The answers did not change (nor their version): the page is not the one shown before.
    after = client.get(form).content.decode().split('id="r1"')[1].split('id="r2"')[0]
    assert action.recommended_action.text in _beside_question(after)


def test_a_submission_of_last_year_made_after_the_form_was_shown_is_on_the_next_page(
    client_of, respondent, office, open_cycle, draft
):
    from tests.factories import make_assessment, make_cycle

    client = client_of(respondent)
    form = reverse("assessment_form", kwargs={"code": "AU", "year": draft.cycle.year})
    assert "your target" not in client.get(form).content.decode()

    earlier = make_cycle(open_cycle.year - 1, offices=[office])
    make_assessment(
        earlier, office, submitted=True, r1={"maturity_current": 2, "maturity_target": 4}
    )

    body = client.get(form).content.decode()
    assert f"In {earlier.year} your level was 2 and your target 4." in body
    assert "Start from last year" in body


def test_the_task_forces_table_gives_the_share_per_recommendation(
    client_of, colead, office, other_office, action, respondent, django_assert_max_num_queries
):
    action_update(
        action=action,
        user=respondent,
        base_version=1,
        status="done",
        today=datetime.date(2026, 1, 1),
    )
    nz = make_person("lee@iponz.test", office=other_office)
    action_add(
        office=other_office,
        user=nz,
        recommendation=action.recommendation,
        text="Late one",
        responsible_unit="IT",
        due_on=datetime.date(2020, 1, 1),
        status="planned",
    )
    browser = client_of(colead)
    url = reverse("roadmap_figures")
    browser.get(url)
    with django_assert_max_num_queries(8):
        body = browser.get(url).content.decode()
    assert "50 %" in body and "(1 of 2)" in body


@pytest.mark.parametrize("person", ["respondent", "viewer", "outsider"])
def test_offices_do_not_see_the_task_forces_table(request, client_of, person, last_year):
    response = client_of(request.getfixturevalue(person)).get(reverse("roadmap_figures"))
    assert response.status_code == 403


def test_history_entries_are_kept_per_change(action, respondent):
    action_update(action=action, user=respondent, base_version=1, status="in_progress")
    assert RoadmapEvent.objects.count() == 2


def test_actions_done_before_last_years_submission_are_not_shown_again(
    client_of, respondent, office, action, draft
):
    action_update(
        action=action,
        user=respondent,
        base_version=1,
        status="done",
        today=datetime.date(2025, 3, 1),  # before the 2025 submission of 1 October
    )
    body = (
        client_of(respondent)
        .get(reverse("assessment_form", kwargs={"code": "AU", "year": draft.cycle.year}))
        .content.decode()
    )
    assert "In 2025 your level was 2 and your target 4." in body
    # Offered in the section's path, as every recommended action, but not as done.
    assert action.recommended_action.text not in _beside_question(body)


@pytest.fixture
def carried(merged_cycle, office, respondent, roadmap_on_2024):
    """AU opened the cycle on the 2027 framework: its roadmap was carried."""
    from assessments.services import assessment_start

    return assessment_start(cycle=merged_cycle, office=office, user=respondent)


def test_after_the_carry_the_roadmap_says_where_each_action_comes_from(
    client_of, respondent, carried
):
    body = client_of(respondent).get(page()).content.decode()
    assert "the roadmap now follows the \u20682027\u2069 framework" in body
    merged = body.split('id="r2"')[1].split('id="r8"')[0]
    assert (
        "Was recommendation 9 of \u20682024\u2069." in merged and "Inventory of datasets" in merged
    )
    assert "Was recommendation 10 of \u20682024\u2069." in body.split('id="r8"')[1]
    assert "Recommendations retired in" not in body


def test_a_carried_actions_edit_page_says_where_it_came_from(
    client_of, respondent, carried, roadmap_on_2024
):
    moved = roadmap_on_2024["on 10"]
    body = (
        client_of(respondent).get(reverse("roadmap_action", args=["AU", moved.pk])).content.decode()
    )
    assert "Was recommendation 10 of \u20682024\u2069." in body


def test_the_history_says_the_crosswalk_carried_the_actions(client_of, respondent, carried):
    body = client_of(respondent).get(reverse("roadmap_history", args=["AU"])).content.decode()
    assert "Action carried to the new framework version" in body
    assert "by the crosswalk, when robin@ipaustralia.test opened the new cycle" in body
    assert "10 (2024)" in body and "8 (2027)" in body


def test_after_the_carry_another_office_and_an_anonymous_visitor_are_still_refused(
    client, client_of, outsider, carried
):
    assert client.get(page()).status_code == 302
    assert client_of(outsider).get(page()).status_code == 404


def test_the_carried_roadmap_reads_in_a_fixed_number_of_queries(
    client_of, respondent, carried, django_assert_max_num_queries
):
    browser = client_of(respondent)
    browser.get(page())
    with django_assert_max_num_queries(22):
        assert browser.get(page()).status_code == 200


def test_the_merged_question_shows_last_years_target_and_the_actions_done_of_its_parts(
    client_of, respondent, carried
):
    body = (
        client_of(respondent)
        .get(reverse("assessment_form", kwargs={"code": "AU", "year": carried.cycle.year}))
        .content.decode()
    )
    merged = body.split('id="r2"')[1].split('id="r3"')[0]
    assert "your level was 2 and your target 3." in merged
    assert "merges recommendations 2, 8 and 9 of \u20682024\u2069" in merged
    assert "Inventory of datasets" in merged and "recommendation 9 of \u20682024\u2069" in merged
    assert "It was recommendation 10 of \u20682024\u2069." in body.split('id="r8"')[1]


def test_a_split_and_a_retired_recommendation_are_shown_so_nothing_is_lost(
    client_of, office, respondent, roadmap_on_2024
):
    from roadmap.services import roadmap_carry
    from tests.factories import make_assessment, make_cycle
    from tests.roadmap.test_services import _framework_splitting_10_and_retiring_9

    framework = _framework_splitting_10_and_retiring_9()
    make_assessment(make_cycle(2028, framework=framework), office)
    roadmap_carry(office=office, framework=framework, user=None)
    body = client_of(respondent).get(page()).content.decode()
    assert (
        "Was recommendation 10 of \u20682024\u2069; also concerns 10." in body.split('id="r9"')[1]
    )
    retired = body.split('id="retired"')[1]
    assert "Recommendations retired in \u20682028\u2069" in retired
    assert "Open a data catalogue" in retired and "Inventory of datasets" in retired
    history = client_of(respondent).get(reverse("roadmap_history", args=["AU"])).content.decode()
    assert "by the crosswalk ·" in " ".join(history.split())


def _link(action, user, *practices):
    return action_update(
        action=action,
        user=user,
        base_version=action.version,
        practices=[practice.pk for practice in practices],
    )


def test_the_page_links_to_the_practices_an_action_draws_on(
    client_of, viewer, respondent, action, their_practice, our_draft
):
    _link(action, respondent, their_practice, our_draft)
    body = client_of(viewer).get(page()).content.decode()
    assert reverse("practice_detail", args=[their_practice.pk]) in body
    assert "Zero-trust architecture" in body and "Our ISO 27001 programme" in body


def test_a_practice_withdrawn_later_is_shown_unavailable_without_its_title(
    client_of, viewer, respondent, outsider, action, their_practice
):
    from practices.services import practice_unpublish

    _link(action, respondent, their_practice)
    practice_unpublish(practice=their_practice, user=outsider)
    body = client_of(viewer).get(page()).content.decode()
    assert "A practice no longer available" in body
    assert "Zero-trust architecture" not in body
    assert reverse("practice_detail", args=[their_practice.pk]) not in body
    history = client_of(viewer).get(reverse("roadmap_history", kwargs={"code": "AU"}))
    assert "Zero-trust architecture" not in history.content.decode()
    assert "A practice no longer available" in history.content.decode()


def test_the_task_force_does_not_see_the_title_of_an_offices_draft(
    client_of, colead, respondent, action, our_draft
):
    _link(action, respondent, our_draft)
    body = client_of(colead).get(page()).content.decode()
    assert "Our ISO 27001 programme" not in body and "A practice no longer available" in body


def test_the_form_offers_the_practices_on_the_recommendation_first(
    client_of, respondent, action, their_practice, our_draft, their_draft
):
    url = reverse("roadmap_action", kwargs={"code": "AU", "pk": action.pk})
    body = client_of(respondent).get(url).content.decode()
    assert body.index("Zero-trust architecture") < body.index("Our ISO 27001 programme")
    assert "On recommendation 1" in body and "Other practices" in body
    assert "Secret cloud migration" not in body


def test_a_respondent_links_practices_on_the_form(
    client_of, respondent, recommendation, their_practice
):
    url = reverse("roadmap_action_new", kwargs={"code": "AU"})
    response = client_of(respondent).post(
        url,
        {
            "recommendation": "1",
            "text": "Zero trust for the back office",
            "responsible_unit": "Security",
            "due_on": "2026-12-31",
            "status": "planned",
            "practices": [their_practice.pk],
        },
    )
    assert response.status_code == 302
    assert list(RoadmapAction.objects.get().practices.all()) == [their_practice]


def test_the_edit_form_reads_the_actions_links_once(client_of, respondent, action, their_practice):
    _link(action, respondent, their_practice)
    with CaptureQueriesContext(connection) as queries:
        body = (
            client_of(respondent)
            .get(reverse("roadmap_action", args=["AU", action.pk]))
            .content.decode()
        )
    links = [q for q in queries if '"roadmap_roadmapaction_practices"' in q["sql"]]
    assert len(links) == 1
    assert f'<option value="{their_practice.pk}" selected>' in body


def test_saving_an_action_reads_its_office_once(client_of, respondent, action):
    with CaptureQueriesContext(connection) as queries:
        response = client_of(respondent).post(
            reverse("roadmap_action", args=["AU", action.pk]),
            {
                "text": "Write the data strategy, with the examiners",
                "responsible_unit": action.responsible_unit,
                "due_on": action.due_on.isoformat(),
                "status": action.status,
                "version": action.version,
            },
        )
    assert response.status_code == 302
    assert sum(q["sql"].startswith('SELECT "offices_office".') for q in queries) == 1
    action.refresh_from_db()
    assert action.text == "Write the data strategy, with the examiners"


def test_the_form_refuses_another_offices_unpublished_practice(
    client_of, respondent, recommendation, their_draft
):
    url = reverse("roadmap_action_new", kwargs={"code": "AU"})
    response = client_of(respondent).post(
        url,
        {
            "recommendation": "1",
            "text": "Cloud",
            "responsible_unit": "ICT",
            "due_on": "2026-12-31",
            "status": "planned",
            "practices": [their_draft.pk],
        },
    )
    assert response.status_code == 400
    assert not RoadmapAction.objects.exists()


def test_the_roadmap_page_with_links_reads_in_a_fixed_number_of_queries(
    client_of,
    respondent,
    office,
    other_office,
    outsider,
    recommendation,
    django_assert_num_queries,
):
    from tests.roadmap.conftest import _practice

    def add(count):
        for day in range(1, count + 1):
            practices = [
                _practice(other_office, outsider, f"Practice {count}-{day}"),
                _practice(office, respondent, f"Ours {count}-{day}", publish=False),
            ]
            action_add(
                office=office,
                user=respondent,
                recommendation=recommendation,
                text=f"Step {day}",
                responsible_unit="ICT",
                due_on=datetime.date(2026, 1, day),
                status="planned",
                practices=[practice.pk for practice in practices],
            )

    browser = client_of(respondent)
    add(2)
    browser.get(page())
    with CaptureQueriesContext(connection) as few:
        assert browser.get(page()).status_code == 200
    add(10)
    with django_assert_num_queries(len(few)):
        body = browser.get(page()).content.decode()
    assert "Practice 10-10" in body and "Ours 10-10" in body


def test_a_practices_page_counts_the_readers_own_offices_actions_only(
    client_of, respondent, outsider, other_office, action, their_practice
):
    _link(action, respondent, their_practice)
    nz = action_add(
        office=other_office,
        user=outsider,
        recommendation=action.recommendation,
        text="Our own zero trust",
        responsible_unit="IT",
        due_on=datetime.date(2026, 3, 1),
        status="planned",
        practices=[their_practice.pk],
    )
    assert nz.practices.exists()
    url = reverse("practice_detail", args=[their_practice.pk])
    ours = client_of(respondent).get(url).content.decode()
    assert "Used in 1 action of the AU roadmap." in ours and "NZ roadmap" not in ours
    theirs = client_of(outsider).get(url).content.decode()
    assert "Used in 1 action of the NZ roadmap." in theirs and "AU roadmap" not in theirs
