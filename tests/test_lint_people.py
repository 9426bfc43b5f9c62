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


def test_only_the_me_rule_blocks_a_request():
    [d] = found(SOD, "DR214")
    assert (d.severity, d.span.line) == (dr.Severity.INFO, 13)
    assert d.message == ("a separation-of-duties gap: nobody may decide `expense` when claimant is me, only "
                         "because of the `claimant is me` rule (line 13)")
    assert d.notes[0].startswith("for example: amount = 0 EUR, claimant is me — ")


def test_no_sod_gap_when_another_role_may_decide_it():
    text = SOD.replace("nobody may decide expense when claimant is me",
                       "ceo may not decide expense when claimant is me")
    assert found(text, "DR214") == []


def test_no_sod_gap_where_nothing_would_be_allowed_anyway():
    text = SOD.replace("board may decide expense\n", "")
    [d] = found(text, "DR214")
    assert "when amount <= 20k and claimant is me" in d.message


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
