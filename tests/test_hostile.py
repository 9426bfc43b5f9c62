"""Bad input and hostile input: the engine never crashes and never allows by accident.

Charter text: random bytes, invalid UTF-8, a BOM, CRLF, tabs, NUL and other
hidden characters, a 10 MB file, 10,000-deep nesting, 1,000-digit numbers,
very long lines and names, look-alike names, code-like payloads. Each gives a
located diagnostic or a clear limit error, in bounded time and memory — never
a traceback, RecursionError, hang or MemoryError (spec §9.13; docs/limits.md).

Requests: every wrong input to `may` / `who_may` raises `InvalidRequest`
naming the problem, and is never answered `allowed` (spec §8).
"""

from __future__ import annotations

import contextlib
import io
import math
import random
import sys
import threading
import tracemalloc
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import decisionrights as dr
from decisionrights.syntax import parse as parse_module
from decisionrights.charter import decode
from decisionrights.cli.main import main
from decisionrights.analysis.confusables import find_confusables, scripts, skeleton
from decisionrights.diagnostics import Diagnostic
from decisionrights.source import Span
from decisionrights.values import BadValue, parse_date, parse_money

from test_threads import EXAMPLE_FILES, generated_charter

BASE = '''charter "Acme"
currency EUR
role ceo
role cfo reports to ceo
decision purchase {
  amount: money
  category: one of hardware, software
  urgent: bool = false
}
ceo may decide purchase
'''


def errors(text: str, **kw: Any) -> list[Diagnostic]:
    """The diagnostics of a charter that must not load; each is checked to carry a place."""
    with pytest.raises(dr.CharterError) as info:
        dr.loads(text, "hostile.charter", **kw)
    diags = info.value.diagnostics
    assert diags
    for d in diags:
        assert d.span is not None and d.span.line >= 1 and d.span.column >= 1, d
        assert d.message and d.message == d.message.strip()
    return diags


def codes(diags: list[Diagnostic]) -> list[str]:
    return [d.code for d in diags]


def run_cli(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue() + err.getvalue()


# -- bytes and encodings -----------------------------------------------------------------


def test_random_bytes_never_crash() -> None:
    rng = random.Random(1234)
    header = b'charter "x"\nrole a\n'
    for i in range(300):
        raw = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 400)))
        if i % 2:
            raw = header + raw
        try:
            text = decode(raw, "random.charter")
        except dr.ParseError as exc:
            assert codes(exc.diagnostics) == ["DR005"]
            continue
        try:
            dr.loads(text, "random.charter")
        except dr.CharterError as exc:
            for d in exc.diagnostics:
                assert d.span is not None and d.span.line >= 1 and d.span.column >= 1


@pytest.mark.parametrize("raw,line,column", [
    (b'charter "x"\nrole d\xe9cideur\n', 2, 7),      # Latin-1
    (b'\xff\xfec\x00h\x00', 1, 1),                  # UTF-16 with its BOM
    (b'charter "x"\n\n  role \xc3\n', 3, 8),         # a truncated sequence
    (b'charter "\xed\xa0\x80"\n', 1, 10),           # an encoded surrogate
])
def test_invalid_utf8_is_located(raw: bytes, line: int, column: int) -> None:
    with pytest.raises(dr.ParseError) as info:
        decode(raw, "bad.charter")
    [d] = info.value.diagnostics
    assert d.code == "DR005"
    assert (d.span.line, d.span.column) == (line, column)
    assert "UTF-8" in d.message


@pytest.mark.parametrize("command", [["lint"], ["test"], ["who", "purchase"], ["ask", "ceo", "purchase"]])
def test_invalid_utf8_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    path = tmp_path / "latin1.charter"
    path.write_bytes(BASE.replace("Acme", "Société").encode("latin-1"))
    code, output = run_cli(command[0], str(path), *command[1:])
    assert code == 1
    assert "DR005" in output and "not valid UTF-8" in output
    assert f"{path}:1:" in output
    assert "Traceback" not in output


def test_a_bom_is_no_part_of_the_charter() -> None:
    assert decode(b"\xef\xbb\xbf" + BASE.encode(), "bom.charter") == BASE
    charter = dr.loads("\ufeff" + BASE)  # as open(..., encoding="utf-8") leaves it
    assert charter.title == "Acme"
    [d] = errors("\ufeffcharter \"Acme\"\nrole ceo\nceo may decide nothing\n")
    assert (d.span.line, d.span.column) == (3, 16)


