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
