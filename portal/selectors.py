import datetime
import importlib.metadata
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from assessments.models import Cycle
from kpi.models import KpiSnapshot
from outbox.models import OutboxMessage
from portal.celery import app as celery_app
from portal.models import WorkerHeartbeat


def cycles_with_counts() -> QuerySet[Cycle]:
    """Every cycle with how many offices were invited, started and submitted."""
    return (
        Cycle.objects.select_related("framework")
        .annotate(
            invited=Count("invitations", distinct=True),
            started=Count("assessments", distinct=True),
            # A reopened submission still counts, as in the KPIs and the annex: its last
            # submitted version stands until the office submits again.
            submitted=Count(
                "assessments",
                filter=Q(assessments__submitted_at__isnull=False),
                distinct=True,
            ),
            has_results=Exists(KpiSnapshot.objects.filter(cycle=OuterRef("pk"))),
        )
        .order_by("-year")
    )


# A worker that has not recorded its heartbeat (every minute, from beat) for this long is
# taken for gone.
WORKER_SILENT_SECONDS = 180


@dataclass
class Queues:
    """The state of the background work: the broker, the workers and the outbox."""

    eager: bool
    broker_ok: bool
    worker_seen: WorkerHeartbeat | None
    worker_ok: bool
    pending: int
    oldest_pending: datetime.datetime | None
    outbox_ok: bool

    @property
    def ok(self) -> bool:
        return self.broker_ok and self.worker_ok and self.outbox_ok


def broker_reachable() -> bool:
    try:
        with celery_app.connection_for_write() as connection:
            connection.ensure_connection(
                max_retries=1, interval_start=0, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT
            )
    except Exception:
        return False
    return True


def queues_status() -> Queues:
    now = timezone.now()
    try:
        backlog = OutboxMessage.objects.pending().aggregate(
            count=Count("pk"), oldest=Min("created_at")
        )
        latest = WorkerHeartbeat.objects.order_by("-seen_at").first()
    except DatabaseError:
        # Tables not there yet (a new release before its migrations): nothing is known.
        backlog, latest, known = {"count": None, "oldest": None}, None, False
    else:
        known = True
    # Messages wait in the outbox only while the broker refuses them; one that has waited
    # past a few sweeps says the broker (or beat, which runs the sweep) is not working.
    late = datetime.timedelta(seconds=max(60, 3 * settings.OUTBOX_SWEEP_SECONDS))
    outbox_ok = known and (backlog["oldest"] is None or now - backlog["oldest"] < late)
    if celery_app.conf.task_always_eager:
        return Queues(True, True, None, True, backlog["count"], backlog["oldest"], outbox_ok)
    worker_ok = latest is not None and (now - latest.seen_at).total_seconds() < (
        WORKER_SILENT_SECONDS
    )
    return Queues(
        False,
        broker_reachable(),
        latest,
        worker_ok,
        backlog["count"],
        backlog["oldest"],
        outbox_ok,
    )


def system_status() -> list[dict]:
    """What the secretariat needs to know is working: each part, ok or not, and why."""
    parts = []

    vendor = connection.vendor
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        parts.append({"name": "database", "ok": True, "detail": vendor})
    except Exception as error:
        parts.append({"name": "database", "ok": False, "detail": str(error)})

    try:
        cache.set("status-probe", "1", 5)
        ok = cache.get("status-probe") == "1"
        backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        parts.append({"name": "cache", "ok": ok, "detail": backend})
    except Exception as error:
        parts.append({"name": "cache", "ok": False, "detail": str(error)})

    queues = queues_status()
    if queues.eager:
        parts.append({"name": "worker", "ok": True, "detail": "in-process", "eager": True})
    else:
        parts.append({"name": "broker", "ok": queues.broker_ok, "detail": ""})
        latest = queues.worker_seen
        parts.append(
            {
                "name": "worker",
                "ok": queues.worker_ok,
                "detail": latest.hostname if latest else "",
                "seen_at": latest.seen_at if latest else None,
            }
        )
    parts.append(
        {
            "name": "outbox",
            "ok": queues.outbox_ok,
            "detail": "",
            "pending": queues.pending,
            "oldest": queues.oldest_pending,
        }
    )

    try:
        import weasyprint

        parts.append({"name": "pdf", "ok": True, "detail": f"WeasyPrint {weasyprint.__version__}"})
    except OSError as error:  # its system libraries (Pango) are missing
        parts.append({"name": "pdf", "ok": False, "detail": str(error)})

    parts.append(
        {"name": "version", "ok": True, "detail": f"Django {importlib.metadata.version('django')}"}
    )
    return parts
