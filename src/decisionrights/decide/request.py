"""Checking what a caller asks: every attribute declared, present and of its type.

A bad request raises `InvalidRequest`; it is never answered, so never `allowed`.
"""

from __future__ import annotations

import math
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Callable, Container, Mapping

from ..compile.conditions import AttrSpec, Value
from ..errors import InvalidRequest
from ..values import MAX_DIGITS, BadValue, format_number, normalize, parse_date, parse_money, parse_number

Validator = Callable[[Mapping[str, Any]], dict[str, Value]]

_TOO_BIG = 10 ** MAX_DIGITS
"""Numbers at or beyond this size are refused: no limit is written that large, and they cost time to print."""


def _bounded(decision: str, attr: AttrSpec, value: Any) -> Any:
    if -_TOO_BIG < value < _TOO_BIG:
        return value
    raise InvalidRequest(f"`{attr.name}` of `{decision}` has more than {MAX_DIGITS} digits; "
                         f"no amount that large can be compared")


def _number(decision: str, attr: AttrSpec, value: Any) -> Value:
    given = value
    value = _number_value(decision, attr, value)
    if attr.kind == "money" and value < 0:
        raise InvalidRequest(f"`{attr.name}` of `{decision}` is an amount of money, so it cannot be negative "
                             f"({value}); a limit like `<= 2k` says nothing about amounts below zero")
    if attr.needs_code and (type(given) is not str or parse_money_code(given) is None):
        raise InvalidRequest(
            f"`{attr.name}` of `{decision}` is money in {attr.currency}, but the charter names no currency of its "
            f"own, so {show(given)} says no currency; give the amount with its code, like "
            f"'{format_number(value)} {attr.currency}'")
    return value


def _number_value(decision: str, attr: AttrSpec, value: Any) -> Value:
    kind = type(value)
    if kind is int:
        return _bounded(decision, attr, value)
    if kind is float:
        if math.isfinite(value):
            # The number a person typed: 0.3 is 0.3, not the binary fraction just below it.
            return _bounded(decision, attr, normalize(Decimal(repr(value))))
        raise InvalidRequest(f"`{attr.name}` of `{decision}` must be a finite number, not {value!r}")
    if kind is Decimal:
        if value.is_finite():
            return _bounded(decision, attr, value)
        raise InvalidRequest(f"`{attr.name}` of `{decision}` must be a finite number, not {value!r}")
    if kind is str:
        try:
            if attr.kind == "money":
                amount, code = parse_money(value)
                expected = attr.currency
                if code is not None and code != expected:
                    where = f"its limits are in {expected}" if expected else "the charter names no currency for it"
                    raise InvalidRequest(
                        f"`{attr.name}` of `{decision}` is given in {code}, but {where}; convert it first")
                return amount
            return parse_number(value)
        except BadValue as exc:
            raise InvalidRequest(f"`{attr.name}` of `{decision}`: {exc}") from None
    what = "money (a number, or text like '250k EUR')" if attr.kind == "money" else "a number"
    raise InvalidRequest(f"`{attr.name}` of `{decision}` is {what}, not {show(value)}")


def parse_money_code(text: str) -> str | None:
    """The currency code written in a money text (`"250k EUR"` → `EUR`), None when none is (or it is no amount)."""
    try:
        return parse_money(text)[1]
    except BadValue:
        return None


