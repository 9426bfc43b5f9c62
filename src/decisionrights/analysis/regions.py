"""Exact condition algebra: the set of requests a condition admits, as boxes.

A `Region` is a set of requests for one decision, written as a union of
*boxes*. A box constrains every attribute independently:

- number and money: a union of intervals over the rationals (dense: there is
  an amount strictly between 5 and 6), ends open or closed, maybe unbounded;
- date: a union of day ranges (discrete: `d > 2027-01-01` is `d >= 2027-01-02`);
- enum and bool: a subset of the finite set of members;
- text: a finite set of strings, or everything except a finite set.

Every per-attribute set has one canonical form, so two sets compare equal
exactly when they hold the same values. Regions compare semantically: two
regions are equal when they admit the same requests, however they are cut
into boxes. Nothing here samples or guesses; emptiness, inclusion and
equality are decided exactly.

`Region.render()` writes a region back in the charter language
(`amount > 25k and amount <= 30k and category != travel`), and
`Region.to_cond()` gives the condition tree that text stands for.
"""

from __future__ import annotations

import math
import re
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from types import MappingProxyType

from ..compile.conditions import (
    NEGATED_OP,
    All,
    AnyOf,
    AttrSpec,
    Cmp,
    Cond,
    In,
    Not,
    Value,
    conj,
)
from ..values import BadValue, format_number, parse_number

__all__ = ["MAX_BOXES", "MAX_STEPS", "OutOfSteps", "Region", "TooComplex", "budget", "render_condition"]

MAX_BOXES = 512
"""Most boxes one region may take. Conditions like `(a or b) and (c or d) and …` double the boxes with
each clause; past this bound the analysis says so instead of running for minutes."""


MAX_STEPS = 1_000_000
"""The least work budget of one analysis (see `budget`), in steps: a cut swept, a pair of boxes compared."""


class TooComplex(ValueError):
    """A condition or combination of conditions too complex to analyse exactly within MAX_BOXES,
    or an analysis that ran out of its work budget."""


class OutOfSteps(TooComplex):
    """An analysis ran out of its work budget (see `budget`)."""


_local = threading.local()
"""Per thread: `left`, the steps the running analysis may still take (absent or None: no budget)."""


@contextmanager
def budget(steps: int = MAX_STEPS) -> Iterator[None]:
    """Run the region operations inside under a budget of `steps`; past it they raise `TooComplex`.

    Each operation spends in proportion to its work (the cuts it sweeps, the
    box pairs it compares), so an analysis under a budget takes time in
    proportion to the budget at most. Inside a running budget, a new one
    changes nothing: the outer analysis keeps its own count.
    """
    if getattr(_local, "left", None) is not None:
        yield
        return
    _local.left, _local.steps = steps, steps
    try:
        yield
    finally:
        _local.left = None


def spend(steps: int) -> None:
    left = getattr(_local, "left", None)
    if left is not None:
        left -= steps
        _local.left = left
        if left < 0:
            _local.left = 0  # stays spent: every later operation of this analysis fails at once
            raise OutOfSteps(f"the analysis would take more than {_local.steps:,} steps")

# -- ordered sets: cuts -------------------------------------------------------
#
# A set of numbers (or days) is a strictly increasing tuple of *cuts*, read in
# pairs: [start, end). A cut sits between values: `(0, v, 0)` just below `v`,
# `(0, v, 1)` just above it; `(-1, 0, 0)` and `(1, 0, 0)` are minus and plus
# infinity. So `x >= 5` is `((0, 5, 0), +inf)`, `x < 5` is `(-inf, (0, 5, 0))`
# and `x == 5` is `((0, 5, 0), (0, 5, 1))`. The form is canonical: no empty
# pairs, touching pairs merged. Days use whole ordinals and only cuts
# `(0, day, 0)` (just above day d is just below day d + 1), within the range
# of Python's dates.

Cut = tuple[int, Fraction | int, int]
Cuts = tuple[Cut, ...]

NEG_INF: Cut = (-1, 0, 0)
POS_INF: Cut = (1, 0, 0)
_FIRST_DAY = date.min.toordinal()
_LAST_DAY = date.max.toordinal()
_DAYS: Cuts = ((0, _FIRST_DAY, 0), (0, _LAST_DAY + 1, 0))
_REALS: Cuts = (NEG_INF, POS_INF)
_MONEY: Cuts = ((0, Fraction(0), 0), POS_INF)
"""Money is never negative (a request with a negative amount is refused), so its universe is [0, ∞)."""

_REFERENCE_DAY = date(2027, 1, 1).toordinal()
"""The day `sample()` picks when a date is free to be anything, clamped into range."""


def _combine(a: Cuts, b: Cuts, keep: Callable[[bool, bool], bool]) -> Cuts:
    """The canonical cuts of {x : keep(x in a, x in b)}, by one sweep over both."""
    spend(len(a) + len(b) + 4)  # a sweep costs about as much as four cuts before it starts
    out: list[Cut] = []
    i = j = 0
    in_a = in_b = inside = False
    while i < len(a) or j < len(b):
        if j >= len(b) or (i < len(a) and a[i] < b[j]):
            cut = a[i]
            in_a, i = not in_a, i + 1
        elif i >= len(a) or b[j] < a[i]:
            cut = b[j]
            in_b, j = not in_b, j + 1
        else:
            cut = a[i]
            in_a, in_b, i, j = not in_a, not in_b, i + 1, j + 1
        now = keep(in_a, in_b)
        if now != inside:
            out.append(cut)
            inside = now
    return tuple(out)


def _and(x: bool, y: bool) -> bool:
    return x and y


def _or(x: bool, y: bool) -> bool:
    return x or y


def _minus(x: bool, y: bool) -> bool:
    return x and not y


