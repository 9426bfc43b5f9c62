"""Every ```charter block in README.md and docs/ is a complete charter that loads and keeps its expectations."""

from __future__ import annotations

import re

import pytest

import decisionrights as dr
from decisionrights.analysis.expect import run

from helpers import ROOT

BLOCK = re.compile(r"```charter\n(.*?)```", re.S)


def _blocks():
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = doc.read_text()
        for m in BLOCK.finditer(text):
            line = text[: m.start()].count("\n") + 2
            yield pytest.param(m.group(1), f"{doc.name}:{line}", id=f"{doc.name}:{line}")


BLOCKS = list(_blocks())


def test_docs_have_charter_blocks():
    assert len(BLOCKS) >= 6


@pytest.mark.parametrize("text,where", BLOCKS)
def test_doc_block_is_a_valid_charter(text, where):
    try:
        charter = dr.loads(text, where)
    except dr.CharterError as exc:
        pytest.fail(f"{where}: the docs show a charter that does not load:\n{exc.render()}")
    failed = [o for o in run(charter) if not o.passed]
    assert not failed, [o.problems for o in failed]
