"""Security headers, the Content Security Policy, and the production settings."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"

PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "portal.example.org",
    "SITE_URL": "https://portal.example.org",
}


def run_in_production(code: str, **environment) -> subprocess.CompletedProcess:
    """Runs ``code`` with Django set up from the production environment (and nothing of this
    machine's own settings: no database or broker, no security overrides)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}
        # The browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE in this process.
        and not key.startswith(("SECURE_", "CSRF_", "SESSION_", "DJANGO_"))
    }
    env.update(PRODUCTION, SECRET_KEY=secrets.token_urlsafe(50), **environment)
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    return subprocess.run(
        [sys.executable, "-c", "import django\ndjango.setup()\n" + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- Production settings ---------------------------------------------------------------------
def test_the_deployment_checklist_is_clean_with_production_settings():
    # As .ci/run: manage.py check --deploy --fail-level WARNING
    result = run_in_production(
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')\n"
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


PROBE = """
import json
from django.conf import settings
from django.test import Client

client = Client()
answers = {}
# Pages that render no template: templates need the static files' manifest (collectstatic).
for name, path, secure in [
    ("health", "/health/", False),
    ("home", "/", False),
    ("health_https", "/health/", True),
]:
    response = client.get(path, secure=secure)
    answers[name] = {"status": response.status_code, "headers": dict(response.headers)}
answers["settings"] = {
    name: getattr(settings, name)
    for name in [
        "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
        "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT",
        "SECURE_REFERRER_POLICY", "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    ]
}
print(json.dumps(answers))
"""


def probe(**environment) -> dict:
    # An in-memory database: the health check asks it SELECT 1, and no file is left behind.
    result = run_in_production(
        PROBE,
        ALLOWED_HOSTS="testserver",
        DATABASE_URL="sqlite://:memory:",
        **environment,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def production():
    return probe()


def test_production_settings_are_strict(production):
    assert production["settings"] == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
    }


def test_plain_http_is_redirected_to_https_except_the_health_check(production):
    # docker-compose.yml's health check curls http://localhost:8000/health/ inside the
    # container: it must get its answer, not a redirect to a port that speaks no TLS.
    assert production["health"]["status"] == 200
    home = production["home"]
    assert home["status"] == 301
    assert home["headers"]["Location"] == "https://testserver/"


def test_https_answers_carry_the_security_headers(production):
    headers = production["health_https"]["headers"]
    assert production["health_https"]["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "script-src 'self'" in headers["Content-Security-Policy"]


def test_the_redirect_and_hsts_are_configurable():
    answers = probe(SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="600")
    assert answers["settings"]["SECURE_SSL_REDIRECT"] is False
    assert answers["settings"]["SECURE_HSTS_SECONDS"] == 600
    assert answers["home"]["status"] == 302
    assert answers["home"]["headers"]["Location"] == "/accounts/login/?next=/"


# --- Content Security Policy ------------------------------------------------------------------
def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.django_db
def test_every_page_carries_the_policy_without_inline_scripts_or_styles(client_of, secretariat):
    response = client_of(secretariat).get(reverse("secretariat_home"))
    policy = directives(response["Content-Security-Policy"])
    assert policy == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }


@pytest.mark.django_db
def test_the_login_page_and_refusals_carry_the_policy_too(client_of, respondent):
    assert "Content-Security-Policy" in client_of(respondent).get(reverse("login"))
    response = client_of(respondent).get(reverse("secretariat_home"))
    assert response.status_code == 403
    assert "script-src 'self'" in response["Content-Security-Policy"]


# What the policy refuses, so what no template may hold. The PDF templates are read by
# WeasyPrint only, never by a browser.
INLINE = {
    "an inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "an event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "a style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE),
    "a <style> element": re.compile(r"<style\b", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def browser_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.relative_to(TEMPLATES).parts[0] != "pdf":
            yield pytest.param(path, id=str(path.relative_to(TEMPLATES)))


@pytest.mark.parametrize("path", list(browser_templates()))
def test_no_template_holds_what_the_policy_refuses(path):
    text = re.sub(r"{#.*?#}", "", path.read_text(encoding="utf-8"))
    found = [what for what, pattern in INLINE.items() if pattern.search(text)]
    assert found == [], f"{path.name} holds {', '.join(found)}: use a static file"


def test_the_server_error_page_is_styled_from_the_stylesheet():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert 'href="/static/css/portal.css"' in html
    assert 'class="error-page"' in html
