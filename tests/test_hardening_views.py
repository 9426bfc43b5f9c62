"""Issue 13, items 16 and 17: views that render as intended, and a "no" that names the requester's own limit.

Item 16 checks the Mermaid graph and the HTML matrix in a real headless Chromium (with
the `mermaid` npm package pinned in tests/browser/package.json). Those tests skip only
when Chromium, node or the npm packages are absent, and say which.
"""

from __future__ import annotations

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
from decisionrights.cli import main

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
