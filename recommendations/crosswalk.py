"""How a framework version continues the one it was derived from, and the rule that carries
answers, figures and roadmaps across (docs/framework-evolution.md).

A crosswalk is a set of lines ``previous number -> new number`` (``None``: retired). What
each new recommendation is follows from the lines, so it cannot contradict them:

- **new**: no line leads to it;
- **same**: one previous recommendation leads to it and to nothing else (its number may
  differ: a renumbering);
- **merged**: several previous recommendations lead to it;
- **split**: its one previous recommendation leads to other new ones too.

The carrying rule, for an office's answers about the previous recommendations of one new
recommendation (``carry``):

- the status is the least advanced of theirs, the current level and the target the lowest
  (so a merge never claims more than the weakest part; the target stays at or above the
  level, since each part's does);
- "a current focus", "a big implementation challenge" and "discuss at future meetings" are
  yes if any part says yes; "a low priority" only if every part says so;
- the texts are kept, each headed by the number it comes from when there are several;
- a split gives each new recommendation the whole answer of its previous one;
- a new recommendation gets nothing: nobody answered it.

Everything here works on plain values (numbers and dicts), so that the KPI engine, the
form's "start from last year's answers" and the roadmap share one rule.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from portal.problems import Problem
from portal.templatetags.written_text import isolated

SAME, MERGED, SPLIT, NEW = "same", "merged", "split", "new"
RELATIONS = (SAME, MERGED, SPLIT, NEW)
# Least advanced first: a merge takes the first of these its parts have.
STATUS_ORDER = ("not_planned", "considering", "decided", "ongoing", "implemented")
ANY_FLAGS = ("focus", "challenge", "discuss")
ALL_FLAGS = ("low_priority",)
LEVEL_FIELDS = ("maturity_current", "maturity_target")


@dataclass(frozen=True)
class Crosswalk:
    """From framework ``old`` to framework ``new`` (their versions)."""

    old: str
    new: str
    # new number -> the previous numbers it continues (empty: a new recommendation)
    sources: dict[int, tuple[int, ...]]
    retired: tuple[int, ...] = ()
    composed: bool = False  # made by chaining the crosswalks of versions in between
    _targets: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        targets: dict[int, list[int]] = {}
        for number, previous in self.sources.items():
            for old in previous:
                targets.setdefault(old, []).append(number)
        self._targets.update({old: tuple(sorted(new)) for old, new in targets.items()})

    @property
    def is_identity(self) -> bool:
        return not self.retired and all(
            previous == (number,) for number, previous in self.sources.items()
        )

    def targets(self, old: int) -> tuple[int, ...]:
        """The new recommendations that continue previous recommendation ``old``."""
        return self._targets.get(old, ())

    def relation(self, number: int) -> str:
        previous = self.sources.get(number, ())
        if not previous:
            return NEW
        if len(previous) > 1:
            return MERGED
        return SPLIT if len(self.targets(previous[0])) > 1 else SAME

    def relations(self) -> dict[int, str]:
        return {number: self.relation(number) for number in sorted(self.sources)}

    def describe(self) -> dict:
        """The crosswalk as the KPI document and the API give it."""
        return {
            "from_framework": self.old,
            "to_framework": self.new,
            "composed": self.composed,
            "recommendations": [
                {
                    "number": number,
                    "relation": self.relation(number),
                    "previous": list(self.sources[number]),
                }
                for number in sorted(self.sources)
            ],
            "retired": list(self.retired),
        }

    def then(self, following: "Crosswalk") -> "Crosswalk":
        """This crosswalk followed by ``following`` (from this one's ``new`` onwards)."""
        sources = {
            number: tuple(
                sorted({old for middle in middles for old in self.sources.get(middle, ())})
            )
            for number, middles in following.sources.items()
        }
        reached = {old for previous in sources.values() for old in previous}
        every_old = {old for previous in self.sources.values() for old in previous}
        retired = tuple(sorted((every_old | set(self.retired)) - reached))
        return Crosswalk(self.old, following.new, sources, retired, composed=True)


def from_lines(
    old: str, new: str, new_numbers: Iterable[int], lines: Iterable[tuple[int, int | None]]
) -> Crosswalk:
    """The crosswalk ``lines`` (``(previous, new or None)``) draw from version ``old`` to
    version ``new``, whose recommendations are ``new_numbers``: one that no line leads to is
    new. A line to a number ``new`` lacks is left out (``problems`` says what is wrong)."""
    sources: dict[int, set[int]] = {number: set() for number in new_numbers}
    retired: set[int] = set()
    for previous, number in lines:
        if number is None:
            retired.add(previous)
        elif number in sources:
            sources[number].add(previous)
    return Crosswalk(
        old,
        new,
        {number: tuple(sorted(olds)) for number, olds in sources.items()},
        tuple(sorted(retired)),
    )


def identity(version: str, numbers: Iterable[int]) -> Crosswalk:
    return Crosswalk(version, version, {number: (number,) for number in numbers})


def _least_advanced(statuses: list[str]) -> str:
    known = [status for status in statuses if status in STATUS_ORDER]
    if not known:
        return ""
    return min(known, key=STATUS_ORDER.index)


def _lowest(values: list) -> int | None:
    known = [value for value in values if value is not None]
    return min(known) if known else None


def _flag(values: list, *, every: bool) -> bool | None:
    known = [value for value in values if value is not None]
    if not known:
        return None
    return all(known) if every else any(known)


def carry(parts: dict[int, dict], *, text_fields: Iterable[str] = ()) -> dict:
    """One office's answer to a new recommendation from its answers to the previous ones
    (``parts``: previous number -> answer fields). Fields absent from every part stay
    absent; with one part the answer is carried unchanged."""
    if len(parts) == 1:
        return dict(next(iter(parts.values())))
    answers = [parts[number] for number in sorted(parts)]
    names = {name for answer in answers for name in answer}
    carried: dict = {}
    if "status" in names:
        carried["status"] = _least_advanced([a.get("status") or "" for a in answers])
    for name in LEVEL_FIELDS:
        if name in names:
            carried[name] = _lowest([a.get(name) for a in answers])
    for name in ANY_FLAGS + ALL_FLAGS:
        if name in names:
            carried[name] = _flag([a.get(name) for a in answers], every=name in ALL_FLAGS)
    for name in text_fields:
        if name not in names:
            continue
        texts = [(number, (parts[number].get(name) or "").strip()) for number in sorted(parts)]
        texts = [(number, text) for number, text in texts if text]
        if len(texts) == 1:
            carried[name] = texts[0][1]
        else:
            carried[name] = "\n\n".join(f"[{number}] {text}" for number, text in texts)
        private = f"{name}_private"
        if private in names:
            carried[private] = any(parts[number].get(private) for number, _text in texts)
    return carried


def carry_office(
    crosswalk: Crosswalk, answers: dict[int, dict], *, text_fields: Iterable[str] = ()
) -> dict[int, dict]:
    """An office's answers (previous number -> fields) in the new numbering. A new
    recommendation, or one whose previous ones the office did not answer, is left out."""
    carried = {}
    for number, previous in crosswalk.sources.items():
        parts = {old: answers[old] for old in previous if old in answers}
        if parts:
            carried[number] = carry(parts, text_fields=text_fields)
    return carried


# --- Validation ------------------------------------------------------------------------------


def _listed(numbers: Iterable[int]) -> str:
    from portal.languages import text_list

    return text_list(sorted(numbers))


def problems(
    previous_numbers: Iterable[int] | None,
    new_numbers: Iterable[int],
    lines: Iterable[tuple[int, int | None]],
    *,
    place: str = "crosswalk",
) -> list[Problem]:
    """Everything wrong with ``lines`` (``(previous, new or None)``) as the crosswalk from a
    framework with ``previous_numbers`` to one with ``new_numbers``; ``previous_numbers``
    None: the framework is a first version, derived from none. The page, the exchange file
    and activating a framework all ask this one function:

    - a first version has no crosswalk;
    - every line names a recommendation of each framework, once;
    - every previous recommendation is accounted for: continued by at least one new
      recommendation, or retired, and a retired one has no other line;
    - no tangle: a new recommendation merged from several previous ones cannot share one of
      them with another new recommendation (that previous one would be split and merged at
      once, and the carrying rule could not say what each part carries).
    """
    lines = list(lines)
    found: list[Problem] = []
    if previous_numbers is None:
        if lines:
            found.append(
                Problem(
                    place,
                    _(
                        "This framework is derived from no other version: it has no "
                        "crosswalk. Remove the lines, or say which version it is derived from."
                    ),
                )
            )
        return found
    previous_numbers, new_numbers = set(previous_numbers), set(new_numbers)
    seen: dict[tuple, int] = {}
    continued: dict[int, list[int]] = {}  # previous -> new numbers
    retired: dict[int, int] = {}  # previous -> index of its line
    for index, (old, new) in enumerate(lines):
        where = f"{place}[{index}]"
        valid = True
        if old not in previous_numbers:
            found.append(
                Problem(
                    f"{where}.previous",
                    _("The previous version has no recommendation %(number)s.") % {"number": old},
                    recommendation=new,
                )
            )
            valid = False
        if new is not None and new not in new_numbers:
            found.append(
                Problem(
                    f"{where}.recommendation",
                    _("This version has no recommendation %(number)s.") % {"number": new},
                    previous=old,
                )
            )
            valid = False
        if not valid:
            continue
        if (old, new) in seen:
            found.append(
                Problem(
                    where,
                    _("The same line appears twice; the first is at %(place)s[%(index)d].")
                    % {"place": place, "index": seen[(old, new)]},
                    previous=old,
                    recommendation=new,
                )
            )
            continue
        seen[(old, new)] = index
        if new is None:
            retired[old] = index
        else:
            continued.setdefault(old, []).append(new)
    for old, index in sorted(retired.items()):
        if old in continued:
            found.append(
                Problem(
                    f"{place}[{index}]",
                    _(
                        "Previous recommendation %(number)s is retired and continued by "
                        "%(new)s at once: a retired recommendation has no other line."
                    )
                    % {"number": old, "new": _listed(continued[old])},
                    previous=old,
                )
            )
    for old in sorted(previous_numbers - set(continued) - set(retired)):
        found.append(
            Problem(
                place,
                _(
                    "Previous recommendation %(number)s is not accounted for: say which new "
                    "recommendation continues it, or retire it."
                )
                % {"number": old},
                previous=old,
            )
        )
    sources: dict[int, list[int]] = {}
    for old, news in continued.items():
        for new in news:
            sources.setdefault(new, []).append(old)
    for new, olds in sorted(sources.items()):
        if len(olds) < 2:
            continue
        shared = sorted(old for old in olds if len(continued[old]) > 1)
        if shared:
            others = sorted({other for old in shared for other in continued[old]} - {new})
            found.append(
                Problem(
                    place,
                    _(
                        "Recommendation %(number)s is merged from %(sources)s, but %(shared)s "
                        "also continues into %(others)s: a recommendation cannot be merged from "
                        "one that is split, since which answer each part carries would be "
                        "ambiguous. Merge whole recommendations, or split without merging."
                    )
                    % {
                        "number": new,
                        "sources": _listed(olds),
                        "shared": _listed(shared),
                        "others": _listed(others),
                    },
                    recommendation=new,
                )
            )
    return found


def lineage_problems(
    version: str, derived_from: str | None, parents: dict[str, str | None], *, place: str
) -> list[Problem]:
    """Whether ``version`` may be derived from ``derived_from``, given every other
    framework's parent (``parents``: version -> the version it is derived from): not from
    itself, nor from one of its own descendants (the crosswalks would go round in a loop)."""
    step, seen = derived_from, set()
    while step is not None and step not in seen:
        if step == version:
            message = (
                _("A framework cannot be derived from itself.")
                if derived_from == version
                else _(
                    "Framework %(parent)s is derived from %(version)s: %(version)s cannot be "
                    "derived from it in turn."
                )
                % {"parent": isolated(derived_from), "version": isolated(version)}
            )
            return [Problem(place, message)]
        seen.add(step)
        step = parents.get(step)
    return []
