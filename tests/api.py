"""A REST client that authenticates as a person, with a personal token as a script would."""

from rest_framework.test import APIClient

from portal.api.services import token_create


def token_client(user) -> APIClient:
    _token, key = token_create(user=user, name="test script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client
