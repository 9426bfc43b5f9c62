"""Fast paths, generated once per charter: a Python function per (role, decision) and per decision.

The generated source is built only from our own identifiers (`v0`, `k3`, …);
every value a charter author wrote — limits, enum members, attribute names —
is bound in the function's namespace as a constant, never pasted into the
source. Nothing a charter says is ever evaluated as Python.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable, Mapping

from .conditions import All, AnyOf, AttrSpec, Cmp, Cond, In, Not
from .values import MAX_DIGITS

FORBIDDEN = object()
"""What a generated decider returns when a forbid binds the requester."""


class _Writer:
    def __init__(self) -> None:
        self.names: dict[str, Any] = {}
        self.attrs: dict[str, str] = {}
        self._ids: dict[int, str] = {}

    def const(self, value: Any) -> str:
        key = id(value)
        name = self._ids.get(key)
        if name is None:
            name = f"k{len(self.names)}"
            self.names[name] = value
            self._ids[key] = name
        return name

    def var(self, attr: str) -> str:
        name = self.attrs.get(attr)
        if name is None:
            name = f"v{len(self.attrs)}"
            self.attrs[attr] = name
        return name

    def cond(self, cond: Cond) -> str:
        if isinstance(cond, Cmp):
            var = self.var(cond.attr)
            if cond.value is True and cond.op == "==":
                return f"({var} is True)"
            if cond.value is False and cond.op == "==":
                return f"({var} is False)"
            return f"({var} {cond.op} {self.const(cond.value)})"
        if isinstance(cond, In):
            return f"({self.var(cond.attr)} {'not in' if cond.negated else 'in'} {self.const(cond.values)})"
        if isinstance(cond, All):
            return "(" + " and ".join(self.cond(c) for c in cond.items) + ")" if cond.items else "True"
        if isinstance(cond, AnyOf):
            return "(" + " or ".join(self.cond(c) for c in cond.items) + ")" if cond.items else "False"
        if isinstance(cond, Not):
            return f"(not {self.cond(cond.item)})"
        raise TypeError(cond)  # pragma: no cover

    def header(self, argument: str) -> list[str]:
        return [f"    {var} = {argument}[{self.const(attr)}]" for attr, var in self.attrs.items()]


def _compile(source: str, names: dict[str, Any], entry: str) -> Callable:
    namespace = dict(names)
    exec(compile(source, f"<decisionrights:{entry}>", "exec"), namespace)  # our source, our names
    return namespace[entry]


def build_decider(requester: str, paths, forbid_of: Callable[[str], Cond | None],
                  today: Callable[[], date]) -> Callable:
    """`decide(attrs, day) -> Path | None | FORBIDDEN` for one role and decision.

    `paths` are its ways in, `forbid_of(role)` the forbid condition binding a
    role (None if none). Paths are tried fewest obligations first, so the first
    that holds is the one the answer takes.
    """
    w = _Writer()
    body: list[str] = []
    ordered = sorted(paths, key=lambda p: p.key)
    dated = any(p.start is not None or p.end is not None for p in ordered)
    own = forbid_of(requester)
    if own is not None:
        body.append(f"    if {w.cond(own)}: return {w.const(FORBIDDEN)}")
    if dated:
        body.append(f"    if day is None: day = {w.const(today)}()")
    for path in ordered:
        tests = [w.cond(path.cond)]
        if path.start is not None:
            tests.append(f"{w.const(path.start)} <= day")
        if path.end is not None:
            tests.append(f"day <= {w.const(path.end)}")
        for role in path.chain[:-1]:
            bound = forbid_of(role)
            if bound is not None:
                tests.append(f"not {w.cond(bound)}")
        body.append(f"    if {' and '.join(tests)}: return {w.const(path)}")
    body.append("    return None")
    source = "\n".join(["def decide(a, day):", *w.header("a"), *body]) + "\n"
    return _compile(source, w.names, "decide")


def build_validator(attrs: Mapping[str, AttrSpec], slow: Callable[[Mapping[str, Any]], dict]) -> Callable:
    """A validator with a fast path for the common, well-typed request; anything else goes to `slow`.

    The fast path accepts exactly what `slow` accepts unchanged (ints for money and
    numbers, bools, declared enum members, str text, `date` dates) with every
    required attribute given and optional ones either all given or all left out.
    """
    w = _Writer()
    required = [a for a in attrs.values() if not a.has_default]
    optional = [a for a in attrs.values() if a.has_default]
    checks = []
    for spec in attrs.values():
        var = w.var(spec.name)
        if spec.kind == "money":
            bound = w.const(10 ** MAX_DIGITS)
            checks.append(f"type({var}) is int and 0 <= {var} < {bound}")
        elif spec.kind == "number":
            bound = w.const(10 ** MAX_DIGITS)
            checks.append(f"type({var}) is int and -{bound} < {var} < {bound}")
        elif spec.kind == "bool":
            checks.append(f"({var} is True or {var} is False)")
        elif spec.kind == "enum":
            checks.append(f"type({var}) is str and {var} in {w.const(frozenset(spec.members))}")
        elif spec.kind == "text":
            checks.append(f"type({var}) is str")
        else:
            checks.append(f"type({var}) is {w.const(date)}")
    check = " and ".join(checks) or "True"
    slow_name = w.const(slow)
    lines = ["def validate(g):"]
    # Only required attributes given: fill in the defaults.
    lines.append(f"    if len(g) == {len(required)}:")
    lines.append("        try:")
    for spec in attrs.values():
        var = w.attrs[spec.name]
        if spec.has_default:
            lines.append(f"            {var} = {w.const(spec.default)}")
        else:
            lines.append(f"            {var} = g[{w.const(spec.name)}]")
    lines.append(f"        except KeyError: return {slow_name}(g)")
    lines.append(f"        if {check}: return {{{', '.join(f'{w.const(s.name)}: {w.attrs[s.name]}' for s in attrs.values())}}}")
    if optional:
        lines.append(f"    elif len(g) == {len(attrs)}:")
        lines.append("        try:")
        for spec in attrs.values():
            lines.append(f"            {w.attrs[spec.name]} = g[{w.const(spec.name)}]")
        lines.append(f"        except KeyError: return {slow_name}(g)")
        lines.append(f"        if {check}: return {{{', '.join(f'{w.const(s.name)}: {w.attrs[s.name]}' for s in attrs.values())}}}")
    lines.append(f"    return {slow_name}(g)")
    return _compile("\n".join(lines) + "\n", w.names, "validate")
