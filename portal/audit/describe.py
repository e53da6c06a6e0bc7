"""What an audit event is about, named as people name it and in the reader's language:
"Annex export of 2025 by secretariat@…", "Assessment of AU, 2026", not "exports.ExportJob 3".

One registry for every model the portal audits. Descriptions are made when the log is
read, from the object as it is now, so that each reader sees them in their own language;
an object deleted since is shown by what was stored when the event was recorded.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The names of the details that events record, as the log shows them.
DETAIL_LABELS = {
    "path": gettext_lazy("page"),
    "method": gettext_lazy("method"),
    "status": gettext_lazy("answer code"),
    "step": gettext_lazy("step"),
    "throttled": gettext_lazy("slowed down"),
    "reason": gettext_lazy("reason"),
    "failures": gettext_lazy("failed attempts"),
    "refused": gettext_lazy("refused"),
    "site_role": gettext_lazy("site-wide role"),
    "sessions_ended": gettext_lazy("sessions ended"),
    "office": gettext_lazy("office"),
    "old": gettext_lazy("before"),
    "new": gettext_lazy("after"),
    "kind": gettext_lazy("kind"),
    "year": gettext_lazy("year"),
    "file": gettext_lazy("file"),
    "answers_hash": gettext_lazy("answers’ fingerprint"),
    "export": gettext_lazy("export"),
    "starts_with": gettext_lazy("starts with"),
    "symbol": gettext_lazy("document symbol"),
    "date": gettext_lazy("date"),
    "note": gettext_lazy("note"),
    "language": gettext_lazy("language"),
    "changes": gettext_lazy("changes"),
}


def detail_label(name: str) -> str:
    return str(DETAIL_LABELS.get(name, name))


def detail_value(name: str, value: str) -> str:
    """A detail's value as the reader names it: a language by its name in the reader's."""
    if name == "language":
        from django.conf import settings

        names = dict(settings.LANGUAGES)
        if value in names:
            return str(names[value])
    return value


@dataclass(frozen=True)
class Description:
    related: tuple[str, ...]  # what to load with the objects (select_related)
    describe: Callable[[object], str]


def _who(user) -> str:
    return user.email if user is not None else _("someone no longer registered")


def _person(user) -> str:
    return _("Account of %(email)s") % {"email": user.email}


def _assessment(assessment) -> str:
    return _("Assessment of %(office)s, %(year)s") % {
        "office": assessment.office.code,
        "year": assessment.cycle.year,
    }


def _export(job) -> str:
    names = {"year": job.cycle.year, "who": _who(job.requested_by)}
    if job.kind == "annex":
        return _("Annex export of %(year)s by %(who)s") % names
    if job.kind == "office_summary":
        office = job.office.code if job.office_id else "—"
        return _("Summary of %(office)s for %(year)s, exported by %(who)s") % {
            **names,
            "office": office,
        }
    return _("Data export of %(year)s (%(format)s) by %(who)s") % {
        **names,
        "format": job.kind.upper(),
    }


def _token(token) -> str:
    return _("API token “%(name)s” of %(email)s") % {"name": token.name, "email": token.user.email}


def _office(office) -> str:
    return _("Office %(code)s") % {"code": office.code}


def _practice(practice) -> str:
    return _("Practice “%(title)s” of %(office)s") % {
        "title": practice.title,
        "office": practice.office.code,
    }


def _contact_request(request) -> str:
    return _("Contact request from %(seeker)s to %(target)s on recommendation %(number)s") % {
        "seeker": request.seeker.code,
        "target": request.target.code,
        "number": request.number,
    }


def _framework(framework) -> str:
    return _("Framework %(version)s") % {"version": framework.version}


DESCRIPTIONS: dict[str, Description] = {
    "accounts.User": Description((), _person),
    "assessments.Assessment": Description(("office", "cycle"), _assessment),
    "exports.ExportJob": Description(("cycle", "office", "requested_by"), _export),
    "api.ApiToken": Description(("user",), _token),
    "offices.Office": Description((), _office),
    "practices.Practice": Description(("office",), _practice),
    "practices.ContactRequest": Description(("seeker", "target"), _contact_request),
    "recommendations.Framework": Description((), _framework),
}


def object_kind(label: str) -> str | None:
    """The kind of object a stored label names, in the reader's words ("assessment" for
    "assessments.Assessment"); None for a kind the portal no longer has."""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return None


def _gone(event) -> str:
    """An object deleted since the event, or of a kind the registry does not know."""
    kind = object_kind(event.object_type)
    if kind is None:
        return event.object_repr
    return _("%(kind)s “%(name)s” (no longer in the portal)") % {
        "kind": kind,
        "name": event.object_repr,
    }


def targets_described(events: Iterable) -> dict[int, str]:
    """{event pk: what it is about} for the events that are about an object; one query per
    kind of object, however many events."""
    events = [event for event in events if event.object_type]
    wanted = defaultdict(set)
    for event in events:
        if event.object_type in DESCRIPTIONS:
            wanted[event.object_type].add(event.object_id)
    found = {}
    for label, ids in wanted.items():
        model = apps.get_model(label)
        description = DESCRIPTIONS[label]
        for obj in model.objects.select_related(*description.related).filter(pk__in=ids):
            found[(label, str(obj.pk))] = description.describe(obj)
    return {
        event.pk: found.get((event.object_type, event.object_id)) or _gone(event)
        for event in events
    }