def _cuts_contain(cuts: Cuts, point: Fraction | int) -> bool:
    """Is the value inside? (An odd number of cuts lies below it.)"""
    return bisect_right(cuts, (0, point, 0)) % 2 == 1


def _atom_cuts(op: str, value: Fraction | int) -> Cuts:
    """The cuts of `x OP value` over the reals."""
    below, above = (0, value, 0), (0, value, 1)
    return {
        "<": (NEG_INF, below), "<=": (NEG_INF, above),
        ">": (above, POS_INF), ">=": (below, POS_INF),
        "==": (below, above), "!=": (NEG_INF, below, above, POS_INF),
    }[op]


def _as_days(cuts: Cuts) -> Cuts:
    """Real cuts over whole ordinals → day cuts (`just above d` = `just below d+1`), clipped."""
    moved = tuple(c if c[0] or not c[2] else (0, c[1] + 1, 0) for c in cuts)
    return _combine(moved, _DAYS, _and)


def _point_cuts(points: Iterable[Fraction | int], days: bool) -> Cuts:
    """The cuts of a finite set of values (consecutive days become one range)."""
    out: list[Cut] = []
    for p in sorted(set(points)):
        start, end = ((0, p, 0), (0, p + 1, 0)) if days else ((0, p, 0), (0, p, 1))
        if out and out[-1] == start:
            out[-1] = end
        else:
            out.extend((start, end))
    cuts = tuple(out)
    return _combine(cuts, _DAYS, _and) if days else cuts


# -- per-attribute sets -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ordered:
    """A set of numbers (dense) or days (discrete), as canonical cuts."""

    cuts: Cuts
    days: bool
    money: bool = False  # an amount of money: never below zero

    def universe(self) -> Cuts:
        return _DAYS if self.days else _MONEY if self.money else _REALS

    def is_empty(self) -> bool:
        return not self.cuts

    def is_full(self) -> bool:
        return self.cuts == self.universe()

    def __and__(self, other: _Ordered) -> _Ordered:
        return _Ordered(_combine(self.cuts, other.cuts, _and), self.days, self.money)

    def __or__(self, other: _Ordered) -> _Ordered:
        return _Ordered(_combine(self.cuts, other.cuts, _or), self.days, self.money)

    def __sub__(self, other: _Ordered) -> _Ordered:
        return _Ordered(_combine(self.cuts, other.cuts, _minus), self.days, self.money)

    def __le__(self, other: _Ordered) -> bool:
        return not _combine(self.cuts, other.cuts, _minus)

    def contains(self, value: object) -> bool:
        return _cuts_contain(self.cuts, _ordinal(value) if self.days else _rational(value))

    def intervals(self) -> list[tuple[Cut, Cut]]:
        """The (start, end) cut pairs, lowest first."""
        return [(self.cuts[k], self.cuts[k + 1]) for k in range(0, len(self.cuts), 2)]


@dataclass(frozen=True, slots=True)
class _Finite:
    """A subset of a finite universe: enum members, or {False, True} for a bool."""

    values: frozenset[Value]
    members: tuple[Value, ...]

    def is_empty(self) -> bool:
        return not self.values

    def is_full(self) -> bool:
        return len(self.values) == len(self.members)

    def __and__(self, other: _Finite) -> _Finite:
        return _Finite(self.values & other.values, self.members)

    def __or__(self, other: _Finite) -> _Finite:
        return _Finite(self.values | other.values, self.members)

    def __sub__(self, other: _Finite) -> _Finite:
        return _Finite(self.values - other.values, self.members)

    def __le__(self, other: _Finite) -> bool:
        return self.values <= other.values

    def contains(self, value: object) -> bool:
        if self.members and isinstance(self.members[0], bool) and not isinstance(value, bool):
            return False  # 1 == True in Python; a bool attribute holds only bools
        return value in self.values

    def ordered(self) -> list[Value]:
        """The members in the set, in declaration order."""
        return [m for m in self.members if m in self.values]


@dataclass(frozen=True, slots=True)
class _Text:
    """A set of strings: `values` itself, or (co-finite) everything except `values`."""

    values: frozenset[str]
    cofinite: bool

    def is_empty(self) -> bool:
        return not self.cofinite and not self.values

    def is_full(self) -> bool:
        return self.cofinite and not self.values

    def __and__(self, other: _Text) -> _Text:
        a, b = self, other
        if a.cofinite and b.cofinite:
            return _Text(a.values | b.values, True)
        if a.cofinite:
            a, b = b, a
        return _Text(a.values - b.values if b.cofinite else a.values & b.values, False)

    def __or__(self, other: _Text) -> _Text:
        return ~(~self & ~other)

    def __sub__(self, other: _Text) -> _Text:
        return self & ~other

    def __invert__(self) -> _Text:
        return _Text(self.values, not self.cofinite)

    def __le__(self, other: _Text) -> bool:
        return (self - other).is_empty()

    def contains(self, value: object) -> bool:
        return (value in self.values) != self.cofinite


Part = _Ordered | _Finite | _Text
Box = tuple[Part, ...]


def _rational(value: object) -> Fraction | int:
    """An exact rational for a number or money value (never a float, never a bool).

    Whole numbers stay `int` (cheaper than `Fraction`, and equal to it in every comparison).
    """
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, Fraction)):
        raise TypeError(f"{value!r} is not a number")
    if isinstance(value, int):
        return value
    q = Fraction(value)
    return q.numerator if q.denominator == 1 else q


def _ordinal(value: object) -> int:
    if not isinstance(value, date):
        raise TypeError(f"{value!r} is not a date")
    return value.toordinal()


