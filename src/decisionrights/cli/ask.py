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
from .common import OK, CommandLine, UsageError, add_people_option, check_name, check_role_or_person, load


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


def _request_error(exc: InvalidRequest, pairs: Sequence[str], cmd: CommandLine, fallback: str,
                   help: str | None = None) -> UsageError:
    arg = fallback
    if exc.attribute:
        arg = next((p for p in pairs if p.partition("=")[0].strip() == exc.attribute), fallback)
    return cmd.error(arg, str(exc), help)


def cmd_ask(args: argparse.Namespace, cmd: CommandLine) -> int:
    charter = load(args.file, args.people)
    attrs = attributes(charter, args.decision, args.attributes, cmd)
    check_role_or_person(cmd, charter, args.role)
    try:
        answer = charter.may(args.role, args.decision, on=args.on, **attrs)
    except InvalidRequest as exc:
        raise _request_error(exc, args.attributes, cmd, args.on or args.decision,
                             _as_whom(charter, args, exc)) from None
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


def _as_whom(charter: Charter, args: argparse.Namespace, exc: InvalidRequest) -> str | None:
    """For a role asked a decision whose rules speak of `me`: who holds the role that day, to ask instead."""
    if exc.attribute or "speak of `me`" not in str(exc) or args.role not in charter.roles:
        return None
    try:
        held = charter.holders(args.role, on=args.on)
    except InvalidRequest:  # a bad date: the message above says what is wrong
        return None
    if not held:
        return f"nobody holds `{args.role}` that day (give the persons with --people FILE)"
    verb = "holds" if len(held) == 1 else "hold"
    return f"ask as a person instead: {', '.join(held)} {verb} `{args.role}` that day"


_ASK_PERSONS = "ask which persons may decide it, in which role: add `--persons`"


def cmd_who(args: argparse.Namespace, cmd: CommandLine) -> int:
    charter = load(args.file, args.people)
    attrs = attributes(charter, args.decision, args.attributes, cmd)
    try:
        roles = charter.who_may(args.decision, on=args.on, people=args.persons, **attrs)
    except InvalidRequest as exc:
        me = not args.persons and not exc.attribute and "speak of `me`" in str(exc)
        raise _request_error(exc, args.attributes, cmd, args.on or args.decision,
                             _ASK_PERSONS if me else None) from None
    if args.persons:
        return _print_persons(args, charter, attrs, roles)
    if args.json:
        print(json.dumps({"decision": args.decision, "roles": list(roles)}, indent=2))
    elif roles:
        color = use_color(sys.stdout)
        print("\n".join(f"\x1b[1;32m{r}\x1b[0m" if color else r for r in roles))
    else:
        _print_nobody(charter, args.decision, attrs)
    return OK


def _print_nobody(charter: Charter, decision: str, attrs: dict[str, Any]) -> None:
    from ..decide.deciders import validator
    from ..decide.explain import nobody_words

    request = validator(charter.compiled, decision)(attrs)
    line = f"nobody may decide this {decision}: {nobody_words(charter.compiled, decision, request)}"
    print(f"\x1b[1;33m{line}\x1b[0m" if use_color(sys.stdout) else line)


def _print_persons(args: argparse.Namespace, charter: Charter, attrs: dict[str, Any],
                   found: dict[str, tuple[str, ...]]) -> int:
    """`who --persons`: each allowed role with the persons holding it that day who may decide it."""
    if args.json:
        print(json.dumps({"decision": args.decision, "roles": list(found),
                          "persons": {role: list(ps) for role, ps in found.items()}}, indent=2))
    elif found:
        color = use_color(sys.stdout)
        print("\n".join((f"\x1b[1;32m{role}\x1b[0m" if color else role) + f": {', '.join(ps)}"
                        for role, ps in found.items()))
    elif not charter.persons:
        line = f"no person may decide this {args.decision}: the charter names no persons (give them with --people FILE)"
        print(f"\x1b[1;33m{line}\x1b[0m" if use_color(sys.stdout) else line)
    else:
        line = f"no person may decide this {args.decision}: nobody who holds a role that day may"
        print(f"\x1b[1;33m{line}\x1b[0m" if use_color(sys.stdout) else line)
    return OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add `ask` and `who` to the CLI's subcommands."""
    ask = sub.add_parser("ask", help="may ROLE (or PERSON) decide DECISION for this request?")
    ask.add_argument("file", metavar="FILE")
    ask.add_argument("role", metavar="ROLE", help="a role, or a person (asked as the roles they hold that day)")
    ask.add_argument("decision", metavar="DECISION")
    ask.add_argument("attributes", nargs="*", metavar="key=value")
    ask.add_argument("--on", metavar="DATE", help="the request's date (YYYY-MM-DD); today by default")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    add_people_option(ask)
    ask.set_defaults(run=cmd_ask)

    who = sub.add_parser("who", help="which roles may decide this request?")
    who.add_argument("file", metavar="FILE")
    who.add_argument("decision", metavar="DECISION")
    who.add_argument("attributes", nargs="*", metavar="key=value")
    who.add_argument("--on", metavar="DATE", help="the request's date (YYYY-MM-DD); today by default")
    who.add_argument("--json", action="store_true", help="print the roles as JSON")
    who.add_argument("--persons", action="store_true",
                     help="with each role, the persons holding it that day who may decide it")
    add_people_option(who)
    who.set_defaults(run=cmd_who)
