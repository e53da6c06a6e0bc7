"""The crosswalk on the pages: the secretariat's editor, the framework file in and out, the
framework page's "What changed since" and the API's crosswalk."""

import io
import json

import pytest
from django.urls import reverse

from recommendations.framework_file import framework_export
from recommendations.models import Framework
from recommendations.selectors import crosswalk_lines, crosswalk_stamp
from recommendations.services import crosswalk_save
from tests.api import token_client
from tests.factories import SESSION_QUERIES, framework_merging_2_8_9, make_assessment, make_cycle

pytestmark = pytest.mark.django_db

LINES_2_8_9 = {(1, 1), (2, 2), (8, 2), (9, 2), (3, 3), (4, 4), (5, 5), (6, 6), (7, 7), (10, 8)}


@pytest.fixture
def draft(framework):
    return framework_merging_2_8_9(status=Framework.Status.DRAFT)


def page(version="2027") -> str:
    return reverse("framework_crosswalk", args=[version])


def form_data(framework, lines) -> dict:
    data: dict = {"stamp": crosswalk_stamp(framework), "retired": []}
    for old, new in lines:
        data.setdefault("retired" if new is None else f"r{new}", []).append(str(old))
    return data


def test_the_secretariat_sees_each_new_recommendation_with_what_it_continues(
    client_of, secretariat, draft
):
    response = client_of(secretariat).get(page())
    html = response.content.decode()
    assert response.status_code == 200
    assert "merged from 2, 8 and 9 of \u20682024\u2069" in html
    assert "was 10 of \u20682024\u2069" in html
    assert html.count('type="checkbox"') == 8 * 10 + 10  # 8 new rows, and "retired" for 10
    assert 'name="r2" value="8" ' in html and "checked" in html.split('name="r2" value="8"')[1][:40]


def test_the_secretariat_saves_the_crosswalk(client_of, secretariat, draft):
    lines = (LINES_2_8_9 - {(3, 3)}) | {(3, None)}
    response = client_of(secretariat).post(page(), form_data(draft, lines))
    assert response.status_code == 302
    assert set(crosswalk_lines(draft)) == lines


def test_problems_are_shown_beside_the_rows_and_nothing_is_saved(client_of, secretariat, draft):
    lines = (LINES_2_8_9 - {(3, 3), (8, 2)}) | {(8, 2), (8, 3)}  # 8 merged into 2, split to 3
    response = client_of(secretariat).post(page(), form_data(draft, lines))
    html = response.content.decode()
    assert response.status_code == 400
    assert "nothing was saved" in html
    assert "Previous recommendation 3 is not accounted for" in html
    row = html.split('id="r2"')[1].split("</tr>")[0]
    assert "ambiguous" in row
    assert set(crosswalk_lines(draft)) == LINES_2_8_9


def ticked(html: str, name: str, value: int) -> bool:
    return "checked" in html.split(f'name="{name}" value="{value}"')[1].split(">")[0]


def row(html: str, row_id: str) -> str:
    return html.split(f'id="{row_id}"')[1].split("</tr>")[0]


def test_a_stale_page_keeps_the_ticks_beside_what_is_saved_now(client_of, secretariat, draft):
    mine = form_data(draft, (LINES_2_8_9 - {(3, 3)}) | {(3, None)})  # 3 retired
    # Meanwhile a colleague merges 7 into 6.
    theirs = (LINES_2_8_9 - {(7, 7)}) | {(7, 6)}
    crosswalk_save(framework=draft, lines=sorted(theirs), stamp=mine["stamp"])
    response = client_of(secretariat).post(page(), mine)
    html = response.content.decode()
    assert response.status_code == 409
    assert "this framework changed while you were editing" in html
    assert set(crosswalk_lines(draft)) == theirs  # nothing written
    # The ticks sent are shown again, and the rows where they differ say what is saved.
    assert ticked(html, "retired", 3) and not ticked(html, "r3", 3)
    assert ticked(html, "r7", 7) and not ticked(html, "r6", 7)
    assert 'class="has-change"' in row(html, "previous-3")
    assert "Saved now: continued by 3." in row(html, "previous-3")
    assert "Saved now: continues 6 and 7." in row(html, "r6")
    assert "Saved now: continues none (a new recommendation)." in row(html, "r7")
    assert "Saved now: continued by 6." in row(html, "previous-7")
    assert "has-change" not in row(html, "r2") and "Saved now" not in row(html, "r2")
    # Sent again, knowingly, from the page as shown: it is saved.
    again = {**mine, "stamp": html.split('name="stamp" value="')[1].split('"')[0]}
    assert client_of(secretariat).post(page(), again).status_code == 302
    assert set(crosswalk_lines(draft)) == (LINES_2_8_9 - {(3, 3)}) | {(3, None)}


def test_a_step_of_the_matrix_saved_meanwhile_does_not_make_the_page_stale(
    client_of, secretariat, draft
):
    data = form_data(draft, (LINES_2_8_9 - {(3, 3)}) | {(3, None)})
    action = draft.recommendations.get(number=4).actions.first()
    action.moves_from_level = 4 if action.moves_from_level != 4 else 3
    action.save()
    assert client_of(secretariat).post(page(), data).status_code == 302
    assert set(crosswalk_lines(draft)) == (LINES_2_8_9 - {(3, 3)}) | {(3, None)}


