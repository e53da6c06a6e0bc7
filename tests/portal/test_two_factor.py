"""Two-factor authentication: required for co-leads and the secretariat, optional for offices."""

import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.models import Answer
from portal.accounts.two_factor import current_code
from portal.audit.models import AuditEvent
from tests.factories import PASSWORD, make_device

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.7"


def log_in(client, user):
    """The password step, through the login page."""
    response = client.post(
        reverse("login"), {"username": user.email, "password": PASSWORD}, REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 302
    return response


def step_of(response) -> str:
    return response["Location"].split("?")[0]


def test_a_colead_without_an_authenticator_is_sent_to_set_one_up_from_every_page(client, colead):
    log_in(client, colead)
    for page in (reverse("home"), reverse("colead_home"), reverse("account_profile")):
        response = client.get(page)
        assert step_of(response) == reverse("two_factor_setup"), page
    assert (
        f"next={reverse('colead_home').replace('/', '%2F')}"
        in client.get(reverse("colead_home"))["Location"]
    )


def test_the_set_up_page_shows_the_qr_code_inline_and_the_key_to_type(client, colead):
    log_in(client, colead)
    html = client.get(reverse("two_factor_setup")).content.decode()
    device = TOTPDevice.objects.get(user=colead, confirmed=False)
    assert '<div class="qr" role="img"' in html
    assert "<svg" in html and "<img" not in html
    assert "<script" not in html
    key = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert len(key.replace(" ", "")) == 32
    # The same key on a reload: the QR code already scanned stays good.
    assert key in client.get(reverse("two_factor_setup")).content.decode()
    assert TOTPDevice.objects.filter(user=colead).count() == 1
    assert device.config_url.startswith("otpauth://totp/ICT%20maturity%20portal%3A")


def test_a_colead_confirms_one_code_and_goes_on_to_the_page_asked_for(client, colead):
    log_in(client, colead)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=colead)
    response = client.post(
        f"{reverse('two_factor_setup')}?next={reverse('colead_home')}",
        {"code": current_code(device)},
        REMOTE_ADDR=ADDRESS,
    )
    assert response["Location"] == reverse("colead_home")
    assert client.get(reverse("colead_home")).status_code == 200
    assert TOTPDevice.objects.get(user=colead).confirmed
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.TWO_FACTOR_ENROLLED)
    assert (event.user, event.address, event.object_id) == (colead, ADDRESS, str(colead.pk))


def test_a_wrong_code_at_set_up_turns_nothing_on(client, secretariat):
    log_in(client, secretariat)
    client.get(reverse("two_factor_setup"))
    response = client.post(reverse("two_factor_setup"), {"code": "000000"})
    assert response.status_code == 400
    assert "This code is wrong or has been used already" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=secretariat, confirmed=True).exists()
    assert step_of(client.get(reverse("secretariat_home"))) == reverse("two_factor_setup")


def test_the_secretariat_types_the_code_after_the_password(client, secretariat):
    device = make_device(secretariat)
    log_in(client, secretariat)
    response = client.get(reverse("secretariat_home"))
    assert step_of(response) == reverse("two_factor_verify")
    page = client.get(response["Location"]).content.decode()
    assert "Type your code" in page
    assert 'autocomplete="one-time-code"' in page
    done = client.post(response["Location"], {"code": current_code(device)})
    assert done["Location"] == reverse("secretariat_home")
    assert client.get(reverse("secretariat_home")).status_code == 200


def test_a_wrong_code_is_refused_and_recorded(client, secretariat, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the retry below comes at once
    device = make_device(secretariat)
    log_in(client, secretariat)
    response = client.post(reverse("two_factor_verify"), {"code": "123 456"}, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 400
    assert "This code is wrong or has been used already" in response.content.decode()
    assert step_of(client.get(reverse("home"))) == reverse("two_factor_verify")
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.TWO_FACTOR_FAILED)
    assert (event.user, event.address) == (secretariat, ADDRESS)
    assert event.detail["step"] == "login"
    client.post(reverse("two_factor_verify"), {"code": current_code(device)})
    assert client.get(reverse("home"))["Location"] == reverse("secretariat_home")


def test_a_code_is_accepted_once(client, secretariat):
    device = make_device(secretariat)
    code = current_code(device)
    log_in(client, secretariat)
    client.post(reverse("two_factor_verify"), {"code": code})
    client.post(reverse("logout"))
    log_in(client, secretariat)
    again = client.post(reverse("two_factor_verify"), {"code": code})
    assert again.status_code == 400


def test_repeated_wrong_codes_slow_down_the_guesser(client, secretariat):
    device = make_device(secretariat)
    log_in(client, secretariat)
    client.post(reverse("two_factor_verify"), {"code": "000000"})
    # Even the right code waits for the pause after a failure.
    client.post(reverse("two_factor_verify"), {"code": current_code(device)})
    assert step_of(client.get(reverse("home"))) == reverse("two_factor_verify")
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.TWO_FACTOR_FAILED, detail__throttled=True
    ).exists()