def _to_number(value: Fraction | int) -> int | Decimal:
    """A rational with a finite decimal expansion → `int`, or the exact `Decimal`."""
    q = Fraction(value)
    if q.denominator == 1:
        return q.numerator
    twos = fives = 0
    d = q.denominator
    while d % 2 == 0:
        d, twos = d // 2, twos + 1
    while d % 5 == 0:
        d, fives = d // 5, fives + 1
    if d != 1:
        raise ValueError(f"{q} has no finite decimal form")
    places = max(twos, fives)
    scaled = q.numerator * 10**places // q.denominator
    return Decimal(f"{scaled}E-{places}")  # built from text: exact, never rounded


# -- the attribute space ------------------------------------------------------


class _Space:
    """The attributes of one decision, in order, with their full sets."""

    def __init__(self, key: tuple[tuple[str, AttrSpec], ...]):
        self.key = key
        self.names: tuple[str, ...] = tuple(name for name, _ in key)
        self.specs: tuple[AttrSpec, ...] = tuple(spec for _, spec in key)
        self.index: dict[str, int] = {name: i for i, name in enumerate(self.names)}
        self.attrs: Mapping[str, AttrSpec] = MappingProxyType(dict(key))
        self.full: Box = tuple(_full_part(spec) for spec in self.specs)

    def position(self, name: str) -> int:
        """The index of an attribute; a readable KeyError for an undeclared one."""
        try:
            return self.index[name]
        except KeyError:
            raise KeyError(f"the condition reads `{name}`, which the decision does not declare") from None


@lru_cache(maxsize=1024)
def _space_for(key: tuple[tuple[str, AttrSpec], ...]) -> _Space:
    return _Space(key)


_last_space: list[tuple[Mapping[str, AttrSpec], _Space]] = []


def _space(attrs: Mapping[str, AttrSpec]) -> _Space:
    """The space of these attributes, shared by every region over equal attributes.

    The last mapping seen is remembered: comparing its items by identity is far
    cheaper than hashing every `AttrSpec` again for each condition of a decision.
    """
    items = tuple(attrs.items())
    if _last_space:
        seen, space = _last_space[0]
        if seen is attrs and items == space.key:
            return space
    space = _space_for(items)
    _last_space[:] = [(attrs, space)]
    return space


_ORDER_KINDS = {"number", "money", "date"}
_EQUALITY_OPS = {"==", "!="}


def _full_part(spec: AttrSpec) -> Part:
    if spec.kind == "money":
        return _Ordered(_MONEY, days=False, money=True)
    if spec.kind == "number":
        return _Ordered(_REALS, days=False)
    if spec.kind == "date":
        return _Ordered(_DAYS, days=True)
    if spec.kind == "bool":
        return _Finite(frozenset((False, True)), (False, True))
    if spec.kind == "enum":
        return _Finite(frozenset(spec.members), tuple(spec.members))
    if spec.kind in ("text", "person"):  # a person is named by text; conditions only speak of it through `me`
        return _Text(frozenset(), cofinite=True)
    raise ValueError(f"unknown attribute kind `{spec.kind}` for `{spec.name}`")


def _clip(part: _Ordered, spec: AttrSpec) -> _Ordered:
    """An amount of money is never negative: its sets hold only amounts from zero up."""
    if spec.kind != "money":
        return part
    return _Ordered(_combine(part.cuts, _MONEY, _and), False, money=True)


def _invert(part: Part, full: Part) -> Part:
    """The complement of a set within its attribute's universe."""
    return full - part  # type: ignore[operator]


def _cmp_part(spec: AttrSpec, full: Part, op: str, value: Value) -> Part:
    """The set of values `x` of this attribute for which `x OP value`."""
    if spec.kind in _ORDER_KINDS:
        days = spec.kind == "date"
        cuts = _atom_cuts(op, _ordinal(value) if days else _rational(value))
        return _clip(_Ordered(_as_days(cuts) if days else cuts, days), spec)
    if op not in _EQUALITY_OPS:
        raise ValueError(f"`{spec.name}` is {spec.kind}: it supports only == and !=, not {op}")
    if isinstance(full, _Text):
        if not isinstance(value, str):
            raise TypeError(f"`{spec.name}` is text; {value!r} is not")
        return _Text(frozenset((value,)), cofinite=op == "!=")
    assert isinstance(full, _Finite)
    single = _Finite(frozenset(m for m in full.members if _same(m, value)), full.members)
    return single if op == "==" else full - single


def _same(member: Value, value: Value) -> bool:
    """Equality that keeps bools apart from numbers (`True == 1` in Python)."""
    return type(member) is type(value) and member == value


def _in_part(spec: AttrSpec, full: Part, values: Iterable[Value], negated: bool) -> Part:
    """The set of values of this attribute that are (or, negated, are not) in `values`."""
    values = tuple(values)
    part: Part
    if spec.kind in _ORDER_KINDS:
        days = spec.kind == "date"
        points = [_ordinal(v) if days else _rational(v) for v in values]
        part = _clip(_Ordered(_point_cuts(points, days), days), spec)
    elif isinstance(full, _Text):
        texts = tuple(v for v in values if isinstance(v, str))
        if len(texts) != len(values):
            raise TypeError(f"`{spec.name}` is text; {values!r} holds other values")
        part = _Text(frozenset(texts), cofinite=False)
    else:
        assert isinstance(full, _Finite)
        part = _Finite(frozenset(m for m in full.members if any(_same(m, v) for v in values)),
                       full.members)
    return _invert(part, full) if negated else part


# -- boxes --------------------------------------------------------------------


def _box_and(a: Box, b: Box) -> Box | None:
    """The intersection of two boxes, or None when it is empty."""
    out: list[Part] = []
    for x, y in zip(a, b):
        if x is y or x == y:
            part = x
        else:
            part = x & y  # type: ignore[operator]
            if part.is_empty():
                return None
        out.append(part)
    return tuple(out)


def _box_le(a: Box, b: Box) -> bool:
    return all(x is y or x <= y for x, y in zip(a, b))  # type: ignore[operator]


