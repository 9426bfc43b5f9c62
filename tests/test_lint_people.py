"""Lint rules about people (issue 15): vacancy (DR212), acting overlap (DR213), separation-of-duties gap
(DR214), person without a role (DR215), and the incompatible roles of a directory file (DR115)."""

from __future__ import annotations

from datetime import date

import decisionrights as dr
from decisionrights.analysis.lint import lint_text
from decisionrights.syntax.directory import read_directory

from helpers import SPEC_EXAMPLES


ON = date(2026, 11, 28)
NORTHWIND = SPEC_EXAMPLES / "northwind-people.charter"

HEAD = """charter "People"
currency EUR
role ceo
role cfo reports to ceo
role buyer reports to ceo
decision expense {
  amount: money
  claimant: person
}
ceo may decide expense
cfo may decide expense when amount <= 20k
buyer may decide expense when amount <= 1k
"""


def found(text: str, code: str, directory=None, on: date = ON) -> list[dr.Diagnostic]:
    return [d for d in lint_text(text, "p.charter", on=on, directory=directory) if d.code == code]


def csv(text: str, name: str = "people.csv"):
    return read_directory(text.encode(), name)


# -- DR212 vacancy --------------------------------------------------------------


def test_a_role_that_decides_and_nobody_holds_is_vacant():
    [d] = found(HEAD + "person ana holds ceo\nperson fay holds buyer\n", "DR212")
    assert (d.severity, d.span.line, d.span.column) == (dr.Severity.WARNING, 4, 6)
    assert d.message == "role `cfo` is vacant on 2026-11-28: nobody holds it, and it may decide `expense`"


def test_no_vacancy_without_people_nor_for_a_role_that_decides_nothing():
    assert found(HEAD, "DR212") == []
    text = HEAD.replace("cfo may decide expense when amount <= 20k\n", "") + "person ana holds ceo\n" \
        "person fay holds buyer\n"
    assert found(text, "DR212") == []


def test_a_cover_fills_a_vacancy_on_its_days_only():
    text = HEAD + "person ana holds ceo\nperson fay holds buyer\nfay acts as cfo from 2026-11-01 until 2026-11-30\n"
    assert found(text, "DR212") == []
    assert [d.span.line for d in found(text, "DR212", on=date(2026, 12, 1))] == [4]


def test_a_directory_fills_roles():
    text = HEAD + "person ana holds ceo\n"
    assert [d.message.split(":")[0] for d in found(text, "DR212")] == [
        "role `cfo` is vacant on 2026-11-28", "role `buyer` is vacant on 2026-11-28"]
    assert found(HEAD, "DR212", csv("person,roles\nana,ceo\nbo,cfo\nfay,buyer\n")) == []


# -- DR213 acting overlap -------------------------------------------------------


PEOPLE = "person ana holds ceo\nperson bo holds cfo\nperson fay holds buyer\nperson gus holds buyer\n"


def test_two_covers_of_one_role_on_the_same_days():
    text = HEAD + PEOPLE + ("fay acts as cfo from 2027-07-01 until 2027-07-14\n"
                            "gus acts as cfo from 2027-07-14 until 2027-07-21\n")
    [d] = found(text, "DR213")
    assert (d.severity, d.span.line) == (dr.Severity.WARNING, 18)
    assert d.message == "`gus` and `fay` both cover `cfo` from 2027-07-14 until 2027-07-14"
    assert [(lab.span.line, lab.message) for lab in d.labels] == [(17, "fay covers cfo here")]


def test_covers_back_to_back_or_by_one_person_are_fine():
    back_to_back = HEAD + PEOPLE + ("fay acts as cfo from 2027-07-01 until 2027-07-14\n"
                                    "gus acts as cfo from 2027-07-15 until 2027-07-21\n")
    assert found(back_to_back, "DR213") == []
    one_person = HEAD + PEOPLE + ("fay acts as cfo from 2027-07-01 until 2027-07-14\n"
                                  "fay acts as ceo from 2027-07-10 until 2027-07-21\n")
    assert found(one_person, "DR213") == []


def test_overlapping_covers_in_a_directory_are_located_there():
    people = csv("person,roles,from,until\nana,ceo,,\nbo,cfo,,\nfay,buyer,,\ngus,buyer,,\n"
                 "fay,cfo,2027-07-01,2027-07-14\ngus,cfo,2027-07-10,\n")
    [d] = found(HEAD, "DR213", people)
    assert (d.path, d.span.line) == ("people.csv", 7)
    assert d.message == "`gus` and `fay` both cover `cfo` from 2027-07-10 until 2027-07-14"


