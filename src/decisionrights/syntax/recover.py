"""Error recovery: a syntax error → a located diagnostic with help, then every other error in the file.

No lark import: what recovery needs of the parser comes in as a `Grammar`
(made by `parse`, the one module that talks to lark). A syntax error is told
apart by its `kind` (`"token"`, `"characters"`, `"eof"`) and read through the
attributes lark gives it (`token`, `expected`, `line`, `column`, ...).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from . import model as m
from .build import LiteralError, span_of
from .limits import SCAN, Limits, char_name, position
from ..diagnostics import Diagnostic, Label, Severity
from ..errors import ParseError
from ..source import Source, Span
from ..values import foreign_digit

SYNTAX = "DR001"

MAX_SYNTAX_ERRORS = 100
"""After this many syntax errors in one file, the parser stops looking for more."""


@dataclass(frozen=True)
class Grammar:
    """What recovery needs of the parser.

    `keywords`: each string terminal's name → its text (`DECIDE` → `decide`),
    in the grammar's order. `reserved`: the reserved words. `syntax_error`:
    the parser's syntax error class; `kind(err)` names which one it is.
    `parse_piece(text, limits)`: the model of a piece of text, or a raised
    syntax error or `LiteralError`.
    """

    keywords: Mapping[str, str]
    reserved: frozenset[str]
    syntax_error: type[Exception]
    kind: Callable[[Exception], str]
    parse_piece: Callable[[str, Limits], m.CharterModel]


_WORDS = {
    "NAME": "a name",
    "NUMBER": "a number",
    "MONEY": "an amount with a currency",
    "DATE": "a date (YYYY-MM-DD)",
    "STRING": 'a quoted text ("…")',
    "COMPARATOR": "a comparison (<, <=, >, >=, ==, !=)",
    "TYPE_NAME": "a type (money, number, bool, text, date, person or `one of …`)",
    "LEVEL_WORD": "`level` or `levels`",
    "$END": "the end of the file",
}


def _describe_terminal(name: str, grammar: Grammar) -> str:
    if name in _WORDS:
        return _WORDS[name]
    if name in grammar.keywords:
        return f"`{grammar.keywords[name]}`"
    return name.lower()


def _describe_expected(expected: set[str], grammar: Grammar) -> str:
    if "TYPE_NAME" in expected:
        expected = expected - {"ONE"}  # the type's description names `one of …`
    words = sorted({_describe_terminal(t, grammar) for t in expected if not t.startswith("__")})
    if not words:
        return "something else"
    if len(words) > 8:
        return "a new statement or the rest of this one"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


_STATEMENT_STARTS = {"CHARTER", "VERSION", "CURRENCY", "AUTHORITY", "ROLE", "DECISION", "NOBODY",
                     "ESCALATE", "EXPECT", "PERSON", "INCOMPATIBLE"}


_STATEMENT_WORDS = ("charter", "version", "currency", "authority", "role", "decision", "nobody", "escalate",
                    "expect", "person", "incompatible")
_PUNCTUATION = set('"#(),:=<>![]{}-._')
_OPENERS = {"(": ")", "[": "]", "{": "}"}


def _offset(text: str, line: int, column: int) -> int:
    """The index into `text` of a 1-based line and column."""
    pos = 0
    for _ in range(line - 1):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return len(text)
        pos = nxt + 1
    return min(pos + column - 1, len(text))


def _words_before(text: str, pos: int, count: int = 2) -> list[str]:
    """The last `count` words (or symbols) before `pos`, comments left out, nearest last."""
    lines = text[:pos].split("\n")
    words: list[str] = []
    for line in reversed(lines[-20:]):
        if "#" in line and '"' not in line:
            line = line.split("#", 1)[0]
        words[:0] = re.findall(r'"[^"\n]*"?|[^\W\d]\w*|[\w.\-]+|\S', line)
        if len(words) >= count:
            break
    return words[-count:]


def _unclosed(text: str, pos: int) -> tuple[str, int] | None:
    """The innermost bracket opened before `pos` and never closed in the whole text: (bracket, offset)."""
    stack: list[tuple[str, int]] = []
    for found in SCAN.finditer(text):
        ch = found.group()
        if ch in _OPENERS:
            stack.append((ch, found.start()))
        elif ch in (")", "]", "}") and stack and _OPENERS[stack[-1][0]] == ch:
            stack.pop()
    before = [item for item in stack if item[1] < pos]
    return before[-1] if before else None


def _close_keyword(word: str, among: Any) -> str | None:
    """The keyword `word` most likely misspells (never `word` itself), among `among`."""
    words = sorted(set(among) - {word})
    close = difflib.get_close_matches(word.lower(), words, n=1, cutoff=0.6)
    return close[0] if close else None


def _expected_keywords(expected: set[str], grammar: Grammar) -> list[str]:
    """The keywords among lark's expected terminals (`DECIDE` → `decide`)."""
    return [word for name, word in grammar.keywords.items() if name in expected and word.isidentifier()]


