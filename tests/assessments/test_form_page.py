"""The form one works through: steps between sections, follow-ups, consistency warnings, the
reopening said at the top, and what readers see."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from assessments import consistency, services
from assessments.models import Answer
from recommendations.models import Recommendation, RecommendedAction
from tests.assessments.conftest import complete_values, form_post

pytestmark = pytest.mark.django_db


def url(name, draft):
    return reverse(name, kwargs={"code": "AU", "year": draft.cycle.year})


def test_next_section_saves_the_whole_form_and_comes_back_at_the_next_one(
    client_of, respondent, draft
):
    response = client_of(respondent).post(
        url("assessment_form", draft),
        form_post(draft, r3__status="implemented", r3__maturity_current=4, section="r4"),
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#r4")
    stored = Answer.objects.get(assessment=draft, recommendation__number=3)
    assert (stored.status, stored.maturity_current) == ("implemented", 4)


def test_each_section_offers_the_previous_and_the_next_one(client_of, respondent, draft):
    html = client_of(respondent).get(url("assessment_form", draft)).content.decode()
    assert 'value="r2" class="button primary" data-step="r2"' in html  # next from 1
    assert 'value="r1" class="button" data-step="r1"' in html  # previous from 2
    assert 'value="overall" class="button primary" data-step="overall"' in html  # next from 10


def test_a_follow_up_is_marked_as_one_and_kept_visible_when_it_holds_text(
    client_of, respondent, draft
):
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values={"r2-challenge_comment": "Old"}
    )
    html = client_of(respondent).get(url("assessment_form", draft)).content.decode()
    assert 'class="field followup" data-field="r1-focus_comment"' in html
    assert 'class="field followup has-text" data-field="r2-challenge_comment"' in html
    assert 'class="field" data-field="r1-status_comment"' in html  # not a follow-up


@pytest.mark.parametrize(
    ("status", "current", "target", "fields"),
    [
        ("considering", 5, None, ["maturity_current"]),
        ("not_planned", 4, 4, ["maturity_current"]),
        ("implemented", 1, 3, ["maturity_current"]),
        ("ongoing", 3, 2, ["maturity_target"]),
        ("implemented", 4, 5, []),
        ("", None, None, []),
    ],
)
def test_answers_that_contradict_each_other_are_warned_about(status, current, target, fields):
    assert [w.field for w in consistency.warnings(status, current, target)] == fields


def test_the_form_warns_beside_the_field_and_the_review_lists_it_without_refusing(
    client_of, respondent, draft
):
    values = complete_values() | {"r2-status": "considering", "r2-maturity_current": 5}
    values |= {"r4-maturity_current": 3, "r4-maturity_target": 2}
    services.assessment_save(assessment=draft, user=respondent, base_version=1, values=values)
    client = client_of(respondent)
    html = client.get(url("assessment_form", draft)).content.decode()
    assert (
        '<p class="warning" data-warning="maturity_current" role="status">'
        "“Under consideration” with a maturity level of 4 or 5" in html
    )
    assert html.count('<p class="warning" data-warning="maturity_target" role="status">The') == 1
    assert "data-consistency=" in html  # the rules, for the script
    review = client.get(url("assessment_review", draft)).content.decode()
    assert "2 answers to check" in review
    assert "4. " in review and "The target level is below the current level." in review
    response = client.post(url("assessment_review", draft), {"version": "2"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted"


def test_the_respondent_reads_why_and_by_whom_it_was_reopened(
    client_of, respondent, secretariat, submitted
):
    services.assessment_reopen(
        assessment=submitted, user=secretariat, reason="Recommendation 4 needs evidence."
    )
    html = client_of(respondent).get(url("assessment_form", submitted)).content.decode()
    assert f"Reopened by {secretariat}" in html
    assert "Recommendation 4 needs evidence." in html
    # The secretariat changed no answer: the last save is still the respondent's.
    assert f"by {respondent}</p>" in html
    assert f"by {secretariat}</p>" not in html


def test_a_viewer_reads_a_compact_view_of_the_answers(client_of, viewer, respondent, draft):
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values=complete_values([1])
    )
    response = client_of(viewer).get(url("assessment_form", draft))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Answers of AU" in html
    assert 'class="data summary"' in html
    assert "<textarea" not in html
    assert "Submit the assessment" not in html


def test_a_history_label_says_which_comment_is_not_for_publication():
    from assessments import questionnaire as q

    assert q.label("r1-status_comment_private") == (
        "Recommendation 1: Comments on the status – not for publication"
    )
    assert q.label("proposals_private") == (
        "Proposals to improve or update the recommendations – not for publication"
    )


def rendered(response) -> list[str]:
    return [template.name for template in response.templates]


def test_the_sections_are_rendered_once_per_saved_version(client_of, respondent, colleague, draft):
    from django.core.cache import cache

    cache.clear()
    client = client_of(respondent)
    first = client.get(url("assessment_form", draft))
    assert "assessments/_sections.html" in rendered(first)
    again = client_of(colleague).get(url("assessment_form", draft))
    assert "assessments/_sections.html" not in rendered(again)  # read from the cache
    assert 'name="r1-status_comment"' in again.content.decode()

    services.assessment_save(
        assessment=draft,
        user=respondent,
        base_version=draft.version,
        values={"r1-status_comment": "Paperless since 2024."},
    )
    after = client.get(url("assessment_form", draft))
    assert "assessments/_sections.html" in rendered(after)  # a new version is rendered
    assert "Paperless since 2024." in after.content.decode()


def test_a_form_read_from_the_cache_is_the_page_rendered_before(client_of, respondent, draft):
    # The section list, the phone's menu, the progress and the step back from the overall
    # questions all come from what was kept.
    from django.core.cache import cache

    services.assessment_save(
        assessment=draft, user=respondent, base_version=draft.version, values=complete_values([1])
    )
    cache.clear()
    client = client_of(respondent)
    first, again = (client.get(url("assessment_form", draft)) for _ in range(2))
    assert "assessments/_section_items.html" not in rendered(again)

    def page(response) -> str:
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())

    assert page(again) == page(first)
    html = page(again)
    assert "<strong data-progress-count>1</strong>" in html
    assert '<option value="r10">10. ' in html
    assert 'value="r10" class="button" data-step="r10"' in html  # back from the overall ones
    assert html.count('data-section-state="r1" aria-hidden="true"') == 1
    assert 'class="state done" data-section-state="r1"' in html


def test_a_form_with_typed_answers_is_rendered_as_typed(client_of, respondent, draft):
    from django.core.cache import cache

    cache.clear()
    client = client_of(respondent)
    client.get(url("assessment_form", draft))
    refused = client.post(
        url("assessment_form", draft),
        form_post(draft, **{"r1-evidence_url": "not an address", "section": "r1"}),
    )
    assert "assessments/_sections.html" in rendered(refused)
    assert 'value="not an address"' in refused.content.decode()


def test_a_refused_form_asks_its_questions_in_the_frameworks_wording(client_of, respondent, draft):
    from django.utils import timezone

    from recommendations.models import Framework, QuestionLabel

    framework = draft.cycle.framework
    QuestionLabel.objects.update_or_create(
        framework=framework, name="evidence_url", defaults={"label": "Where the proof is online"}
    )
    Framework.objects.filter(pk=framework.pk).update(updated_at=timezone.now())
    client = client_of(respondent)
    assert "Where the proof is online" in client.get(url("assessment_form", draft)).content.decode()

    refused = client.post(
        url("assessment_form", draft),
        form_post(draft, **{"r1-evidence_url": "not an address", "section": "r1"}),
    )

    section = refused.content.decode().split('id="r1"')[1].split('id="r2"')[0]
    assert "Where the proof is online" in section


# --- How to reach the next level ---------------------------------------------------------------


def _path_of(html: str, number: int) -> str:
    return html.split(f'data-path-for="r{number}-maturity_current"')[1].split("</details>")[0]


def _step(path: str, start: int) -> str:
    return path.split(f'data-step-from="{start}">')[1].split('<li class="path-')[0]


def _marked(path: str) -> tuple[list[str], list[str]]:
    """The level marked as the office's and the step marked as its next."""
    return (
        re.findall(r'class="path-level level-\d is-current" data-level="(\d)"', path),
        re.findall(r'class="path-step is-next" data-step-from="(\d)"', path),
    )