def test_crlf_parses_and_columns_are_right() -> None:
    body = BASE + "cfo may decide purchase when amount <= 10k\n"
    charter = dr.loads(body.replace("\n", "\r\n"))
    assert charter.may("cfo", "purchase", amount=5_000, category="hardware", on=date(2027, 1, 1))
    bad = BASE + "cfo may decide purchase when amout <= 10k\n"
    lf, crlf = errors(bad), errors(bad.replace("\n", "\r\n"))
    assert [(d.code, d.span) for d in lf] == [(d.code, d.span) for d in crlf]
    assert (crlf[0].span.line, crlf[0].span.column) == (11, 30)
    assert "\r" not in crlf[0].render()
    syntax = errors((BASE + "cfo may decde purchase\n").replace("\n", "\r\n"))
    assert (syntax[0].span.line, syntax[0].span.column) == (11, 9)


def test_tabs_count_as_one_column() -> None:
    [d] = errors(BASE + "cfo\tmay\tdecide\tpurchase\twhen\tamout <= 1\n")
    assert (d.span.line, d.span.column) == (11, 30)
    rendered = d.render()
    assert "\t" not in rendered
    source_line, caret_line = rendered.splitlines()[3:5]
    assert source_line.index("amout") == caret_line.index("^")


@pytest.mark.parametrize("char,what", [
    ("\x00", "NUL"), ("\x07", "U+0007"), ("\x1b", "U+001B"), ("\x7f", "U+007F"), ("\x85", "U+0085"),
    ("\x0b", "line break"), ("\x0c", "line break"), ("\u2028", "LINE SEPARATOR"),
    ("\u2029", "PARAGRAPH SEPARATOR"), ("\u202e", "RIGHT-TO-LEFT OVERRIDE"), ("\u2066", "LEFT-TO-RIGHT ISOLATE"),
    ("\r", "carriage return"),
])
def test_hidden_characters_are_refused_where_they_are(char: str, what: str) -> None:
    """Characters that can make a charter display otherwise than it parses — even in comments and texts."""
    for text in (BASE + f"# a comment {char}nobody may decide purchase\n",
                 BASE.replace('"Acme"', f'"Ac{char}me"'),
                 BASE + f"ceo may decide purchase{char} \n"):
        diags = errors(text)
        assert codes(diags)[0] == "DR007"
        assert what in diags[0].message or what in (diags[0].help or "")
        line, column = diags[0].span.line, diags[0].span.column
        offset = sum(len(x) + 1 for x in text.split("\n")[: line - 1]) + column - 1
        assert text[offset] == char


def test_a_lone_cr_cannot_hide_a_forbid_in_a_comment() -> None:
    """Old-Mac line ends: an editor shows two lines, the parser would see one comment."""
    text = BASE + "# related-party purchases are not okay\rnobody may decide purchase when urgent\n"
    assert codes(errors(text)) == ["DR007"]


def test_other_odd_characters_get_a_clear_message() -> None:
    for char, word in (("\u00a0", "NO-BREAK SPACE"), ("\u200b", "ZERO WIDTH SPACE"), ("\ufeff", "U+FEFF"),
                       ("@", "no meaning"), ("€", "no meaning"), ("😀", "no meaning")):
        [d] = errors(BASE + f"ceo may decide purchase when{char} urgent\n")
        assert d.code == "DR001" and word in d.message, d.message


# -- size, nesting, numbers, lines ------------------------------------------------------


