"""People (Part II §11–§12): who holds which role, asking as a person, the facts about `me`.

The laws of §17 this file holds: 14 (a person is allowed exactly when one of the roles they hold
that day is, and no `me` rule forbids it), 15 (an `is me` forbid cannot be passed by asking in
another role the same person holds) and 19 (a charter with no Part II statement answers every
Part I request as before).
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, strategies as st

import decisionrights as dr
from decisionrights import testing as dt

from helpers import SPEC_EXAMPLES

NORTHWIND = SPEC_EXAMPLES / "northwind-people.charter"


@pytest.fixture(scope="module")
def northwind() -> dr.Charter:
    return dr.load(NORTHWIND)


PEOPLE = """charter "People"
currency EUR
role board
role ceo reports to board
role cfo, ops reports to ceo
role buyer, treasurer reports to ops
person zoe holds board
person ana holds ceo
person bo holds cfo
person eva holds ops
person fay holds buyer
person gus holds buyer, treasurer
fay acts as ops from 2027-07-01 until 2027-07-14
decision claim { amount: money
  claimant: person }
decision buy { amount: money }
ops may decide claim when claimant reports to me and amount <= 2k
cfo may decide claim when amount <= 20k
board may decide claim
nobody may decide claim when claimant is me
buyer may decide buy when amount <= 5k
treasurer may decide buy when amount <= 9k
    with agreement of treasurer
ops may decide buy when amount <= 50k
    inform cfo
"""


@pytest.fixture(scope="module")
def people() -> dr.Charter:
    return dr.loads(PEOPLE)


# -- who holds what ------------------------------------------------------------------

def test_persons_and_their_roles_on_a_date(people):
    assert people.persons == ("zoe", "ana", "bo", "eva", "fay", "gus")
    assert people.roles_of("gus", on="2027-01-01") == ("buyer", "treasurer")
    assert people.roles_of("fay", on="2027-07-01") == ("ops", "buyer")  # the charter's order of roles
    assert people.roles_of("fay", on="2027-07-14") == ("ops", "buyer")  # both dates are held days
    assert people.roles_of("fay", on="2027-07-15") == ("buyer",)
    assert people.holders("ops", on="2027-07-05") == ("eva", "fay")
    assert people.holders("ops", on="2027-08-01") == ("eva",)
    with pytest.raises(dr.InvalidRequest, match="not a person"):
        people.roles_of("zed")
    with pytest.raises(dr.InvalidRequest, match="not a role"):
        people.holders("fay")


# -- asking as a person ---------------------------------------------------------------

def test_a_person_is_answered_as_the_role_with_the_fewest_obligations(people):
    a = people.may("fay", "buy", amount=3000, on="2027-07-05")  # buyer (nothing) and ops (inform cfo) both may
    assert a and a.person == "fay" and a.role == "buyer" and a.inform == ()
    b = people.may("fay", "buy", amount=30_000, on="2027-07-05")  # only as ops
    assert b and b.role == "ops" and b.inform == ("cfo",)
    assert "as ops" in b.explain()
    assert b.to_dict()["person"] == "fay"


def test_a_persons_no_gives_the_first_reason_of_their_roles_and_escalates_with_names(people):
    a = people.may("fay", "buy", amount=30_000, on="2027-03-01")
    assert not a and a.reason == "outside_limits" and a.role == "buyer"
    assert a.escalate_to == ("ops",)
    assert a.escalate_persons == {"ops": ("eva",)}  # fay's cover is over; a role nobody holds is passed over
    assert "take it to: ops (eva)." in a.explain()
    assert "fay" not in a.escalate_persons["ops"]


def test_nobody_approves_their_own_claim_in_any_role(people):
    mine = people.may("eva", "claim", amount=500, claimant="eva", on="2027-03-01")
    assert not mine and mine.reason == "forbidden"
    assert [r.line for r in mine.because] == [20]
    assert mine.escalate_to == ("board",)  # up eva's line: ceo holds nothing for claims, the board may
    assert mine.escalate_persons == {"board": ("zoe",)}
    other = people.may("eva", "claim", amount=500, claimant="fay", on="2027-03-01")
    assert other and other.role == "ops"


def test_reports_to_and_under_are_about_the_role_being_exercised(people):
    # fay covers ops in July: gus (buyer) reports to ops, so fay may approve his claim then, and not after.
    assert people.may("fay", "claim", amount=500, claimant="gus", on="2027-07-05")
    late = people.may("fay", "claim", amount=500, claimant="gus", on="2027-08-01")
    assert not late and late.escalate_to == ("ops",) and late.escalate_persons == {"ops": ("eva",)}
    # bo (cfo) does not report to ops: eva may not approve bo's claim as ops.
    assert not people.may("eva", "claim", amount=500, claimant="bo", on="2027-03-01")


def test_the_two_person_rule_holds_between_people(people):
    """gus holds treasurer himself: as treasurer his purchase needs a treasurer's agreement — not his own."""
    a = people.may("gus", "buy", amount=7000, on="2027-03-01")
    assert a and a.role == "treasurer" and a.agreement == ("treasurer",)
    assert a.cosigners == {"treasurer": ()}
    assert "nobody but gus holds it" in a.explain()


