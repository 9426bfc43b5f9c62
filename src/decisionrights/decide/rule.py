"""The combining rule, stated once: `combine(plan, request, day)`.

Per role and decision, `make_plan` gathers what the rule needs: the forbids
binding the requester, and every way in (compile's `Path`: a grant, then
delegation links) sorted by key, each with the forbids on its delegators.
`combine` walks that plan, case by case (forbid overrides, attenuation,
fewest obligations, default deny with the reason nearest the requester);
`fastpath` compiles the very same plan to Python, and law 9 of
tests/test_laws.py checks on every run that the two agree.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from dataclasses import dataclass
from typing import Iterable, Mapping

from .answer import Answer, Reason
from ..compile.compiler import CompiledCharter, Forbid, Path
from ..compile.conditions import ORDER_OPS, All, AnyOf, Cmp, Cond, In, Not, Value, holds
from ..compile.ir import Rule
from ..values import format_number


@dataclass(frozen=True)
class Way:
    """One way in as the rule reads it: the path, and the forbids on its delegators."""

    path: Path
    """The grant and its delegation links (compile's `Path`): its conditions, its dates, its obligations."""
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
    ways: tuple[Way, ...]
    """Every way in, sorted by `path.key`: fewest obligations first, ties by the sets' order."""


def make_plan(cc: CompiledCharter, role: str, decision: str) -> RulePlan:
    """The plan for `role` deciding `decision`."""
    ways = []
    for order, path in enumerate(cc.paths.get((role, decision), ())):
        bound = (cc.forbids_of.get((r, decision), ()) for r in path.chain[:-1])
        ways.append(Way(path, order, tuple(forbids for forbids in bound if forbids)))
    ways.sort(key=lambda way: way.path.key)  # stable: equal keys keep the charter's order
    return RulePlan(role, decision, cc.forbids_of.get((role, decision), ()), tuple(ways))


@dataclass(frozen=True)
class Outcome:
    """What the rule says: the way taken (None: no), and for a no its reason; the rules it cites."""

    way: Path | None
    reason: Reason | None
    because: tuple[Rule, ...]


def combine(plan: RulePlan, attrs: Mapping[str, Value], on: date) -> Outcome:
    """The combining rule, as it reads (docs/semantics.md): the answer to a validated request on `on`."""
    # 1. A forbid binding the requester (its own `may not`, or `nobody may`) → no, whatever else holds.
    own = tuple(f.rule for f in plan.forbids if holds(f.cond, attrs))
    if own:
        return Outcome(None, "forbidden", own)
    missed: list[Way] = []  # ways whose limits (the grant's, or a link's) the request is beyond
    blocked: list[Way] = []  # ways whose limits hold, but a delegator along them is forbidden it
    inactive: list[Way] = []  # ways that would count but for their dates
    # 2. Each way in counts if its conditions hold, no delegator along the chain is forbidden it
    #    (attenuation: a delegator must itself be allowed it) and the date is inside every link's dates.
    # 3. The ways are sorted by key, so the first that counts has the fewest obligations (ties: by key).
    for way in plan.ways:
        if not way.path.test(attrs):
            missed.append(way)
        elif _bound(way, attrs):
            blocked.append(way)
        elif not way.path.active_on(on):
            inactive.append(way)
        else:
            return Outcome(way.path, None, way.path.because)
    # 4. No way counts → no (default deny), with the reason nearest the requester (semantics.md step 5):
    if not plan.ways:  # it holds nothing at all
        return Outcome(None, "not_granted", ())
    if inactive:  # a way would count on another day: the first of them (by key) says which delegation
        return Outcome(None, "delegation_inactive", inactive[0].path.via)
    if missed:  # a way exists whose limits the request is beyond: each such way's last rule
        missed.sort(key=lambda way: way.order)
        return Outcome(None, "outside_limits", tuple(dict.fromkeys(_last_rule(w.path) for w in missed)))
    # Every way whose limits hold is blocked by a forbid on a delegator along it: those forbids.
    blocked.sort(key=lambda way: way.order)
    return Outcome(None, "forbidden", tuple(dict.fromkeys(r for way in blocked for r in _bound(way, attrs))))


def _bound(way: Way, attrs: Mapping[str, Value]) -> list[Rule]:
    """The forbids on the way's delegators that bind this request."""
    return [f.rule for forbids in way.blockers for f in forbids if holds(f.cond, attrs)]


def _last_rule(path: Path) -> Rule:
    return path.links[-1].rule if path.links else path.grant.rule


def why_not(plan: RulePlan, attrs: Mapping[str, Value], on: date) -> tuple[Reason, tuple[Rule, ...]]:
    """Why a no is a no: the reason and the rules the combining rule gives for it."""
    outcome = combine(plan, attrs, on)
    return outcome.reason, outcome.because  # type: ignore[return-value]


# -- explanation ------------------------------------------------------------------

_KIND_PHRASES = {"announce": "announce it to", "inform": "inform", "consult": "consult",
                 "agreement": "get the agreement of"}


def _value_text(cc: CompiledCharter, decision: str, attr: str, value: Value) -> str:
    spec = cc.decisions[decision].attrs.get(attr)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        text = format_number(Decimal(str(value)) if isinstance(value, float) else value)
        if spec is not None and spec.kind == "money" and spec.currency:
            text += f" {spec.currency}"
        return text
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _misses(cond: Cond, attrs: Mapping[str, Value]) -> list[Cond]:
    """The smallest set of atoms that fail, for the branch nearest to holding."""
    if holds(cond, attrs):
        return []
    if isinstance(cond, All):
        out: list[Cond] = []
        for item in cond.items:
            out.extend(_misses(item, attrs))
        return out
    if isinstance(cond, AnyOf):
        options = [_misses(item, attrs) for item in cond.items]
        return min(options, key=len) if options else [cond]
    return [cond]


def _gap(atom: Cond, attrs: Mapping[str, Value]) -> float:
    if isinstance(atom, Cmp) and atom.op in ORDER_OPS and isinstance(atom.value, (int, Decimal)):
        have = attrs[atom.attr]
        if isinstance(have, (int, float, Decimal)) and atom.value:
            return abs(float(have) - float(atom.value)) / abs(float(atom.value))
    return 1.0


def _owner(path: Path, noun: str, value: str | None = None) -> tuple[str, int]:
    """`controller's limit of 25k EUR` or `the 50k EUR limit of cfo's delegation`, and its line."""
    if path.links:
        link = path.links[-1]
        sized = f"{value} {noun}" if value else noun
        return f"the {sized} of {link.delegator}'s delegation", link.rule.line
    sized = f"{noun} of {value}" if value else noun
    return f"{path.grant.role}'s {sized}", path.grant.rule.line


def _describe_miss(cc: CompiledCharter, decision: str, atom: Cond, attrs: Mapping[str, Value], path: Path) -> str:
    if isinstance(atom, Cmp):
        have = attrs[atom.attr]
        shown = _value_text(cc, decision, atom.attr, have)
        limit = _value_text(cc, decision, atom.attr, atom.value)
        numeric = isinstance(atom.value, (int, Decimal)) and not isinstance(have, bool)
        if atom.op in ("<", "<=") and numeric:
            owner, line = _owner(path, "limit", limit)
            by = _value_text(cc, decision, atom.attr, Decimal(str(have)) - Decimal(str(atom.value)))
            below = "" if atom.op == "<=" else " (it must stay below it)"
            return f"{atom.attr} {shown} is over {owner} by {by}{below} (line {line})"
        if atom.op in (">", ">=") and numeric:
            owner, line = _owner(path, "minimum", limit)
            by = _value_text(cc, decision, atom.attr, Decimal(str(atom.value)) - Decimal(str(have)))
            above = "" if atom.op == ">=" else " (it must exceed it)"
            return f"{atom.attr} {shown} is under {owner} by {by}{above} (line {line})"
        owner, line = _owner(path, "limits")
        if atom.value is True and atom.op == "==":
            return f"{owner} apply only when {atom.attr} is true (line {line})"
        return f"{owner} need {atom.attr} {atom.op} {limit}, but it is {shown} (line {line})"
    owner, line = _owner(path, "limits")
    if isinstance(atom, In):
        options = ", ".join(sorted(_value_text(cc, decision, atom.attr, v) for v in atom.values))
        shown = _value_text(cc, decision, atom.attr, attrs[atom.attr])
        need = "not in" if atom.negated else "in"
        return f"{owner} need {atom.attr} {need} [{options}], but it is {shown} (line {line})"
    if isinstance(atom, Not) and isinstance(atom.item, Cmp) and atom.item.value is True:
        return f"{owner} apply only when {atom.item.attr} is false (line {line})"
    return f"the request is outside {owner} (line {line})"


def _window(path: Path) -> str:
    """`from 2026-12-01 until 2027-03-31`, `until …` or `from …`: when a way in is in effect."""
    parts = [f"{word} {day.isoformat()}" for word, day in (("from", path.start), ("until", path.end)) if day]
    return " ".join(parts)


def nearest_path(cc: CompiledCharter, role: str, decision: str, attrs: Mapping[str, Value],
                 paths: Iterable[Path] | None = None) -> tuple[Path, list[Cond]] | None:
    """The way in whose limits come nearest to allowing the request, and the parts it misses."""
    best: tuple | None = None
    for path in cc.paths.get((role, decision), ()) if paths is None else paths:
        misses = _misses(path.cond, attrs)
        if not misses:
            continue
        score = (len(misses), sum(_gap(a, attrs) for a in misses), path.key)
        if best is None or score < best[0]:
            best = (score, path, misses)
    return None if best is None else (best[1], best[2])


def nearest_miss(cc: CompiledCharter, role: str, decision: str, attrs: Mapping[str, Value],
                 paths: Iterable[Path] | None = None) -> str | None:
    """What it would take: the limit nearest to allowing the request, and by how much it was missed."""
    found = nearest_path(cc, role, decision, attrs, paths)
    if found is None:
        return None
    path, misses = found
    return "; ".join(_describe_miss(cc, decision, atom, attrs, path) for atom in misses)


def explain(cc: CompiledCharter, answer: Answer) -> str:
    role, decision = answer.role, answer.decision
    lines: list[str] = []
    if answer.allowed:
        lines.append(f"yes: {role} may decide {decision}.")
        todo = [f"{_KIND_PHRASES[k]} {', '.join(getattr(answer, k))}" for k in _KIND_PHRASES if getattr(answer, k)]
        if todo:
            lines.append("first or after, as the charter says: " + "; ".join(todo) + ".")
        for rule in answer.because:
            lines.append(f"  because {rule.where()}: {rule.text}")
        return "\n".join(lines)
    lines.append(f"no: {role} may not decide {decision} ({answer.reason.replace('_', ' ')}).")  # type: ignore[union-attr]
    if answer.reason == "forbidden":
        for rule in answer.because:
            lines.append(f"  forbidden by {rule.where()}: {rule.text}")
    elif answer.reason == "outside_limits":
        ways = cc.paths.get((role, decision), ())
        miss = nearest_miss(cc, role, decision, answer.request, [p for p in ways if p.active_on(answer.on)])
        if miss:
            lines.append(f"what it would take: {miss}.")
        # A delegation out of its dates still says what another day would take; say it is another day.
        elsewhen = nearest_path(cc, role, decision, answer.request, [p for p in ways if not p.active_on(answer.on)])
        if elsewhen is not None:
            path, misses = elsewhen
            words = "; ".join(_describe_miss(cc, decision, atom, answer.request, path) for atom in misses)
            lines.append(f"{'on other dates' if miss else 'what it would take, on other dates'}: {words}, "
                         f"while that delegation is in effect ({_window(path)}).")
    elif answer.reason == "delegation_inactive":
        for rule in answer.because:
            lines.append(f"  the delegation at {rule.where()} is not in effect on {answer.on.isoformat()}: {rule.text}")
        active = [p for p in cc.paths.get((role, decision), ()) if p.active_on(answer.on)]
        miss = nearest_miss(cc, role, decision, answer.request, active)
        if miss:
            lines.append(f"without it, what it would take: {miss}.")
    else:
        lines.append(f"  {role} holds nothing for {decision}.")
        for d in cc.delegations:
            if d.delegate == role and d.decision == decision:
                lines.append(f"  the delegation from {d.delegator} (line {d.rule.line}) passes nothing on: "
                             f"{d.delegator} holds no {decision} authority it may delegate.")
    if answer.may_propose:
        lines.append(f"{role} may propose it.")
    targets = answer.escalate_to
    if targets:
        lines.append(f"take it to: {', '.join(targets)}.")
    else:
        lines.append(f"nobody may decide this request: {nobody_words(cc, decision, answer.request)}.")
    return "\n".join(lines)


def nobody_words(cc: CompiledCharter, decision: str, attrs: Mapping[str, Value]) -> str:
    """Why no role may decide a request: `not okay for anyone (line N)` when a `nobody may` forbid
    says so (lint DR207: that is no gap), else `a gap in the charter`."""
    lines = sorted({f.rule.line for f in cc.forbids_of.nobody.get(decision, ()) if holds(f.cond, attrs)})
    if not lines:
        return "a gap in the charter"
    return f"not okay for anyone (line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))})"
