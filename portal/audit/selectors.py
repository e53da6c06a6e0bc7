"""Reads of the audit log."""

import datetime
import json
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from portal.audit.describe import detail_label, detail_value, targets_described
from portal.audit.models import AuditEvent


def audit_events(
    *,
    kind: str = "",
    user: str = "",
    address: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """Events newest first, filtered; the dates are whole UTC days, both included."""
    events = AuditEvent.objects.order_by("-at", "-pk")
    if kind:
        events = events.filter(kind=kind)
    if user:
        # The name as typed at the time, or the account's address now (it may have changed).
        events = events.filter(Q(username__icontains=user) | Q(user__email__icontains=user))
    if address:
        events = events.filter(address__startswith=address)
    # Ranges on the indexed column rather than a __date lookup, which would read every row.
    if since:
        events = events.filter(at__gte=_utc_midnight(since))
    if until:
        events = events.filter(at__lt=_utc_midnight(until + datetime.timedelta(days=1)))
    return events


def _utc_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    detail: list[tuple[str, str]]
    target: str  # what the event is about, in the reader's words; "" if about nothing


def detail_pairs(detail) -> list[tuple[str, str]]:
    """The JSON detail as (name, value) pairs to print; anything but an object is one value."""
    if not isinstance(detail, dict):
        return [] if detail in (None, "", []) else [("", _as_text(detail))]
    return [(str(name), _as_text(value)) for name, value in detail.items()]


def _as_text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def event_rows(events) -> list[EventRow]:
    events = list(events)
    targets = targets_described(events)
    return [
        EventRow(
            event=event,
            detail=[
                (detail_label(name), detail_value(name, value))
                for name, value in detail_pairs(event.detail)
            ],
            target=targets.get(event.pk, ""),
        )
        for event in events
    ]
