"""The command line: arguments, the command that runs, exit codes. The only package that prints.

Exit codes: 0 fine; 1 a failed expectation, a lint finding at the failing
level, or an error in a charter; 2 a usage error (bad arguments, a file that
cannot be read, a bad value on the command line). Each command is in its own
module (`ask`, `check`, `diff`, `fmt`, `views`); what they share is `common`.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
import warnings
from typing import Sequence

from ..version import __version__
from ..analysis.regions import TooComplex
from ..cache import CacheWarning
from ..diagnostics import render_text, use_color
from ..errors import CharterError
from . import ask, check, diff, fmt, views
from .common import FAILED, OK, USAGE, CommandLine, UsageError, json_diagnostics, new_command, report_usage, \
    usage_diagnostic


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

    for commands in (ask, check, diff, fmt, views):  # the order of `--help`
        commands.register(sub)
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
    argv = list(sys.argv[1:] if argv is None else argv)
    cmd = CommandLine(argv)
    new_command()
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
            print(json_diagnostics([usage_diagnostic(exc)]))
        else:
            report_usage(exc)
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
