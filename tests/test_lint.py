"""Lint: every rule has a corpus case with a golden rendering; the flawed charter in all four formats.

Goldens sit beside each case as `NAME.expected` (text) and, for flawed.charter,
`flawed.json`, `flawed.sarif`, `flawed.github`. Regenerate with
`UPDATE_GOLDENS=1 python -m pytest tests/test_lint.py` and review the diff.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

import decisionrights as dr
from decisionrights.cli.main import main
from decisionrights.analysis.lint import RULES, lint_text
from decisionrights.diagnostics import render_text
from decisionrights.syntax.directory import read_directory

from helpers import CORPUS, EXAMPLES, assert_golden, spec_example_params

LINT = CORPUS / "lint"
ON = "2026-11-28"
CASES = sorted(LINT.glob("*.charter"))


def cli(capsys, monkeypatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(LINT)
    monkeypatch.setenv("NO_COLOR", "1")
    code = main(list(args))
    return code, capsys.readouterr().out


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_golden_text(case, capsys, monkeypatch):
    people = case.with_suffix(".csv")
    if people.exists():  # a case with a directory file beside it: the library's findings, rendered
        directory = read_directory(people.read_bytes(), people.name)
        found = lint_text(case.read_text(), case.name, on=date(2026, 11, 28), directory=directory)
        assert_golden(case.with_suffix(".expected"), render_text(found) + "\n")
        return
    code, out = cli(capsys, monkeypatch, "lint", "--on", ON, case.name)
    assert_golden(case.with_suffix(".expected"), out)
    assert "Traceback" not in out


@pytest.mark.parametrize("fmt", ["json", "sarif", "github"])
def test_flawed_in_every_format(fmt, capsys, monkeypatch):
    code, out = cli(capsys, monkeypatch, "lint", "--on", ON, "--format", fmt, "flawed.charter")
    assert code == 1
    assert_golden(LINT / f"flawed.{fmt}", out)


def test_every_rule_has_a_corpus_case_that_finds_it():
    for rule in RULES:
        cases = [c for c in CASES if c.name.startswith(rule.CODE)]
        assert cases, f"{rule.CODE} has no corpus case"
        for case in cases:
            people = case.with_suffix(".csv")  # a directory file beside the case (DR215 needs one)
            directory = read_directory(people.read_bytes(), people.name) if people.exists() else None
            found = lint_text(case.read_text(), case.name, on=date(2026, 11, 28), directory=directory)
            assert rule.CODE in {d.code for d in found}, case.name


def test_a_delegation_back_up_a_chain_is_a_cycle_not_beyond_authority():
    """Found by the analysis-exactness law: cfo may decide everything (through ceo's delegation) but
    may pass on only its own `budgeted` grant; passing the rest back to ceo is a cycle, and DR201's
    claim "beyond what cfo may decide" would be false."""
    text = """charter "Generated"
role ceo
role cfo
decision purchase {
  budgeted: bool
}
ceo may decide purchase
ceo delegates purchase to cfo
cfo delegates purchase to ceo
cfo may decide purchase when budgeted
"""
    codes = [d.code for d in lint_text(text, "cycle.charter", on=date(2026, 11, 28))]
    assert "DR201" not in codes and "DR203" in codes


def test_every_rule_is_documented():
    doc = (CORPUS.parent.parent / "docs" / "lint-rules.md").read_text()
    for rule in RULES:
        text = rule.__doc__ or ""
        assert "Why it matters" in text and "Example" in text and "Fix" in text, rule.NAME
        assert f"## {rule.CODE} {rule.NAME}" in doc


def test_flawed_finds_everything_expected():
    found = lint_text((LINT / "flawed.charter").read_text(), "flawed.charter", on=date(2026, 11, 28))
    at = {(d.span.line if d.span else None, d.severity.value) for d in found}
    for line, severity in [(17, "warning"), (18, "error"), (19, "error"), (20, "error"), (21, "warning"),
                           (23, "warning"), (24, "error")]:
        assert (line, severity) in at, (line, severity)
    gap = [d for d in found if d.code == "DR207"]
    assert gap and "amount > 10k and category == hardware" in gap[0].message
    beyond = [d for d in found if d.code == "DR201"][0]
    assert beyond.span.line == 17 and "for example: amount = " in beyond.notes[0]


def test_counterexamples_are_real_requests():
    """A delegation's counterexample is delegated, and the engine really refuses it."""
    text = (LINT / "DR201-delegation-beyond-authority.charter").read_text()
    charter = dr.loads(text)
    [finding] = [d for d in dr.lint(charter) if d.code == "DR201"]
    sample = finding.notes[0].split("for example: ")[1].split(" — ")[0]
    attrs = dict(part.split(" = ") for part in sample.split(", "))
    assert not charter.may("lead", "purchase", **attrs)
    assert charter.may("head", "purchase", **{**attrs, "amount": "10k EUR"})


def test_sarif_shape(capsys, monkeypatch):
    code, out = cli(capsys, monkeypatch, "lint", "--on", ON, "--format", "sarif", "flawed.charter")
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in sorted(EXAMPLES.glob("*.charter"))]
                         + spec_example_params())
def test_examples_lint_without_errors_or_warnings(path):
    found = lint_text(path.read_text(), path.name, on=date(2026, 11, 28))
    assert [d for d in found if d.severity != dr.Severity.INFO] == []


def test_strict_fails_on_warnings(capsys, monkeypatch):
    case = "DR204-delegation-dates.charter"
    assert cli(capsys, monkeypatch, "lint", "--on", ON, case)[0] == 0
    assert cli(capsys, monkeypatch, "lint", "--on", ON, "--strict", case)[0] == 1


def test_too_complex_conditions_are_reported_not_hung():
    case = LINT / "DR200-too-complex.charter"
    found = lint_text(case.read_text(), case.name, on=date(2026, 11, 28))
    assert {d.code for d in found} == {"DR200"}
    charter = dr.loads(case.read_text())
    assert charter.may("a", "d", **{f"b{i}": i % 2 == 0 for i in range(24)})


def test_no_gap_below_zero_money():
    """Found by the analysis-exactness law (thorough): money is never negative, so a grant from zero up
    leaves no gap — before, lint reported `amount < 0` with the example amount = -1 EUR, a request
    `may` itself refuses."""
    text = """charter "Generated"
currency EUR
role ceo
decision purchase {
  amount: money
}
ceo may decide purchase when amount >= 0
"""
    assert [d for d in lint_text(text, "gap.charter", on=date(2026, 11, 28)) if d.code == "DR207"] == []