def _box_minus(a: Box, b: Box) -> list[Box]:
    """a − b as disjoint boxes: outside b on the first attribute, else inside it and outside on the next…"""
    if _box_and(a, b) is None:
        return [a]
    pieces: list[Box] = []
    rest = list(a)
    for i, (x, y) in enumerate(zip(a, b)):
        if x is y or x <= y:  # type: ignore[operator]
            continue
        outside = x - y  # type: ignore[operator]
        if not outside.is_empty():
            pieces.append(tuple(rest[:i]) + (outside,) + tuple(rest[i + 1:]))
        rest[i] = x & y  # type: ignore[operator]
    return pieces


def _box_contains(box: Box, values: Sequence[object]) -> bool:
    return all(part.contains(v) for part, v in zip(box, values))


_QUADRATIC_LIMIT = 200
"""Above this many boxes, skip the pairwise steps of `_simplify` (results stay exact, only longer)."""


def _simplify(boxes: Iterable[Box]) -> tuple[Box, ...]:
    """A shorter union of the same set: no duplicates, neighbours merged, covered boxes dropped.

    Not a minimal cover: each step is cheap and only ever shortens the rendering.
    """
    current = list(boxes)
    if len(current) <= 1:
        return tuple(current)
    for box in current:
        if all(part.is_full() for part in box):
            return (box,)  # everything: nothing else needs saying
    current = _merge_neighbours(list(dict.fromkeys(current)))
    for _ in range(3):
        if len(current) > _QUADRATIC_LIMIT:
            break
        current, widened = _widen(current)
        current = _absorb(current)
        if not widened:
            break
        current = _merge_neighbours(list(dict.fromkeys(current)))
    return tuple(current)


def _weight(part: Part) -> int:
    """How much a set costs to write down: its finite bounds, or the values it lists."""
    if isinstance(part, _Ordered):
        floor = _MONEY[0] if part.money else None  # zero, the least amount, is never written
        return sum(1 for cut in part.cuts if cut[0] == 0 and cut not in _DAYS and cut != floor)
    if isinstance(part, _Finite):
        return min(len(part.values), len(part.members) - len(part.values))
    return len(part.values)


def _widen(boxes: list[Box]) -> tuple[list[Box], bool]:
    """Loosen one attribute of a box where another box already covers what that adds.

    If box b lies inside box a on every attribute but i, then b with b[i] ∪ a[i]
    adds only requests inside a. Done only when the looser set is simpler to
    write: `amount > 25k or (amount <= 25k and category == travel)` becomes
    `amount > 25k or category == travel`.
    """
    out = list(boxes)
    changed = False
    spend(len(out) * len(out))
    for k in range(len(out)):
        for j in range(len(out)):
            if j == k:
                continue
            b, a = out[k], out[j]
            i = _only_outside(b, a)
            if i is None:
                continue
            wider = b[i] | a[i]  # type: ignore[operator]
            if _weight(wider) < _weight(b[i]):
                out[k] = b[:i] + (wider,) + b[i + 1:]
                changed = True
    return out, changed


def _only_outside(b: Box, a: Box) -> int | None:
    """The one attribute on which b is not inside a; None when there is none or more than one."""
    found = None
    for i, (x, y) in enumerate(zip(b, a)):
        if not (x is y or x <= y):  # type: ignore[operator]
            if found is not None:
                return None
            found = i
    return found


def _merge_neighbours(boxes: list[Box]) -> list[Box]:
    """Until nothing changes: boxes equal on all attributes but one become one box."""
    if not boxes:
        return boxes
    width = len(boxes[0])
    changed = True
    while changed and len(boxes) > 1:
        changed = False
        for i in range(width):
            spend(len(boxes))
            groups: dict[Box, int] = {}
            merged: list[Box] = []
            for box in boxes:
                key = box[:i] + box[i + 1:]
                at = groups.get(key)
                if at is None:
                    groups[key] = len(merged)
                    merged.append(box)
                else:
                    old = merged[at]
                    merged[at] = old[:i] + (old[i] | box[i],) + old[i + 1:]  # type: ignore[operator]
                    changed = True
            boxes = merged
    return boxes


def _absorb(boxes: list[Box]) -> list[Box]:
    """Drop every box contained in another (the larger one, or the earlier of equals, stays)."""
    kept: list[Box] = []
    spend(len(boxes) * len(boxes))
    for k, box in enumerate(boxes):
        inside = any(j != k and _box_le(box, other) and (j < k or not _box_le(other, box))
                     for j, other in enumerate(boxes))
        if not inside:
            kept.append(box)
    return kept


# -- the region ---------------------------------------------------------------


