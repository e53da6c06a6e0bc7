"""The client's address is read from X-Forwarded-For only as far as trusted proxies wrote it."""

import ipaddress

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.client_address import client_address
from tests.factories import PASSWORD

PROXY = "10.0.0.2"
CLIENT = "198.51.100.20"
VICTIM = "203.0.113.77"


@pytest.fixture
def behind_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/24")]


def address_of(**meta) -> str | None:
    return client_address(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_the_address_is_the_connections(db):
    assert address_of(REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=VICTIM) == CLIENT


def test_x_real_ip_is_never_believed(behind_proxy):
    assert address_of(REMOTE_ADDR=CLIENT, HTTP_X_REAL_IP=VICTIM) == CLIENT
    assert address_of(REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=VICTIM) == PROXY


def test_a_client_talking_directly_cannot_name_another_address(behind_proxy):
    assert address_of(REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=VICTIM) == CLIENT


def test_through_the_proxy_the_address_it_appended_is_the_client(behind_proxy):
    assert address_of(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT) == CLIENT


def test_what_the_client_wrote_before_the_proxys_hop_is_ignored(behind_proxy):
    forwarded = f"{VICTIM}, 192.0.2.1, {CLIENT}"
    assert address_of(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded) == CLIENT


def test_trusted_hops_are_walked_back_to_the_first_untrusted_one(behind_proxy):
    forwarded = f"{VICTIM}, {CLIENT}, 10.0.0.7"
    assert address_of(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded) == CLIENT


@pytest.mark.parametrize(
    ("forwarded", "address"),
    [
        (f"{CLIENT}:4711", CLIENT),
        ("[2001:db8::7]:4711", "2001:db8::7"),
        (f"::ffff:{CLIENT}", CLIENT),
    ],
)
def test_an_address_with_a_port_or_in_ipv6_form_is_read(behind_proxy, forwarded, address):
    assert address_of(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded) == address


@pytest.mark.parametrize("forwarded", ["", "unknown", "<script>", "1.2.3.4.5", "\x00"])
def test_a_hop_that_is_no_address_leaves_the_proxys_own(behind_proxy, forwarded):
    assert address_of(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded) == PROXY


# --- What it changes for logging in -------------------------------------------------------


def log_in(client, email, password, **meta):
    return client.post(reverse("login"), {"username": email, "password": password}, **meta)


@pytest.mark.django_db
def test_rotating_x_real_ip_buys_no_extra_guesses(behind_proxy, client, respondent):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = log_in(
            client,
            respondent.email,
            "wrong-password",
            REMOTE_ADDR=CLIENT,
            HTTP_X_REAL_IP=f"192.0.2.{attempt}",
        )
    assert response.status_code == 429


@pytest.mark.django_db
def test_rotating_forwarded_addresses_through_the_proxy_buys_no_extra_guesses(
    behind_proxy, client, respondent
):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = log_in(
            client,
            respondent.email,
            "wrong-password",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}, {CLIENT}",
        )
    assert response.status_code == 429


@pytest.mark.django_db
def test_naming_a_victims_address_does_not_lock_the_victim_out(behind_proxy, client, respondent):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(
            client,
            respondent.email,
            "wrong-password",
            REMOTE_ADDR=CLIENT,
            HTTP_X_REAL_IP=VICTIM,
            HTTP_X_FORWARDED_FOR=VICTIM,
        )
    # The victim, through the proxy, which sets both headers.
    response = log_in(
        client,
        respondent.email,
        PASSWORD,
        REMOTE_ADDR=PROXY,
        HTTP_X_REAL_IP=VICTIM,
        HTTP_X_FORWARDED_FOR=VICTIM,
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_audit_log_records_the_address_the_proxy_saw(behind_proxy, client, respondent):
    log_in(
        client,
        respondent.email,
        PASSWORD,
        REMOTE_ADDR=PROXY,
        HTTP_X_REAL_IP=VICTIM,
        HTTP_X_FORWARDED_FOR=f"{VICTIM}, {CLIENT}",
    )
    assert AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN).address == CLIENT
