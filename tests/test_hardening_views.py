"""Issue 13, items 16 and 17: views that render as intended, and a "no" that names the requester's own limit.

Item 16 checks the Mermaid graph and the HTML matrix in a real headless Chromium (with
the `mermaid` npm package pinned in tests/browser/package.json). Those tests skip only
when Chromium, node or the npm packages are absent, and say which.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

import decisionrights as dr
from decisionrights import views
from decisionrights.views import graph
from decisionrights.cli.main import main

from helpers import EXAMPLES, ROOT, charter_text

ON = date(2027, 1, 15)


def line_of(text: str, fragment: str) -> int:
    """The line of `text` that holds `fragment` (exactly one does)."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if fragment in line]
    assert len(found) == 1, (fragment, found)
    return found[0]


# -- 17. a "no" names the requester's own nearest limit first ------------------------

OWN_LIMIT_AND_A_FORBIDDEN_DELEGATOR = charter_text("""
role cfo
role controller reports to cfo
decision purchase {
  amount: money
  vendor_related: bool = false
}
cfo may decide purchase when amount <= 250k
cfo may not decide purchase when vendor_related
controller may decide purchase when amount <= 1k
cfo delegates purchase to controller when amount <= 50k
""")


def test_own_limit_beats_a_forbid_that_binds_only_the_delegator():
    charter = dr.loads(OWN_LIMIT_AND_A_FORBIDDEN_DELEGATOR)
    no = charter.may("controller", "purchase", amount="5k", vendor_related=True, on=ON)
    assert not no.allowed
    assert no.reason == "outside_limits"
    grant = line_of(OWN_LIMIT_AND_A_FORBIDDEN_DELEGATOR, "controller may decide")
    assert [r.line for r in no.because] == [grant]  # controller's own grant, not cfo's forbid
    text = no.explain()
    assert f"amount 5k EUR is over controller's limit of 1k EUR by 4k EUR (line {grant})" in text
    assert "forbidden by" not in text
    # Within its own limit the controller may; the forbid binds only the cfo.
    assert charter.may("controller", "purchase", amount="500", vendor_related=True, on=ON).allowed


def test_a_forbidden_delegator_is_the_reason_when_nothing_nearer_is():
    text = charter_text("""
role cfo
role controller reports to cfo
decision purchase {
  amount: money
  vendor_related: bool = false
}
cfo may decide purchase when amount <= 250k
cfo may not decide purchase when vendor_related
cfo delegates purchase to controller when amount <= 50k
""")
    no = dr.loads(text).may("controller", "purchase", amount="5k", vendor_related=True, on=ON)
    assert no.reason == "forbidden"
    assert [r.line for r in no.because] == [line_of(text, "cfo may not")]


def test_delegation_inactive_beats_a_forbid_on_another_way_in():
    text = charter_text("""
role cfo
role treasurer reports to cfo
role controller reports to cfo
decision purchase {
  amount: money
  vendor_related: bool = false
}
cfo may decide purchase when amount <= 250k
treasurer may decide purchase when amount <= 100k
treasurer may not decide purchase when vendor_related
cfo delegates purchase to controller when amount <= 50k from 2027-06-01 until 2027-06-30
treasurer delegates purchase to controller when amount <= 50k
""")
    charter = dr.loads(text)
    no = charter.may("controller", "purchase", amount="5k", vendor_related=True, on=ON)
    assert no.reason == "delegation_inactive"
    assert [r.line for r in no.because] == [line_of(text, "cfo delegates")]
    assert "is not in effect on 2027-01-15" in no.explain()
    assert charter.may("controller", "purchase", amount="5k", vendor_related=True, on="2027-06-15").allowed


