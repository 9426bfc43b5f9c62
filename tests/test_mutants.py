"""Fixed, named tests for the bugs mutation testing showed the suite could miss (issue 21).

Each test below pins one realistic wrong answer with the smallest charter that shows it,
so that killing the mutant never depends on what Hypothesis happens to draw:

- sub-delegation budget not used up (`compile.ways._make_way`: `parent.remaining - 1` → `parent.remaining`);
- `up to N levels` stored as N + 1 (`compile`: `further = levels + 1`);
- `diff` ignoring a new forbid on a delegator (`diff._fingerprint` without the chain's roles) —
  that one is the `forbid-on-delegator` case in `tests/corpus/diff` (checked in `test_diff.py`,
  and here for its meaning);
- `may_many` ignoring `on` (`charter.may_many`: `day = today()`);
- `not in` read or compiled as `in` (`parse`: `negated=False`; `compile`: `In(…, False)`);
- money `<=` compiled as `<` (and every other comparison off by one at its limit).

Every date that could change an answer is pinned; none of these tests depends on today.
"""

from __future__ import annotations

import operator
from datetime import date
from decimal import Decimal

import pytest
from helpers import CORPUS, EXAMPLES, ROOT, charter_text
from reference import Reference

import decisionrights as dr

ON = date(2026, 11, 1)  # no delegation below is dated, except where a test says so


def _via(answer) -> list[tuple[str, str]]:
    return [(link.delegator, link.delegate) for link in answer.via]


# -- sub-delegation: the budget of `up to N levels` is used up link by link ------------------------

CHAIN = charter_text("""\
role cfo
role controller, treasurer reports to cfo
role clerk reports to treasurer
decision purchase { amount: money }
cfo may decide purchase when amount <= 250k
cfo delegates purchase to controller
    may subdelegate up to 1 level
controller delegates purchase to treasurer
    may subdelegate
treasurer delegates purchase to clerk
""")


def test_subdelegation_budget_is_used_up_along_the_chain():
    """cfo → controller (up to 1 level) → treasurer → clerk: the controller's link permits one
    further link (to the treasurer), so the clerk, three links from the cfo, may not decide —
    even though the controller → treasurer link alone says `may subdelegate` without a bound."""
    charter = dr.loads(CHAIN)
    controller = charter.may("controller", "purchase", amount=1000, on=ON)
    treasurer = charter.may("treasurer", "purchase", amount=1000, on=ON)
    clerk = charter.may("clerk", "purchase", amount=1000, on=ON)
    assert controller.allowed and _via(controller) == [("cfo", "controller")]
    assert treasurer.allowed and _via(treasurer) == [("cfo", "controller"), ("controller", "treasurer")]
    assert not clerk.allowed
    assert clerk.reason == "not_granted"
    assert "clerk" not in charter.who_may("purchase", amount=1000, on=ON)
    assert not Reference.from_text(CHAIN).may("clerk", "purchase", {"amount": 1000}, ON).allowed


@pytest.mark.parametrize("levels", [1, 2, 3])
def test_up_to_n_levels_permits_exactly_n_further_links(levels):
    """A chain of N + 1 links under `up to N levels` on its first link decides; one link more does not.
    (Storing N as N + 1 lets the longer chain through; so does not using the budget up.)"""
    names = [f"r{i}" for i in range(levels + 3)]
    word = "level" if levels == 1 else "levels"
    lines = [f"role {', '.join(names)}", "decision purchase { amount: money }",
             f"{names[0]} may decide purchase",
             f"{names[0]} delegates purchase to {names[1]}\n    may subdelegate up to {levels} {word}"]
    lines += [f"{a} delegates purchase to {b}\n    may subdelegate" for a, b in zip(names[1:], names[2:])]
    text = charter_text("\n".join(lines) + "\n")
    charter = dr.loads(text)
    at, past = names[levels + 1], names[levels + 2]  # N + 1 links from the grant; N + 2
    answer = charter.may(at, "purchase", amount=1, on=ON)
    assert answer.allowed and len(answer.via) == levels + 1
    assert not charter.may(past, "purchase", amount=1, on=ON).allowed
    assert charter.who_may("purchase", amount=1, on=ON) == tuple(names[:levels + 2])