# -- DR214 separation-of-duties gap ---------------------------------------------


SOD = """charter "Own claims"
currency EUR
role board
role ceo reports to board
person zoe holds board
person ana holds ceo
decision expense {
  amount: money
  claimant: person
}
board may decide expense
ceo may decide expense when amount <= 20k
nobody may decide expense when claimant is me
"""


def test_the_top_roles_own_claim_has_nobody_to_decide_it():
    [d] = found(SOD, "DR214")
    assert (d.severity, d.span.line) == (dr.Severity.INFO, 13)
    assert d.message == ("a separation-of-duties gap: nobody may decide `expense` when `claimant` is `zoe` (board)"
                         " and amount > 20k: the `claimant is me` rule (line 13) stops them, and nobody else may")
    assert d.notes == ("for example: amount = 30k EUR, claimant = zoe escalates to nobody",)


def test_the_example_really_has_nobody_to_decide_it():
    """The finding agrees with the engine: asked as every person, nobody may decide zoe's 30k claim; 20k, ana may."""
    charter = dr.loads(SOD)
    assert charter.who_may("expense", amount="30k", claimant="zoe", on=ON, people=True) == {}
    assert charter.who_may("expense", amount="20k", claimant="zoe", on=ON, people=True) == {"ceo": ("ana",)}


def test_northwind_the_boards_own_claim_above_20k():
    [d] = [d for d in lint_text(NORTHWIND.read_text(), "n.charter", on=ON) if d.code == "DR214"]
    assert d.span.line == 41 and "`claimant` is `zoe` (board) and amount > 20k" in d.message
    charter = dr.load(NORTHWIND)
    assert charter.who_may("expense", amount="30k", claimant="zoe", on=ON, people=True) == {}


def test_no_sod_gap_when_somebody_else_may_decide_it():
    text = SOD.replace("person zoe holds board\n", "person zoe holds board\nperson yan holds board\n")
    assert found(text, "DR214") == []  # yan decides zoe's claims, zoe yan's
    text = SOD.replace("nobody may decide expense when claimant is me",
                       "ceo may not decide expense when claimant is me")
    assert found(text, "DR214") == []  # the board may decide its own claim


def test_a_sod_gap_without_people_reads_each_role_as_held_by_one_person():
    text = SOD.replace("person zoe holds board\nperson ana holds ceo\n", "")
    [d] = found(text, "DR214")
    assert "`claimant` is the holder of board and amount > 20k" in d.message
    assert d.notes == ("for example: amount = 30k EUR escalates to nobody",)


def test_no_sod_gap_for_a_request_nobody_would_be_allowed_anyway():
    text = SOD.replace("board may decide expense\n", "")
    [d] = found(text, "DR214")  # ana's own claim up to 20k; above 20k is DR207's gap, not this
    assert "`claimant` is `ana` (ceo) and amount <= 20k" in d.message


# -- DR215 person without a role ------------------------------------------------


def test_a_person_whose_every_row_is_over():
    people = csv("person,roles,from,until\nana,ceo,,\nbo,cfo,,\nfay,buyer,,\ndee,buyer,2026-01-01,2026-03-31\n"
                 "dee,cfo,2027-01-01,\n")
    [d] = found(HEAD, "DR215", people)
    assert (d.severity, d.path, d.span.line) == (dr.Severity.WARNING, "people.csv", 5)
    assert d.message == ("`dee` holds no role on 2026-11-28: buyer from 2026-01-01 until 2026-03-31; "
                         "cfo from 2027-01-01 until further notice")
    assert found(HEAD, "DR215", people, on=date(2026, 3, 31)) == []