def test_a_10_mb_file_fails_fast_on_the_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    text = BASE + ("# " + "x" * 98 + "\n") * 100_000  # 10 MB of valid charter
    assert len(text.encode()) > 10_000_000

    def no_parsing(*args: Any) -> None:
        raise AssertionError("the parser must not run on a file over the size limit")

    monkeypatch.setattr(parse_module, "parse_piece", no_parsing)
    tracemalloc.start()
    try:
        [d] = errors(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert d.code == "DR002" and "over the limit of 1,048,576" in d.message
    assert "Limits(max_bytes" in d.help
    assert peak < 32 * 1024 * 1024


def test_the_size_limit_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    path = tmp_path / "big.charter"
    path.write_text(BASE + "#" * 9_000 + "\n" + ("role r\n" * 160_000), encoding="utf-8")
    code, output = run_cli("lint", str(path))
    assert code == 1 and "DR002" in output and "bytes, over the limit" in output


def test_a_raised_size_limit_admits_a_large_charter() -> None:
    text = generated_charter(roles=150, decisions=8, seed=11)
    size = len(text.encode())
    assert size > 50_000
    with pytest.raises(dr.ParseError) as info:
        dr.loads(text, limits=dr.Limits(max_bytes=size - 1))
    assert codes(info.value.diagnostics) == ["DR002"]
    charter = dr.loads(text, limits=dr.Limits(max_bytes=size))
    assert len(charter.roles) == 150


def test_limits_are_configurable() -> None:
    nested = BASE + "ceo may decide purchase when ((urgent))\n"
    dr.loads(nested)
    [d] = errors(nested, limits=dr.Limits(max_nesting=1))
    assert d.code == "DR002" and "1 levels" in d.message
    long = BASE + "ceo may decide purchase when urgent" + " " * 100 + "\n"
    [d] = errors(long, limits=dr.Limits(max_line_length=80))
    assert d.code == "DR002" and (d.span.line, d.span.column) == (11, 81)


@pytest.mark.parametrize("condition", [
    "(" * 10_000 + "urgent" + ")" * 10_000,
    "not " * 2_000 + "urgent",
    "not\n" * 10_000 + "urgent",
    "(not " * 5_000 + "urgent" + ")" * 5_000,
    "(urgent and " * 3_000 + "urgent" + ")" * 3_000,
    "\n".join(["(urgent or"] * 5_000) + " urgent" + ")" * 5_000,
])
def test_deep_nesting_is_a_limit_error_not_a_recursion_error(condition: str) -> None:
    diags = errors(BASE + f"ceo may decide purchase when {condition}\n")
    assert codes(diags) == ["DR002"]
    assert "nested deeper than 64" in diags[0].message


def test_nesting_up_to_the_limit_works_end_to_end() -> None:
    condition = "(not (urgent or " * 16 + "urgent" + "))" * 16  # 48 levels of not/or, 32 parentheses
    charter = dr.loads(BASE + f"cfo may decide purchase when {condition}\n")
    answer = charter.may("cfo", "purchase", amount=1, category="hardware", urgent=False)
    assert answer.allowed in (True, False)
    answer.explain()
    assert dr.lint(charter) is not None


@pytest.mark.parametrize("literal", ["9" * 1_000, "1" + "0" * 999 + "k", "0." + "1" * 1_000, "-" + "9" * 1_000,
                                     "9" * 1_000 + " EUR", "1_" * 500 + "1"])
def test_a_thousand_digit_number_is_a_clear_error(literal: str) -> None:
    [d] = errors(BASE + f"ceo may decide purchase when amount <= {literal}\n")
    assert d.code == "DR003" and "more than 40 digits" in d.message
    assert d.span.line == 11 and d.span.column == 40


def test_very_long_lines_and_names() -> None:
    [d] = errors(BASE + "ceo may decide purchase when urgent" + " " * 20_000 + "\n")
    assert d.code == "DR002" and "line 11 is 20,035 characters long" in d.message
    name = "r" + "o" * 5_000
    charter = dr.loads(BASE + f"role {name} reports to ceo\n{name} may decide purchase\n")
    assert charter.may(name, "purchase", amount=1, category="software")
    unknown = errors(BASE + f"{name}x may decide purchase\n")
    assert codes(unknown) == ["DR101"]
    assert name in unknown[0].render()


def test_many_errors_stop_at_a_bound() -> None:
    text = BASE + "cfo may decde purchase\n" * 5_000
    diags = errors(text)
    assert len(diags) == parse_module.MAX_SYNTAX_ERRORS
    assert "stopped after" in diags[-1].notes[0]


def test_error_recovery_stays_linear() -> None:
    """Each statement after a syntax error is parsed on its own, not with the text before it."""
    text = BASE + "cfo may decde purchase\n" + "role r\n" * 3_000
    calls: list[int] = []
    real = parse_module.parse_piece

    def counting(piece: str, limits: Any = parse_module.DEFAULT_LIMITS) -> Any:
        calls.append(len(piece))
        return real(piece, limits)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(parse_module, "parse_piece", counting)
        errors(text)
    assert sum(calls[1:]) < 2 * len(text)


# -- names --------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["nobody", "decision", "expect", "role", "when", "may", "inform", "with"])
def test_keywords_cannot_name_a_role(word: str) -> None:
    diags = errors(BASE + f"role {word} reports to ceo\n")
    assert codes(diags) == ["DR006"] and f"`{word}` is a keyword" in diags[0].message


def test_a_role_called_nobody_cannot_turn_grants_into_forbids() -> None:
    diags = errors(BASE.replace("role cfo", "role nobody") + "nobody may decide purchase when amount <= 500\n")
    assert "DR006" in codes(diags)


def test_level_stays_a_good_attribute_name() -> None:
    """`level` is a word of `may subdelegate up to 1 level`, and still an attribute like any other."""
    charter = dr.loads(BASE.replace("urgent: bool = false", "level: number") + "ceo delegates purchase to cfo "
                       "when level <= 2 may subdelegate up to 1 level\n")
    assert charter.compiled.decisions["purchase"].attrs["level"].kind == "number"
    assert [d.further for d in charter.compiled.delegations] == [1]
    asked = {"amount": "100", "category": "hardware"}
    assert charter.may("cfo", "purchase", **asked, level=2).allowed
    assert not charter.may("cfo", "purchase", **asked, level=3).allowed


S = Span(1, 1, 1, 2)


def test_skeletons_fold_look_alikes() -> None:
    assert skeleton("сfo") == skeleton("cfo") == skeleton("ｃｆｏ") == "cfo"  # Cyrillic с, full-width
    assert skeleton("сео") == "ceo"                                        # all Cyrillic
    assert skeleton("ΤΟΡ") == skeleton("TOP")                              # Greek capitals
    assert skeleton("r0le") == skeleton("role") and skeleton("Iead") == skeleton("lead")
    assert skeleton("café") != skeleton("cafe")
    assert skeleton("cfo") != skeleton("cto")


def test_scripts_of_a_name() -> None:
    assert scripts("cfo") == {"LATIN"}
    assert scripts("сfo") == {"CYRILLIC", "LATIN"}
    assert scripts("team_2") == {"LATIN"}
    assert scripts("経理けいり") == {"CJK"}
    assert scripts("διευθυντής") == {"GREEK"}


def test_find_confusables() -> None:
    found = find_confusables([("cfo", S), ("сfo", Span(2, 6, 2, 9)), ("ceo", S), ("сео", S), ("cto", S),
                              ("cfo", S), ("经理", S), ("lead", S), ("Iead", S)])
    kinds = [(f.kind, f.name, f.like) for f in found]
    assert kinds == [("mixed-script", "сfo", None), ("confusable", "сfo", "cfo"), ("confusable", "сео", "ceo"),
                     ("confusable", "Iead", "lead")]
    assert found[1].span == Span(2, 6, 2, 9) and found[1].like_span == S
    assert "U+0441 CYRILLIC SMALL LETTER ES" in found[1].message
    assert find_confusables([("cfo", S), ("cto", S), ("ceo", S), ("経理", S)]) == []


def test_a_charter_with_look_alike_roles_is_found() -> None:
    """`сfo` (Cyrillic с) loads as its own role; the confusable check is what tells a reader."""
    charter = dr.loads(BASE + "role сfo reports to ceo\nсfo may decide purchase\n")
    assert not charter.may("cfo", "purchase", amount=1, category="software")
    assert charter.may("сfo", "purchase", amount=1, category="software")
    found = find_confusables(charter.compiled.role_spans.items())
    assert [(f.kind, f.name) for f in found] == [("mixed-script", "сfo"), ("confusable", "сfo")]
    assert found[1].span.line == 11


# -- code-like payloads are data ----------------------------------------------------------

PAYLOADS = ["__import__('os').system('touch /tmp/pwned')", "{{7*7}}", "${7*7}", "$(rm -rf /)", "`id`",
            "../../etc/passwd", "/etc/shadow", "%s%s%s%n", "<script>alert(1)</script>", "'; DROP TABLE x; --",
            "\\x00", "C:\\\\Windows\\\\system32"]


class _Watch:
    """Records audit events (file opens, processes, imports, code compiled) while active.

    The engine compiles fast paths of its own (`_codegen`): those `compile`
    events are recorded with their source, so a test can check that no charter
    text ever reaches it.
    """

    BAD = ("open", "os.system", "subprocess.Popen", "os.exec", "os.spawn", "os.posix_spawn", "import",
           "socket.connect", "shutil", "os.remove", "os.rename", "os.unlink", "ctypes", "urllib")

    def __init__(self) -> None:
        self.local = threading.local()
        sys.addaudithook(self.hook)

    def hook(self, event: str, args: tuple) -> None:
        seen = getattr(self.local, "seen", None)
        if seen is None:
            return
        if event == "compile":
            source = args[0]
            self.local.compiled.append(source.decode() if isinstance(source, bytes) else str(source))
        elif event.startswith(self.BAD):
            seen.append((event, repr(args)[:120]))

    @contextlib.contextmanager
    def watching(self) -> Iterator[list]:
        self.local.seen = []
        self.local.compiled = []
        try:
            yield self.local.seen
        finally:
            self.local.seen = None

    def compiled_source(self) -> str:
        return "\n".join(getattr(self.local, "compiled", []))


_WATCH: _Watch | None = None


@pytest.fixture(scope="module")
def watch() -> _Watch:
    global _WATCH
    if _WATCH is None:
        _WATCH = _Watch()
    warm = dr.loads(BASE + 'expect ceo may decide purchase with amount = 1, category = software\n')
    warm.may("ceo", "purchase", amount=1, category="software").explain()
    dr.lint(warm)
    with contextlib.suppress(dr.CharterError):
        dr.loads("role x\n")
    return _WATCH


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_texts_are_only_data(payload: str, watch: _Watch, tmp_path: Path) -> None:
    quoted = payload.replace("\\", "\\\\").replace('"', '\\"')
    text = (BASE.replace('charter "Acme"', f'charter "{quoted}"')
                .replace("decision purchase {", f'decision purchase "{quoted}" {{\n  note: text = "{quoted}"')
            + f'expect ceo may decide purchase with amount = 1, category = software, note = "{quoted}"\n')
    with watch.watching() as seen:
        charter = dr.loads(text)
        answer = charter.may("ceo", "purchase", amount=1, category="software", note=payload)
        answer.explain()
        answer.to_json()
        dr.lint(charter)
    assert seen == []
    generated = watch.compiled_source()
    assert payload not in generated and "Acme" not in generated and "hardware" not in generated
    assert charter.title == payload
    assert charter.compiled.decisions["purchase"].title == payload
    assert charter.compiled.expects[0].attrs["note"] == payload
    assert answer.allowed and answer.request["note"] == payload
    assert not (tmp_path / "pwned").exists() and not Path("/tmp/pwned").exists()


@pytest.mark.parametrize("payload", PAYLOADS + ["__import__", "eval", "exec", "os", "__builtins__", "self"])
def test_payloads_as_names_are_names_or_diagnostics(payload: str, watch: _Watch) -> None:
    text = BASE + f"role {payload} reports to ceo\n{payload} may decide purchase\n"
    with watch.watching() as seen:
        try:
            charter = dr.loads(text)
        except dr.CharterError as exc:
            for d in exc.diagnostics:
                assert d.span is not None and d.span.line >= 1 and d.span.column >= 1
                d.render()
        else:
            assert payload in charter.roles and payload.isidentifier()
            assert charter.may(payload, "purchase", amount=1, category="software")
    assert seen == []
    assert payload not in watch.compiled_source()


@pytest.mark.parametrize("statement", ['include "../secret.charter"', 'include "../../etc/passwd"',
                                       "import ../other.charter", 'use "/etc/shadow"'])
def test_no_statement_reads_a_file_not_even_an_include(statement: str, watch: _Watch, tmp_path: Path) -> None:
    """The language has no includes: an attempt is a located syntax error and opens nothing."""
    folder = tmp_path / "charters"
    folder.mkdir()
    (tmp_path / "secret.charter").write_text(BASE, encoding="utf-8")  # what a `../` escape would reach
    text = BASE + statement + "\n"
    with watch.watching() as seen:
        with pytest.raises(dr.CharterError) as err:
            dr.loads(text, str(folder / "org.charter"))
    assert seen == []
    [diag] = err.value.diagnostics
    assert diag.code == "DR001" and diag.span.line == BASE.count("\n") + 1 and diag.span.column > 1


def test_the_watch_sees_a_file_being_opened(watch: _Watch, tmp_path: Path) -> None:
    with watch.watching() as seen:
        (tmp_path / "x").write_text("x")
    assert any(event == "open" for event, _ in seen)


# -- requests -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def acme() -> dr.Charter:
    return dr.load(EXAMPLE_FILES[0])


OK = {"amount": 5_000, "category": "hardware"}


@pytest.mark.parametrize("role,decision,kwargs,words", [
    ("cfoo", "purchase", OK, ["`cfoo`", "not a role"]),
    (None, "purchase", OK, ["None", "not a role"]),
    (42, "purchase", OK, ["int 42", "not a role"]),
    (b"cfo", "purchase", OK, ["bytes", "not a role"]),
    ("cfo", "purchse", OK, ["`purchse`", "not a decision", "purchase, payment_run, hire"]),
    ("cfo", None, OK, ["None", "not a decision"]),
    ("cfo", "purchase", {"amount": 5_000}, ["needs `category`"]),
    ("cfo", "purchase", {**OK, "colour": "red"}, ["no attribute `colour`"]),
    ("cfo", "purchase", {"amount": True, "category": "hardware"}, ["`amount`", "bool True"]),
    ("cfo", "purchase", {"amount": "lots", "category": "hardware"}, ["`amount`", "`lots`"]),
    ("cfo", "purchase", {"amount": float("nan"), "category": "hardware"}, ["`amount`", "finite"]),
    ("cfo", "purchase", {"amount": float("inf"), "category": "hardware"}, ["`amount`", "finite"]),
    ("cfo", "purchase", {"amount": -float("inf"), "category": "hardware"}, ["`amount`", "finite"]),
    ("cfo", "purchase", {"amount": Decimal("NaN"), "category": "hardware"}, ["`amount`", "finite"]),
    ("cfo", "purchase", {"amount": Decimal("-Infinity"), "category": "hardware"}, ["`amount`", "finite"]),
    ("cfo", "purchase", {"amount": 10 ** 50, "category": "hardware"}, ["`amount`", "40 digits"]),
    ("cfo", "purchase", {"amount": -10 ** 50, "category": "hardware"}, ["`amount`", "40 digits"]),
    ("cfo", "purchase", {"amount": 10 ** 50, "category": 1},
     ["`amount`", "40 digits"]),
    ("cfo", "purchase", {"amount": Decimal("1e999999"), "category": "hardware"}, ["`amount`", "40 digits"]),
    ("cfo", "purchase", {"amount": "9" * 1_000, "category": "hardware"}, ["`amount`", "40 digits"]),
    ("cfo", "purchase", {"amount": "5k USD", "category": "hardware"}, ["USD", "EUR", "convert"]),
    ("cfo", "purchase", {"amount": "5k XYZ", "category": "hardware"}, ["XYZ", "EUR"]),
    ("cfo", "purchase", {"amount": "5k eur", "category": "hardware"}, ["`5k eur`", "not an amount"]),
    ("cfo", "purchase", {"amount": [5_000], "category": "hardware"}, ["`amount`", "list"]),
    ("cfo", "purchase", {"amount": 5_000, "category": "food"}, ["`category`", "one of hardware"]),
    ("cfo", "purchase", {"amount": 5_000, "category": 1}, ["`category`", "int 1"]),
    ("cfo", "purchase", {**OK, "vendor_related": "true"}, ["`vendor_related`", "yes/no", "`true`"]),
    ("cfo", "purchase", {**OK, "vendor_related": 1}, ["`vendor_related`", "yes/no", "int 1"]),
    ("cfo", "purchase", {**OK, "vendor_related": None}, ["`vendor_related`", "yes/no", "None"]),
    ("ceo", "hire", {"level": True, "budgeted": True}, ["`level`", "a number", "bool True"]),
    ("ceo", "hire", {"level": "1e5", "budgeted": True}, ["`level`", "`1e5` is not a number"]),
    ("ceo", "hire", {"level": 3, "budgeted": "yes"}, ["`budgeted`", "yes/no"]),
])
def test_wrong_requests_are_invalid(acme: dr.Charter, role: Any, decision: Any, kwargs: dict, words: list) -> None:
    with pytest.raises(dr.InvalidRequest) as info:
        acme.may(role, decision, **kwargs)
    message = str(info.value)
    for word in words:
        assert word in message, message
    if role == "cfo":  # who_may names no role: the same request is just as wrong
        with pytest.raises(dr.InvalidRequest):
            acme.who_may(decision, **kwargs)


@pytest.mark.parametrize("on,words", [
    ("2027-02-30", ["not a real date"]), ("tomorrow", ["`tomorrow` is not a date"]), ("2027-3-1", ["not a date"]),
    (20270101, ["int 20270101"]), (True, ["bool True"]), ("", ["not a date"]), (1.5, ["float"]),
])
def test_a_bad_date_is_invalid(acme: dr.Charter, on: Any, words: list) -> None:
    with pytest.raises(dr.InvalidRequest) as info:
        acme.may("cfo", "purchase", on=on, **OK)
    for word in words:
        assert word in str(info.value)
    with pytest.raises(dr.InvalidRequest):
        acme.who_may("purchase", on=on, **OK)


def test_date_attributes_take_dates_only() -> None:
    charter = dr.loads(BASE.replace("urgent: bool = false", "due: date") )
    good = charter.may("ceo", "purchase", amount=1, category="software", due=date(2027, 1, 1))
    assert good.allowed
    for bad, word in ((datetime(2027, 1, 1, 12), "datetime"), ("2027-02-30", "not a real date"),
                      ("next week", "not a date"), (20270101, "int"), (None, "None")):
        with pytest.raises(dr.InvalidRequest) as info:
            charter.may("ceo", "purchase", amount=1, category="software", due=bad)
        assert word in str(info.value) and "`due`" in str(info.value)


def test_may_many_rejects_malformed_requests(acme: dr.Charter) -> None:
    for bad in ([("cfo", "purchase")], [("cfo", "purchase", None)], [["cfo", "purchase", OK]], [None]):
        with pytest.raises(dr.InvalidRequest):
            acme.may_many(bad)  # type: ignore[arg-type]


def test_an_object_that_cannot_print_itself_is_still_just_invalid(acme: dr.Charter) -> None:
    class Nasty:
        def __repr__(self) -> str:
            raise RuntimeError("no")

        __str__ = __repr__

    with pytest.raises(dr.InvalidRequest):
        acme.may(Nasty(), "purchase", **OK)  # type: ignore[arg-type]
    with pytest.raises(dr.InvalidRequest):
        acme.may("cfo", "purchase", amount=Nasty(), category="hardware")


def test_loads_takes_text_only() -> None:
    with pytest.raises(TypeError, match="decode"):
        dr.loads(BASE.encode())  # type: ignore[arg-type]


# -- property: malformed requests are never answered ------------------------------------------

_EXAMPLE_CHARTERS: dict[str, dr.Charter] = {}


def _example(name: str) -> dr.Charter:
    if name not in _EXAMPLE_CHARTERS:
        _EXAMPLE_CHARTERS[name] = dr.load(next(p for p in EXAMPLE_FILES if p.name == name))
    return _EXAMPLE_CHARTERS[name]


def _money_text_ok(text: str) -> bool:
    try:
        parse_money(text)
        return True
    except BadValue:
        return False


def _date_text_ok(text: str) -> bool:
    try:
        parse_date(text)
        return True
    except BadValue:
        return False


_JUNK = st.one_of(st.none(), st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(),
                                                                                  max_size=1),
                  st.binary(max_size=4), st.complex_numbers(allow_nan=False, allow_infinity=False), st.just(object()))
