"""The built wheel carries the grammar: install it in a fresh virtual environment and use it from there."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from helpers import EXAMPLES, ROOT


@pytest.mark.slow
def test_wheel_installs_and_parses_examples(tmp_path):
    dist = tmp_path / "dist"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    if build.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{build.stdout}\n{build.stderr}")
    [wheel] = dist.glob("decisionrights-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], capture_output=True, text=True,
                             timeout=600)
    assert install.returncode == 0, install.stderr
    # Run from an empty folder so nothing can come from the source tree.
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    probe = subprocess.run(
        [str(python), "-c", "import decisionrights, importlib.resources as r; "
         "print(decisionrights.__file__); "
         "print(r.files('decisionrights').joinpath('grammar/charter.lark').is_file())"],
        capture_output=True, text=True, cwd=work, env=env, timeout=120)
    assert probe.returncode == 0, probe.stderr
    location, has_grammar = probe.stdout.split()
    assert Path(location).is_relative_to(env_dir)
    assert has_grammar == "True"
    files = [str(p) for p in sorted(EXAMPLES.glob("*.charter"))]
    result = subprocess.run([str(bindir / "decisionrights"), "test", *files], capture_output=True, text=True,
                            cwd=work, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "54 passed, 0 failed"
