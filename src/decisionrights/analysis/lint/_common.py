"""Helpers the analysis rules share: showing a sample request, naming a region's owner."""

from __future__ import annotations

from typing import Mapping

from ...compile.ir import CompiledCharter
from ...compile.conditions import Value
from ...words import request_text


def show_request(cc: CompiledCharter, decision: str, sample: Mapping[str, Value]) -> str:
    """`amount = 15k EUR, category = hardware` — defaults left out when the sample keeps them."""
    return request_text(cc.decisions[decision].attrs, sample)


def held_by_delegator(an, delegation):
    """What the delegator of `delegation` holds of its decision, at any date, as three regions:

    `held`, everything it may decide; `passable`, what it may pass on to this
    delegate (ways with a link to spare that do not already run through the
    delegate); `stuck`, what it holds only through a delegation received
    without `may subdelegate` (loops back to the delegate are not counted: a
    cycle is DR203's finding).
    """
    held = passable = stuck = an.nothing(delegation.decision)
    for path in an.cc.ways.get((delegation.delegator, delegation.decision), ()):
        region = an.way_region(path, dated=False)
        held = held | region
        if delegation.delegate in path.chain:
            continue
        if path.remaining >= 1:
            passable = passable | region
        else:
            stuck = stuck | region
    return held, passable, stuck - passable


def on_one_line(cc: CompiledCharter):
    """A test `same_line(a, b)`: is one of the two roles above the other in the reporting line?

    Built once in linear time (each role's place in a walk of the reporting
    forest: a role is above another when the other's place lies inside its
    span), so each test is constant time, however long the line.
    """
    reports: dict[str, list[str]] = {}
    for role in cc.roles:
        boss = cc.manager.get(role)
        if boss is not None:
            reports.setdefault(boss, []).append(role)
    enter: dict[str, int] = {}
    leave: dict[str, int] = {}
    clock = 0
    for top in cc.roles:
        if cc.manager.get(top) is not None or top in enter:
            continue
        stack = [(top, iter(reports.get(top, ())))]
        enter[top] = clock
        clock += 1
        while stack:
            role, below = stack[-1]
            nxt = next(below, None)
            if nxt is None:
                leave[role] = clock
                stack.pop()
            elif nxt not in enter:
                enter[nxt] = clock
                clock += 1
                stack.append((nxt, iter(reports.get(nxt, ()))))

    def above(a: str, b: str) -> bool:
        return a in enter and b in enter and enter[a] < enter[b] and leave[b] <= leave[a]

    return lambda a, b: above(a, b) or above(b, a)


def when(region_text: str, everything: str = "for every request") -> str:
    """`when amount > 10k`, or a phrase for the region that holds everything."""
    return everything if region_text == "true" else f"when {region_text}"


def at_holding(ctx, code: str, severity, holding, message: str, *, help: str | None = None,
               labels=(), notes=()):
    """A finding located where a person's holding is written: the charter's line, or a directory file's row
    (then the diagnostic names that file)."""
    from ...diagnostics import Diagnostic, Label

    here = holding.path == ctx.source.path or holding.span is None
    return Diagnostic(code=code, severity=severity, message=message, path=ctx.source.path if here else holding.path,
                      span=holding.span, help=help, notes=tuple(notes), source=ctx.source if here else None,
                      labels=tuple(Label(span=s, message=m, path=None if p == ctx.source.path else p)
                                   for s, m, p in labels))


def has_people(cc: CompiledCharter) -> bool:
    """Does the charter (or the directory file beside it) state any people at all?"""
    return bool(cc.people.holdings)
