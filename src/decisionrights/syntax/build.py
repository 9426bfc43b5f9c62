"""Parse tree → model: the one set of node builders (`ToModel`), run two ways.

`build_tree` walks a finished lark tree; `Reductions` runs the same builders
as lark reduces each rule, with no tree at all (the fast way, see `parse`).
Both share the helpers here, so their models agree, spans included (a
property test, law `test_building_while_parsing_agrees_with_building_from_the_tree`,
checks it). No lark import: tokens are `str`s with a place (`line`, `column`,
`end_line`, `end_column`, `type`), trees have `data` and `children`.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Collection

from . import model as m
from .limits import LIMIT, Limits, nesting_bound
from ..source import Span, make_span
from ..values import BadValue, parse_date, parse_money, parse_number

BAD_LITERAL = "DR003"
RESERVED = "DR006"


def span_of(obj: Any) -> Span:
    """The span of a token, or of a node (whose `meta` is its span already: see `build_tree`)."""
    if type(obj) is Span:
        return obj
    return make_span(obj.line, obj.column, obj.end_line, obj.end_column)


class LiteralError(Exception):
    """A statement that parses but cannot be built (a bad literal, a keyword as a name, nesting too deep)."""

    def __init__(self, message: str, span: Span, help: str | None = None, code: str = BAD_LITERAL):
        super().__init__(message)
        self.message = message
        self.span = span
        self.help = help
        self.code = code


def _check_declared(name: m.Name, what: str, reserved: Collection[str]) -> None:
    """A declared name may not be a keyword: `role nobody` would turn its grants into forbids."""
    if name.value in reserved:
        raise LiteralError(f"`{name.value}` is a keyword of the charter language, so it cannot name {what}",
                            name.span, "choose another name; keywords are reserved wherever a name is expected",
                            RESERVED)
    keyword = name.value.casefold()
    if keyword in reserved:  # `role Nobody`: `Nobody may decide …` would read as a forbid, but is a grant
        raise LiteralError(f"`{name.value}` is the keyword `{keyword}` in other letters, so it cannot name {what}",
                            name.span, "choose another name; keywords are reserved in every case "
                                       "(`Nobody`, `NOBODY` and `nobody` alike)", RESERVED)


class ToModel:
    """lark parse tree → model nodes (built unvalidated: the grammar already shaped them).

    One method per rule of the grammar, called with the node's `meta` and its
    children already turned into model nodes (tokens stay tokens); `build_tree`
    walks the tree. `reserved`: the words no declared name may be (`parse.reserved_words()`).
    """

    def __init__(self, reserved: Collection[str]) -> None:
        self._reserved = reserved

    # -- names and literals (a NAME token reaches its parent as a Name: see build_tree) ----
    def name_list(self, meta, children):
        return tuple(children)

    def _lit(self, tok: Any, kind: str, value: Any, currency: str | None = None) -> m.Literal:
        return m.node(m.Literal, span=span_of(tok), kind=kind, value=value, currency=currency,
                     text=str(tok))

    def number(self, meta, children):
        tok = children[0]
        try:
            return self._lit(tok, "number", parse_number(str(tok)))
        except BadValue as exc:
            raise LiteralError(str(exc), span_of(tok)) from None

    def money(self, meta, children):
        tok = children[0]
        try:
            value, currency = parse_money(str(tok))
        except BadValue as exc:
            raise LiteralError(str(exc), span_of(tok)) from None
        return self._lit(tok, "money", value, currency)

    def date(self, meta, children):
        tok = children[0]
        try:
            return self._lit(tok, "date", parse_date(str(tok)))
        except BadValue as exc:
            raise LiteralError(str(exc), span_of(tok)) from None

    def text(self, meta, children):
        tok = children[0]
        return self._lit(tok, "text", unquote(str(tok)))

    def true(self, meta, children):
        return m.node(m.Literal, span=span_of(meta), kind="bool", value=True, currency=None, text="true")

    def false(self, meta, children):
        return m.node(m.Literal, span=span_of(meta), kind="bool", value=False, currency=None, text="false")

    def bare(self, meta, children):
        name = children[0]
        return m.node(m.Literal, span=name.span, kind="name", value=name.value, currency=None,
                     text=name.value)

    def value_list(self, meta, children):
        return tuple(children)

    # -- conditions ---------------------------------------------------------
    def compare(self, meta, children):
        attr, op, value = children
        return m.node(m.Compare, span=span_of(meta), attr=attr, op=str(op), value=value)

    def member(self, meta, children):
        attr, values = children
        return m.node(m.Membership, span=span_of(meta), attr=attr, values=values, negated=False)

    def not_member(self, meta, children):
        attr, values = children
        return m.node(m.Membership, span=span_of(meta), attr=attr, values=values, negated=True)

    def truth(self, meta, children):
        return m.node(m.Truth, span=span_of(meta), attr=children[0])

    def _me(self, meta, children, relation: str) -> m.MeTest:
        return m.node(m.MeTest, span=span_of(meta), attr=children[0], relation=relation)

    def is_me(self, meta, children):
        return self._me(meta, children, "is")

    def is_not_me(self, meta, children):
        return self._me(meta, children, "is_not")

    def reports_to_me(self, meta, children):
        return self._me(meta, children, "reports_to")

    def under_me(self, meta, children):
        return self._me(meta, children, "under")

    def or_cond(self, meta, children):
        return m.node(m.Or, span=span_of(meta), items=tuple(children))

    def and_cond(self, meta, children):
        return m.node(m.And, span=span_of(meta), items=tuple(children))

    def not_(self, meta, children):
        return m.node(m.Not, span=span_of(meta), item=children[0])

    def when(self, meta, children):
        return ("when", children[0])

    # -- obligations --------------------------------------------------------
    def _obligation(self, kind: str, meta, children) -> m.Obligation:
        return m.node(m.Obligation, span=span_of(meta), kind=kind, roles=children[0])

    def announce(self, meta, children):
        return self._obligation("announce", meta, children)

    def inform(self, meta, children):
        return self._obligation("inform", meta, children)

    def consult(self, meta, children):
        return self._obligation("consult", meta, children)

    def agreement(self, meta, children):
        return self._obligation("agreement", meta, children)

    # -- statements ---------------------------------------------------------
    def header(self, meta, children):
        return m.node(m.Header, span=span_of(meta), title=unquote(str(children[0])))

    def version(self, meta, children):
        tok = children[0]
        value = self.number(meta, [tok])
        if not isinstance(value.value, int) or value.value < 0:
            raise LiteralError(f"`{tok}` is not a version: a version is a whole number, like `version 3`",
                                span_of(tok))
        return m.node(m.Version, span=span_of(meta), value=value)

    def currency(self, meta, children):
        return m.node(m.Currency, span=span_of(meta), code=children[0])

    def flows_up(self, meta, children):
        return m.node(m.FlowsUp, span=span_of(meta))

    def reports_to(self, meta, children):
        return children[0]

    def role_decl(self, meta, children):
        names = children[0]
        for name in names:
            _check_declared(name, "a role", self._reserved)
        boss = children[1] if len(children) > 1 else None
        return m.node(m.RoleDecl, span=span_of(meta), names=names, reports_to=boss)

    def simple_type(self, meta, children):
        return m.node(m.AttrType, span=span_of(meta), kind=str(children[0]), members=())

    def enum_type(self, meta, children):
        for member in children[0]:
            _check_declared(member, "a choice", self._reserved)
        return m.node(m.AttrType, span=span_of(meta), kind="enum", members=children[0])

    def default(self, meta, children):
        return children[0]

    def attribute(self, meta, children):
        name, typ = children[0], children[1]
        _check_declared(name, "an attribute", self._reserved)
        default = children[2] if len(children) > 2 else None
        return m.node(m.AttributeDecl, span=span_of(meta), name=name, type=typ, default=default)

    def decision_decl(self, meta, children):
        name = children[0]
        _check_declared(name, "a decision", self._reserved)
        rest = children[1:]
        title = None
        if rest and isinstance(rest[0], str):  # a STRING token (a Name is a node, not a str)
            title = unquote(str(rest[0]))
            rest = rest[1:]
        return m.node(m.DecisionDecl, span=span_of(meta), name=name, title=title,
                     attributes=tuple(rest))

    def _grant(self, meta, children, propose: bool) -> m.Grant:
        role, decision, *rest = children
        condition = None
        obligations = []
        for item in rest:
            if isinstance(item, tuple) and item[0] == "when":
                condition = item[1]
            else:
                obligations.append(item)
        return m.node(m.Grant, span=span_of(meta), role=role, decision=decision, propose=propose,
                     condition=condition, obligations=tuple(obligations))

    def grant_decide(self, meta, children):
        return self._grant(meta, children, False)

    def grant_propose(self, meta, children):
        return self._grant(meta, children, True)

    def forbid_role(self, meta, children):
        role, decision, *rest = children
        return m.node(m.Forbid, span=span_of(meta), role=role, decision=decision,
                     condition=rest[0][1] if rest else None)

    def forbid_all(self, meta, children):
        decision, *rest = children
        return m.node(m.Forbid, span=span_of(meta), role=None, decision=decision,
                     condition=rest[0][1] if rest else None)

    def start_date(self, meta, children):
        return ("from", self.date(meta, children))

    def end_date(self, meta, children):
        return ("until", self.date(meta, children))

    def subdelegate(self, meta, children):
        levels = None
        if children:
            levels = self.number(meta, [children[0]]).value  # a bad number is a located error, as everywhere
            if not isinstance(levels, int) or levels < 0:
                raise LiteralError("the number of levels must be a whole number, 0 or more",
                                    span_of(children[0]))
        return m.node(m.Subdelegate, span=span_of(meta), levels=levels)

    def delegation(self, meta, children):
        delegator, decision, delegate, *clauses = children
        fields: dict[str, Any] = {"condition": None, "start": None, "end": None, "subdelegate": None}
        obligations = []
        labels = {"when": "condition", "from": "start", "until": "end"}
        for clause in clauses:
            if isinstance(clause, tuple):
                key = labels[clause[0]]
                value = clause[1]
                if fields[key] is not None:
                    span = value.span
                    raise LiteralError(f"this delegation already has a `{clause[0]}` clause", span)
                fields[key] = value
            elif isinstance(clause, m.Subdelegate):
                if fields["subdelegate"] is not None:
                    raise LiteralError("this delegation already says `may subdelegate`", clause.span)
                fields["subdelegate"] = clause
            else:
                obligations.append(clause)
        return m.node(m.Delegation, span=span_of(meta), delegator=delegator, decision=decision,
                     delegate=delegate, obligations=tuple(obligations), **fields)

    def escalate(self, meta, children):
        return m.node(m.Escalate, span=span_of(meta), decision=children[0], role=children[1])

    def assignment(self, meta, children):
        return m.node(m.Assignment, span=span_of(meta), attr=children[0], value=children[1])

    def expect_with(self, meta, children):
        return ("with", tuple(children))

    def expect_on(self, meta, children):
        return ("on", self.date(meta, children))

    def escalates_nobody(self, meta, children):
        return ("escalates", ())

    def escalates_roles(self, meta, children):
        return ("escalates", children[0])

    def negation_word(self, meta, children):
        return ("not", True)

    def expect(self, meta, children):
        role, *rest = children
        allowed = True
        if rest and isinstance(rest[0], tuple) and rest[0][0] == "not":
            allowed = False
            rest = rest[1:]
        decision, *rest = rest
        fields: dict[str, Any] = {"attributes": (), "on": None, "escalates_to": None}
        obligations = []
        given: set[str] = set()
        for item in rest:
            if isinstance(item, tuple):
                key = {"with": "attributes", "on": "on", "escalates": "escalates_to"}[item[0]]
                if key in given:
                    word = {"on": "`on DATE`", "escalates_to": "`escalates to`"}.get(key, "`with`")
                    raise LiteralError(f"this expectation already has {word}", span_of(meta))
                given.add(key)
                fields[key] = item[1]
            else:
                obligations.append(item)
        return m.node(m.Expect, span=span_of(meta), role=role, allowed=allowed, decision=decision,
                     obligations=tuple(obligations), **fields)

    # -- people (§11, §12) ----------------------------------------------------
    def person_decl(self, meta, children):
        name, roles = children
        _check_declared(name, "a person", self._reserved)
        return m.node(m.PersonDecl, span=span_of(meta), name=name, roles=roles)

    def acting_decl(self, meta, children):
        person, role, *dates = children
        fields = dict(dates)  # ("from", date) and ("until", date), each at most once: the grammar's order
        return m.node(m.ActingDecl, span=span_of(meta), person=person, role=role,
                     start=fields.get("from"), end=fields.get("until"))

    def incompatible_decl(self, meta, children):
        first, rest = children
        return m.node(m.IncompatibleDecl, span=span_of(meta), roles=(first, *rest))

    def atom(self, meta, children):  # `( condition )`: the condition (a statement's span takes in the brackets)
        return children[0]

    def start(self, meta, children):
        span = meta if meta is not None else Span(1, 1, 1, 1)
        return m.node(m.CharterModel, span=span, statements=tuple(children))


def unquote(text: str) -> str:
    """The text of a quoted string token: quotes off, `\\n`, `\\t` and `\\x` escapes undone."""
    body = text[1:-1]
    return re.sub(r"\\(.)", lambda mt: {"n": "\n", "t": "\t"}.get(mt.group(1), mt.group(1)), body)


_NESTING = frozenset({"not_", "and_cond", "or_cond"})
_TOKEN, _BUILD = -2, -1


KEPT_TOKENS = frozenset({"NAME", "NUMBER", "MONEY", "DATE", "STRING", "COMPARATOR", "TYPE_NAME", "LEVEL_WORD"})
"""The tokens a rule's method receives; the others (keywords, punctuation) only mark where a node starts and ends."""
_DROP = object()  # stands in for such a token among the finished children until its parent drops it


