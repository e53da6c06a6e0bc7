import re

import pytest
from django.urls import reverse

from recommendations.models import Framework
from recommendations.services import framework_copy
from tests.factories import SESSION_QUERIES, make_assessment, make_cycle

pytestmark = pytest.mark.django_db


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
    assert "Version 2024 exists already." in html
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
    response = client.post(
        reverse("admin:recommendations_recommendation_change", args=[recommendation.pk]),
        {"framework": framework.pk, "number": 1, "short_title": "Changed", "statement": "x"},
    )
    assert response.status_code == 403
    assert framework.recommendations.get(number=1).short_title != "Changed"


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
