"""Literal values of the language: numbers with `k`/`M`, money with a currency, dates.

Shared by the parser (literals in a charter) and by request validation
(values a caller passes as text), so both read `250k EUR` the same way.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

Number = int | Decimal

MAX_DIGITS = 40
"""Longest number accepted, in digits: far beyond any amount, short of a denial of service."""

# Only the ASCII digits 0-9 (`\d` would take ৪, ١ or ５ too), `_` only between digits, and the whole text
# (`fullmatch`: `$` would let a trailing newline through).
_DIGITS = r"[0-9]+(?:_[0-9]+)*"
_NUMBER = re.compile(rf"(-?)({_DIGITS})(?:\.([0-9]+))?([kM]?)")
_MONEY = re.compile(rf"[ \t]*(-?{_DIGITS}(?:\.[0-9]+)?[kM]?)[ \t]*([A-Z]{{3}})?[ \t]*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SCALE = {"": 1, "k": 1_000, "M": 1_000_000}


class BadValue(ValueError):
    """A literal that looks like a value of its kind but is not one (e.g. 2027-02-30)."""


def _shown(text: str) -> str:
    """`text` for a message: escaped when it holds a newline or another invisible character."""
    return text if text.isprintable() else repr(text)[1:-1]


def foreign_digit(text: str) -> str | None:
    """The first digit in `text` that is not one of the ASCII 0-9 (`৪`, `١`, `５`), if any."""
    return next((c for c in text if c.isdigit() and not ("0" <= c <= "9")), None)


def _why(text: str) -> str:
    found = foreign_digit(text)
    if found is None:
        return ""
    name = unicodedata.name(found, "")
    return f"; only the digits 0-9 make a number, and `{found}` is U+{ord(found):04X}{' ' + name if name else ''}"


def normalize(value: Decimal) -> Number:
    """An int when the value is whole, else the exact Decimal."""
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


def parse_number(text: str) -> Number:
    """`250k` → 250000, `1.5M` → 1500000, `10_000` → 10000, `0.5` → Decimal('0.5')."""
    m = _NUMBER.fullmatch(text)
    if not m:
        raise BadValue(f"`{_shown(text)}` is not a number{_why(text)}")
    sign, whole, frac, suffix = m.groups()
    digits = whole.replace("_", "") + (frac or "")
    if len(digits) > MAX_DIGITS:
        raise BadValue(f"`{text[:20]}…` has more than {MAX_DIGITS} digits")
    try:
        value = Decimal(f"{sign}{whole.replace('_', '')}" + (f".{frac}" if frac else ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only digits
        raise BadValue(f"`{text}` is not a number") from exc
    return normalize(value * _SCALE[suffix])


def parse_money(text: str) -> tuple[Number, str | None]:
    """`250k EUR` → (250000, 'EUR'); `20000` → (20000, None)."""
    m = _MONEY.fullmatch(text)
    if not m:
        raise BadValue(f"`{_shown(text)}` is not an amount of money (write it like `250k EUR` or `1200`){_why(text)}")
    return parse_number(m.group(1)), m.group(2)


def parse_date(text: str) -> date:
    """An ISO date, `2027-03-31`."""
    if not _DATE.fullmatch(text):
        raise BadValue(f"`{_shown(text)}` is not a date (write it as YYYY-MM-DD, like 2027-03-31){_why(text)}")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise BadValue(f"`{text}` is not a real date ({exc})") from exc


def format_number(value: Number) -> str:
    """Readable and re-parseable: 250000 → `250k`, 1500000 → `1.5M`, 1234 → `1234`."""
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return format(value.normalize(), "f")
    n = int(value)
    for suffix, scale in (("M", 1_000_000), ("k", 1_000)):
        if n and n % scale == 0:
            return f"{n // scale}{suffix}"
        if n and abs(n) >= scale and (n * 10) % scale == 0 and suffix == "M":
            return f"{format(Decimal(n) / scale, 'f')}{suffix}"
    return str(n)


def format_money(value: Number, currency: str | None) -> str:
    text = format_number(value)
    return f"{text} {currency}" if currency else text
