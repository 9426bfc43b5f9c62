"""Issue 13, security items: a hostile cache (7), a hostile revision (8), hostile text in Markdown (9).

Each test reproduces an attack or a failure found in the security review and
checks the mechanism that stops it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import CORPUS, ROOT

# -- 8. `diff` and git: a revision is never an option, git's whole message is kept ------------------

BASE = (CORPUS / "diff" / "limit-raised.old.charter").read_text(encoding="utf-8")
ON = "2026-11-01"

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git_env(repo: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(NO_COLOR="1", GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull,
               GIT_CEILING_DIRECTORIES=str(repo.parent), HOME=str(repo.parent))
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")
    env.pop("DECISIONRIGHTS_CACHE_DIR", None)
    return env


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, env=_git_env(repo), capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _diff(cwd: Path, *args: str, repo: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "decisionrights", "diff", *args], cwd=cwd, env=_git_env(repo or cwd),
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "trunk")
    _git(repo, "config", "user.name", "Charter Tester")
    _git(repo, "config", "user.email", "charters@example.com")
    (repo / "org.charter").write_text(BASE, encoding="utf-8")
    (repo / "sub").mkdir()
    (repo / "sub" / "team.charter").write_text(BASE, encoding="utf-8")
    _git(repo, "add", "org.charter", "sub/team.charter")
    _git(repo, "commit", "-q", "-m", "charters")
    return repo


@needs_git
@pytest.mark.parametrize("spec", ["--output=written-by-git:org.charter", "-owritten-by-git:org.charter",
                                  "--output=written-by-git:sub/team.charter"])
def test_a_revision_that_looks_like_an_option_is_not_one(repo: Path, spec: str):
    before = sorted(p.name for p in repo.iterdir())
    r = _diff(repo, "--", spec, "org.charter")
    assert sorted(p.name for p in repo.iterdir()) == before  # git wrote no file
    assert not (repo / "written-by-git").exists()
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith(f"decisionrights: error: cannot read `{spec}` from git:"), r.stderr
    assert "Traceback" not in r.stderr


@needs_git
def test_git_s_whole_error_is_kept(repo: Path):
    """From a sub-folder, git explains on one line and hints on the next: both reach the user."""
    r = _diff(repo / "sub", "HEAD:team.charter", "team.charter", "--on", ON, repo=repo)
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr
    assert r.stderr.startswith("decisionrights: error: cannot read `HEAD:team.charter` from git: "
                               "fatal: path 'sub/team.charter' exists, but not 'team.charter'\n"), r.stderr
    assert "hint: Did you mean 'HEAD:sub/team.charter'" in r.stderr


@needs_git
def test_a_good_revision_still_reads(repo: Path):
    (repo / "org.charter").write_text(BASE.replace("amount <= 25k and", "amount <= 30k and"), encoding="utf-8")
    r = _diff(repo, "HEAD:org.charter", "org.charter", "--on", ON)
    assert r.returncode == 0, r.stderr
    assert "widened" in r.stdout
