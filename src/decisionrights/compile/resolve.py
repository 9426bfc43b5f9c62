"""Names, types and values: each written name resolved against the declarations, with a hint when it is wrong.

Roles, decisions, attributes and choices are looked up (`suggest` finds the
name a slip misspells); literal values are checked against their attribute's
type and currency; `when` conditions are compiled (`compile.conditions`).
"""

from __future__ import annotations

import difflib
from typing import Iterable

from ..syntax import model as m
from .conditions import TRUE, AnyOf, AttrSpec, Cmp, Cond, In, Not, Value, conj
from .context import (BAD_HEADER, BARE_MONEY, MIXED_CURRENCY, TYPE_MISMATCH, UNKNOWN_ATTRIBUTE, UNKNOWN_DECISION,
                      UNKNOWN_MEMBER, UNKNOWN_PERSON, UNKNOWN_ROLE, Context, label, statement_text)
from .currencies import CODES as CURRENCY_CODES, is_currency
from .ir import DecisionSpec, Rule
from ..words import Obligations

KIND_WORDS = {"money": "money", "number": "a number", "bool": "a yes/no (bool)", "text": "text",
              "date": "a date", "person": "a person"}

KEYWORDS = frozenset("""
acts agreement and announce as authority charter consult currency decide decision delegates escalate escalates
expect false flows from holds in incompatible inform is may me nobody not of on one or person propose reports
role subdelegate to true under until up version when with
""".split())
"""The reserved words of the language (the grammar's, but for type names and `level(s)`), for the hints.

The same as `syntax.parse.reserved_words()`, which compile does not import (it
takes the model, not the text); tests/test_compile.py checks the two agree.
"""



def suggest(name: str, known: Iterable[str]) -> str | None:
    """The known name `name` most likely misspells (`cf0` → `cfo`, `Controller` → `controller`), or None.

    Never `name` itself: a hint that repeats what was written helps no one.
    The same name in another case first, then difflib's closest match, then
    a name one slip away (a wrong, missing, extra or swapped character; two
    for names of eight characters or more; in a name of one or two
    characters, only a missing or extra one).
    """
    candidates = [k for k in dict.fromkeys(known) if k != name]
    if not candidates or not name:
        return None
    folded = name.casefold()
    for k in candidates:
        if k.casefold() == folded:
            return k
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
    if close:
        return close[0]
    allowed = 1 if len(name) < 8 else 2
    best, best_distance = None, allowed + 1
    for k in candidates:
        if len(name) < 3 and (len(k) == len(name) or not k):
            continue  # in a name of one or two letters, only a letter too many or too few is a slip
        if abs(len(k) - len(name)) <= allowed:
            d = _slips(folded, k.casefold(), allowed)
            if d < best_distance:
                best, best_distance = k, d
    return best



def currency_hint(code: str) -> str:
    guess = suggest(code, sorted(CURRENCY_CODES))
    return (f"did you mean `{guess}`? " if guess else "") + "write a currency in use, like EUR, USD or GBP"



