"""The combining rule, stated once: `combine(plan, request, day)`.

Per role and decision, `make_plan` gathers what the rule needs: the forbids
binding the requester, and every way in (compile's `Way`: a grant, then
delegation links) sorted by key, each with the forbids on its delegators.
`combine` walks that plan, case by case (forbid overrides, attenuation,
fewest obligations, default deny with the reason nearest the requester);
`fastpath` compiles the very same plan to Python, and law 9 of
tests/test_laws.py checks on every run that the two agree.
"""

from __future__ import annotations

from datetime import date
from dataclasses import dataclass
from typing import Mapping

from .answer import Reason
from ..compile.ir import CompiledCharter, Forbid, Way
from ..compile.conditions import Value, holds
from ..compile.ir import Rule


@dataclass(frozen=True)
class Candidate:
    """One way in as the rule weighs it: the way, and the forbids on its delegators."""

    way: Way
    """The grant and its delegation links (compile's `Way`): its conditions, its dates, its obligations."""
    order: int
    """Its place among the pair's ways as the charter builds them: the order a no cites their rules in."""
    blockers: tuple[tuple[Forbid, ...], ...]
    """For each delegator along the chain that a forbid binds (the requester aside), those forbids."""


@dataclass(frozen=True)
class RulePlan:
    """The combining rule's facts for one role and decision, worked out once.

    `combine` walks it; `fastpath` compiles the very same plan to Python.
    """

    role: str
    decision: str
    forbids: tuple[Forbid, ...]
    """The forbids binding the requester: its own `may not`s, then `nobody may`s."""
    candidates: tuple[Candidate, ...]
    """Every way in, sorted by `path.key`: fewest obligations first, ties by the sets' order."""


def make_plan(cc: CompiledCharter, role: str, decision: str) -> RulePlan:
    """The plan for `role` deciding `decision`."""
    ways = []
    for order, path in enumerate(cc.ways.get((role, decision), ())):
        bound = (cc.forbids_of.get((r, decision), ()) for r in path.chain[:-1])
        ways.append(Candidate(path, order, tuple(forbids for forbids in bound if forbids)))
    ways.sort(key=lambda way: way.way.key)  # stable: equal keys keep the charter's order
    return RulePlan(role, decision, cc.forbids_of.get((role, decision), ()), tuple(ways))


@dataclass(frozen=True)
class Outcome:
    """What the rule says: the way taken (None: no), and for a no its reason; the rules it cites."""

    way: Way | None
    reason: Reason | None
    because: tuple[Rule, ...]


def combine(plan: RulePlan, attrs: Mapping[str, Value], on: date) -> Outcome:
    """The combining rule, as it reads (docs/semantics.md): the answer to a validated request on `on`."""
    # 1. A forbid binding the requester (its own `may not`, or `nobody may`) → no, whatever else holds.
    own = tuple(f.rule for f in plan.forbids if holds(f.cond, attrs))
    if own:
        return Outcome(None, "forbidden", own)
    missed: list[Candidate] = []  # ways whose limits (the grant's, or a link's) the request is beyond
    blocked: list[Candidate] = []  # ways whose limits hold, but a delegator along them is forbidden it
    inactive: list[Candidate] = []  # ways that would count but for their dates
    # 2. Each way in counts if its conditions hold, no delegator along the chain is forbidden it
    #    (attenuation: a delegator must itself be allowed it) and the date is inside every link's dates.
    # 3. The ways are sorted by key, so the first that counts has the fewest obligations (ties: by key).
    for way in plan.candidates:
        if not way.way.test(attrs):
            missed.append(way)
        elif _bound(way, attrs):
            blocked.append(way)
        elif not way.way.active_on(on):
            inactive.append(way)
        else:
            return Outcome(way.way, None, way.way.because)
    # 4. No way counts → no (default deny), with the reason nearest the requester (semantics.md step 5):
    if not plan.candidates:  # it holds nothing at all
        return Outcome(None, "not_granted", ())
    if inactive:  # a way would count on another day: the first of them (by key) says which delegation
        return Outcome(None, "delegation_inactive", inactive[0].way.via)
    if missed:  # a way exists whose limits the request is beyond: each such way's last rule
        missed.sort(key=lambda way: way.order)
        return Outcome(None, "outside_limits", tuple(dict.fromkeys(_last_rule(w.way) for w in missed)))
    # Every way whose limits hold is blocked by a forbid on a delegator along it: those forbids.
    blocked.sort(key=lambda way: way.order)
    return Outcome(None, "forbidden", tuple(dict.fromkeys(r for way in blocked for r in _bound(way, attrs))))


def _bound(way: Candidate, attrs: Mapping[str, Value]) -> list[Rule]:
    """The forbids on the way's delegators that bind this request."""
    return [f.rule for forbids in way.blockers for f in forbids if holds(f.cond, attrs)]


def _last_rule(path: Way) -> Rule:
    return path.links[-1].rule if path.links else path.grant.rule


def why_not(plan: RulePlan, attrs: Mapping[str, Value], on: date) -> tuple[Reason, tuple[Rule, ...]]:
    """Why a no is a no: the reason and the rules the combining rule gives for it."""
    outcome = combine(plan, attrs, on)
    return outcome.reason, outcome.because  # type: ignore[return-value]
