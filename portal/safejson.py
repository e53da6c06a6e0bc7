"""JSON read from outside (API bodies, exchange files) with a bound on its nesting.

Python's decoder recurses once per level: a document nested a few thousand deep ends in a
RecursionError, an answer 500 instead of a clear refusal. No document the portal reads is
more than a handful of levels deep, so anything deeper is refused before decoding.
"""

import json
import re

MAX_DEPTH = 32

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class TooDeep(ValueError):
    def __init__(self, max_depth: int):
        super().__init__(f"nested more than {max_depth} levels deep")
        self.max_depth = max_depth


def check_depth(text: str, max_depth: int = MAX_DEPTH) -> None:
    """Raises ``TooDeep`` if ``text`` opens more than ``max_depth`` arrays or objects inside
    each other (brackets inside strings do not count)."""
    depth = 0
    for bracket in _BRACKET.finditer(_STRING.sub("", text)):
        if bracket.group() in "[{":
            depth += 1
            if depth > max_depth:
                raise TooDeep(max_depth)
        else:
            depth -= 1


def loads(text: str, max_depth: int = MAX_DEPTH, **options):
    """``json.loads``, refusing documents nested more than ``max_depth`` deep (``TooDeep``)."""
    check_depth(text, max_depth)
    return json.loads(text, **options)
