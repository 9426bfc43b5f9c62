"""The ways in: every grant a role holds or inherits, extended by the delegation chains that start from it.

`build_ways` closes the delegations over the grants (`Way`: a grant, then
zero or more links); `inherited` lists what flows up the reporting line under
`authority flows up`; `proposals` does the same for `may propose`. Both stop
with DR110 once the ways pass `MAX_PATHS`.
"""

from __future__ import annotations

import math
from typing import Mapping

from .conditions import conj
from .context import TOO_MANY_CHAINS, Context, label
from .ir import Delegation, Grant, Way

INFINITE = math.inf
MAX_PATHS = 200_000
"""Most ways (grant plus delegation chain) a charter may open; beyond that it is refused."""


def inherited(ctx: Context, held: Mapping[str, list], budget: int,
              verb: str = "decide") -> tuple[dict[str, list[str]], int] | None:
    """Under `authority flows up`, per role the roles below it that hold something in `held`.

    Listed in declaration order. Walks up from each holder only, so the
    work is the number of (manager, holder) pairs — each one a way the
    caller makes — and stops with `DR110` once those ways pass `budget`.
    Returns the lists and the ways they make, or None after the error.
    """
    below: dict[str, list[str]] = {}
    ways = 0
    if not ctx.flows_up:
        return below, ways
    for holder in ctx.roles:
        items = held.get(holder)
        if not items:
            continue
        seen = {holder}
        boss = ctx.manager.get(holder)
        while boss is not None and boss not in seen:
            below.setdefault(boss, []).append(holder)
            ways += len(items)
            if ways > budget:
                ctx.error(TOO_MANY_CHAINS, items[0].rule.span,
                          f"under `authority flows up`, the grants inherited up the reporting line open "
                          f"more than {MAX_PATHS:,} ways to {verb}; the charter is refused",
                          "drop `authority flows up` and grant managers what they decide, or shorten "
                          "the reporting line",
                          (label(ctx.flows_up_span, "authority flows up here"),)
                          if ctx.flows_up_span is not None else ())
                return None
            seen.add(boss)
            boss = ctx.manager.get(boss)
    return below, ways


def build_ways(ctx: Context, grants: list[Grant],
                delegations: list[Delegation]) -> dict[tuple[str, str], tuple[Way, ...]]:
    """Every way each role may decide each decision: a grant, then delegation links.

    Built structurally (conditions and dates are not evaluated here): a link
    from A to B extends every way of A that still permits a further link,
    never revisiting a role, so cycles end and depth bounds hold. Ways
    inherited up the reporting line count against `MAX_PATHS` like chains.
    """
    by_role_decision: dict[tuple[str, str], list[Way]] = {}
    frontier: list[Way] = []

    def add(path: Way) -> None:
        by_role_decision.setdefault((path.role, path.grant.decision), []).append(path)
        frontier.append(path)

    grants_by_role: dict[str, list[Grant]] = {}
    for g in grants:
        if not g.propose:
            grants_by_role.setdefault(g.role, []).append(g)
    found = inherited(ctx, grants_by_role, MAX_PATHS - sum(map(len, grants_by_role.values())))
    if found is None:
        return {}
    descendants = found[0]
    for role in ctx.roles:
        for holder in [role, *descendants.get(role, ())]:
            for g in grants_by_role.get(holder, ()):
                add(_make_way(role, g, (), (role,), holder != role))
    out_links: dict[tuple[str, str], list[Delegation]] = {}
    for d in delegations:
        out_links.setdefault((d.delegator, d.decision), []).append(d)
    count = len(frontier)
    while frontier:
        path = frontier.pop()
        if path.remaining < 1:
            continue
        for d in out_links.get((path.role, path.grant.decision), ()):
            if d.delegate in path.chain:
                continue
            count += 1
            if count > MAX_PATHS:
                ctx.error(TOO_MANY_CHAINS, d.rule.span,
                          f"the delegations open more than {MAX_PATHS:,} ways to decide; the charter is refused",
                          "remove delegation loops or bound them with `may subdelegate up to N levels`")
                return {}
            add(_make_way(d.delegate, path.grant, path.links + (d,), path.chain + (d.delegate,),
                           path.inherited, path, d))
    return {key: tuple(paths) for key, paths in by_role_decision.items()}


def proposals(ctx: Context) -> dict[tuple[str, str], tuple[Grant, ...]]:
    """Per (role, decision), the `may propose` grants the role holds or, under `authority flows up`, inherits."""
    out: dict[tuple[str, str], list[Grant]] = {}
    proposals_by_role: dict[str, list[Grant]] = {}
    for g in ctx.grants:
        if g.propose:
            proposals_by_role.setdefault(g.role, []).append(g)
    if proposals_by_role:
        found = inherited(ctx, proposals_by_role, MAX_PATHS - sum(map(len, proposals_by_role.values())),
                          "propose")
        holders = found[0] if found is not None else {}
        for role in ctx.roles:
            for holder in (role, *holders.get(role, ())):
                for g in proposals_by_role.get(holder, ()):
                    out.setdefault((role, g.decision), []).append(g)
    return {k: tuple(v) for k, v in out.items()}


def _make_way(role: str, grant: Grant, links: tuple[Delegation, ...], chain: tuple[str, ...], inherited: bool,
               parent: Way | None = None, link: Delegation | None = None) -> Way:
    if parent is None or link is None:
        cond, start, end, obligations, remaining = grant.cond, None, None, grant.obligations, INFINITE
    else:
        cond = conj(parent.cond, link.cond)
        start = max((d for d in (parent.start, link.start) if d is not None), default=None)
        end = min((d for d in (parent.end, link.end) if d is not None), default=None)
        obligations = parent.obligations | link.obligations
        remaining = min(parent.remaining - 1, link.further)
    key = (len(obligations), tuple(sorted(obligations)))
    return Way(role, grant, links, chain, cond, start, end, obligations, remaining, inherited, key)