class Region:
    """A set of requests for one decision: a union of boxes over its attributes.

    Build one with `Region.from_cond`, `Region.everything` or `Region.nothing`;
    combine with `&`, `|`, `-`, `~`; compare with `<=` (subset) and `==` (the
    same requests, whatever the boxes). Regions are immutable.
    """

    __slots__ = ("_boxes", "_space")

    def __init__(self, space: _Space, boxes: Iterable[Box]):
        """Internal: use the class methods. `boxes` must hold no empty part."""
        self._space = space
        self._boxes: tuple[Box, ...] = _simplify(_bounded(boxes))

    # -- construction -------------------------------------------------------

    @classmethod
    def everything(cls, attrs: Mapping[str, AttrSpec]) -> Region:
        """Every request: each attribute free to take any value of its type."""
        space = _space(attrs)
        return cls(space, [space.full])

    @classmethod
    def nothing(cls, attrs: Mapping[str, AttrSpec]) -> Region:
        """No request at all."""
        return cls(_space(attrs), [])

    @classmethod
    def from_cond(cls, cond: Cond, attrs: Mapping[str, AttrSpec]) -> Region:
        """The requests for which `cond` holds, exactly."""
        space = _space(attrs)
        return cls(space, _boxes_of(cond, space, negate=False))

    # -- algebra ------------------------------------------------------------

    def _check(self, other: object) -> Region:
        if not isinstance(other, Region):
            raise TypeError(f"cannot combine a region with {type(other).__name__}")
        if other._space is not self._space and other._space.key != self._space.key:
            raise ValueError("the regions are over different attributes")
        return other

    def __and__(self, other: Region) -> Region:
        other = self._check(other)
        spend(len(self._boxes) * len(other._boxes))
        boxes = [box for a in self._boxes for b in other._boxes
                 if (box := _box_and(a, b)) is not None]
        return Region(self._space, boxes)

    def __or__(self, other: Region) -> Region:
        other = self._check(other)
        return Region(self._space, self._boxes + other._boxes)

    def __sub__(self, other: Region) -> Region:
        other = self._check(other)
        return Region(self._space, _minus_all(self._boxes, other._boxes))

    def __invert__(self) -> Region:
        return Region(self._space, _minus_all((self._space.full,), self._boxes))

    def is_empty(self) -> bool:
        """True when no request lies in the region (every stored box is non-empty)."""
        return not self._boxes

    def is_everything(self) -> bool:
        """True when every request lies in the region."""
        return (~self).is_empty()

    def __le__(self, other: Region) -> bool:
        """Subset: every request in `self` is in `other`."""
        other = self._check(other)
        spend(len(self._boxes) * len(other._boxes))
        for box in self._boxes:
            if any(_box_le(box, b) for b in other._boxes):
                continue
            if _minus_all((box,), other._boxes):
                return False
        return True

    def __ge__(self, other: Region) -> bool:
        return self._check(other) <= self

    def __lt__(self, other: Region) -> bool:
        return self <= other and not other <= self

    def __gt__(self, other: Region) -> bool:
        return self._check(other) < self

    def __eq__(self, other: object) -> bool:
        """The same requests, however either region is cut into boxes."""
        if not isinstance(other, Region):
            return NotImplemented
        if other._space.key != self._space.key:
            return False
        return self._boxes == other._boxes or (self <= other <= self)

    def __hash__(self) -> int:
        return hash(self._space.key)  # equal regions share attributes; boxes may differ

    # -- reading ------------------------------------------------------------

    @property
    def attrs(self) -> Mapping[str, AttrSpec]:
        """The decision's attributes this region ranges over, in order."""
        return self._space.attrs

    def contains(self, attrs: Mapping[str, Value]) -> bool:
        """Does this request (one value per attribute; defaults fill the gaps) lie inside?"""
        values = [_value_of(attrs, name, spec) for name, spec in self._space.key]
        return any(_box_contains(box, values) for box in self._boxes)

    def __contains__(self, attrs: Mapping[str, Value]) -> bool:
        return self.contains(attrs)

    def sample(self) -> dict[str, Value] | None:
        """One concrete request inside, with a value for every attribute; None when empty.

        Values are chosen to read well: a limit's own value when it is
        included (`amount <= 30k` → 30k), else a round number strictly inside,
        the first enum member, a default when the attribute is free.
        """
        if not self._boxes:
            return None
        box = self._boxes[0]
        return {name: _sample_part(part, spec)
                for name, spec, part in zip(self._space.names, self._space.specs, box)}

    def to_cond(self) -> Cond:
        """A condition that holds exactly for the requests in this region."""
        boxes = [_box_cond(box, self._space) for box in self._boxes]
        if len(boxes) == 1:
            return boxes[0]
        flat: list[Cond] = []
        for cond in boxes:
            flat.extend(cond.items if isinstance(cond, AnyOf) else (cond,))
        return AnyOf(tuple(flat))

    def render(self, currency: str | None = None) -> str:
        """The region as a `when` condition a team lead can read (`true`, `false` at the ends).

        `currency` is the charter's currency: money in another currency is
        written with its code (`250k USD`); without it, amounts stay bare.
        """
        return render_condition(self.to_cond(), self._space.attrs, currency)

    def __iter__(self) -> Iterator[Region]:
        """The region's boxes, each as a region of its own."""
        for box in self._boxes:
            yield Region(self._space, [box])

    def __len__(self) -> int:
        """How many boxes the region is stored as (not a count of requests)."""
        return len(self._boxes)

    def __bool__(self) -> bool:
        """True when the region holds at least one request."""
        return bool(self._boxes)

    def __repr__(self) -> str:
        return f"Region({self.render()!r})"


def _value_of(attrs: Mapping[str, Value], name: str, spec: AttrSpec) -> Value:
    if name in attrs:
        return attrs[name]
    if spec.has_default:
        return spec.default  # type: ignore[return-value]
    raise KeyError(f"the request has no value for `{name}`")


def _minus_all(boxes: Iterable[Box], holes: Iterable[Box]) -> list[Box]:
    """Every box minus every hole, as boxes."""
    current = list(boxes)
    for hole in holes:
        if not current:
            break
        spend(len(current))
        current = [piece for box in current for piece in _box_minus(box, hole)]
    return current


# -- from conditions ----------------------------------------------------------


def _boxes_of(cond: Cond, space: _Space, negate: bool) -> list[Box]:
    """The boxes of `cond` (or of `not cond`), pushing negation down to the atoms."""
    if isinstance(cond, (Cmp, In)):
        box = _atom_box(cond, space, negate)
        return [] if box is None else [box]
    if isinstance(cond, Not):
        return _boxes_of(cond.item, space, not negate)
    if isinstance(cond, (All, AnyOf)):
        conjunction = isinstance(cond, All) != negate
        if conjunction:
            return _conjunction(cond.items, space, negate)
        return [box for item in cond.items for box in _boxes_of(item, space, negate)]
    raise TypeError(f"not a condition: {cond!r}")


