"""Re-plant, one at a time, the realistic bugs of issue 21 and check that the suite catches each.

    python tools/planted_mutants.py --list
    python tools/planted_mutants.py [NAME ...] [--runs 10] [--] [pytest arguments]

For each named mutant (all by default) and each run, the script edits the one line of
`src/`, runs pytest (at the `ci` profile unless HYPOTHESIS_PROFILE says otherwise) with
`--hypothesis-seed=RUN` and the given arguments (by default the tests that guard that
mutant), restores the file, and reports whether the run failed, as it must. It exits 1 if
any mutant survived a run. The file is restored even when the run is interrupted.

These mutants complement mutmut (see docs/testing.md): they are the bugs that survived,
or were caught only by luck, before issue 21, kept as a standing check.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "decisionrights"

# name: (file, original text, mutated text, tests that guard it)
MUTANTS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "subdelegation-budget": (
        "compile/ways.py", "remaining = min(parent.remaining - 1, link.further)",
        "remaining = min(parent.remaining, link.further)",
        ("tests/test_mutants.py", "tests/test_laws.py")),
    "diff-forbid-on-delegator": (
        "analysis/diff.py", "        roles.update(p.chain)\n    forbids = sorted(", "    forbids = sorted(",
        ("tests/test_mutants.py", "tests/test_diff.py", "tests/test_diff_laws.py")),
    "may-many-ignores-on": (
        "charter.py", "        day = today() if on is None else request_date(on)  # one date for the whole answer, "
                      "fixed now\n        asks = self._asks",
        "        day = today()\n        asks = self._asks",
        ("tests/test_mutants.py", "tests/test_evaluate.py")),
    "up-to-n-stored-as-n-plus-1": (
        "compile/statements.py", "further = st.subdelegate.levels\n", "further = st.subdelegate.levels + 1\n",
        ("tests/test_mutants.py", "tests/test_laws.py")),
    "not-in-compiled-as-in": (
        "compile/resolve.py", "return In(attr.name, frozenset(values), node.negated)",
        "return In(attr.name, frozenset(values), False)",
        ("tests/test_mutants.py", "tests/test_laws.py")),
    "not-in-generated-as-in": (
        "decide/fastpath.py", "{'not in' if cond.negated else 'in'}", "{'in' if cond.negated else 'in'}",
        ("tests/test_mutants.py", "tests/test_laws.py")),
    "money-le-compiled-as-lt": (
        "compile/resolve.py", "        return Cmp(attr.name, node.op, converted)",
        "        return Cmp(attr.name, '<' if node.op == '<=' and attr.kind == 'money' else node.op, converted)",
        ("tests/test_mutants.py", "tests/test_laws.py")),
    "parser-flips-not-in": (
        "syntax/build.py", "values=values, negated=True)", "values=values, negated=False)",
        ("tests/test_mutants.py", "tests/test_laws.py")),
    "fast-path-drops-attenuation": (
        "decide/fastpath.py", '            tests.append(f"not {w.cond(_any(forbids))}")', "            pass",
        ("tests/test_laws.py",)),
}


def plant(name: str) -> tuple[Path, str]:
    """Apply one mutant; return the file and its original text."""
    file, old, new, _ = MUTANTS[name]
    path = SRC / file
    text = path.read_text(encoding="utf-8")
    if text.count(old) != 1:
        raise SystemExit(f"{name}: the line to mutate is not found exactly once in {file}; update MUTANTS")
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path, text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="mutants to plant (default: all)")
    parser.add_argument("--runs", type=int, default=1, help="runs per mutant, with seeds 1..RUNS")
    parser.add_argument("--list", action="store_true")
    argv = sys.argv[1:] if argv is None else argv
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    args = parser.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    if args.list:
        for name, (file, _, _, tests) in MUTANTS.items():
            print(f"{name:28} {file:12} {' '.join(tests)}")
        return 0
    names = args.names or list(MUTANTS)
    env = {**os.environ, "HYPOTHESIS_PROFILE": os.environ.get("HYPOTHESIS_PROFILE", "ci")}
    survived = 0
    for name in names:
        tests = extra or list(MUTANTS[name][3])
        caught = 0
        for run in range(1, args.runs + 1):
            path, original = plant(name)
            try:
                result = subprocess.run(
                    [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                     f"--hypothesis-seed={run}", *tests],
                    cwd=ROOT, env=env, capture_output=True, text=True)
            finally:
                path.write_text(original, encoding="utf-8")
            failed = result.returncode == 1
            caught += failed
            last = [line for line in result.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))][:1]
            print(f"{name} run {run}: {'caught' if failed else f'SURVIVED (exit {result.returncode})'}"
                  f"{'  ' + last[0] if last else ''}", flush=True)
        print(f"{name}: caught in {caught} of {args.runs} runs", flush=True)
        survived += caught < args.runs
    return 1 if survived else 0


if __name__ == "__main__":
    raise SystemExit(main())
