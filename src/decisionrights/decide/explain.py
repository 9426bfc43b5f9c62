"""The answers in English: `explain` (an answer in a few lines), the nearest miss, `nobody_words`.

Words only: what is allowed is decided in `rule` and `fastpath`, never here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Iterable, Mapping

from ..compile.ir import CompiledCharter, Way
from ..compile.conditions import ORDER_OPS, All, AnyOf, Cmp, Cond, In, Not, Value, holds
from ..words import TO_DO, value_text

if TYPE_CHECKING:
    from .answer import Answer

def _value_text(cc: CompiledCharter, decision: str, attr: str, value: Value) -> str:
    spec = cc.decisions[decision].attrs.get(attr)
    return value_text(value, spec.kind, spec.currency) if spec is not None else value_text(value)


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


def _owner(path: Way, noun: str, value: str | None = None) -> tuple[str, int]:
    """`controller's limit of 25k EUR` or `the 50k EUR limit of cfo's delegation`, and its line."""
    if path.links:
        link = path.links[-1]
        sized = f"{value} {noun}" if value else noun
        return f"the {sized} of {link.delegator}'s delegation", link.rule.line
    sized = f"{noun} of {value}" if value else noun
    return f"{path.grant.role}'s {sized}", path.grant.rule.line


def _describe_miss(cc: CompiledCharter, decision: str, atom: Cond, attrs: Mapping[str, Value], path: Way) -> str:
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


def _window(path: Way) -> str:
    """`from 2026-12-01 until 2027-03-31`, `until …` or `from …`: when a way in is in effect."""
    parts = [f"{word} {day.isoformat()}" for word, day in (("from", path.start), ("until", path.end)) if day]
    return " ".join(parts)


def nearest_way(cc: CompiledCharter, role: str, decision: str, attrs: Mapping[str, Value],
                 paths: Iterable[Way] | None = None) -> tuple[Way, list[Cond]] | None:
    """The way in whose limits come nearest to allowing the request, and the parts it misses."""
    best: tuple | None = None
    for path in cc.ways.get((role, decision), ()) if paths is None else paths:
        misses = _misses(path.cond, attrs)
        if not misses:
            continue
        score = (len(misses), sum(_gap(a, attrs) for a in misses), path.key)
        if best is None or score < best[0]:
            best = (score, path, misses)
    return None if best is None else (best[1], best[2])


def nearest_miss(cc: CompiledCharter, role: str, decision: str, attrs: Mapping[str, Value],
                 paths: Iterable[Way] | None = None) -> str | None:
    """What it would take: the limit nearest to allowing the request, and by how much it was missed."""
    found = nearest_way(cc, role, decision, attrs, paths)
    if found is None:
        return None
    path, misses = found
    return "; ".join(_describe_miss(cc, decision, atom, attrs, path) for atom in misses)


def explain(cc: CompiledCharter, answer: Answer, *, whom: bool = True) -> str:
    """The answer in a few lines; `whom=False` leaves out whom to take a no to (a person's answer names
    the persons itself)."""
    role, decision = answer.role, answer.decision
    lines: list[str] = []
    if answer.allowed:
        lines.append(f"yes: {role} may decide {decision}.")
        todo = [f"{TO_DO[k]} {', '.join(roles)}" for k, roles in answer.obligations.by_kind()]
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
        ways = cc.ways.get((role, decision), ())
        miss = nearest_miss(cc, role, decision, answer.request, [p for p in ways if p.active_on(answer.on)])
        if miss:
            lines.append(f"what it would take: {miss}.")
        # A delegation out of its dates still says what another day would take; say it is another day.
        elsewhen = nearest_way(cc, role, decision, answer.request, [p for p in ways if not p.active_on(answer.on)])
        if elsewhen is not None:
            path, misses = elsewhen
            words = "; ".join(_describe_miss(cc, decision, atom, answer.request, path) for atom in misses)
            lines.append(f"{'on other dates' if miss else 'what it would take, on other dates'}: {words}, "
                         f"while that delegation is in effect ({_window(path)}).")
    elif answer.reason == "delegation_inactive":
        for rule in answer.because:
            lines.append(f"  the delegation at {rule.where()} is not in effect on {answer.on.isoformat()}: {rule.text}")
        active = [p for p in cc.ways.get((role, decision), ()) if p.active_on(answer.on)]
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
    if not whom:
        return "\n".join(lines)
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
