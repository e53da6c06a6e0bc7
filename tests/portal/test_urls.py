"""Every page sends an anonymous visitor to the login page, including pages added later."""

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Pages that must work before logging in.
PUBLIC = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "health",
    "welcome",
    # The API's description, as public as the README.
    "api_schema",
    "api_docs",
    "api_redoc",
}
# Endpoints for scripts answer an anonymous request with JSON instead of a login page.
JSON_FOR_ANONYMOUS = {"assessment_autosave"}
# The API answers an anonymous caller 401 with a Bearer challenge.
SAMPLE_ARGUMENTS = {
    "code": "AU",
    "version": "2024",
    "uidb64": "MQ",
    "token": "x-y",
    "year": 2026,
    "pk": 1,
    "language": "fr",
}


def named_patterns(resolver: URLResolver, arguments: frozenset = frozenset()):
    """Every named URL with the names of all its arguments, from its includes too."""
    for pattern in resolver.url_patterns:
        found = arguments | set(getattr(pattern.pattern, "converters", {}))
        if isinstance(pattern, URLResolver):
            # The console has its own login page; it is checked below.
            if getattr(pattern, "app_name", None) == "admin":
                continue
            yield from named_patterns(pattern, found)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern, found


def urls(kind: str):
    """The sample URL of every named pattern that answers an anonymous visitor as ``kind``:
    "page" (redirect to login), "script" (JSON 401) or "api" (DRF's 401/403)."""
    for pattern, argument_names in named_patterns(get_resolver()):
        if pattern.name in PUBLIC:
            continue
        if pattern.name in JSON_FOR_ANONYMOUS:
            found = "script"
        elif pattern.name.startswith("api_") and "token" not in pattern.name:
            found = "api"
        else:
            found = "page"
        if found == kind:
            arguments = {name: SAMPLE_ARGUMENTS[name] for name in argument_names}
            yield pytest.param(reverse(pattern.name, kwargs=arguments), id=pattern.name)


@pytest.mark.django_db
@pytest.mark.parametrize("url", list(urls("page")))
def test_an_anonymous_visitor_is_sent_to_login(client, url):
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse(settings.LOGIN_URL) + "?next="), url


@pytest.mark.django_db
@pytest.mark.parametrize("url", list(urls("script")))
def test_a_script_endpoint_answers_an_anonymous_visitor_with_401(client, url):
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 401, url
        assert response.json()["error"] == "session_expired"


@pytest.mark.django_db
@pytest.mark.parametrize("url", list(urls("api")))
def test_the_api_refuses_an_anonymous_caller(client, url):
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code in (401, 405), url
        assert "detail" in response.json()


@pytest.mark.django_db
def test_the_console_sends_an_anonymous_visitor_to_its_login(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_every_url_argument_has_a_sample():
    for pattern, argument_names in named_patterns(get_resolver()):
        missing = set(argument_names) - set(SAMPLE_ARGUMENTS)
        assert not missing, f"add a sample for {missing} of {pattern.name}"
