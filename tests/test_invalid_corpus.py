"""The invalid corpus: broken charters, each with the diagnostics `lint` prints for it, as a golden file.

Each `tests/corpus/invalid/NAME.charter` holds one mistake (its first line says
which); `NAME.expected` beside it is exactly what `decisionrights lint NAME.charter`
prints (text format, no colour, run from that folder so paths are bare file
names): stdout, then stderr. A change in wording is a reviewed change.

To regenerate every golden after an intended change of wording, run

    UPDATE_GOLDENS=1 PYTHONPATH=src python -m pytest tests/test_invalid_corpus.py

and read the diff before committing it.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from decisionrights.cli.main import main

from helpers import assert_golden

INVALID = Path(__file__).resolve().parent / "corpus" / "invalid"
CHARTERS = sorted(INVALID.glob("*.charter"))

_HEADER = re.compile(r"^(error|warning|info)\[(DR\d{3})\]: (.+)$", re.M)
_LOCATION = re.compile(r"^ --> (.+):(\d+):(\d+)$", re.M)


_RUNS: dict[Path, tuple[int, str]] = {}


def lint(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """Run `decisionrights lint NAME` in the corpus folder, as a user would; (exit code, output)."""
    if path not in _RUNS:
        monkeypatch.chdir(path.parent)
        monkeypatch.setenv("NO_COLOR", "1")
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["lint", path.name])
        _RUNS[path] = (code, out.getvalue() + err.getvalue())
    return _RUNS[path]


def test_the_corpus_is_large_enough() -> None:
    assert len(CHARTERS) >= 40


@pytest.mark.parametrize("path", CHARTERS, ids=lambda p: p.stem)
def test_lint_output_matches_golden(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = lint(path, monkeypatch)
    golden = path.with_suffix(".expected")
    assert_golden(golden, output)
    assert code == 1, "lint must fail on a broken charter"
    assert "Traceback" not in output


@pytest.mark.parametrize("path", CHARTERS, ids=lambda p: p.stem)
def test_every_diagnostic_is_located_and_reads_well(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, output = lint(path, monkeypatch)
    headers = _HEADER.findall(output)
    locations = _LOCATION.findall(output)
    assert headers, output
    assert any(severity == "error" for severity, _, _ in headers), output
    assert len(locations) == len(headers), "every diagnostic has a location"
    for file, line, column in locations:
        assert file == path.name, "paths are shown as given"
        assert int(line) >= 1 and int(column) >= 1
    for _, _, message in headers:
        assert message[0].islower() or message[0] in "`\"", f"a message starts in lower case: {message}"
        assert not re.search(r"\b(lark|pydantic|Token|Tree|NoneType|Exception)\b", message), message
        assert not re.search(r"\b(NAME|STRING|NUMBER|LPAR|RPAR|RSQB|RBRACE|__ANON)\b", message), message


def test_every_golden_has_its_charter() -> None:
    for golden in INVALID.glob("*.expected"):
        assert golden.with_suffix(".charter").exists(), f"{golden.name} has no charter"


def test_every_compile_and_parse_code_is_covered() -> None:
    """Each error code the parser and the compiler can give appears in some golden."""
    seen = set()
    for golden in INVALID.glob("*.expected"):
        seen.update(code for _, code, _ in _HEADER.findall(golden.read_text(encoding="utf-8")))
    wanted = {"DR001", "DR002", "DR003", "DR004", "DR005", "DR006", "DR007",
              *(f"DR{n}" for n in range(101, 116)), "DR126"}  # DR113-DR115, DR126: the people stage
    assert wanted <= seen, f"no broken charter shows {sorted(wanted - seen)}"