def test_a_charter_loaded_with_a_directory_lints_its_people(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("person,roles,from,until\nana,ceo,,\nfay,buyer,,\ndee,buyer,2026-01-01,2026-03-31\n")
    charter = dr.loads(HEAD, "p.charter", people=path)
    codes = {(d.code, d.span.line) for d in dr.lint(charter, on=ON)}
    assert ("DR215", 4) in codes and ("DR212", 4) in codes  # dee's row; cfo's declaration


# -- DR115 from a directory, and northwind --------------------------------------


def test_incompatible_roles_in_a_directory_are_reported_at_its_row():
    text = HEAD + "incompatible cfo, buyer\n"
    people = csv("person,roles\nana,ceo\nbo,cfo\nfay,buyer;cfo\n")
    [d] = found(text, "DR115", people)
    assert (d.severity, d.path, d.span.line) == (dr.Severity.ERROR, "people.csv", 4)
    assert "`fay` holds `buyer` and `cfo`" in d.message


def test_northwind_has_no_people_warnings():
    text = NORTHWIND.read_text()
    diags = lint_text(text, "northwind-people.charter", on=ON)
    assert [d for d in diags if d.severity is not dr.Severity.INFO] == []
    assert not {"DR212", "DR213", "DR215"} & {d.code for d in diags}
    # on fay's cover days too
    diags = lint_text(text, "northwind-people.charter", on=date(2027, 7, 5))
    assert [d for d in diags if d.severity is not dr.Severity.INFO] == []


def _random_charter(rng) -> tuple[str, str, list[str]]:
    """A small charter with people, an `is me` rule, and the same charter without that rule."""
    roles = [f"r{i}" for i in range(5)]
    lines = ['charter "Random"', "currency EUR", "role r0"]
    lines += [f"role r{i} reports to r{rng.randrange(i)}" for i in range(1, 5)]
    lines += ["decision expense {", "  amount: money", "  claimant: person", "}"]
    for r in roles:
        if rng.random() < 0.45:
            extra = rng.choice(["", " and claimant reports to me", " and claimant under me",
                                " and claimant is not me"])
            lines.append(f"{r} may decide expense when amount <= {rng.choice([1, 5, 20])}k{extra}")
    persons = [f"p{j}" for j in range(rng.randrange(1, 5))]
    for p in persons:
        held = sorted(set(rng.sample(roles, rng.choice([1, 1, 2]))))
        lines.append(f"person {p} holds {', '.join(held)}")
    base = "\n".join(lines) + "\n"
    who = rng.choice(["nobody", *roles])
    rule = f"{who} may not decide expense when claimant is me" if who != "nobody" else \
        "nobody may decide expense when claimant is me"
    extra = rng.choice(["", "r1 may not decide expense when claimant reports to me and amount > 1k\n"])
    return base + extra + rule + "\n", base + extra, persons


def test_sod_gap_agrees_with_asking_every_person():
    """Exactness, by the engine: a claim by p is in DR214's region exactly when p may decide it but for the
    `is me` rule (the charter without it says yes) and no person may decide it (with it)."""
    import random

    rng = random.Random(15)
    amounts = ["500", "1k", "3k", "5k", "10k", "20k", "30k"]
    for _ in range(200):
        text, without, persons = _random_charter(rng)
        charter, loose = dr.loads(text), dr.loads(without)
        holes = [d for d in lint_text(text, "r.charter", on=ON) if d.code == "DR214"]
        for p in persons:
            if not charter.roles_of(p, on=ON):
                continue
            mine = [d for d in holes if f"`{p}`" in d.message]
            for amount in amounts:
                expected = bool(loose.may(p, "expense", amount=amount, claimant=p, on=ON)) and not any(
                    charter.who_may("expense", amount=amount, claimant=p, on=ON, people=True).values())
                reported = any(_in_region(d.message, amount) for d in mine)
                assert reported == expected, (text, p, amount, [d.message for d in holes])


def _in_region(message: str, amount: str) -> bool:
    """Does the finding's region hold this amount? (Its region reads only `amount`.)"""
    tail = message.split(") and ", 1)[1].split(": the `", 1)[0] if ") and " in message else "true"
    charter = dr.loads('charter "R"\ncurrency EUR\nrole a\ndecision d {\n  amount: money\n}\n'
                       f"a may decide d when {tail}\n" if tail != "true" else
                       'charter "R"\ncurrency EUR\nrole a\ndecision d {\n  amount: money\n}\na may decide d\n')
    return bool(charter.may("a", "d", amount=amount))


def test_no_vacancy_while_a_broken_person_line_misspells_the_role():
    text = HEAD + "person ana holds ceo\nperson fay holds buyer\nperson bo holds cf0\n"
    codes = [d.code for d in lint_text(text, "p.charter", on=ON)]
    assert "DR101" in codes and "DR212" not in codes