def test_half_way_through_logging_in_only_the_code_pages_open(client, colead):
    make_device(colead)
    log_in(client, colead)
    assert client.get(reverse("two_factor_verify")).status_code == 200
    assert client.get(reverse("health")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "fr", "next": "/"}).status_code == 302
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("two_factor_verify"))
    assert 'class="main-nav"' not in client.get(reverse("two_factor_verify")).content.decode()
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_scripts_and_the_api_get_json_while_the_code_is_pending(client, colead, draft):
    make_device(colead)
    log_in(client, colead)
    autosave = client.post(
        reverse("assessment_autosave", args=["AU", draft.cycle.year]),
        {"version": "1"},
        headers={"accept": "application/json", "x-requested-with": "XMLHttpRequest"},
    )
    assert autosave.status_code == 401
    assert autosave.json()["error"] == "two_factor_required"
    assert autosave.json()["login_url"].startswith(reverse("two_factor_verify"))
    api = client.get(reverse("api_cycles"))
    assert api.status_code == 401
    assert "detail" in api.json()


def test_an_office_person_without_an_authenticator_has_no_code_step(client, respondent):
    log_in(client, respondent)
    assert client.get(reverse("home"))["Location"] == "/offices/AU/"
    html = client.get(reverse("account_profile")).content.decode()
    assert "Two-factor authentication" in html
    assert "Set up two-factor authentication" in html


def test_an_office_person_turns_it_on_and_is_then_asked_for_a_code(client, respondent):
    log_in(client, respondent)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=respondent)
    response = client.post(
        f"{reverse('two_factor_setup')}?next={reverse('account_profile')}",
        {"code": current_code(device)},
    )
    assert response["Location"] == reverse("account_profile")
    profile = client.get(reverse("account_profile")).content.decode()
    assert "Two-factor authentication is on" in profile

    client.post(reverse("logout"))
    log_in(client, respondent)
    assert step_of(client.get(reverse("home"))) == reverse("two_factor_verify")


def test_a_session_opened_before_the_authenticator_was_turned_on_asks_for_the_code(
    client, respondent
):
    log_in(client, respondent)
    assert client.get(reverse("home"))["Location"] == "/offices/AU/"
    make_device(respondent)  # turned on from another browser
    assert step_of(client.get(reverse("home"))) == reverse("two_factor_verify")


def test_an_unconfirmed_authenticator_asks_for_no_code(client, respondent):
    make_device(respondent, confirmed=False)  # set up begun, never confirmed
    log_in(client, respondent)
    assert client.get(reverse("home"))["Location"] == "/offices/AU/"


def test_an_office_person_turns_it_off_with_a_current_code(client_of, respondent, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = make_device(respondent)
    client = client_of(respondent)
    client.post(reverse("two_factor_verify"), {"code": current_code(device)})

    refused = client.post(reverse("two_factor_disable"), {"code": "000000"}, follow=True)
    assert "Two-factor authentication is still on" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=respondent).exists()

    device.refresh_from_db()
    client.post(reverse("two_factor_disable"), {"code": current_code(device, unused=True)})
    assert not TOTPDevice.objects.filter(user=respondent).exists()
    assert client.get(reverse("home"))["Location"] == "/offices/AU/"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.TWO_FACTOR_REMOVED)
    assert (event.user, event.address) == (respondent, "127.0.0.1")


def test_a_colead_cannot_turn_it_off(client_of, colead):
    client = client_of(colead)
    device = TOTPDevice.objects.get(user=colead)
    page = client.get(reverse("account_profile")).content.decode()
    assert "Turn two-factor authentication off" not in page
    response = client.post(
        reverse("two_factor_disable"), {"code": current_code(device, unused=True)}, follow=True
    )
    assert "cannot turn two-factor authentication off" in response.content.decode()
    assert TOTPDevice.objects.filter(user=colead, confirmed=True).exists()


def test_a_password_alone_cannot_replace_the_authenticator(client, respondent):
    make_device(respondent)
    log_in(client, respondent)
    response = client.get(reverse("two_factor_setup"))
    assert step_of(response) == reverse("two_factor_verify")
    assert TOTPDevice.objects.filter(user=respondent).count() == 1


def test_answers_posted_while_the_code_is_pending_are_shown_after_it(client, respondent, draft):
    """A tab left open posts the form after the password step, before the code."""
    device = make_device(respondent)
    log_in(client, respondent)
    form_url = reverse("assessment_form", args=["AU", draft.cycle.year])
    response = client.post(
        form_url, {"version": "1", "r3-status_comment": "Typed in the other tab"}
    )
    assert step_of(response) == reverse("two_factor_verify")
    assert Answer.objects.get(assessment=draft, recommendation__number=3).status_comment == ""
    done = client.post(response["Location"], {"code": current_code(device)})
    assert done["Location"] == form_url
    assert "Typed in the other tab</textarea>" in client.get(form_url).content.decode()


def test_the_profile_page_has_a_place_for_api_tokens(client_of, respondent):
    response = client_of(respondent).get(reverse("account_profile"))
    assert response.status_code == 200
    assert "accounts/_tokens.html" in [t.name for t in response.templates]


def test_the_code_command_prints_the_current_code_in_development_only(colead, settings, capsys):
    device = make_device(colead)
    settings.DEBUG = True
    call_command("totp_code", colead.email.upper())
    assert capsys.readouterr().out.strip() == current_code(device)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("totp_code", colead.email)