@dataclass
class _Reading:
    """What is known about one syntax error while its message is worked out; the hints below refine it."""

    text: str
    err: Any
    grammar: Grammar
    span: Span
    message: str
    help: str | None = None
    labels: tuple[Label, ...] = ()
    # for an unexpected token
    tok: Any = None
    at_end: bool = False
    pos: int = 0
    shown: str = ""
    before: tuple[str, ...] = ()
    prev: str = ""
    line_words: tuple[str, ...] = ()
    # for an unexpected character
    char: str = ""
    word: Any = None


# -- an unexpected token: the first hint that applies gives the help (and may reword the message) ------

_AFTER_A_NAME = frozenset({"MAY", "DELEGATES", "ACTS"})
"""What may follow the name a statement starts with: a grant or forbid, a delegation, a person's cover."""

def _after_nobody(r: _Reading) -> bool:
    if not (r.prev == "nobody" and r.err.expected and r.err.expected <= _AFTER_A_NAME):
        return False
    r.help = "`nobody` starts a rule for every role: `nobody may decide DECISION when …`"
    return True


def _not_a_keyword(r: _Reading) -> bool:
    """The statement began with a word that is not a keyword, so it reads as a role's name."""
    if not (r.err.expected and r.err.expected <= _AFTER_A_NAME and r.prev.isidentifier()):
        return False
    before, prev = r.before, r.prev
    amount = len(before) >= 2 and re.fullmatch(r"-?\d[\d_]*(\.\d+)?[kM]?", before[-2])
    if amount and re.fullmatch(r"[^\W\d_]+", prev):
        r.message = f"`{before[-2]} {prev}` is not an amount: money takes a currency code of three capital letters"
        code = prev.upper() if len(prev) == 3 else "EUR"
        r.help = f"write `{before[-2]} {code}`"
        start = r.text.rfind(prev, 0, r.pos)
        if start >= 0:
            line, column = position(r.text, start)
            r.span = Span(line, column, line, column + len(prev))
        return True
    where = "the file ends" if r.at_end else f"`{r.shown}` follows"
    r.message = (f"`{prev}` is not a keyword, so this reads as a rule for a role named `{prev}`, "
                 f"but {where} where `may` or `delegates` should")
    guess = _close_keyword(prev, r.grammar.reserved)
    r.help = (f"did you mean `{guess}`?" if guess else
              "a statement starts with a keyword (`role`, `decision`, `expect`, …) or with a "
              "role's name and `may` or `delegates`")
    return True


def _keyword_as_role(r: _Reading) -> bool:
    words = r.line_words
    if not (len(words) >= 2 and words[0] in _STATEMENT_WORDS and words[1] in ("may", "delegates")):
        return False
    r.help = f"`{words[0]}` starts a statement of its own, so it cannot be a role's name; rename the role"
    return True


