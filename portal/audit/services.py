"""Writes to the audit log: one call per event, from wherever the event happens."""

import contextvars

from django.http import HttpRequest

from portal.audit.models import AuditEvent
from portal.client_address import client_address

Kind = AuditEvent.Kind

# The request being served, so that a service deep down (a reopening, an export) records
# the address without every caller passing the request along.
current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "current_request", default=None
)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


def audit_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    user=None,
    username: str = "",
    target=None,
    detail: dict | None = None,
    by_portal: bool = False,
) -> AuditEvent:
    """Records ``kind`` by ``user`` (default: the request's user) from the request's address,
    about ``target`` (a model instance), with ``detail`` (JSON). ``by_portal``: the portal
    did it on its own (a deadline passed), even if someone's page load set it off."""
    request = request if request is not None else current_request.get()
    if by_portal:
        user, request = None, None
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    return AuditEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user is not None else ""))[:254],
        address=client_address(request),
        object_type=target._meta.label if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        detail=detail or {},
    )
