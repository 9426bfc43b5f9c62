"""`decisionrights diff` on real git revisions, as a CI job runs it: a process, a repository, exit codes.

Each test builds a throwaway repository under `tmp_path` (its own user name
and e-mail, no global or system git configuration), commits a charter,
changes it and runs `python -m decisionrights diff REV:PATH PATH` inside it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import CORPUS, ROOT

from decisionrights.cli.main import main
from decisionrights.syntax.fmt import format_text

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

BASE = (CORPUS / "diff" / "limit-raised.old.charter").read_text(encoding="utf-8")
WIDER = BASE.replace("amount <= 25k and", "amount <= 30k and")
NARROWER = BASE.replace("category in [hardware, software]", "category == software")
ON = "2026-11-01"


def _env(repo: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(NO_COLOR="1", GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull,
               GIT_CEILING_DIRECTORIES=str(repo.parent), HOME=str(repo.parent))
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")
    return env


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, env=_env(repo), capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def run(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "decisionrights", "diff", *args], cwd=repo, env=_env(repo),
                          capture_output=True, text=True, timeout=120, check=False)


def commit(repo: Path, text: str, message: str, path: str = "org.charter") -> None:
    file = repo / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    git(repo, "add", path)
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository on branch `trunk` with `org.charter` committed once; the working copy widened."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "trunk")
    git(repo, "config", "user.name", "Charter Tester")
    git(repo, "config", "user.email", "charters@example.com")
    commit(repo, BASE, "charter as agreed")
    (repo / "org.charter").write_text(WIDER, encoding="utf-8")
    return repo


def test_head_against_working_copy(repo: Path):
    r = run(repo, "HEAD:org.charter", "org.charter", "--on", ON)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["controller", "·", "purchase", "widened", "now", "also", "when", "amount", ">", "25k",
                                "and", "amount", "<=", "30k", "and", "category", "!=", "travel"]
    assert lines[1].split()[-1] == "(org.charter:20)"  # the working copy's line
    assert len(lines) == 2 and r.stderr == ""


def test_markdown(repo: Path):
    r = run(repo, "HEAD:org.charter", "org.charter", "--on", ON, "--format", "markdown")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("### Decision rights: 1 widened, 0 narrowed, 0 other\n\n"
                               "Comparing `HEAD:org.charter` → `org.charter`, from 2026-11-01.\n")
    assert "| `controller` · `purchase` | ⬆️ widened | now also when `amount > 25k and amount <= 30k" in r.stdout


def test_json(repo: Path):
    r = run(repo, "HEAD:org.charter", "org.charter", "--on", ON, "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["old"] == "HEAD:org.charter" and data["new"] == "org.charter" and data["on"] == ON
    (change,) = data["changes"]
    assert change["kind"] == "widened" and change["role"] == "controller"
    assert change["example"] == {"amount": 30000, "category": "hardware", "vendor_related": False}
    assert change["old"] == [] and change["new"][0]["file"] == "org.charter"


def test_fail_on_widen_gates_only_widening(repo: Path):
    r = run(repo, "HEAD:org.charter", "org.charter", "--on", ON, "--fail-on", "widen")
    assert r.returncode == 1, r.stderr
    assert "widened" in r.stdout  # the gate still shows why it failed
    commit(repo, WIDER, "raise the controller's limit")
    (repo / "org.charter").write_text(WIDER.replace("category in [hardware, software]", "category == software"),
                                      encoding="utf-8")
    r = run(repo, "HEAD:org.charter", "org.charter", "--on", ON, "--fail-on", "widen")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "narrowed" in r.stdout and "widened" not in r.stdout
    r = run(repo, "HEAD:org.charter", "org.charter", "--on", ON, "--fail-on", "narrow")
    assert r.returncode == 1


def test_two_revisions(repo: Path):
    commit(repo, WIDER, "raise the controller's limit")
    r = run(repo, "HEAD~1:org.charter", "HEAD:org.charter", "--on", ON, "--fail-on", "any")
    assert r.returncode == 1 and "widened" in r.stdout
    r = run(repo, "HEAD:org.charter", "org.charter", "--on", ON, "--fail-on", "any")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("no change of authority between HEAD:org.charter and org.charter")


def test_named_branch(repo: Path):
    git(repo, "branch", "-M", "main")
    git(repo, "checkout", "-q", "-b", "raise-limit")
    commit(repo, WIDER, "raise the controller's limit")
    r = run(repo, "main:org.charter", "org.charter", "--on", ON, "--fail-on", "widen")
    assert r.returncode == 1, r.stderr
    assert r.stdout.startswith("controller · purchase")
    r = run(repo, "main:org.charter", "raise-limit:org.charter", "--on", ON)
    assert r.returncode == 0 and "widened" in r.stdout


def test_charter_in_a_folder(repo: Path):
    commit(repo, NARROWER, "the finance charter", path="charters/finance.charter")
    (repo / "charters" / "finance.charter").write_text(BASE, encoding="utf-8")
    r = run(repo, "HEAD:charters/finance.charter", "charters/finance.charter", "--on", ON)
    assert r.returncode == 0, r.stderr
    assert "team_lead · purchase   widened   now also when amount <= 2k and category == hardware" in r.stdout


@pytest.mark.parametrize("old,needle", [
    ("nope:org.charter", "cannot read `nope:org.charter` from git:"),
    ("HEAD:missing.charter", "cannot read `HEAD:missing.charter` from git:"),
    ("HEAD~5:org.charter", "cannot read `HEAD~5:org.charter` from git:"),
])
def test_bad_revision(repo: Path, old: str, needle: str):
    r = run(repo, old, "org.charter", "--on", ON)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.startswith(f"decisionrights: error: {needle}"), r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_outside_a_repository(tmp_path: Path):
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "org.charter").write_text(BASE, encoding="utf-8")
    r = run(plain, "HEAD:org.charter", "org.charter")
    assert r.returncode == 2
    assert "not a git repository" in r.stderr and "Traceback" not in r.stderr


def test_broken_charter_in_a_revision(repo: Path):
    commit(repo, BASE.replace("role cfo\n", ""), "forgot a role")
    r = run(repo, "HEAD:org.charter", "org.charter", "--on", ON)
    assert r.returncode == 1
    assert "HEAD:org.charter:" in r.stderr and "Traceback" not in r.stderr


# -- the integration files: pre-commit hooks and the documented workflow ----------------------------

HOOKS = ROOT / ".pre-commit-hooks.yaml"
CI_DOC = ROOT / "docs" / "ci.md"


def _yaml_blocks(path: Path) -> list[object]:
    yaml = pytest.importorskip("yaml")
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", path.read_text(encoding="utf-8"), re.DOTALL)]


def test_pre_commit_hooks():
    yaml = pytest.importorskip("yaml")
    hooks = {h["id"]: h for h in yaml.safe_load(HOOKS.read_text(encoding="utf-8"))}
    assert set(hooks) == {"decisionrights-lint", "decisionrights-fmt", "decisionrights-test"}
    assert hooks["decisionrights-lint"]["entry"] == "decisionrights lint"
    assert hooks["decisionrights-fmt"]["entry"] == "decisionrights fmt --check"
    assert hooks["decisionrights-test"]["entry"] == "decisionrights test"
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["files"] == r"\.charter$" and hook["name"]
        assert hook["entry"].split()[0] == "decisionrights"  # the console script of pyproject.toml
    assert 'decisionrights = "decisionrights.cli.main:main"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_pre_commit_hook_entries_run(tmp_path: Path, capsys):
    """Each hook's command on a good and on a broken charter, as pre-commit calls it (files appended)."""
    hooks = _yaml_blocks(CI_DOC)[1]["repos"][0]["hooks"]
    assert [h["id"] for h in hooks] == ["decisionrights-lint", "decisionrights-fmt", "decisionrights-test"]
    good = tmp_path / "good.charter"
    good.write_text(format_text(WIDER), encoding="utf-8")  # in the canonical layout, or fmt --check fails
    broken = tmp_path / "broken.charter"
    broken.write_text(BASE.replace("role cfo\n", ""), encoding="utf-8")
    yaml = pytest.importorskip("yaml")
    for hook in yaml.safe_load(HOOKS.read_text(encoding="utf-8")):
        args = hook["entry"].split()[1:]
        assert main([*args, str(good)]) == 0, (hook["id"], capsys.readouterr())
        assert main([*args, str(broken)]) == 1, (hook["id"], capsys.readouterr())
        assert good.read_text(encoding="utf-8") == format_text(WIDER)  # a check never writes