def _single_equals(r: _Reading) -> bool:
    if not (r.shown == "=" and "COMPARATOR" in r.err.expected):
        return False
    r.message = "unexpected `=`: a condition compares with `==`, `!=`, `<`, `<=`, `>` or `>=`"
    r.help = "write `==` to test for a value"
    return True


def _bad_date(r: _Reading) -> bool:
    text, pos = r.text, r.pos
    if not ("DATE" in r.err.expected and not r.at_end and re.match(r"\d+-\d+-\d+", text[pos:pos + 12])):
        return False
    word = re.match(r"[\w\-]+", text[pos:pos + 40]).group()  # type: ignore[union-attr]
    r.message = f"`{word}` is not a date"
    r.span = Span(r.span.line, r.span.column, r.span.line, r.span.column + len(word))
    r.help = "write dates as YYYY-MM-DD, with two-digit months and days: 2027-03-01"
    foreign = foreign_digit(word)
    if foreign is not None:
        r.message += f": only the digits 0-9 make a date, and `{foreign}` is {char_name(foreign)}"
    return True


def _unquoted_text(r: _Reading) -> bool:
    if not (r.err.expected == {"STRING"} and not r.at_end):
        return False
    r.help = 'texts are written in double quotes: `charter "Acme Finance"`'
    return True


def _empty_choices(r: _Reading) -> bool:
    if not (r.prev == "of" and "NAME" in r.err.expected):
        return False
    r.help = "list the choices after `one of`, separated by commas: `one of hardware, software`"
    return True


def _misspelt_keyword(r: _Reading) -> bool:
    if not (r.tok.type == "NAME" and "NAME" not in r.err.expected):
        return False
    guess = _close_keyword(r.shown, _expected_keywords(r.err.expected, r.grammar))
    if not guess:
        return False
    r.help = f"did you mean `{guess}`?"
    return True


def _reserved_as_name(r: _Reading) -> bool:
    if not ("NAME" in r.err.expected and r.tok.type not in ("NAME", "$END") and r.shown.isidentifier()):
        return False
    r.help = f"`{r.shown}` is a reserved word of the language; choose another name"
    return True


def _two_statements_on_a_line(r: _Reading) -> bool:
    if not (r.tok.type == "NAME" and r.err.expected & _STATEMENT_STARTS):
        return False
    r.help = "each statement starts on its own line; did you misspell a keyword?"
    return True


def _money_without_currency(r: _Reading) -> bool:
    if not (r.tok.type == "NUMBER" and "MONEY" in r.err.expected):
        return False
    r.help = "money takes a three-letter currency code: `250k EUR`"
    return True


def _span_of_words(r: _Reading, words: tuple[str, ...]) -> Span:
    """The span of `words`, the last place they are written before the error."""
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(word) for word in words) + r"(?!\w)"
    found = list(re.finditer(pattern, r.text[:r.pos]))
    if not found:  # a comment between the words: the error's own place
        return r.span
    line, column = position(r.text, found[-1].start())
    end_line, end_column = position(r.text, found[-1].end())
    return Span(line, column, end_line, end_column)


def _person_without_holds(r: _Reading) -> bool:
    if not (r.err.expected == {"HOLDS"} and len(r.before) >= 2 and r.before[-2] == "person"):
        return False
    r.help = f"a person line names the roles the person holds: `person {r.prev} holds ROLE, …`"
    return True


def _acts_without_role(r: _Reading) -> bool:
    words = tuple(_words_before(r.text, r.pos, 4))
    if r.err.expected == {"AS"} and len(words) >= 2 and words[-1] == "acts":
        r.help = f"cover during an absence is written `{words[-2]} acts as ROLE from DATE until DATE`"
        return True
    dated = len(words) >= 4 and words[-3:-1] == ("acts", "as") and words[-1] in ("from", "until")
    if not (dated or "NAME" in r.err.expected and len(words) >= 3 and words[-2:] == ("acts", "as")):
        return False
    who = words[-4] if dated else words[-3]
    r.message = f"`{who} acts as` needs the role {who} covers"
    if r.at_end or dated:
        r.span = _span_of_words(r, (who, "acts", "as"))
    r.help = f"name the role after `acts as`: `{who} acts as ROLE from DATE until DATE` (dates optional)"
    return True