def test_the_crosswalk_of_a_used_framework_is_read_only(client_of, secretariat, draft, office):
    make_assessment(make_cycle(2028, framework=draft, offices=[office]), office, submitted=True)
    client = client_of(secretariat)
    html = client.get(page()).content.decode()
    assert 'type="checkbox"' not in html and "read-only" in html
    response = client.post(page(), form_data(draft, {(n, None) for n in range(1, 11)}))
    assert response.status_code == 409
    assert "is read-only: assessments were submitted against it" in response.content.decode()
    assert set(crosswalk_lines(draft)) == LINES_2_8_9


def test_a_first_version_has_no_crosswalk_to_edit(client_of, secretariat, framework):
    html = client_of(secretariat).get(page("2024")).content.decode()
    assert "is a first version" in html and "<form" not in html.split("<main", 1)[1]


@pytest.mark.parametrize("person", ["respondent", "colead", "outsider"])
def test_only_the_secretariat_reaches_the_crosswalk_and_the_files(
    client_of, request, person, draft
):
    client = client_of(request.getfixturevalue(person))
    for url in (page(), reverse("framework_file", args=["2027"]), reverse("framework_load")):
        assert client.get(url).status_code == 403
    assert client.post(page(), form_data(draft, set())).status_code == 403
    assert set(crosswalk_lines(draft)) == LINES_2_8_9


def test_an_anonymous_visitor_is_sent_to_log_in(client, draft):
    for url in (page(), reverse("framework_file", args=["2027"]), reverse("framework_load")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- The framework file on the pages ---------------------------------------------------------


def upload(data, dry_run=False):
    file = io.BytesIO(json.dumps(data).encode())
    file.name = "framework_2030.json"
    return {"file": file, **({"dry_run": "on"} if dry_run else {})}


def test_the_secretariat_downloads_a_framework_file(client_of, secretariat, draft):
    response = client_of(secretariat).get(reverse("framework_file", args=["2027"]))
    assert response["Content-Disposition"] == 'attachment; filename="framework_2027.json"'
    assert json.loads(response.content) == framework_export(draft)


def test_the_secretariat_checks_then_loads_a_new_draft(client_of, secretariat, draft):
    data = {**framework_export(draft), "version": "2030"}
    client = client_of(secretariat)
    response = client.post(reverse("framework_load"), upload(data, dry_run=True))
    assert response.status_code == 200
    assert "has no problems" in response.content.decode()
    assert not Framework.objects.filter(version="2030").exists()
    response = client.post(reverse("framework_load"), upload(data))
    assert response.status_code == 302
    assert Framework.objects.get(version="2030").status == Framework.Status.DRAFT


def test_a_bad_file_is_refused_with_every_problem(client_of, secretariat, draft):
    data = {**framework_export(draft), "version": "2030", "colour": "blue"}
    data["crosswalk"] = data["crosswalk"][1:]
    response = client_of(secretariat).post(reverse("framework_load"), upload(data))
    html = response.content.decode()
    assert response.status_code == 400
    assert "2 problems in framework_2030.json: nothing was loaded" in html
    assert "<code>colour</code>" in html and "Previous recommendation 1" in html
    assert not Framework.objects.filter(version="2030").exists()


# --- Everyone sees what changed ----------------------------------------------------------------


def test_everyone_sees_what_changed_since_the_previous_version(client_of, viewer, framework):
    framework_merging_2_8_9()
    html = client_of(viewer).get(reverse("framework_detail", args=["2027"])).content.decode()
    section = html.split('id="changes-heading"')[1].split("</section>")[0]
    assert "What changed since version \u20682024\u2069" in section
    assert (
        "Data, cloud and infrastructure</span></a> — merged from 2, 8 and 9 of \u20682024\u2069"
        in section
    )
    assert "— was 10 of \u20682024\u2069" in section
    assert "least advanced status" in section and "docs/framework-evolution.md" in section
    # The first version has nothing to compare with.
    html = client_of(viewer).get(reverse("framework_detail", args=["2024"])).content.decode()
    assert "changes-heading" not in html


def test_the_framework_page_words_the_carrying_rule_as_the_crosswalk_page_does(
    client_of, secretariat, draft
):
    def rule(html: str) -> str:
        return html.split('<ul class="carrying-rule">')[1].split("</ul>")[0]

    client = client_of(secretariat)
    detail = client.get(reverse("framework_detail", args=["2027"])).content.decode()
    editor = client.get(page()).content.decode()
    assert "least advanced status" in rule(detail)
    assert rule(detail) == rule(editor)
    assert detail.count("least advanced status") == 1


def test_the_page_of_a_derived_version_takes_a_fixed_number_of_queries(
    client_of, viewer, framework, django_assert_max_num_queries
):
    framework_merging_2_8_9()
    client = client_of(viewer)
    with django_assert_max_num_queries(13 + SESSION_QUERIES):
        client.get(reverse("framework_detail", args=["2027"]))


def test_the_api_gives_the_crosswalk(respondent, framework):
    framework_merging_2_8_9()
    client = token_client(respondent)
    body = client.get(reverse("api_framework", args=["2027"])).json()
    assert body["crosswalk"]["from_framework"] == "2024"
    assert body["crosswalk"]["recommendations"][1] == {
        "number": 2,
        "relation": "merged",
        "previous": [2, 8, 9],
    }
    assert client.get(reverse("api_framework", args=["2024"])).json()["crosswalk"] is None


def test_the_crosswalk_page_takes_a_fixed_number_of_queries(
    client_of, secretariat, draft, django_assert_max_num_queries
):
    client = client_of(secretariat)
    with django_assert_max_num_queries(14 + SESSION_QUERIES):
        client.get(page())
