"""What of the aggregates an office may see: never anything from which the answers of fewer
than five other offices can be worked out.

Every page, PDF and API answer that an office user can reach takes its peer figures from
here (``office_view``), never from the live snapshot that co-leads and the secretariat read.

The rules, and why each is needed:

1. **Published, not live.** Offices read a *publication*: a stored copy of the figures of
   each group (all respondents, each region, each office type), with the offices and the
   version of each office's submission that every group's figures were computed from (its
   *contributions*). A new publication is made when the live submissions differ from *every*
   earlier publication of the cycle in at least ``MIN_GROUP`` offices (``should_publish``):
   an office that submitted, resubmitted, was reopened or withdrawn counts as one changed
   office, whatever it did. Comparing against every earlier publication, not only the last,
   is what defeats a reopening followed by a resubmission: the states before and after can
   never be a few offices apart. The first publication waits for ``MIN_GROUP`` respondents,
   or for the cycle to close (or to be imported closed), so that a small survey still says
   what it shows. Closing republishes under the same step rule: fewer than ``MIN_GROUP``
   changes since a publication are never published to offices.

2. **Each group moves in steps too** (``carry_forward``). Five offices changing in the whole
   cycle may be one office in a region: that region's figures would then isolate it between
   two publications. A group whose live contributions differ from any earlier publication of
   it in 1 to ``MIN_GROUP - 1`` offices keeps its last published figures.

3. **Primary suppression.** The viewing office knows its own answers (every version of
   them), so a group is shown to it only when at least ``MIN_GROUP`` offices *other than
   itself* are in it: a group of five that includes the viewer would give it the total of
   the four others by subtraction.

4. **Secondary suppression, over any dimension and over time** (``office_view``). Two
   figures that the same office can see are compared by their contributions: the offices,
   the viewer aside, whose contribution is in one figure and not in the other (absent, or
   at another version). Subtracting one figure from the other gives exactly the aggregate
   of those offices' answers (or of the change of them), so there must be none or at least
   ``MIN_GROUP`` of them. This covers a complement within a parent ("all" minus "national"
   gives "regional"), the same group read in two publications, and any mix of the two. The
   figures of the latest publication are decided in a fixed order (all, region, type); a
   figure is hidden when it is too close to any figure shown before it, in this publication
   or in an earlier one (an office may have read and kept those). Hiding a figure never
   reveals anything, so the rule is applied to the earlier publications the same way, to
   know what the office could have seen. Within one publication, sums of three figures are
   checked the same way: where a region and a type cross (an organization that the
   secretariat placed in a region of states), region + type - all gives the offices in
   both. An office's groups are otherwise nested (its region within its type within all),
   and for nested figures every sum reduces to the differences of two.

5. **Target attainment rests on its own set of offices** (``attainment_view``): per
   recommendation, the offices *measured* (a target above their level last cycle, and a
   level this cycle), a set of its own, often much smaller than the group of respondents.
   Each set is stored with the publication as a group is (``attainment_key``), with a
   contribution naming both submissions it rests on (last cycle's and this one's), so that
   rules 2 to 4 apply to it unchanged: it moves in steps of at least ``MIN_GROUP`` offices
   (``carry_forward``), it is shown only with at least ``MIN_GROUP`` measured offices
   besides the viewer, and never when it differs from a reading of the same recommendation
   the office could have taken before in fewer than ``MIN_GROUP`` offices. Sets are
   compared only with the same recommendation's: an attainment share subtracted from an
   adoption share, or from another recommendation's, gives nobody's answer. Only the set of
   all measured offices is published (a region's or a type's would almost never reach five),
   and not the share pooled over every recommendation: subtracted from the shown ones, it
   would give the hidden ones. A set rests on last cycle's submissions too: when they
   change, the set is published anew under the same step (``attainment_moved``), though
   this cycle's respondents did not move.

Co-leads and the secretariat read the live snapshot (``kpi.models.KpiSnapshot``); nothing
here applies to them.
"""

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

MIN_GROUP = 5

ALL = "all"
SHOWN = ""
SMALL = "small"
COMPLEMENT = "complement"
CHANGE = "change"
UNPUBLISHED = "unpublished"

