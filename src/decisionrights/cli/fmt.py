"""`fmt`: lay charters out the one canonical way, comments kept; `--check` and `--diff` change nothing."""

from __future__ import annotations

import argparse
import os
import stat
import sys
import tempfile
from typing import TextIO

from ..diagnostics import Severity
from ..errors import CharterError
from ..source import Source
from .common import FAILED, OK, STDIN, USAGE, CommandLine, UsageError, print_diags, read, report_usage, \
    shown_name


def write_atomically(path: str, text: str) -> None:
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


def _formatted(path: str, name: str) -> tuple[str, str]:
    """(the text, the text formatted); `CharterError` when it does not parse or does not compile."""
    from ..compile.stages import compile_partial
    from ..syntax.fmt import format_text
    from ..syntax.parse import parse

    text = read(path)
    formatted = format_text(text, name)
    source = Source(text, name)
    _, errors = compile_partial(parse(source), source)
    errors = [d for d in errors if d.severity == Severity.ERROR]
    if errors:  # it parses, but does not compile: leave it as it is
        raise CharterError(errors)
    return text, formatted


class _Tally:
    """How many files changed (or would), had errors, could not be read or written."""

    def __init__(self) -> None:
        self.changed = self.broken = self.unreadable = 0


def _fmt_one(args: argparse.Namespace, path: str, tally: _Tally, say: TextIO) -> None:
    from ..syntax.fmt import diff_text

    name = shown_name(path)
    try:
        text, formatted = _formatted(path, name)
    except UsageError as exc:
        report_usage(exc)
        tally.unreadable += 1
        return
    except CharterError as exc:
        print_diags(exc.diagnostics, sys.stderr)
        print(f"{name}: the charter has errors; it was left unchanged", file=sys.stderr)
        tally.broken += 1
        return
    if path == STDIN and not (args.check or args.diff):
        sys.stdout.write(formatted)
        tally.changed += formatted != text
        return
    if formatted == text:
        return
    tally.changed += 1
    if args.diff:
        sys.stdout.write(diff_text(text, name))
    elif args.check:
        print(f"would reformat {name}")
    else:
        try:
            write_atomically(path, formatted)
        except OSError as exc:
            print(f"decisionrights: error: cannot write `{path}`: {exc.strerror or exc}; "
                  f"it was left unchanged", file=sys.stderr)
            tally.changed -= 1
            tally.unreadable += 1
            return
        print(f"reformatted {path}", file=say)


def cmd_fmt(args: argparse.Namespace, cmd: CommandLine) -> int:
    tally = _Tally()
    # With `fmt -` the formatted text is the output, so every other line goes to stderr.
    say = sys.stderr if STDIN in args.files and not (args.check or args.diff) else sys.stdout
    for path in args.files:
        _fmt_one(args, path, tally, say)
    changed, broken, unreadable = tally.changed, tally.broken, tally.unreadable
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


def register(sub: argparse._SubParsersAction) -> None:
    """Add `fmt` to the CLI's subcommands."""
    fmt = sub.add_parser("fmt", help="lay charters out the one canonical way, comments kept")
    fmt.add_argument("files", nargs="+", metavar="FILE")
    fmt.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would change")
    fmt.add_argument("--diff", action="store_true", help="change nothing; print what would change, exit 1 if any")
    fmt.set_defaults(run=cmd_fmt)
