"""Exact authority: for each role and decision, the region of requests it may decide on a date.

Built on the region algebra, from the same ways in (`Way`s) the evaluator
uses: a way's region is its conditions minus the forbids of every role along
its chain, or nothing outside its dates. A role's authority is the union of
its ways; where several ways overlap, the one with the fewest obligations
applies, exactly as `may()` chooses.
"""

from __future__ import annotations

import functools
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterator

from .. import errors
from ..compile.ir import CompiledCharter, Way
from ..diagnostics import Diagnostic, Severity
from .regions import MAX_STEPS, OutOfSteps, Region, TooComplex, budget
from ..source import Span
from ..words import Obligations

TOO_COMPLEX = "DR200"
STEPS_PER_STATEMENT = 1_000
"""Work budget an analysis gets for each role, decision, grant, forbid and delegation, on top of
`regions.MAX_STEPS`."""

_at = threading.local()
"""Per thread: `where`, (charter, span) of the statement the running analysis last turned to."""


def steps_for(*charters: CompiledCharter) -> int:
    """The work budget of an analysis of these charters: a base, plus a share per statement."""
    return MAX_STEPS + STEPS_PER_STATEMENT * sum(len(cc.roles) + len(cc.decisions) + len(cc.grants)
                                                 + len(cc.forbids) + len(cc.delegations) for cc in charters)


def _note(cc: CompiledCharter, span: Span | None) -> None:
    if span is not None:
        _at.where = (cc, span)


def where() -> tuple[CompiledCharter, Span] | None:
    """The charter and statement the analysis in this thread last turned to (for a `DR200`)."""
    return getattr(_at, "where", None)


@contextmanager
def bounded(*charters: CompiledCharter) -> Iterator[None]:
    """Run an analysis of these charters under its work budget (`steps_for`).

    A `regions.TooComplex` inside becomes the public `errors.TooComplex`, whose
    `DR200` diagnostic names the statement the analysis was working on.
    Inside a running bounded analysis, it changes nothing.
    """
    if getattr(_at, "active", False):
        yield
        return
    _at.active, _at.where = True, None
    try:
        with budget(steps_for(*charters)):
            yield
    except TooComplex as exc:
        raise too_complex(exc, charters[0] if charters else None) from None
    finally:
        _at.active = False


def bounded_analysis(fn):
    """Decorate a function of loaded charters (`Charter` arguments) to run under `bounded`."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        with bounded(*(a.compiled for a in args if hasattr(a, "compiled"))):
            return fn(*args, **kwargs)
    return run


def too_complex(exc: TooComplex, fallback: CompiledCharter | None = None) -> errors.TooComplex:
    """The public error for an analysis that gave up, located at the statement it was working on."""
    found = where()
    cc, span = found if found is not None else (fallback, None)
    diagnostic = Diagnostic(
        code=TOO_COMPLEX, severity=Severity.ERROR, span=span,
        path=cc.source.path if cc is not None else "<string>", source=cc.source if cc is not None else None,
        message=f"the conditions are too complex to analyse exactly: {exc}",
        help="split long chains of `(… or …) and (… or …)`, and many overlapping grants or forbids of one "
             "role, into fewer, simpler statements")
    return errors.TooComplex([diagnostic])


@dataclass(frozen=True)
class Part:
    """Where the role's authority carries these obligations."""

    obligations: frozenset[tuple[str, str]]
    region: Region

    def obligation_text(self) -> str:
        return Obligations(self.obligations).text()


@dataclass(frozen=True)
class DecisionAuthority:
    """What one role may do with one decision: the region it may decide, in parts by obligations."""

    role: str
    decision: str
    region: Region
    parts: tuple[Part, ...]
    propose: Region
    delegated: tuple[tuple[str, date | None, date | None], ...]
    """(delegator, from, until) of each delegation that reaches the role."""
    currency: str | None

    @property
    def text(self) -> str:
        """The region as a readable condition: `amount <= 25k and category != travel`."""
        return self.region.render(self.currency)

    def to_dict(self) -> dict[str, Any]:
        return {"decision": self.decision, "may_decide": None if self.region.is_empty() else self.text,
                "parts": [{"when": p.region.render(self.currency),
                           "obligations": sorted([k, r] for k, r in p.obligations)} for p in self.parts],
                "may_propose": None if self.propose.is_empty() else self.propose.render(self.currency),
                "delegated": [{"from_role": d, "from": s.isoformat() if s else None,
                               "until": u.isoformat() if u else None} for d, s, u in self.delegated]}


