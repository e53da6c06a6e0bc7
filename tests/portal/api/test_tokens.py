import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from portal.api.models import ApiToken, token_digest
from portal.api.services import MAX_LIVE_TOKENS, token_create
from portal.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_a_token_is_shown_once_and_only_its_digest_is_kept(client_of, respondent):
    response = client_of(respondent).post(reverse("api_token_create"), {"name": "KPI notebook"})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    html = response.content.decode()
    token = ApiToken.objects.get(user=respondent)
    key = html.split('id="token-key" class="token-key" value="')[1].split('"')[0]
    assert key.startswith("ictm_") and len(key) > 40
    assert token.digest == token_digest(key) and key not in str(token.__dict__.values())
    assert token.name == "KPI notebook" and token.hint == key[:10]
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.TOKEN_CREATED)
    assert (event.user, event.object_id, event.address) == (respondent, str(token.pk), "127.0.0.1")


def test_a_token_authenticates_its_owner_and_notes_its_use(respondent):
    _token, key = token_create(user=respondent, name="script")
    response = bearer(key).get(reverse("api_offices"))
    assert response.status_code == 200
    assert [office["code"] for office in response.json()] == ["AU"]
    assert ApiToken.objects.get().last_used_at is not None


def test_a_revoked_token_is_refused_and_both_events_are_audited(client_of, respondent):
    token, key = token_create(user=respondent, name="script")
    client_of(respondent).post(reverse("api_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    response = bearer(key).get(reverse("api_offices"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    kinds = list(AuditEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds[-2:] == [AuditEvent.Kind.TOKEN_REVOKED, AuditEvent.Kind.TOKEN_REFUSED]


def test_an_unknown_token_is_refused(db):
    assert bearer("ictm_not-a-token").get(reverse("api_offices")).status_code == 401


def test_a_token_of_a_disabled_account_is_refused(respondent):
    _token, key = token_create(user=respondent, name="script")
    respondent.is_active = False
    respondent.save()
    assert bearer(key).get(reverse("api_offices")).status_code == 401


def test_nobody_revokes_another_persons_token(client_of, respondent, outsider):
    token, _key = token_create(user=respondent, name="script")
    response = client_of(outsider).post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_person_keeps_a_bounded_number_of_tokens(client_of, respondent):
    for index in range(MAX_LIVE_TOKENS):
        token_create(user=respondent, name=f"t{index}")
    response = client_of(respondent).post(
        reverse("api_token_create"), {"name": "one more"}, follow=True
    )
    assert "revoke one you no longer use first" in response.content.decode()
    assert ApiToken.objects.live().count() == MAX_LIVE_TOKENS
