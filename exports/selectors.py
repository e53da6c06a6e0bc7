from dataclasses import dataclass, field

from django.shortcuts import get_object_or_404

from assessments.models import Cycle
from exports.models import ExportJob
from exports.output import submitted_versions


def job_for(user, pk: int) -> ExportJob:
    """The job, if this person may see it; anyone else gets a 404 that confirms nothing."""
    return get_object_or_404(
        ExportJob.objects.for_user(user).select_related("cycle", "office", "requested_by"),
        pk=pk,
    )


@dataclass
class AnnexChanges:
    """How the answers differ from those the cycle's last annex was built from."""

    annex: ExportJob | None
    changed: list[str] = field(default_factory=list)  # resubmitted since
    added: list[str] = field(default_factory=list)  # submitted since
    removed: list[str] = field(default_factory=list)  # reopened since

    @property
    def any(self) -> bool:
        return bool(self.changed or self.added or self.removed)


def annex_changes(cycle: Cycle) -> AnnexChanges:
    annex = (
        ExportJob.objects.filter(cycle=cycle, kind=ExportJob.Kind.ANNEX, state=ExportJob.State.DONE)
        .order_by("-finished_at", "-pk")
        .first()
    )
    if annex is None:
        return AnnexChanges(annex=None)
    now, _hash = submitted_versions(cycle)
    then = annex.answers
    return AnnexChanges(
        annex=annex,
        changed=sorted(code for code in now.keys() & then.keys() if now[code] != then[code]),
        added=sorted(now.keys() - then.keys()),
        removed=sorted(then.keys() - now.keys()),
    )
