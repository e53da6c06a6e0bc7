"""Reads made on every request, with their SQL built once per process.

Django builds a query's SQL anew each time it runs it. For the reads every logged-in request
makes (its session, its person, their authenticator) and the dashboard's (its snapshot, the
list of snapshots), building the SQL cost the worker more than PostgreSQL took to plan and
run it: 1.1 to 2.1 ms of the person's 1.9 to 3.7 ms, and the three reads of every request
together about as much as the whole login page.

A ``Prepared`` read builds its SQL from the ORM queryset the first time it runs on a
database, then runs that text with each call's values through the queryset's own machinery:
the same rows, model instances, related objects, annotations and conversions as the
queryset. Its values must be integers or strings, and reach the database as they are given,
not through the fields' preparation: a code a field would upper-case is given upper-cased (a
value the field changes otherwise fails the first run), and a date is compared in Python.
An integer beyond its column's range finds no rows, as the ORM answers a filter on one: give
such values to a read's filters only.

The SQL's parameters are found by building the queryset twice with different marker values:
a value not found where its markers differ (the ORM changed it, or folded it into the text)
fails that first run, loudly, not with wrong rows. The SQL is kept for the life of the
process: a schema change is deployed with new processes (docs/deployment.md).
"""

import copy
import secrets
import threading
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections, models

# Within the range of the smallest integer column (Django compiles a value out of a column's
# range to no rows at all), and apart: the two sets of markers never meet.
_INT_MARKERS = (31_001, 32_001)
# The ranges of PostgreSQL's integer types as psycopg names them; any other, 64 bits.
_LIMITS = {"Int2": 2**15, "Int4": 2**31, "Int8": 2**63}


class Prepared:
    def __init__(self, build: Callable[..., models.QuerySet], **kinds: type):
        """``build`` takes the read's values by keyword and returns its queryset;
        ``kinds`` gives each value's type, ``int`` or ``str``."""
        if any(kind not in (int, str) for kind in kinds.values()):
            raise TypeError("A prepared read takes integer or string values only")
        self.build = build
        self.kinds = kinds
        self._compiled: dict[str, tuple] = {}
        self._lock = threading.Lock()

    def _markers(self, base: int) -> dict:
        return {
            # Upper case, digits and a dash: what a field that normalises case (an office
            # code) leaves as it is.
            name: base + n if kind is int else f"PREPARED-{secrets.token_hex(12).upper()}"
            for n, (name, kind) in enumerate(self.kinds.items())
        }

    def _compile(self, using: str) -> tuple:
        # Built twice with different markers: a parameter that differs between the two is a
        # value of the call's, one that does not is a constant of the read.
        first, second = (self._markers(base) for base in _INT_MARKERS)
        queryset = self.build(**first).using(using)
        compiler = queryset.query.get_compiler(using)
        # Also sets what reading the rows needs: the columns, related objects, annotations.
        sql, params = compiler.as_sql()
        other_sql, other_params = (
            self.build(**second).using(using).query.get_compiler(using).as_sql()
        )
        if sql != other_sql or len(params) != len(other_params):
            raise ValueError("This read's SQL changes with its values: it cannot be prepared")
        names = {marker: name for name, marker in first.items()}
        positions = {}
        for position, (value, other) in enumerate(zip(params, other_params, strict=True)):
            if value == other:
                continue
            name = names.get(value)
            if name is None or second[name] != other:
                raise ValueError("A value reaches this read's SQL changed: it cannot be prepared")
            # PostgreSQL's integers come wrapped in the type of their column (Int2, Int4):
            # each call's value is wrapped the same way.
            limit = _LIMITS.get(type(value).__name__, 2**63) if self.kinds[name] is int else None
            positions[position] = (name, type(value), limit)
        for name in self.kinds:
            if all(found != name for found, _wrap, _limit in positions.values()):
                raise ValueError(f"{name!r} does not reach this read's SQL as a parameter")
        return queryset, compiler, sql, tuple(params), positions

    def _prepared(self, using: str) -> tuple:
        try:
            return self._compiled[using]
        except KeyError:
            with self._lock:
                if using not in self._compiled:
                    self._compiled[using] = self._compile(using)
                return self._compiled[using]

    def all(self, using: str = DEFAULT_DB_ALIAS, **values) -> list:
        """The rows for these values, as the queryset would give them."""
        queryset, compiler, sql, params, positions = self._prepared(using)
        if positions:
            params = list(params)
            for position, (name, wrap, limit) in positions.items():
                value = self.kinds[name](values[name])
                if limit is not None and not -limit <= value < limit:
                    # As the ORM answers a filter on a value beyond its column's range.
                    return []
                params[position] = wrap(value)
            params = tuple(params)
        # A compiler of this call's own whose SQL is the kept text with this call's values,
        # given to a copy of the queryset that is evaluated here and never handed out (a
        # queryset derived from it would carry the kept text, not its own).
        call = copy.copy(compiler)
        # This thread's connection, not the one the SQL was built on (a threaded server
        # gives each thread its own).
        call.connection = connections[using]
        call.as_sql = lambda *args, **kwargs: (sql, params)
        own = queryset._chain()
        own.query.get_compiler = lambda *args, **kwargs: call
        return list(own)

    def first(self, using: str = DEFAULT_DB_ALIAS, **values):
        found = self.all(using, **values)
        return found[0] if found else None
