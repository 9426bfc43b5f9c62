"""Fuzzing the parser and compiler with mutated examples (spec §9.13).

Every input either loads or raises `CharterError` whose diagnostics all carry
a line and column ≥ 1 (and render); nothing else may escape — no lark or
pydantic error, no RecursionError, no IndexError. A charter that loads
answers a request without crashing.

Hypothesis mutates the spec's three examples: characters flipped, inserted or
deleted, lines deleted, duplicated or swapped, tokens swapped or replaced with
keywords and punctuation, the text cut short. The number of examples follows
HYPOTHESIS_PROFILE (tests/conftest.py: `dev`, `ci`, `thorough`). For a long
run, see tests/fuzz_atheris.py (coverage-guided, by hand, not in CI).
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

import decisionrights as dr
from decisionrights.charter import decode

from test_threads import EXAMPLE_FILES

EXAMPLES = {p.name: p.read_text(encoding="utf-8") for p in EXAMPLE_FILES}
TOKEN = re.compile(r'"[^"\n]*"|[^\W\d]\w*|\d[\w.\-]*|<=|>=|==|!=|\S')
WORDS = ["charter", "role", "decision", "may", "not", "decide", "propose", "nobody", "delegates", "to", "when",
         "and", "or", "in", "from", "until", "inform", "consult", "announce", "with", "agreement", "of",
         "escalate", "expect", "escalates", "on", "subdelegate", "up", "level", "reports", "one", "true",
         "false", "money", "bool", "date", "(", ")", "[", "]", "{", "}", ",", ":", "=", "==", "<=", '"',
         "'", "#", "\n", "\t", "2027-02-30", "250k EUR", "9" * 60, "1.5M", "-1", "сfo", "\u202e", "\x00",
         "\r", "\ufeff"]


def check(text: str) -> None:
    """The law: loads, or fails with located diagnostics; nothing else."""
    try:
        charter = dr.loads(text, "fuzz.charter")
    except dr.CharterError as exc:
        assert exc.diagnostics, "an error without diagnostics"
        lines = text.count("\n") + 1
        for d in exc.diagnostics:
            assert d.span is not None, d
            assert d.span.line >= 1 and d.span.column >= 1, d
            assert d.span.line <= lines + 1, (d, lines)
            assert d.message.strip(), d
            d.render()
        exc.render()
        return
    for decision in charter.decisions[:2]:
        spec = charter.compiled.decisions[decision]
        attrs = {}
        for attr in spec.attrs.values():
            attrs[attr.name] = {"money": 1_000, "number": 1, "bool": True, "text": "x",
                                "date": "2027-01-01"}.get(attr.kind, attr.members[0] if attr.members else "x")
        for role in charter.roles[:3]:
            try:
                charter.may(role, decision, on="2027-01-15", **attrs).explain()
            except dr.InvalidRequest:
                pass  # e.g. an enum without members after a mutation


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = EXAMPLES[draw(st.sampled_from(sorted(EXAMPLES)))]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "drop line", "dup line", "swap lines",
                                     "swap tokens", "replace token", "truncate"]))
        if not text:
            break
        if kind in ("flip", "insert", "delete"):
            i = draw(st.integers(0, len(text) - 1))
            char = draw(st.one_of(st.characters(), st.sampled_from(list('(){}[]"#,:=<>!-_.\n\t\r'))))
            text = (text[:i] + char + text[i + 1:] if kind == "flip" else
                    text[:i] + char + text[i:] if kind == "insert" else text[:i] + text[i + 1:])
        elif kind in ("drop line", "dup line", "swap lines"):
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            if kind == "drop line":
                del lines[i]
            elif kind == "dup line":
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif kind in ("swap tokens", "replace token"):
            tokens = list(TOKEN.finditer(text))
            if len(tokens) < 2:
                continue
            a = draw(st.sampled_from(tokens))
            if kind == "replace token":
                text = text[:a.start()] + draw(st.sampled_from(WORDS)) + text[a.end():]
            else:
                b = draw(st.sampled_from(tokens))
                first, second = sorted((a, b), key=lambda t: t.start())
                if first.end() <= second.start():
                    text = (text[:first.start()] + second.group() + text[first.end():second.start()]
                            + first.group() + text[second.end():])
        else:
            text = text[:draw(st.integers(0, len(text)))]
    return text


@settings(deadline=None)
@given(mutated())
@example("")
@example("\n\n\n")
@example('charter "x"\nrole a\na may decide b when ' + "(" * 70)
@example('charter "x"\nrole a\ndecision b { c: bool }\na may decide b when ' + "not " * 500 + "c")
@example(EXAMPLES["acme-finance.charter"].replace("decide", "decide\r", 1))
def test_mutated_examples_parse_or_fail_located(text: str) -> None:
    check(text)


@settings(deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_or_fails_located(text: str) -> None:
    check(text)
    check('charter "x"\n' + text)


@settings(deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_decode_or_fail_located(raw: bytes) -> None:
    try:
        text = decode(raw, "fuzz.charter")
    except dr.ParseError as exc:
        [d] = exc.diagnostics
        assert d.code == "DR005" and d.span.line >= 1 and d.span.column >= 1
        return
    check(text)


def test_the_examples_themselves_load() -> None:
    for name, text in EXAMPLES.items():
        check(text)
        assert dr.loads(text, name).roles


def test_mutations_do_mutate() -> None:
    """The strategy is not vacuous: most draws differ from their example and many fail to load."""
    seen: list[bool] = []

    @settings(max_examples=40, deadline=None, database=None)
    @given(mutated())
    def collect(text: str) -> None:
        try:
            dr.loads(text)
            seen.append(True)
        except dr.CharterError:
            seen.append(False)

    collect()
    assert seen.count(False) >= 5
