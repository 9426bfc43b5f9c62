"""The command line as a user runs it: real processes, real files, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import CORPUS, EXAMPLES, PART_II, ROOT, SPEC_EXAMPLES, spec_example_params

ACME = str(EXAMPLES / "acme-finance.charter")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1")
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "decisionrights", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


def test_ask_yes():
    r = run("ask", ACME, "controller", "purchase", "amount=20k", "category=software")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("yes: controller may decide purchase.")
    assert "inform cfo" in r.stdout


def test_ask_no_explains_and_escalates():
    r = run("ask", ACME, "team_lead", "purchase", "amount=5k", "category=hardware")
    assert r.returncode == 0
    assert "no: team_lead may not decide purchase (outside limits)." in r.stdout
    assert "over team_lead's limit of 2k EUR by 3k EUR" in r.stdout
    assert "take it to: ceo." in r.stdout


def test_ask_on_date_and_json():
    r = run("ask", ACME, "controller", "purchase", "amount=40k", "category=travel", "--on", "2027-01-15", "--json")
    data = json.loads(r.stdout)
    assert data["allowed"] is True and data["inform"] == ["cfo"] and data["on"] == "2027-01-15"


def test_ask_bool_and_money_with_currency():
    r = run("ask", ACME, "cfo", "purchase", "amount=10k EUR", "category=software", "vendor_related=true", "--json")
    data = json.loads(r.stdout)
    assert data["allowed"] is False and data["reason"] == "forbidden" and data["escalate_to"] == []


@pytest.mark.parametrize("args,needle", [
    (["team_lead", "purchase", "amount=5k", "category=food"], "one of hardware, software, travel, services"),
    (["team_lead", "purchase", "amount=lots", "category=software"], "not an amount of money"),
    (["team_lead", "purchase", "amount=5k"], "needs `category`"),
    (["team_lead", "purchase", "amount=5k", "category=software", "colour=red"], "no attribute `colour`"),
    (["team_lead", "purchase", "amount5k"], "is not `name=value`"),
    (["intern", "purchase", "amount=5k", "category=software"], "`intern` is not a role"),
    (["team_lead", "sell", "amount=5k"], "`sell` is not a decision"),
    (["controler", "purchase", "amount=5k", "category=software"], "did you mean `controller`?"),
    (["team_lead", "purchse", "amount=5k", "category=software"], "did you mean `purchase`?"),
    (["team_lead", "purchase", "amount=5k", "category=software", "vendor_related=maybe"], "neither true nor false"),
    (["team_lead", "purchase", "amount=5 USD", "category=software"], "given in USD"),
])
def test_ask_bad_values_are_located_usage_errors(args, needle):
    r = run("ask", ACME, *args)
    assert r.returncode == 2
    assert needle in r.stderr
    assert "--> <command line>:1:" in r.stderr and "^" in r.stderr
    assert "Traceback" not in r.stderr + r.stdout


def test_ask_bad_date():
    r = run("ask", ACME, "cfo", "purchase", "amount=1", "category=software", "--on", "2027-13-01")
    assert r.returncode == 2 and "not a real date" in r.stderr


def test_who():
    r = run("who", ACME, "purchase", "amount=60k", "category=software")
    assert r.returncode == 0
    assert r.stdout.split() == ["board", "ceo", "cfo"]
    r = run("who", ACME, "purchase", "amount=60k", "category=software", "vendor_related=true")
    assert "nobody may decide" in r.stdout


def test_test_passes_on_every_example():
    files = [str(p) for p in sorted(EXAMPLES.glob("*.charter"))]
    r = run("test", *files)
    assert r.returncode == 0, r.stdout
    assert r.stdout.strip().splitlines()[-1] == "54 passed, 0 failed"


@pytest.mark.skipif(not SPEC_EXAMPLES.exists(), reason="the shared spec is not beside this checkout")
def test_test_passes_on_the_spec_examples():
    files = [str(p) for p in sorted(SPEC_EXAMPLES.glob("*.charter")) if p.name not in PART_II]
    assert len(files) >= 3
    r = run("test", *files)
    assert r.returncode == 0, r.stdout


@pytest.mark.parametrize("path", [p for p in spec_example_params() if p.id in PART_II])
def test_test_passes_on_the_part_two_spec_examples(path):
    r = run("test", str(path))
    assert r.returncode == 0, r.stdout


def test_test_reports_a_failure_at_its_line(tmp_path):
    text = (EXAMPLES / "acme-finance.charter").read_text()
    text += "expect team_lead may decide purchase with amount = 5k, category = hardware\n"
    f = tmp_path / "org.charter"
    f.write_text(text)
    r = run("test", "org.charter", cwd=tmp_path)
    assert r.returncode == 1
    line = len(text.splitlines())
    assert f"--> org.charter:{line}:1" in r.stdout
    assert "the charter says team_lead may not (outside limits) decide it" in r.stdout
    assert "over team_lead's limit of 2k EUR by 3k EUR" in r.stdout
    assert r.stdout.strip().splitlines()[-1] == "18 passed, 1 failed"


def test_test_on_a_broken_charter(tmp_path):
    f = tmp_path / "bad.charter"
    f.write_text('charter "x"\nrole a\nb may decide d\n')
    r = run("test", "bad.charter", cwd=tmp_path)
    assert r.returncode == 1
    assert "bad.charter:3:1" in r.stdout and "`b` is not a declared role" in r.stdout
    assert "Traceback" not in r.stdout + r.stderr


def test_syntax_error_shows_line_caret_and_hint(tmp_path):
    f = tmp_path / "bad.charter"
    f.write_text('charter "x"\nrole a\na may decid buy\n')
    r = run("ask", "bad.charter", "a", "buy", cwd=tmp_path)
    assert r.returncode == 1
    assert "error[DR001]: unexpected `decid`" in r.stderr
    assert " --> bad.charter:3:7" in r.stderr
    assert "3 | a may decid buy" in r.stderr
    assert "  |       ^^^^^" in r.stderr


def test_missing_file_is_a_usage_error():
    r = run("test", "no-such.charter")
    assert r.returncode == 2 and "no such file" in r.stderr


def test_bad_arguments_are_usage_errors():
    r = run("ask", ACME)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert run().returncode == 2
    assert run("frobnicate").returncode == 2


def test_lint_exit_codes(tmp_path):
    assert run("lint", ACME).returncode == 0
    f = tmp_path / "warn.charter"
    f.write_text('charter "x"\nrole a\ndecision d { x: number }\n')
    assert run("lint", str(f)).returncode == 0
    assert run("lint", "--strict", str(f)).returncode == 1


def test_invalid_utf8_file(tmp_path):
    f = tmp_path / "bin.charter"
    f.write_bytes(b'charter "x"\nrole \xff\n')
    r = run("lint", str(f))
    assert r.returncode != 0 and "not valid UTF-8" in (r.stdout + r.stderr)
    assert "Traceback" not in r.stdout + r.stderr


def test_test_reports_coverage_and_enforces_a_minimum(tmp_path):
    r = run("test", str(EXAMPLES / "acme-finance.charter"), "--coverage")
    assert r.returncode == 0
    assert "coverage: 91% of grants, forbids and delegations (10 of 11)" in r.stdout
    assert "not exercised:" in r.stdout and "ceo may decide hire" in r.stdout
    low = run("test", str(EXAMPLES / "acme-finance.charter"), "--min-coverage", "95")
    assert low.returncode == 1 and "below --min-coverage 95%" in low.stdout
    assert run("test", str(EXAMPLES / "platform-team.charter"), "--min-coverage", "100").returncode == 0


# -- colour: on a terminal only, and never with NO_COLOR -------------------------------------------

def run_on_a_terminal(*args: str, no_color: bool = False) -> tuple[int, str]:
    """The command with its output on a real pseudo-terminal, as a person at a shell sees it."""
    pty = pytest.importorskip("pty")
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color:
        env["NO_COLOR"] = "1"
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "decisionrights", *args], stdout=follower, stderr=follower,
                            stdin=subprocess.DEVNULL, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return proc.wait(timeout=120), b"".join(chunks).decode()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.parametrize("args,painted", [
    (["ask", ACME, "controller", "purchase", "amount=20k", "category=software"],
     "\x1b[1;32myes: controller may decide purchase.\x1b[0m"),
    (["ask", ACME, "controller", "purchase", "amount=60k", "category=software"],
     "\x1b[1;31mno: controller may not decide purchase (outside limits).\x1b[0m"),
    (["who", ACME, "purchase", "amount=60k", "category=software"], "\x1b[1;32mboard\x1b[0m"),
    (["lint", str(CORPUS / "lint" / "DR201-delegation-beyond-authority.charter")], "\x1b["),  # always here
])
def test_colour_on_a_terminal_and_never_with_no_color(args, painted):
    code, out = run_on_a_terminal(*args)
    assert painted in out, out
    code_plain, plain = run_on_a_terminal(*args, no_color=True)
    assert code_plain == code and "\x1b[" not in plain
    assert run(*args).stdout.replace("\n", "\r\n").strip() in plain  # not a terminal: the same text, plain
