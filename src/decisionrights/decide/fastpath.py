"""Fast paths, generated once per shape: one pair of Python functions answers every (role, decision) of that shape.

A (role, decision) pair is answered by `ask(given, on, k)`: check the request,
decide it and build the `Answer`, all in one function. The source of `ask` is
built only from our own identifiers (`v0`, `k[3]`, …); every value a charter
author wrote — limits, enum members, attribute names — sits in the pair's
constant tuple `k`, never in the source. Nothing a charter says is ever
evaluated as Python.

Because the values are not in the source, pairs whose conditions have the same
structure (`amount <= k[2] and category in k[3]`) share one compiled function:
a 2,000-role charter needs a few dozen functions, not thousands, and the ones
it needs stay hot in the processor's caches.
"""

from __future__ import annotations

import time
from datetime import date
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from . import request as _request
from .answer import Answer, No, Verdict, Yes
from ..compile.conditions import All, AnyOf, AttrSpec, Cmp, Cond, In, Not, attributes_of
from ..values import MAX_DIGITS

if TYPE_CHECKING:
    from .rule import RulePlan


class _Writer:
    """Turns conditions into Python source over `v0`, `v1`, … (attributes) and `k[i]` (constants)."""

    def __init__(self, attrs: Sequence[str], owner: Any) -> None:
        self.consts: list[Any] = [None, owner]  # the pair's own `ask` (filled in once compiled), its owner
        self._ids: dict[int, str] = {}
        self.names = list(attrs)
        self.vars = {name: f"v{i}" for i, name in enumerate(attrs)}
        for name in attrs:
            self.const(name)

    def key(self, name: str) -> str:
        """The constant holding attribute `name` (the names come first, in order, from `k[_OWN]`)."""
        return f"k[{self.names.index(name) + _OWN}]"

    def const(self, value: Any) -> str:
        key = id(value)
        name = self._ids.get(key)
        if name is None:
            name = f"k[{len(self.consts)}]"
            self.consts.append(value)
            self._ids[key] = name
        return name

    def cond(self, cond: Cond) -> str:
        if isinstance(cond, Cmp):
            var = self.vars[cond.attr]
            if cond.value is True and cond.op == "==":
                return f"({var} is True)"
            if cond.value is False and cond.op == "==":
                return f"({var} is False)"
            return f"({var} {cond.op} {self.const(cond.value)})"
        if isinstance(cond, In):
            return f"({self.vars[cond.attr]} {'not in' if cond.negated else 'in'} {self.const(cond.values)})"
        if isinstance(cond, All):
            return "(" + " and ".join(self.cond(c) for c in cond.items) + ")" if cond.items else "True"
        if isinstance(cond, AnyOf):
            return "(" + " or ".join(self.cond(c) for c in cond.items) + ")" if cond.items else "False"
        if isinstance(cond, Not):
            return f"(not {self.cond(cond.item)})"
        raise TypeError(cond)  # pragma: no cover


def _checks(w: _Writer, attrs: Mapping[str, AttrSpec]) -> str:
    """The test that every value is already in the form the slow validator would return it."""
    checks = []
    bound = w.const(10 ** MAX_DIGITS)
    for spec in attrs.values():
        var = w.vars[spec.name]
        if spec.kind == "money" and spec.needs_code:
            checks.append("False")  # a bare number says no currency here: only the full validator reads `250 EUR`
        elif spec.kind == "money":
            checks.append(f"type({var}) is int and 0 <= {var} < {bound}")
        elif spec.kind == "number":
            checks.append(f"type({var}) is int and -{bound} < {var} < {bound}")
        elif spec.kind == "bool":
            checks.append(f"({var} is True or {var} is False)")
        elif spec.kind == "enum":
            checks.append(f"type({var}) is str and {var} in {w.const(frozenset(spec.members))}")
        elif spec.kind == "text":
            checks.append(f"type({var}) is str")
        elif spec.kind == "person":
            checks.append("False")  # whether it names one of the charter's people: the full validator says
        else:
            checks.append(f"type({var}) is _date")
    return " and ".join(checks) or "True"


def plan_reads(plan: "RulePlan") -> frozenset[str]:
    """Every attribute the plan's conditions read (the requester's forbids, each way, its delegators' forbids)."""
    conds = [f.cond for f in plan.forbids]
    for way in plan.candidates:
        conds.append(way.way.cond)
        conds += [f.cond for forbids in way.blockers for f in forbids]
    return frozenset(name for c in conds for name in attributes_of(c))


def _any(forbids: Sequence[Any]) -> Cond:
    """One condition for several forbids (as `CompiledCharter.forbid_cond` makes it)."""
    return AnyOf(tuple(f.cond for f in forbids))


_OWN = 2
"""`k[0]` is the pair's own `ask`, `k[1]` its owner; its values start at `k[2]`."""


