"""The canonical layout of a charter, for `decisionrights fmt`.

    text ─parse→ model ─(+ comments found in the text)→ canonical text

The layout (the examples in the language reference are written in it):

- one statement per line, in source order; statements are never sorted;
- a single blank line where the source has one or more between statements
  (none at the start, exactly one newline at the end);
- grants and forbids keep `when …` on the first line if that line stays within
  80 characters, else `when …` goes on a continuation line; each obligation of a
  grant goes on its own continuation line;
- a delegation puts every clause on its own continuation line, in the order
  `when`, `from … until …`, obligations, `may subdelegate`;
- continuation lines are indented by 4 spaces; a decision's attributes by 2,
  its closing `}` on a line of its own;
- `role`, `escalate`, header and `expect` statements are always one line, and so are
  `person … holds …`, `… acts as … [from …] [until …]` and `incompatible …`;
- conditions are spaced canonically and carry parentheses only where the
  precedence needs them (`not` binds tighter than `and`, `and` than `or`);
- literals are written as in the source (`250k`, `10_000`, `100k EUR`).

Comments are kept. A comment on a line of its own stays before the statement
(or clause, or attribute) that follows it; a comment at the end of a line stays
at the end of the line of the clause it followed, with the spacing before it
kept (at least two spaces). A clause that carries a comment before it, or
follows a line ending in a comment, is never joined onto that line.
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass, field

from . import model as m
from .parse import parse
from ..source import Source
from ..words import KEYWORD

__all__ = ["LINE_WIDTH", "check_text", "diff_text", "format_text"]

LINE_WIDTH = 80
"""A grant or forbid keeps `when …` on its first line if that line fits in this many characters."""

INDENT = "    "
ATTRIBUTE_INDENT = "  "
COMMENT_GAP = 2
"""At least this many spaces before a comment at the end of a line."""

_STRING = re.compile(r'"([^"\\\n]|\\.)*"')

Pos = tuple[int, int]
"""(line, column), 1-based, as in spans."""


# -- comments -------------------------------------------------------------------

@dataclass(frozen=True)
class _Comment:
    line: int
    column: int
    text: str
    own_line: bool
    gap: int
    """Whitespace characters between the code and a trailing comment."""

    @property
    def pos(self) -> Pos:
        return (self.line, self.column)


class _Text:
    """The source text with the positions the formatter needs: lines, comments, raw tokens."""

    def __init__(self, text: str):
        self.text = text
        self.line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        self.comments = self._scan_comments()

    def offset(self, pos: Pos) -> int:
        return self.line_starts[pos[0] - 1] + pos[1] - 1

    def pos(self, offset: int) -> Pos:
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return (index + 1, offset - self.line_starts[index] + 1)

    def _scan_comments(self) -> list[_Comment]:
        """Every `#` outside a double-quoted text starts a comment that runs to the end of its line."""
        text = self.text
        found: list[_Comment] = []
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == '"':
                match = _STRING.match(text, i)
                i = match.end() if match else i + 1
            elif ch == "#":
                end = text.find("\n", i)
                end = len(text) if end < 0 else end
                line, column = self.pos(i)
                before = text[self.line_starts[line - 1]:i]
                code = before.rstrip()
                found.append(_Comment(line, column, text[i:end].rstrip(), own_line=not code,
                                      gap=len(before) - len(code)))
                i = end
            else:
                i += 1
        return found

    def skip_blank(self, offset: int) -> int:
        """The offset of the next character that is neither whitespace nor part of a comment."""
        text = self.text
        while offset < len(text):
            if text[offset].isspace():
                offset += 1
            elif text[offset] == "#":
                end = text.find("\n", offset)
                offset = len(text) if end < 0 else end
            else:
                break
        return offset


# -- segments: the pieces of a statement that the layout places on lines ---------------

@dataclass
class _Seg:
    """One clause of a statement as it will be written, and the source ranges it came from."""

    text: str
    ranges: list[tuple[Pos, Pos]]
    leading: list[_Comment] = field(default_factory=list)
    trailing: list[_Comment] = field(default_factory=list)

    @property
    def start(self) -> Pos:
        return min(r[0] for r in self.ranges)

    @property
    def end(self) -> Pos:
        return max(r[1] for r in self.ranges)


def _start(span) -> Pos:
    return (span.line, span.column)


def _end(span) -> Pos:
    return (span.end_line, span.end_column)


def _range(first, last=None) -> tuple[Pos, Pos]:
    return (_start(first), _end(last if last is not None else first))


# -- rendering the parts of statements ----------------------------------------------------

def _literal(lit: m.Literal) -> str:
    if lit.kind == "money":
        return " ".join(lit.text.split())
    return lit.text


def _names(names: tuple[m.Name, ...]) -> str:
    return ", ".join(n.value for n in names)


def _values(values: tuple[m.Literal, ...]) -> str:
    return "[" + ", ".join(_literal(v) for v in values) + "]"


_PRECEDENCE = {m.Or: 0, m.And: 1, m.Not: 2}

_ME = {"is": "is me", "is_not": "is not me", "reports_to": "reports to me", "under": "under me"}
"""How each relation of a `MeTest` is written after its attribute."""


def _condition(cond: m.Condition, needs: int = 0) -> str:
    """Render a condition; parenthesised if it binds more loosely than its context `needs`."""
    own = _PRECEDENCE.get(type(cond), 3)
    if isinstance(cond, m.Or):
        text = " or ".join(_condition(c, 0) for c in cond.items)
    elif isinstance(cond, m.And):
        text = " and ".join(_condition(c, 1) for c in cond.items)
    elif isinstance(cond, m.Not):
        text = "not " + _condition(cond.item, 2)
    elif isinstance(cond, m.Compare):
        text = f"{cond.attr.value} {cond.op} {_literal(cond.value)}"
    elif isinstance(cond, m.Membership):
        text = f"{cond.attr.value} {'not in' if cond.negated else 'in'} {_values(cond.values)}"
    elif isinstance(cond, m.Truth):
        text = cond.attr.value
    elif isinstance(cond, m.MeTest):
        text = f"{cond.attr.value} {_ME[cond.relation]}"
    else:  # pragma: no cover - the model has no other conditions
        raise TypeError(f"not a condition: {cond!r}")
    return f"({text})" if own < needs else text


def _obligation(ob: m.Obligation) -> str:
    return f"{KEYWORD[ob.kind]} {_names(ob.roles)}"


def _when(cond: m.Condition) -> str:
    return "when " + _condition(cond)


def _raw_string_after(src: _Text, offset: int) -> tuple[str | None, int]:
    """The quoted text (as written) at the next token from `offset`, if there is one, and the offset after."""
    at = src.skip_blank(offset)
    match = _STRING.match(src.text, at)
    if match:
        return match.group(0), match.end()
    return None, offset


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def _segments(stmt: m.Statement, src: _Text) -> list[_Seg]:
    """The statement's clauses, in the order they are written out."""
    whole = _range(stmt.span)
    if isinstance(stmt, m.Header):
        raw, _ = _raw_string_after(src, src.offset(_start(stmt.span)) + len("charter"))
        return [_Seg(f"charter {raw or _quote(stmt.title)}", [whole])]
    if isinstance(stmt, m.Version):
        return [_Seg(f"version {_literal(stmt.value)}", [whole])]
    if isinstance(stmt, m.Currency):
        return [_Seg(f"currency {stmt.code.value}", [whole])]
    if isinstance(stmt, m.FlowsUp):
        return [_Seg("authority flows up", [whole])]
    if isinstance(stmt, m.RoleDecl):
        boss = f" reports to {stmt.reports_to.value}" if stmt.reports_to else ""
        return [_Seg(f"role {_names(stmt.names)}{boss}", [whole])]
    if isinstance(stmt, m.Escalate):
        return [_Seg(f"escalate {stmt.decision.value} to {stmt.role.value}", [whole])]
    people = _people(stmt)
    if people is not None:
        return [_Seg(people, [whole])]
    if isinstance(stmt, m.Expect):
        return [_Seg(_expect(stmt), [whole])]
    if isinstance(stmt, m.DecisionDecl):
        return _decision_segments(stmt, src)
    if isinstance(stmt, m.Grant):
        verb = "propose" if stmt.propose else "decide"
        segs = [_Seg(f"{stmt.role.value} may {verb} {stmt.decision.value}",
                     [(_start(stmt.span), _end(stmt.decision.span))])]
        if stmt.condition is not None:
            segs.append(_Seg(_when(stmt.condition), [_range(stmt.condition.span)]))
        segs += [_Seg(_obligation(ob), [_range(ob.span)]) for ob in stmt.obligations]
        return segs
    if isinstance(stmt, m.Forbid):
        who = "nobody may" if stmt.role is None else f"{stmt.role.value} may not"
        segs = [_Seg(f"{who} decide {stmt.decision.value}", [(_start(stmt.span), _end(stmt.decision.span))])]
        if stmt.condition is not None:
            segs.append(_Seg(_when(stmt.condition), [_range(stmt.condition.span)]))
        return segs
    if isinstance(stmt, m.Delegation):
        segs = [_Seg(f"{stmt.delegator.value} delegates {stmt.decision.value} to {stmt.delegate.value}",
                     [(_start(stmt.span), _end(stmt.delegate.span))])]
        if stmt.condition is not None:
            segs.append(_Seg(_when(stmt.condition), [_range(stmt.condition.span)]))
        dates = [(word, lit) for word, lit in (("from", stmt.start), ("until", stmt.end)) if lit is not None]
        if dates:
            segs.append(_Seg(" ".join(f"{word} {_literal(lit)}" for word, lit in dates),
                             [_range(lit.span) for _, lit in dates]))
        segs += [_Seg(_obligation(ob), [_range(ob.span)]) for ob in stmt.obligations]
        if stmt.subdelegate is not None:
            text = "may subdelegate"
            levels = stmt.subdelegate.levels
            if levels is not None:
                text += f" up to {levels} {'level' if levels == 1 else 'levels'}"
            segs.append(_Seg(text, [_range(stmt.subdelegate.span)]))
        return segs
    raise TypeError(f"not a statement: {stmt!r}")  # pragma: no cover


