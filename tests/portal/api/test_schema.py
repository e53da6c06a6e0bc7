"""The API's OpenAPI schema: valid, complete, and committed, so that a change shows in review."""

import re
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "openapi.yaml"
REGENERATE = "uv run manage.py spectacular --lang en --validate --file docs/openapi.yaml"


def test_the_committed_schema_is_the_api(tmp_path):
    generated = tmp_path / "openapi.yaml"
    # --fail-on-warn: an endpoint without a described answer or parameter fails here.
    call_command(
        "spectacular", "--lang", "en", "--validate", "--fail-on-warn", "--file", str(generated)
    )
    assert generated.read_text() == COMMITTED.read_text(), (
        f"The API changed and docs/openapi.yaml did not: run `{REGENERATE}` and commit it."
    )


def test_every_api_route_is_in_the_schema():
    from portal.api.urls import v1

    def shape(path: str) -> str:
        return re.sub(r"\{[^}]+\}|<[^>]+>", "{}", path)

    documented = {shape(path) for path in yaml.safe_load(COMMITTED.read_text())["paths"]}
    for route in v1:
        assert shape("/api/v1/" + str(route.pattern)) in documented, route.pattern


@pytest.mark.django_db
def test_the_schema_and_its_documentation_pages_are_served(client):
    schema = client.get(reverse("api_schema"))
    assert schema.status_code == 200
    assert b"ICT maturity portal API" in schema.content
    docs = client.get(reverse("api_docs"))
    assert docs.status_code == 200
    # The page's scripts come from our own static files, not a CDN.
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs.content
    assert b"cdn" not in docs.content.lower()
