"""Valid charters: each loads, every expectation holds, and the engine's answers match the golden file.

The golden file `NAME.answers` beside each charter holds `explain()` for each
`expect` line, so a change in what the engine says is a reviewed change.
Regenerate with `UPDATE_GOLDENS=1 python -m pytest tests/test_valid_corpus.py`.
"""

from __future__ import annotations

from datetime import date

import pytest

import decisionrights as dr
from decisionrights.analysis.expect import run

from helpers import CORPUS, EXAMPLES, assert_golden

CHARTERS = sorted((CORPUS / "valid").glob("*.charter")) + sorted(EXAMPLES.glob("*.charter"))
TODAY = date(2026, 11, 28)  # fixed, so answers that depend on today's date stay stable


def _answers(charter: dr.Charter) -> str:
    parts = []
    for outcome in run(charter, today=TODAY):
        parts.append(f"# line {outcome.expect.span.line}: {outcome.expect.text}\n{outcome.answer_text}\n")
    return "\n".join(parts)


@pytest.mark.parametrize("path", CHARTERS, ids=lambda p: p.name)
def test_valid_charter(path):
    charter = dr.load(path)
    outcomes = run(charter, today=TODAY)
    assert outcomes, "a corpus charter must carry expectations"
    assert [o.problems for o in outcomes if not o.passed] == []
    golden = path.with_suffix(".answers")
    if path.parent != CORPUS / "valid":
        golden = CORPUS / "valid" / "examples" / path.with_suffix(".answers").name
    got = _answers(charter).replace(str(path.parent) + "/", "")
    assert_golden(golden, got)