def as_child(token: Any) -> Any:
    """What a rule's method gets for one of its tokens: a NAME as the model's Name (`?name` is inlined),
    a named token as it is, anything else `_DROP` (it only marks where the node starts and ends)."""
    kind = token.type
    if kind == "NAME":
        return m.node(m.Name, span=span_of(token), value=str(token))
    return token if kind in KEPT_TOKENS else _DROP


def between(first: Any, last: Any) -> Span:
    """The span from the start of `first` to the end of `last` (tokens or spans)."""
    return make_span(first.line, first.column, last.end_line, last.end_column)


def build_tree(tree: Any, limits: Limits, builder: ToModel) -> m.CharterModel:
    """The model of a parse tree: each rule's `ToModel` method, children first.

    Each method gets the node's span, from its first token to its last, and
    its children: the model of each sub-node, and the named tokens (a NAME
    already as the model's Name: `?name` is inlined). Iterative, so no tree
    is too deep for it; and it refuses a condition nested deeper than the
    limit on the way down, before anything recursive walks it. A method's
    `LiteralError` comes out as it is (any other exception is a bug, and
    comes out too). A charter is usually built while it is parsed
    (`Reductions`), with the same methods; this walk is the way that finds
    and reports the error when that cannot be done.
    """
    bound, bound_help = nesting_bound(limits)
    done: list[Any] = []  # the finished children, in order, waiting for their parent
    spans: list[Any] = []  # where each of them is: a Span, a Token, or None (no token at all)
    todo: list[tuple[Any, int]] = [(tree, 0)]  # (node, its nesting), or (token, _TOKEN), or (node, _BUILD)
    while todo:
        node, depth = todo.pop()
        if depth == _TOKEN:  # a token carries its place as a span does (line, column, end_line, end_column)
            done.append(as_child(node))
            spans.append(node)
            continue
        if depth == _BUILD:
            count = len(node.children)
            first = len(done) - count
            children = [c for c in done[first:] if c is not _DROP]
            placed = [x for x in spans[first:] if x is not None]
            del done[first:], spans[first:]
            span = between(placed[0], placed[-1]) if placed else None
            done.append(getattr(builder, node.data)(span, children))
            spans.append(span)
            continue
        if node.data in _NESTING:
            depth += 1
            if depth > bound:
                span = _first_token(node)
                raise LiteralError(f"the condition is nested deeper than {bound} levels "
                                   f"(`not`, `and`, `or` and parentheses inside each other)",
                                   Span(span.line, span.column, span.line, span.column + 1), bound_help, LIMIT)
        todo.append((node, _BUILD))
        todo.extend((child, _TOKEN if isinstance(child, str) else depth) for child in reversed(node.children))
    return done[0]