def test_ci_workflow_is_complete():
    workflow, pre_commit = _yaml_blocks(CI_DOC)
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as true
    steps = workflow["jobs"]["charters"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert any(u.startswith("actions/github-script@") for u in uses)
    scripts = "\n".join(s.get("run", "") for s in steps)
    assert "pip install" in scripts and "decisionrights lint --format sarif" in scripts
    assert "decisionrights test" in scripts
    assert 'decisionrights diff "origin/$BASE_REF:$path" "$path" --format markdown' in scripts
    assert "--fail-on widen" in scripts
    assert workflow["jobs"]["charters"]["env"]["BASE_REF"] == "${{ github.base_ref }}"
    assert pre_commit["repos"][0]["hooks"][0]["id"] == "decisionrights-lint"


@pytest.mark.skipif(shutil.which("bash") is None or sys.platform == "win32", reason="needs bash and GNU xargs")
def test_ci_workflow_steps_run(tmp_path: Path):
    """The workflow's shell steps, run as Actions runs them (bash -e), on a pull request that widens."""
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q", "-b", "main")
    git(origin, "config", "user.name", "Charter Tester")
    git(origin, "config", "user.email", "charters@example.com")
    commit(origin, BASE, "charter as agreed", path="charters/org.charter")
    commit(origin, BASE, "the same, elsewhere", path="other.charter")
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(origin), str(work))
    git(work, "config", "user.name", "Charter Tester")
    git(work, "config", "user.email", "charters@example.com")
    git(work, "checkout", "-q", "-b", "pr")
    commit(work, WIDER, "raise the controller's limit", path="charters/org.charter")
    commit(work, BASE, "a new team", path="charters/team.charter")

    shims = tmp_path / "bin"
    shims.mkdir()
    shim = shims / "decisionrights"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m decisionrights "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = _env(work)
    env.update(PATH=f"{shims}{os.pathsep}{os.environ['PATH']}", BASE_REF="main",
               GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"))

    steps = {s["name"]: s["run"] for s in _yaml_blocks(CI_DOC)[0]["jobs"]["charters"]["steps"] if "run" in s}

    def step(name: str) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", "-e", "-c", steps[name]], cwd=work, env=env, capture_output=True, text=True,
                              timeout=300, check=False)

    found = step("Find the charters")
    assert found.returncode == 0, found.stderr
    assert (work / "changed.txt").read_text().split() == ["charters/org.charter"]
    assert (work / "added.txt").read_text().split() == ["charters/team.charter"]
    assert step("Lint").returncode == 0
    assert json.loads((work / "charters.sarif").read_text())["version"] == "2.1.0"
    assert step("Run the expectations").returncode == 0
    diffed = step("Diff against the base branch")
    assert diffed.returncode == 0, diffed.stderr
    comment = (work / "diff.md").read_text(encoding="utf-8")
    assert comment.startswith("### Decision rights: 1 widened, 0 narrowed, 0 other\n")
    assert "Comparing `origin/main:charters/org.charter` → `charters/org.charter`" in comment
    assert "`charters/team.charter` is a new charter" in comment
    gate = step("Authority may widen only with approval")
    assert gate.returncode == 1 and "authority widened" in gate.stdout