def _people(stmt: m.Statement) -> str | None:
    """The one line of a `person`, `acts as` or `incompatible` statement (None for any other statement)."""
    if isinstance(stmt, m.PersonDecl):
        return f"person {stmt.name.value} holds {_names(stmt.roles)}"
    if isinstance(stmt, m.ActingDecl):
        dates = "".join(f" {word} {_literal(lit)}" for word, lit in (("from", stmt.start), ("until", stmt.end))
                        if lit is not None)
        return f"{stmt.person.value} acts as {stmt.role.value}{dates}"
    if isinstance(stmt, m.IncompatibleDecl):
        return f"incompatible {_names(stmt.roles)}"
    return None


def _expect(stmt: m.Expect) -> str:
    parts = [f"expect {stmt.role.value} may {'' if stmt.allowed else 'not '}decide {stmt.decision.value}"]
    if stmt.attributes:
        parts.append("with " + ", ".join(f"{a.attr.value} = {_literal(a.value)}" for a in stmt.attributes))
    if stmt.on is not None:
        parts.append(f"on {_literal(stmt.on)}")
    if stmt.escalates_to is not None:
        parts.append("escalates to " + (_names(stmt.escalates_to) if stmt.escalates_to else "nobody"))
    parts += [_obligation(ob) for ob in stmt.obligations]
    return " ".join(parts)


