"""Typed conditions, as `compile` leaves them: names resolved, literals converted.

A condition is a small tree over one decision's attributes. Values are plain
Python: `int`/`Decimal` for numbers and money (money in the attribute's one
currency), `datetime.date`, `bool`, `str` for text and enum members. A bool
attribute on its own (`when budgeted`) is `Cmp(attr, "==", True)`.

`predicate()` turns a condition into a closure for the evaluator; `holds()` is
the slow, direct reading used by tests and analysis.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Mapping, Union

Value = Union[int, Decimal, date, bool, str]

ORDER_OPS = ("<", "<=", ">", ">=")
OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}
NEGATED_OP = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}


@dataclass(frozen=True, slots=True)
class AttrSpec:
    """One attribute of a decision: its type, enum members, default and currency."""

    name: str
    kind: str  # money | number | bool | text | date | enum | person
    members: tuple[str, ...] = ()
    has_default: bool = False
    default: Value | None = None
    currency: str | None = None
    needs_code: bool = False
    """Money whose limits carry a code in a charter with no `currency` line: a request's amount must say
    its currency (`"250 EUR"`); a bare number would be in the charter's currency, and there is none."""
    derived: tuple[str, str] | None = None
    """A fact about `me` (Part II §12), not given by a caller: `(person attribute, relation)`, the relation
    `is`, `reports_to` or `under`. Named as the charter writes it (`claimant is me`), it is a yes/no the
    engine works out when a person asks, so every stage reads it like any other bool attribute."""

    @property
    def given(self) -> bool:
        """Does a caller give it (every attribute but a fact about `me`)?"""
        return self.derived is None

    @property
    def required(self) -> bool:
        return not self.has_default


@dataclass(frozen=True, slots=True)
class Cmp:
    attr: str
    op: str
    value: Value


@dataclass(frozen=True, slots=True)
class In:
    attr: str
    values: frozenset[Value]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class All:
    items: tuple["Cond", ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple["Cond", ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: "Cond"


Cond = Union[Cmp, In, All, AnyOf, Not]

TRUE: Cond = All(())
FALSE: Cond = AnyOf(())


def conj(*items: Cond) -> Cond:
    """`a and b and …`, flattening nested ands and dropping `true`."""
    flat: list[Cond] = []
    for item in items:
        if isinstance(item, All):
            flat.extend(item.items)
        else:
            flat.append(item)
    if len(flat) == 1:
        return flat[0]
    return All(tuple(flat))


def holds(cond: Cond, attrs: Mapping[str, Value]) -> bool:
    """Does the condition hold for these (complete, validated) attribute values?"""
    if isinstance(cond, Cmp):
        return OPS[cond.op](attrs[cond.attr], cond.value)
    if isinstance(cond, In):
        return (attrs[cond.attr] in cond.values) != cond.negated
    if isinstance(cond, All):
        return all(holds(c, attrs) for c in cond.items)
    if isinstance(cond, AnyOf):
        return any(holds(c, attrs) for c in cond.items)
    if isinstance(cond, Not):
        return not holds(cond.item, attrs)
    raise TypeError(f"not a condition: {cond!r}")  # pragma: no cover


def predicate(cond: Cond) -> Callable[[Mapping[str, Value]], bool]:
    """A closure equivalent to `holds(cond, ·)`, built once, fast to call."""
    if isinstance(cond, Cmp):
        op, attr, value = OPS[cond.op], cond.attr, cond.value
        if cond.op == "==" and value is True:
            return lambda a: a[attr] is True
        if cond.op == "==" and value is False:
            return lambda a: a[attr] is False
        return lambda a: op(a[attr], value)
    if isinstance(cond, In):
        attr, values = cond.attr, cond.values
        if cond.negated:
            return lambda a: a[attr] not in values
        return lambda a: a[attr] in values
    if isinstance(cond, All):
        parts = tuple(predicate(c) for c in cond.items)
        if not parts:
            return lambda a: True
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2:
            p, q = parts
            return lambda a: p(a) and q(a)
        return lambda a: all(p(a) for p in parts)
    if isinstance(cond, AnyOf):
        parts = tuple(predicate(c) for c in cond.items)
        if not parts:
            return lambda a: False
        if len(parts) == 1:
            return parts[0]
        return lambda a: any(p(a) for p in parts)
    if isinstance(cond, Not):
        inner = predicate(cond.item)
        return lambda a: not inner(a)
    raise TypeError(f"not a condition: {cond!r}")  # pragma: no cover


def attributes_of(cond: Cond) -> set[str]:
    """The attribute names a condition reads."""
    if isinstance(cond, (Cmp, In)):
        return {cond.attr}
    if isinstance(cond, (All, AnyOf)):
        out: set[str] = set()
        for c in cond.items:
            out |= attributes_of(c)
        return out
    return attributes_of(cond.item)
