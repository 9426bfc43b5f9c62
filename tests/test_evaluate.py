"""Deciding: the meaning of spec §4–§8, one behaviour per test."""

from __future__ import annotations

import json
from datetime import date

import pytest

import decisionrights as dr

from helpers import EXAMPLES, charter_text

ORG = """
role ceo
role cfo reports to ceo
role controller reports to cfo
role clerk reports to controller
role auditor
decision buy {
  amount: money
  kind: one of goods, services
  related: bool = false
}
"""


def load(body: str, **kw) -> dr.Charter:
    return dr.loads(charter_text(ORG + body, **kw))


def test_default_deny_is_not_granted():
    a = load("cfo may decide buy\n").may("clerk", "buy", amount=1, kind="goods")
    assert not a and a.reason == "not_granted"


def test_grant_within_limits():
    c = load("cfo may decide buy when amount <= 250k\n")
    assert c.may("cfo", "buy", amount=250_000, kind="goods")
    a = c.may("cfo", "buy", amount=250_001, kind="goods")
    assert not a and a.reason == "outside_limits"
    assert "over cfo's limit of 250k EUR by 1 EUR" in a.explain()


def test_forbid_overrides_every_grant():
    c = load("cfo may decide buy\nnobody may decide buy when related\ncontroller may not decide buy when kind == services\n"
             "cfo delegates buy to controller\n")
    a = c.may("cfo", "buy", amount=1, kind="goods", related=True)
    assert not a and a.reason == "forbidden" and a.because[0].line == 15
    a = c.may("controller", "buy", amount=1, kind="services")
    assert not a and a.reason == "forbidden"
    assert c.may("controller", "buy", amount=1, kind="goods")


def test_attenuation_delegator_must_be_allowed_the_same_request():
    c = load("cfo may decide buy when amount <= 10k\ncfo delegates buy to controller when amount <= 50k\n")
    assert c.may("controller", "buy", amount=10_000, kind="goods")
    a = c.may("controller", "buy", amount=20_000, kind="goods")
    assert not a and a.reason == "outside_limits"


def test_attenuation_delegators_forbids_apply():
    c = load("cfo may decide buy\ncfo may not decide buy when kind == services\ncfo delegates buy to controller\n")
    a = c.may("controller", "buy", amount=1, kind="services")
    assert not a and a.reason == "forbidden"
    assert "cfo may not decide buy" in a.because[0].text


def test_obligations_accumulate_along_the_chain():
    c = load("cfo may decide buy\n  consult ceo\ncfo delegates buy to controller\n  inform cfo\n")
    a = c.may("controller", "buy", amount=1, kind="goods")
    assert a.consult == ("ceo",) and a.inform == ("cfo",)
    assert [r.kind for r in a.because] == ["grant", "delegation"]
    assert a.via[0].delegator == "cfo" and a.via[0].delegate == "controller"


def test_fewest_obligations_wins_and_ties_sort():
    c = load("controller may decide buy\n  inform cfo\n  consult ceo\ncontroller may decide buy when amount <= 5k\n"
             "  inform ceo\ncontroller may decide buy when amount <= 5k\n  inform cfo\n")
    assert c.may("controller", "buy", amount=9_000, kind="goods").obligations == {("inform", "cfo"), ("consult", "ceo")}
    # Two single-obligation grants: ('inform', 'ceo') sorts before ('inform', 'cfo').
    assert c.may("controller", "buy", amount=1_000, kind="goods").inform == ("ceo",)


def test_subdelegation_needs_permission_and_respects_depth():
    body = ("ceo may decide buy\nceo delegates buy to cfo may subdelegate up to 1 level\n"
            "cfo delegates buy to controller\ncontroller delegates buy to clerk\n")
    c = load(body)
    assert c.may("cfo", "buy", amount=1, kind="goods")
    assert c.may("controller", "buy", amount=1, kind="goods")
    a = c.may("clerk", "buy", amount=1, kind="goods")
    assert not a and a.reason == "not_granted"  # the delegation it received passes nothing on
    unbounded = load(body.replace("may subdelegate up to 1 level", "may subdelegate")
                     .replace("cfo delegates buy to controller", "cfo delegates buy to controller may subdelegate"))
    assert unbounded.may("clerk", "buy", amount=1, kind="goods")


