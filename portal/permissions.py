"""Role checks for page views. One place, so that pages and (later) the API agree."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from portal.prepared import Prepared


def role_required(check: Callable[[object], bool]):
    """Logged-in people who fail ``check`` get a 403 page, not a login loop."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def is_secretariat(user) -> bool:
    return user.is_secretariat


def reads_all_submissions(user) -> bool:
    return user.is_secretariat or user.is_colead


secretariat_required = role_required(is_secretariat)
colead_or_secretariat_required = role_required(reads_all_submissions)


class ReadsAllSubmissionsPermission(BasePermission):
    """The API's counterpart of ``colead_or_secretariat_required``."""

    message = _("Only task-force co-leads and the secretariat can read this.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and reads_all_submissions(user))


def can_export(user, kind: str, office=None) -> bool:
    """Who may ask for an export: the annex is the secretariat's; the data exports are the
    task force's too; an office summary is for that office's own people."""
    from exports.models import ExportJob

    if not user.is_authenticated:
        return False
    if kind == ExportJob.Kind.ANNEX:
        return user.is_secretariat
    if kind in ExportJob.DATA_KINDS:
        return reads_all_submissions(user)
    if kind == ExportJob.Kind.OFFICE_SUMMARY and office is not None:
        return user.is_secretariat or office.memberships.filter(user=user).exists()
    return False


def _office_with_role_query(*, code: str, user: int):
    from portal.offices.models import Membership, Office

    return Office.objects.annotate(
        member_role=Subquery(
            Membership.objects.filter(office=OuterRef("pk"), user_id=user).values("role")[:1]
        )
    ).filter(code=code)


# Read by every office page and autosave: its SQL is built once (portal/prepared.py).
_office_with_role = Prepared(_office_with_role_query, code=str, user=int)


def office_role(user, code: str, *, allowed=("respondent", "viewer", "secretariat", "colead")):
    """The office behind ``/offices/<code>/…`` and what ``user`` is to it: "respondent" or
    "viewer" (its own people), else "secretariat" or "colead"; a 404 for anyone else, and for
    a role not ``allowed``. The one rule for every office page and API route: another office's
    URL is a 404, not a 403, so that it does not even confirm what the office has."""
    from django.http import Http404

    if not user.is_authenticated:
        raise Http404
    # One query: the office with this person's role in it, if any.
    office = _office_with_role.first(code=code.upper(), user=user.pk)
    if office is None:
        raise Http404
    if office.member_role:
        role = office.member_role
    elif user.is_secretariat:
        role = "secretariat"
    elif user.is_colead:
        role = "colead"
    else:
        raise Http404
    if role not in allowed:
        raise Http404
    return office, role