_NON_FINITE = st.sampled_from([float("nan"), float("inf"), -float("inf"), Decimal("NaN"), Decimal("sNaN"),
                               Decimal("Infinity"), 10 ** 41, -(10 ** 41), Decimal("1e41")])


def _wrong_value(kind: str, members: tuple[str, ...]) -> st.SearchStrategy[Any]:
    if kind in ("money", "number"):
        texts = st.text(max_size=12).filter(lambda s: not _money_text_ok(s))
        return st.one_of(_JUNK, st.booleans(), _NON_FINITE, texts, st.dates())
    if kind == "bool":
        return st.one_of(_JUNK, st.integers(), st.text(max_size=6), st.floats())
    if kind == "enum":
        return st.one_of(_JUNK, st.booleans(), st.integers(), st.text(max_size=10).filter(lambda s: s not in members))
    if kind == "date":
        return st.one_of(_JUNK, st.booleans(), st.integers(), st.datetimes(),
                         st.text(max_size=12).filter(lambda s: not _date_text_ok(s)))
    return st.one_of(_JUNK, st.booleans(), st.integers(), st.floats(), st.dates())  # text


def _good_value(kind: str, members: tuple[str, ...]) -> st.SearchStrategy[Any]:
    if kind in ("money", "number"):
        return st.integers(-10 ** 9, 10 ** 9)
    if kind == "bool":
        return st.booleans()
    if kind == "enum":
        return st.sampled_from(members)
    if kind == "date":
        return st.dates()
    return st.text(max_size=8)


