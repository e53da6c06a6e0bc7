import io

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


# --- Nothing personal is kept by browsers or shared caches ---------------------------------


def no_store(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


def test_a_page_of_a_logged_in_person_is_never_stored(client_of, respondent):
    response = client_of(respondent).get("/offices/AU/")
    assert response.status_code == 200
    assert no_store(response)


def test_an_api_answer_is_never_stored(respondent):
    response = token_client(respondent).get("/api/v1/offices/")
    assert response.status_code == 200
    assert no_store(response)


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/password/reset/", "/nowhere/"])
def test_pages_before_logging_in_are_never_stored_either(client, url):
    # They carry a form's CSRF token and messages meant for one person.
    assert no_store(client.get(url))


def test_a_redirect_to_the_login_is_never_stored(client):
    response = client.get("/offices/AU/")
    assert response.status_code == 302
    assert no_store(response)


def test_static_files_stay_cacheable(client):
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_an_api_body_nested_thousands_deep_is_a_json_400(secretariat, respondent, draft):
    for body in ("[" * 5000 + "]" * 5000, '{"a":' * 5000 + "1" + "}" * 5000):
        response = token_client(respondent).patch(
            f"/api/v1/offices/AU/assessments/{draft.cycle.year}/",
            body,
            content_type="application/json",
            HTTP_IF_MATCH='"1"',
        )
        assert response.status_code == 400
        assert "nested more than 32 levels deep" in response.json()["detail"]


def test_an_oversized_api_body_is_a_json_413(secretariat):
    body = b'{"year": "' + b"9" * (10 * 1024 * 1024) + b'"}'
    response = token_client(secretariat).post(
        "/api/v1/cycles/", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert "larger than the 2621440 bytes" in response.json()["detail"]


def test_a_body_longer_than_it_claims_is_still_cut_at_the_limit(settings):
    from portal.api.parsers import PayloadTooLarge, StrictJSONParser

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    with pytest.raises(PayloadTooLarge):
        StrictJSONParser().parse(io.BytesIO(b'"' + b"x" * 200 + b'"'))


def test_an_error_django_answers_itself_on_the_api_is_json(client):
    # Django refuses an unknown host name before any view runs, with its HTML 400 page.
    response = client.get("/api/v1/cycles/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "The request could not be read."}


def _gunzip(response) -> bytes:
    import gzip

    body = b"".join(response.streaming_content) if response.streaming else response.content
    return gzip.decompress(body)


def test_a_page_is_compressed_for_a_browser_that_asks(client_of, respondent, draft):
    response = client_of(respondent).get(
        f"/offices/AU/{draft.cycle.year}/", HTTP_ACCEPT_ENCODING="gzip, deflate, br"
    )
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b"</html>" in _gunzip(response)


def test_an_api_answer_is_compressed_for_a_client_that_asks(respondent, draft):
    response = token_client(respondent).get(
        f"/api/v1/offices/AU/assessments/{draft.cycle.year}/", HTTP_ACCEPT_ENCODING="gzip"
    )
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert b'"version"' in _gunzip(response)


def test_the_compressed_size_varies_so_that_a_secret_cannot_be_guessed_from_it(
    client_of, respondent, draft
):
    # BREACH guesses a token from the compressed length: Django pads each answer randomly.
    client = client_of(respondent)
    sizes = {
        len(client.get(f"/offices/AU/{draft.cycle.year}/", HTTP_ACCEPT_ENCODING="gzip").content)
        for _ in range(6)
    }
    assert len(sizes) > 1


def test_an_answer_is_not_compressed_unless_asked(client_of, respondent, draft):
    response = client_of(respondent).get(f"/offices/AU/{draft.cycle.year}/")
    assert "Content-Encoding" not in response
