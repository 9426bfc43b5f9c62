"""`ask` and `who`: one request, read from the command line, answered by the charter."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any, Sequence

from ..charter import Charter
from ..compile.resolve import suggest
from ..diagnostics import use_color
from ..errors import InvalidRequest
from .common import OK, CommandLine, UsageError, check_name, load


def attributes(charter: Charter, decision: str, pairs: Sequence[str], cmd: CommandLine) -> dict[str, Any]:
    """The request's `key=value` pairs, checked against the decision's attributes; else a usage error."""
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


def _literal(value: str, pair: str, cmd: CommandLine) -> str:
    """A command-line value as the language reads it: `"acme"` is the text acme, as `acme` is."""
    from ..syntax.build import unquote

    if _QUOTED.fullmatch(value):
        return unquote(value)
    if value.startswith('"'):
        raise cmd.error(pair, f"the quoted text `{value}` is not closed",
                        'end it with `"`, e.g. vendor="acme" (quote it for the shell too: \'vendor="acme"\')')
    return value


def _request_error(exc: InvalidRequest, pairs: Sequence[str], cmd: CommandLine, fallback: str) -> UsageError:
    arg = fallback
    if exc.attribute:
        arg = next((p for p in pairs if p.partition("=")[0].strip() == exc.attribute), fallback)
    return cmd.error(arg, str(exc))


def cmd_ask(args: argparse.Namespace, cmd: CommandLine) -> int:
    charter = load(args.file)
    attrs = attributes(charter, args.decision, args.attributes, cmd)
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


def cmd_who(args: argparse.Namespace, cmd: CommandLine) -> int:
    charter = load(args.file)
    attrs = attributes(charter, args.decision, args.attributes, cmd)
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


def register(sub: argparse._SubParsersAction) -> None:
    """Add `ask` and `who` to the CLI's subcommands."""
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