def _atom_box(cond: Cmp | In, space: _Space, negate: bool) -> Box | None:
    """A box constraining one attribute, or None when it admits nothing."""
    i = space.position(cond.attr)
    part = _atom_part(cond, space, i, negate)
    if part.is_empty():
        return None
    return space.full[:i] + (part,) + space.full[i + 1:]


def _atom_part(cond: Cmp | In, space: _Space, i: int, negate: bool) -> Part:
    """The set of values of attribute `i` that satisfy an atom (or its negation)."""
    try:
        return _atom_part_cached(cond, _value_types(cond), space, i, negate)
    except TypeError:  # an unhashable value: let the uncached path raise the readable error
        return _atom_part_uncached(cond, space.specs[i], space.full[i], negate)


def _value_types(cond: Cmp | In) -> object:
    """Part of the cache key: `1 == True` in Python, but an atom on 1 is not an atom on True."""
    if isinstance(cond, Cmp):
        return type(cond.value)
    return frozenset(type(v) for v in cond.values)


@lru_cache(maxsize=65536)
def _atom_part_cached(cond: Cmp | In, types: object, space: _Space, i: int, negate: bool) -> Part:
    """Charters repeat their limits; each distinct atom becomes a set once (spaces hash by identity)."""
    return _atom_part_uncached(cond, space.specs[i], space.full[i], negate)


def _atom_part_uncached(cond: Cmp | In, spec: AttrSpec, full: Part, negate: bool) -> Part:
    if isinstance(cond, Cmp):
        op = NEGATED_OP[cond.op] if negate else cond.op
        return _cmp_part(spec, full, op, cond.value)
    return _in_part(spec, full, cond.values, cond.negated != negate)


def _conjunction(items: Sequence[Cond], space: _Space, negate: bool) -> list[Box]:
    """The boxes of `a and b and …`: atoms narrow one box directly; the rest intersect."""
    parts = list(space.full)
    atoms: dict[int, list[Part]] = {}
    others: list[Cond] = []
    for item in items:
        if isinstance(item, (Cmp, In)):
            i = space.position(item.attr)
            atoms.setdefault(i, []).append(_atom_part(item, space, i, negate))
        else:
            others.append(item)
    for i, found in atoms.items():
        part = _intersect(found)
        if part.is_empty():
            return []
        parts[i] = part
    boxes: list[Box] = [tuple(parts)]
    for item in others:
        inner = _simplify(_boxes_of(item, space, negate))
        spend(len(boxes) * len(inner))
        boxes = [box for a in boxes for b in inner if (box := _box_and(a, b)) is not None]
        if not boxes:
            return []
        boxes = list(_simplify(_bounded(boxes)))
    return boxes


def _intersect(parts: list[Part]) -> Part:
    """The intersection of one attribute's sets, paired off in rounds (so `a != 1 and a != 2 and …`
    over n values sweeps about n log n cuts, not n²); the result is canonical, whatever the order."""
    while len(parts) > 1:
        paired = [parts[k] & parts[k + 1] for k in range(0, len(parts) - 1, 2)]  # type: ignore[operator]
        if len(parts) % 2:
            paired.append(parts[-1])
        if any(part.is_empty() for part in paired):
            return next(part for part in paired if part.is_empty())
        parts = paired
    return parts[0]


def _bounded(boxes: Iterable[Box]) -> list[Box]:
    """The boxes, or `TooComplex` when there are more than MAX_BOXES of them."""
    out = boxes if isinstance(boxes, list) else list(boxes)
    if len(out) > MAX_BOXES * 2:  # before simplifying, allow room for boxes it will merge
        raise TooComplex(f"the conditions combine into more than {MAX_BOXES} separate cases")
    return out


# -- samples ------------------------------------------------------------------


def _sample_part(part: Part, spec: AttrSpec) -> Value:
    """A pleasant value inside a non-empty set."""
    free = part.is_full() or not isinstance(part, _Ordered)  # a default never hides a limit's value
    if free and spec.has_default and spec.default is not None and part.contains(spec.default):
        return spec.default
    if isinstance(part, _Finite):
        return part.ordered()[0]
    if isinstance(part, _Text):
        return _sample_text(part)
    if part.days:
        return date.fromordinal(_sample_day(part))
    return _to_number(_sample_number(part))


def _sample_text(part: _Text) -> str:
    if not part.cofinite:
        return min(part.values)
    candidate, n = "other", 1
    while candidate in part.values:
        n += 1
        candidate = f"other {n}"
    return candidate


def _sample_day(part: _Ordered) -> int:
    """The reference day clamped into the first range that reaches it (or the last range)."""
    pairs = part.intervals()
    start, end = next(((s, e) for s, e in pairs if e[1] - 1 >= _REFERENCE_DAY), pairs[-1])
    return max(int(start[1]), min(int(end[1]) - 1, _REFERENCE_DAY))


def _sample_number(part: _Ordered) -> Fraction:
    """A round number in the highest interval: its top if included, else near the middle."""
    start, end = part.intervals()[-1]
    if part.money and start == _MONEY[0]:
        start = NEG_INF  # from zero up: pick as if unbounded below (`amount < 250k` → 200k, not 0)
    lo = None if start[0] else Fraction(start[1])
    hi = None if end[0] else Fraction(end[1])
    lo_closed, hi_closed = start[2] == 0, end[2] == 1
    if hi is not None and hi_closed:
        return hi
    if lo is not None and hi is not None:
        return _roundest_between(lo, lo_closed, hi, hi_closed)
    if lo is not None:
        return lo if lo_closed else _round_above(lo)
    if hi is not None:
        return _round_below(hi)
    return Fraction(0)


def _magnitude(x: Fraction) -> int:
    """k with 10**k <= |x| < 10**(k+1), for x != 0."""
    x = abs(x)
    k = len(str(x.numerator)) - len(str(x.denominator))
    while Fraction(10) ** k > x:
        k -= 1
    while Fraction(10) ** (k + 1) <= x:
        k += 1
    return k