def test_rules_that_speak_of_me_cannot_be_asked_as_a_role(people):
    for role in ("ops", "cfo", "board"):  # `nobody may … when claimant is me` binds every role
        with pytest.raises(dr.InvalidRequest, match="speak of `me`"):
            people.may(role, "claim", amount=500, claimant="fay")
    with pytest.raises(dr.InvalidRequest, match="speak of `me`"):
        people.who_may("claim", amount=500, claimant="fay")
    assert people.may("buyer", "buy", amount=100)  # a decision without `me` still answers roles


def test_bad_person_requests_are_invalid(people):
    with pytest.raises(dr.InvalidRequest, match="not a role or a person"):
        people.may("zed", "buy", amount=1)
    with pytest.raises(dr.InvalidRequest, match="names a person"):
        people.may("eva", "claim", amount=1, claimant="zed")
    with pytest.raises(dr.InvalidRequest, match="no attribute"):  # a fact about `me` is never given
        people.may("eva", "claim", amount=1, claimant="fay", **{"claimant is me": False})


def test_who_may_with_people_names_each_role_and_its_persons(people):
    assert people.who_may("claim", amount=500, claimant="gus", on="2027-07-05", people=True) == \
        {"ops": ("eva", "fay"), "cfo": ("bo",), "board": ("zoe",)}
    # bo's own claim: not bo (`claimant is me`), and eva and fay (ops) are not over bo: only the board.
    assert people.who_may("claim", amount=500, claimant="bo", on="2027-07-05", people=True) == {"board": ("zoe",)}


def test_a_person_who_holds_no_role_that_day(tmp_path):
    csv = tmp_path / "people.csv"
    csv.write_text("person,roles,from,until\nhal,ops,2027-01-01,2027-01-31\n", encoding="utf-8")
    charter = dr.loads(PEOPLE, people=csv)
    assert charter.may("hal", "buy", amount=1, on="2027-01-10").role == "ops"
    a = charter.may("hal", "buy", amount=1, on="2027-03-01")
    assert not a and a.reason == "not_granted" and a.role is None
    assert "hal holds no role on 2027-03-01" in a.explain()
    # On no line that day: every role in which another person may decide it, with those persons.
    assert a.escalate_persons == {"ops": ("eva",), "buyer": ("fay", "gus"), "treasurer": ("gus",)}


def test_the_northwind_examples_ask_as_people(northwind):
    a = northwind.may("eva", "expense", amount=500, claimant="fay", on="2027-03-01")
    assert a and a.role == "ops_manager"
    b = northwind.may("ana", "expense", amount=500, claimant="ana", on="2027-03-01")
    assert not b and b.escalate_persons == {"board": ("zoe",)}


# -- the charter's own lines, checked ------------------------------------------------

def errors(text: str) -> list[tuple[str, int]]:
    with pytest.raises(dr.CharterError) as exc:
        dr.loads(text)
    return [(d.code, d.span.line) for d in exc.value.diagnostics]


def test_people_lines_are_checked():
    head = 'charter "t"\nrole a\nrole b reports to a\n'
    assert errors(head + "person a holds b\n") == [("DR113", 4)]  # persons and roles share one namespace
    assert errors(head + "person x holds a\nperson x holds b\n") == [("DR107", 5)]
    assert errors(head + "person x holds c\n") == [("DR101", 4)]
    assert errors(head + "person x holds a\ny acts as b from 2027-01-01\n") == [("DR114", 5)]
    assert errors(head + "person x holds a\nx acts as b from 2027-02-01 until 2027-01-01\n") == [("DR126", 5)]
    assert errors(head + "incompatible a, b\nperson x holds a, b\n") == [("DR115", 5)]