def test_delegation_dates_are_inclusive():
    c = load("cfo may decide buy\ncfo delegates buy to controller from 2027-01-01 until 2027-01-31\n")
    ask = lambda day: c.may("controller", "buy", amount=1, kind="goods", on=day)  # noqa: E731
    assert ask("2027-01-01") and ask(date(2027, 1, 31))
    before, after = ask("2026-12-31"), ask("2027-02-01")
    assert not before and before.reason == "delegation_inactive"
    assert not after and after.reason == "delegation_inactive"


def test_flows_up_inherits_grants_not_delegations_and_not_personal_forbids():
    c = load("clerk may decide buy when amount <= 1k\n  inform controller\nclerk may not decide buy when kind == services\n"
             "auditor may decide buy\nauditor delegates buy to controller when amount <= 50k\n", flows_up=True)
    a = c.may("ceo", "buy", amount=500, kind="goods")
    assert a and a.inform == ("controller",)
    # The clerk's forbid is personal: its superiors may still decide services within the limit.
    assert c.may("cfo", "buy", amount=500, kind="services")
    # The controller received a delegation; its superior cfo does not inherit it.
    assert c.may("controller", "buy", amount=20_000, kind="goods")
    assert not c.may("cfo", "buy", amount=20_000, kind="goods")


def test_no_flows_up_no_inheritance():
    c = load("clerk may decide buy\n")
    assert not c.may("ceo", "buy", amount=1, kind="goods")


def test_escalation_nearest_allowed_up_the_line():
    c = load("ceo may decide buy\ncfo may decide buy when amount <= 10k\n")
    assert c.may("clerk", "buy", amount=5, kind="goods").escalate_to == ("cfo",)
    assert c.may("clerk", "buy", amount=50_000, kind="goods").escalate_to == ("ceo",)


def test_escalate_statement_starts_the_search_at_that_role():
    c = load("ceo may decide buy\ncfo may decide buy\nescalate buy to ceo\n")
    assert c.may("clerk", "buy", amount=5, kind="goods").escalate_to == ("ceo",)


def test_escalation_off_the_line_names_every_allowed_role_in_source_order():
    c = load("auditor may decide buy\n")
    assert c.may("clerk", "buy", amount=5, kind="goods").escalate_to == ("auditor",)
    c = load("auditor may decide buy\nceo may decide buy when kind == services\ncfo may decide buy when amount < 1\n")
    assert c.may("ceo", "buy", amount=0, kind="goods").escalate_to == ("cfo", "auditor")


def test_escalation_to_nobody_is_a_gap():
    c = load("cfo may decide buy when amount <= 10k\n")
    a = c.may("clerk", "buy", amount=50_000, kind="goods")
    assert a.escalate_to == ()
    assert "gap" in a.explain()


def test_allowed_answer_has_no_escalation():
    assert load("clerk may decide buy\n").may("clerk", "buy", amount=1, kind="goods").escalate_to is None


def test_may_propose():
    c = load("clerk may propose buy when amount <= 1k\ncfo may decide buy\n")
    assert c.may("clerk", "buy", amount=5, kind="goods").may_propose
    assert not c.may("clerk", "buy", amount=5_000, kind="goods").may_propose


def test_money_as_text_and_numbers():
    c = load("cfo may decide buy when amount <= 250k\n")
    assert c.may("cfo", "buy", amount="250k EUR", kind="goods")
    assert c.may("cfo", "buy", amount="250k", kind="goods")
    assert c.may("cfo", "buy", amount=249_999.5, kind="goods")
    with pytest.raises(dr.InvalidRequest, match="USD"):
        c.may("cfo", "buy", amount="10 USD", kind="goods")


@pytest.mark.parametrize("role,decision,attrs,match", [
    ("nobody_here", "buy", {"amount": 1, "kind": "goods"}, "not a role"),
    ("cfo", "sell", {"amount": 1}, "not a decision"),
    ("cfo", "buy", {"amount": 1}, "needs `kind`"),
    ("cfo", "buy", {"amount": 1, "kind": "goods", "colour": "red"}, "no attribute `colour`"),
    ("cfo", "buy", {"amount": "lots", "kind": "goods"}, "not an amount"),
    ("cfo", "buy", {"amount": float("nan"), "kind": "goods"}, "finite"),
    ("cfo", "buy", {"amount": float("inf"), "kind": "goods"}, "finite"),
    ("cfo", "buy", {"amount": True, "kind": "goods"}, "not bool"),
    ("cfo", "buy", {"amount": 1, "kind": "food"}, "one of goods, services"),
    ("cfo", "buy", {"amount": 1, "kind": "goods", "related": "yes"}, "yes/no"),
])
def test_invalid_requests_raise(role, decision, attrs, match):
    c = load("cfo may decide buy\n")
    with pytest.raises(dr.InvalidRequest, match=match):
        c.may(role, decision, **attrs)