def build_asker(plan: "RulePlan", attrs: Mapping[str, AttrSpec], validate: Callable[[Mapping[str, Any]], dict],
                no: Verdict, yes: Callable[[Any], Verdict],
                general: Callable[[dict, date, Any], Answer] | None, owner: Any) -> tuple[Callable, Callable, tuple]:
    """`(ask, judge, k)` for one role and decision, compiled from the combining rule's plan.

    `k[0]` is `ask`, `k[1]` is `owner` (whatever the caller keeps beside the pair's functions).

    `ask(given, on, k)` answers a request whose attribute dict the caller hands
    over (it may be completed in place); `judge(attrs, day, k)` answers an
    already validated one. Both test what `rule.combine` tests, in its order:
    the requester's forbids, then each way (sorted by key, so the first that
    holds is the one the answer takes): its conditions, its dates, the forbids
    on its delegators. `validate` is the decision's full validator, for
    anything the fast check does not accept; `no` and `yes(path)` the verdicts
    answers share. When `general` is given (the pair has `may propose` grants,
    which depend on the request), answers are built by
    `general(attrs, day, path_or_None)` instead.
    """
    given = {name: spec for name, spec in attrs.items() if spec.given}
    facts = plan_reads(plan)
    read = [name for name, spec in attrs.items() if spec.given or name in facts]  # and the facts about `me` it reads
    w = _Writer(read, owner)
    body = _decide_lines(w, plan, no, yes, general)
    check = _checks(w, given)
    slow = f"return judge({w.const(validate)}(a), day, k)"  # anything unusual: the full validator
    judge = ["def judge(a, day, k):"]
    judge += [f"    {w.vars[n]} = a[{w.key(n)}]" for n in read]
    judge += [f"    {line}" for line in body]
    source = "\n".join(judge + _ask_lines(w, given, body, check, slow)) + "\n"
    ask_fn, judge_fn = _shape(source)
    return ask_fn, judge_fn, (ask_fn, *w.consts[1:])


def _decide_lines(w: _Writer, plan: "RulePlan", no: Verdict, yes: Callable[[Any], Verdict],
                  general: Callable[[dict, date, Any], Answer] | None) -> list[str]:
    """The combining rule over `v0`, `v1`, … and `day`: one `if` per case, each returning the answer."""

    def give(verdict: Any, path: Any) -> str:
        """Return the answer through `path` (None: a no)."""
        if general is not None:
            return f"return {w.const(general)}(a, day, {w.const(path)})"
        return (f"r = _new({'No' if path is None else 'Yes'}); r.verdict = {w.const(verdict)}; "
                "r.request = a; r.on = day; return r")

    body = []
    if plan.forbids:  # 1. a forbid binding the requester
        body.append(f"if {w.cond(_any(plan.forbids))}: {give(no, None)}")
    for way in plan.candidates:  # 2./3. the first way (by key) whose conditions, dates and delegators all allow it
        path = way.way
        tests = [w.cond(path.cond)]
        if path.start is not None:
            tests.append(f"{w.const(path.start)} <= day")
        if path.end is not None:
            tests.append(f"day <= {w.const(path.end)}")
        for forbids in way.blockers:
            tests.append(f"not {w.cond(_any(forbids))}")
        body.append(f"if {' and '.join(tests)}: {give(yes(path), path)}")
    body.append(give(no, None))  # 4. default deny
    return body


def _ask_lines(w: _Writer, attrs: Mapping[str, AttrSpec], body: list[str], check: str, slow: str) -> list[str]:
    """`ask`: fix the date, read the attributes (filling in defaults), check them fast, then decide."""
    ask = ["def ask(a, on, k):",
           "    if on is None:",
           "        c = _request.clock",
           "        day = c[1] if _time() < c[0] else _today()",
           "    elif type(on) is _date: day = on",
           "    else: day = _request_date(on)"]
    required = [a for a in attrs.values() if not a.has_default]
    optional = [a for a in attrs.values() if a.has_default]
    # Only the required attributes given (the defaults are filled in), or all of them.
    branches = [(len(required), required, optional)]
    if optional:
        branches.append((len(attrs), list(attrs.values()), []))
    for i, (count, given, filled) in enumerate(branches):
        ask.append(f"    {'elif' if i else 'if'} len(a) == {count}:")
        if given:
            ask.append("        try:")
            ask += [f"            {w.vars[s.name]} = a[{w.key(s.name)}]" for s in given]
            ask.append(f"        except Exception: {slow}")  # missing, or a key whose __eq__ fails: the validator says
        for spec in filled:
            ask.append(f"        {w.vars[spec.name]} = {w.const(spec.default)}")
        ask.append(f"        if {check}:")
        for spec in filled:
            ask.append(f"            a[{w.key(spec.name)}] = {w.vars[spec.name]}")
        ask += [f"            {line}" for line in body]
    ask.append(f"    {slow}")
    return ask


_GLOBALS = {"_new": object.__new__, "Yes": Yes, "No": No, "_request": _request, "_time": time.time,
            "_today": _request.today, "_request_date": _request.request_date, "_date": date}
_SHAPES: dict[str, tuple[Callable, Callable]] = {}
_MAX_SHAPES = 4096


def _shape(source: str) -> tuple[Callable, Callable]:
    """The compiled functions for one shape of source, compiled once per process."""
    found = _SHAPES.get(source)
    if found is None:
        namespace = dict(_GLOBALS)
        exec(compile(source, "<decisionrights:ask>", "exec"), namespace)  # our source, our names
        found = (namespace["ask"], namespace["judge"])
        if len(_SHAPES) >= _MAX_SHAPES:
            _SHAPES.clear()  # an unusual process that loads very many different charters
        _SHAPES[source] = found
    return found