def test_incompatible_roles_at_overlapping_dates_only():
    head = 'charter "t"\nrole a\nrole b reports to a\nincompatible a, b\nperson y holds b\n'
    assert errors(head + "person x holds a\nx acts as b from 2027-01-01 until 2027-01-31\n") == [("DR115", 7)]


def test_a_person_attribute_is_compared_with_me_or_with_a_named_person():
    head = 'charter "t"\nrole a\nrole b reports to a\nperson x holds a\nperson y holds b\n' \
           'decision d { who: person\n n: number }\n'
    assert errors(head + "a may decide d when n is me\n") == [("DR104", 8)]
    assert errors(head + "a may decide d when who\n") == [("DR104", 8)]
    assert errors(head + "a may decide d when who > x\n") == [("DR104", 8)]
    assert errors(head + "a may decide d when who == a\n") == [("DR114", 8)]  # a role, not a person
    named = dr.loads(head + "b may decide d when who == x or who in [y]\n")
    assert named.may("b", "d", who="x", n=1) and named.may("b", "d", who="y", n=1)
    held = named.authority_of("b")["d"]
    assert held.text == "who in [x, y]"
    with pytest.raises(dr.InvalidRequest, match="names a person"):
        named.may("b", "d", who="z", n=1)


# -- a directory file beside the charter ------------------------------------------------

BARE = PEOPLE.replace("person zoe holds board\n", "").replace("person ana holds ceo\n", "")


def test_a_directory_file_adds_up_with_the_charters_own_lines(tmp_path):
    csv = tmp_path / "people.csv"
    csv.write_text("person,roles,from,until\nzoe,board,,\nana,ceo,,\nana,cfo,2027-05-01,2027-05-31\n",
                   encoding="utf-8")
    charter = dr.loads(BARE, people=csv)
    assert charter.persons[:2] == ("bo", "eva") and set(charter.persons) >= {"zoe", "ana"}
    assert charter.roles_of("ana", on="2027-05-10") == ("ceo", "cfo")
    again = dr.loads(BARE).with_people(csv)
    assert again.roles_of("ana", on="2027-05-10") == ("ceo", "cfo")
    assert again.may("ana", "claim", amount=500, claimant="eva", on="2027-05-10").role == "cfo"


def test_a_bad_directory_row_is_located_in_the_directory(tmp_path):
    csv = tmp_path / "people.csv"
    csv.write_text("person,roles\nzoe,board\nbo,cfo\nann,chief\n", encoding="utf-8")
    with pytest.raises(dr.CharterError) as exc:
        dr.loads(BARE, people=csv)
    found = [(d.code, d.path, d.span.line) for d in exc.value.diagnostics]
    assert ("DR107", str(csv), 3) in found  # bo is on a `person` line of the charter too
    assert ("DR129", str(csv), 4) in found  # no role `chief`
    assert "Traceback" not in exc.value.render()


def test_incompatible_roles_from_the_directory(tmp_path):
    text = BARE.replace("person bo holds cfo\n", "incompatible cfo, treasurer\nperson bo holds cfo\n")
    csv = tmp_path / "people.json"
    csv.write_text('[{"person": "zoe", "roles": ["board"]}, {"person": "dan", "roles": ["cfo", "treasurer"]}]',
                   encoding="utf-8")
    with pytest.raises(dr.CharterError) as exc:
        dr.loads(text, people=csv)
    assert [(d.code, d.path) for d in exc.value.diagnostics] == [("DR115", str(csv))]


# -- the laws -------------------------------------------------------------------------------

@st.composite
def holdings(draw, roles: tuple[str, ...]) -> list[str]:
    """`person` lines for a few persons over the charter's roles, and perhaps an acting cover."""
    lines = []
    for i in range(draw(st.integers(1, 3))):
        held = draw(st.lists(st.sampled_from(roles), min_size=1, max_size=2, unique=True))
        lines.append(f"person pp{i}q holds {', '.join(held)}")
    if draw(st.booleans()):  # someone who holds every role: the choice among roles matters most for them
        lines.append(f"person ppallq holds {', '.join(roles)}")
    if draw(st.booleans()):
        day = draw(st.sampled_from(["2026-11-01", "2026-12-01", "2027-01-15"]))
        lines.append(f"pp0q acts as {draw(st.sampled_from(roles))} from {day} until 2027-01-31")
    return lines