def _slips(a: str, b: str, bound: int) -> int:
    """The optimal-string-alignment distance of `a` and `b` (edits, a swap of neighbours counting one),
    or `bound + 1` when it is over `bound`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > bound:
            return bound + 1
        previous2, previous = previous, current
    return min(previous[-1], bound + 1)



def role(ctx: Context, name: m.Name | None) -> str | None:
    if name is None:
        return None
    if name.value in ctx.roles:
        return name.value
    guess = suggest(name.value, ctx.roles)
    keyword = name.value.casefold()
    if keyword != name.value and keyword in KEYWORDS:  # `Nobody may decide …` is no forbid
        hint = f"keywords are written in lower case: did you mean `{keyword}`?"
    elif guess:
        hint = f"did you mean `{guess}`?"
    elif name.value in KEYWORDS:  # `inform nobody`: `role nobody` would be an error too
        hint = f"`{name.value}` is a keyword of the language, not a role; name a declared role here"
    elif suggest(name.value, ("nobody",)):  # `nobdy may decide …`
        hint = f"did you mean `nobody`? If not, declare it with `role {name.value}`"
    else:
        hint = f"declare it with `role {name.value}`"
    ctx.error(UNKNOWN_ROLE, name.span, f"`{name.value}` is not a declared role", hint)
    return None


def decision(ctx: Context, name: m.Name) -> DecisionSpec | None:
    spec = ctx.decisions.get(name.value)
    if spec is not None:
        return spec
    guess = suggest(name.value, ctx.decisions)
    hint = f"did you mean `{guess}`?" if guess else f"declare it with `decision {name.value} {{ … }}`"
    ctx.error(UNKNOWN_DECISION, name.span, f"`{name.value}` is not a declared decision", hint)
    return None


def attribute(ctx: Context, spec: DecisionSpec, name: m.Name) -> AttrSpec | None:
    attr = spec.attrs.get(name.value)
    if attr is not None and attr.given:
        return attr
    given = [n for n, a in spec.attrs.items() if a.given]
    guess = suggest(name.value, given)
    known = ", ".join(given) or "no attributes"
    hint = f"did you mean `{guess}`?" if guess else f"`{spec.name}` has {known}"
    ctx.error(UNKNOWN_ATTRIBUTE, name.span, f"`{name.value}` is not an attribute of `{spec.name}`", hint)
    return None


# -- values ---------------------------------------------------------------
def value(ctx: Context, spec: DecisionSpec, attr: AttrSpec, lit: m.Literal, op: str | None = None) -> Value | None:
    """Convert a literal written against `attr`, or report why it does not fit."""
    kind = attr.kind
    if kind == "person":
        return person(ctx, attr, lit)
    if kind == "enum":
        if lit.kind == "name":
            if lit.value in attr.members:
                return lit.value
            guess = suggest(str(lit.value), attr.members)
            ctx.error(UNKNOWN_MEMBER, lit.span,
                      f"`{lit.value}` is not one of {attr.name}'s choices: {', '.join(attr.members)}",
                      f"did you mean `{guess}`?" if guess else
                      f"use one of them, or add `{lit.value}` to the choices of `{attr.name}`")
            return None
        return mismatch(ctx, attr, lit, op)
    if kind == "money":
        if lit.kind == "number":
            if not ctx.currency_line and not ctx.bare_money:  # a bare amount is in the charter's currency,
                # and there is none
                return bare_money(ctx, spec, attr, lit)
            return lit.value  # in the charter's currency
        if lit.kind == "money":
            return lit.value if check_currency(ctx, spec, attr, lit) else None
        return mismatch(ctx, attr, lit, op)
    if kind == "number":
        if lit.kind == "number":
            return lit.value
        if lit.kind == "money":
            ctx.error(TYPE_MISMATCH, lit.span,
                      f"`{attr.name}` is a number, not money: `{lit.text}` carries a currency",
                      f"drop the currency: `{lit.text.split()[0]}`")
            return None
        return mismatch(ctx, attr, lit, op)
    if kind == "bool":
        if lit.kind == "bool":
            return lit.value
        return mismatch(ctx, attr, lit, op)
    if kind == "date":
        if lit.kind == "date":
            return lit.value
        return mismatch(ctx, attr, lit, op)
    if kind == "text":
        if lit.kind == "text":
            return lit.value
        return mismatch(ctx, attr, lit, op)
    raise AssertionError(kind)  # pragma: no cover


def mismatch(ctx: Context, attr: AttrSpec, lit: m.Literal, op: str | None) -> None:
    what = {"number": "a number", "money": "money", "date": "a date", "bool": "a yes/no",
            "text": "a text", "name": f"the name `{lit.text}`"}[lit.kind]
    if attr.kind == "enum":
        head = f"`{attr.name}` is a choice (one of {', '.join(attr.members)})"
        hint = f"compare it with one of its choices: `{attr.name} == {attr.members[0]}`" if attr.members else None
    else:
        head = f"`{attr.name}` is {KIND_WORDS[attr.kind]}"
        hint = {
            "money": f"write an amount: `{attr.name} <= 10k`",
            "number": f"write a number: `{attr.name} >= 2`",
            "bool": f"write `{attr.name}` or `not {attr.name}`",
            "date": f"write a date: `{attr.name} >= 2027-01-01`",
            "text": f'write a quoted text: `{attr.name} == "…"`',
        }[attr.kind]
        if attr.kind == "text" and lit.kind == "name":
            hint = f'texts are quoted: `{attr.name} == "{lit.text}"`'
    if op:
        message = f"{head}, so `{op} {lit.text}` compares it with {what}"
    else:
        message = f"{head}, so it cannot be `{lit.text}`, which is {what}"
    ctx.error(TYPE_MISMATCH, lit.span, message, hint)
    return None


def bare_money(ctx: Context, spec: DecisionSpec, attr: AttrSpec, lit: m.Literal) -> None:
    known = ctx.attr_currency.get((spec.name, attr.name))
    code = known[0] if known is not None else "EUR"
    ctx.error(BARE_MONEY, lit.span,
              f"`{lit.text}` is an amount of `{attr.name}` without a currency, and the charter names none",
              f"write the code (`{lit.text} {code}`), or give the charter its currency with a "
              f"`currency {code}` line after the `charter` line")
    return None


def check_currency(ctx: Context, spec: DecisionSpec, attr: AttrSpec, lit: m.Literal) -> bool:
    """Check the literal's currency against the attribute's one currency; False when it differs."""
    key = (spec.name, attr.name)
    code = lit.currency
    if code is not None and not is_currency(code):
        ctx.error(BAD_HEADER, lit.span, f"`{code}` is not an ISO 4217 currency code", currency_hint(code))
        return False
    first = ctx.attr_currency.get(key)
    if first is None:
        ctx.attr_currency[key] = (code, lit.span)
        return True
    if first[0] == code:
        return True
    where = "the charter's currency" if first[1] is None else f"line {first[1].line}"
    labels = (label(first[1], f"{first[0]} here"),) if first[1] is not None else ()
    ctx.error(MIXED_CURRENCY, lit.span,
              f"money in two currencies ({first[0]} and {code}) for `{attr.name}` without a rate",
              f"write every amount of `{attr.name}` in {first[0]} ({where})", labels)
    return False


def person(ctx: Context, attr: AttrSpec, lit: m.Literal) -> str | None:
    """A person named as the value of a `person` attribute (in an `expect` line): someone the charter knows."""
    if lit.kind != "name":
        ctx.error(TYPE_MISMATCH, lit.span, f"`{attr.name}` is a person, not `{lit.text}`",
                  f"name a person of the charter: `{attr.name} = {ctx.people.persons[0] if ctx.people.persons else 'ana'}`")
        return None
    if lit.value in ctx.people.by_person:
        return str(lit.value)
    guess = suggest(str(lit.value), ctx.people.persons)
    ctx.error(UNKNOWN_PERSON, lit.span, f"`{lit.value}` is not a person of the charter",
              f"did you mean `{guess}`?" if guess else f"state them with `person {lit.value} holds …`")
    return None


def me(ctx: Context, spec: DecisionSpec, attr: AttrSpec, node: m.MeTest) -> Cond | None:
    """`claimant is me`, `is not me`, `reports to me`, `under me`: a fact about the person deciding.

    Each is a yes/no attribute of the decision the engine works out when a person asks
    (`AttrSpec.derived`), named as the charter writes it, so every later stage reads it as a bool.
    """
    if attr.kind != "person":
        ctx.error(TYPE_MISMATCH, node.span, f"`{attr.name}` is {KIND_WORDS.get(attr.kind, 'a choice')}, not a "
                  f"person, so it cannot be compared with `me`", f"declare it as a person: `{attr.name}: person`")
        return None
    relation = "is" if node.relation in ("is", "is_not") else node.relation
    name = f"{attr.name} {relation.replace('_', ' ')} me"
    spec.attrs.setdefault(name, AttrSpec(name, "bool", derived=(attr.name, relation)))
    fact = Cmp(name, "==", True)
    return Not(fact) if node.relation == "is_not" else fact


# -- conditions -----------------------------------------------------------
def cond(ctx: Context, spec: DecisionSpec, node: m.Condition | None) -> Cond | None:
    """Typed condition, or None when any part of it was reported as an error."""
    if node is None:
        return TRUE
    if isinstance(node, m.And):
        parts = [cond(ctx, spec, c) for c in node.items]
        return None if any(p is None for p in parts) else conj(*parts)  # type: ignore[arg-type]
    if isinstance(node, m.Or):
        parts = [cond(ctx, spec, c) for c in node.items]
        return None if any(p is None for p in parts) else AnyOf(tuple(parts))  # type: ignore[arg-type]
    if isinstance(node, m.Not):
        inner = cond(ctx, spec, node.item)
        return None if inner is None else Not(inner)
    attr = attribute(ctx, spec, node.attr)
    if attr is None:
        return None
    if isinstance(node, m.MeTest):
        return me(ctx, spec, attr, node)
    if attr.kind == "person" and isinstance(node, m.Truth):
        ctx.error(TYPE_MISMATCH, node.span, f"`{attr.name}` is a person, not a yes/no",
                  f"compare it with the person deciding (`{attr.name} is me`, `{attr.name} reports to me`, "
                  f"`{attr.name} under me`) or with a named person (`{attr.name} == …`)")
        return None
    if isinstance(node, m.Truth):
        if attr.kind != "bool":
            ctx.error(TYPE_MISMATCH, node.span,
                      f"`{attr.name}` is {KIND_WORDS.get(attr.kind, 'a choice')}, not a yes/no, so it cannot "
                      f"stand alone as a condition", "compare it with a value, e.g. "
                      + {"money": f"`{attr.name} <= 10k`", "number": f"`{attr.name} >= 1`",
                         "date": f"`{attr.name} >= 2027-01-01`", "text": f'`{attr.name} == "…"`'}
                      .get(attr.kind, f"`{attr.name} == {attr.members[0] if attr.members else '…'}`"))
            return None
        return Cmp(attr.name, "==", True)
    if isinstance(node, m.Compare):
        if node.op not in ("==", "!=") and attr.kind in ("enum", "text", "bool", "person"):
            what = {"enum": f"a choice (one of {', '.join(attr.members)})", "text": "a text",
                    "bool": "a yes/no", "person": "a person"}[attr.kind]
            lit = node.value
            with_what = {"number": " with a number", "money": " with money"}.get(lit.kind, "")
            ctx.error(TYPE_MISMATCH, node.span,
                      f"`{attr.name}` is {what}, so `{node.op} {lit.text}` cannot compare it{with_what}",
                      f"use `==`, `!=` or `in [..]`, e.g. `{attr.name} == "
                      f"{attr.members[0] if attr.members else '…'}`" if attr.kind == "enum"
                      else "use `==` or `!=`")
            return None
        converted = value(ctx, spec, attr, node.value, node.op)
        if converted is None:
            return None
        return Cmp(attr.name, node.op, converted)
    if isinstance(node, m.Membership):
        if attr.kind == "bool":
            ctx.error(TYPE_MISMATCH, node.span, f"`{attr.name}` is a yes/no; `in [..]` does not apply to it",
                      f"write `{attr.name}` or `not {attr.name}`")
            return None
        values = [value(ctx, spec, attr, lit, "in") for lit in node.values]
        if any(v is None for v in values):
            return None
        return In(attr.name, frozenset(values), node.negated)  # type: ignore[arg-type]
    raise AssertionError(node)  # pragma: no cover


def obligations(ctx: Context, items: Iterable[m.Obligation]) -> Obligations:
    out = set()
    for ob in items:
        for name in ob.roles:
            found = role(ctx, name)
            if found is not None:
                out.add((ob.kind, found))
    return Obligations(out)


def rule(ctx: Context, kind: str, node: m.Node, decision: str, role: str | None, **extra: str | None) -> Rule:
    return Rule(kind=kind, decision=decision, role=role, path=ctx.source.path, span=node.span,
                text=statement_text(ctx.source, node.span), **extra)
