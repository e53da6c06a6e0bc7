import importlib.metadata

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from assessments.models import Assessment, Cycle
from kpi.models import KpiSnapshot
from portal.celery import app as celery_app
from portal.models import WorkerHeartbeat


def cycles_with_counts() -> QuerySet[Cycle]:
    """Every cycle with how many offices were invited, started and submitted."""
    return (
        Cycle.objects.select_related("framework")
        .annotate(
            invited=Count("invitations", distinct=True),
            started=Count("assessments", distinct=True),
            submitted=Count(
                "assessments",
                filter=Q(assessments__status=Assessment.Status.SUBMITTED),
                distinct=True,
            ),
            has_results=Exists(KpiSnapshot.objects.filter(cycle=OuterRef("pk"))),
        )
        .order_by("-year")
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

    if celery_app.conf.task_always_eager:
        parts.append({"name": "worker", "ok": True, "detail": "in-process", "eager": True})
    else:
        latest = WorkerHeartbeat.objects.order_by("-seen_at").first()
        age = (timezone.now() - latest.seen_at).total_seconds() if latest else None
        parts.append(
            {
                "name": "worker",
                "ok": age is not None and age < 180,
                "detail": latest.hostname if latest else "",
                "seen_at": latest.seen_at if latest else None,
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
