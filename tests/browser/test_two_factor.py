"""An office respondent turns two-factor authentication on, in a real browser."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from portal.accounts.two_factor import current_code
from portal.demo import DEMO_PASSWORD, seed_demo
from tests.browser.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_framework"),
]


def test_a_respondent_scans_the_code_confirms_it_and_is_asked_for_it_next_time(page):
    seed_demo()
    refused = []  # what the Content Security Policy blocks, as Chromium logs it

    def on_console(message) -> None:
        if "Refused" in message.text:
            refused.append(message.text)

    page.on("console", on_console)
    log_in(page, "cio@au.example", DEMO_PASSWORD)
    page.locator(".site-header").get_by_role("link", name="cio@au.example").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    page.get_by_role("link", name="Set up two-factor authentication").click()

    expect(page.get_by_role("img", name="QR code holding the key below")).to_be_visible()
    key = page.locator("code.secret").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", key)
    device = TOTPDevice.objects.get(user__email="cio@au.example", confirmed=False)
    page.get_by_label("6-digit code").fill(current_code(device))
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(page.locator(".messages")).to_contain_text("Two-factor authentication is on")
    expect(page.locator("#two-factor")).to_contain_text("On")
    assert refused == []

    page.get_by_role("button", name="Log out").click()
    log_in(page, "cio@au.example", DEMO_PASSWORD)  # types the next code on the code page
    expect(page).to_have_url(re.compile(r"/offices/AU/$"))
