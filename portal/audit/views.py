"""The secretariat's audit log page. Nothing here writes to the log but the events it records
itself (a download of the log is one); the log cannot be edited from the portal."""

import csv
import datetime
import json
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from exports.output import neutralised
from portal.audit.describe import object_kind
from portal.audit.forms import AuditFilterForm
from portal.audit.models import AuditEvent
from portal.audit.selectors import audit_events, detail_pairs, event_rows
from portal.audit.services import audit_record
from portal.permissions import secretariat_required

PAGE_SIZE = 50
FILTERS = ("kind", "user", "address", "since", "until")


def _filter_form(request: HttpRequest) -> AuditFilterForm:
    # Bound only when a filter was sent, so that a bare ?page=2 is not "a form with errors".
    bound = any(name in request.GET for name in FILTERS)
    return AuditFilterForm(request.GET if bound else None)


def _filters(form: AuditFilterForm) -> dict | None:
    """The filters to apply, ``{}`` for none, ``None`` if the form has errors."""
    if not form.is_bound:
        return {}
    if not form.is_valid():
        return None
    return {name: value for name, value in form.cleaned_data.items() if value}


@secretariat_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    filters = _filters(form)
    page = None
    if filters is not None:
        page = Paginator(audit_events(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "page": page,
            "rows": event_rows(page) if page is not None else [],
            "query": query.urlencode(),
        },
    )


class _Echo:
    """A file for csv.writer that hands each line back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(events) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The byte order mark makes Excel read the file as UTF-8, as in the data exports.
    yield "\ufeff"
    yield writer.writerow(
        [
            _("Time (UTC)"),
            _("Event"),
            _("Event code"),
            _("User"),
            _("Address"),
            _("Object type"),
            _("Object id"),
            _("Object"),
            _("Detail"),
        ]
    )
    for event in events.iterator(chunk_size=2000):
        kind = object_kind(event.object_type)
        row = [
            event.at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            event.get_kind_display(),
            event.kind,
            event.username,
            event.address or "",
            # The kind as the log page names it; the stored label of a kind since removed.
            capfirst(kind) if kind else event.object_type,
            event.object_id,
            event.object_repr,
            json.dumps(event.detail, ensure_ascii=False) if detail_pairs(event.detail) else "",
        ]
        # Names, objects and paths are typed by others: none may run as a formula.
        yield writer.writerow([neutralised(value) for value in row])


@secretariat_required
@require_GET
def audit_log_csv(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    filters = _filters(form)
    if filters is None:
        return audit_log(request)
    # Who took a copy of the log, and of which part, is itself worth knowing.
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        request=request,
        detail={"export": "audit log", **{name: str(value) for name, value in filters.items()}},
    )
    response = StreamingHttpResponse(
        _csv_lines(audit_events(**filters)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response