# Why a figure is hidden, in the words the office reads.
REASONS = {
    SMALL: _(
        "Fewer than %(count)s offices besides yours are in this group: its figures are not "
        "shown, so that no office’s answers can be worked out."
    ),
    COMPLEMENT: _(
        "Hidden because it would reveal a smaller group: subtracted from another figure shown "
        "here, it would give the answers of fewer than %(count)s offices."
    ),
    CHANGE: _(
        "Hidden because, compared with figures published earlier, it would reveal the answers "
        "of fewer than %(count)s offices that submitted or changed them since."
    ),
    UNPUBLISHED: _(
        "Not published yet: figures for offices are first published once at least %(count)s "
        "offices have submitted, or when the cycle closes."
    ),
}

Contributions = dict[str, str]  # office id -> which submission of it (assessment and version)


def region_key(region: str) -> str:
    return f"region/{region}"


def type_key(office_type: str) -> str:
    return f"type/{office_type}"


def attainment_key(number: int) -> str:
    return f"attainment/{number}"


def is_attainment_key(key: str) -> bool:
    return key.startswith("attainment/")


def office_keys(office) -> list[str]:
    """The groups an office is compared with, in the order their figures are decided."""
    return [ALL, region_key(office.region), type_key(office.office_type)]


def group_members(offices: dict[str, dict]) -> dict[str, Contributions]:
    """Each group's contributions, from ``office id -> {region, office_type, token}``."""
    groups: dict[str, Contributions] = {ALL: {}}
    for office, meta in offices.items():
        for key in (ALL, region_key(meta["region"]), type_key(meta["office_type"])):
            groups.setdefault(key, {})[office] = meta["token"]
    return groups


def differing(first: Contributions, second: Contributions, viewer: str | None = None) -> set[str]:
    """The offices (the viewer aside) whose contribution is in one and not in the other."""
    offices = {office for office, _token in first.items() ^ second.items()}
    offices.discard(viewer)
    return offices


def safe_step(first: Contributions, second: Contributions, viewer: str | None = None) -> bool:
    """Whether subtracting one from the other gives nothing, or at least MIN_GROUP offices."""
    return not 0 < len(differing(first, second, viewer)) < MIN_GROUP


def should_publish(live: Contributions, earlier: Sequence[Contributions], *, closed: bool) -> bool:
    """Whether the live submissions may be published to offices (rule 1)."""
    if not earlier:
        return len(live) >= MIN_GROUP or (closed and bool(live))
    return all(differing(live, before) and safe_step(live, before) for before in earlier)


def attainment_moved(
    live: dict[str, Contributions], earlier: Sequence[dict[str, Contributions]]
) -> bool:
    """Whether a set of measured offices (rule 5) is to be published anew though the
    respondents did not move enough for rule 1: it rests on last cycle's submissions too,
    which change (a resubmission, a withdrawn target) while this cycle's stay. Then a set
    that differs from its latest publication, and that ``carry_forward`` would publish
    fresh, makes a publication of its own; every group of it is decided as always."""
    if not earlier:
        return False
    keys = {key for key in set(live).union(*earlier) if is_attainment_key(key)}
    return any(
        live.get(key, {}) != earlier[-1].get(key, {})
        and all(safe_step(live.get(key, {}), before.get(key, {})) for before in earlier)
        for key in keys
    )


def carry_forward(
    live: dict[str, Contributions], earlier: Sequence[dict[str, Contributions]]
) -> dict[str, bool]:
    """For each group, whether its live figures are published (True) or its last published
    ones are kept (False) (rule 2)."""
    keys = set(live).union(*earlier) if earlier else set(live)
    fresh = {}
    for key in keys:
        now = live.get(key, {})
        fresh[key] = all(safe_step(now, before.get(key, {})) for before in earlier)
    return fresh


@dataclass(frozen=True)
class Decision:
    key: str
    reason: str  # SHOWN, or why the figure is hidden

    @property
    def shown(self) -> bool:
        return self.reason == SHOWN