def _one_incompatible_role(r: _Reading) -> bool:
    words = r.before
    if not ("COMMA" in r.err.expected and len(words) >= 2 and words[-2] == "incompatible"):
        return False
    r.message = "`incompatible` needs two or more roles, separated by commas"
    r.span = _span_of_words(r, words[-2:])
    r.help = f"list the roles nobody may hold together: `incompatible {words[-1]}, ROLE`"
    return True


def _not_me(r: _Reading) -> bool:
    """`claimant is bo`, `claimant reports to`: a person attribute is compared with `me`, the person deciding."""
    if not (r.err.expected and "ME" in r.err.expected and r.err.expected <= {"ME", "NOT"}):
        return False
    words = r.before
    phrase = {"is": "is", "not": "is not", "to": "reports to", "under": "under"}.get(r.prev, r.prev)
    attr = words[-1 - len(phrase.split())] if len(words) > len(phrase.split()) else "ATTR"
    r.message = f"only `me` may follow `{phrase}` in a condition: `{attr} {phrase} me`"
    if phrase in ("is", "is not"):
        other = "" if r.at_end else f" == {r.shown}"
        r.help = (f"`me` is the person deciding; to test for one person, compare the attribute: "
                  f"`{attr}{other or ' == NAME'}`")
    else:
        r.help = (f"`{attr} reports to me`: a role of {attr}'s person reports directly to the role deciding; "
                  f"`{attr} under me`: directly or further down")
    return True


_TOKEN_HINTS: tuple[Callable[[_Reading], bool], ...] = (
    _after_nobody, _not_a_keyword, _keyword_as_role, _single_equals, _bad_date, _unquoted_text,
    _empty_choices, _misspelt_keyword, _person_without_holds, _acts_without_role, _one_incompatible_role,
    _not_me, _reserved_as_name, _two_statements_on_a_line, _money_without_currency,
)
"""In order: the first that applies gives the help; none applies, and an unclosed bracket may."""


def _unclosed_hint(r: _Reading) -> None:
    opened = _unclosed(r.text, r.pos)
    if opened is None:
        return
    bracket, where = opened
    closer = _OPENERS[bracket]
    line, column = position(r.text, where)
    if line < r.span.line:
        r.labels = (Label(span=Span(line, column, line, column + 1), message=f"this `{bracket}` is not closed"),)
        r.help = f"close the `{bracket}` of line {line} with `{closer}`"
    else:
        r.help = f"close the `{bracket}` of column {column} with `{closer}`"


def _unexpected_token(err: Any, source: Source, grammar: Grammar) -> _Reading:
    text = source.text
    tok = err.token
    expected = _describe_expected(err.expected, grammar)
    if tok.type == "$END":
        line = err.line if err.line > 0 else source.line_count()
        r = _Reading(text, err, grammar, Span.point(line, max(err.column, 1)),
                     f"the charter ends in the middle of a statement; expected {expected}",
                     tok=tok, at_end=True, pos=len(text), shown="the end of the file")
    else:
        span = span_of(tok)
        pos = tok.start_pos if tok.start_pos is not None else _offset(text, span.line, span.column)
        r = _Reading(text, err, grammar, span, f"unexpected `{tok!s}`; expected {expected}",
                     tok=tok, pos=pos, shown=str(tok))
    r.before = tuple(_words_before(text, r.pos, 3))
    r.prev = r.before[-1] if r.before else ""
    r.line_words = tuple(source.line(r.span.line).split())
    if not any(hint(r) for hint in _TOKEN_HINTS):
        _unclosed_hint(r)
    return r


# -- an unexpected character ------------------------------------------------------------------

def _single_quote(r: _Reading) -> bool:
    if r.char != "'":
        return False
    r.help = 'texts are written in double quotes: "like this"'
    return True