def test_a_bound_in_the_middle_of_a_chain_binds_the_links_after_it():
    """cfo → controller (unbounded) → treasurer (up to 1 level) → clerk → buyer: the treasurer's
    link permits one further link, so the clerk decides and the buyer does not."""
    text = charter_text("""\
role cfo
role controller, treasurer, clerk, buyer reports to cfo
decision purchase { amount: money }
cfo may decide purchase
cfo delegates purchase to controller
    may subdelegate
controller delegates purchase to treasurer
    may subdelegate up to 1 level
treasurer delegates purchase to clerk
    may subdelegate
clerk delegates purchase to buyer
""")
    charter = dr.loads(text)
    assert charter.may("clerk", "purchase", amount=5, on=ON).allowed
    assert not charter.may("buyer", "purchase", amount=5, on=ON).allowed


def test_no_subdelegation_without_may_subdelegate():
    text = charter_text("""\
role cfo
role controller, treasurer reports to cfo
decision purchase { amount: money }
cfo may decide purchase
cfo delegates purchase to controller
controller delegates purchase to treasurer
""")
    charter = dr.loads(text)
    assert charter.may("controller", "purchase", amount=5, on=ON).allowed
    assert not charter.may("treasurer", "purchase", amount=5, on=ON).allowed


# -- diff: a new forbid on a delegator narrows everyone deciding through it ----------------------

def test_diff_reports_the_delegate_of_a_newly_forbidden_delegator():
    """Adding `cfo may not decide purchase when amount > 10k` narrows the cfo, and also the controller
    where it decides through the cfo's delegation (over its own 25k, or travel), in that window."""
    folder = CORPUS / "diff"
    old = dr.loads((folder / "forbid-on-delegator.old.charter").read_text(encoding="utf-8"))
    new = dr.loads((folder / "forbid-on-delegator.new.charter").read_text(encoding="utf-8"))
    changes = dr.diff(old, new, on=ON)
    narrowed = sorted({c.role for c in changes if c.kind == "narrowed" and c.decision == "purchase"})
    assert narrowed == ["cfo", "controller"]
    assert not changes.widened
    (controller,) = [c for c in changes if c.role == "controller"]
    assert (controller.from_date, controller.until_date) == (date(2026, 12, 1), date(2027, 3, 31))
    day = date(2027, 1, 15)
    assert old.may("controller", "purchase", amount=40_000, category="software", on=day).allowed
    assert not new.may("controller", "purchase", amount=40_000, category="software", on=day).allowed
    assert new.may("controller", "purchase", amount=20_000, category="software", on=day).allowed  # its own grant


# -- may_many answers for the date it is given ------------------------------------------------------

@pytest.mark.parametrize("day, allowed", [
    ("2026-11-30", False), ("2026-12-01", True), ("2027-01-15", True), ("2027-03-31", True), ("2027-04-01", False),
])
def test_may_many_answers_on_the_date_given(day, allowed):
    """acme's cfo → controller delegation runs 2026-12-01..2027-03-31: a 40k purchase by the
    controller is allowed exactly inside that window, by `may_many` as by `may`. Inside and
    outside together, so the test fails whatever today is if `on` were ignored."""
    charter = dr.load(EXAMPLES / "acme-finance.charter")
    request = ("controller", "purchase", {"amount": 40_000, "category": "software"})
    other = ("team_lead", "purchase", {"amount": 1_000, "category": "hardware"})
    answers = charter.may_many([request, other], on=day)
    assert [a.allowed for a in answers] == [allowed, True]
    assert [a.on for a in answers] == [date.fromisoformat(day)] * 2
    single = charter.may(request[0], request[1], on=day, **request[2])
    assert single.allowed == allowed and answers[0].reason == single.reason
    assert charter.may_many([request], on=date.fromisoformat(day))[0].allowed == allowed


def test_may_many_on_both_sides_of_a_window_in_one_charter():
    charter = dr.load(EXAMPLES / "acme-finance.charter")
    request = ("controller", "purchase", {"amount": 40_000, "category": "software"})
    inside = charter.may_many([request] * 2, on="2027-01-15")
    outside = charter.may_many([request] * 2, on="2027-04-01")
    assert [a.allowed for a in inside] == [True, True]
    assert [a.allowed for a in outside] == [False, False]
    assert [a.reason for a in outside] == ["delegation_inactive"] * 2


# -- `in` and `not in`, read and compiled ----------------------------------------------------------

MEMBERSHIP = charter_text("""\
role controller, buyer
decision purchase {
  amount: money
  category: one of hardware, software, travel, services
  risk: number
}
controller may decide purchase when category not in [travel, services]
buyer may decide purchase when category in [travel, services]
controller may decide purchase when risk not in [3, 5] and amount > 100k
""")


@pytest.mark.parametrize("category", ["hardware", "software", "travel", "services"])
def test_enum_not_in_and_in_are_opposites(category):
    """`not in [travel, services]` allows exactly the members outside the list; `in` exactly those in it."""
    charter = dr.loads(MEMBERSHIP)
    listed = category in ("travel", "services")
    assert charter.may("controller", "purchase", amount=10, category=category, risk=3, on=ON).allowed is not listed
    assert charter.may("buyer", "purchase", amount=10, category=category, risk=3, on=ON).allowed is listed
    ref = Reference.from_text(MEMBERSHIP)
    assert ref.may("controller", "purchase", {"amount": 10, "category": category, "risk": 3}, ON).allowed \
        is not listed


@pytest.mark.parametrize("risk", [2, 3, 4, 5, 6])
def test_number_not_in(risk):
    charter = dr.loads(MEMBERSHIP)
    answer = charter.may("controller", "purchase", amount=200_000, category="travel", risk=risk, on=ON)
    assert answer.allowed is (risk not in (3, 5))


def test_not_in_is_read_as_a_negated_membership():
    """The parser's model of `not in` is negated, of `in` not (a parser bug flipping it is caught
    here and by law 9, whose reference reads the text with a parser of its own)."""
    from decisionrights.syntax import model as m
    from decisionrights.syntax.parse import parse
    from decisionrights.source import Source

    grants = [s for s in parse(Source(MEMBERSHIP, "<t>")).statements if isinstance(s, m.Grant)]
    assert [g.condition.negated for g in grants[:2]] == [True, False]


# -- comparisons at, just under and just over their limit -------------------------------------------

OPS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt, "==": operator.eq,
       "!=": operator.ne}


@pytest.mark.parametrize("op", sorted(OPS))
@pytest.mark.parametrize("delta", [-1, 0, 1, Decimal("-0.01"), Decimal("0.01")])
def test_money_comparison_at_its_limit(op, delta):
    """`amount OP 25k` for a request exactly at 25k, one unit (and one cent) under and over."""
    text = charter_text(f"role controller\ndecision purchase {{ amount: money }}\n"
                        f"controller may decide purchase when amount {op} 25k\n")
    amount = 25_000 + delta
    answer = dr.loads(text).may("controller", "purchase", amount=amount, on=ON)
    assert answer.allowed is OPS[op](amount, 25_000)
    assert Reference.from_text(text).may("controller", "purchase", {"amount": amount}, ON).allowed \
        is OPS[op](amount, 25_000)


@pytest.mark.parametrize("op", sorted(OPS))
@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_date_comparison_at_its_limit(op, delta):
    from datetime import timedelta

    text = charter_text("role lead\ndecision contract { signed_on: date }\n"
                        f"lead may decide contract when signed_on {op} 2027-03-31\n")
    day = date(2027, 3, 31) + timedelta(days=delta)
    answer = dr.loads(text).may("lead", "contract", signed_on=day, on=ON)
    assert answer.allowed is OPS[op](day, date(2027, 3, 31))


def test_the_acme_limits_hold_at_their_edge():
    """controller ≤ 25k, team_lead ≤ 2k, cfo ≤ 250k, each exactly at and one unit over (before the
    cfo's delegation starts: over 25k the controller's only way in is that delegation, not yet active)."""
    charter = dr.load(EXAMPLES / "acme-finance.charter")
    for role, limit, why in (("controller", 25_000, "delegation_inactive"), ("team_lead", 2_000, "outside_limits"),
                             ("cfo", 250_000, "outside_limits")):
        assert charter.may(role, "purchase", amount=limit, category="hardware", on=ON).allowed, role
        over = charter.may(role, "purchase", amount=limit + 1, category="hardware", on=ON)
        assert not over.allowed and over.reason == why, role


# -- dates of a delegation: first and last day are inside ----------------------------------------

@pytest.mark.parametrize("day, allowed", [
    (date(2026, 11, 30), False), (date(2026, 12, 1), True), (date(2027, 3, 31), True), (date(2027, 4, 1), False),
])
def test_delegation_dates_are_inclusive(day, allowed):
    charter = dr.load(EXAMPLES / "acme-finance.charter")
    answer = charter.may("controller", "purchase", amount=40_000, category="software", on=day)
    assert answer.allowed is allowed
    if not allowed:
        assert answer.reason == "delegation_inactive"


# -- the boundary strategies aim where they say -------------------------------------------------

def test_boundary_values_and_days_are_the_edges():
    from decisionrights import testing as dt

    text = (EXAMPLES / "acme-finance.charter").read_text(encoding="utf-8")
    amounts = dt.boundary_values(text, "purchase", "amount")
    for limit in (1_000_000, 250_000, 50_000, 25_000, 2_000):
        assert {limit - 1, limit, limit + 1, limit - Decimal("0.01"), limit + Decimal("0.01")} <= set(amounts)
    assert dt.boundary_values(text, "purchase", "category") == ("hardware", "software", "travel", "services")
    assert dt.boundary_values(text, "hire", "budgeted") == (False, True)
    assert dt.boundary_days(text, "purchase") == (date(2026, 11, 30), date(2026, 12, 1), date(2027, 3, 31),
                                                  date(2027, 4, 1))


def test_bounded_chains_end_one_link_past_their_bound():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from decisionrights import testing as dt

    base = CHAIN

    @settings(max_examples=20, deadline=None)
    @given(st.data())
    def check(data):
        chain = data.draw(dt.bounded_chains(base))
        text = base
        for stmt in chain.statements:
            text = dt.add_statement(text, stmt)
        charter = dr.loads(text)
        assert len(chain.roles) == chain.bounded + chain.levels + 3
        assert chain.past == chain.roles[-1] and chain.at == chain.roles[-2]
        holder = charter.may(chain.roles[0], chain.decision, amount=1, on=ON)
        if holder.allowed and not holder.via:
            assert charter.may(chain.at, chain.decision, amount=1, on=ON).allowed
        assert not charter.may(chain.past, chain.decision, amount=1, on=ON).allowed

    check()


# -- survivors of the mutmut run (docs/testing.md, "Mutation testing") -----------------------------

REASON_CONDITIONS = (
    "amount <= 25k", "amount < 25k", "amount >= 25k", "amount > 25k", "amount == 25k", "amount != 25k",
    "category in [travel, services]", "category not in [travel, services]",
    "urgent", "not urgent", "urgent == true", "urgent == false", "urgent != true", "urgent != false",
    "amount <= 25k and category != travel", "amount <= 25k and category != travel and urgent",
    "amount > 25k or category == travel", "amount > 25k or category == travel or urgent",
    "not (amount <= 25k and urgent)",
)


@pytest.mark.parametrize("condition", REASON_CONDITIONS)
@pytest.mark.parametrize("amount", [24_999, 25_000, 25_001])
@pytest.mark.parametrize("category", ["hardware", "travel"])
@pytest.mark.parametrize("urgent", [False, True])
def test_the_reason_of_a_no_follows_the_conditions_of_the_way_in(condition, amount, category, urgent):
    """The clerk's only way in is a delegation outside its dates whose condition is `condition`:
    a no is `delegation_inactive` exactly where the condition holds, else `outside_limits` — as the
    reference (its own parser, its own evaluation) says. (The reason reads each way's conditions
    through `conditions.predicate`, not through the generated fast path that answers yes or no.)"""
    text = charter_text(f"""\
role cfo
role clerk reports to cfo
decision purchase {{
  amount: money
  category: one of hardware, software, travel, services
  urgent: bool
}}
cfo may decide purchase
cfo delegates purchase to clerk
    when {condition}
    from 2027-01-01 until 2027-01-31
""")
    attrs = {"amount": amount, "category": category, "urgent": urgent}
    answer = dr.loads(text).may("clerk", "purchase", on=ON, **attrs)
    expected = Reference(text).may("clerk", "purchase", attrs, ON)
    assert not answer.allowed and not expected.allowed
    assert answer.reason == expected.reason
    on_time = dr.loads(text).may("clerk", "purchase", on=date(2027, 1, 15), **attrs)
    assert on_time.allowed is (answer.reason == "delegation_inactive")


def test_every_delegation_counts_when_several_roles_delegate():
    """Two delegators, each passing the decision on without `may subdelegate`: both delegates decide.
    (Building the ways must skip a way that permits no further link, not stop there.)"""
    text = charter_text("""\
role ceo
role cfo reports to ceo
role controller, treasurer reports to cfo
decision purchase { amount: money }
ceo may decide purchase
cfo may decide purchase
ceo delegates purchase to treasurer
cfo delegates purchase to controller
""")
    charter = dr.loads(text)
    assert charter.who_may("purchase", amount=1, on=ON) == ("ceo", "cfo", "controller", "treasurer")
    reordered = text.replace("ceo delegates purchase to treasurer\ncfo delegates purchase to controller",
                             "cfo delegates purchase to controller\nceo delegates purchase to treasurer")
    assert dr.loads(reordered).who_may("purchase", amount=1, on=ON) == ("ceo", "cfo", "controller", "treasurer")


def test_authority_of_includes_a_delegation_on_its_first_and_last_day():
    """`authority_of` on a delegation's last day still counts it (its dates are inclusive), and not
    the day after; likewise its first day and the day before."""
    charter = dr.load(EXAMPLES / "acme-finance.charter")
    inside = {day: charter.authority_of("controller", on=day)["purchase"]
              for day in (date(2026, 11, 30), date(2026, 12, 1), date(2027, 3, 31), date(2027, 4, 1))}
    assert inside[date(2026, 12, 1)].text == inside[date(2027, 3, 31)].text
    assert inside[date(2026, 11, 30)].text == inside[date(2027, 4, 1)].text
    assert inside[date(2027, 3, 31)].text != inside[date(2027, 4, 1)].text
    assert "50k" in inside[date(2027, 3, 31)].text and "50k" not in inside[date(2027, 4, 1)].text


def test_diff_sees_a_forbid_whose_condition_changed():
    """The same forbid on the same role, with another condition: a change of authority."""
    old = dr.load(EXAMPLES / "acme-finance.charter")
    text = (EXAMPLES / "acme-finance.charter").read_text(encoding="utf-8")
    new = dr.loads(text.replace("nobody may decide purchase when vendor_related",
                                "nobody may decide purchase when vendor_related or amount > 200k"))
    changes = dr.diff(old, new, on=ON)
    assert changes.narrowed and not changes.widened
    assert "cfo" in {c.role for c in changes if c.kind == "narrowed"}


def test_diff_of_a_role_with_two_ways_alike_but_for_their_dates():
    """The controller holds two ways with the same condition, one dated and one not: `diff`
    compares them without comparing a date with None, and finds the change elsewhere."""
    base = charter_text("""\
role ceo
role cfo reports to ceo
role controller reports to cfo
decision purchase { amount: money }
ceo may decide purchase
cfo may decide purchase
ceo delegates purchase to controller
cfo delegates purchase to controller
    from 2027-01-01 until 2027-01-31
""")
    old, new = dr.loads(base), dr.loads(base + "ceo may not decide purchase when amount > 1M\n")
    changes = dr.diff(old, new, on=ON)
    assert sorted({c.role for c in changes if c.kind == "narrowed"}) == ["ceo", "controller"]


def test_diff_from_the_first_day_of_a_delegation():
    """Compared from the very day a delegation starts, the change runs from that day (reported as
    from the start of the comparison) until its last day, in one piece."""
    folder = CORPUS / "diff"
    old = dr.loads((folder / "delegation-added.old.charter").read_text(encoding="utf-8"))
    new = dr.loads((folder / "delegation-added.new.charter").read_text(encoding="utf-8"))
    changes = list(dr.diff(old, new, on=date(2026, 12, 1)))
    assert [(c.kind, c.role, c.from_date, c.until_date) for c in changes] == [
        ("widened", "controller", None, date(2027, 3, 31))]


def test_a_link_back_into_the_chain_does_not_hide_the_links_after_it():
    """The controller passes the cfo's authority back to the cfo (a loop, skipped) and then on to the
    treasurer: the treasurer decides, whichever of the two links is written first."""
    loop = "controller delegates purchase to cfo\n"
    onward = "controller delegates purchase to treasurer\n"
    head = charter_text("""\
role cfo
role controller, treasurer reports to cfo
decision purchase { amount: money }
cfo may decide purchase
cfo delegates purchase to controller
    may subdelegate
""")
    for text in (head + loop + onward, head + onward + loop):
        answer = dr.loads(text).may("treasurer", "purchase", amount=1, on=ON)
        assert answer.allowed and _via(answer) == [("cfo", "controller"), ("controller", "treasurer")]


def test_every_planted_mutant_still_finds_its_line():
    """tools/planted_mutants.py re-plants known bugs by text: a line that moved or changed would make it
    plant nothing, so each original must be found exactly once in its file."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("planted_mutants", ROOT / "tools" / "planted_mutants.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)  # type: ignore[union-attr]
    assert tool.MUTANTS
    for name, (file, old, new, tests) in tool.MUTANTS.items():
        text = (tool.SRC / file).read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{name}: its line is not found exactly once in {file}"
        assert old != new
        assert all((ROOT / t).is_file() for t in tests), name