class Analysis:
    """Regions of a compiled charter on one date, computed on demand and kept."""

    def __init__(self, compiled: CompiledCharter, on: date):
        self.cc = compiled
        self.on = on
        self._forbid: dict[tuple[str, str], Region] = {}
        self._path: dict[int, Region] = {}
        self._authority: dict[tuple[str, str], DecisionAuthority] = {}
        self._cond: dict[tuple[int, str], Region | TooComplex] = {}
        self._keep: list[Any] = []
        self._spans: dict[int, Span] | None = None

    def _statement(self, cond: Any) -> Span | None:
        """The span of the grant, forbid or delegation whose condition `cond` is, if it is one."""
        if self._spans is None:
            self._spans = {id(x.cond): x.rule.span for group in (self.cc.grants, self.cc.forbids,
                                                                 self.cc.delegations) for x in group}
        return self._spans.get(id(cond))

    def attrs(self, decision: str):
        return self.cc.decisions[decision].attrs

    def currency(self, decision: str) -> str | None:
        return self.cc.currency

    def everything(self, decision: str) -> Region:
        return Region.everything(self.attrs(decision))

    def nothing(self, decision: str) -> Region:
        return Region.nothing(self.attrs(decision))

    def region(self, cond: Any, decision: str) -> Region:
        """The condition's region, kept: lint rules and diff ask for the same conditions many times
        (and a condition too complex to analyse fails at once the second time)."""
        key = (id(cond), decision)
        _note(self.cc, self._statement(cond) or self.cc.decisions[decision].span)
        found = self._cond.get(key)
        if found is None:
            try:
                found = Region.from_cond(cond, self.attrs(decision))
            except OutOfSteps:
                raise  # the budget ran out here, not because of this condition alone: not kept
            except TooComplex as exc:
                found = exc
            self._cond[key] = found
            self._keep.append(cond)  # ids stay unique while the analysis lives
        if isinstance(found, TooComplex):
            raise found
        return found

    def forbidden(self, role: str, decision: str) -> Region:
        """Requests of `decision` that a forbid denies `role`."""
        key = (role, decision)
        found = self._forbid.get(key)
        if found is None:
            found = self.nothing(decision)
            for f in self.cc.forbids_of.get(key, ()):
                found = found | self.region(f.cond, decision)
            self._forbid[key] = found
        return found

    def nobody(self, decision: str) -> Region:
        """Requests of `decision` that a `nobody may` forbids."""
        out = self.nothing(decision)
        for f in self.cc.forbids:
            if f.decision == decision and f.role is None:
                out = out | self.region(f.cond, decision)
        return out

    def way_region(self, path: Way, dated: bool = True) -> Region:
        """The requests this way in allows: its conditions, minus every chain role's forbids."""
        key = id(path) * 2 + dated
        _note(self.cc, path.links[-1].rule.span if path.links else path.grant.rule.span)
        found = self._path.get(key)
        if found is None:
            decision = path.grant.decision
            if dated and not path.active_on(self.on):
                found = self.nothing(decision)
            else:
                found = self.region(path.cond, decision)
                for role in dict.fromkeys(path.chain):
                    found = found - self.forbidden(role, decision)
            self._path[key] = found
        return found

    def authority(self, role: str, decision: str) -> DecisionAuthority:
        key = (role, decision)
        found = self._authority.get(key)
        if found is None:
            found = self._build(role, decision)
            self._authority[key] = found
        return found

    def _build(self, role: str, decision: str) -> DecisionAuthority:
        paths = sorted(self.cc.ways.get((role, decision), ()), key=lambda p: p.key)
        total = self.nothing(decision)
        parts: list[Part] = []
        by_obligations: dict[frozenset, Region] = {}
        for path in paths:  # fewest obligations first: each part is what is new at its rank
            fresh = self.way_region(path) - total
            if fresh.is_empty():
                continue
            total = total | fresh
            by_obligations[path.obligations] = by_obligations.get(path.obligations, self.nothing(decision)) | fresh
        for obligations, region in by_obligations.items():
            parts.append(Part(obligations, region))
        propose = self.nothing(decision)
        for g in self.cc.proposals.get((role, decision), ()):
            propose = propose | self.region(g.cond, decision)
        delegated = tuple(dict.fromkeys((p.links[-1].delegator, p.links[-1].start, p.links[-1].end)
                                        for p in paths if p.links and not self.way_region(p).is_empty()))
        return DecisionAuthority(role, decision, total, tuple(parts), propose, delegated, self.currency(decision))

    def deciders(self, decision: str) -> dict[str, Region]:
        """Every role's region for `decision`, in declaration order, empty ones left out."""
        out = {}
        for role in self.cc.roles:
            region = self.authority(role, decision).region
            if not region.is_empty():
                out[role] = region
        return out

    def gap(self, decision: str) -> Region:
        """Requests no role may decide and no `nobody may` rules out: holes in the charter."""
        covered = self.nobody(decision)
        for region in self.deciders(decision).values():
            covered = covered | region
        return self.everything(decision) - covered
