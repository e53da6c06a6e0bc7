import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.api import token_client

pytestmark = pytest.mark.django_db


def test_each_action_says_which_step_it_moves_an_office_across(viewer, framework):
    data = token_client(viewer).get(reverse("api_framework", args=["2024"])).json()
    strategy = next(r for r in data["recommendations"] if r["number"] == 2)
    assert [(a["position"], a["moves_from_level"]) for a in strategy["actions"]] == [
        (1, 1),
        (2, 4),
        (3, None),  # the Bureau's forum: tied to no step
    ]


def test_an_anonymous_caller_gets_no_framework(framework):
    response = APIClient().get(reverse("api_framework", args=["2024"]))
    assert response.status_code == 401
