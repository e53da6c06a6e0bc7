"""Every page of the URL walk, in each of the portal's languages: its <html> says the
language and the direction, and no text on it is an English message that the language's
catalogue translates (a string the page forgot to translate)."""

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.utils.translation import get_language_info, to_locale

from tests.factories import make_device, pass_code_step
from tests.portal.test_authorization import TABLE, url_of, world  # noqa: F401
from tests.portal.test_translations import messages

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# Pages that answer with something else than an HTML page, or only to a POST.
NOT_PAGES = {"health", "api_schema", "audit_log_csv", "export_job_status"}
SECRETARIAT = {
    "colead_home",
    "cycle_dashboard",
    "exports_home",
    "secretariat_home",
    "cycle_create",
    "cycle_detail",
    "survey_import",
    "audit_log",
}


def walk() -> list[tuple[str, str]]:
    """(page, who reads it): every GET page a viewer of the office, the secretariat or an
    anonymous visitor reaches."""
    pages = []
    for name, (method, anonymous, _outsider, viewer) in sorted(TABLE.items()):
        if method != "get" or name in NOT_PAGES or name.startswith("api_"):
            continue
        if name in SECRETARIAT:
            pages.append((name, "secretariat"))
        elif anonymous == "reachable":
            pages.append((name, "anonymous"))
        elif viewer == "reachable":
            pages.append((name, "viewer"))
    return pages


class Page(HTMLParser):
    """The <html> tag's attributes and the text a reader sees, leaving out what is marked as
    another language (the language switcher's names) and what is not shown."""

    HIDDEN = {"script", "style", "template", "svg"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.html, self.texts, self.stack = {}, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html = attrs
            return
        if tag in self.VOID:
            return
        outside = tag in self.HIDDEN or ("lang" in attrs and attrs["lang"] != self.html["lang"])
        self.stack.append((tag, outside))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if data.strip() and not any(outside for _tag, outside in self.stack):
            self.texts.append(" ".join(data.split()))


def forgotten(locale: str) -> dict[str, str]:
    """English messages that this language's catalogue says differently."""
    return {
        e["msgid"]: e["msgstr"][0]
        for e in messages(locale)
        if e["msgstr"] and e["msgstr"][0] and e["msgstr"][0] != e["msgid"]
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_speaks_the_language_chosen(
    language,
    world,  # noqa: F811  (the authorization walk's fixture)
    client_of,
    viewer,
    secretariat,
):
    english = {} if language == settings.LANGUAGE_CODE else forgotten(to_locale(language))
    direction = "rtl" if get_language_info(language)["bidi"] else "ltr"
    clients = {
        "anonymous": Client(),
        "viewer": client_of(viewer),
        "secretariat": secretariat_client(secretariat),
    }
    for client in clients.values():
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    problems = []
    for name, who in walk():
        client = clients[who]
        response = client.get(url_of(name, world), follow=True)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        page = Page()
        page.feed(response.content.decode())
        if (page.html.get("lang"), page.html.get("dir")) != (language, direction):
            problems.append(f"{name}: <html {page.html}>")
        for text in page.texts:
            if text in english:
                problems.append(f"{name}: “{text}” (should read “{english[text]}”)")
    assert problems == []


def secretariat_client(secretariat) -> Client:
    """A browser of the secretariat's own (client_of logs in the test's one client)."""
    client = Client()
    client.force_login(secretariat)
    pass_code_step(client, make_device(secretariat))
    return client


def test_the_walk_covers_the_pages_of_every_role():
    readers = {who for _name, who in walk()}
    assert readers == {"anonymous", "viewer", "secretariat"}
    assert len(walk()) >= 25


def test_the_text_read_leaves_out_what_is_in_another_language_or_not_shown():
    page = Page()
    page.feed(
        '<html lang="fr" dir="ltr"><p>Your <br>account</p><b lang="en">English</b>'
        "<script>var x</script><p lang=fr>Compte</p></html>"
    )
    assert page.texts == ["Your", "account", "Compte"]
