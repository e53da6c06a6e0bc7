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
