"""People on the command line (issue 15): `--people FILE`, asking as a person, `who --persons`,
a person's card, `matrix --persons` — run as a user runs them: real processes, real files, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import EXAMPLES, ROOT, SPEC_EXAMPLES

NORTHWIND = str(SPEC_EXAMPLES / "northwind-people.charter")
ACME = str(EXAMPLES / "acme-finance.charter")


def run(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1")
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "decisionrights", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120, input=stdin)


@pytest.fixture
def good(tmp_path: Path) -> Path:
    """hal covers buyer in January; ivy is a controller."""
    path = tmp_path / "people.csv"
    path.write_text("person,roles,from,until\nhal,buyer,2027-01-01,2027-01-31\nivy,controller,,\n", encoding="utf-8")
    return path


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text("person,roles\nhal,buyer\nbo,cfo\nann,chief\n", encoding="utf-8")
    return path


# -- --people on every command -------------------------------------------------------------

def test_ask_as_a_person_from_the_directory(good):
    r = run("ask", NORTHWIND, "hal", "purchase", "amount=100", "--on", "2027-01-10", "--people", str(good))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("yes: hal may decide purchase, as buyer.")
    r = run("ask", NORTHWIND, "hal", "purchase", "amount=100", "--on", "2027-03-01", "--people", str(good))
    assert r.returncode == 0 and r.stdout.startswith("no:") and "hal holds no role on 2027-03-01" in r.stdout


def test_a_json_directory_works_as_well(tmp_path):
    path = tmp_path / "people.json"
    path.write_text('[{"person": "hal", "roles": ["buyer"]}]', encoding="utf-8")
    r = run("ask", NORTHWIND, "hal", "purchase", "amount=100", "--people", str(path), "--json")
    assert r.returncode == 0, r.stdout
    assert json.loads(r.stdout)["person"] == "hal"


@pytest.mark.parametrize("command", [
    ["ask", NORTHWIND, "hal", "purchase", "amount=100"],
    ["who", NORTHWIND, "purchase", "amount=100", "--persons"],
    ["test", NORTHWIND],
    ["lint", NORTHWIND],
    ["card", NORTHWIND, "fay"],
    ["matrix", NORTHWIND, "--persons"],
    ["graph", NORTHWIND],
])
def test_a_bad_directory_is_located_and_exits_as_a_charter_error(command, bad):
    r = run(*command, "--people", str(bad))
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert f"{bad}:3:1" in out and "DR107" in out  # bo is on a `person` line of the charter too
    assert f"{bad}:4:5" in out and "DR129" in out  # no role `chief`
    assert "Traceback" not in out


@pytest.mark.parametrize("command", [
    ["ask", NORTHWIND, "eva", "purchase", "amount=100"],
    ["who", NORTHWIND, "purchase", "amount=100"],
    ["test", NORTHWIND],
    ["lint", NORTHWIND],
    ["card", NORTHWIND, "eva"],
    ["matrix", NORTHWIND],
    ["graph", NORTHWIND],
])
def test_a_missing_directory_is_a_usage_error(command, tmp_path):
    r = run(*command, "--people", str(tmp_path / "nope.csv"))
    assert r.returncode == 2
    assert "cannot read" in r.stderr and "no such file" in r.stderr and "Traceback" not in r.stderr


def test_ask_json_errors_from_a_bad_directory_are_json(bad):
    r = run("ask", NORTHWIND, "hal", "purchase", "amount=100", "--people", str(bad), "--json")
    assert r.returncode == 1
    found = {(d["code"], d["path"], d["line"]) for d in json.loads(r.stdout)["diagnostics"]}
    assert {("DR107", str(bad), 3), ("DR129", str(bad), 4)} <= found


def test_the_directory_may_come_on_stdin():
    r = run("ask", NORTHWIND, "hal", "purchase", "amount=100", "--people", "-",
            stdin="person,roles\nhal,buyer\n")
    assert r.returncode == 0 and "as buyer" in r.stdout
    r = run("ask", NORTHWIND, "hal", "purchase", "amount=100", "--people", "-", stdin="person,roles\nhal,chief\n")
    assert r.returncode == 1 and "<stdin>:2:5" in r.stderr


def test_test_and_lint_pass_with_a_good_directory(good):
    r = run("test", NORTHWIND, "--people", str(good))
    assert r.returncode == 0 and "11 passed, 0 failed" in r.stdout
    r = run("lint", NORTHWIND, "--people", str(good))
    assert r.returncode == 0 and "0 errors" in r.stdout


def test_lint_with_a_directory_reports_its_clashes_and_its_people(tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("person,roles,from,until\nivy,controller;treasurer,,\nhal,buyer,2027-01-01,2027-01-31\n",
                      encoding="utf-8")
    r = run("lint", NORTHWIND, "--people", str(people), "--on", "2027-03-01", "--format", "json")
    found = {(d["code"], d["path"], d["span"]["line"]) for d in json.loads(r.stdout)}
    assert r.returncode == 1
    assert ("DR115", str(people), 2) in found  # ivy holds the two roles the charter keeps apart
    assert ("DR215", str(people), 3) in found  # hal holds nothing on 2027-03-01


# -- ask and who as people ----------------------------------------------------------------

def test_ask_as_a_person_says_the_role_and_json_has_the_person_keys():
    r = run("ask", NORTHWIND, "fay", "purchase", "amount=30k", "--on", "2027-07-05")
    assert r.returncode == 0 and r.stdout.startswith("yes: fay may decide purchase, as ops_manager.")
    r = run("ask", NORTHWIND, "ana", "expense", "amount=500", "claimant=ana", "--on", "2027-03-01", "--json")
    answer = json.loads(r.stdout)
    assert r.returncode == 0 and answer["allowed"] is False
    assert answer["person"] == "ana" and answer["role"] == "ceo"
    assert answer["escalate_persons"] == {"board": ["zoe"]} and "cosigners" in answer
    assert "person" not in json.loads(run("ask", ACME, "cfo", "vendor_payment", "amount=1k", "--json").stdout)


def test_ask_an_unknown_name_guesses_among_roles_and_persons():
    r = run("ask", NORTHWIND, "fya", "purchase", "amount=100")
    assert r.returncode == 2
    assert "not a role or a person" in r.stderr and "did you mean `fay`?" in r.stderr


def test_who_persons_names_each_role_and_its_persons():
    r = run("who", NORTHWIND, "expense", "amount=500", "claimant=gus", "--on", "2027-07-05", "--persons")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "board: zoe\nceo: ana\ncfo: bo\nops_manager: eva, fay\n"
    r = run("who", NORTHWIND, "expense", "amount=500", "claimant=bo", "--on", "2027-07-05", "--persons", "--json")
    data = json.loads(r.stdout)
    assert data == {"decision": "expense", "roles": ["board", "ceo"], "persons": {"board": ["zoe"], "ceo": ["ana"]}}


def test_who_persons_with_a_directory(good):
    r = run("who", NORTHWIND, "purchase", "amount=100", "--on", "2027-01-10", "--persons", "--people", str(good))
    assert r.returncode == 0 and "buyer: fay, gus, hal" in r.stdout


def test_plain_who_on_a_me_decision_suggests_persons():
    r = run("who", NORTHWIND, "expense", "amount=500", "claimant=fay")
    assert r.returncode == 2
    assert "speak of `me`" in r.stderr and "--persons" in r.stderr and "Traceback" not in r.stderr
    r = run("who", NORTHWIND, "purchase", "amount=100")  # no `me`: plain roles, as before
    assert r.returncode == 0 and r.stdout == "ops_manager\nbuyer\n"


# -- a person's card ---------------------------------------------------------------------------

def test_card_of_a_person_holds_the_cards_of_their_roles():
    r = run("card", NORTHWIND, "fay", "--on", "2027-07-05")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "Authority card: fay"
    assert lines[2] == "holds ops_manager and buyer on 2027-07-05 · amounts in EUR"
    assert "As ops_manager (reports to ceo)" in lines and "As buyer (reports to ops_manager)" in lines
    assert r.stdout.index("As ops_manager") < r.stdout.index("As buyer")
    assert "  - purchase, when amount <= 50k" in lines and "  - purchase, when amount <= 5k" in lines
    later = run("card", NORTHWIND, "fay", "--on", "2027-08-01").stdout
    assert "holds buyer on 2027-08-01" in later and "As ops_manager" not in later


def test_card_of_a_person_as_markdown_and_a_role_card_unchanged():
    r = run("card", NORTHWIND, "gus", "--on", "2027-03-01", "--format", "markdown")
    assert r.returncode == 0
    assert r.stdout.startswith("# Authority card: gus\n")
    assert "## As `treasurer`" in r.stdout and "## As `buyer`" in r.stdout
    assert "### What I may decide alone" in r.stdout
    role = run("card", NORTHWIND, "buyer", "--on", "2027-03-01", "--format", "markdown").stdout
    assert role.startswith("# Authority card: buyer\n") and "\n## What I may decide alone" in role


def test_card_of_a_person_holding_no_role_that_day(good):
    r = run("card", NORTHWIND, "hal", "--on", "2027-03-01", "--people", str(good))
    assert r.returncode == 0 and "hal holds no role on 2027-03-01" in r.stdout


def test_card_unknown_name_did_you_mean():
    r = run("card", NORTHWIND, "gsu")
    assert r.returncode == 2 and "did you mean `gus`?" in r.stderr
    r = run("card", ACME, "cfoo")  # a charter without persons: the role message as before
    assert r.returncode == 2 and "is not a role of" in r.stderr


# -- matrix --persons ------------------------------------------------------------------------

def test_matrix_persons_in_every_format(good):
    md = run("matrix", NORTHWIND, "--persons", "--on", "2027-07-05").stdout
    assert "| decision | `board`<br>zoe | `ceo`<br>ana |" in md and "`ops_manager`<br>eva, fay" in md
    csv = run("matrix", NORTHWIND, "--persons", "--on", "2027-01-10", "--format", "csv", "--people", str(good)).stdout
    assert csv.splitlines()[0] == ('decision,description,board (zoe),ceo (ana),cfo (bo),"controller (cy, ivy)",'
                                   '"treasurer (dan, gus)",ops_manager (eva),"buyer (fay, gus, hal)"')
    html = run("matrix", NORTHWIND, "--persons", "--format", "html").stdout
    assert '<th scope="col">board<span class="persons">zoe</span></th>' in html


@pytest.mark.parametrize("fmt", ["markdown", "csv", "html"])
def test_matrix_without_persons_is_unchanged(fmt, good):
    plain = run("matrix", NORTHWIND, "--on", "2027-03-01", "--format", fmt).stdout
    assert "persons" not in plain and "zoe" not in plain
    assert run("matrix", NORTHWIND, "--on", "2027-03-01", "--format", fmt, "--people", str(good)).stdout == plain


def test_matrix_persons_says_nobody_for_a_role_nobody_holds():
    md = run("matrix", ACME, "--persons").stdout
    assert "<br>nobody" in md


def test_test_reads_a_directory_on_stdin_once_for_every_file(tmp_path):
    second = tmp_path / "again.charter"
    second.write_text(Path(NORTHWIND).read_text(encoding="utf-8"), encoding="utf-8")
    r = run("test", NORTHWIND, str(second), "--people", "-", stdin="person,roles\nhal,buyer\n")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "22 passed, 0 failed" in r.stdout


def test_who_persons_when_no_person_may():
    args = ("who", ACME, "purchase", "amount=1k", "category=software", "--persons")
    r = run(*args)
    assert r.returncode == 0 and "the charter names no persons (give them with --people FILE)" in r.stdout
    r = run(*args[:3], "amount=900M", "category=software", "--persons", "--on", "2027-03-01", "--people", "-",
            stdin="person,roles\nmo,cfo\n")
    assert r.returncode == 0 and r.stdout == \
        "no person may decide this purchase: nobody who holds a role that day may\n"


def test_ask_a_role_on_a_me_decision_names_who_to_ask_instead(good):
    r = run("ask", NORTHWIND, "controller", "expense", "amount=5", "claimant=fay", "--on", "2027-01-01",
            "--people", str(good))
    assert r.returncode == 2 and "speak of `me`" in r.stderr
    assert "help: ask as a person instead: cy, ivy hold `controller` that day" in r.stderr


def test_a_persons_card_lists_the_me_forbids_of_their_other_roles(tmp_path):
    """An `is me` forbid of one role refuses the person in every role they hold (§12): each role's card says so."""
    path = tmp_path / "two.charter"
    path.write_text('charter "x"\nrole a\nrole b reports to a\nperson p holds a, b\nperson q holds a\n'
                    'decision d { who: person\n n: number }\na may not decide d when who is me\n'
                    'b may decide d\na may decide d when n <= 5\n', encoding="utf-8")
    out = run("card", str(path), "p", "--on", "2027-01-01").stdout
    as_b = out[out.index("As b (reports to a)"):]
    assert "  - d, when who is me\n      I may not as a (line 8), and that binds me in every role I hold" in as_b
    assert run("ask", str(path), "p", "d", "who=p", "n=1").stdout.startswith("no: p may not decide d as a (forbidden)")
    assert "I may not as" not in run("card", str(path), "q").stdout  # q holds only a
