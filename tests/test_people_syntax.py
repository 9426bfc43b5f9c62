"""People in the language, the syntax layer (issue 15, §11-§12 of the spec): grammar, model, builders, fmt, hints.

Everything here is at the syntax level (`syntax.parse.parse`, `syntax.fmt`): compiling and deciding
with people is built on top of this model (compile/, decide/).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from decisionrights.errors import ParseError
from decisionrights.source import Source, Span
from decisionrights.syntax import model as m
from decisionrights.syntax.fmt import format_text
from decisionrights.syntax.parse import build_from_tree, parse, parse_piece, reserved_words

from helpers import CORPUS, SPEC_EXAMPLES, assert_golden

PEOPLE = SPEC_EXAMPLES / "northwind-people.charter"
SIGNATURES = SPEC_EXAMPLES / "northwind-signatures.charter"

HEAD = ('charter "N"\nrole cfo\nrole controller, treasurer reports to cfo\n'
        "decision expense {\n  amount: money\n  claimant: person\n}\n")
HEAD_LINES = HEAD.count("\n")


def p(text: str) -> m.CharterModel:
    return parse(Source(text, "<test>"))


def last(body: str) -> Any:
    """The last statement of HEAD + body; `body` starts on line HEAD_LINES + 1."""
    return p(HEAD + body).statements[-1]


def name(value: str, line: int, column: int) -> m.Name:
    return m.Name(span=Span(line, column, line, column + len(value)), value=value)


def shape(value: Any) -> Any:
    """A model without its spans: what the charter says, not where."""
    if isinstance(value, m.Node):
        return (type(value).__name__,) + tuple((k, shape(v)) for k, v in value.__dict__.items() if k != "span")
    if isinstance(value, tuple):
        return tuple(shape(v) for v in value)
    return value


def error(text: str) -> Any:
    with pytest.raises(ParseError) as info:
        p(text)
    return info.value.diagnostics[0]


# -- statements: the exact model, spans included ---------------------------------------------------------

def test_person_holds_roles():
    line = HEAD_LINES + 1
    got = last("person gus holds controller, treasurer\n")
    assert got == m.PersonDecl(span=Span(line, 1, line, 39), name=name("gus", line, 8),
                               roles=(name("controller", line, 18), name("treasurer", line, 30)))


def test_person_holds_one_role():
    line = HEAD_LINES + 1
    assert last("person ana holds cfo\n") == m.PersonDecl(
        span=Span(line, 1, line, 21), name=name("ana", line, 8), roles=(name("cfo", line, 18),))


def _date(text: str, line: int, column: int) -> m.Literal:
    return m.Literal(span=Span(line, column, line, column + 10), kind="date", value=date.fromisoformat(text),
                     text=text)


def test_acting_with_both_dates():
    line = HEAD_LINES + 1
    got = last("fay acts as controller from 2027-07-01 until 2027-07-14\n")
    assert got == m.ActingDecl(span=Span(line, 1, line, 56), person=name("fay", line, 1),
                               role=name("controller", line, 13), start=_date("2027-07-01", line, 29),
                               end=_date("2027-07-14", line, 46))


@pytest.mark.parametrize("clauses,start,end", [
    ("", None, None),
    (" from 2027-07-01", "2027-07-01", None),
    (" until 2027-07-14", None, "2027-07-14"),
])
def test_acting_dates_are_optional(clauses, start, end):
    got = last(f"fay acts as cfo{clauses}\n")
    assert got.person.value == "fay" and got.role.value == "cfo"
    assert (got.start.value.isoformat() if got.start else None) == start
    assert (got.end.value.isoformat() if got.end else None) == end
    assert got.span.end_column == len(f"fay acts as cfo{clauses}") + 1


def test_acting_dates_come_from_then_until():
    assert error(HEAD + "fay acts as cfo until 2027-07-14 from 2027-07-01\n").code == "DR001"


def test_a_bad_acting_date_is_located():
    diag = error(HEAD + "fay acts as cfo from 2027-02-30\n")
    assert diag.code == "DR003"
    assert diag.span == Span(HEAD_LINES + 1, 22, HEAD_LINES + 1, 32)


def test_incompatible_roles():
    line = HEAD_LINES + 1
    got = last("incompatible treasurer, controller, cfo\n")
    assert got == m.IncompatibleDecl(span=Span(line, 1, line, 40), roles=(
        name("treasurer", line, 14), name("controller", line, 25), name("cfo", line, 37)))


def test_person_attribute():
    decision = p(HEAD).statements[-1]
    claimant = decision.attributes[1]
    assert claimant.name.value == "claimant"
    assert claimant.type == m.AttrType(span=Span(6, 13, 6, 19), kind="person", members=())
    assert claimant.default is None


def test_person_as_a_type_and_as_a_statement_in_one_charter():
    model = p(HEAD + "person bo holds cfo\ndecision d2 {\n  approver: person\n}\nperson cy holds controller\n")
    kinds = [type(s).__name__ for s in model.statements]
    assert kinds[-3:] == ["PersonDecl", "DecisionDecl", "PersonDecl"]
    assert model.statements[-2].attributes[0].type.kind == "person"


# -- conditions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text,relation", [
    ("claimant is me", "is"), ("claimant is not me", "is_not"),
    ("claimant reports to me", "reports_to"), ("claimant under me", "under"),
])
def test_me_tests(text, relation):
    line = HEAD_LINES + 1
    got = last(f"cfo may decide expense when {text}\n").condition
    assert got == m.MeTest(span=Span(line, 29, line, 29 + len(text)), attr=name("claimant", line, 29),
                           relation=relation)


def test_me_tests_wherever_a_condition_is():
    model = p(HEAD + "nobody may decide expense when claimant is me\n"
                     "cfo may not decide expense when not (claimant under me or amount > 5k)\n"
                     "cfo delegates expense to controller when claimant reports to me and amount <= 1k\n"
                     "    from 2027-01-01\n"
                     "treasurer may decide expense when (claimant is not me) and not claimant is me\n")
    forbid_all, forbid, delegation, grant = model.statements[-4:]
    assert shape(forbid_all.condition) == shape(m.MeTest(span=Span.point(1, 1), attr=name("claimant", 1, 1),
                                                         relation="is"))
    assert isinstance(forbid.condition, m.Not) and isinstance(forbid.condition.item, m.Or)
    assert forbid.condition.item.items[0].relation == "under"
    assert isinstance(delegation.condition, m.And) and delegation.condition.items[0].relation == "reports_to"
    assert delegation.start.value == date(2027, 1, 1)
    first, second = grant.condition.items
    assert first.relation == "is_not" and isinstance(second, m.Not) and second.item.relation == "is"


def test_a_person_name_is_compared_with_double_equals_and_named_in_expect():
    model = p(HEAD + "cfo may decide expense when claimant == bo\n"
                     "expect bo may not decide expense with amount = 5, claimant = bo escalates to nobody\n")
    grant, expect = model.statements[-2:]
    assert grant.condition.value.kind == "name" and grant.condition.value.value == "bo"
    assert expect.role.value == "bo" and expect.attributes[1].value.value == "bo"


# -- the spec's example, both builders ---------------------------------------------------------

def test_the_people_example_parses_with_every_new_node():
    model = p(PEOPLE.read_text(encoding="utf-8"))
    kinds = {type(s) for s in model.statements}
    assert {m.PersonDecl, m.ActingDecl, m.IncompatibleDecl} <= kinds
    persons = [s for s in model.statements if isinstance(s, m.PersonDecl)]
    assert [s.name.value for s in persons] == ["zoe", "ana", "bo", "cy", "dan", "eva", "fay", "gus"]
    assert [r.value for r in persons[-1].roles] == ["buyer", "treasurer"]
    relations = sorted(c.relation for s in model.statements if isinstance(s, (m.Grant, m.Forbid))
                       and s.condition is not None
                       for c in ([s.condition] + list(getattr(s.condition, "items", ())))
                       if isinstance(c, m.MeTest))
    assert relations == ["is", "reports_to", "under"]


@pytest.mark.parametrize("text", [
    PEOPLE.read_text(encoding="utf-8"),
    HEAD + "incompatible treasurer, controller\nperson gus holds controller, treasurer\n"
           "gus acts as cfo from 2027-07-01 until 2027-07-14\n"
           "cfo may decide expense when not (claimant is not me or claimant under me) and claimant reports to me\n",
    HEAD + "person me holds cfo\n",            # DR006: the same error both ways
    HEAD + "fay acts as cfo from 2027-13-01\n",  # DR003
    HEAD + "incompatible treasurer\n",          # a syntax error
])
def test_both_builders_agree_on_people(text):
    def outcome(build):
        try:
            return build()
        except Exception as exc:  # noqa: BLE001 - compared, not handled
            return type(exc).__name__, str(exc)
    assert outcome(lambda: parse_piece(text)) == outcome(lambda: build_from_tree(text))


# -- reserved words ---------------------------------------------------------------------------------

NEW_WORDS = ("person", "holds", "acts", "as", "incompatible", "is", "me", "under")


def test_the_new_words_are_reserved():
    assert set(NEW_WORDS) <= reserved_words()


@pytest.mark.parametrize("word", NEW_WORDS)
@pytest.mark.parametrize("template,what", [
    ("role {w}\n", "a role"),
    ("decision {w} {{\n  x: bool\n}}\n", "a decision"),
    ("decision d {{\n  {w}: bool\n}}\n", "an attribute"),
    ("person {w} holds cfo\n", "a person"),
])
def test_a_new_word_as_a_name_is_DR006(word, template, what):
    diag = error(HEAD + template.format(w=word))
    assert diag.code == "DR006", diag.message
    assert f"cannot name {what}" in diag.message


def test_a_reserved_word_in_other_letters_cannot_name_a_person():
    diag = error(HEAD + "person Me holds cfo\n")
    assert diag.code == "DR006" and "in other letters" in diag.message


# -- hints for the likely slips: every one located ------------------------------------------------------

SLIPS = [
    # text, span (line, column, end column) on its last line, words of the message, words of the help
    ("person ana hold cfo\n", (12, 16), "expected `holds`", "did you mean `holds`?"),
    ("person ana\n", None, "expected `holds`", "`person ana holds ROLE, …`"),
    ("fay acts as\n", (1, 12), "`fay acts as` needs the role fay covers", "`fay acts as ROLE from DATE"),
    ("fay acts as from 2027-07-01\n", (1, 12), "needs the role fay covers", "name the role after `acts as`"),
    ("fay acts as until 2027-07-14\ncfo may decide expense\n", (1, 12), "needs the role fay covers", None),
    ("fay acts cfo\n", (10, 13), "expected `as`", "`fay acts as ROLE from DATE until DATE`"),
    ("incompatible treasurer\n", (1, 23), "needs two or more roles", "`incompatible treasurer, ROLE`"),
    ("incompatible treasurer\ncfo may decide expense\n", (1, 23), "needs two or more roles", None),
    ("incompatible treasurer controller\n", (1, 23), "needs two or more roles, separated by commas", None),
    ("cfo may decide expense when claimant is bo\n", (41, 43), "only `me` may follow `is`",
     "compare the attribute: `claimant == bo`"),
    ("cfo may decide expense when claimant is not bo\n", (45, 47), "only `me` may follow `is not`",
     "`claimant == bo`"),
    ("cfo may decide expense when claimant reports to cfo\n", (49, 52),
     "only `me` may follow `reports to` in a condition: `claimant reports to me`", "`claimant under me`"),
    ("cfo may decide expense when claimant reports to\n", None, "only `me` may follow `reports to`", None),
    ("cfo may decide expense when claimant under bo\n", (44, 46), "only `me` may follow `under`", None),
    # the contextual lexer reads `me` and then `e` (as it reads `reports tox` as `reports to x`): the help still says
    ("cfo may decide expense when claimant is mee\n", None, "`mee`", "did you mean `me`?"),
]


@pytest.mark.parametrize("body,span,message,help", SLIPS, ids=[s[0].split("\n")[0] for s in SLIPS])
def test_slips_get_located_hints(body, span, message, help):
    diag = error(HEAD + body)
    assert diag.code == "DR001"
    assert message in diag.message
    if help is not None:
        assert help in (diag.help or ""), diag.help
    assert diag.span.line == HEAD_LINES + 1
    if span is not None:
        assert (diag.span.column, diag.span.end_column) == span, diag.span


def test_every_slip_is_found_in_one_run():
    with pytest.raises(ParseError) as info:
        p(HEAD + "person ana hold cfo\nfay acts as\nincompatible treasurer\n"
                  "cfo may decide expense when claimant is bo\n")
    assert [d.span.line for d in info.value.diagnostics] == [HEAD_LINES + n for n in (1, 2, 3, 4)]


# -- the formatter ----------------------------------------------------------------------------------

def test_the_people_example_is_a_fixed_point():
    text = PEOPLE.read_text(encoding="utf-8")
    assert format_text(text) == text


def _people_parts_of_signatures() -> str:
    """northwind-signatures.charter without what §13-§14 add (groups, quorum, `approve … up the line`)."""
    lines = SIGNATURES.read_text(encoding="utf-8").split("\n")
    kept = [line for line in lines if not re.match(r"(group |approve |\s+with agreement of \d)", line)
            and "agreement of" not in line]
    return "\n".join(kept)


def test_the_person_parts_of_the_signatures_example_are_a_fixed_point():
    text = _people_parts_of_signatures()
    model = p(text)
    assert any(isinstance(s, m.ActingDecl) for s in model.statements)
    assert format_text(text) == text


MESSY = """charter "N"
role cfo
role controller,treasurer reports to cfo
incompatible   treasurer ,controller   # SOX
# who holds what
person  gus holds controller,treasurer
fay   acts as cfo
    from 2027-07-01
    until 2027-07-14  # leave