def test_bad_date_raises():
    c = load("cfo may decide buy\n")
    with pytest.raises(dr.InvalidRequest, match="date"):
        c.may("cfo", "buy", amount=1, kind="goods", on="tomorrow")


def test_who_may_in_declaration_order():
    c = load("controller may decide buy\nceo may decide buy\nclerk may decide buy when amount < 10\n")
    assert c.who_may("buy", amount=5, kind="goods") == ("ceo", "controller", "clerk")
    assert c.who_may("buy", amount=50, kind="goods") == ("ceo", "controller")


def test_answer_json_round_trips_through_pydantic():
    c = dr.load(EXAMPLES / "acme-finance.charter")
    a = c.may("controller", "purchase", amount=40_000, category="software", on="2027-01-15")
    data = json.loads(a.to_json())
    assert data["allowed"] is True and data["inform"] == ["cfo"]
    assert [r["kind"] for r in data["because"]] == ["grant", "delegation"]
    assert data["via"][0]["delegator"] == "cfo"
    assert data["on"] == "2027-01-15"


def test_outside_limits_explains_what_it_would_take():
    c = dr.load(EXAMPLES / "acme-finance.charter")
    text = c.may("controller", "purchase", amount=30_000, category="software", on="2026-06-01").explain()
    assert "amount 30k EUR is over controller's limit of 25k EUR by 5k EUR" in text
    text = c.may("controller", "purchase", amount=60_000, category="software", on="2027-01-15").explain()
    assert "what it would take: amount 60k EUR is over the 50k EUR limit of cfo's delegation by 10k EUR" in text
    assert "other dates" not in text


def test_what_it_would_take_keeps_today_apart_from_other_dates():
    """Before the delegation starts, today's limit is the controller's own; the delegation's is another day's."""
    c = dr.load(EXAMPLES / "acme-finance.charter")
    text = c.may("controller", "purchase", amount=60_000, category="software", on="2026-11-28").explain()
    assert "what it would take: amount 60k EUR is over controller's limit of 25k EUR by 35k EUR (line 35)." in text
    assert ("on other dates: amount 60k EUR is over the 50k EUR limit of cfo's delegation by 10k EUR (line 46), "
            "while that delegation is in effect (from 2026-12-01 until 2027-03-31).") in text


def test_a_near_miss_of_a_name_gets_a_guess():
    c = dr.load(EXAMPLES / "acme-finance.charter")
    with pytest.raises(dr.InvalidRequest, match=r"`controler` is not a role of this charter \(did you mean `controller`\?\)"):
        c.may("controler", "purchase", amount=1, category="software")
    with pytest.raises(dr.InvalidRequest, match=r"did you mean `purchase`\?"):
        c.may("controller", "purchse", amount=1, category="software")
    with pytest.raises(dr.InvalidRequest, match=r"`zz` is not a role of this charter$"):
        c.may("zz", "purchase", amount=1, category="software")


def test_an_answer_keeps_the_date_it_was_decided_on(monkeypatch):
    """Asked without a date at 23:59 and explained after midnight, an answer still speaks of the day it was
    decided on: the date is fixed when `may` is called, not when the answer is first read."""
    from datetime import date

    from decisionrights.decide import request as request_module

    c = dr.load(EXAMPLES / "acme-finance.charter")
    monkeypatch.setattr(request_module, "clock", (float("inf"), date(2026, 11, 30)))  # the day before cover
    answer = c.may("controller", "purchase", amount=40_000, category="software")
    many = c.may_many([("controller", "purchase", {"amount": 40_000, "category": "software"})])
    monkeypatch.setattr(request_module, "clock", (float("inf"), date(2026, 12, 1)))  # midnight passes
    for a in (answer, many[0]):
        assert not a.allowed and a.on == date(2026, 11, 30) and a.reason == "delegation_inactive"
        assert "not in effect on 2026-11-30" in a.explain()
    assert c.may("controller", "purchase", amount=40_000, category="software").allowed  # a new question: today


