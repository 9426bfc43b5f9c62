"""The people stage (Part II §11–§12): who holds which role, from the charter and a directory file.

The charter's `person … holds …` and `… acts as …` lines and a directory
file's rows add up to one list of holdings. Checked here: each role is
declared, persons and roles share one namespace, a person is stated in one
place only (the charter or the directory), dates run forwards, and nobody
holds two roles that an `incompatible` line keeps apart at overlapping dates.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from ..diagnostics import Label
from ..source import Source, Span
from ..syntax import model as m
from . import resolve
from .context import DUPLICATE, INCOMPATIBLE, NAME_CLASH, UNKNOWN_PERSON, Context, label
from .ir import Holding, People

if TYPE_CHECKING:
    from ..syntax.directory import Directory

DATES_BACKWARDS = "DR126"
"""The same code a directory file's row gets for `from` after `until`."""


def _day(lit: Any) -> date | None:
    """A date literal of the model (or a date, or nothing) as a date."""
    if lit is None:
        return None
    value = getattr(lit, "value", lit)
    return value if isinstance(value, date) else None


def _charter_holdings(ctx: Context) -> tuple[list[Holding], dict[str, Span]]:
    """The holdings the charter's own lines state, and where each person is first stated."""
    holdings: list[Holding] = []
    stated: dict[str, Span] = {}
    for st in ctx.tree.statements:
        if isinstance(st, m.PersonDecl):
            name = st.name.value
            if name in stated:
                ctx.error(DUPLICATE, st.name.span, f"person `{name}` is stated twice",
                          f"give all of {name}'s roles on one line: `person {name} holds …, …`",
                          (label(stated[name], "first stated here"),))
                continue
            stated[name] = st.name.span
            for role_name in st.roles:
                role = resolve.role(ctx, role_name)
                if role is not None:
                    holdings.append(Holding(name, role, None, None, ctx.source.path, st.span))
    for st in ctx.tree.statements:
        if isinstance(st, m.ActingDecl):
            role = resolve.role(ctx, st.role)
            start, end = _day(st.start), _day(st.end)
            if start is not None and end is not None and start > end:
                ctx.error(DATES_BACKWARDS, st.span, f"`{st.person.value}` acts as `{st.role.value}` from "
                          f"{start.isoformat()} until {end.isoformat()}: the cover ends before it starts",
                          "swap the dates, or correct the one that is wrong")
                continue
            if role is not None:
                holdings.append(Holding(st.person.value, role, start, end, ctx.source.path, st.span, acting=True))
    return holdings, stated


def _directory_holdings(ctx: Context, directory: Directory, stated: dict[str, Span]) -> list[Holding]:
    holdings: list[Holding] = []
    told: set[str] = set()
    for row in directory.holdings:
        if row.person in stated:
            if row.person not in told:
                told.add(row.person)
                ctx.error(
                    DUPLICATE, row.person_span,
                    f"`{row.person}` is stated in the charter ({ctx.source.path}, line {stated[row.person].line}) "
                    f"and in this directory file", "state each person in one place: the charter's `person` lines "
                    "or the directory file", (Label(span=stated[row.person], message="stated in the charter here",
                                                    path=ctx.source.path),), path=directory.path,
                    source=directory.source)
            continue
        if row.role not in ctx.roles:
            ctx.error("DR129", row.role_span, f"`{row.role}` is not a role of the charter",
                      f"declare it in {ctx.source.path} with `role {row.role}`, or correct the row",
                      path=directory.path, source=directory.source)
            continue
        holdings.append(Holding(row.person, row.role, row.start, row.until, directory.path, row.span,
                                acting=row.start is not None or row.until is not None))
    return holdings


def _check_names(ctx: Context, holdings: list[Holding], stated: dict[str, Span]) -> None:
    """Persons and roles share one namespace; a person who acts must be stated somewhere."""
    known = {h.person for h in holdings if not h.acting} | set(stated)
    shown: set[str] = set()
    for h in holdings:
        if h.person in ctx.roles and h.person not in shown:
            shown.add(h.person)
            ctx.error(NAME_CLASH, h.span or Span.point(1, 1), f"`{h.person}` is both a person and a role",
                      "persons and roles share one namespace: rename the person or the role", path=h.path,
                      source=_source_of(ctx, h.path))
    for st in ctx.tree.statements:
        if isinstance(st, m.ActingDecl) and st.person.value not in known and st.person.value not in ctx.roles:
            guess = resolve.suggest(st.person.value, sorted(known))
            ctx.error(UNKNOWN_PERSON, st.person.span, f"`{st.person.value}` is not a person of the charter",
                      f"did you mean `{guess}`?" if guess else
                      f"state them first: `person {st.person.value} holds …` (or in the directory file)")


def _source_of(ctx: Context, path: str) -> Source | None:
    """The text a holding was written in, for the snippet under its error: the charter's or the directory's."""
    if ctx.directory is not None and path == ctx.directory.path:
        return ctx.directory.source
    return ctx.source if path == ctx.source.path else None


def _incompatible(ctx: Context) -> tuple[tuple[str, ...], ...]:
    out = []
    for st in ctx.tree.statements:
        if isinstance(st, m.IncompatibleDecl):
            roles = [resolve.role(ctx, name) for name in st.roles]
            known = tuple(dict.fromkeys(r for r in roles if r is not None))
            if len(known) >= 2:
                out.append(known)
    return tuple(out)


def _check_incompatible(ctx: Context, holdings: list[Holding], rules: tuple[tuple[str, ...], ...]) -> None:
    """Nobody holds two roles of one `incompatible` line at overlapping dates."""
    by_person: dict[str, list[Holding]] = {}
    for h in holdings:
        by_person.setdefault(h.person, []).append(h)
    for person, held in by_person.items():
        for rule in rules:
            inside = [h for h in held if h.role in rule]
            clash = next(((a, b) for i, a in enumerate(inside) for b in inside[i + 1:]
                          if a.role != b.role and a.overlaps(b)), None)
            if clash is not None:
                first, second = clash
                where = "" if second.path == first.path else f" ({first.path})"
                ctx.error(INCOMPATIBLE, second.span or Span.point(1, 1),
                          f"`{person}` holds `{first.role}` and `{second.role}`, which the charter keeps apart "
                          f"(`incompatible {', '.join(rule)}`)",
                          "give one of the roles to somebody else, or make the dates not overlap",
                          (Label(span=first.span, message=f"{first.role} held here{where}", path=first.path),)
                          if first.span is not None and (first.span, first.path) != (second.span, second.path)
                          else (), path=second.path,  # both on one `person` line: the line says it all
                          source=_source_of(ctx, second.path))


def people(ctx: Context) -> None:
    """The stage: gather every holding, check it, and keep the result in `ctx.people`."""
    holdings, stated = _charter_holdings(ctx)
    directory = ctx.directory
    if directory is not None:
        holdings += _directory_holdings(ctx, directory, stated)
    _check_names(ctx, holdings, stated)
    rules = _incompatible(ctx)
    _check_incompatible(ctx, holdings, rules)
    ctx.people = People.of(tuple(holdings), rules, tuple(ctx.roles))
