"""`decisionrights fmt`: the canonical layout — golden files, idempotence, meaning preserved, comments kept.

Golden files: `tests/corpus/fmt/NAME.charter` formats to `NAME.formatted`.
Run with `UPDATE_GOLDENS=1` to rewrite the golden files, then review the change.
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

import decisionrights as dr
from decisionrights.compile.conditions import All, AnyOf, Not
from decisionrights.errors import CharterError
from decisionrights.syntax.fmt import LINE_WIDTH, check_text, diff_text, format_text

from helpers import CORPUS, EXAMPLES, assert_golden

FMT = CORPUS / "fmt"
INPUTS = sorted(FMT.glob("*.charter"))


# -- what a charter means, without where it is written -------------------------------

def _norm_cond(cond):
    """A condition with nested `and`s and `or`s flattened: `(a or b) or c` means `a or b or c`."""
    if isinstance(cond, (All, AnyOf)):
        items = []
        for item in (_norm_cond(c) for c in cond.items):
            items.extend(item.items if type(item) is type(cond) else [item])
        return type(cond)(tuple(items))
    if isinstance(cond, Not):
        return Not(_norm_cond(cond.item))
    return cond


_SKIP = {"rule", "span", "text", "source"}


def _plain(value):
    if isinstance(value, (All, AnyOf, Not)):
        return _norm_cond(value)
    if is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__,) + tuple(
            (f.name, _plain(getattr(value, f.name))) for f in fields(value) if f.name not in _SKIP)
    if isinstance(value, dict):
        return tuple(sorted((k, _plain(v)) for k, v in value.items()))
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    return value


def meaning(text: str) -> dict:
    """Everything the compiled charter says, spans and rule texts left out."""
    c = dr.loads(text).compiled
    return {
        "title": c.title, "version": c.version, "currency": c.currency, "flows_up": c.flows_up,
        "roles": c.roles, "manager": c.manager, "escalations": c.escalations,
        "decisions": _plain(c.decisions),
        "grants": _plain(c.grants), "forbids": _plain(c.forbids), "delegations": _plain(c.delegations),
        "expects": _plain(c.expects),
    }


def comments(text: str) -> list[str]:
    """The comments of a charter (texts in this file hold no `#` inside quotes)."""
    return [line[line.index("#"):].rstrip() for line in text.split("\n") if "#" in line]


# -- golden files ----------------------------------------------------------------------

@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.stem)
def test_golden(path: Path):
    golden = path.with_suffix(".formatted")
    got = format_text(path.read_text(encoding="utf-8"), str(path))
    assert_golden(golden, got)


def test_the_corpus_has_every_kind_of_input():
    names = {p.stem for p in INPUTS}
    assert {"spacing", "one-line", "comments", "parens", "obligations",
            "spec-acme-finance", "spec-oss-governance", "spec-platform-team"} <= names


@pytest.mark.parametrize("path", INPUTS + sorted(EXAMPLES.glob("*.charter")), ids=lambda p: p.name)
def test_idempotent_and_meaning_preserved(path: Path):
    text = path.read_text(encoding="utf-8")
    once = format_text(text)
    assert format_text(once) == once
    assert not check_text(once)
    assert meaning(once) == meaning(text)
    assert sorted(comments(once)) == sorted(comments(text))


@pytest.mark.parametrize("name", ["oss-governance", "platform-team"])
def test_spec_examples_are_fixed_points(name):
    text = (FMT / f"spec-{name}.charter").read_text(encoding="utf-8")
    assert format_text(text) == text


def test_acme_example_changes_only_where_the_rule_joins_when():
    text = (FMT / "spec-acme-finance.charter").read_text(encoding="utf-8")
    changed = [line for line in diff_text(text).splitlines()[2:] if line[:1] in "+-"]
    assert changed == [
        "-controller may decide purchase",
        "-    when amount <= 25k and category != travel",
        "+controller may decide purchase when amount <= 25k and category != travel",
    ]


# -- the layout rules, one by one ---------------------------------------------------------

HEAD = 'charter "t"\ncurrency EUR\nrole a\nrole b reports to a\ndecision p {\n  amount: money\n  ok: bool = false\n}\n'


def fmt_body(body: str) -> str:
    out = format_text(HEAD + body)
    assert out.startswith(HEAD)
    return out[len(HEAD):]


def test_short_when_stays_on_the_first_line():
    assert fmt_body("a may decide p\n   when amount <= 5k\n") == "a may decide p when amount <= 5k\n"


def test_long_when_goes_on_a_continuation_line():
    cond = " or ".join(f"amount <= {n}k" for n in range(1, 9))
    assert fmt_body(f"a may decide p when {cond}\n") == f"a may decide p\n    when {cond}\n"


@pytest.mark.parametrize("extra,joined", [(0, True), (1, False)])
def test_line_width_boundary(extra, joined):
    prefix = "b may decide p when amount <= 1k or "
    flag = "x" * (LINE_WIDTH - len(prefix) + extra)
    text = HEAD.replace("ok: bool", f"{flag}: bool") + f"b may decide p\n  when amount <= 1k or {flag}\n"
    lines = format_text(text).splitlines()
    if joined:
        assert lines[-1] == prefix + flag and len(lines[-1]) == LINE_WIDTH
    else:
        assert lines[-2:] == ["b may decide p", f"    when amount <= 1k or {flag}"]


def test_obligations_each_on_their_own_line():
    out = fmt_body("a may decide p when amount <= 5k inform b consult a, b with agreement of b announce a\n")
    assert out == ("a may decide p when amount <= 5k\n    inform b\n    consult a, b\n"
                   "    with agreement of b\n    announce a\n")


def test_delegation_clauses_in_canonical_order():
    out = fmt_body("a delegates p to b may subdelegate up to 2 levels inform a until 2027-01-31 "
                   "when amount <= 1k from 2027-01-01\n")
    assert out == ("a delegates p to b\n    when amount <= 1k\n    from 2027-01-01 until 2027-01-31\n"
                   "    inform a\n    may subdelegate up to 2 levels\n")
    assert fmt_body("a delegates p to b\n") == "a delegates p to b\n"
    assert fmt_body("a delegates p to b may subdelegate up to 1 levels\n") == (
        "a delegates p to b\n    may subdelegate up to 1 level\n")


@pytest.mark.parametrize("cond,want", [
    ("((amount<=5))", "amount <= 5"),
    ("(amount <= 1 or ok) and ok", "(amount <= 1 or ok) and ok"),
    ("(amount <= 1 and ok) or ok", "amount <= 1 and ok or ok"),
    ("(ok or ok) or (ok or (ok))", "ok or ok or ok or ok"),
    ("not (ok and ok)", "not (ok and ok)"),
    ("not (not ok)", "not not ok"),
    ("(not ok) and not (amount in [1,2])", "not ok and not amount in [1, 2]"),
    ("amount not in[1 ,2]", "amount not in [1, 2]"),
    ("not (amount > 1 or ok) or ok", "not (amount > 1 or ok) or ok"),
])
def test_conditions_are_spaced_and_parenthesised_canonically(cond, want):
    assert fmt_body(f"a may decide p when {cond}\n") == f"a may decide p when {want}\n"


def test_literals_are_written_as_in_the_source():
    out = fmt_body("a may decide p when amount <= 10_000 or amount >= 1.5M or amount == 250k   EUR\n")
    assert out == "a may decide p when amount <= 10_000 or amount >= 1.5M or amount == 250k EUR\n"


def test_header_and_titles_keep_their_escapes():
    text = 'charter "Say \\"hi\\" # not a comment"\ndecision p "a \\\\ b" {\n}\n'
    assert format_text(text) == text


def test_blank_lines_collapse_and_trim():
    text = '\n\n# top\n\n\n\ncharter "t"\n\n\n\nrole a\nrole b\n\n\n'
    assert format_text(text) == '# top\n\ncharter "t"\n\nrole a\nrole b\n'


def test_role_groups_are_kept_as_written():
    assert format_text('charter "t" role a,b ,c reports to   d role d') == (
        'charter "t"\nrole a, b, c reports to d\nrole d\n')


def test_expect_stays_on_one_line_in_canonical_clause_order():
    out = fmt_body("expect a may not decide p with amount = 1 inform b\n   escalates to a, b on 2027-01-01\n")
    assert out == "expect a may not decide p with amount = 1 on 2027-01-01 escalates to a, b inform b\n"


def test_decision_blocks():
    assert format_text('charter "t" decision p { } decision q "Q" {a: money}') == (
        'charter "t"\ndecision p {\n}\ndecision q "Q" {\n  a: money\n}\n')


# -- comments ---------------------------------------------------------------------------------

def test_trailing_comment_keeps_its_spacing_but_at_least_two():
    assert format_text('charter "t" # one\nrole a      # many\n') == 'charter "t"  # one\nrole a      # many\n'


def test_a_comment_after_the_head_keeps_when_on_its_own_line():
    out = fmt_body("a may decide p  # why\n    when amount <= 1k\n")
    assert out == "a may decide p  # why\n    when amount <= 1k\n"
    out = fmt_body("a may decide p\n    # why\n    when amount <= 1k\n")
    assert out == "a may decide p\n    # why\n    when amount <= 1k\n"


def test_comment_moves_with_its_clause():
    out = fmt_body("a delegates p to b\n    inform a  # tell\n    when amount <= 1k  # limit\n")
    assert out == "a delegates p to b\n    when amount <= 1k  # limit\n    inform a  # tell\n"


def test_comments_on_lines_joined_into_one_go_above_it():
    out = fmt_body("expect a may decide p  # one\n    with amount = 1  # two\n")
    assert out == "# one\nexpect a may decide p with amount = 1  # two\n"


def test_comments_inside_decision_blocks():
    text = 'charter "t"\ndecision p {  # open\n  # about a\n  a: money  # a\n\n  b: bool\n  # last\n}  # close\n'
    assert format_text(text) == text


def test_hash_inside_text_is_not_a_comment():
    text = 'charter "t"\ndecision p {\n  n: text\n}\nrole a\na may decide p when n == "#1"  # real\n'
    assert format_text(text) == text


def test_crlf_input():
    text = 'charter "t"\r\nrole a  # c\r\n\r\nrole b\r\n'
    assert format_text(text) == 'charter "t"\nrole a  # c\n\nrole b\n'


# -- errors, check and diff --------------------------------------------------------------------

@pytest.mark.parametrize("text", ['charter "t"\nrole\n', "role a\n", "", 'charter "t" a may decide\n'])
def test_broken_text_is_never_formatted(text):
    with pytest.raises(CharterError) as info:
        format_text(text, "bad.charter")
    assert info.value.diagnostics and info.value.diagnostics[0].span is not None


def test_check_and_diff():
    good = 'charter "t"\nrole a\n'
    assert not check_text(good)
    assert diff_text(good, "x.charter") == ""
    bad = 'charter "t"   role a'
    assert check_text(bad)
    assert diff_text(bad, "x.charter") == (
        "--- x.charter\t(original)\n+++ x.charter\t(formatted)\n@@ -1 +1,2 @@\n"
        '-charter "t"   role a\n\\ No newline at end of file\n+charter "t"\n+role a\n')


# -- properties: spec §9.11 -------------------------------------------------------------------

try:
    from decisionrights.testing import charters as _charters
except ImportError:  # pragma: no cover - without the library's strategies, a small local one
    _charters = None


@st.composite
def _local_charters(draw) -> str:
    roles = draw(st.lists(st.sampled_from(["ceo", "cfo", "lead", "dev"]), min_size=1, max_size=4, unique=True))
    lines = ['charter "t"', "currency EUR"] + [f"role {r}" for r in roles]
    lines.append("decision p {\n  amount: money\n  ok: bool = false\n  kind: one of a, b\n}")
    atoms = st.sampled_from(["amount <= 5k", "ok", "kind == a", "kind in [a, b]", "amount > 10_000"])
    conds = st.recursive(atoms, lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from([" and ", " or "]), inner).map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
        inner.map(lambda c: f"not ({c})")), max_leaves=5)
    for _ in range(draw(st.integers(0, 5))):
        role = draw(st.sampled_from(roles))
        cond = draw(st.one_of(st.none(), conds))
        obls = draw(st.lists(st.sampled_from([f"inform {r}" for r in roles]), max_size=2))
        lines.append(f"{role} may decide p" + (f" when {cond}" if cond else "") + "".join(
            f"\n    {o}" for o in obls))
    return "\n".join(lines) + "\n"


def charters() -> st.SearchStrategy[str]:
    """`decisionrights.testing.charters()` when it works, and always charters with deeply nested conditions."""
    return st.one_of(_charters(), _local_charters()) if _charters is not None else _local_charters()


@st.composite
def messy(draw, text: str) -> tuple[str, list[str]]:
    """The same charter laid out badly: lines joined or re-indented, comments sprinkled in.

    Returns the messy text and the comments it holds. Never adds blank lines, so the
    canonical layout of the messy text must equal the original's.
    """
    lines = text.rstrip("\n").split("\n")
    out: list[str] = []
    notes: list[str] = []
    for i, line in enumerate(lines):
        if draw(st.booleans()) and i:
            note = f"# own {i}"
            out.append(draw(st.sampled_from(["", "  ", "\t"])) + note + "\n")
            notes.append(note)
        out.append(draw(st.sampled_from(["", "   ", "\t"])) + line.strip())
        trailing = draw(st.booleans())
        if trailing:
            note = f"# end {i}"
            out.append(draw(st.sampled_from([" ", "    "])) + note)
            notes.append(note)
        last = i == len(lines) - 1
        out.append("\n" if trailing or last else draw(st.sampled_from(["\n", " ", "  ", "\n      "])))
    return "".join(out), notes


@given(charters())
def test_law_fmt_is_idempotent_and_keeps_meaning(text):
    once = format_text(text)
    assert format_text(once) == once
    assert meaning(once) == meaning(text)


@given(st.data())
def test_law_fmt_ignores_layout_and_keeps_every_comment(data):
    text = data.draw(charters(), label="charter")
    bad, notes = data.draw(messy(text), label="messy")
    once = format_text(bad)
    assert format_text(once) == once
    assert meaning(once) == meaning(text)
    assert sorted(comments(once)) == sorted(notes)
    without = "\n".join(re.sub(r"\s*# (own|end) \d+$", "", line) for line in once.split("\n"))
    without = re.sub(r"\n(\s*\n)+", "\n", without)
    assert format_text(without) == format_text(text)


def _gaps(text: str) -> list[tuple[int, int]]:
    """The whitespace runs between tokens, outside texts and comments (and not inside `100k EUR`)."""
    gaps = []
    after_comment = False
    for match in re.finditer(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|[ \t\n]+', text):
        if not match.group().isspace():
            after_comment = match.group().startswith("#")
            continue
        start, end = match.span()
        money = start and text[start - 1].isalnum() and re.match(r"[A-Z]{3}(?!\w)", text[end:])
        if not (after_comment or money):
            gaps.append((start, end))
        after_comment = False
    return gaps


@given(st.sampled_from(INPUTS), st.data())
def test_law_fmt_keeps_comments_placed_between_any_two_tokens(path, data):
    text = path.read_text(encoding="utf-8")
    gaps = _gaps(text)
    chosen = data.draw(st.lists(st.tuples(st.integers(0, len(gaps) - 1), st.booleans()),
                                max_size=6, unique_by=lambda t: t[0]), label="comments")
    bad, notes = text, list(comments(text))
    for n, (index, own_line) in enumerate(sorted(chosen, reverse=True)):
        start, end = gaps[index]
        note = f"# note {n}"
        bad = bad[:start] + (f"\n{note}\n" if own_line else f"  {note}\n") + bad[end:]
        notes.append(note)
    once = format_text(bad)
    assert format_text(once) == once
    assert meaning(once) == meaning(text)
    assert sorted(comments(once)) == sorted(notes)
