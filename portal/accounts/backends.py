from django.contrib.auth.backends import ModelBackend

# The secretariat manages everything the portal itself owns (Django admin is its console);
# it is granted by role, not by hand-picked permission rows that drift.
SECRETARIAT_APPS = frozenset({"accounts", "offices", "recommendations", "assessments", "kpi"})


class RoleBackend(ModelBackend):
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