def test_a_way_out_of_its_dates_and_blocked_by_its_own_delegator_stays_forbidden():
    charter = dr.loads(charter_text("""
role cfo
role controller reports to cfo
decision purchase {
  amount: money
  vendor_related: bool = false
}
cfo may decide purchase when amount <= 250k
cfo may not decide purchase when vendor_related
cfo delegates purchase to controller when amount <= 50k from 2027-06-01 until 2027-06-30
"""))
    no = charter.may("controller", "purchase", amount="5k", vendor_related=True, on=ON)
    assert no.reason == "forbidden"  # no date would help: the forbid is the reason that lasts


NOBODY = charter_text("""
role cfo
role controller reports to cfo
decision purchase {
  amount: money
  vendor_related: bool = false
}
cfo may decide purchase when amount <= 250k
nobody may decide purchase when vendor_related
controller may decide purchase when amount <= 1k
""")


def test_an_explicit_nobody_forbid_is_not_a_gap():
    charter = dr.loads(NOBODY)
    no = charter.may("controller", "purchase", amount="500", vendor_related=True, on=ON)
    assert no.reason == "forbidden" and no.escalate_to == ()
    text = no.explain()
    assert "gap" not in text
    assert text.splitlines()[-1] == f"nobody may decide this request: not okay for anyone (line {line_of(NOBODY, 'nobody may')})."
    # A real gap still says so.
    gap = charter.may("controller", "purchase", amount="300k", on=ON)
    assert gap.escalate_to == () and gap.explain().splitlines()[-1] == (
        "nobody may decide this request: a gap in the charter.")


def test_who_says_not_okay_for_anyone(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    path = tmp_path / "nobody.charter"
    path.write_text(NOBODY, encoding="utf-8")
    assert main(["who", str(path), "purchase", "amount=500", "vendor_related=true", "--on", "2027-01-15"]) == 0
    assert capsys.readouterr().out.strip() == (
        f"nobody may decide this purchase: not okay for anyone (line {line_of(NOBODY, 'nobody may')})")
    assert main(["who", str(path), "purchase", "amount=300k", "--on", "2027-01-15"]) == 0
    assert capsys.readouterr().out.strip() == "nobody may decide this purchase: a gap in the charter"


# -- 16. the views render as intended in a real browser -------------------------------

BROWSER = ROOT / "tests" / "browser"  # check.mjs, and package.json pinning mermaid and playwright-core
SCREEN = 1400  # px: the viewport the HTML matrix must fit


@pytest.fixture(scope="module")
def browser_check():
    """Run tests/browser/check.mjs in headless Chromium; skip only when Chromium or node is absent."""
    node = shutil.which("node")
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if node is None:
        pytest.skip("node is not installed (Debian: apt-get install -y nodejs npm)")
    if chromium is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install -y chromium)")
    if not all((BROWSER / "node_modules" / p / "package.json").is_file() for p in ("mermaid", "playwright-core")):
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed (Debian: apt-get install -y npm), so tests/browser cannot be set up")
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=BROWSER, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, f"`npm ci` in tests/browser failed:\n{done.stdout}\n{done.stderr}"

    def check(mode: str, payload: dict) -> list[dict]:
        done = subprocess.run([node, str(BROWSER / "check.mjs"), mode], input=json.dumps(payload),
                              capture_output=True, text=True, timeout=600, env={**os.environ, "CHROMIUM": chromium})
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout)
        assert out["fetched"] == [], "a page fetched something from outside"
        return out["results"]

    return check


def _squeeze(text: str) -> str:
    """Text without white space: Mermaid's SVG labels drop the line breaks between a label's lines."""
    return "".join(text.split())


HOSTILE_LABEL = charter_text("""
role end
role graph reports to end
decision d { note: text }
end may decide d
end delegates d to graph when note == "a \\"b\\" | <c> #d; #lt; &amp; `e` & f"
    may subdelegate up to 2 levels
""")


def _graph_cases() -> list[tuple[str, dr.Charter]]:
    cases = [(p.name, dr.load(p)) for p in sorted(EXAMPLES.glob("*.charter"))]
    return cases + [("hostile-label", dr.loads(HOSTILE_LABEL))]