def _unclosed_quote(r: _Reading) -> bool:
    if r.char != '"':
        return False
    err, text, pos = r.err, r.text, r.pos
    end = text.find("\n", pos)
    end = len(text) if end < 0 else end
    r.message = "this quoted text is not closed before the end of its line"
    r.span = Span(err.line, err.column, err.line, err.column + len(text[pos:end].rstrip("\r")))
    r.help = 'end it with `"` on the same line'
    return True


def _bad_number(r: _Reading) -> bool:
    if not (r.word is not None and any(c.isdigit() for c in r.word.group())):
        return False
    shown = r.word.group()
    r.message = f"`{shown}` is not a number, an amount or a date"
    r.span = Span(r.err.line, r.err.column, r.err.line, r.err.column + len(shown))
    r.help = "numbers look like 250, 10_000, 2.5k or 1.5M; amounts like 250k EUR; dates like 2027-03-31"
    foreign = foreign_digit(shown)
    if foreign is not None:
        r.message += f": only the digits 0-9 make a number, and `{foreign}` is {char_name(foreign)}"
        r.help = "type the number with the digits 0-9"
    return True


def _invisible(r: _Reading) -> bool:
    char = r.char
    if not (char and (char.isspace() or not char.isprintable() or unicodedata.category(char).startswith("C"))):
        return False
    r.message = f"unexpected invisible character {char_name(char)}"
    r.help = "delete it (and type an ordinary space if one is needed)"
    return True


def _meaningless(r: _Reading) -> bool:
    if not (r.char and not r.char.isalnum() and r.char not in _PUNCTUATION):
        return False
    r.message = f"unexpected character `{r.shown}`: it has no meaning in a charter"
    r.help = "remove it, or write it inside a quoted text"
    return True


_CHARACTER_HINTS: tuple[Callable[[_Reading], bool], ...] = (
    _single_quote, _unclosed_quote, _bad_number, _invisible, _meaningless,
)


def _unexpected_character(err: Any, source: Source, grammar: Grammar) -> _Reading:
    text = source.text
    pos = err.pos_in_stream
    char = text[pos] if pos < len(text) else ""
    shown = repr(char)[1:-1] if not char.isprintable() else char
    message = f"unexpected character `{shown}`"
    allowed = getattr(err, "allowed", None) or set()
    if allowed:
        message += f"; expected {_describe_expected(set(allowed), grammar)}"
    r = _Reading(text, err, grammar, Span.point(err.line, err.column), message, pos=pos, shown=shown, char=char)
    r.word = re.match(r"-?[\w.\-]+", text[pos:pos + 200]) if char.isdigit() or char == "-" else None
    any(hint(r) for hint in _CHARACTER_HINTS)
    return r


def error_to_diagnostic(err: Any, source: Source, grammar: Grammar) -> Diagnostic:
    """The `DR001` diagnostic for one of the parser's syntax errors in `source`."""
    kind = grammar.kind(err)
    if kind == "token":
        r = _unexpected_token(err, source, grammar)
    elif kind == "characters":
        r = _unexpected_character(err, source, grammar)
    elif kind == "eof":
        r = _Reading(source.text, err, grammar, Span.point(source.line_count(), 1),
                     "the charter ends in the middle of a statement")
    else:  # pragma: no cover - lark has no other kinds
        r = _Reading(source.text, err, grammar, Span.point(1, 1), "the text is not a charter")
    return Diagnostic(code=SYNTAX, severity=Severity.ERROR, message=r.message, path=source.path, span=r.span,
                      help=r.help, labels=r.labels, source=source)


# -- after the first error: the others, statement by statement ----------------------------------

