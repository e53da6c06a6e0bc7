"""Role checks for page views. One place, so that pages and (later) the API agree."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


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