decision expense {
  claimant :   person
}
cfo may decide expense when (claimant   reports to   me) and not(claimant is me)
nobody may decide expense
    when claimant    is not me or claimant under me
"""

CANONICAL = """charter "N"
role cfo
role controller, treasurer reports to cfo
incompatible treasurer, controller   # SOX
# who holds what
person gus holds controller, treasurer
fay acts as cfo from 2027-07-01 until 2027-07-14  # leave
decision expense {
  claimant: person
}
cfo may decide expense when claimant reports to me and not claimant is me
nobody may decide expense when claimant is not me or claimant under me
"""


def test_canonical_layout_of_people_statements():
    assert format_text(MESSY) == CANONICAL
    assert format_text(CANONICAL) == CANONICAL
    assert shape(p(MESSY)) == shape(p(CANONICAL))


FMT_PEOPLE = sorted((CORPUS / "fmt-people").glob("*.charter"))
"""Golden files for the people statements; they join tests/corpus/fmt once compile reads people (its laws load)."""


@pytest.mark.parametrize("path", FMT_PEOPLE, ids=lambda x: x.stem)
def test_fmt_people_golden(path):
    got = format_text(path.read_text(encoding="utf-8"), str(path))
    assert_golden(path.with_suffix(".formatted"), got)
    assert format_text(got) == got
    assert shape(p(got)) == shape(p(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", [PEOPLE, *FMT_PEOPLE], ids=lambda x: x.name)
def test_fmt_keeps_the_model(path):
    text = path.read_text(encoding="utf-8")
    once = format_text(text)
    assert shape(p(once)) == shape(p(text))
    assert format_text(once) == once


def test_not_around_a_me_test_and_parentheses_only_where_needed():
    text = HEAD + "cfo may decide expense when not (claimant is me or claimant under me) and claimant is not me\n"
    out = format_text(text)
    assert out.endswith("when not (claimant is me or claimant under me) and claimant is not me\n")
    assert shape(p(out)) == shape(p(text))


# -- law 11 over people statements, generated --------------------------------------------------------

_NAMES = st.sampled_from(("ana", "bo", "cy", "gus", "fay"))
_ROLES = st.sampled_from(("cfo", "controller", "treasurer"))
_DATES = st.dates(date(2026, 1, 1), date(2028, 12, 31)).map(date.isoformat)


@st.composite
def _me_condition(draw: Any, depth: int = 0) -> str:
    leaf = st.sampled_from(("claimant is me", "claimant is not me", "claimant reports to me",
                            "claimant under me", "amount <= 5k"))
    if depth >= 2 or draw(st.booleans()):
        return draw(leaf)
    kind = draw(st.sampled_from(("and", "or", "not", "()")))
    left = draw(_me_condition(depth + 1))
    if kind == "not":
        return f"not ({left})"
    if kind == "()":
        return f"({left})"
    return f"{left} {kind} {draw(_me_condition(depth + 1))}"


@st.composite
def _people_statement(draw: Any) -> str:
    kind = draw(st.sampled_from(("person", "acts", "incompatible", "grant", "forbid")))
    if kind == "person":
        roles = draw(st.lists(_ROLES, min_size=1, max_size=3))
        return f"person {draw(_NAMES)} holds {', '.join(roles)}"
    if kind == "acts":
        dates = "".join(f" {word} {draw(_DATES)}" for word in ("from", "until") if draw(st.booleans()))
        return f"{draw(_NAMES)} acts as {draw(_ROLES)}{dates}"
    if kind == "incompatible":
        return f"incompatible {', '.join(draw(st.lists(_ROLES, min_size=2, max_size=3)))}"
    cond = draw(_me_condition())
    if kind == "grant":
        return f"{draw(_ROLES)} may decide expense when {cond}"
    return f"nobody may decide expense when {cond}"


@given(st.lists(_people_statement(), min_size=1, max_size=6),
       st.lists(st.sampled_from((" ", "   ", "\n    ")), min_size=40, max_size=40))
def test_law_11_fmt_round_trips_people(statements, gaps):
    # Spread each statement's words with other spacing, line breaks and indents included.
    messy = []
    for stmt in statements:
        words = stmt.split(" ")
        out = words[0]
        for i, word in enumerate(words[1:]):
            out += gaps[i % len(gaps)] + word
        messy.append(out)
    text = HEAD + "\n".join(messy) + "\n"
    once = format_text(text)
    assert shape(p(once)) == shape(p(text))
    assert format_text(once) == once
    assert once == HEAD + "\n".join(format_text(HEAD + s + "\n")[len(HEAD):].rstrip("\n") for s in statements) + "\n"


def test_the_people_section_of_the_language_docs_parses_and_is_canonical():
    """docs/language.md shows the people syntax in a `charter` block (test_docs loads it and runs its expects)."""
    from helpers import ROOT

    section = (ROOT / "docs" / "language.md").read_text(encoding="utf-8").split("## People", 1)[1]
    block = re.search(r"```charter\n(.*?)```", section, re.S).group(1)
    kinds = {type(s) for s in p(block).statements}
    assert {m.PersonDecl, m.ActingDecl, m.IncompatibleDecl} <= kinds
    assert format_text(block) == block