def chunks(text: str) -> list[tuple[int, str]]:
    """Split into statement-sized pieces: a piece starts at a line that is not indented.

    Used only after a syntax error, to find the errors in the rest of the file too.
    """
    pieces: list[tuple[int, list[str]]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        starts = line[:1] not in ("", " ", "\t", "#", "}")
        if starts or not pieces:
            pieces.append((number, [line]))
        else:
            pieces[-1][1].append(line)
    return [(start, "\n".join(lines)) for start, lines in pieces]


def with_rest(error: ParseError, text: str, limits: Limits, grammar: Grammar) -> ParseError:
    """The error, carrying the model of the statements that are not broken (`rest`, or None) and the
    text of the broken ones (`broken`), so the compiler can still report the others' errors."""
    lines = text.split("\n")
    bad = {d.span.line for d in error.diagnostics if d.span is not None}
    broken: list[str] = []
    for start, piece in chunks(text):
        count = piece.count("\n") + 1
        if any(start <= line < start + count for line in bad):
            broken.append(piece)
            lines[start - 1:start - 1 + count] = [""] * count  # blank, so every other line keeps its number
    rest: m.CharterModel | None
    try:
        rest = grammar.parse_piece("\n".join(lines), limits)
    except Exception:  # noqa: BLE001 - the rest does not parse on its own either: nothing more to report
        rest = None
    error.rest = rest  # type: ignore[attr-defined]
    error.broken = "\n".join(broken)  # type: ignore[attr-defined]
    return error


def literal_diagnostic(err: LiteralError, source: Source) -> Diagnostic:
    """The diagnostic for a statement that parses but cannot be built."""
    return Diagnostic(code=err.code, severity=Severity.ERROR, message=err.message, path=source.path,
                      span=err.span, help=err.help, source=source)


def _shifted(diag: Diagnostic, lines: int, source: Source) -> Diagnostic:
    """A diagnostic found in a piece of the text, moved down `lines` lines into the whole `source`."""
    def move(span: Span) -> Span:
        return Span(span.line + lines, span.column, span.end_line + lines, span.end_column)

    return diag.model_copy(update={
        "span": move(diag.span) if diag.span else None, "source": source,
        "labels": tuple(lab.model_copy(update={"span": move(lab.span)}) for lab in diag.labels)})


def _stop_note(diags: list[Diagnostic]) -> None:
    last = diags[-1]
    diags[-1] = last.model_copy(update={"notes": (*last.notes, f"stopped after {MAX_SYNTAX_ERRORS} "
                                                               f"errors; fix these and check again")})


def all_syntax_errors(source: Source, text: str, first: Diagnostic, limits: Limits, grammar: Grammar,
                      parsed: bool = False) -> list[Diagnostic]:
    """The first error, then each statement parsed alone to find the other errors.

    Each piece is parsed on its own and its diagnostics moved to their place,
    so the work stays linear in the size of the text. `parsed`: the whole
    text parsed (the first error is a bad literal), so a piece's syntax error
    is only the piece cut out of context.
    """
    diags = [first]
    seen = {(diags[0].span.line, diags[0].span.column)} if diags[0].span else set()
    first_line = float("inf") if parsed else diags[0].span.line if diags[0].span else 0
    for start, piece in chunks(text):
        if len(diags) >= MAX_SYNTAX_ERRORS:
            _stop_note(diags)
            break
        earlier = start + piece.count("\n") < first_line
        try:
            grammar.parse_piece(piece, limits)
        except grammar.syntax_error as err:
            if earlier:
                continue  # the whole text parsed past here: a piece cut out of context, not an error
            diag = _shifted(error_to_diagnostic(err, Source(piece, source.path), grammar), start - 1, source)
            key = (diag.span.line, diag.span.column) if diag.span else None
            if key not in seen and (diag.span is None or diag.span.line > first_line):
                seen.add(key)
                diags.append(diag)
        except LiteralError as err:
            diag = _shifted(literal_diagnostic(err, Source(piece, source.path)), start - 1, source)
            key = (diag.span.line, diag.span.column) if diag.span else None
            if key not in seen:
                seen.add(key)
                diags.append(diag)
    return sorted(diags, key=lambda d: (d.span.line, d.span.column) if d.span else (0, 0))
