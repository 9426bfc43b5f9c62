"""The vocabulary (`decisionrights.words`): one set of words for the obligation kinds, values and requests."""

from __future__ import annotations

import pickle
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import decisionrights as dr
from decisionrights import words
from decisionrights.words import KEYWORD, KINDS, Obligations, jsonable, request_text, value_text


def test_the_kinds_are_the_languages_four_in_its_order():
    assert KINDS == ("announce", "inform", "consult", "agreement")
    for table in (words.KEYWORD, words.TO_DO, words.IN_A_SENTENCE):
        assert sorted(table) == sorted(KINDS)
    assert KEYWORD["agreement"] == "with agreement of"


def test_obligations_are_a_set_of_pairs_that_answers_by_kind():
    ob = Obligations({("inform", "cfo"), ("agreement", "controller"), ("agreement", "ceo")})
    assert ob == frozenset({("inform", "cfo"), ("agreement", "controller"), ("agreement", "ceo")})
    assert hash(ob) == hash(frozenset(ob))
    assert ob.of("agreement") == ("ceo", "controller")
    assert ob.of("consult") == ()
    assert ob.written() == ("with agreement of ceo", "with agreement of controller", "inform cfo")
    assert ob.text() == "inform cfo; with agreement of ceo, controller"
    assert ob.by_kind() == (("inform", ("cfo",)), ("agreement", ("ceo", "controller")))


def test_joined_obligations_stay_obligations_from_either_side():
    a, b = Obligations({("inform", "cfo")}), frozenset({("consult", "ceo")})
    for joined in (a | b, b | a):
        assert type(joined) is Obligations
        assert joined.of("consult") == ("ceo",)
    assert pickle.loads(pickle.dumps(a)) == a and type(pickle.loads(pickle.dumps(a))) is Obligations


def test_values_are_shown_as_a_charter_writes_them():
    assert value_text(25_000, "money", "EUR") == "25k EUR"
    assert value_text(25_000, "number", "EUR") == "25k"
    assert value_text(2.5, "number") == "2.5"
    assert value_text(Decimal("0.5"), "money") == "0.5"
    assert value_text(True) == "true" and value_text(False, "bool") == "false"
    assert value_text(date(2027, 3, 31)) == "2027-03-31"
    assert value_text("Q3 offsite", "text") == "Q3 offsite"
    assert value_text("Q3 offsite", "text", quote_text=True) == '"Q3 offsite"'
    assert value_text("hardware", "enum", quote_text=True) == "hardware"


def test_a_request_is_shown_without_the_defaults_it_keeps():
    spec = lambda kind, default=None, currency=None: SimpleNamespace(  # noqa: E731
        kind=kind, currency=currency, has_default=default is not None, default=default)
    attrs = {"amount": spec("money", currency="EUR"), "urgent": spec("bool", False), "note": spec("text")}
    assert request_text(attrs, {"amount": 15_000, "urgent": False, "note": "x"}) == 'amount = 15k EUR, note = "x"'
    assert request_text(attrs, {"amount": 0, "urgent": True, "note": ""}) == 'amount = 0 EUR, urgent = true, note = ""'
    assert request_text({}, {}) == "any request"


def test_json_values():
    assert jsonable(date(2027, 1, 2)) == "2027-01-02"
    assert jsonable(Decimal("0.5")) == "0.5"
    assert [jsonable(v) for v in (True, 3, "x", 1.5)] == [True, 3, "x", 1.5]


def test_an_answer_and_the_authority_view_use_the_same_words():
    charter = dr.loads("""charter "t"
role boss
role cfo reports to boss
decision buy { amount: money }
currency EUR
cfo may decide buy when amount <= 10k
    inform boss
    with agreement of boss
""")
    answer = charter.may("cfo", "buy", amount=5, on="2027-01-01")
    assert answer.inform == ("boss",) and answer.agreement == ("boss",)
    assert "get the agreement of boss" in answer.explain()
    held = charter.authority_of("cfo", on="2027-01-01")["buy"]
    assert [p.obligation_text() for p in held.parts] == ["inform boss; with agreement of boss"]