def _first_token(node: Any) -> Any:
    while not isinstance(node, str):  # a token is a str; a tree is not
        node = node.children[0]
    return node


FAILED: Any = object()
"""What a rule's reduction gives when it, or a rule inside it, cannot be built: the tree will say why."""


class Reductions:
    """The model built while lark parses (its tree-less LALR mode): one callback per rule of the grammar.

    lark calls a rule's callback as it reduces the rule, with the results of
    the rules inside it and the rule's tokens. Each callback does what `build_tree`
    does for one node — names its NAME tokens, works out its span from its
    first and last token, calls the rule's `ToModel` method — and gives
    `(node, span, nesting)`, `nesting` being the deepest `not`/`and`/`or`
    nesting inside. No parse tree is made, which saves about a third of a
    large charter's parse. Nothing here raises: a rule that cannot be built
    gives `FAILED`, and `parse.parse_piece` then parses the text again into a tree
    and builds it with `build_tree`, so every error is the one, at the place, it
    always was.
    """

    def __init__(self, builder: ToModel) -> None:
        for rule in dir(builder):
            if not rule.startswith("_"):
                setattr(self, rule, self._reduction(getattr(builder, rule), 1 if rule in _NESTING else 0))

    @staticmethod
    def _reduction(method: Callable[[Any, list], Any], level: int) -> Callable[[list], Any]:
        def reduce(children: list) -> Any:
            kids = []
            first = last = None
            nesting = 0
            for child in children:
                if type(child) is tuple:
                    value, span, deep = child
                    kids.append(value)
                    if span is not None:
                        first = first or span
                        last = span
                    if deep > nesting:
                        nesting = deep
                elif child is FAILED:
                    return FAILED
                else:  # a token
                    first = first or child
                    last = child
                    kid = as_child(child)
                    if kid is not _DROP:
                        kids.append(kid)
            span = None if first is None else between(first, last)
            try:
                return method(span, kids), span, nesting + level
            except Exception:  # noqa: BLE001 - `build_tree` on the tree raises it again, where it belongs
                return FAILED

        return reduce