def _roundest_between(lo: Fraction, lo_closed: bool, hi: Fraction, hi_closed: bool) -> Fraction:
    """The multiple of the largest power of ten inside the interval, nearest its middle (ties up)."""
    middle = (lo + hi) / 2
    k = _magnitude(max(abs(lo), abs(hi))) + 1
    while True:
        step = Fraction(10) ** k
        first, last = math.ceil(lo / step), math.floor(hi / step)
        if first * step == lo and not lo_closed:
            first += 1
        if last * step == hi and not hi_closed:
            last -= 1
        if first <= last:
            return min(max(math.floor(middle / step + Fraction(1, 2)), first), last) * step
        k -= 1


def _round_above(x: Fraction) -> Fraction:
    """A round number strictly above x: 0 when x < 0, else the next step of x's magnitude."""
    if x < 0:
        return Fraction(0)
    if x == 0:
        return Fraction(1)
    step = Fraction(10) ** _magnitude(x)
    return (math.floor(x / step) + 1) * step


def _round_below(x: Fraction) -> Fraction:
    """A round number strictly below x (250k → 200k, 100k → 90k, 0 → -1)."""
    if x <= 0:
        return -_round_above(-x)
    step = Fraction(10) ** _magnitude(x)
    value = (math.ceil(x / step) - 1) * step
    if value <= 0:
        step /= 10
        value = (math.ceil(x / step) - 1) * step
    return value


# -- back to conditions -------------------------------------------------------


def _box_cond(box: Box, space: _Space) -> Cond:
    """The conjunction of the constrained attributes of one box (`true` if none is)."""
    parts = [_part_cond(part, name, spec)
             for part, (name, spec) in zip(box, space.key) if not part.is_full()]
    return conj(*parts) if parts else All(())


def _part_cond(part: Part, name: str, spec: AttrSpec) -> Cond:
    """A condition on one attribute that holds exactly for the values in `part` (not full)."""
    if isinstance(part, _Text):
        return _membership(name, sorted(part.values), negated=part.cofinite)
    if isinstance(part, _Finite):
        return _finite_cond(part, name, spec)
    return _ordered_cond(part, name)


def _membership(name: str, values: Sequence[Value], negated: bool) -> Cond:
    """`x == v`, `x != v`, `x in [..]` or `x not in [..]`."""
    if len(values) == 1:
        return Cmp(name, "!=" if negated else "==", values[0])
    return In(name, frozenset(values), negated)


def _finite_cond(part: _Finite, name: str, spec: AttrSpec) -> Cond:
    """`flag`, `not flag`; for an enum whichever of `in` / `not in` lists fewer members."""
    inside = part.ordered()
    if spec.kind == "bool":
        return Cmp(name, "==", inside[0])
    outside = [m for m in part.members if m not in part.values]
    if len(outside) < len(inside):
        return _membership(name, outside, negated=True)
    return _membership(name, inside, negated=False)


@dataclass(frozen=True, slots=True)
class _Run:
    """Intervals separated only by single missing values: a hull with holes."""

    lo: Fraction | int | None
    lo_closed: bool
    hi: Fraction | int | None
    hi_closed: bool
    holes: tuple[Fraction | int, ...] = ()

    def is_point(self) -> bool:
        return self.lo is not None and self.lo == self.hi


def _runs(part: _Ordered) -> list[_Run]:
    """The set as runs: an interval joins the run before it when only one value lies between.

    Two single values stay apart, so `{1, 3}` reads `in [1, 3]`, not a range with a hole.
    """
    runs: list[_Run] = []
    for start, end in part.intervals():
        run = _Run(*_bounds(start, end, part.days, floor=part.money))
        prev = runs[-1] if runs else None
        if prev is not None and prev.hi is not None and run.lo is not None \
                and not (prev.is_point() and run.is_point()):
            hole = prev.hi + 1 if part.days else prev.hi
            if run.lo == (prev.hi + 2 if part.days else prev.hi):
                runs[-1] = _Run(prev.lo, prev.lo_closed, run.hi, run.hi_closed, prev.holes + (hole,))
                continue
        runs.append(run)
    return runs


def _bounds(start: Cut, end: Cut, days: bool,
            floor: bool = False) -> tuple[Fraction | int | None, bool, Fraction | int | None, bool]:
    """(lo, lo included, hi, hi included) of one interval; None where it is unbounded.

    With `floor` (money), an interval from zero included has no lower bound to write: zero is the least amount.
    """
    if floor and start == _MONEY[0]:
        start = NEG_INF
    if days:
        lo = None if start[1] == _FIRST_DAY else int(start[1])
        hi = None if end[1] == _LAST_DAY + 1 else int(end[1]) - 1
        return lo, True, hi, True
    lo_value = None if start[0] else start[1]
    hi_value = None if end[0] else end[1]
    return lo_value, start[2] == 0, hi_value, end[2] == 1


def _ordered_cond(part: _Ordered, name: str) -> Cond:
    """Runs become `x >= lo and x < hi and x != h`; single values gather into one `x in [..]`."""
    value: Callable[[Fraction | int], Value] = (
        date.fromordinal if part.days else _to_number)  # type: ignore[assignment]
    missing = _Ordered(_combine(part.universe(), part.cuts, _minus), part.days, part.money)
    gaps = _day_runs(missing)
    if gaps and all(run.is_point() for run in gaps):  # all but a few values: `x not in [..]`
        return _membership(name, [value(run.lo) for run in gaps], negated=True)  # type: ignore[arg-type]
    runs = _day_runs(part)
    points = [value(run.lo) for run in runs if run.is_point()]  # type: ignore[arg-type]
    pieces: list[Cond] = []
    placed = False
    for run in runs:
        if not run.is_point():
            pieces.append(_run_cond(run, name, value))
        elif not placed:
            pieces.append(_membership(name, points, negated=False))
            placed = True
    return pieces[0] if len(pieces) == 1 else AnyOf(tuple(pieces))