@st.composite
def malformed_requests(draw: st.DrawFn) -> tuple[str, Any, Any, dict[str, Any], Any, str]:
    """A request to a spec example that is wrong in exactly one way; (charter, role, decision, attrs, on, how)."""
    name = draw(st.sampled_from([p.name for p in EXAMPLE_FILES]))
    charter = _example(name)
    decision = draw(st.sampled_from(charter.decisions))
    spec = charter.compiled.decisions[decision]
    attrs = {a.name: draw(_good_value(a.kind, a.members)) for a in spec.attrs.values()}
    role: Any = draw(st.sampled_from(charter.roles))
    on: Any = draw(st.none() | st.dates())
    required = [a.name for a in spec.attrs.values() if not a.has_default]
    ways = ["wrong value", "undeclared", "role", "decision", "on"] + (["missing"] if required else [])
    how = draw(st.sampled_from(ways))
    if how == "wrong value":
        attr = draw(st.sampled_from(list(spec.attrs.values())))
        attrs[attr.name] = draw(_wrong_value(attr.kind, attr.members))
    elif how == "undeclared":
        attrs[draw(st.text(min_size=1, max_size=10).filter(lambda s: s not in spec.attrs))] = draw(
            st.integers() | st.text(max_size=3))
    elif how == "missing":
        del attrs[draw(st.sampled_from(required))]
    elif how == "role":
        role = draw(st.one_of(st.text(max_size=10).filter(lambda s: s not in charter.roles), _JUNK,
                              st.integers(), st.booleans()))
    elif how == "decision":
        decision = draw(st.one_of(st.text(max_size=10).filter(lambda s: s not in charter.decisions), _JUNK,
                                  st.integers()))
    else:
        on = draw(st.one_of(st.text(max_size=12).filter(lambda s: not _date_text_ok(s)), st.integers(),
                            st.booleans(), st.floats(), _JUNK.filter(lambda v: v is not None)))  # None: today
    return name, role, decision, attrs, on, how


@settings(deadline=None)
@given(malformed_requests())
def test_malformed_requests_are_never_answered(case: tuple) -> None:
    name, role, decision, attrs, on, how = case
    charter = _example(name)
    try:
        answer = charter.may(role, decision, on=on, **attrs)
    except dr.InvalidRequest as exc:
        assert str(exc)
    else:
        pytest.fail(f"a malformed request ({how}) was answered: allowed={answer.allowed}")
    if how != "role":
        with pytest.raises(dr.InvalidRequest):
            charter.who_may(decision, on=on, **attrs)


def test_float_and_decimal_amounts_are_fine_when_finite(acme: dr.Charter) -> None:
    # 2026-11-28: before the cfo's delegation to the controller (from 2026-12-01) is in effect
    on = date(2026, 11, 28)
    for amount in (5_000.0, Decimal("5000.00"), Decimal("1e-30"), -0.0, math.nextafter(25_000, 0)):
        assert acme.may("controller", "purchase", amount=amount, category="software", on=on).allowed
    assert not acme.may("controller", "purchase", amount=25_000.000001, category="software", on=on).allowed
