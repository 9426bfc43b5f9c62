"""The command line. The only module that reads files, prints, or sets exit codes.

Exit codes: 0 fine; 1 a failed expectation, a lint finding at the failing
level, or an error in a charter; 2 a usage error (bad arguments, a file that
cannot be read, a bad value on the command line).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shlex
import stat
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any, Sequence, TextIO

from .. import __version__
from ..cache import CacheWarning
from ..charter import Charter, decode, loads
from ..compile.compiler import suggest
from ..diagnostics import Diagnostic, Severity, render_github, render_json, render_text, use_color
from ..errors import CharterError, InvalidRequest
from ..analysis.regions import TooComplex
from ..source import Source, Span

OK, FAILED, USAGE = 0, 1, 2
BAD_ARGUMENT = "DR401"


class UsageError(Exception):
    """A mistake on the command line; printed as a diagnostic, exit code 2."""

    def __init__(self, message: str, diagnostic: Diagnostic | None = None):
        super().__init__(message)
        self.diagnostic = diagnostic


STDIN = "-"
"""A FILE of `-` is the standard input, shown as `<stdin>` in messages."""
_stdin_read = False


def shown_name(path: str) -> str:
    return "<stdin>" if path == STDIN else path


def _read(path: str) -> str:
    global _stdin_read
    if path == STDIN:
        if _stdin_read:
            raise UsageError("`-` (the standard input) can be read only once per command")
        _stdin_read = True
        return decode(sys.stdin.buffer.read(), shown_name(path))
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise UsageError(f"cannot read `{path}`: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"cannot read `{path}`: it is a folder; name the .charter files in it") from None
    except OSError as exc:
        raise UsageError(f"cannot read `{path}`: {exc.strerror or exc}") from None
    return decode(raw, path)


def _load(path: str) -> Charter:
    return loads(_read(path), shown_name(path))


class _CommandLine:
    """The command as typed, as a one-line source, so a bad value gets a caret under it."""

    def __init__(self, argv: Sequence[str]):
        self.parts = ["decisionrights", *argv]
        self.text = " ".join(shlex.quote(p) for p in self.parts)
        self.source = Source(self.text, "<command line>")

    def span_of(self, arg: str) -> Span:
        quoted = shlex.quote(arg)
        col = self.text.rfind(" " + quoted) + 2
        return Span(1, col, 1, col + len(quoted))

    def error(self, arg: str, message: str, help: str | None = None) -> UsageError:
        diag = Diagnostic(code=BAD_ARGUMENT, severity=Severity.ERROR, message=message, path="<command line>",
                          span=self.span_of(arg), help=help, source=self.source)
        return UsageError(message, diag)


def check_name(cmd: _CommandLine, charter: Charter, kind: str, name: str) -> None:
    """A role or decision named on the command line must be the charter's: else a usage error with a guess."""
    known = charter.roles if kind == "role" else charter.decisions
    if name in known:
        return
    guess = suggest(name, known)
    listing = f"its {kind}s are: {', '.join(known) or 'none'}"
    raise cmd.error(name, f"`{name}` is not a {kind} of {charter.path}",
                    f"did you mean `{guess}`? {listing}" if guess else listing)


def _attributes(charter: Charter, decision: str, pairs: Sequence[str], cmd: _CommandLine) -> dict[str, Any]:
    check_name(cmd, charter, "decision", decision)
    spec = charter.compiled.decisions[decision]
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise cmd.error(pair, f"`{pair}` is not `name=value`", "write each attribute as name=value, e.g. amount=20k")
        attr = spec.attrs.get(key)
        if attr is None:
            guess = suggest(key, spec.attrs)
            raise cmd.error(pair, f"`{decision}` has no attribute `{key}`",
                            (f"did you mean `{guess}`? " if guess else "")
                            + f"its attributes are: {', '.join(spec.attrs) or 'none'}")
        if key in out:
            raise cmd.error(pair, f"`{key}` is given twice", "give each attribute once")
        value = _literal(value, pair, cmd)
        if attr.kind == "bool":
            lowered = value.lower()
            if lowered not in ("true", "false"):
                raise cmd.error(pair, f"`{key}` is a yes/no; `{value}` is neither true nor false",
                                f"write {key}=true or {key}=false")
            out[key] = lowered == "true"
        elif attr.kind == "enum" and value not in attr.members:
            guess = suggest(value, attr.members)
            raise cmd.error(pair, f"`{key}` of `{decision}` is one of {', '.join(attr.members)}, not `{value}`",
                            f"did you mean `{guess}`?" if guess else None)
        else:
            out[key] = value  # as written, spaces and all: the library reads it as the attribute's type
    return out


_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"')
"""A quoted text of the language (the grammar's STRING)."""


def _literal(value: str, pair: str, cmd: _CommandLine) -> str:
    """A command-line value as the language reads it: `"acme"` is the text acme, as `acme` is."""
    from ..syntax.parse import _unquote

    if _QUOTED.fullmatch(value):
        return _unquote(value)
    if value.startswith('"'):
        raise cmd.error(pair, f"the quoted text `{value}` is not closed",
                        'end it with `"`, e.g. vendor="acme" (quote it for the shell too: \'vendor="acme"\')')
    return value


def _request_error(exc: InvalidRequest, pairs: Sequence[str], cmd: _CommandLine, fallback: str) -> UsageError:
    arg = fallback
    if exc.attribute:
        arg = next((p for p in pairs if p.partition("=")[0].strip() == exc.attribute), fallback)
    return cmd.error(arg, str(exc))


def _report_usage(exc: UsageError) -> None:
    """Print a usage error on stderr: its diagnostic with a caret, or one line."""
    if exc.diagnostic is not None:
        print(render_text([exc.diagnostic], color=use_color(sys.stderr)), file=sys.stderr)
    else:
        print(f"decisionrights: error: {exc}", file=sys.stderr)


def json_diagnostics(diags: Sequence[Diagnostic]) -> str:
    """Errors as `ask --json` and `who --json` print them (docs/cli.md): `{"diagnostics": [...]}`."""
    def one(d: Diagnostic) -> dict[str, Any]:
        span = d.span
        return {"code": d.code, "severity": d.severity.value, "message": d.message,
                "path": d.path, "line": span.line if span else None, "column": span.column if span else None,
                "end_line": span.end_line if span else None, "end_column": span.end_column if span else None,
                "help": d.help}

    return json.dumps({"diagnostics": [one(d) for d in diags]}, indent=2)


def _usage_diagnostic(exc: UsageError) -> Diagnostic:
    if exc.diagnostic is not None:
        return exc.diagnostic
    return Diagnostic(code=BAD_ARGUMENT, severity=Severity.ERROR, message=str(exc), path="<command line>")


def _print_diags(diags: list[Diagnostic], out: TextIO) -> None:
    if diags:
        print(render_text(diags, color=use_color(out)), file=out)


def _date_option(text: str, cmd: _CommandLine):
    from ..values import BadValue, parse_date

    try:
        return parse_date(text)
    except BadValue as exc:
        raise cmd.error(text, str(exc)) from None


# -- commands ---------------------------------------------------------------------

def cmd_ask(args: argparse.Namespace, cmd: _CommandLine) -> int:
    charter = _load(args.file)
    attrs = _attributes(charter, args.decision, args.attributes, cmd)
    check_name(cmd, charter, "role", args.role)
    try:
        answer = charter.may(args.role, args.decision, on=args.on, **attrs)
    except InvalidRequest as exc:
        raise _request_error(exc, args.attributes, cmd, args.on or args.decision) from None
    if args.json:
        print(answer.to_json())
    else:
        text = answer.explain()
        if use_color(sys.stdout):
            head, _, rest = text.partition("\n")
            head = f"\x1b[1;32m{head}\x1b[0m" if answer.allowed else f"\x1b[1;31m{head}\x1b[0m"
            text = head + ("\n" + rest if rest else "")
        print(text)
    return OK


def cmd_who(args: argparse.Namespace, cmd: _CommandLine) -> int:
    charter = _load(args.file)
    attrs = _attributes(charter, args.decision, args.attributes, cmd)
    try:
        roles = charter.who_may(args.decision, on=args.on, **attrs)
    except InvalidRequest as exc:
        raise _request_error(exc, args.attributes, cmd, args.on or args.decision) from None
    if args.json:
        print(json.dumps({"decision": args.decision, "roles": list(roles)}, indent=2))
    elif roles:
        color = use_color(sys.stdout)
        print("\n".join(f"\x1b[1;32m{r}\x1b[0m" if color else r for r in roles))
    else:
        from ..decide.deciders import validator
        from ..decide.explain import nobody_words

        request = validator(charter.compiled, args.decision)(attrs)
        line = f"nobody may decide this {args.decision}: {nobody_words(charter.compiled, args.decision, request)}"
        print(f"\x1b[1;33m{line}\x1b[0m" if use_color(sys.stdout) else line)
    return OK


def cmd_test(args: argparse.Namespace, cmd: _CommandLine) -> int:
    from ..analysis.expect import coverage, run, to_diagnostic

    passed = failed = 0
    broken = 0
    total_rules = covered_rules = 0
    unreadable = 0
    for path in args.files:
        name = shown_name(path)
        try:
            charter = _load(path)
        except UsageError as exc:  # a file that cannot be read: say so, run the rest, exit 2 at the end
            _report_usage(exc)
            unreadable += 1
            continue
        except CharterError as exc:
            _print_diags(exc.diagnostics, sys.stdout)
            print(f"{name}: the charter has errors; no expectation was run\n")
            broken += 1
            continue
        outcomes = run(charter)
        bad = [o for o in outcomes if not o.passed]
        _print_diags([to_diagnostic(charter, o) for o in bad], sys.stdout)
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


def cmd_lint(args: argparse.Namespace, cmd: _CommandLine) -> int:
    from ..analysis.lint import lint_text, render_sarif

    diags: list[Diagnostic] = []
    on = _date_option(args.on, cmd) if args.on else None
    unreadable = 0
    for path in args.files:
        try:
            diags.extend(lint_text(_read(path), shown_name(path), on=on))
        except CharterError as exc:  # a file that is not even text: report it, lint the rest
            diags.extend(exc.diagnostics)
        except UsageError as exc:  # a file that cannot be read: say so, lint the rest, exit 2 at the end
            _report_usage(exc)
            unreadable += 1
    fail_at = Severity.WARNING if args.strict else Severity.ERROR
    failing = [d for d in diags if d.severity.rank >= fail_at.rank]
    if args.format == "json":
        print(render_json(diags))
    elif args.format == "sarif":
        print(render_sarif(diags))
    elif args.format == "github":
        if diags:
            print(render_github(diags))
    else:
        _print_diags(diags, sys.stdout)
        counts = {s: sum(d.severity == s for d in diags) for s in Severity}
        color = use_color(sys.stdout)
        paint = {Severity.ERROR: "1;31", Severity.WARNING: "1;33", Severity.INFO: "36"}
        summary = ", ".join(
            f"\x1b[{paint[s]}m{n} {s.value}{'s' if n != 1 else ''}\x1b[0m" if color and n
            else f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in counts.items())
        if diags:
            print()
        checked = len(args.files) - unreadable
        print(f"{checked} file{'s' if checked != 1 else ''} checked: {summary}"
              + (f", {unreadable} could not be read" if unreadable else ""))
    if unreadable:
        return USAGE
    return FAILED if failing else OK


def _read_revision(spec: str) -> tuple[str, str]:
    """A file, or `REV:PATH` read from git (`main:org.charter`); returns (text, shown name)."""
    if spec == STDIN or Path(spec).exists() or ":" not in spec:
        return _read(spec), shown_name(spec)
    rev, _, path = spec.partition(":")
    try:
        # `--end-of-options` (git 2.24+): `--output=FILE:PATH` is a revision git cannot find, never an option
        shown = subprocess.run(["git", "show", "--end-of-options", f"{rev}:{path}"], capture_output=True,
                               timeout=60)
    except FileNotFoundError:
        raise UsageError(f"cannot read `{spec}`: git is not installed") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"cannot read `{spec}`: git did not answer within 60 s") from None
    if shown.returncode != 0:  # git's whole message: its last line may be only a hint
        reason = "\n  ".join(line.rstrip() for line in shown.stderr.decode("utf-8", "replace").strip().splitlines())
        raise UsageError(f"cannot read `{spec}` from git: {reason or f'git failed (exit {shown.returncode})'}")
    return decode(shown.stdout, spec), spec


def cmd_diff(args: argparse.Namespace, cmd: _CommandLine) -> int:
    from ..analysis.diff import diff, render_markdown, render_text

    on = _date_option(args.on, cmd) if args.on else None
    old_text, old_name = _read_revision(args.old)
    new_text, new_name = _read_revision(args.new)
    changes = diff(loads(old_text, old_name), loads(new_text, new_name), on=on)
    if args.format == "json":
        print(changes.to_json())
    elif args.format == "markdown":
        print(render_markdown(changes), end="")
    else:
        print(render_text(changes))
    fail = {"widen": changes.widened, "narrow": changes.narrowed, "any": bool(changes), None: False}[args.fail_on]
    return FAILED if fail else OK


def _write_atomically(path: str, text: str) -> None:
    """Replace the file's text all at once: a temporary file beside it, then a rename; its mode kept.

    If anything fails (a full disk, a read-only folder) the original is left
    as it was and `OSError` is raised; the temporary file is removed.
    """
    target = os.path.realpath(path)  # a symbolic link keeps pointing at the formatted file
    folder, name = os.path.split(target)
    mode = stat.S_IMODE(os.stat(target).st_mode)
    fd, temp = tempfile.mkstemp(dir=folder or ".", prefix=f".{name}.", suffix=".fmt-tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(text.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def cmd_fmt(args: argparse.Namespace, cmd: _CommandLine) -> int:
    from ..compile.compiler import compile_partial
    from ..syntax.fmt import diff_text, format_text
    from ..syntax.parse import parse

    changed = 0
    broken = 0
    unreadable = 0
    # With `fmt -` the formatted text is the output, so every other line goes to stderr.
    say = sys.stderr if STDIN in args.files and not (args.check or args.diff) else sys.stdout
    for path in args.files:
        name = shown_name(path)
        try:
            text = _read(path)
            formatted = format_text(text, name)
            source = Source(text, name)
            _, errors = compile_partial(parse(source), source)
            errors = [d for d in errors if d.severity == Severity.ERROR]
            if errors:  # it parses, but does not compile: leave it as it is
                raise CharterError(errors)
        except UsageError as exc:
            _report_usage(exc)
            unreadable += 1
            continue
        except CharterError as exc:
            _print_diags(exc.diagnostics, sys.stderr)
            print(f"{name}: the charter has errors; it was left unchanged", file=sys.stderr)
            broken += 1
            continue
        if path == STDIN and not (args.check or args.diff):
            sys.stdout.write(formatted)
            changed += formatted != text
            continue
        if formatted == text:
            continue
        changed += 1
        if args.diff:
            sys.stdout.write(diff_text(text, name))
        elif args.check:
            print(f"would reformat {name}")
        else:
            try:
                _write_atomically(path, formatted)
            except OSError as exc:
                print(f"decisionrights: error: cannot write `{path}`: {exc.strerror or exc}; "
                      f"it was left unchanged", file=sys.stderr)
                changed -= 1
                unreadable += 1
                continue
            print(f"reformatted {path}", file=say)
    if not args.diff:
        verb = "would be reformatted" if args.check else "reformatted"
        unchanged = len(args.files) - changed - broken - unreadable
        print(f"{changed} file{'s' if changed != 1 else ''} {verb}, {unchanged} unchanged"
              + (f", {broken} with errors" if broken else "")
              + (f", {unreadable} could not be read or written" if unreadable else ""), file=say)
    if unreadable:
        return USAGE
    if broken:
        return FAILED
    return FAILED if (args.check or args.diff) and changed else OK


# -- the parser -------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    """argparse, with its errors as usage errors and a guess for a mistyped option or command."""

    commands: argparse._SubParsersAction | None = None

    def error(self, message: str) -> None:  # type: ignore[override]
        choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if choice:
            known = re.findall(r"'([^']*)'", choice.group(2))
            guess = _closest(choice.group(1), known)
            if guess:
                message += f"; did you mean `{guess}`?"
        raise UsageError(f"{message} (see `{self.prog} --help`)")

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        ns, extras = self.parse_known_args(args, namespace)
        if extras:
            command = self.commands.choices.get(getattr(ns, "command", None)) if self.commands else None
            parser = command or self
            known = [o for o in parser._option_string_actions if o.startswith("--")]
            hints = []
            for extra in extras:
                word = extra.split("=", 1)[0]
                guess = _closest(word, known) if word.startswith("-") else None
                if guess:
                    hints.append(f"`{extra}`: did you mean `{guess}`?")
            message = f"unrecognized arguments: {' '.join(extras)}" + (f" ({'; '.join(hints)})" if hints else "")
            (command or self).error(message)
        return ns


def _closest(word: str, known: Sequence[str]) -> str | None:
    """The known word nearest to a mistyped one (never the word itself)."""
    close = difflib.get_close_matches(word, [k for k in known if k != word], n=1, cutoff=0.6)
    return close[0] if close else None


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="decisionrights", description="Who may decide what, within which limits — checked like code.")
    p.add_argument("--version", action="version", version=f"decisionrights {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    p.commands = sub

    ask = sub.add_parser("ask", help="may ROLE decide DECISION for this request?")
    ask.add_argument("file", metavar="FILE")
    ask.add_argument("role", metavar="ROLE")
    ask.add_argument("decision", metavar="DECISION")
    ask.add_argument("attributes", nargs="*", metavar="key=value")
    ask.add_argument("--on", metavar="DATE", help="the request's date (YYYY-MM-DD); today by default")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.set_defaults(run=cmd_ask)

    who = sub.add_parser("who", help="which roles may decide this request?")
    who.add_argument("file", metavar="FILE")
    who.add_argument("decision", metavar="DECISION")
    who.add_argument("attributes", nargs="*", metavar="key=value")
    who.add_argument("--on", metavar="DATE", help="the request's date (YYYY-MM-DD); today by default")
    who.add_argument("--json", action="store_true", help="print the roles as JSON")
    who.set_defaults(run=cmd_who)

    test = sub.add_parser("test", help="run every `expect` line of the charters")
    test.add_argument("files", nargs="+", metavar="FILE")
    test.add_argument("--min-coverage", type=float, metavar="N",
                      help="fail when expectations exercise less than N%% of grants, forbids and delegations")
    test.add_argument("--coverage", dest="coverage_detail", action="store_true",
                      help="list every grant, forbid and delegation no expectation exercised")
    test.set_defaults(run=cmd_test)

    lint = sub.add_parser("lint", help="find every mistake in the charters")
    lint.add_argument("files", nargs="+", metavar="FILE")
    lint.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text")
    lint.add_argument("--strict", action="store_true", help="fail on warnings too")
    lint.add_argument("--on", metavar="DATE", help="judge delegation dates and gaps on this date (default today)")
    lint.set_defaults(run=cmd_lint)

    diff = sub.add_parser("diff", help="whose authority widened or narrowed between two charters")
    diff.add_argument("old", metavar="OLD", help="a file, or REV:PATH read with git (main:org.charter)")
    diff.add_argument("new", metavar="NEW", help="a file, or REV:PATH")
    diff.add_argument("--on", metavar="DATE", help="compare from this date on (default today)")
    diff.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    diff.add_argument("--fail-on", choices=("widen", "narrow", "any"), default=None,
                      help="exit 1 when authority widened (or narrowed, or changed at all)")
    diff.set_defaults(run=cmd_diff)

    fmt = sub.add_parser("fmt", help="lay charters out the one canonical way, comments kept")
    fmt.add_argument("files", nargs="+", metavar="FILE")
    fmt.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would change")
    fmt.add_argument("--diff", action="store_true", help="change nothing; print what would change, exit 1 if any")
    fmt.set_defaults(run=cmd_fmt)

    from .views import register

    register(sub, _Parser)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    with warnings.catch_warnings():
        shown = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):  # type: ignore[no-untyped-def]
            if issubclass(category, CacheWarning):  # ours: one plain line, no Python file and line
                print(f"decisionrights: warning: {message}", file=sys.stderr)
            else:
                shown(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        try:
            return _main(argv)
        except BrokenPipeError:  # the reader went away (`| head`), even while an error was printed
            _quiet_stdout()
            return OK


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not fail on the closed pipe."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _main(argv: Sequence[str] | None) -> int:
    global _stdin_read
    argv = list(sys.argv[1:] if argv is None else argv)
    cmd = _CommandLine(argv)
    _stdin_read = False
    as_json = argv[:1] in (["ask"], ["who"]) and "--json" in argv  # errors too are JSON, on stdout
    try:
        args = build_parser().parse_args(argv)
        if not getattr(args, "run", None):
            build_parser().print_help()
            return USAGE
        as_json = bool(getattr(args, "json", False))
        return args.run(args, cmd)
    except UsageError as exc:
        if as_json:
            print(json_diagnostics([_usage_diagnostic(exc)]))
        else:
            _report_usage(exc)
        return USAGE
    except CharterError as exc:
        if as_json:
            print(json_diagnostics(exc.diagnostics))
        else:
            print(render_text(exc.diagnostics, color=use_color(sys.stderr)), file=sys.stderr)
        return FAILED
    except TooComplex as exc:
        print(f"decisionrights: error: the charter's conditions are too complex to analyse exactly: {exc}; "
              f"split long chains of `(… or …) and (… or …)` into separate grants", file=sys.stderr)
        return FAILED
    except BrokenPipeError:
        _quiet_stdout()
        return OK
    except KeyboardInterrupt:
        return 130
