from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.languages import language_choices


def office_codes(user) -> list[str]:
    """The codes of the person's offices, in order: read with the person where the login
    backend loaded them (portal.accounts.backends), else here."""
    if hasattr(user, "joined_office_codes"):
        return sorted(user.joined_office_codes.split(",")) if user.joined_office_codes else []
    return list(user.memberships.order_by("office__code").values_list("office__code", flat=True))


def navigation(request):
    """The main menu: only what this person's role can open."""
    user = getattr(request, "user", None)
    # Half-way through logging in (the two-factor code is still to come), no page opens yet.
    if user is None or not user.is_authenticated or getattr(request, "two_factor_pending", False):
        return {"nav_items": []}
    links = []
    if user.is_secretariat:
        links.append((_("Secretariat"), reverse("secretariat_home")))
    if user.is_colead or user.is_secretariat:
        links.append((_("Cycles"), reverse("colead_home")))
        links.append((_("Exports"), reverse("exports_home")))
    for code in office_codes(user):
        links.append((_("Office %(code)s") % {"code": code}, reverse("office_home", args=[code])))
    links.append((_("Practices"), reverse("practices_catalogue")))
    if user.is_colead or user.is_secretariat:
        links.append((_("Peer learning"), reverse("practices_task_force")))
    links.append((_("Framework"), reverse("framework_current")))
    if user.is_secretariat:
        links.append((_("Console"), reverse("admin:index")))
    return {
        "nav_items": [
            {"label": label, "url": url, "current": request.path.startswith(url)}
            for label, url in links
        ]
    }


def languages(request):
    """The language switcher's choices, each named in itself."""
    return {"portal_languages": language_choices()}