def test_each_section_shows_the_path_with_the_step_up_from_the_saved_level(
    client_of, respondent, draft
):
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values={"r7-maturity_current": 2}
    )
    html = client_of(respondent).get(url("assessment_form", draft)).content.decode()
    assert html.count("How to reach the next level") == 10
    path = _path_of(html, 7)
    assert _marked(path) == (["2"], ["2"])
    step = _step(path, 2)
    included = Recommendation.objects.get(framework=draft.cycle.framework, number=7)
    assert escape(included.actions.get(position=2).text) in step  # into procurement specs
    assert '<span class="path-tag path-next">your next step</span>' in step
    # The descriptors are beside it, in the choices: the path names the levels only.
    assert 'class="path-descriptor"' not in path
    # Nothing marked where no level is chosen yet; the marks are there for the script.
    assert _marked(_path_of(html, 1)) == ([], [])
    assert '<span class="path-tag path-next" hidden>' in _path_of(html, 1)


def test_the_highest_level_has_no_step_up_to_mark(client_of, respondent, draft):
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values={"r3-maturity_current": 5}
    )
    html = client_of(respondent).get(url("assessment_form", draft)).content.decode()
    assert _marked(_path_of(html, 3)) == (["5"], [])


def test_the_kept_sections_follow_the_saved_level_and_a_changed_step(client_of, respondent, draft):
    client = client_of(respondent)
    client.get(url("assessment_form", draft))  # the sections are kept rendered
    services.assessment_save(
        assessment=draft, user=respondent, base_version=1, values={"r4-maturity_current": 3}
    )
    assert _marked(_path_of(client.get(url("assessment_form", draft)).content.decode(), 4)) == (
        ["3"],
        ["3"],
    )
    training = RecommendedAction.objects.get(
        recommendation__framework=draft.cycle.framework, recommendation__number=4, position=4
    )
    assert training.moves_from_level == 2
    training.moves_from_level = 3
    training.save()  # the secretariat places it one step higher
    path = _path_of(client.get(url("assessment_form", draft)).content.decode(), 4)
    assert escape(training.text) in _step(path, 3)
    assert escape(training.text) not in _step(path, 2)
