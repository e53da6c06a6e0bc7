"""The first minutes of each demo person, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from portal.demo import DEMO_PASSWORD, LOGINS, seed_demo
from tests.browser.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_framework"),
]

LANDINGS = {
    "office respondent": r"/offices/AU/$",
    "office respondent (a colleague)": r"/offices/AU/$",
    "office viewer": r"/offices/AU/$",
    "task-force co-lead": r"/colead/$",
    "secretariat": r"/secretariat/$",
}


def test_each_demo_login_reaches_its_home_page(page):
    seed_demo()
    for login in LOGINS:
        log_in(page, login.email, DEMO_PASSWORD)
        expect(page).to_have_url(re.compile(LANDINGS[login.role]))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.get_by_role("button", name="Log out").click()
        expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_the_framework_page_shows_ten_recommendations_and_the_matrix(page):
    seed_demo()
    log_in(page, "staff@au.example", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Framework").click()
    expect(page.locator("article.recommendation")).to_have_count(10)
    matrix = page.locator("table.matrix")
    expect(matrix.locator("tbody tr")).to_have_count(10)
    expect(matrix.locator("thead th")).to_have_count(6)
    expect(matrix.locator("tbody td")).to_have_count(50)


def test_keyboard_users_can_skip_to_the_content(page):
    seed_demo()
    log_in(page, "cio@au.example", DEMO_PASSWORD)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_switching_to_french_translates_the_page(page):
    seed_demo()
    log_in(page, "cio@au.example", DEMO_PASSWORD)
    page.locator(".language-switch summary").click()
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Cycles d’auto-évaluation")).to_be_visible()


def test_the_language_switch_works_from_the_keyboard_and_arabic_reads_right_to_left(page):
    page.goto("/accounts/login/")
    switch = page.locator(".language-switch summary")
    switch.focus()
    page.keyboard.press("Enter")
    arabic = page.get_by_role("button", name="العربية")
    expect(arabic).to_be_visible()
    arabic.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
