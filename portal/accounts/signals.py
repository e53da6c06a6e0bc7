"""Audit events and session clean-up on authentication and account changes.

Connected in AccountsConfig.ready(). Receivers that are not given a request (a role changed
in the console) leave it to audit_record, which takes the request being served, to record
who did it and from where.
"""

import time

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import translation

from portal.accounts.lockout import typed_username
from portal.accounts.middleware import LOGIN_AT_SESSION_KEY
from portal.accounts.models import User
from portal.accounts.services import language_on_login, sessions_end
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.offices.models import Membership

Kind = AuditEvent.Kind


def logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        # The start of the absolute session lifetime (SessionLifetimeMiddleware).
        request.session[LOGIN_AT_SESSION_KEY] = int(time.time())
    if request is not None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = language_on_login(user=user, chosen=chosen)
        if language:
            # This answer already, and every page after it (AccountLanguageMiddleware).
            request.account_language = language
            translation.activate(language)
    audit_record(kind=Kind.LOGIN, request=request, user=user)


def logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    reason = getattr(request, "logout_reason", "")
    audit_record(
        kind=Kind.LOGOUT, request=request, user=user, detail={"reason": reason} if reason else {}
    )


def login_failed(sender, credentials, request=None, **kwargs):
    # An attempt that axes refused while locked never had its password checked: it is
    # recorded as LOGIN_LOCKED (below) instead. Axes marks it locked before this signal and
    # leaves its failure count unset, whichever receiver runs first.
    if getattr(request, "axes_locked_out", False) and (
        getattr(request, "axes_failures_since_start", None) is None
    ):
        return
    audit_record(
        kind=Kind.LOGIN_FAILED,
        request=request,
        username=typed_username(request, credentials) or "",
    )


def locked_out(sender, request, username, ip_address, **kwargs):
    failures = getattr(request, "axes_failures_since_start", None)
    audit_record(
        kind=Kind.LOGIN_LOCKED,
        request=request,
        username=username or "",
        detail={"failures": failures} if failures is not None else {"refused": True},
    )


def _stored(model, instance, fields: tuple[str, ...]) -> dict | None:
    if instance.pk is None:
        return None
    return model.objects.filter(pk=instance.pk).values(*fields).first()


def user_before_save(sender, instance, update_fields=None, **kwargs):
    watched = ("site_role", "is_active")
    if update_fields is not None and not set(update_fields) & set(watched):
        # Saving last_login at every login: nothing to compare.
        instance._stored_roles = None
        return
    instance._stored_roles = _stored(User, instance, watched)


def user_saved(sender, instance, created, **kwargs):
    before = getattr(instance, "_stored_roles", None)
    instance._stored_roles = None
    old_role = before["site_role"] if before else ""
    if (before or created) and instance.site_role != old_role:
        audit_record(
            kind=Kind.ROLE_CHANGED,
            target=instance,
            detail={"site_role": {"old": old_role, "new": instance.site_role}},
        )
    if before and before["is_active"] and not instance.is_active:
        ended = sessions_end(user=instance)
        audit_record(
            kind=Kind.ACCOUNT_DISABLED,
            target=instance,
            detail={"sessions_ended": ended},
        )


def membership_before_save(sender, instance, **kwargs):
    instance._stored_role = _stored(Membership, instance, ("role",))


def _membership_changed(membership: Membership, *, old: str, new: str) -> None:
    audit_record(
        kind=Kind.ROLE_CHANGED,
        target=membership.user,
        detail={"office": membership.office.code, "old": old, "new": new},
    )


def membership_saved(sender, instance, created, **kwargs):
    before = getattr(instance, "_stored_role", None)
    old = before["role"] if before else ""
    if created or instance.role != old:
        _membership_changed(instance, old=old, new=instance.role)


def membership_deleted(sender, instance, **kwargs):
    _membership_changed(instance, old=instance.role, new="")


def connect() -> None:
    user_logged_in.connect(logged_in, dispatch_uid="accounts.logged_in")
    user_logged_out.connect(logged_out, dispatch_uid="accounts.logged_out")
    user_login_failed.connect(login_failed, dispatch_uid="accounts.login_failed")
    user_locked_out.connect(locked_out, dispatch_uid="accounts.locked_out")
    pre_save.connect(user_before_save, sender=User, dispatch_uid="accounts.user_before_save")
    post_save.connect(user_saved, sender=User, dispatch_uid="accounts.user_saved")
    pre_save.connect(
        membership_before_save, sender=Membership, dispatch_uid="accounts.membership_before"
    )
    post_save.connect(membership_saved, sender=Membership, dispatch_uid="accounts.membership")
    post_delete.connect(
        membership_deleted, sender=Membership, dispatch_uid="accounts.membership_deleted"
    )
