"""`matrix`, `graph` and `card` on the command line: golden output, real Graphviz, usage errors.

Goldens live in tests/corpus/views/; regenerate them after a reviewed change
with `UPDATE_GOLDENS=1 python -m pytest tests/test_cli_views.py`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html import unescape

import pytest

import decisionrights as dr
from decisionrights.cli.main import main

from helpers import CORPUS, EXAMPLES, ROOT, assert_golden

GOLDEN = CORPUS / "views"
ON = "2027-01-15"
CARD_ROLE = {"acme-finance": "controller", "intent-based": "engineering_manager", "platform-team": "developer"}

VIEWS = {
    "matrix.md": ["matrix", "{file}", "--on", ON],
    "matrix.csv": ["matrix", "{file}", "--format", "csv", "--on", ON],
    "graph.mmd": ["graph", "{file}"],
    "graph.dot": ["graph", "{file}", "--format", "dot"],
    "card.txt": ["card", "{file}", "{role}", "--on", ON],
    "card.md": ["card", "{file}", "{role}", "--format", "markdown", "--on", ON],
}


def run_main(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _plain(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("example", sorted(CARD_ROLE))
@pytest.mark.parametrize("view", sorted(VIEWS))
def test_golden(capsys, example, view):
    file = f"examples/{example}.charter"
    argv = [a.format(file=file, role=CARD_ROLE[example]) for a in VIEWS[view]]
    code, out, err = run_main(capsys, *argv)
    assert code == 0, err
    assert out.strip(), "a view is never empty"
    golden = GOLDEN / f"{example}.{view}"
    assert_golden(golden, out)


def test_every_golden_is_checked():
    expected = {f"{e}.{v}" for e in CARD_ROLE for v in VIEWS}
    assert {p.name for p in GOLDEN.iterdir()} == expected


def test_matrix_html_is_one_page(capsys):
    code, out, _ = run_main(capsys, "matrix", "examples/acme-finance.charter", "--format", "html", "--on", ON)
    assert code == 0
    assert out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>")
    assert "<title>Authority matrix: Acme Finance (2027-01-15)</title>" in out


def test_card_colour_on_a_terminal_only(capsys, monkeypatch):
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    code = main(["card", "examples/acme-finance.charter", "cfo", "--on", ON])
    out = capsys.readouterr().out
    assert code == 0 and "\x1b[1mWhat I may decide alone\x1b[0m" in out
    monkeypatch.setenv("NO_COLOR", "1")  # NO_COLOR wins even on a terminal
    main(["card", "examples/acme-finance.charter", "cfo", "--on", ON])
    assert "\x1b[" not in capsys.readouterr().out


@pytest.mark.parametrize("argv,code,needle", [
    (["card", "examples/acme-finance.charter", "intern"], 2, "`intern` is not a role"),
    (["graph", "examples/acme-finance.charter", "--decision", "sell"], 2, "`sell` is not a decision"),
    (["matrix", "examples/acme-finance.charter", "--on", "2027-13-01"], 2, "2027-13-01"),
    (["matrix", "examples/acme-finance.charter", "--format", "pdf"], 2, "invalid choice"),
    (["matrix", "no-such.charter"], 2, "no such file"),
    (["card"], 2, "required"),
])
def test_usage_errors(capsys, argv, code, needle):
    got, out, err = run_main(capsys, *argv)
    assert got == code and not out
    assert needle in err


def test_charter_with_errors_exits_1(capsys, tmp_path):
    bad = tmp_path / "bad.charter"
    bad.write_text('charter "x"\nrole a\na may decide nothing\n')
    code, _out, err = run_main(capsys, "matrix", str(bad))
    assert code == 1 and "bad.charter:3" in err


def test_help_lists_the_view_commands():
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    r = subprocess.run([sys.executable, "-m", "decisionrights", "--help"], capture_output=True, text=True,
                       env=env, timeout=120)
    for command in ("matrix", "graph", "card"):
        assert re.search(rf"^\s+{command}\s", r.stdout, re.MULTILINE), command


# -- real Graphviz ------------------------------------------------------------------

DOT = shutil.which("dot")
needs_dot = pytest.mark.skipif(DOT is None, reason="Graphviz `dot` is not installed")

TRICKY = '''charter "Tricky \\"quotes\\" \\\\ back <b>|pipe| #1"
currency EUR
role node
role edge, graph reports to node
role subgraph reports to edge
decision d "a \\"quoted\\" <i>description</i>" {
  note: text
  amount: money
}
node may decide d when amount <= 10k
node delegates d to edge
    when note == "a \\"b\\" | <c> #d \\\\ e" and amount <= 5k
    from 2027-01-01 until 2027-12-31
    may subdelegate
edge delegates d to subgraph when amount <= 1k
    inform graph
'''


def _svg_text(svg: str) -> list[str]:
    return [unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.DOTALL)]


@needs_dot
@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.charter")), ids=lambda p: p.name)
def test_dot_renders_with_graphviz(capsys, path):
    code, out, _ = run_main(capsys, "graph", str(path), "--format", "dot")
    assert code == 0
    r = subprocess.run([DOT, "-Tsvg"], input=out, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and not r.stderr.strip(), r.stderr
    texts = _svg_text(r.stdout)
    for role in dr.load(path).roles:
        assert role in texts


@needs_dot
def test_dot_keeps_awkward_text_intact(capsys, tmp_path):
    file = tmp_path / "tricky.charter"
    file.write_text(TRICKY, encoding="utf-8")
    code, out, err = run_main(capsys, "graph", str(file), "--format", "dot")
    assert code == 0, err
    r = subprocess.run([DOT, "-Tsvg"], input=out, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and not r.stderr.strip(), r.stderr
    texts = _svg_text(r.stdout)
    assert {"node", "edge", "graph", "subgraph"} <= set(texts)  # DOT keywords, quoted as names
    assert 'when note == "a \\"b\\" | <c> #d \\\\ e" and amount <= 5k' in texts
    assert 'Tricky "quotes" \\ back <b>|pipe| #1' in texts
    assert "inform graph" in texts and "may subdelegate" in texts