def _day_runs(part: _Ordered) -> list[_Run]:
    """`_runs`, with two-day ranges split into single days."""
    runs = _runs(part)
    if part.days:
        runs = [piece for run in runs for piece in _short_days_apart(run)]
    return runs


def _short_days_apart(run: _Run) -> list[_Run]:
    """Two days in a row read better as `in [d1, d2]` than as a range."""
    if run.lo is not None and run.hi is not None and not run.holes and run.hi == run.lo + 1:
        return [_Run(run.lo, True, run.lo, True), _Run(run.hi, True, run.hi, True)]
    return [run]


def _run_cond(run: _Run, name: str, value: Callable[[Fraction | int], Value]) -> Cond:
    parts: list[Cond] = []
    if run.lo is not None:
        parts.append(Cmp(name, ">=" if run.lo_closed else ">", value(run.lo)))
    if run.hi is not None:
        parts.append(Cmp(name, "<=" if run.hi_closed else "<", value(run.hi)))
    if run.holes:
        parts.append(_membership(name, [value(h) for h in run.holes], negated=True))
    return conj(*parts)


# -- rendering ----------------------------------------------------------------


def render_condition(cond: Cond, attrs: Mapping[str, AttrSpec], currency: str | None = None) -> str:
    """A typed condition in charter syntax, parenthesised only where it helps reading.

    `currency` is the charter's currency; money attributes in another one
    carry their code. `true` and `false` stand for the empty `and` / `or`.
    """
    return _render(cond, attrs, currency)


def _render(cond: Cond, attrs: Mapping[str, AttrSpec], currency: str | None) -> str:
    if isinstance(cond, Cmp):
        return _render_cmp(cond, attrs[cond.attr], currency)
    if isinstance(cond, In):
        spec = attrs[cond.attr]
        listed = ", ".join(_literal(v, spec, currency) for v in _sorted_values(cond.values, spec))
        return f"{cond.attr} {'not in' if cond.negated else 'in'} [{listed}]"
    if isinstance(cond, Not):
        inner = cond.item
        if isinstance(inner, Cmp) and attrs[inner.attr].kind == "bool":
            return _render_cmp(Cmp(inner.attr, NEGATED_OP[inner.op], inner.value), attrs[inner.attr], currency)
        text = _render(inner, attrs, currency)
        return f"not {text}" if isinstance(inner, (Cmp, In, Not)) else f"not ({text})"
    if isinstance(cond, All):
        if not cond.items:
            return "true"
        return " and ".join(_child(c, attrs, currency, AnyOf) for c in _flatten(cond.items, All))
    if isinstance(cond, AnyOf):
        if not cond.items:
            return "false"
        return " or ".join(_child(c, attrs, currency, All) for c in _flatten(cond.items, AnyOf))
    raise TypeError(f"not a condition: {cond!r}")


def _flatten(items: Sequence[Cond], kind: type[All | AnyOf]) -> list[Cond]:
    """Nested `and`s inside an `and` (or `or`s inside an `or`) read as one list."""
    out: list[Cond] = []
    for item in items:
        if isinstance(item, (All, AnyOf)) and isinstance(item, kind) and item.items:
            out.extend(_flatten(item.items, kind))
        else:
            out.append(item)
    return out


def _child(cond: Cond, attrs: Mapping[str, AttrSpec], currency: str | None,
           wrap: type[All | AnyOf]) -> str:
    """A child of `and`/`or`, in parentheses when it is a many-part node of kind `wrap`."""
    text = _render(cond, attrs, currency)
    if isinstance(cond, (All, AnyOf)) and isinstance(cond, wrap) and len(cond.items) > 1:
        return f"({text})"
    return text


def _render_cmp(cond: Cmp, spec: AttrSpec, currency: str | None) -> str:
    if spec.kind == "bool" and isinstance(cond.value, bool) and cond.op in _EQUALITY_OPS:
        if (cond.op == "==") == cond.value:
            return cond.attr
        if spec.derived is not None and spec.derived[1] == "is":  # a fact about `me`, as the charter writes it
            return f"{spec.derived[0]} is not me"
        return f"not ({cond.attr})" if spec.derived is not None else f"not {cond.attr}"
    return f"{cond.attr} {cond.op} {_literal(cond.value, spec, currency)}"


def _sorted_values(values: Iterable[Value], spec: AttrSpec) -> list[Value]:
    """Enum members in declaration order; other values in their natural order."""
    if spec.kind == "enum":
        order = {m: k for k, m in enumerate(spec.members)}
        return sorted(values, key=lambda v: (order.get(str(v), len(order)), str(v)))
    return sorted(values)


def _literal(value: Value, spec: AttrSpec, currency: str | None) -> str:
    """A value as the charter language writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value if spec.kind in ("enum", "person") else _quote(value)
    text = _number_text(value)
    if spec.kind == "money" and spec.currency and currency and spec.currency != currency:
        return f"{text} {spec.currency}"
    return text


def _number_text(value: int | Decimal) -> str:
    """`format_number` (250000 → `250k`), checked to read back exactly; plain digits if not."""
    try:
        text = format_number(value)
        if parse_number(text) == value:
            return text
    except (BadValue, ArithmeticError):
        pass
    if isinstance(value, Decimal):
        plain = format(value, "f")
        return plain.rstrip("0").rstrip(".") if "." in plain else plain
    return str(value)


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}


def _quote(text: str) -> str:
    """A text literal: double quotes, with backslash escapes the parser reads back."""
    return '"' + re.sub(r'[\\"\n\t]', lambda m: _ESCAPES[m.group(0)], text) + '"'
