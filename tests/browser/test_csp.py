"""Every role's main pages, and the secretariat's console, run under the Content Security
Policy without a single violation: no inline script, event handler or style is refused."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.accounts.models import User
from portal.demo import DEMO_PASSWORD, seed_demo
from portal.offices.models import Office
from tests.browser.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_framework"),
]

VIOLATION = re.compile(r"Content Security Policy|Refused to", re.IGNORECASE)

# Chrome logs each violation to the console; the page's own securitypolicyviolation event is
# logged too, so that nothing depends on how the browser words its message. Init scripts are
# injected by the test driver, outside the page's policy.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`Refused by the Content Security Policy: ${event.violatedDirective} `
    + `blocked ${event.blockedURI || "inline"} in ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def browse(chromium, live_server):
    """``browse(email)``: a logged-in page of its own, and the list of the violations seen."""
    contexts = []

    def open_as(email: str):
        context = chromium.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        contexts.append(context)
        context.add_init_script(REPORT_VIOLATIONS)
        page = context.new_page()
        page.set_default_timeout(15_000)
        seen: list[str] = []

        def on_console(message) -> None:
            if VIOLATION.search(message.text):
                seen.append(f"{page.url}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: seen.append(f"{page.url}: {error}"))
        log_in(page, email, DEMO_PASSWORD)
        return page, seen

    yield open_as
    for context in contexts:
        context.close()


def visit(page, paths: list[str]) -> None:
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status in (200, 403, 404), (path, response)
        page.wait_for_load_state("load")


@pytest.fixture
def years(db):
    seed_demo()
    this_year = timezone.localdate().year
    return {"open": this_year, "past": this_year - 1}


def test_the_check_sees_a_violation_when_there_is_one(browse, years):
    page, seen = browse("cio@au.example")
    page.goto("/offices/AU/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
          document.querySelector("h1").setAttribute("style", "color: red");
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.injected === undefined")
    assert page.evaluate("() => getComputedStyle(document.querySelector('h1')).color") != (
        "rgb(255, 0, 0)"
    )
    assert any("script-src" in message for message in seen), seen
    assert any("style-src" in message for message in seen), seen


def test_office_pages(browse, years):
    page, seen = browse("cio@au.example")
    visit(
        page,
        [
            "/offices/AU/",
            f"/offices/AU/{years['past']}/",
            f"/offices/AU/{years['past']}/benchmark/",
            f"/offices/AU/{years['open']}/history/",
            "/framework/",
            "/accounts/password/change/",
            "/secretariat/",  # refused: the 403 page
            "/offices/XX/",  # the 404 page
        ],
    )
    # The form's script at work: an answer typed is saved in the background.
    page.goto(f"/offices/AU/{years['open']}/#r3")
    with page.expect_response(lambda response: response.url.endswith("/autosave/")) as saved:
        page.locator("#r3").get_by_label("Evidence", exact=True).fill("Policy approved.")
    assert saved.value.ok
    assert seen == []

    viewer, seen_by_viewer = browse("staff@au.example")
    visit(viewer, ["/offices/AU/", f"/offices/AU/{years['open']}/"])
    assert seen_by_viewer == []


def test_colead_pages(browse, years):
    page, seen = browse("colead@taskforce.example")
    visit(page, ["/colead/", "/exports/", "/framework/"])
    page.goto(f"/dashboard/{years['past']}/")
    page.locator("#status").get_by_text("Show the table behind the chart").click()
    expect(page.locator("#status table")).to_be_visible()
    page.locator("#heatmap").get_by_role("link", name="Maturity", exact=True).click()
    expect(page.locator("#heatmap svg")).to_be_visible()
    assert seen == []


def test_secretariat_pages(browse, years):
    page, seen = browse("secretariat@wipo.example")
    visit(
        page,
        [
            "/secretariat/",
            f"/secretariat/cycles/{years['open']}/",
            "/secretariat/import/",
            "/secretariat/audit/",
            "/secretariat/audit/?kind=login",
            "/exports/",
        ],
    )
    # The office picker's script (cycle_create.html).
    page.goto("/secretariat/cycles/new/")
    page.locator("[data-office-picker] input[type=checkbox]").first.check()
    assert seen == []


def test_the_secretariat_console(browse, years):
    page, seen = browse("secretariat@wipo.example")
    person = User.objects.get(email="cio@au.example")
    office = Office.objects.get(code="AU")
    visit(
        page,
        [
            "/admin/",
            "/admin/accounts/user/",
            "/admin/accounts/user/?site_role__exact=colead",
            "/admin/accounts/user/add/",
            "/admin/offices/office/",
            "/admin/assessments/cycle/",
            "/admin/assessments/cycle/add/",
            "/admin/recommendations/framework/",
            "/admin/audit/auditevent/",
            f"/admin/audit/auditevent/?at__gte={datetime.date.today():%Y-%m-%d}",
        ],
    )
    # The change forms run jQuery, the inlines and the autocomplete widget (Select2).
    page.goto(f"/admin/offices/office/{office.pk}/change/")
    page.get_by_role("link", name=re.compile("Add another")).first.click()
    page.locator(".select2-selection").last.click()
    expect(page.locator(".select2-search__field")).to_be_visible()
    page.keyboard.type("cio")
    expect(page.locator(".select2-results__option").first).to_be_visible()
    page.goto(f"/admin/accounts/user/{person.pk}/change/")
    expect(page.locator("#content h1")).to_be_visible()
    assert seen == []
