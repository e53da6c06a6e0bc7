from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Aggregate, CharField, Exists, OuterRef, Subquery
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.offices.models import Membership
from portal.prepared import Prepared

# The secretariat manages everything the portal itself owns (Django admin is its console);
# it is granted by role, not by hand-picked permission rows that drift.
SECRETARIAT_APPS = frozenset({"accounts", "offices", "recommendations", "assessments", "kpi"})


class JoinedCodes(Aggregate):
    """Office codes in one comma-separated column (ST.3 codes hold no comma)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def _person(*, pk):
    # The person of each request comes with what every page asks of them: whether they have
    # an authenticator (portal.accounts.two_factor.needs_code) and their offices' codes (the
    # menu, portal.context_processors): one query, not three.
    return (
        get_user_model()
        ._default_manager.annotate(
            has_authenticator=Exists(
                TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
            ),
            joined_office_codes=Subquery(
                Membership.objects.filter(user=OuterRef("pk"))
                .values("user")
                .annotate(codes=JoinedCodes("office__code"))
                .values("codes")
            ),
        )
        .filter(pk=pk)
    )


# Read on every request: its SQL is built once (portal/prepared.py).
person_read = Prepared(_person, pk=int)


class RoleBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = person_read.first(pk=user_id)
        except (TypeError, ValueError):
            return None
        return user if user is not None and self.user_can_authenticate(user) else None

    def has_perm(self, user_obj, perm, obj=None):
        if getattr(user_obj, "is_secretariat", False):
            app_label = perm.split(".", 1)[0]
            if app_label in SECRETARIAT_APPS:
                return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        if getattr(user_obj, "is_secretariat", False) and app_label in SECRETARIAT_APPS:
            return True
        return super().has_module_perms(user_obj, app_label)
