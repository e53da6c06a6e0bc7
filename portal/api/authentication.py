import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from portal.api.models import ApiToken, token_digest
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record

# Writing last_used_at on every call would turn each read into a write.
LAST_USED_PRECISION = datetime.timedelta(minutes=5)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer ictm_...`` with a personal token from the profile page."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send one token after “Bearer”."))
        key = header[1].decode(errors="replace")
        token = (
            ApiToken.objects.live().select_related("user").filter(digest=token_digest(key)).first()
        )
        if token is None or not token.user.is_active:
            audit_record(
                kind=AuditEvent.Kind.TOKEN_REFUSED,
                request=request._request,
                username=token.user.get_username() if token else "",
                detail={"starts_with": key[:10]},
            )
            raise exceptions.AuthenticationFailed(_("This token is unknown or revoked."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (with this challenge) rather than 403 to a caller without
        # credentials.
        return f'{self.keyword} realm="api"'
