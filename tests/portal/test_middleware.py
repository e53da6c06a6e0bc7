import pytest

from tests.api import token_client

pytestmark = pytest.mark.django_db


def test_a_nul_in_an_address_is_not_found_not_a_server_error(client_of, respondent):
    # Found by fuzzing the API on PostgreSQL, which refuses NUL in any text it compares.
    api = token_client(respondent)
    for url in ["/api/v1/offices/A%00/", "/api/v1/frameworks/2%0024/"]:
        response = api.get(url)
        assert response.status_code == 404 and "detail" in response.json()
    assert client_of(respondent).get("/offices/A%00/").status_code == 404


def test_a_nul_in_a_json_body_is_a_clear_400(secretariat, respondent, draft):
    # Also found by fuzzing on PostgreSQL: a NUL in a framework version gave a 500.
    response = token_client(secretariat).post(
        "/api/v1/cycles/",
        {
            "year": 2030,
            "framework": "20\x0024",
            "opens_on": "2030-01-01",
            "closes_on": "2030-02-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Text may not contain NUL characters."
    patched = token_client(respondent).patch(
        f"/api/v1/offices/AU/assessments/{draft.cycle.year}/",
        {"proposals": "a\x00b"},
        format="json",
        HTTP_IF_MATCH=f'"{draft.version}"',
    )
    assert patched.status_code == 400
    draft.refresh_from_db()
    assert draft.proposals == ""


def test_any_other_api_address_answers_json_even_with_a_newline(respondent):
    response = token_client(respondent).patch("/api/v1/offices/A%0AB/assessments/-1/", {})
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no such API address."}