@given(st.data())
def test_law_14_a_person_is_allowed_exactly_when_one_of_their_roles_is(data):
    """Law 14 (with no `me` rule): allowed as a person ⇔ some role they hold that day is allowed; and the
    same people from a directory file (CSV or JSON) give the same answers as the charter's own lines."""
    text = data.draw(dt.charters(), label="charter")
    drawn = data.draw(dt.people(text), label="people")
    charter = dr.loads(str(text) + "\n" + "\n".join(drawn.lines) + "\n")
    directory = dr.loads(str(text), people=(drawn.csv if data.draw(st.booleans()) else drawn.json).encode())
    for req in data.draw(st.lists(dt.requests(text), min_size=1, max_size=3), label="requests"):
        for person in drawn.persons:
            a = charter.may(person, req.decision, on=req.on, **req.attributes)
            b = directory.may(person, req.decision, on=req.on, **req.attributes)
            assert (bool(a), a.role, a.reason) == (bool(b), b.role, b.reason)
        for person in charter.persons:
            held = charter.roles_of(person, on=req.on)
            answer = charter.may(person, req.decision, on=req.on, **req.attributes)
            by_role = [charter.may(r, req.decision, on=req.on, **req.attributes) for r in held]
            assert bool(answer) == any(by_role), (person, held)
            if answer:
                assert answer.role in held and charter.may(answer.role, req.decision, on=req.on,
                                                           **req.attributes)
                fewest = min(len(a.obligations) for a in by_role if a)
                assert len(answer.obligations) == fewest


@given(st.data())
def test_law_15_an_is_me_forbid_cannot_be_passed_in_another_role(data):
    """Law 15: `R may not decide D when who is me` refuses a person holding R a request naming themselves in
    every role they hold (asking in another role does not pass it); other requests are answered as without it."""
    roles = ("r0", "r1", "r2")
    lines = data.draw(holdings(roles), label="people")
    grants = data.draw(st.lists(st.sampled_from(roles), min_size=1, unique=True), label="granted roles")
    bound = data.draw(st.sampled_from(roles), label="the role the forbid binds")
    base = ('charter "law 15"\ncurrency EUR\nrole r0\nrole r1, r2 reports to r0\n'
            "decision d { amount: money\n  who: person }\n"
            + "".join(f"{r} may decide d when amount <= {(i + 1) * 1000}\n" for i, r in enumerate(grants))
            + "\n".join(lines) + "\n")
    guarded = dr.loads(base + f"{bound} may not decide d when who is me\n")
    amount = data.draw(st.sampled_from([1, 1000, 2000, 3000, 5000]), label="amount")
    day = date(2027, 1, 20)
    for person in guarded.persons:
        held = guarded.roles_of(person, on=day)
        by_grants = any(r in grants and amount <= (grants.index(r) + 1) * 1000 for r in held)
        mine = guarded.may(person, "d", amount=amount, who=person, on=day)
        if bound in held:
            assert not mine and mine.reason == "forbidden", (person, held)
        else:
            assert bool(mine) == by_grants, (person, held)
        for other in guarded.persons:
            if other != person:
                assert bool(guarded.may(person, "d", amount=amount, who=other, on=day)) == by_grants


@given(st.data())
def test_law_19_a_charter_without_part_two_answers_as_before(data):
    """Law 19: adding people to a Part I charter changes no answer asked as a role."""
    text = data.draw(dt.charters(), label="charter")
    drawn = data.draw(dt.people(text), label="people")
    before, after = dr.loads(str(text)), dr.loads(str(text) + "\n" + "\n".join(drawn.lines) + "\n")
    for req in data.draw(st.lists(dt.requests(text), min_size=1, max_size=3), label="requests"):
        a = before.may(req.role, req.decision, on=req.on, **req.attributes)
        b = after.may(req.role, req.decision, on=req.on, **req.attributes)
        assert (bool(a), a.reason, a.obligations, a.escalate_to) == (bool(b), b.reason, b.obligations, b.escalate_to)


def test_a_directory_full_of_clashes_is_reported_under_the_same_cap_with_its_rows_shown(tmp_path):
    csv = tmp_path / "people.csv"
    csv.write_text("person,roles\n" + "".join(f"p{i},chief\n" for i in range(700)), encoding="utf-8")
    with pytest.raises(dr.CharterError) as exc:
        dr.loads(BARE, people=csv)
    diags = exc.value.diagnostics
    assert len(diags) == 500 and all(d.code == "DR129" and d.path == str(csv) for d in diags)
    assert "and 200 more errors" in " ".join(diags[-1].notes)
    assert "p0,chief" in exc.value.render()  # the row itself, under the message
