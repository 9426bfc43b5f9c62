"""Directory files (`decisionrights.syntax.directory`): who holds which role, from CSV or JSON.

Each problem a dirty directory has is one diagnostic with its code, line and
column, every bad row in one run; the good paths agree across formats, BOMs,
line ends and column orders; and, as properties, valid holdings survive a
round trip through either format, and garbage bytes give a directory or a
`ParseError`, never anything else.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st

from decisionrights.errors import ParseError
from decisionrights.syntax import directory as d
from decisionrights.syntax.directory import Directory, Holding, read_directory

GOOD_CSV = (
    "person,roles,from,until\n"
    "ana,cfo,,\n"
    "ben,controller;treasurer,,\n"
    "dee,engineer,,\n"
    "dee,team_lead,2027-07-01,2027-07-14\n"
)
FACTS = (
    ("ana", "cfo", None, None),
    ("ben", "controller", None, None),
    ("ben", "treasurer", None, None),
    ("dee", "engineer", None, None),
    ("dee", "team_lead", date(2027, 7, 1), date(2027, 7, 14)),
)
GOOD_JSON = json.dumps([
    {"person": "ana", "roles": ["cfo"]},
    {"person": "ben", "roles": "controller;treasurer", "from": None},
    {"person": "dee", "roles": ["engineer"], "until": None},
    {"person": "dee", "roles": ["team_lead"], "from": "2027-07-01", "until": "2027-07-14"},
], indent=2)


def facts(directory: Directory) -> tuple[tuple[object, ...], ...]:
    return tuple((h.person, h.role, h.start, h.until) for h in directory.holdings)


def problems(raw: bytes | str, path: str = "people.csv", **kw: object) -> list[tuple[str, int, int]]:
    with pytest.raises(ParseError) as caught:
        read_directory(raw, path, **kw)  # type: ignore[arg-type]
    for diag in caught.value.diagnostics:
        assert diag.path == path and diag.help, diag
        diag.render()  # renders, with its source line, without an error
    return [(x.code, x.span.line, x.span.column) for x in caught.value.diagnostics if x.span is not None]


# -- good paths -----------------------------------------------------------------------------------

def test_a_csv_directory_gives_one_holding_per_person_and_role_with_its_place():
    got = read_directory(GOOD_CSV, "people.csv")
    assert got.format == "csv" and got.path == "people.csv"
    assert facts(got) == FACTS
    ben_treasurer = got.holdings[2]
    assert (ben_treasurer.span.line, ben_treasurer.person_span.column, ben_treasurer.role_span.column) == (3, 1, 16)
    assert got.holdings[4].role_span.column == 5
    assert got.persons() == ("ana", "ben", "dee")
    assert got.roles_of("dee", on=date(2027, 7, 2)) == ("engineer", "team_lead")
    assert got.roles_of("dee", on=date(2027, 7, 15)) == ("engineer",)
    assert got.holders("team_lead", on=date(2027, 7, 14)) == ("dee",)
    assert got.holders("team_lead", on=date(2027, 6, 30)) == ()


def test_json_and_csv_give_the_same_holdings_for_the_same_facts():
    from_json = read_directory(GOOD_JSON, "people.json")
    assert from_json.format == "json"
    assert from_json.holdings == read_directory(GOOD_CSV, "people.csv").holdings
    assert from_json.holdings[4].span.line == 20  # the object's first line
    assert from_json.holdings[0].person_span.line == 3  # the `"person"` key


def test_a_bom_crlf_and_a_reordered_header_read_the_same():
    plain = read_directory(GOOD_CSV, "people.csv").holdings
    bom = read_directory(b"\xef\xbb\xbf" + GOOD_CSV.encode(), "people.csv")
    crlf = read_directory(GOOD_CSV.replace("\n", "\r\n").encode(), "people.csv")
    rows = list(csv.reader(io.StringIO(GOOD_CSV)))
    reordered = io.StringIO()
    csv.writer(reordered).writerows([[r[3], r[1], r[0], r[2]] for r in rows])
    other_order = read_directory(reordered.getvalue(), "people.csv")
    assert bom.holdings == crlf.holdings == other_order.holdings == plain
    assert crlf.holdings[2].role_span.end_column == 25  # the carriage return is no part of the field
    assert read_directory(b"\xef\xbb\xbf" + GOOD_JSON.encode(), "people.json").holdings == plain
    assert read_directory("Person , ROLES\nana,cfo\n", "p.csv").holdings == (Holding("ana", "cfo"),)


def test_the_format_comes_from_the_suffix_else_from_the_content():
    assert read_directory(GOOD_JSON, "people").format == "json"
    assert read_directory(GOOD_CSV, "people").format == "csv"
    assert read_directory("[]", "people.json").holdings == ()
    assert read_directory("person,roles\n", "people.csv").holdings == ()


def test_quoted_fields_blank_lines_and_spaces_are_read_as_the_csv_module_reads_them():
    got = read_directory('person,roles\n"ana","cfo;treasurer"\n\n bo , ceo \n', "p.csv")
    assert facts(got) == (("ana", "cfo", None, None), ("ana", "treasurer", None, None), ("bo", "ceo", None, None))
    assert got.holdings[1].role_span.column == 12
    assert (got.holdings[2].span.line, got.holdings[2].person_span.column) == (4, 2)
    assert problems('person,roles\n"ana, jr",cfo\n') == [("DR124", 2, 2)]
    assert problems('person,roles\nana, "cfo"\n') == [("DR124", 2, 6)]  # a quote after a space is text


def test_the_keywords_cover_the_grammars_reserved_words():
    from decisionrights.syntax.parse import reserved_words

    assert reserved_words() <= d.KEYWORDS
    assert sorted(d.CODES) == [f"DR12{i}" for i in range(10)]


def test_the_padding_a_spreadsheet_writes_is_fine_while_it_stays_empty():
    padded = "person,roles,from,until,,\r\nana,cfo,,,,\r\n,,,,,\r\nben,controller;treasurer,,,,,,\r\n"
    assert facts(read_directory(padded, "people.csv")) == FACTS[:3]
    assert problems("person,roles,\nana,cfo,finance\n") == [("DR122", 2, 9)]


def test_a_file_separated_by_semicolons_is_told_so():
    with pytest.raises(ParseError) as caught:
        read_directory("person;roles;from;until\nana;cfo;;\n", "people.csv")
    assert any("separates its columns with `;`" in (x.help or "") for x in caught.value.diagnostics)


# -- each problem: its code, line and column ------------------------------------------------------

def test_bad_utf8_names_the_byte_and_where_it_is():
    with pytest.raises(ParseError) as caught:
        read_directory(b"person,roles\nan\xffa,cfo\nbo,\xe9\xe9\n", "people.csv")
    first, second = caught.value.diagnostics
    assert (first.code, first.span.line, first.span.column) == ("DR120", 2, 3)
    assert "0xff" in first.message
    assert (second.span.line, second.span.column) == (3, 4) and "0xe9 0xe9" in second.message


def test_an_empty_file_and_a_header_without_its_columns():
    assert problems("") == [("DR121", 1, 1)]
    assert problems(" \n\n") == [("DR121", 1, 1)]
    assert problems("", "people.json") == [("DR121", 1, 1)]
    got = problems("ana,cfo\nbo,ceo\n")
    assert ("DR121", 1, 1) in got  # no `person` column: the rows are not read
    assert all(line == 1 for _, line, _ in got)


def test_a_missing_unknown_or_repeated_column():
    assert problems("person,role\nana,cfo\n") == [("DR121", 1, 1), ("DR121", 1, 8)]
    assert problems("person,roles,department\nana,cfo,finance\n") == [("DR121", 1, 14)]
    assert problems("person,roles,person\nana,cfo,ana\n") == [("DR121", 1, 14)]


def test_a_row_with_too_many_or_too_few_fields():
    assert problems("person,roles,from,until\nana,cfo\nbo,ceo,,,x\ncy,ceo,,\n") == [("DR122", 2, 1),
                                                                                    ("DR122", 3, 1)]


def test_an_empty_person_or_role():
    assert problems("person,roles\n,cfo\nbo,\ncy,cfo;\n") == [("DR123", 2, 1), ("DR123", 3, 4), ("DR123", 4, 8)]


def test_a_name_that_is_not_a_charter_name():
    assert problems("person,roles\nana lima,cfo\n9bo,ceo\nme,ceo\ncy,team-lead\nNobody,ceo\n") == [
        ("DR124", 2, 1), ("DR124", 3, 1), ("DR124", 4, 1), ("DR124", 5, 4), ("DR124", 6, 1)]
    with pytest.raises(ParseError) as caught:
        read_directory("person,roles\nana\x00,cfo\n", "p.csv")
    assert "U+0000" in caught.value.diagnostics[0].message


def test_a_bad_date_and_dates_in_the_wrong_order():
    assert problems("person,roles,from,until\nana,cfo,2027-02-30,\nbo,ceo,,27-01-01\n") == [
        ("DR125", 2, 9), ("DR125", 3, 9)]
    assert problems("person,roles,from,until\nana,cfo,2027-03-01,2027-01-01\n") == [("DR126", 2, 9)]
    read_directory("person,roles,from,until\nana,cfo,2027-03-01,2027-03-01\n", "p.csv")  # one day is fine


def test_the_same_holding_twice_at_overlapping_dates():
    text = ("person,roles,from,until\n"
            "ana,cfo,,\n"
            "ana,ceo;cfo,2027-01-01,2027-02-01\n"      # overlaps the open-ended cfo above
            "bo,ceo,2027-01-01,2027-01-31\n"
            "bo,ceo,2027-02-01,2027-02-28\n"           # back to back: fine
            "bo,ceo,2027-02-28,2027-03-31\n")          # shares a day with the row above
    assert problems(text) == [("DR127", 3, 9), ("DR127", 6, 4)]


def test_json_that_does_not_parse_or_is_not_a_list_of_objects():
    assert problems('[{"person": "ana", "roles": ["cfo"]},\n {"person": "bo" "roles": []}]', "p.json") == [
        ("DR128", 2, 18)]
    assert problems('{"person": "ana"}', "p.json") == [("DR128", 1, 1)]
    assert problems('[{"person": "ana", "roles": ["cfo"]}, 3, "bo"]', "p.json") == [("DR128", 1, 39),
                                                                                    ("DR128", 1, 42)]
    assert problems('[{"person": "ana", "roles": ["cfo"]}] x', "p.json") == [("DR128", 1, 39)]
    assert problems('[{"person": "ana", "roles": ["cfo"]}', "p.json") == [("DR128", 1, 37)]


def test_json_fields_of_the_wrong_type_missing_or_unknown():
    text = ('[\n{"person": 1, "roles": ["cfo"]},\n{"person": "bo", "roles": [1]},\n'
            '{"person": "cy", "roles": ["cfo"], "from": 20270101},\n{"persn": "dee", "roles": ["cfo"]},\n'
            '{"person": "eva", "person": "eve", "roles": "cfo"}\n]')
    assert problems(text, "p.json") == [("DR128", 2, 12), ("DR128", 3, 27), ("DR128", 4, 44),
                                        ("DR121", 5, 1), ("DR121", 5, 2), ("DR121", 6, 19)]


def test_json_rows_share_the_checks_of_csv_rows():
    text = '[{"person": "ana", "roles": ["cfo", ""], "from": "2027-02-30"}, {"person": "ana", "roles": "cfo"}]'
    assert problems(text, "p.json") == [("DR123", 1, 37), ("DR125", 1, 50)]
    text = '[\n{"person": "roles", "roles": "9x"}]'  # the value `"roles"` is not the key
    assert problems(text, "p.json") == [("DR124", 2, 31)]
    text = '[{"person": "an a", "roles": ["cfo", "9x"]}, {"person": "ana", "roles": "cfo; 9y"}]'
    assert problems(text, "p.json") == [("DR124", 1, 13), ("DR124", 1, 38), ("DR124", 1, 79)]  # at each value


def test_an_unknown_role_when_the_charters_roles_are_given():
    with pytest.raises(ParseError) as caught:
        read_directory("person,roles\nana,cf0\nbo,Treasurer\ncy,zzz\n", "p.csv", roles=["cfo", "treasurer"])
    got = [(x.code, x.span.line, x.span.column, x.message) for x in caught.value.diagnostics]
    assert [g[:3] for g in got] == [("DR129", 2, 5), ("DR129", 3, 4), ("DR129", 4, 4)]
    assert "did you mean `cfo`" in got[0][3] and "did you mean `treasurer`" in got[1][3]
    assert "did you mean" not in got[2][3]
    read_directory("person,roles\nana,cfo\n", "p.csv", roles={"cfo"})


def test_every_bad_row_in_one_run_up_to_the_cap():
    text = "person,roles\n" + "".join(f"{i}bad,cfo\n" for i in range(d.MAX_ERRORS + 20))
    with pytest.raises(ParseError) as caught:
        read_directory(text, "p.csv")
    diags = caught.value.diagnostics
    assert len(diags) == d.MAX_ERRORS + 1
    assert [x.span.line for x in diags[:3]] == [2, 3, 4]
    assert diags[-1].code == "DR002" and "20 more" in diags[-1].message


def test_a_broken_quote_is_a_diagnostic_not_a_traceback():
    got = problems('person,roles\n"ana,cfo\nbo,ceo\n')
    assert got and all(code in ("DR122", "DR124") for code, _, _ in got)
    assert problems('person,roles\n"ana\njr",cfo\nbo,ceo\n') == [("DR124", 2, 2)]  # a field over two lines


def test_what_the_csv_module_cannot_read_is_said_in_plain_words():
    with pytest.raises(ParseError) as caught:
        read_directory('person,roles\nana\rbo,cfo\n"' + "a" * 200_000 + '",cfo\ncy,ceo\n', "p.csv")
    diags = caught.value.diagnostics
    assert [(x.code, x.span.line) for x in diags] == [("DR122", 2), ("DR122", 3)]
    assert "carriage return" in diags[0].message and "never closed" in (diags[1].help or "")
    assert all("universal-newline" not in x.message for x in diags)


# -- properties -----------------------------------------------------------------------------------

names = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True).filter(lambda n: n not in d.KEYWORDS)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@st.composite
def holdings(draw: st.DrawFn) -> list[Holding]:
    """Valid holdings: the same person and role appear again only at later, disjoint dates."""
    out: list[Holding] = []
    for person in draw(st.lists(names, min_size=0, max_size=6, unique=True)):
        for role in draw(st.lists(names, min_size=1, max_size=3, unique=True)):
            start = draw(st.none() | days)
            for _ in range(draw(st.integers(1, 3))):
                until = draw(st.none() | st.builds(lambda s, n: s + timedelta(days=n),
                                                   st.just(start or date(2020, 1, 1)), st.integers(0, 400)))
                out.append(Holding(person, role, start, until))
                if until is None:
                    break
                start = until + timedelta(days=draw(st.integers(1, 30)))
    return out


def as_csv(items: list[Holding], crlf: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(["until", "person", "from", "roles"])
    for h in items:
        writer.writerow([h.until or "", h.person, h.start or "", h.role])
    return out.getvalue()


def as_json(items: list[Holding]) -> str:
    return json.dumps([{"person": h.person, "roles": [h.role], "from": h.start and h.start.isoformat(),
                        "until": h.until and h.until.isoformat()} for h in items])


@given(holdings(), st.booleans(), st.booleans())
def test_valid_holdings_round_trip_through_csv_and_json(items: list[Holding], crlf: bool, bom: bool) -> None:
    text = as_csv(items, crlf)
    raw = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    assert read_directory(raw, "people.csv").holdings == tuple(items)
    assert read_directory(as_json(items), "people.json").holdings == tuple(items)


def grouped(items: list[Holding]) -> list[tuple[str, list[str], object, object]]:
    """The holdings as rows of several roles each: one row per person and dates, roles in order."""
    rows: dict[tuple[str, object, object], list[str]] = {}
    for h in items:
        rows.setdefault((h.person, h.start, h.until), []).append(h.role)
    return [(person, roles, start, until) for (person, start, until), roles in rows.items()]


@given(holdings())
def test_holdings_round_trip_with_several_roles_to_a_row(items: list[Holding]) -> None:
    rows = grouped(items)
    expected = sorted(((h.person, h.role, h.start, h.until) for h in items), key=str)
    text = "person,roles,from,until\n" + "".join(f"{p},{';'.join(r)},{s or ''},{u or ''}\n" for p, r, s, u in rows)
    from_csv = read_directory(text, "people.csv")
    as_list = json.dumps([{"person": p, "roles": r, "from": s and str(s), "until": u and str(u)} for p, r, s, u in rows])
    as_string = json.dumps([{"person": p, "roles": ";".join(r), "from": s and str(s)} | ({"until": str(u)} if u else {})
                            for p, r, s, u in rows])
    for got in (from_csv, read_directory(as_list, "people.json"), read_directory(as_string, "people.json")):
        assert sorted(facts(got), key=str) == expected


def test_a_directory_and_its_holdings_are_frozen():
    got = read_directory(GOOD_CSV, "people.csv")
    with pytest.raises(AttributeError):
        got.holdings[0].person = "eve"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        got.holdings = ()  # type: ignore[misc]
    assert hash(got.holdings[0]) == hash(Holding("ana", "cfo"))


@given(st.binary(max_size=300), st.sampled_from(["p.csv", "p.json", "p"]))
def test_garbage_bytes_give_a_directory_or_a_parse_error(raw: bytes, path: str) -> None:
    try:
        read_directory(raw, path)
    except ParseError as err:
        assert err.diagnostics and all(x.code.startswith("DR") for x in err.diagnostics)


@given(st.text(alphabet='person,roles;from\nuntil"[]{}:ana2027-01 \r\t\x00é', max_size=120),
       st.sampled_from(["p.csv", "p.json", "p"]))
def test_garbage_text_gives_a_directory_or_a_parse_error(text: str, path: str) -> None:
    try:
        read_directory(text, path)
    except ParseError as err:
        assert err.diagnostics
