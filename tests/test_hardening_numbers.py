"""Issue 13, the numbers' share: floats, bare money, names that are not str, keywords in any case,
ASCII digits, deep nesting, huge level counts and the types users see.

Each test reproduces one finding of the issue; each failed before its fix.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

import decisionrights as dr

ON = date(2026, 11, 28)  # no answer below depends on the date; pinned all the same


def charter(body: str, *, currency: str | None = "EUR", limits: dr.Limits | None = None) -> dr.Charter:
    head = ['charter "t"'] + ([f"currency {currency}"] if currency else [])
    text = "\n".join(head) + "\n" + body.strip("\n") + "\n"
    return dr.loads(text, "t.charter", **({"limits": limits} if limits else {}))


def errors_of(text: str, limits: dr.Limits | None = None) -> list[dr.Diagnostic]:
    with pytest.raises(dr.CharterError) as info:
        dr.loads(text, "t.charter", **({"limits": limits} if limits else {}))
    return list(info.value.diagnostics)


# -- 1. a float means the number a person typed -----------------------------------------

FLOATS = """
role boss
role clerk reports to boss
decision pay { amount: money  rate: number }
clerk may decide pay when amount < 0.3
boss may decide pay
nobody may decide pay when rate >= 0.7
"""


@pytest.mark.parametrize("amount", [0.3, 0.30000000000000004, 1.0, 5.5])
def test_a_float_amount_is_read_by_its_shortest_decimal(amount: float) -> None:
    c = charter(FLOATS)
    typed = Decimal(repr(amount))
    assert c.may("clerk", "pay", amount=amount, rate=0, on=ON).allowed is (typed < Decimal("0.3"))
    assert c.may("clerk", "pay", amount=amount, rate=0, on=ON).allowed is \
        c.may("clerk", "pay", amount=str(amount), rate=0, on=ON).allowed
    [many] = c.may_many([("clerk", "pay", {"amount": amount, "rate": 0})], on=ON)
    assert many.allowed is (typed < Decimal("0.3"))


def test_a_float_rate_at_a_forbid_is_forbidden_everywhere() -> None:
    c = charter(FLOATS)
    for role in ("clerk", "boss"):
        answer = c.may(role, "pay", amount=0.1, rate=0.7, on=ON)
        assert not answer.allowed and answer.reason == "forbidden"
    assert c.who_may("pay", amount=0.1, rate=0.7, on=ON) == ()
    assert c.who_may("pay", amount=0.1, rate=0.69, on=ON) == ("boss", "clerk")
    assert [a.allowed for a in c.may_many([("boss", "pay", {"amount": 1, "rate": 0.7})], on=ON)] == [False]