def _decision_segments(stmt: m.DecisionDecl, src: _Text) -> list[_Seg]:
    after_name = src.offset(_end(stmt.name.span))
    raw, after_title = _raw_string_after(src, after_name)
    if stmt.title is not None and raw is None:  # pragma: no cover - the parser read a title here
        raw = _quote(stmt.title)
    brace = src.skip_blank(after_title)
    title = f" {raw}" if stmt.title is not None else ""
    segs = [_Seg(f"decision {stmt.name.value}{title} {{", [(_start(stmt.span), src.pos(brace + 1))])]
    for attr in stmt.attributes:
        if attr.type.kind == "enum":
            typ = "one of " + _names(attr.type.members)
        else:
            typ = attr.type.kind
        default = f" = {_literal(attr.default)}" if attr.default is not None else ""
        segs.append(_Seg(f"{attr.name.value}: {typ}{default}", [_range(attr.span)]))
    end = _end(stmt.span)
    segs.append(_Seg("}", [((end[0], end[1] - 1), end)]))
    return segs


# -- placing comments ------------------------------------------------------------------

@dataclass
class _Stmt:
    node: m.Statement
    segs: list[_Seg]

    @property
    def start(self) -> Pos:
        return _start(self.node.span)

    @property
    def end(self) -> Pos:
        return _end(self.node.span)


def _attach(comment: _Comment, stmt: _Stmt) -> None:
    """Give a comment inside or right after a statement to the clause it belongs with."""
    pos = comment.pos
    ranges = [(r, seg) for seg in stmt.segs for r in seg.ranges]
    inside = [seg for (start, end), seg in ranges if start < pos < end]
    if inside:
        seg = inside[0]
    elif comment.own_line:
        later = [(start, seg) for (start, _), seg in ranges if start > pos]
        seg = min(later, key=lambda item: item[0])[1] if later else stmt.segs[-1]
    else:
        earlier = [(end, seg) for (_, end), seg in ranges if end <= pos]
        seg = max(earlier, key=lambda item: item[0])[1] if earlier else stmt.segs[0]
    (seg.leading if comment.own_line else seg.trailing).append(comment)


# -- layout --------------------------------------------------------------------------

@dataclass
class _Line:
    indent: str
    segs: list[_Seg]


