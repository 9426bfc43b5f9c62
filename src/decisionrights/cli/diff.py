"""`diff`: whose authority widened or narrowed between two charters (files, or `REV:PATH` read with git)."""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

from ..charter import decode, loads
from .common import FAILED, OK, STDIN, CommandLine, UsageError, on_option, read, shown_name


def read_revision(spec: str) -> tuple[str, str]:
    """A file, or `REV:PATH` read from git (`main:org.charter`); returns (text, shown name)."""
    if spec == STDIN or Path(spec).exists() or ":" not in spec:
        return read(spec), shown_name(spec)
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


def cmd_diff(args: argparse.Namespace, cmd: CommandLine) -> int:
    from ..analysis.diff import diff, render_markdown, render_text

    on = on_option(args.on, cmd)
    old_text, old_name = read_revision(args.old)
    new_text, new_name = read_revision(args.new)
    changes = diff(loads(old_text, old_name), loads(new_text, new_name), on=on)
    if args.format == "json":
        print(changes.to_json())
    elif args.format == "markdown":
        print(render_markdown(changes), end="")
    else:
        print(render_text(changes))
    fail = {"widen": changes.widened, "narrow": changes.narrowed, "any": bool(changes), None: False}[args.fail_on]
    return FAILED if fail else OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add `diff` to the CLI's subcommands."""
    diff = sub.add_parser("diff", help="whose authority widened or narrowed between two charters")
    diff.add_argument("old", metavar="OLD", help="a file, or REV:PATH read with git (main:org.charter)")
    diff.add_argument("new", metavar="NEW", help="a file, or REV:PATH")
    diff.add_argument("--on", metavar="DATE", help="compare from this date on (default today)")
    diff.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    diff.add_argument("--fail-on", choices=("widen", "narrow", "any"), default=None,
                      help="exit 1 when authority widened (or narrowed, or changed at all)")
    diff.set_defaults(run=cmd_diff)
