"""WIPO Standard ST.3: the two-letter codes of states, other entities and organizations.

The list ships with the project (``data/st3.csv``) so that validation works offline and
reviews of a code change are a diff of a data file.
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "st3.csv"

# Where keys sit on a QWERTY keyboard: a mistyped letter is most often a neighbour.
_KEY_ROWS = ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")
_KEY_POSITION = {
    key: (row, column + row * 0.5)
    for row, keys in enumerate(_KEY_ROWS)
    for column, key in enumerate(keys)
}


@dataclass(frozen=True)
class ST3Entry:
    code: str
    name: str
    kind: str  # "state" or "organization"
    region: str

    @property
    def is_organization(self) -> bool:
        return self.kind == "organization"


@cache
def entries() -> dict[str, ST3Entry]:
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: ST3Entry(**row) for row in csv.DictReader(handle)}


def lookup(code: str) -> ST3Entry | None:
    return entries().get(code)


def _key_distance(a: str, b: str) -> float:
    if a not in _KEY_POSITION or b not in _KEY_POSITION:
        return 9.0
    (row_a, col_a), (row_b, col_b) = _KEY_POSITION[a], _KEY_POSITION[b]
    return abs(row_a - row_b) + abs(col_a - col_b)


def _initials(name: str) -> str:
    words = [word for word in name.replace("(", " ").split() if word[:1].isupper()]
    return "".join(word[0] for word in words).upper()


def closest_codes(value: str, limit: int = 3) -> list[ST3Entry]:
    """The valid codes a person most probably meant by ``value``, best first."""
    text = value.strip()
    upper = text.upper()
    scored: list[tuple[float, str]] = []
    for code, entry in entries().items():
        name = entry.name.upper()
        if len(upper) != 2:
            # Someone typed a name ("Australia") rather than a code.
            if upper and name.startswith(upper):
                scored.append((0, code))
            elif len(upper) >= 3 and upper in name:
                scored.append((1, code))
            continue
        if code == upper:
            scored.append((0, code))
        elif code == upper[::-1]:
            scored.append((1, code))
        elif _initials(entry.name).startswith(upper) or name.startswith(upper):
            scored.append((1.5, code))
        else:
            differing = [(a, b) for a, b in zip(code, upper, strict=True) if a != b]
            if len(differing) == 1:
                scored.append((2 + _key_distance(*differing[0]), code))
    scored.sort()
    return [entries()[code] for _score, code in scored[:limit]]


def validate_st3_code(value: str) -> None:
    if value in entries():
        return
    if value.upper() in entries():
        raise ValidationError(
            _("ST.3 codes are written in capitals: %(code)s.") % {"code": value.upper()},
            code="st3_case",
        )
    suggestions = closest_codes(value)
    if suggestions:
        hint = ", ".join(f"{entry.code} ({entry.name})" for entry in suggestions)
        message = _("“%(value)s” is not a WIPO ST.3 code. Did you mean %(hint)s?") % {
            "value": value,
            "hint": hint,
        }
    else:
        message = _("“%(value)s” is not a WIPO ST.3 code.") % {"value": value}
    raise ValidationError(message, code="st3_unknown")
