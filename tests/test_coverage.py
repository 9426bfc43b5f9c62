"""Which rules an expectation exercises: the way that allowed it, the forbid that denied it, the nearest limit."""

from __future__ import annotations

import decisionrights as dr
from decisionrights.analysis.expect import coverage, run

from helpers import charter_text

BODY = """
role boss
role clerk reports to boss
decision buy { amount: money }
boss may decide buy
clerk may decide buy when amount <= 1k
nobody may decide buy when amount > 1M
boss delegates buy to clerk when amount <= 5k from 2027-01-01 until 2027-01-31
"""


def lines(text: str) -> set[int]:
    charter = dr.loads(charter_text(BODY + text))
    cov = coverage(charter, run(charter))
    return {r.line for r in cov.covered}


def test_an_allowed_answer_exercises_its_grant_and_delegations():
    assert lines("expect clerk may decide buy with amount = 3k on 2027-01-10\n") == {7, 10}


def test_a_forbidden_answer_exercises_the_forbid():
    assert lines("expect boss may not decide buy with amount = 2M\n") == {9}


def test_outside_limits_exercises_the_nearest_limit():
    # 6k misses the delegated 5k by less than it misses the clerk's own 1k.
    assert lines("expect clerk may not decide buy with amount = 6k on 2027-01-10\n") == {7, 10}


def test_an_inactive_delegation_is_exercised():
    assert lines("expect clerk may not decide buy with amount = 2k on 2026-06-01\n") == {10}


def test_percent_and_missed():
    charter = dr.loads(charter_text(BODY + "expect boss may decide buy with amount = 5\n"))
    cov = coverage(charter, run(charter))
    assert [r.line for r in cov.missed] == [8, 9, 10]
    assert cov.percent == 25.0
