"""Small helpers shared by the tests."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SPEC_EXAMPLES = ROOT.parent / "shared" / "spec" / "examples"
CORPUS = Path(__file__).resolve().parent / "corpus"

# The spec's Part II examples (people, signatures): they hold once the people issue (15) and the
# signatures-and-routes issue (16) have landed. Until then a test over the spec's examples marks
# them as an expected failure, strictly: the day one starts to pass, that test fails and says to
# move it into PART_I.
PART_II = frozenset({"northwind-signatures.charter"})
"""The spec examples that wait for Part II work still to land (signatures and routes, issue 16)."""


def spec_example_params() -> list:
    """Every spec example as a pytest parameter; Part II ones as strict expected failures."""
    import pytest

    return [pytest.param(p, id=p.name, marks=pytest.mark.xfail(
                strict=True, reason="Part II of the spec: signatures and routes (issue 16) are not built yet"))
            if p.name in PART_II else pytest.param(p, id=p.name)
            for p in sorted(SPEC_EXAMPLES.glob("*.charter"))]


def charter_text(body: str, *, currency: str | None = "EUR", flows_up: bool = False) -> str:
    """A charter with a header, for tests that only care about the body."""
    head = ['charter "test"']
    if currency:
        head.append(f"currency {currency}")
    if flows_up:
        head.append("authority flows up")
    return "\n".join(head) + "\n" + body


UPDATE_GOLDENS = "UPDATE_GOLDENS"
"""`UPDATE_GOLDENS=1 python -m pytest …` rewrites the golden files with what the code gives now; review the diff."""


def assert_golden(path: Path, got: str) -> None:
    """`got` is the golden file's text; with `UPDATE_GOLDENS=1` it becomes it (UTF-8, `\\n` line ends)."""
    if os.environ.get(UPDATE_GOLDENS, "") not in ("", "0"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8", newline="\n")
    assert path.exists(), f"no golden {path.name}; run with UPDATE_GOLDENS=1 and review it"
    expected = path.read_text(encoding="utf-8")
    assert expected.strip(), f"{path.name} is empty"
    assert got == expected, f"{path.name} changed; review it, then regenerate with UPDATE_GOLDENS=1"


def condition_from_text(text: str, attrs, currency: str | None = None):
    """Parse and type-check the text of a `when` condition against a decision's attributes (`AttrSpec`s).

    Used to read back rendered regions; raises `CharterError` on a bad condition.
    Built on the pipeline's seams: `syntax.parse.parse`, then `compile.stages.compile_charter`
    with `bare_money` (a region renders amounts in their attribute's own currency bare).
    """
    from decisionrights.compile.stages import compile_charter
    from decisionrights.source import Source
    from decisionrights.syntax.parse import parse

    lines = ['charter "condition"']
    if currency:
        lines.append(f"currency {currency}")
    lines.append("role r")
    lines.append("decision d {")
    for attr in attrs.values():
        kind = f"one of {', '.join(attr.members)}" if attr.kind == "enum" else attr.kind
        lines.append(f"  {attr.name}: {kind}")
    lines.append("}")
    lines.append(f"r may decide d when {text}")
    source = Source("\n".join(lines), "<condition>")
    return compile_charter(parse(source), source, bare_money=True).grants[0].cond