# -- the generated fast path (`fastpath`) --------------------------------------------------------

def test_pairs_of_one_shape_share_their_code_but_keep_their_own_limits():
    """Two grants with the same structure are answered by one generated function, each with its own values."""
    c = load("cfo may decide buy when amount <= 5k and kind == goods\n"
             "controller may decide buy when amount <= 1k and kind == services\n")
    assert c.may("cfo", "buy", amount=3_000, kind="goods")
    assert not c.may("controller", "buy", amount=3_000, kind="services")
    assert c.may("controller", "buy", amount=1_000, kind="services")
    assert not c.may("cfo", "buy", amount=1_000, kind="services")
    cfo, controller = c.deciders.asks["buy"]["cfo"], c.deciders.asks["buy"]["controller"]
    assert cfo[0] is controller[0] and cfo != controller


@pytest.mark.parametrize("amount", [3_000, "3k", "3k EUR", 3_000.0])
@pytest.mark.parametrize("related", [None, False])
def test_every_form_of_a_value_gets_the_same_answer(amount, related):
    """Plain ints take the fast path, text and floats the full validator: the answers are the same."""
    c = load("cfo may decide buy when amount <= 3k and related == false\n"
             "nobody may decide buy when kind == services and amount > 2k\n")
    extra = {} if related is None else {"related": related}
    yes = c.may("cfo", "buy", amount=amount, kind="goods", **extra)
    no = c.may("cfo", "buy", amount=amount, kind="services", **extra)
    assert yes and yes.request == {"amount": 3_000, "kind": "goods", "related": False}
    assert not no and no.reason == "forbidden"
    assert [bool(a) for a in c.may_many([("cfo", "buy", {"amount": amount, "kind": k, **extra})
                                         for k in ("goods", "services")])] == [True, False]


def test_an_answer_is_true_or_false_as_it_says():
    c = load("cfo may decide buy when amount <= 3k\n")
    yes, no = c.may("cfo", "buy", amount=1, kind="goods"), c.may("cfo", "buy", amount=4_000, kind="goods")
    assert isinstance(yes, dr.Answer) and isinstance(no, dr.Answer)
    assert (bool(yes), yes.allowed, bool(no), no.allowed, not no) == (True, True, False, False, True)
    built = dr.Answer(c.compiled, "cfo", "buy", {"amount": 4_000, "kind": "goods", "related": False}, date(2026, 1, 1),
                      False, None, frozenset(), False, (), ())
    assert not built and built.allowed is False


def test_may_many_keeps_its_own_copy_of_each_request():
    from types import MappingProxyType

    c = load("cfo may decide buy when amount <= 3k\n")
    given = {"amount": 1, "kind": "goods"}
    answers = c.may_many([("cfo", "buy", given), ("cfo", "buy", MappingProxyType({"amount": 4_000, "kind": "goods"}))])
    given["amount"] = 10**9
    assert [bool(a) for a in answers] == [True, False]
    assert answers[0].request == {"amount": 1, "kind": "goods", "related": False}
    assert "amount" in given and given["amount"] == 10**9 and "related" not in given


@pytest.mark.parametrize("request_", [["cfo", "buy", {"amount": 1, "kind": "goods"}], ("cfo", "buy"),
                                      ("cfo", "buy", [("amount", 1)]), "abc", None])
def test_may_many_refuses_a_request_that_is_not_a_tuple_of_three(request_):
    c = load("cfo may decide buy\n")
    with pytest.raises(dr.InvalidRequest, match="each request is a"):
        c.may_many([("cfo", "buy", {"amount": 1, "kind": "goods"}), request_])


def test_an_answer_copies_and_pickles_as_itself():
    import copy
    import pickle

    c = dr.load(EXAMPLES / "acme-finance.charter")
    for amount in (40_000, 400_000):
        a = c.may("controller", "purchase", amount=amount, category="software", on="2027-01-15")
        for b in (copy.copy(a), pickle.loads(pickle.dumps(a))):
            assert (bool(b), b.reason, b.escalate_to, b.on, b.request) == (bool(a), a.reason, a.escalate_to, a.on,
                                                                          a.request)
            assert b.explain() == a.explain()
