import secrets

from django.db import transaction
from django.utils import timezone

from portal.api.models import ApiToken, token_digest
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record

# A user keeps a handful of tokens (a script, a notebook); more is a sign of a leak.
MAX_LIVE_TOKENS = 10


class TooManyTokens(Exception):
    pass


@transaction.atomic
def token_create(*, user, name: str, request=None) -> tuple[ApiToken, str]:
    """A new token and its key: the key is not stored and cannot be shown again."""
    if ApiToken.objects.live().filter(user=user).count() >= MAX_LIVE_TOKENS:
        raise TooManyTokens
    key = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip(), digest=token_digest(key), hint=key[:10]
    )
    audit_record(kind=AuditEvent.Kind.TOKEN_CREATED, request=request, user=user, target=token)
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken, user, request=None) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(kind=AuditEvent.Kind.TOKEN_REVOKED, request=request, user=user, target=token)
