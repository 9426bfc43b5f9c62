"""`test` and `lint`: run a charter's expectations, find its mistakes; several files, each on its own."""

from __future__ import annotations

import argparse
import sys

from ..version import __version__
from ..diagnostics import Diagnostic, Severity, render_github, render_json, render_sarif, use_color
from ..errors import CharterError
from .common import FAILED, OK, USAGE, CommandLine, UsageError, add_people_option, load, on_option, print_diags, \
    read, read_bytes, report_usage, shown_name


def cmd_test(args: argparse.Namespace, cmd: CommandLine) -> int:
    from ..analysis.expect import coverage, run, to_diagnostic

    passed = failed = 0
    broken = 0
    total_rules = covered_rules = 0
    unreadable = 0
    raw = None if args.people is None else read_bytes(args.people)  # read once, for every file
    for path in args.files:
        name = shown_name(path)
        try:
            charter = load(path, args.people, raw)
        except UsageError as exc:  # a file that cannot be read: say so, run the rest, exit 2 at the end
            report_usage(exc)
            unreadable += 1
            continue
        except CharterError as exc:
            print_diags(exc.diagnostics, sys.stdout)
            print(f"{name}: the charter has errors; no expectation was run\n")
            broken += 1
            continue
        outcomes = run(charter)
        bad = [o for o in outcomes if not o.passed]
        print_diags([to_diagnostic(charter, o) for o in bad], sys.stdout)
        passed += len(outcomes) - len(bad)
        failed += len(bad)
        if bad:
            print()
        print(f"{name}: {len(outcomes)} expectations, {len(outcomes) - len(bad)} passed, {len(bad)} failed")
        cov = coverage(charter, outcomes)
        total_rules += len(cov.rules)
        covered_rules += len(cov.rules) - len(cov.missed)
        print(f"  coverage: {cov.percent:.0f}% of grants, forbids and delegations "
              f"({len(cov.rules) - len(cov.missed)} of {len(cov.rules)})")
        if args.coverage_detail or args.min_coverage is not None:
            for rule in cov.missed:
                print(f"    not exercised: {name}:{rule.line}: {rule.text}")
    errors = f", {broken} charter{'s' if broken != 1 else ''} with errors" if broken else ""
    if unreadable:
        errors += f", {unreadable} file{'s' if unreadable != 1 else ''} could not be read"
    percent = 100.0 if not total_rules else 100.0 * covered_rules / total_rules
    low = args.min_coverage is not None and percent < args.min_coverage
    if low:
        print(f"coverage {percent:.1f}% is below --min-coverage {args.min_coverage:g}%")
    print(f"{passed} passed, {failed} failed{errors}")
    if unreadable:
        return USAGE
    return FAILED if failed or broken or low else OK


def cmd_lint(args: argparse.Namespace, cmd: CommandLine) -> int:
    from ..analysis.lint import lint_text, rule_index
    from ..syntax.directory import read_directory

    diags: list[Diagnostic] = []
    on = on_option(args.on, cmd)
    # a directory file that cannot be read: a usage error before any linting
    people = None if args.people is None else (shown_name(args.people), read_bytes(args.people))
    unreadable = 0
    directory = None
    if people is not None:
        try:
            directory = read_directory(people[1], people[0])
        except CharterError as exc:  # its bad rows, reported once; the charters are linted without it
            diags.extend(exc.diagnostics)
    for path in args.files:
        try:
            text = read(path)
            # with the directory: its clashes with the charter, located in it, and the people rules see it
            diags.extend(lint_text(text, shown_name(path), on=on, directory=directory))
        except CharterError as exc:  # a file that is not even text: report it, lint the rest
            diags.extend(exc.diagnostics)
        except UsageError as exc:  # a file that cannot be read: say so, lint the rest, exit 2 at the end
            report_usage(exc)
            unreadable += 1
    fail_at = Severity.WARNING if args.strict else Severity.ERROR
    failing = [d for d in diags if d.severity.rank >= fail_at.rank]
    if args.format == "json":
        print(render_json(diags))
    elif args.format == "sarif":
        print(render_sarif(diags, rule_index(), version=__version__))
    elif args.format == "github":
        if diags:
            print(render_github(diags))
    else:
        _print_lint_text(diags, len(args.files) - unreadable, unreadable)
    if unreadable:
        return USAGE
    return FAILED if failing else OK


def _print_lint_text(diags: list[Diagnostic], checked: int, unreadable: int) -> None:
    """The findings as text, then one summary line: how many files, how many of each severity."""
    print_diags(diags, sys.stdout)
    counts = {s: sum(d.severity == s for d in diags) for s in Severity}
    color = use_color(sys.stdout)
    paint = {Severity.ERROR: "1;31", Severity.WARNING: "1;33", Severity.INFO: "36"}
    summary = ", ".join(
        f"\x1b[{paint[s]}m{n} {s.value}{'s' if n != 1 else ''}\x1b[0m" if color and n
        else f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in counts.items())
    if diags:
        print()
    print(f"{checked} file{'s' if checked != 1 else ''} checked: {summary}"
          + (f", {unreadable} could not be read" if unreadable else ""))


def register(sub: argparse._SubParsersAction) -> None:
    """Add `test` and `lint` to the CLI's subcommands."""
    test = sub.add_parser("test", help="run every `expect` line of the charters")
    test.add_argument("files", nargs="+", metavar="FILE")
    test.add_argument("--min-coverage", type=float, metavar="N",
                      help="fail when expectations exercise less than N%% of grants, forbids and delegations")
    test.add_argument("--coverage", dest="coverage_detail", action="store_true",
                      help="list every grant, forbid and delegation no expectation exercised")
    add_people_option(test)
    test.set_defaults(run=cmd_test)

    lint = sub.add_parser("lint", help="find every mistake in the charters")
    lint.add_argument("files", nargs="+", metavar="FILE")
    lint.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text")
    lint.add_argument("--strict", action="store_true", help="fail on warnings too")
    lint.add_argument("--on", metavar="DATE", help="judge delegation dates and gaps on this date (default today)")
    add_people_option(lint)
    lint.set_defaults(run=cmd_lint)
