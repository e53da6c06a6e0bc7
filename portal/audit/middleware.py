"""Records the pages and objects a logged-in person was refused."""

import logging

from django.http import HttpRequest, HttpResponse

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record

logger = logging.getLogger(__name__)

# Where a 403 or 404 means "not yours": an office, a dashboard, an export, the secretariat's
# pages, the API. Elsewhere (a mistyped path, static files) a 404 says nothing about intent.
AUDITED_PREFIXES = ("/offices/", "/exports/", "/dashboard/", "/secretariat/", "/api/")
REFUSED = frozenset({403, 404})


class AccessRefusedMiddleware:
    """After the authentication middleware: it needs ``request.user``. Anonymous visitors are
    not recorded: they are sent to the login page, and have no name to record."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in REFUSED and request.path_info.startswith(AUDITED_PREFIXES):
            # Read after the view: the API authenticates tokens itself and sets the user then.
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                self.record(request, response, user)
        return response

    @staticmethod
    def record(request: HttpRequest, response: HttpResponse, user) -> None:
        try:
            audit_record(
                kind=AuditEvent.Kind.ACCESS_REFUSED,
                request=request,
                user=user,
                detail={
                    "path": request.path[:500],
                    "method": request.method,
                    "status": response.status_code,
                },
            )
        except Exception:
            # The refusal stands either way; a failed write must not turn it into a 500.
            logger.exception("could not record a refused access to %s", request.path)
