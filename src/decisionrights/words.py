"""The library's vocabulary: the obligation kinds and the words for them, and how values are shown.

One place for the words every stage uses, so the parser, the answer, lint,
`diff`, the views and the generators say the same thing the same way. It is
on the ground floor: it imports nothing of ours but `values`.

The four obligation kinds, in the order the language lists them (docs/language.md):

| kind | a charter writes | an answer says (`explain`) | a diff says | means |
|---|---|---|---|---|
| `announce` | `announce cfo` | announce it to | announce to | tell them before; silence means go |
| `inform` | `inform cfo` | inform | inform | decide, then tell them |
| `consult` | `consult cfo` | consult | consult | hear them before deciding |
| `agreement` | `with agreement of cfo` | get the agreement of | get the agreement of | they co-sign |
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Iterable, Literal, Mapping

from .values import format_number

ObligationKind = Literal["announce", "inform", "consult", "agreement"]

KINDS: tuple[ObligationKind, ...] = ("announce", "inform", "consult", "agreement")
"""The obligation kinds, in the order the language lists them."""

ALPHABETICAL: tuple[ObligationKind, ...] = tuple(sorted(KINDS))  # type: ignore[assignment]
"""The kinds sorted by name (agreement, announce, consult, inform): the order of sorted `(kind, role)` pairs."""

IN_TIME_ORDER: tuple[ObligationKind, ...] = ("announce", "consult", "agreement", "inform")
"""The kinds in the order they happen: before deciding (announce, consult), with it (agreement), after (inform)."""

KEYWORD: dict[str, str] = {"announce": "announce", "inform": "inform", "consult": "consult",
                           "agreement": "with agreement of"}
"""Each kind as a charter writes it: `inform cfo`, `with agreement of controller`."""

TO_DO: dict[str, str] = {"announce": "announce it to", "inform": "inform", "consult": "consult",
                         "agreement": "get the agreement of"}
"""Each kind as something to do, in an answer's explanation: `get the agreement of cfo`."""

IN_A_SENTENCE: dict[str, str] = {"announce": "announce to", "inform": "inform", "consult": "consult",
                                 "agreement": "get the agreement of"}
"""Each kind as a verb in `diff`'s sentences: `must now announce to cfo`."""

WHILE_DECIDING: dict[str, str] = {"announce": "announcing it to {} first", "consult": "consulting {} first",
                                  "inform": "informing {}", "agreement": "with agreement of {}"}
"""Each kind as a matrix cell says it, after the condition: `when amount <= 5k, informing cfo`."""

ON_A_CARD: dict[str, str] = {"announce": "announce to {} first", "consult": "consult {} first",
                             "inform": "inform {} afterwards", "agreement": "co-signed by {}"}
"""Each kind as a note on a role's card: `inform cfo afterwards`."""


class Obligations(frozenset):
    """What a way in obliges the decider to do: a set of `(kind, role)` pairs, `("inform", "cfo")`.

    A frozenset (equal to, and hashed like, the plain set of pairs) that also
    answers the questions everybody asks of it: which roles for one kind
    (`of`), and the obligations as a charter writes them (`written`).
    """

    __slots__ = ()

    def __or__(self, other: frozenset) -> Obligations:  # type: ignore[override]
        joined = frozenset.__or__(self, other)
        return joined if joined is NotImplemented else Obligations(joined)

    __ror__ = __or__

    def of(self, kind: str) -> tuple[str, ...]:
        """The roles for one kind, sorted: `("cfo", "controller")`."""
        return tuple(sorted(role for k, role in self if k == kind))

    def written(self) -> tuple[str, ...]:
        """`("announce cfo", "with agreement of controller")`, one per pair, sorted by kind then role."""
        return tuple(f"{KEYWORD[kind]} {role}" for kind, role in sorted(self))

    def by_kind(self, order: Iterable[str] = KINDS) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """`(kind, roles)` for each kind that has roles, in `order`."""
        return tuple((kind, roles) for kind in order if (roles := self.of(kind)))

    def text(self, words: dict[str, str] = KEYWORD, order: Iterable[str] = KINDS) -> str:
        """`announce cfo; with agreement of ceo, controller`: each kind with its roles, in `order`."""
        return "; ".join(f"{words[kind]} {', '.join(roles)}" for kind, roles in self.by_kind(order))

    def __repr__(self) -> str:
        return f"Obligations({sorted(self)!r})"


NO_OBLIGATIONS = Obligations()


def value_text(value: Any, kind: str | None = None, currency: str | None = None, *,
               quote_text: bool = False) -> str:
    """A request's or a limit's value as a person reads it: `25k EUR`, `true`, `2027-03-31`, `hardware`.

    `kind` and `currency` are the attribute's (money is shown with its
    currency); `quote_text` shows a text value in double quotes, as a charter
    writes it (`"Q3 offsite"`), where it sits among other words.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        text = format_number(Decimal(str(value)) if isinstance(value, float) else value)
        return f"{text} {currency}" if kind == "money" and currency else text
    if isinstance(value, date):
        return value.isoformat()
    if quote_text and kind == "text":
        return f'"{value}"'
    return str(value)


def jsonable(value: Any) -> Any:
    """A request's value in JSON: dates as ISO text, numbers that are not int or float as text."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bool, int, str, float)):
        return value
    return str(value)


def request_text(attrs: Mapping[str, Any], sample: Mapping[str, Any]) -> str:
    """`amount = 15k EUR, category = hardware`: a sample request, defaults left out when it keeps them.

    `attrs` are the decision's attribute specs by name (each with `kind`,
    `currency`, `has_default`, `default`), in the order the charter declares them.
    """
    parts = []
    told = {spec.derived[0] for spec in attrs.values() if getattr(spec, "derived", None)}
    for name, spec in attrs.items():
        value = sample[name]
        derived = getattr(spec, "derived", None)
        if derived is not None:  # a fact about `me` (Part II), said as the charter says it
            parts.append(name if value else f"{derived[0]} is not me" if derived[1] == "is" else f"not ({name})")
            continue
        if name in told:  # a person the facts about `me` already describe: who it is does not matter here
            continue
        if spec.has_default and value == spec.default and type(value) is type(spec.default):
            continue
        parts.append(f"{name} = {value_text(value, spec.kind, spec.currency, quote_text=True)}")
    return ", ".join(parts) or "any request"
