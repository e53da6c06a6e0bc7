"""The API's lists read a bounded number of queries, whatever the number of rows."""

import pytest
from django.urls import reverse

from tests.api import token_client
from tests.factories import make_cycle, make_office

pytestmark = pytest.mark.django_db

# Token lookup and the audit of nothing: the authentication's own queries.
AUTH = 2


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("api_offices", []),
        ("api_cycles", []),
        ("api_frameworks", []),
        ("api_framework", ["2024"]),
        ("api_assessment", ["AU", 2025]),
    ],
)
def test_a_list_does_not_grow_with_its_rows(
    name, args, secretariat, office, django_assert_max_num_queries
):
    from tests.factories import make_assessment

    offices = [office, *(make_office(code) for code in ["JP", "KR", "DE", "FR", "BR", "IN"])]
    for year in (2021, 2022, 2023, 2024, 2025):
        cycle = make_cycle(year, offices=offices)
    make_assessment(cycle, office, submitted=True)
    client = token_client(secretariat)
    with django_assert_max_num_queries(AUTH + 6):
        response = client.get(reverse(name, args=args))
    assert response.status_code == 200