def show(value: Any) -> str:
    if isinstance(value, str):
        return f"`{value[:60]}`" if len(value) <= 60 else f"`{value[:57]}...`"
    try:
        text = repr(value)
    except Exception:  # a caller's object whose repr fails is still only a wrong value
        text = "(unprintable)"
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _convert(decision: str, attr: AttrSpec, value: Any) -> Value:
    kind = attr.kind
    if kind in ("money", "number"):
        return _number(decision, attr, value)
    if kind == "bool":
        if value is True or value is False:
            return value
        raise InvalidRequest(f"`{attr.name}` of `{decision}` is a yes/no (True or False), not {show(value)}")
    if kind == "enum":
        if type(value) is str and value in attr.members:
            return value
        raise InvalidRequest(f"`{attr.name}` of `{decision}` is one of {', '.join(attr.members)}, "
                             f"not {show(value)}")
    if kind == "text":
        if type(value) is str:
            return value
        raise InvalidRequest(f"`{attr.name}` of `{decision}` is a text, not {show(value)}")
    if kind == "date":
        if type(value) is date:
            return value
        if isinstance(value, str):
            try:
                return parse_date(value)
            except BadValue as exc:
                raise InvalidRequest(f"`{attr.name}` of `{decision}`: {exc}") from None
        if isinstance(value, datetime):
            raise InvalidRequest(f"`{attr.name}` of `{decision}` is a date; pass value.date(), not a datetime")
        raise InvalidRequest(f"`{attr.name}` of `{decision}` is a date, not {show(value)}")
    raise AssertionError(kind)  # pragma: no cover


def _person(decision: str, attr: AttrSpec, value: Any, persons: Container[str]) -> str:
    if type(value) is str and value in persons:
        return value
    if type(value) is str:
        raise InvalidRequest(f"`{attr.name}` of `{decision}` names a person, and {show(value)} is not one of "
                             f"this charter's people (its `person` lines and directory file)")
    raise InvalidRequest(f"`{attr.name}` of `{decision}` is a person's name, not {show(value)}")


def make_validator(decision: str, attrs: Mapping[str, AttrSpec],
                   persons: Container[str] = ()) -> Validator:
    """A function that checks and completes one request's attributes for `decision`.

    Only what a caller gives is checked (a fact about `me` is worked out, never given);
    a `person` attribute must name one of `persons`.
    """
    specs = {name: spec for name, spec in attrs.items() if spec.given}
    defaults = {a.name: a.default for a in specs.values() if a.has_default}
    names = ", ".join(specs) or "no attributes"
    fast_ints = frozenset(a.name for a in specs.values() if a.kind == "number")
    members = {a.name: frozenset(a.members) for a in specs.values() if a.kind == "enum"}

    def validate(given: Mapping[str, Any]) -> dict[str, Value]:
        out: dict[str, Value] = dict(defaults)
        for name, value in given.items():
            if type(name) is not str:  # a str subclass's own __eq__/__hash__ is never run
                raise InvalidRequest(f"attribute names are text, not {show(name)}")
            if name in fast_ints and type(value) is int and -_TOO_BIG < value < _TOO_BIG:
                out[name] = value
                continue
            allowed = members.get(name)
            if allowed is not None and type(value) is str and value in allowed:
                out[name] = value
                continue
            spec = specs.get(name)
            if spec is None:
                raise InvalidRequest(f"`{decision}` has no attribute `{name}`; it has {names}", name)
            try:
                out[name] = _person(decision, spec, value, persons) if spec.kind == "person" \
                    else _convert(decision, spec, value)
            except InvalidRequest as exc:
                exc.attribute = name
                raise
        if len(out) != len(specs):
            missing = [n for n in specs if n not in out]
            raise InvalidRequest(f"`{decision}` needs {', '.join(f'`{n}`' for n in missing)}; "
                                 f"none was given")
        return out

    return validate


clock: tuple[float, date] = (0.0, date.min)
"""`(until, day)`: today's date and the time until which it stays today (`today()` renews it).
Public so the generated fast path reads it without a call."""


def today() -> date:
    """Today's local date, looked up at most once a day (callers ask millions of times)."""
    global clock
    until, day = clock
    now = time.time()
    if now < until:
        return day
    day = date.today()
    until = datetime.combine(day + timedelta(days=1), datetime.min.time()).timestamp()
    clock = (min(until, now + 60.0), day)
    return day


def request_date(on: Any) -> date:
    """The request's date: `on` as a date or ISO text, today when None."""
    if on is None:
        return today()
    if type(on) is date:
        return on
    if isinstance(on, datetime):
        return on.date()
    if isinstance(on, str):
        try:
            return parse_date(on)
        except BadValue as exc:
            raise InvalidRequest(f"the request's date: {exc}") from None
    raise InvalidRequest(f"the request's date must be a date or 'YYYY-MM-DD', not {show(on)}")