@pytest.mark.parametrize("config", [{}, {"htmlLabels": False}], ids=["html-labels", "svg-labels"])
def test_mermaid_graph_renders_as_intended_in_chromium(browser_check, config):
    cases = _graph_cases()
    results = browser_check("mermaid", {"config": config, "diagrams": [views.graph_mermaid(c) for _, c in cases]})
    assert len(results) == len(cases)
    for (name, charter), got in zip(cases, results):
        assert got["ok"], (name, got.get("error"))
        cc = charter.compiled
        assert sorted(_squeeze(t) for t in got["nodes"]) == sorted(cc.roles), name
        assert [_squeeze(t) for t in got["title"]] == [_squeeze(cc.title)], name
        used = graph.used_delegations(cc)
        intended = sorted(_squeeze("".join(graph.delegation_lines(cc, d)
                                           + ([] if id(d) in used else [graph.GIVES_NOTHING])))
                          for d in cc.delegations)
        assert sorted(_squeeze(t) for t in got["edges"]) == intended, name
    # The examples' limits read as written, `<=` and `>=`: no entity code shows.
    shown = " ".join(t for (name, _), got in zip(cases, results) if name.endswith(".charter") for t in got["edges"])
    assert "amount <= 50k" in shown and "severity >= 2" in shown
    assert not re.search(r"#\w+;|&\w+;", shown), shown
    # Every character Mermaid or HTML would read — quotes, `<c>`, `#d;`, `#lt;`, `&amp;` — shows as written
    # (SVG labels wrap long lines into pieces without the space between, hence the squeeze).
    hostile, = results[-1]["edges"]
    assert _squeeze('when note == "a \\"b\\" | <c> #d; #lt; &amp; `e` & f"') in _squeeze(hostile), hostile


