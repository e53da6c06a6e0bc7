import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils.html import escape

from recommendations.models import Framework
from recommendations.services import framework_copy
from tests.factories import SESSION_QUERIES, make_assessment, make_cycle

pytestmark = pytest.mark.django_db


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values, self._select = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.values[attrs["name"]] = attrs.get("value") or ""
        elif tag == "select":
            self._select = attrs.get("name")
            self.values.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def admin_form_data(html: str) -> dict:
    """What the admin's change form posts as it is."""
    parser = _Inputs()
    parser.feed(html.split('id="recommendation_form"')[1].split("</form>")[0])
    return {name: value for name, value in parser.values.items() if "__prefix__" not in name}


def test_everyone_logged_in_sees_ten_recommendations_and_the_matrix(client_of, viewer):
    response = client_of(viewer).get(reverse("framework_current"), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r'<article class="recommendation"', html)) == 10
    matrix = html.split('<table class="matrix">')[1].split("</table>")[0]
    body = matrix.split("<tbody>")[1]
    assert body.count("<tr>") == 10
    assert body.count("<td>") == 50
    assert matrix.split("<thead>")[1].count('<th scope="col"') == 6


def test_the_framework_page_takes_a_fixed_number_of_queries(
    client_of, viewer, django_assert_max_num_queries
):
    client = client_of(viewer)
    with django_assert_max_num_queries(9 + SESSION_QUERIES):
        client.get(reverse("framework_detail", args=["2024"]))


def test_a_draft_is_hidden_from_everyone_but_the_secretariat(
    client_of, framework, colead, secretariat
):
    framework_copy(framework=framework, version="2027")
    assert client_of(colead).get(reverse("framework_detail", args=["2027"])).status_code == 404
    assert client_of(secretariat).get(reverse("framework_detail", args=["2027"])).status_code == 200


def test_the_secretariat_makes_a_new_version(client_of, secretariat, framework):
    response = client_of(secretariat).post(
        reverse("framework_copy", args=["2024"]), {"version": "2027"}
    )
    copy = Framework.objects.get(version="2027")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:recommendations_framework_change", args=[copy.pk])
    assert copy.status == Framework.Status.DRAFT


def test_an_existing_version_label_is_refused_beside_the_field(client_of, secretariat, framework):
    response = client_of(secretariat).post(
        reverse("framework_copy", args=["2024"]), {"version": "2024"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Version \u20682024\u2069 exists already." in html
    assert 'name="version" value="2024"' in html  # what was typed is still there
    assert Framework.objects.count() == 1


def test_an_empty_version_label_is_refused_beside_the_field(client_of, secretariat, framework):
    response = client_of(secretariat).post(reverse("framework_copy", args=["2024"]), {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required." in html
    assert 'aria-invalid="true"' in html
    assert Framework.objects.count() == 1


@pytest.mark.parametrize("person", ["respondent", "viewer", "colead"])
def test_only_the_secretariat_makes_new_versions(client_of, request, person, framework):
    response = client_of(request.getfixturevalue(person)).post(
        reverse("framework_copy", args=["2024"]), {"version": "2027"}
    )
    assert response.status_code == 403
    assert not Framework.objects.filter(version="2027").exists()


def test_the_console_shows_a_frozen_framework_read_only(client_of, secretariat, framework, office):
    make_assessment(make_cycle(2025, offices=[office]), office, submitted=True)
    client = client_of(secretariat)
    page = client.get(reverse("admin:recommendations_framework_change", args=[framework.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="title"' not in html  # shown as text
    assert 'name="status"' in html  # retiring stays possible
    recommendation = framework.recommendations.get(number=1)
    url = reverse("admin:recommendations_recommendation_change", args=[recommendation.pk])
    html = client.get(url).content.decode()
    # Only the actions' steps stay editable: guidance, not wording.
    assert 'name="short_title_en"' not in html and 'name="levels-0-descriptor_en"' not in html
    assert 'name="actions-0-text_en"' not in html and 'name="actions-0-moves_from_level"' in html
    assert 'name="actions-__prefix__-moves_from_level"' not in html  # no action added
    data = admin_form_data(html)
    data.update({"short_title_en": "Changed", "actions-1-moves_from_level": "3"})
    response = client.post(url, data)
    assert response.status_code == 302
    assert framework.recommendations.get(number=1).short_title != "Changed"
    second = recommendation.actions.get(position=2)
    assert second.moves_from_level == 3


def test_the_console_edits_the_english_source_of_a_draft_only(client_of, secretariat, framework):
    draft = framework_copy(framework=framework, version="2027")
    client = client_of(secretariat)
    html = client.get(
        reverse("admin:recommendations_framework_change", args=[draft.pk])
    ).content.decode()
    assert 'name="title_en"' in html and 'name="title_fr"' not in html
    assert 'name="questions-0-label_en"' in html
    recommendation = draft.recommendations.get(number=1)
    html = client.get(
        reverse("admin:recommendations_recommendation_change", args=[recommendation.pk])
    ).content.decode()
    assert 'name="statement_en"' in html and 'name="statement_ar"' not in html
    assert 'name="levels-0-descriptor_en"' in html


def _article(html: str, number: int) -> str:
    return html.split(f'<article class="recommendation" id="r{number}"')[1].split("</article>")[0]


def _step(article: str, start: int) -> str:
    return article.split(f'data-step-from="{start}">')[1].split('<li class="path-')[0]


def test_each_recommendation_reads_as_a_path_with_its_actions_between_the_levels(
    client_of, viewer, framework
):
    html = client_of(viewer).get(reverse("framework_detail", args=["2024"])).content.decode()
    standards = _article(html, 7)
    actions = {
        a.position: escape(a.text) for a in framework.recommendations.get(number=7).actions.all()
    }
    # The levels in order, each step between two of them.
    assert re.findall(r'data-level="(\d)"', standards) == ["1", "2", "3", "4", "5"]
    assert re.findall(r'data-step-from="(\d)"', standards) == ["1", "2", "3", "4"]
    assert standards.index('data-level="1"') < standards.index('data-step-from="1"')
    assert standards.index('data-step-from="1"') < standards.index('data-level="2"')
    first = _step(standards, 1)
    assert actions[1] in first and actions[3] in first and actions[2] not in first
    assert actions[2] in _step(standards, 2)
    assert actions[4] in _step(standards, 3)
    assert actions[5] in _step(standards, 4)
    assert "From level 4 to level 5" in _step(standards, 4)
    # Folded, one recommendation at a time; no respondent's level marked on this page.
    assert '<details class="path-panel">' in standards
    assert "your current level" not in html


def test_an_action_tied_to_no_step_is_listed_after_the_path(client_of, viewer, framework):
    html = client_of(viewer).get(reverse("framework_detail", args=["2024"])).content.decode()
    strategy = _article(html, 2)
    forum = escape(framework.recommendations.get(number=2).actions.get(position=3).text)
    assert forum not in strategy.split('<div class="path-other">')[0]
    assert forum in strategy.split('<div class="path-other">')[1]
    assert "No recommended action is tied to this step." in _step(strategy, 2)


def test_the_path_follows_a_step_the_secretariat_changed(client_of, viewer, framework):
    action = framework.recommendations.get(number=7).actions.get(position=5)
    action.moves_from_level = 1
    action.save()
    html = client_of(viewer).get(reverse("framework_detail", args=["2024"])).content.decode()
    assert escape(action.text) in _step(_article(html, 7), 1)
    assert escape(action.text) not in _step(_article(html, 7), 4)
