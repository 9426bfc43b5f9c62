"""The readable combining rule (`decide.rule.combine`) case by case, and the deciding caches' home.

Law 9 (tests/test_laws.py::test_fast_path_matches_the_readable_rule) holds the generated fast
path to this rule on random charters; the tests here pin the rule's own cases and the order in
which a no picks its reason (docs/semantics.md, step 5).
"""

from __future__ import annotations

import pickle
from datetime import date

import pytest
from helpers import charter_text

import decisionrights as dr
from decisionrights.decide.rule import combine

ORG = """
role ceo
role cfo reports to ceo
role controller reports to cfo
role clerk reports to controller
decision buy {
  amount: money
  kind: one of goods, services
}
"""
ON = date(2026, 11, 1)


def rule(body: str, role: str, on: date = ON, **attrs):
    charter = dr.loads(charter_text(ORG + body))
    answer = charter.may(role, "buy", on=on, **attrs)
    outcome = combine(charter.deciders.decider(role, "buy").plan, answer.request, answer.on)
    assert (outcome.way is not None) is answer.allowed
    return outcome


def test_a_forbid_on_the_requester_says_no_whatever_else_holds():
    o = rule("cfo may decide buy\ncfo may not decide buy when kind == services\n", "cfo", amount=1, kind="services")
    assert (o.reason, [r.kind for r in o.because]) == ("forbidden", ["forbid"])


def test_fewest_obligations_wins():
    o = rule("cfo may decide buy\n  inform ceo\ncfo may decide buy when amount <= 5k\n", "cfo", amount=1, kind="goods")
    assert o.way is not None and o.way.obligations == frozenset()


def test_attenuation_a_forbidden_delegator_passes_nothing():
    body = ("cfo may decide buy\ncfo may not decide buy when amount > 10k\n"
            "cfo delegates buy to controller\n")
    assert rule(body, "controller", amount=1, kind="goods").way is not None
    o = rule(body, "controller", amount=20_000, kind="goods")
    assert (o.reason, [(r.kind, r.role) for r in o.because]) == ("forbidden", [("forbid", "cfo")])


@pytest.mark.parametrize(("body", "reason"), [
    ("", "not_granted"),
    ("cfo may decide buy when amount <= 1k\ncfo delegates buy to controller\n", "outside_limits"),
    ("cfo may decide buy\ncfo delegates buy to controller from 2027-01-01\n", "delegation_inactive"),
    # an inactive delegation is nearer than limits the request is beyond
    ("cfo may decide buy\ncfo delegates buy to controller from 2027-01-01\n"
     "controller may decide buy when amount <= 1k\n", "delegation_inactive"),
    # limits the request is beyond come before a forbid on a delegator
    ("cfo may decide buy\ncfo may not decide buy when amount > 3k\ncfo delegates buy to controller\n"
     "controller may decide buy when amount <= 1k\n", "outside_limits"),
])
def test_a_no_gives_the_reason_nearest_the_requester(body, reason):
    assert rule(body, "controller", amount=5_000, kind="goods").reason == reason


def test_the_compiled_charter_is_a_value_and_the_charter_keeps_the_caches():
    charter = dr.loads(charter_text(ORG + "cfo may decide buy when amount <= 5k\n"))
    assert charter.may("cfo", "buy", amount=1, kind="goods")
    assert not hasattr(charter.compiled, "deciders") and not hasattr(charter.compiled, "validators")
    assert charter.deciders.asks["buy"]["cfo"] is charter._asks["buy"]["cfo"]  # one cache
    again = dr.Charter(pickle.loads(pickle.dumps(charter.compiled)))
    assert again.may("cfo", "buy", amount=1, kind="goods") and not again.may("cfo", "buy", amount=6_000, kind="goods")
