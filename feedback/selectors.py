from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from feedback.models import Feedback
from portal.offices.models import Office
from portal.permissions import reads_all_submissions


def can_send(user) -> bool:
    """Offices' people and the task force send feedback; someone with no role does not."""
    return user.is_authenticated and (reads_all_submissions(user) or user.memberships.exists())


def feedback_for(user) -> QuerySet[Feedback]:
    """What this person may read: co-leads and the secretariat read all of it; an office's
    people read what their office sent."""
    if not user.is_authenticated:
        return Feedback.objects.none()
    if reads_all_submissions(user):
        return Feedback.objects.all()
    return Feedback.objects.filter(office__memberships__user=user)


def feedback_list(user, *, filters: dict) -> QuerySet[Feedback]:
    """The list page's rows, filtered; one query whatever the number of rows."""
    items = feedback_for(user).select_related(
        "framework", "recommendation", "office", "sender", "triaged_by"
    )
    if filters.get("status"):
        items = items.filter(status=filters["status"])
    if filters.get("kind"):
        items = items.filter(kind=filters["kind"])
    if filters.get("source"):
        items = items.filter(source=filters["source"])
    if filters.get("version"):
        items = items.filter(framework__version=filters["version"])
    about = filters.get("about")
    if about == "framework":
        items = items.filter(recommendation__isnull=True)
    elif about:
        items = items.filter(recommendation__number=int(about))
    if filters.get("office"):
        items = items.filter(Q(office__code=filters["office"].upper()))
    return items.order_by("-created_at", "-pk")


def feedback_detail(user, pk: int) -> Feedback:
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(
        feedback_for(user).select_related(
            "framework", "recommendation", "office", "sender", "triaged_by"
        ),
        pk=pk,
    )


def sender_office(user) -> Office | None:
    """The office a person sends for: their first office (by code), or none for the task
    force's people who belong to no office."""
    membership = user.memberships.select_related("office").order_by("office__code").first()
    return membership.office if membership else None


def published_feedback(year: int) -> QuerySet[Feedback]:
    """The feedback received in ``year`` (1 January to 31 December, UTC) that may be quoted in
    the committee's documents: everything but what its sender marked "not for publication".
    By framework version, recommendation (the framework as a whole first) and date; one
    query. The sender and its office are not read: the annex does not name them."""
    return (
        Feedback.objects.filter(created_at__year=year, private=False)
        .select_related("framework", "recommendation", "assessment")
        .order_by(
            "framework__version",
            F("recommendation__number").asc(nulls_first=True),
            "created_at",
            "pk",
        )
    )