def _layout(stmt: _Stmt) -> list[_Line]:
    node, segs = stmt.node, stmt.segs
    if isinstance(node, m.DecisionDecl):
        return ([_Line("", [segs[0]])] + [_Line(ATTRIBUTE_INDENT, [s]) for s in segs[1:-1]]
                + [_Line("", [segs[-1]])])
    if isinstance(node, m.Delegation):
        return [_Line("", [segs[0]])] + [_Line(INDENT, [s]) for s in segs[1:]]
    if isinstance(node, (m.Grant, m.Forbid)):
        head, rest = segs[0], segs[1:]
        lines = [_Line("", [head])]
        if node.condition is not None:
            when = rest.pop(0)
            fits = len(head.text) + 1 + len(when.text) <= LINE_WIDTH
            if fits and not head.trailing and not when.leading:
                lines[0].segs.append(when)
            else:
                lines.append(_Line(INDENT, [when]))
        return lines + [_Line(INDENT, [s]) for s in rest]
    return [_Line("", segs)]


def _write_line(line: _Line, out: list[str], leading: bool = True) -> None:
    """Write one line of code: the comments before it (if `leading`), then the code and its end comment."""
    if leading:
        for seg in line.segs:
            out.extend(line.indent + c.text for c in seg.leading)
    trailing = [c for seg in line.segs for c in seg.trailing]
    # Several comments ending lines that are now one: all but the last go above it.
    out.extend(line.indent + c.text for c in trailing[:-1])
    code = line.indent + " ".join(seg.text for seg in line.segs)
    if trailing:
        code += " " * max(COMMENT_GAP, trailing[-1].gap) + trailing[-1].text
    out.append(code)


def _write_statement(stmt: _Stmt, out: list[str]) -> None:
    lines = _layout(stmt)
    if not isinstance(stmt.node, m.DecisionDecl):
        for line in lines:
            _write_line(line, out)
        return
    # A decision's body keeps single blank lines between attributes, never after `{` or before `}`.
    _write_line(lines[0], out)
    previous_end: int | None = None
    for line in lines[1:]:
        seg = line.segs[0]
        closing = line is lines[-1]
        for comment in seg.leading:
            if previous_end is not None and comment.line > previous_end + 1:
                out.append("")
            out.append(ATTRIBUTE_INDENT + comment.text)
            previous_end = comment.line
        if closing:
            _write_line(line, out, leading=False)
            break
        if previous_end is not None and seg.start[0] > previous_end + 1:
            out.append("")
        _write_line(line, out, leading=False)
        previous_end = seg.end[0]


# -- the public functions ------------------------------------------------------------------

def format_text(text: str, path: str = "<string>") -> str:
    """The charter in its canonical layout, comments kept.

    Raises `CharterError` (a `ParseError`) if the text does not parse: broken
    text is never formatted. Formatting is idempotent, and the result means the
    same as the input.
    """
    tree = parse(Source(text, path))
    src = _Text(text)
    stmts = [_Stmt(node, _segments(node, src)) for node in tree.statements]

    # Top-level items, in source order: statements and the comments between them.
    items: list[tuple[Pos, _Stmt | _Comment]] = [(s.start, s) for s in stmts]
    starts = [s.start for s in stmts]
    for comment in src.comments:
        index = bisect.bisect_right(starts, comment.pos) - 1
        owner = stmts[index] if index >= 0 else None
        # A comment inside a statement, or ending its last line, goes with one of its clauses;
        # a comment on a line of its own between statements stands by itself.
        if owner is not None and (comment.pos < owner.end or not comment.own_line):
            _attach(comment, owner)
        else:
            items.append((comment.pos, comment))
    items.sort(key=lambda item: item[0])

    out: list[str] = []
    previous_end: int | None = None
    for _, item in items:
        if isinstance(item, _Comment):
            first, last = item.line, item.line
        else:
            first, last = item.start[0], item.end[0]
        if previous_end is not None and first > previous_end + 1:
            out.append("")
        if isinstance(item, _Comment):
            out.append(item.text)
        else:
            _write_statement(item, out)
        previous_end = last
    return "\n".join(out) + "\n"


def check_text(text: str, path: str = "<string>") -> bool:
    """Would formatting change this text? (For `fmt --check`.) Raises `CharterError` if it does not parse."""
    return format_text(text, path) != text


def diff_text(text: str, path: str = "<string>") -> str:
    """A unified diff from the text to its canonical layout; empty if it is already formatted."""
    formatted = format_text(text, path)
    if formatted == text:
        return ""
    lines = list(difflib.unified_diff(_diff_lines(text), _diff_lines(formatted),
                                      fromfile=f"{path}\t(original)", tofile=f"{path}\t(formatted)"))
    return "".join(lines)


def _diff_lines(text: str) -> list[str]:
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    if not lines[-1]:
        lines.pop()
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines
