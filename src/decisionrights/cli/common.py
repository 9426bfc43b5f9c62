"""What every command shares: reading a file, loading a charter, usage errors, the `--on` date, exit codes.

Exit codes: 0 fine (`OK`); 1 a failed expectation, a lint finding at the
failing level, or an error in a charter (`FAILED`); 2 a usage error (`USAGE`).
"""

from __future__ import annotations

import json
import shlex
import sys
from datetime import date
from pathlib import Path
from typing import Any, Sequence, TextIO

from ..charter import Charter, decode, loads
from ..compile.resolve import suggest
from ..diagnostics import Diagnostic, Severity, render_text, use_color
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


def new_command() -> None:
    """A new command begins: the standard input may be read (once) again."""
    global _stdin_read
    _stdin_read = False


def read(path: str) -> str:
    """The text of a charter file, or of the standard input for `-` (once per command); else a usage error."""
    return decode(read_bytes(path, "name the .charter files in it"), shown_name(path))


def read_bytes(path: str, in_a_folder: str = "name a directory file (CSV or JSON)") -> bytes:
    """The bytes of a file, or of the standard input for `-` (once per command); else a usage error
    (`in_a_folder` says what to name instead of a folder)."""
    global _stdin_read
    if path == STDIN:
        if _stdin_read:
            raise UsageError("`-` (the standard input) can be read only once per command")
        _stdin_read = True
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise UsageError(f"cannot read `{path}`: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"cannot read `{path}`: it is a folder; {in_a_folder}") from None
    except OSError as exc:
        raise UsageError(f"cannot read `{path}`: {exc.strerror or exc}") from None


def load(path: str, people: str | None = None, people_raw: bytes | None = None) -> Charter:
    """The charter in a file, with the persons of the directory file `people` (CSV or JSON) when given.

    `people_raw`: the directory file's bytes, already read (by a command that loads several charters with
    one directory file, which may be the standard input). `CharterError` (with its diagnostics, located in
    the charter or the directory file) when either has errors; a `UsageError` when either cannot be read.
    """
    if people is None:
        return loads(read(path), shown_name(path))
    # before the charter: a missing directory file is a usage error either way
    raw = read_bytes(people) if people_raw is None else people_raw
    if people == STDIN:  # `loads` names a directory given as bytes `<people>`: say `<stdin>`
        return loads(read(path), shown_name(path)).with_people(raw, path=shown_name(people))
    return loads(read(path), shown_name(path), people=people)


def add_people_option(parser: Any) -> None:
    """The `--people FILE` option of every command that loads a charter to answer or show it."""
    parser.add_argument("--people", metavar="FILE",
                        help="a directory file of people (CSV or JSON, docs/people.md) read beside the charter")


class CommandLine:
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


def check_name(cmd: CommandLine, charter: Charter, kind: str, name: str) -> None:
    """A role or decision named on the command line must be the charter's: else a usage error with a guess."""
    known = charter.roles if kind == "role" else charter.decisions
    if name in known:
        return
    guess = suggest(name, known)
    listing = f"its {kind}s are: {', '.join(known) or 'none'}"
    raise cmd.error(name, f"`{name}` is not a {kind} of {charter.path}",
                    f"did you mean `{guess}`? {listing}" if guess else listing)


def check_role_or_person(cmd: CommandLine, charter: Charter, name: str) -> None:
    """A role named on the command line, or a person of the charter or its directory; else a usage error
    with a guess (a charter with no persons: exactly as `check_name` for a role)."""
    persons = charter.persons
    if not persons:
        check_name(cmd, charter, "role", name)
        return
    if name in charter.roles or name in persons:
        return
    guess = suggest(name, (*charter.roles, *persons))
    listing = f"its roles are: {', '.join(charter.roles) or 'none'}; its persons: {', '.join(persons)}"
    raise cmd.error(name, f"`{name}` is not a role or a person of {charter.path}",
                    f"did you mean `{guess}`? {listing}" if guess else listing)


def report_usage(exc: UsageError) -> None:
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


def usage_diagnostic(exc: UsageError) -> Diagnostic:
    """A usage error as a diagnostic (for `--json`)."""
    if exc.diagnostic is not None:
        return exc.diagnostic
    return Diagnostic(code=BAD_ARGUMENT, severity=Severity.ERROR, message=str(exc), path="<command line>")


def print_diags(diags: list[Diagnostic], out: TextIO) -> None:
    if diags:
        print(render_text(diags, color=use_color(out)), file=out)


def date_option(text: str, cmd: CommandLine) -> date:
    """A `--on DATE` value; a usage error with a caret under it when it is not a date."""
    from ..values import BadValue, parse_date

    try:
        return parse_date(text)
    except BadValue as exc:
        raise cmd.error(text, str(exc)) from None


def on_option(on: str | None, cmd: CommandLine) -> date | None:
    """The `--on` option: a date, or None (today) when it was not given."""
    return date_option(on, cmd) if on else None