def _wide_charter(n: int) -> str:
    """A typical matrix of `n` roles with long names: six decisions, each granted to three roles
    with limits and an obligation, a `nobody may`, a dated delegation and a proposal."""
    names = ["board_of_directors", "chief_executive_officer", "chief_financial_officer", "financial_controller",
             "group_treasurer", "vice_president_engineering", "engineering_director", "platform_team_lead",
             "site_reliability_engineer", "head_of_customer_success", "procurement_manager", "legal_counsel",
             "people_operations_partner", "security_officer", "data_protection_officer"]
    roles = names[:n]
    out = ['charter "Typical Co"', "currency EUR", f"role {roles[0]}"]
    out += [f"role {r} reports to {roles[(i - 1) // 2]}" for i, r in enumerate(roles) if i]
    decisions = {
        "purchase": ("amount: money\n  category: one of hardware, software, travel, professional_services\n"
                     "  vendor_related: bool = false", "amount <= {k}5k and category in [hardware, software]"),
        "hire": ("level: number\n  budgeted: bool", "budgeted and level <= {k}"),
        "incident_response": ("severity: number", "severity >= {k}"),
        "contract": ("value: money\n  term_months: number", "value <= {k}00k and term_months <= 24"),
        "refund": ("amount: money", "amount <= {k}k"),
        "data_sharing": ("personal_data: bool\n  country: text", 'not personal_data or country == "DE"'),
    }
    for name, (attrs, _) in decisions.items():
        out += [f'decision {name} "The {name.replace("_", " ")} decision" {{', f"  {attrs}", "}"]
    for j, (name, (_, cond)) in enumerate(decisions.items()):
        for t in range(3):
            i = (j * 2 + t * (n // 3)) % n
            out.append(f"{roles[i]} may decide {name} when {cond.format(k=t + 1)}")
            out.append(f"    {['inform', 'consult', 'with agreement of'][(j + t) % 3]} {roles[(i + 4) % n]}")
    out += ["nobody may decide purchase when vendor_related",
            f"{roles[2]} delegates purchase to {roles[3]} when amount <= 50k from 2026-12-01 until 2027-03-31",
            f"    inform {roles[2]}", f"{roles[5]} may propose hire"]
    return "\n".join(out) + "\n"


def test_html_matrix_fits_the_screen_and_one_printed_page(browser_check, tmp_path):
    cases = {p.stem: dr.load(p) for p in sorted(EXAMPLES.glob("*.charter"))}
    cases.update({f"roles-{n}": dr.loads(_wide_charter(n)) for n in (11, 13, 15)})
    assert [len(c.roles) for name, c in cases.items() if name.startswith("roles-")] == [11, 13, 15]
    pages = []
    for name, charter in cases.items():
        page = tmp_path / f"{name}.html"
        page.write_text(views.matrix_html(views.authority_matrix(charter, on=ON)), encoding="utf-8")
        pages.append(str(page))
    results = browser_check("matrix", {"pages": pages, "width": SCREEN})
    assert len(results) == len(pages)
    for name, got in zip(cases, results):
        assert got["viewport"] == SCREEN
        assert got["tableRight"] <= SCREEN, (name, "the last column is cut", got["tableRight"])
        assert got["overflowing"] == [], (name, "cells wider than their column", got["overflowing"])
        assert got["midWord"] == [], (name, "words broken inside", got["midWord"])
        assert got["printTableRight"] <= got["printViewport"], (name, "printed table wider than the sheet")
        assert got["printOverflowing"] == [], (name, "printed cells wider than their column")
        assert got["printMidWord"] == [], (name, "printed words broken inside", got["printMidWord"])
        assert got["pdfPages"] == 1, (name, "printing spills onto more sheets", got["pdfPages"])


# -- item 9, for the views: the matrix and the card in Markdown carry no live markup ----------------

HOSTILE = charter_text('''role boss
role clerk reports to boss
decision pay "Pay ![pixel](https://tracker.example/p.png) @org/admins <img src=x> [link](https://e.example) &#64;team" {
  amount: money
  vendor: text
}
boss may decide pay when vendor != "@org/admins ![x](https://e.example/x.png) <img src=y> | `tick` &#64;all"
clerk may decide pay when amount <= 1k and vendor == "[click](https://e.example)"
''')


@pytest.mark.parametrize("render", ["matrix", "card"])
def test_markdown_views_render_charter_text_as_written(render: str) -> None:
    cmarkgfm = pytest.importorskip("cmarkgfm")
    charter = dr.loads(HOSTILE, "hostile.charter")
    on = date(2026, 11, 28)
    text = (views.matrix_markdown(views.authority_matrix(charter, on=on)) if render == "matrix"
            else views.card_markdown(views.authority_card(charter, "boss", on=on)))
    page = cmarkgfm.github_flavored_markdown_to_html(text)
    assert "<img" not in page  # no image (a tracking pixel), no raw HTML
    # no link that shows other words than where it goes (a bare web address GitHub links as itself)
    assert all(href == shown for href, shown in re.findall(r'<a href="([^"]*)">(.*?)</a>', page))
    assert page.count("<a ") == len(re.findall(r'<a href="[^"]*">', page))
    # GitHub turns `@name` into a mention in text outside code (an entity `&#64;` too, once decoded)
    prose = html.unescape(re.sub(r"<code>.*?</code>", "", page, flags=re.S))
    assert re.findall(r"@(?!\u2060)\w", prose) == []
    if render == "matrix":
        rows = [line for line in text.splitlines() if line.startswith("| **pay**")]
        assert len(rows) == 1
        header = next(line for line in text.splitlines() if line.startswith("| decision |"))
        # the row has exactly as many cells as the header: no `|` from the charter split it
        cells = lambda line: len(re.findall(r"(?<!\\)\|", line))  # noqa: E731
        assert cells(rows[0]) == cells(header)