def involved(terms: Iterable[tuple[int, Contributions]], viewer: str | None = None) -> set[str]:
    """The offices (the viewer aside) whose contribution is left, with a coefficient other
    than zero, in the sum of ``sign * figure`` over ``terms``: what that sum gives away."""
    net: dict[tuple[str, str], int] = {}
    for sign, group in terms:
        for contribution in group.items():
            net[contribution] = net.get(contribution, 0) + sign
    return {office for (office, _token), value in net.items() if value and office != viewer}


def _reveals(terms, viewer: str) -> bool:
    return 0 < len(involved(terms, viewer)) < MIN_GROUP


def decide(
    publications: Iterable[dict[str, Contributions]], *, viewer: str, keys: Sequence[str]
) -> list[list[Decision]]:
    """What ``viewer`` sees of each publication, oldest first (rules 3 and 4)."""
    seen: list[Contributions] = []  # every figure shown to the viewer so far
    decided = []
    for members in publications:
        shown_before = len(seen)
        now: list[Contributions] = []  # shown in this publication
        decisions = []
        for key in keys:
            group = members.get(key, {})
            if len(set(group) - {viewer}) < MIN_GROUP:
                decisions.append(Decision(key, SMALL))
                continue
            clash = next(
                (i for i, other in enumerate(seen) if _reveals([(1, group), (-1, other)], viewer)),
                None,
            )
            if clash is not None:
                decisions.append(Decision(key, CHANGE if clash < shown_before else COMPLEMENT))
                continue
            # Where a region and a type cross (an organization placed in a region of
            # states), region + type - all gives the offices in both.
            if any(
                _reveals([(1, group), (first, one), (second, other)], viewer)
                for one, other in itertools.combinations(now, 2)
                for first, second in ((1, -1), (-1, 1), (-1, -1))
            ):
                decisions.append(Decision(key, COMPLEMENT))
                continue
            decisions.append(Decision(key, SHOWN))
            now.append(group)
            if group not in seen:
                seen.append(group)
        decided.append(decisions)
    return decided


def reason_text(reason: str) -> str:
    return str(REASONS[reason]) % {"count": MIN_GROUP} if reason else ""


@dataclass
class PeerFigures:
    """One group as an office may see it: its figures, or None and why."""

    key: str
    figures: dict | None
    reason: str

    @property
    def note(self) -> str:
        return reason_text(self.reason)


@dataclass
class OfficeView:
    """The peer figures of one cycle as one office may see them."""

    published_at: object  # datetime of the publication, None before the first
    respondents: int | None  # offices the published figures of all respondents rest on
    groups: list[PeerFigures]

    def group(self, key: str) -> PeerFigures:
        return next(group for group in self.groups if group.key == key)


def office_view(publications: Sequence, office) -> OfficeView:
    """What ``office`` may see of a cycle, from its publications (oldest first; each with
    ``members``, and the latest with ``figures``, ``published_at`` and ``respondents``)."""
    keys = office_keys(office)
    if not publications:
        return OfficeView(None, None, [PeerFigures(key, None, UNPUBLISHED) for key in keys])
    latest = publications[-1]
    decisions = decide(
        (publication.members for publication in publications), viewer=str(office.pk), keys=keys
    )[-1]
    return OfficeView(
        published_at=latest.published_at,
        respondents=latest.respondents,
        groups=[
            PeerFigures(
                decision.key,
                latest.figures.get(decision.key) if decision.shown else None,
                decision.reason,
            )
            for decision in decisions
        ],
    )


def attainment_view(
    publications: Sequence, office, numbers: Iterable[int]
) -> dict[int, PeerFigures]:
    """By recommendation number, the target attainment of the measured offices as ``office``
    may see it (rule 5): each recommendation's set decided alone, over every publication."""
    if not publications:
        return {
            number: PeerFigures(attainment_key(number), None, UNPUBLISHED) for number in numbers
        }
    latest = publications[-1]
    viewer = str(office.pk)
    shown = {}
    for number in numbers:
        key = attainment_key(number)
        decision = decide(
            ({key: publication.members.get(key, {})} for publication in publications),
            viewer=viewer,
            keys=[key],
        )[-1][0]
        shown[number] = PeerFigures(
            key, latest.figures.get(key) if decision.shown else None, decision.reason
        )
    return shown
