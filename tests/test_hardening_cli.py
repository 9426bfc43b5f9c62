"""Issue 13, the command line's items: literals on the command line (2), `fmt` that never loses a file (15),
every mistake in one run (18), diagnostics (19), stdin and colour (20), recipes that work as written (21).

End-to-end tests run `python -m decisionrights` as a subprocess, as a user does.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import decisionrights as dr
from decisionrights.analysis.lint import lint_text

from helpers import EXAMPLES, ROOT

ACME = str(EXAMPLES / "acme-finance.charter")
ON = "2026-11-01"  # before the cfo's delegation to the controller (2026-12-01 .. 2027-03-31)


def run(*args: str, cwd: Path | None = None, stdin: str | None = None,
        env_update: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1")
    env.pop("FORCE_COLOR", None)
    env.update(env_update or {})
    for name in drop:
        env.pop(name, None)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "decisionrights", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120, input=stdin)


def clean(r: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in r.stdout + r.stderr, r.stderr


# -- 2. quoted text on the command line ------------------------------------------------------------

E1 = '''charter "E1"
currency EUR
role clerk
decision contract {
  vendor: text
  label: text = "none"
}
clerk may decide contract
clerk may not decide contract when vendor == "acme"
clerk may not decide contract when label == "prod"
'''


@pytest.fixture()
def e1(tmp_path: Path) -> str:
    path = tmp_path / "E1.charter"
    path.write_text(E1)
    return str(path)


@pytest.mark.parametrize("value", ['vendor="acme"', "vendor=acme"])
def test_cli_quoted_text_is_the_language_literal(e1, value):
    r = run("ask", e1, "clerk", "contract", value, "--on", ON, "--json")
    clean(r)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["allowed"] is False and data["reason"] == "forbidden"


def test_cli_quoted_text_agrees_with_the_api_for_every_form(e1):
    charter = dr.load(e1)
    for value in ['"acme"', "acme", '"ac\\"me"', "bob", '"bob"']:
        text = value[1:-1].replace('\\"', '"') if value.startswith('"') else value
        expected = charter.may("clerk", "contract", vendor=text, on=ON).allowed
        r = run("ask", e1, "clerk", "contract", f"vendor={value}", "--on", ON, "--json")
        assert json.loads(r.stdout)["allowed"] is expected, value


def test_cli_does_not_strip_text(e1):
    """The API reads `label=' prod '` as the text with its spaces, so the command line does too."""
    charter = dr.load(e1)
    api = charter.may("clerk", "contract", vendor="bob", label=" prod ", on=ON).allowed
    r = run("ask", e1, "clerk", "contract", "vendor=bob", "label= prod ", "--on", ON, "--json")
    assert json.loads(r.stdout)["allowed"] is api is True
    r = run("ask", e1, "clerk", "contract", "vendor=bob", "label=prod", "--on", ON, "--json")
    assert json.loads(r.stdout)["allowed"] is False


def test_cli_unclosed_quote_is_a_located_usage_error(e1):
    r = run("ask", e1, "clerk", "contract", 'vendor="acme', "--on", ON)
    clean(r)
    assert r.returncode == 2
    assert "is not closed" in r.stderr and "--> <command line>:1:" in r.stderr


def test_cli_quoted_enum_and_money_read_as_written_bare():
    r = run("ask", ACME, "controller", "purchase", 'amount="20k EUR"', 'category="software"', "--on", ON,
            "--json")
    clean(r)
    assert json.loads(r.stdout)["allowed"] is True


# -- 15. fmt writes safely, leaves broken files alone, and the examples pass their own check ----------------

UGLY = 'charter "x"\ncurrency EUR\nrole a\ndecision d { amount: money }\na may decide d\n    when amount <= 5\n'


def test_fmt_keeps_the_file_mode(tmp_path):
    f = tmp_path / "org.charter"
    f.write_text(UGLY)
    f.chmod(0o640)
    r = run("fmt", str(f))
    clean(r)
    assert r.returncode == 0
    assert f.read_text() != UGLY
    assert stat.S_IMODE(f.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["org.charter"]  # no temporary file left behind


@pytest.mark.skipif(sys.platform == "win32" or not __import__("importlib").util.find_spec("resource"), reason="needs POSIX rlimits")
def test_fmt_on_a_full_disk_leaves_the_original_whole(tmp_path):
    """`ulimit -f`: writing more than the limit fails as on a full disk; the original must survive whole."""
    lines = ['charter "big"', "currency EUR", "role a", "decision d { amount: money }"]
    for i in range(3000):
        lines.append(f"# comment {i} that must not be lost")
        lines.append("a may decide d\n    when amount <= 5")
    text = "\n".join(lines) + "\n"
    f = tmp_path / "big.charter"
    f.write_text(text)
    limit = "import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); " \
            "resource.setrlimit(resource.RLIMIT_FSIZE, (32768, 32768)); " \
            "from decisionrights.cli.main import main; sys.exit(main(sys.argv[1:]))"
    env = dict(os.environ, NO_COLOR="1", PYTHONPATH=str(ROOT / "src"))
    r = subprocess.run([sys.executable, "-c", limit, "fmt", str(f)], capture_output=True, text=True, env=env,
                       timeout=120)
    clean(r)
    assert r.returncode != 0
    assert "cannot write" in r.stderr and "left unchanged" in r.stderr
    assert f.read_text() == text
    assert [p.name for p in tmp_path.iterdir()] == ["big.charter"]


def test_fmt_leaves_a_file_with_compile_errors_alone(tmp_path):
    f = tmp_path / "bad.charter"
    f.write_text(UGLY.replace("a may decide d", "b may decide d"))  # `b` is not a role
    before = f.read_text()
    r = run("fmt", str(f))
    clean(r)
    assert r.returncode == 1
    assert f.read_text() == before
    assert "`b` is not a declared role" in r.stderr and "left unchanged" in r.stderr
    assert run("fmt", "--check", str(f)).returncode == 1


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.charter")), ids=lambda p: p.name)
def test_every_example_passes_fmt_check(path):
    r = run("fmt", "--check", str(path))
    assert r.returncode == 0, r.stdout + r.stderr


# -- 18. every mistake in one run -----------------------------------------------------------------------

def test_every_bad_date_is_reported():
    text = ('charter "x"\ncurrency EUR\nrole a, b\ndecision d { amount: money }\na may decide d\n'
            "a delegates d to b\n    from 2027-02-30\n"
            "a delegates d to b\n    until 2027-13-01\n")
    codes = [(d.code, d.span.line) for d in lint_text(text)]
    assert ("DR003", 7) in codes and ("DR003", 9) in codes


def test_a_syntax_error_does_not_hide_compile_errors():
    text = 'charter "x"\ncurrency EUR\nrole a\ndecision d { amount: money }\na may decid d\nb may decide d\n'
    found = {(d.code, d.span.line) for d in lint_text(text)}
    assert ("DR001", 5) in found and ("DR101", 6) in found


def test_load_reports_syntax_and_compile_errors_together():
    text = 'charter "x"\ncurrency EUR\nrole a\ndecision d { amount: money }\na may decid d\nb may decide d\n'
    with pytest.raises(dr.CharterError) as info:
        dr.loads(text)
    found = {(d.code, d.span.line) for d in info.value.diagnostics}
    assert ("DR001", 5) in found and ("DR101", 6) in found


@pytest.mark.parametrize("command", [["lint"], ["test"], ["fmt", "--check"]])
def test_a_missing_file_does_not_stop_the_others(tmp_path, command):
    good = tmp_path / "good.charter"
    good.write_text(UGLY if command[0] == "fmt" else
                    'charter "x"\nrole a\ndecision d { n: number }\nb may decide d\n')
    r = run(*command, "missing.charter", "good.charter", cwd=tmp_path)
    clean(r)
    assert r.returncode == 2
    assert "missing.charter" in r.stderr and "no such file" in r.stderr
    out = r.stdout
    if command[0] == "fmt":
        assert "would reformat good.charter" in out
    else:
        assert "good.charter" in out  # the good file was looked at


# -- 19. diagnostics --------------------------------------------------------------------------------------

def test_ask_json_reports_errors_as_json():
    r = run("ask", ACME, "cfx", "purchase", "amount=1", "category=software", "--json")
    assert r.returncode == 2
    data = json.loads(r.stdout)
    [diag] = data["diagnostics"]
    assert diag["code"] == "DR401" and "`cfx` is not a role" in diag["message"]
    assert diag["path"] == "<command line>" and diag["line"] == 1 and diag["column"] > 1


def test_ask_json_reports_charter_errors_as_json(tmp_path):
    f = tmp_path / "bad.charter"
    f.write_text('charter "x"\nrole a\nb may decide d\n')
    r = run("ask", str(f), "a", "d", "--json")
    assert r.returncode == 1
    diags = json.loads(r.stdout)["diagnostics"]
    assert {(d["code"], d["line"], d["column"]) for d in diags} >= {("DR101", 3, 1)}
    assert all(d["path"] == str(f) for d in diags)


@pytest.mark.parametrize("args,guess", [
    (["ask", ACME, "cfo", "purchase", "amount=1", "category=software", "--jsno"], "--json"),
    (["lint", ACME, "--strcit"], "--strict"),
    (["fmt", ACME, "--chekc"], "--check"),
    (["lnt", ACME], "lint"),
])
def test_a_mistyped_option_or_command_gets_a_guess(args, guess):
    r = run(*args)
    clean(r)
    assert r.returncode == 2
    assert f"did you mean `{guess}`?" in r.stderr


# -- 20. `-` for stdin, FORCE_COLOR ---------------------------------------------------------------------------

def test_fmt_stdin_writes_the_formatted_text_to_stdout():
    r = run("fmt", "-", stdin=UGLY)
    clean(r)
    assert r.returncode == 0
    from decisionrights.syntax.fmt import format_text

    assert r.stdout == format_text(UGLY)
    assert run("fmt", "--check", "-", stdin=UGLY).returncode == 1


@pytest.mark.parametrize("args", [
    ["lint", "-"], ["test", "-"], ["ask", "-", "cfo", "purchase", "amount=1", "category=software", "--on", ON],
    ["who", "-", "purchase", "amount=1", "category=software", "--on", ON], ["matrix", "-", "--on", ON],
    ["graph", "-"], ["card", "-", "cfo", "--on", ON],
])
def test_every_command_reads_a_charter_from_stdin(args):
    text = Path(ACME).read_text()
    from_stdin = run(*args, stdin=text)
    clean(from_stdin)
    assert from_stdin.returncode == 0, from_stdin.stderr
    from_file = run(*[ACME if a == "-" else a for a in args])
    assert from_stdin.stdout.replace("<stdin>", ACME) == from_file.stdout


def test_diff_reads_one_side_from_stdin(tmp_path):
    new = tmp_path / "new.charter"
    new.write_text(Path(ACME).read_text().replace("amount <= 25k and category", "amount <= 30k and category"))
    r = run("diff", "-", str(new), "--on", ON, "--fail-on", "widen", stdin=Path(ACME).read_text())
    clean(r)
    assert r.returncode == 1 and "controller" in r.stdout and "widened" in r.stdout
    twice = run("diff", "-", "-", stdin=Path(ACME).read_text())
    assert twice.returncode == 2 and "only once" in twice.stderr


def test_stdin_names_itself_in_diagnostics():
    r = run("lint", "-", stdin='charter "x"\nrole a\nb may decide d\n')
    assert r.returncode == 1 and "--> <stdin>:3:1" in r.stdout


def test_force_color_paints_without_a_terminal_and_no_color_wins():
    args = ("ask", ACME, "controller", "purchase", "amount=20k", "category=software", "--on", ON)
    forced = run(*args, env_update={"FORCE_COLOR": "1"}, drop=("NO_COLOR",))
    assert "\x1b[1;32myes: controller may decide purchase.\x1b[0m" in forced.stdout
    both = run(*args, env_update={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[" not in both.stdout
    empty = run(*args, env_update={"FORCE_COLOR": ""}, drop=("NO_COLOR",))
    assert "\x1b[" not in empty.stdout


# -- 21. recipes that work as written ---------------------------------------------------------------------------

def test_ci_recipe_runs_xargs_with_r_everywhere():
    text = (ROOT / "docs" / "ci.md").read_text()
    calls = re.findall(r"xargs [^\n]*decisionrights", text)
    assert calls and all(" -r " in c for c in calls), calls


def test_no_placeholder_urls_in_sarif_or_recipes():
    sarif = run("lint", "--format", "sarif", str(ROOT / "tests" / "corpus" / "lint" / "flawed.charter")).stdout
    log = json.loads(sarif)
    driver = log["runs"][0]["tool"]["driver"]
    assert ".invalid" not in sarif and "OWNER" not in sarif
    assert all("helpUri" not in rule for rule in driver["rules"])
    assert all(rule["help"]["text"] for rule in driver["rules"])
    for doc in ("docs/ci.md", "README.md", ".pre-commit-hooks.yaml"):
        assert "github.com/OWNER" not in (ROOT / doc).read_text(), doc


def test_readme_authority_of_snippet_holds_on_any_date(monkeypatch):
    import decisionrights.decide.request as request

    readme = (ROOT / "README.md").read_text()
    line = next(ln for ln in readme.splitlines() if "charter.authority_of(" in ln)
    expression, _, comment = line.partition("#")
    expected = comment.strip().strip("'")
    charter = dr.load(ACME)
    for today in (date(2026, 11, 1), date(2027, 1, 15), date(2031, 6, 1)):  # the delegation runs 2026-12..2027-03
        monkeypatch.setattr(request, "clock", (float("inf"), today))
        assert eval(expression.strip(), {"charter": charter}) == expected, today


HEAD = 'charter "x"\ncurrency EUR\nrole a, cfo\ndecision d {\n  amount: money\n  kind: one of hardware, software\n}\n'


def _found(text: str) -> list[tuple[str, int]]:
    return [(d.code, d.span.line if d.span else 0) for d in lint_text(text, on=date(2026, 11, 1))]


@pytest.mark.parametrize("code,ok", [("EUR", True), ("USD", True), ("CHF", True), ("JPY", True),
                                     ("XYZ", False), ("EUX", False), ("ABC", False)])
def test_dr111_checks_iso_4217(code, ok):
    text = f'charter "x"\ncurrency {code}\nrole a\ndecision d {{ amount: money }}\na may decide d\n'
    assert (("DR111", 2) not in _found(text)) is ok


def test_dr111_checks_the_code_of_an_amount_too():
    text = HEAD + "a may decide d when amount <= 5k EUX\n"
    diags = [d for d in lint_text(text) if d.code == "DR111"]
    assert [d.span.line for d in diags] == [8] and "did you mean `EUR`?" in (diags[0].help or "")


def test_dr210_points_at_the_overlapping_rule_and_labels_the_other():
    text = ('charter "x"\ncurrency EUR\nrole x, y\ndecision d { amount: money }\n'
            "y may decide d when amount > 100\n"      # line 5: no overlap with x
            "y may decide d when amount <= 5\n"       # line 6: the overlap
            "x may decide d when amount <= 10\n")     # line 7
    [diag] = [d for d in lint_text(text) if d.code == "DR210"]
    assert diag.span.line == 6
    assert [lab.span.line for lab in diag.labels] == [7]


@pytest.mark.parametrize("broken,false_codes", [
    ("cf0 may decide d\n", {"DR208"}),                     # d is granted, to a misspelled cfo
    ("a may decide d when amont <= 5\n", {"DR208"}),
])
def test_no_false_findings_from_statements_that_failed_to_compile(broken, false_codes):
    found = _found(HEAD + broken)
    assert any(code.startswith("DR1") for code, _ in found)
    assert not {code for code, _ in found} & false_codes, found
    if broken.startswith("cf0"):
        assert not any(code == "DR209" and "cfo" in d.message
                       for d in lint_text(HEAD + broken) for code in [d.code])


@pytest.mark.parametrize("body", ["nobody\n", "nobody decides d\n", "nobody delegates d to a\n",
                                  "a may decide d inform nobody\n", "expect nobody may decide d\n"])
def test_a_hint_never_suggests_the_word_written(body):
    for d in lint_text(HEAD + body):
        written = {w for w in re.findall(r"\w+", d.source.line(d.span.line))} if d.source and d.span else set()
        for guess in re.findall(r"did you mean `(\w+)`", d.help or ""):
            assert guess not in written, (d.message, d.help)
        assert "`nobody` is not a keyword" not in d.message
        assert "declare it with `role nobody`" not in (d.help or "")


@pytest.mark.parametrize("body,guess", [
    ("cf0 may decide d\n", "cfo"),                        # a role
    ("a may decide dd\n", "d"),                           # a decision (one letter more)
    ("a may decide d when amont <= 5\n", "amount"),       # an attribute
    ("a may decide d when kind == hardwre\n", "hardware"),  # a choice
    ("a may decde d\n", "decide"),                        # a keyword
    ("a may decide d wen amount <= 4\n", "when"),
    ("nobdy may decide d when amount > 5\n", "nobody"),  # the keyword in a role's place
])
def test_did_you_mean_for_every_kind_of_name(body, guess):
    helps = " ".join(d.help or "" for d in lint_text(HEAD + body))
    assert f"did you mean `{guess}`?" in helps, helps


@pytest.mark.parametrize("args,guess", [
    (["cf0", "purchase", "amount=1", "category=software"], "cfo"),
    (["cfo", "purchse", "amount=1", "category=software"], "purchase"),
    (["cfo", "purchase", "amont=1", "category=software"], "amount"),
    (["cfo", "purchase", "amount=1", "category=sofware"], "software"),
])
def test_did_you_mean_on_the_command_line(args, guess):
    r = run("ask", ACME, *args, "--on", ON)
    assert r.returncode == 2 and f"did you mean `{guess}`?" in r.stderr, r.stderr


def test_diff_names_the_standard_input_as_such(tmp_path) -> None:
    old = EXAMPLES / "acme-finance.charter"
    new = tmp_path / "new.charter"
    new.write_text(old.read_text().replace("amount <= 25k", "amount <= 30k", 1))
    r = subprocess.run([sys.executable, "-m", "decisionrights", "diff", str(old), "-", "--on", "2026-11-28"],
                       input=new.read_text(), capture_output=True, text=True, timeout=120)
    assert r.returncode in (0, 1), r.stderr
    assert "<stdin>" in r.stdout and "widened" in r.stdout, r.stdout
