"""Directory files: who holds which role, read from CSV or JSON, with every problem located.

A directory file gives the people of an organisation beside a charter
(LANGUAGE.md §11). Each row (CSV) or object (JSON) is one *holding*: a person,
one or more roles, and optionally the dates the holding runs `from` and
`until` (both days included; absent means open-ended). A person may have
several rows, for example an acting role with its dates.

CSV: a header naming the columns `person`, `roles` and optionally `from` and
`until`, in any order; roles separated by `;`; quoting as the `csv` module
reads it. JSON: a list of objects with the same fields; `roles` a list of
names or the `;` string; `from`/`until` ISO dates, `null` or absent. A UTF-8
byte-order mark and CRLF line ends are accepted.

`read_directory` returns a `Directory`, or raises `ParseError` once with every
problem found (codes DR120–DR129, docs/people.md), each naming the file, line
and column. Names are not resolved against a charter here, except that when
`roles` is given, a role not among them is an error with a "did you mean".
"""

from __future__ import annotations

import csv
import difflib
import json
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Collection, Iterator, Literal

from ..diagnostics import Diagnostic, Label, Severity
from ..errors import ParseError
from ..source import Source, Span, make_span
from ..values import BadValue, parse_date

__all__ = ["Directory", "Holding", "read_directory", "MAX_ERRORS", "CODES", "NAME_RULE", "KEYWORDS"]

MAX_ERRORS = 500
"""At most this many diagnostics in one run; past it, one more says how many were left out (DR002)."""

NOT_UTF8 = "DR120"
COLUMNS = "DR121"
ROW_SHAPE = "DR122"
EMPTY = "DR123"
BAD_NAME = "DR124"
BAD_DATE = "DR125"
DATES_ORDER = "DR126"
DUPLICATE = "DR127"
BAD_JSON = "DR128"
UNKNOWN_ROLE = "DR129"
TOO_MANY = "DR002"

CODES: dict[str, str] = {
    NOT_UTF8: "the file is not UTF-8 text",
    COLUMNS: "the header or fields: an empty file, a required column missing, an unknown or repeated column",
    ROW_SHAPE: "a CSV row with more or fewer fields than the header, or that the csv module cannot read",
    EMPTY: "an empty person or role",
    BAD_NAME: "a person or role that is not a valid charter name",
    BAD_DATE: "a `from`/`until` that is not a real date written YYYY-MM-DD",
    DATES_ORDER: "a holding whose `from` is after its `until`",
    DUPLICATE: "the same person holding the same role twice at overlapping dates",
    BAD_JSON: "JSON that does not parse, is not a list of objects, or has a field of the wrong type",
    UNKNOWN_ROLE: "a role the charter does not declare",
}
"""Every code `read_directory` reports, with what it means (listed in docs/people.md)."""

NAME_RULE = re.compile(r"[^\W\d]\w*")
"""A charter name (grammar/charter.lark, NAME): a letter or `_`, then letters, digits or `_`."""

KEYWORDS = frozenset({
    "agreement", "and", "announce", "authority", "charter", "consult", "currency", "decide", "decision",
    "delegates", "escalate", "escalates", "expect", "false", "flows", "from", "in", "inform", "may", "nobody",
    "not", "of", "on", "one", "or", "propose", "reports", "role", "subdelegate", "to", "true", "until", "up",
    "version", "when", "with",
    # Part II (LANGUAGE.md §11-§12), reserved ahead of the grammar so no directory names a person `me`:
    "person", "holds", "acts", "as", "me", "incompatible", "is", "under",
})
"""Words that cannot name a person or role, in any case. A superset of the grammar's reserved words
(`syntax.parse.reserved_words()`, checked by tests/test_directory.py), kept here so reading a
directory does not build the charter parser."""

COLUMN_NAMES = ("person", "roles", "from", "until")
REQUIRED = ("person", "roles")


@dataclass(frozen=True, slots=True)
class Holding:
    """One person holding one role, from a date until a date (both included; None: open-ended).

    Two holdings are equal when they state the same fact; where they were
    written (`span`: the row or object; `person_span`, `role_span`: the fields)
    does not count.
    """

    person: str
    role: str
    start: date | None = None
    until: date | None = None
    span: Span = field(default=Span(1, 1, 1, 1), compare=False, repr=False)
    person_span: Span = field(default=Span(1, 1, 1, 1), compare=False, repr=False)
    role_span: Span = field(default=Span(1, 1, 1, 1), compare=False, repr=False)

    def on(self, day: date) -> bool:
        """Whether the holding runs on `day`."""
        return (self.start is None or self.start <= day) and (self.until is None or day <= self.until)


@dataclass(frozen=True, slots=True)
class Directory:
    """The holdings of a directory file, in file order, and where they came from."""

    path: str
    format: Literal["csv", "json"]
    holdings: tuple[Holding, ...]
    source: Source | None = field(default=None, compare=False, repr=False)

    def persons(self) -> tuple[str, ...]:
        """Every person named, once each, in the order they first appear."""
        return tuple(dict.fromkeys(h.person for h in self.holdings))

    def roles_of(self, person: str, on: date | None = None) -> tuple[str, ...]:
        """The roles `person` holds (on the date `on`, when given), once each, in file order."""
        return tuple(dict.fromkeys(h.role for h in self.holdings
                                   if h.person == person and (on is None or h.on(on))))

    def holders(self, role: str, on: date | None = None) -> tuple[str, ...]:
        """The persons holding `role` (on the date `on`, when given), once each, in file order."""
        return tuple(dict.fromkeys(h.person for h in self.holdings
                                   if h.role == role and (on is None or h.on(on))))


# -- problems -------------------------------------------------------------------------------------

@dataclass
class _Problems:
    """The problems found so far, kept cheap (tuples) until the end, then sorted and capped."""

    path: str
    source: Source | None = None
    found: list[tuple[int, int, int, int, str, str, str | None, tuple[Label, ...]]] = field(default_factory=list)

    def add(self, code: str, message: str, span: Span, help: str | None = None,
            labels: tuple[Label, ...] = ()) -> None:
        self.found.append((span.line, span.column, span.end_line, span.end_column, code, message, help, labels))

    def raise_if_any(self) -> None:
        if not self.found:
            return
        self.found.sort(key=lambda p: (p[0], p[1], p[4]))
        diagnostics = [Diagnostic(code=code, severity=Severity.ERROR, message=message, path=self.path,
                                  span=Span(line, column, end_line, end_column), help=help, labels=labels,
                                  source=self.source)
                       for line, column, end_line, end_column, code, message, help, labels
                       in self.found[:MAX_ERRORS]]
        more = len(self.found) - MAX_ERRORS
        if more > 0:
            diagnostics.append(Diagnostic(
                code=TOO_MANY, severity=Severity.ERROR, path=self.path,
                message=f"…and {more:,} more problems in this directory file, not shown",
                help=f"fix the {MAX_ERRORS} above and read the file again; it usually means the whole file "
                     "has one mistake (a wrong separator, another file format)"))
        raise ParseError(diagnostics)


def _shown(text: str) -> str:
    """`text` for a message: escaped when it holds an invisible character."""
    return text if text.isprintable() else repr(text)[1:-1]


def suggest(name: str, known: Collection[str]) -> str | None:
    """The known name `name` most likely misspells (the same in another case, else difflib's closest)."""
    candidates = [k for k in dict.fromkeys(known) if k != name]
    folded = name.casefold()
    for k in candidates:
        if k.casefold() == folded:
            return k
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return close[0] if close else None


# -- decoding -------------------------------------------------------------------------------------

_ESCAPED = re.compile(r"[\udc80-\udcff]+")


def _decode(raw: bytes | str, problems: _Problems) -> str:
    """The text of the file: UTF-8, a byte-order mark dropped; each run of bad bytes is a DR120."""
    if isinstance(raw, str):
        return raw[1:] if raw.startswith("\ufeff") else raw
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = raw.decode("utf-8", "surrogateescape")
    for match in _ESCAPED.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        shown = " ".join(f"0x{ord(c) - 0xDC00:02x}" for c in match.group()[:8])
        problems.add(NOT_UTF8, f"the file is not valid UTF-8 here (byte{'s' if len(match.group()) > 1 else ''} "
                               f"{shown}{' …' if len(match.group()) > 8 else ''})",
                     make_span(line, column, line, column + 1),
                     "save the directory as UTF-8 (in Excel: Save As › CSV UTF-8); an older export may be in "
                     "Latin-1 or Windows-1252")
    return text


def _which_format(text: str, path: str) -> Literal["csv", "json"]:
    lowered = path.lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith((".csv", ".txt")):
        return "csv"
    return "json" if text.lstrip()[:1] in ("[", "{") else "csv"


def read_directory(raw: bytes | str, path: str, *, roles: Collection[str] | None = None) -> Directory:
    """Read a directory file (CSV or JSON, by its suffix, else by its content) into its holdings.

    `raw` is the file's bytes (or its text), `path` the name it is reported
    under. When `roles` is given, every role must be one of them. Raises
    `ParseError` with every problem found, each at its line and column.
    """
    problems = _Problems(path)
    text = _decode(raw, problems)
    source = Source(text, path)
    problems.source = source
    problems.raise_if_any()  # the rows of a file that is not UTF-8 are not worth reading
    kind = _which_format(text, path)
    rows = _json_rows(text, problems) if kind == "json" else _csv_rows(text, problems)
    holdings = _holdings(rows, problems, None if roles is None else frozenset(roles))
    _check_duplicates(holdings, problems)
    problems.raise_if_any()
    return Directory(path, kind, tuple(holdings), source)


# -- rows: what both formats give ---------------------------------------------------------------

@dataclass(slots=True)
class _Field:
    value: str | None
    span: Span


@dataclass(slots=True)
class _Row:
    span: Span
    person: _Field
    roles: list[_Field]  # each role, with its own span; empty when the field is empty
    roles_field: _Field
    start: _Field | None
    until: _Field | None


# -- CSV ------------------------------------------------------------------------------------------

def _field_starts(raw_row: str) -> list[int]:
    """The offsets in `raw_row` where each field starts, as the csv module's default dialect splits it."""
    starts = [0]
    quoted = False
    at_start = True
    i = 0
    n = len(raw_row)
    while i < n:
        c = raw_row[i]
        if quoted:
            if c == '"':
                if i + 1 < n and raw_row[i + 1] == '"':
                    i += 1
                else:
                    quoted = False
        elif c == '"' and at_start:
            quoted = True
        elif c == ",":
            starts.append(i + 1)
            at_start = True
            i += 1
            continue
        at_start = False
        i += 1
    return starts


def _position(line: int, raw_row: str, offset: int) -> tuple[int, int]:
    """Line and column of `offset` in a row that starts at column 1 of `line`."""
    newlines = raw_row.count("\n", 0, offset)
    if not newlines:
        return line, offset + 1
    return line + newlines, offset - raw_row.rfind("\n", 0, offset)


def _physical_lines(text: str) -> list[str]:
    lines = text.split("\n")
    out = [piece + "\n" for piece in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def _csv_rows(text: str, problems: _Problems) -> Iterator[_Row | list[Holding]]:  # long: the header, then each row in one pass
    if not text.strip():
        problems.add(COLUMNS, "the directory file is empty", make_span(1, 1, 1, 1),
                     "write a header line `person,roles,from,until`, then one line per person and role")
        return
    lines = _physical_lines(text)
    reader = csv.reader(iter(lines))
    header: dict[str, int] | None = None
    unnamed: list[int] = []
    width = 0
    seen = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line = seen + 1
            seen = reader.line_num
            message, help = _csv_trouble(str(exc))
            problems.add(ROW_SHAPE, message, make_span(line, 1, line, 2), help)
            continue
        first = seen + 1
        raw_row = (lines[seen] if reader.line_num == first else "".join(lines[seen:reader.line_num])).rstrip("\r\n")
        seen = reader.line_num
        if not "".join(fields).strip():
            continue  # a blank line (or Excel's `,,,`) is no row
        starts = _field_starts(raw_row) if '"' in raw_row else None
        if starts is None or len(starts) != len(fields):
            starts = []
            at = 0
            for value in fields:
                starts.append(at)
                at += len(value) + 1
        last_line, last_column = (first, len(raw_row) + 1) if "\n" not in raw_row else _position(
            first, raw_row, len(raw_row))
        span = make_span(first, 1, last_line, max(last_column, 2))
        if header is None:
            read = _read_header(fields, starts, first, raw_row, problems)
            if read is None:
                return
            header, unnamed = read
            width = len(fields)
            continue
        if len(fields) > width and not any(value.strip() for value in fields[width:]):
            del fields[width:]  # the empty fields a spreadsheet pads a row with: nothing is lost
        if len(fields) != width:
            few = len(fields) < width
            problems.add(ROW_SHAPE, f"this row has {len(fields)} field{'s' if len(fields) != 1 else ''}, but the "
                                    f"header has {width} columns", span,
                         "add the missing fields (leave a date empty: `ana,cfo,,`)" if few else
                         "remove the extra fields, or quote a field that holds a comma: `\"ana, jr\"`")
            continue
        stray = next((i for i in unnamed if fields[i].strip()), None)
        if stray is not None:
            problems.add(ROW_SHAPE, f"this row has `{_shown(fields[stray].strip())}` in a column the header does "
                                    "not name", _csv_field(fields[stray], starts[stray], first, raw_row).span,
                         "name the column in the header, or move the value where it belongs")
            continue
        plain = _plain_row(fields, starts, header, first, span) if '"' not in raw_row else None
        yield plain if plain is not None else _csv_row(fields, starts, header, first, raw_row, span)


def _csv_trouble(error: str) -> tuple[str, str]:
    """What the csv module's complaint means, in words a team lead reads (message, help)."""
    if "new-line character seen in unquoted field" in error:
        return ("this row has a lone carriage return (\\r) in it, not at the end of a line",
                "save the file again with ordinary line ends (a mix of old Mac and Windows line ends does this)")
    if "field larger than field limit" in error:
        return ("a field from this row on is longer than 131,072 characters",
                "look for a quote `\"` that is opened and never closed: it makes the rest of the file one field")
    return (f"this row cannot be read as CSV ({error})",
            "check the quotes: a field that starts with `\"` must end with `\"` (write `\"\"` for a quote inside it)")


def _plain_row(fields: list[str], starts: list[int], header: dict[str, int], line: int,
               span: Span) -> list[Holding] | None:
    """The holdings of a row written plainly (one line, nothing quoted, no spaces, nothing wrong), read
    in one go; None when anything needs the closer look of `_csv_row` and `_holdings`: the hot path."""
    person = fields[header["person"]]
    if _NAME_MATCH(person) is None or person.casefold() in KEYWORDS:
        return None
    dates: list[date | None] = []
    for name in ("from", "until"):
        at = header.get(name)
        if at is None or not fields[at]:
            dates.append(None)
            continue
        try:
            dates.append(parse_date(fields[at]))
        except BadValue:
            return None
    start, until = dates
    if start is not None and until is not None and start > until:
        return None
    column = starts[header["person"]] + 1
    person_span = make_span(line, column, line, column + len(person))
    column = starts[header["roles"]] + 1
    out = []
    for role in fields[header["roles"]].split(";"):
        if _NAME_MATCH(role) is None or role.casefold() in KEYWORDS:
            return None
        out.append(_new_holding(person, role, start, until, span, person_span,
                                make_span(line, column, line, column + len(role))))
        column += len(role) + 1
    return out


def _csv_field(value: str, start: int, line: int, raw_row: str) -> _Field:
    stripped = value.strip()
    if stripped is value and not value.startswith('"'):  # the common case: written as read, on the row's line
        column = start + 1
        if raw_row.startswith(value, start):
            return _Field(value, make_span(line, column, line, column + (len(value) or 1)))
    quoted = raw_row.startswith('"', start)
    inner = start + (1 if quoted else 0) + (len(value) - len(value.lstrip()))
    l0, c0 = _position(line, raw_row, inner)
    return _Field(stripped, make_span(l0, c0, l0, c0 + max(len(stripped), 1)))


def _csv_row(fields: list[str], starts: list[int], header: dict[str, int], line: int, raw_row: str,
             span: Span) -> _Row:
    person = _csv_field(fields[header["person"]], starts[header["person"]], line, raw_row)
    roles_field = _csv_field(fields[header["roles"]], starts[header["roles"]], line, raw_row)
    roles = _split_roles(roles_field)
    at = header.get("from")
    start = _csv_field(fields[at], starts[at], line, raw_row) if at is not None and fields[at] else None
    at = header.get("until")
    until = _csv_field(fields[at], starts[at], line, raw_row) if at is not None and fields[at] else None
    return _Row(span, person, roles, roles_field, start, until)


def _split_roles(roles_field: _Field) -> list[_Field]:
    """Each `;`-separated role of a roles field, with the span of its own text."""
    text = roles_field.value or ""
    if not text:
        return []
    if ";" not in text:
        return [roles_field]
    out = []
    base = roles_field.span
    at = 0
    for piece in text.split(";"):
        lead = len(piece) - len(piece.lstrip())
        name = piece.strip()
        column = base.column + at + lead
        out.append(_Field(name, make_span(base.line, column, base.line, column + max(len(name), 1))))
        at += len(piece) + 1
    return out


def _read_header(fields: list[str], starts: list[int], line: int, raw_row: str,
                 problems: _Problems) -> tuple[dict[str, int], list[int]] | None:
    """The column of each known name in the header, and the columns with no name (a spreadsheet's
    padding, which rows must leave empty); None when a required column is missing."""
    header: dict[str, int] = {}
    unnamed: list[int] = []
    for index, (name, start) in enumerate(zip(fields, starts)):
        cell = _csv_field(name, start, line, raw_row)
        key = (cell.value or "").casefold()
        if not key:
            unnamed.append(index)
        elif key in header:
            problems.add(COLUMNS, f"the column `{_shown(cell.value or '')}` is in the header twice", cell.span,
                         "keep one of them")
        elif key in COLUMN_NAMES:
            header[key] = index
        else:
            problems.add(COLUMNS, f"`{_shown(cell.value or '')}` is not a column a directory has"
                         + _did_you_mean(cell.value or "", COLUMN_NAMES), cell.span,
                         "the columns are person, roles, from and until (from and until may be left out)")
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        problems.add(COLUMNS, f"the header has no `{missing[0]}` column"
                     + (f" (nor `{missing[1]}`)" if len(missing) > 1 else ""),
                     make_span(line, 1, line, max(len(raw_row.split("\n")[0]), 1) + 1),
                     _header_help(raw_row))
        return None
    return header, unnamed


def _header_help(raw_row: str) -> str:
    for separator, called in ((";", "`;`"), ("\t", "tabs")):
        if len(raw_row.split(separator)) > 1 and "," not in raw_row:
            return (f"this file separates its columns with {called}; a directory separates them with commas "
                    "(`person,roles,from,until`; only the roles in a field are separated by `;`): save it as "
                    "comma-separated CSV")
    return ("the first line must name the columns, e.g. `person,roles,from,until`; was this line meant "
            "to be the header?")


def _did_you_mean(name: str, known: Collection[str]) -> str:
    hint = suggest(name.casefold(), known) if name else None
    if hint is None and name.casefold() in known:
        return ""
    return f" (did you mean `{hint}`?)" if hint else ""


# -- JSON -----------------------------------------------------------------------------------------

class _Pairs(list[tuple[str, Any]]):
    """A JSON object as written: its (key, value) pairs in order, repeated keys kept."""


_DECODER = json.JSONDecoder(object_pairs_hook=_Pairs)
_SPACE = re.compile(r"[ \t\n\r]*")


def _skip(text: str, at: int) -> int:
    """The offset of the first character at or after `at` that is not JSON whitespace."""
    return _SPACE.match(text, at).end()  # type: ignore[union-attr]  # `*` always matches


class _Lines:
    """Line and column of an offset in a text, by bisecting the offsets of its line breaks."""

    def __init__(self, text: str):
        self.breaks = [m.start() for m in re.finditer("\n", text)]

    def point(self, offset: int, width: int = 1) -> Span:
        """The span of `width` characters from `offset`, on one line."""
        line = bisect_left(self.breaks, offset)
        column = offset - (self.breaks[line - 1] + 1 if line else 0) + 1
        return make_span(line + 1, column, line + 1, column + width)


def _json_rows(text: str, problems: _Problems) -> Iterator[_Row]:
    if not text.strip():
        problems.add(COLUMNS, "the directory file is empty", make_span(1, 1, 1, 1),
                     'write a JSON list of objects: [{"person": "ana", "roles": ["cfo"]}]')
        return
    point = _Lines(text).point
    at = _skip(text, 0)
    if text[at] != "[":
        problems.add(BAD_JSON, "a JSON directory must be a list of objects, one per person and role",
                     point(at), 'write [{"person": "ana", "roles": ["cfo"]}, …]')
        return
    at = _skip(text, at + 1)
    first = True
    while True:
        if at < len(text) and text[at] == "]" and first:
            at += 1
            break
        try:
            element, end = _DECODER.raw_decode(text, at)
        except json.JSONDecodeError as exc:
            problems.add(BAD_JSON, f"this is not valid JSON: {exc.msg}", point(exc.pos),
                         "check for a missing comma, quote or bracket just before here")
            return
        yield from _json_row(element, text, at, end, problems, point)
        at = _skip(text, end)
        first = False
        if at < len(text) and text[at] == ",":
            at = _skip(text, at + 1)
            continue
        if at < len(text) and text[at] == "]":
            at += 1
            break
        problems.add(BAD_JSON, "this is not valid JSON: expected `,` or `]` after an object",
                     point(min(at, len(text))), "separate the objects with commas and close the list")
        return
    rest = _skip(text, at)
    if rest < len(text):
        problems.add(BAD_JSON, "there is more after the end of the list", point(rest),
                     "a directory is one JSON list; remove what follows it")


_WRITTEN_KEYS = {name: f'"{name}"' for name in COLUMN_NAMES}
_COLON = re.compile(r"[ \t\n\r]*:")


def _key_span(text: str, start: int, end: int, key: str, point: Callable[..., Span]) -> tuple[Span, int | None]:
    """The span of `"key"` in the object written at `start:end`, searched from `start`; and where its value
    starts (None when the key is written with escapes and not found: then the span is the object's)."""
    written = _WRITTEN_KEYS.get(key) or json.dumps(key, ensure_ascii=False)
    found = text.find(written, start, end)
    colon = None
    while found >= 0 and (colon := _COLON.match(text, found + len(written))) is None:
        found = text.find(written, found + 1, end)  # that was a value that reads like the key
    if found < 0 or colon is None:
        return point(start), None
    return point(found, len(written)), _skip(text, colon.end())


def _value_span(value: Any, at: int | None, key_span: Span, point: Callable[..., Span]) -> Span:
    """Where a field's value is written (a string's width as `json` writes it), else its key's span."""
    if at is None:
        return key_span
    return point(at, len(json.dumps(value, ensure_ascii=False)) if isinstance(value, str) else 1)


def _role_spans(value: list[str], at: int | None, text: str, end: int, fallback: Span,
                point: Callable[..., Span]) -> list[Span]:
    """The span of each role of a `roles` list, found in order after the list's start."""
    spans = []
    for role in value:
        written = json.dumps(role, ensure_ascii=False)
        found = text.find(written, at, end) if at is not None else -1
        spans.append(point(found, len(written)) if found >= 0 else fallback)
        if found >= 0:
            at = found + len(written)
    return spans


def _json_row(element: Any, text: str, start: int, end: int, problems: _Problems,
              point: Callable[..., Span]) -> Iterator[_Row]:
    here = point(start)
    end_here = point(max(end - 1, start))
    span = make_span(here.line, here.column, end_here.line, end_here.column + 1)
    if not isinstance(element, _Pairs):
        problems.add(BAD_JSON, f"each entry of the list must be an object, not {_json_kind(element)}", span,
                     'write {"person": "ana", "roles": ["cfo"]}')
        return
    fields: dict[str, tuple[Any, Span, int | None]] = {}
    broken = False
    search_from = start
    for key, value in element:
        if value is None and key in ("from", "until") and key not in fields:
            fields[key] = (None, span, None)  # null: nothing can be wrong with it, so no need to find it
            continue
        key_span, value_at = _key_span(text, search_from, end, key, point)
        search_from = value_at if value_at is not None else search_from
        if key in fields:
            problems.add(COLUMNS, f"the field `{_shown(key)}` is in this object twice", key_span, "keep one")
            broken = True
        elif key not in COLUMN_NAMES:
            problems.add(COLUMNS, f"`{_shown(key)}` is not a field a directory has" + _did_you_mean(key, COLUMN_NAMES),
                         key_span, "the fields are person, roles, from and until (from and until may be left out)")
            broken = True
        else:
            fields[key] = (value, key_span, value_at)
    for name in REQUIRED:
        if name not in fields:
            problems.add(COLUMNS, f"this object has no `{name}` field", span,
                         'each object needs a person and roles: {"person": "ana", "roles": ["cfo"]}')
            broken = True
    row = None if broken else _json_fields(fields, span, problems, text, end, point)
    if row is not None:
        yield row


def _json_kind(value: Any) -> str:
    if isinstance(value, _Pairs):
        return "an object"
    return {list: "a list", str: "a string", bool: "true/false", int: "a number", float: "a number",
            type(None): "null"}.get(type(value), type(value).__name__)


def _json_fields(fields: dict[str, tuple[Any, Span, int | None]], span: Span, problems: _Problems, text: str,
                 end: int, point: Callable[..., Span]) -> _Row | None:
    person_value, key_span, at = fields["person"]
    person_span = _value_span(person_value, at, key_span, point)
    roles_value, key_span, roles_at = fields["roles"]
    roles_span = _value_span(roles_value, roles_at, key_span, point)
    ok = True
    if not isinstance(person_value, str):
        problems.add(BAD_JSON, f"`person` must be a string, not {_json_kind(person_value)}", person_span,
                     'write "person": "ana"')
        ok = False
    if isinstance(roles_value, str):
        roles_field = _Field(roles_value.strip(), roles_span)
        plain = json.dumps(roles_value, ensure_ascii=False) == f'"{roles_value}"'  # each role's column is known
        inner = _Field(roles_value, make_span(roles_span.line, roles_span.column + 1, roles_span.line,
                                              roles_span.column + 1 + max(len(roles_value), 1)))
        roles = (_split_roles(inner) if plain else [_Field(piece.strip(), roles_span) for piece in roles_value.split(";")]
                 ) if roles_value.strip() else []
    elif isinstance(roles_value, list) and all(isinstance(r, str) for r in roles_value):
        roles_field = _Field(";".join(roles_value), roles_span)
        roles = [_Field(r.strip(), where)
                 for r, where in zip(roles_value, _role_spans(roles_value, roles_at, text, end, roles_span, point))]
    else:
        problems.add(BAD_JSON, "`roles` must be a list of role names (or one string of names separated by `;`), "
                               f"not {_json_kind(roles_value)}", roles_span, 'write "roles": ["cfo", "treasurer"]')
        return None
    dates: list[_Field | None] = []
    for name in ("from", "until"):
        value, key_span, at = fields.get(name, (None, span, None))
        if value is None:
            dates.append(None)
            continue
        where = _value_span(value, at, key_span, point)
        if value is not None and not isinstance(value, str):
            problems.add(BAD_JSON, f"`{name}` must be a date in a string, like \"2027-03-31\", or null, "
                                   f"not {_json_kind(value)}", where, f'write "{name}": "2027-03-31"')
            ok = False
        dates.append(_Field(value.strip() if isinstance(value, str) else None, where))
    if not ok:
        return None
    return _Row(span, _Field(person_value.strip(), person_span), roles, roles_field, dates[0], dates[1])


# -- holdings: checks both formats share ------------------------------------------------------------

_NAME_MATCH = NAME_RULE.fullmatch


def _name_problem(value: str, what: str) -> tuple[str, str] | None:
    """Why `value` cannot name a person or role (message, help), or None when it can."""
    if _NAME_MATCH(value) is None:
        first_bad = next((c for i, c in enumerate(value)
                          if not (c.isalnum() or c == "_") or (i == 0 and c.isdigit())), value[0])
        why = ("starts with a digit" if value[0].isdigit() else
               f"has `{_shown(first_bad)}` in it" if first_bad.isprintable() and not first_bad.isspace() else
               f"has a {'space' if first_bad == ' ' else f'hidden character (U+{ord(first_bad):04X})'} in it")
        return (f"`{_shown(value)}` cannot name a {what}: it {why}",
                f"a name is a letter or `_`, then letters, digits or `_` (e.g. `ana_lima`, `team_lead`)")
    if value.casefold() in KEYWORDS:
        return (f"`{value}` is a keyword of the charter language, so it cannot name a {what}",
                "choose another name (`ana_m`, `me_ops`); keywords are reserved in every case")
    return None


def _check_name(item: _Field, what: str, problems: _Problems) -> bool:
    value = item.value or ""
    if not value:
        problems.add(EMPTY, f"the {what} is empty", item.span,
                     f"write the {what}'s name here, or delete the row")
        return False
    problem = _name_problem(value, what)
    if problem is None:
        return True
    message, help = problem
    problems.add(BAD_NAME, message, item.span, help)
    return False


def _check_date(item: _Field | None, problems: _Problems) -> tuple[bool, date | None]:
    if item is None or not item.value:
        return True, None
    try:
        return True, parse_date(item.value)
    except BadValue as exc:
        problems.add(BAD_DATE, str(exc), item.span, "write a date as YYYY-MM-DD, like 2027-03-31, or leave it empty")
        return False, None


def _holdings(rows: Iterator[_Row | list[Holding]], problems: _Problems,
              known: frozenset[str] | None) -> list[Holding]:
    out: list[Holding] = []
    for row in rows:
        if isinstance(row, list):  # a plain row, already read and checked but for the charter's roles
            if known is not None:
                for h in row:
                    if h.role not in known:
                        _unknown_role(h.role, h.role_span, known, problems)
            out.extend(row)
            continue
        ok = _check_name(row.person, "person", problems)
        if not row.roles:
            problems.add(EMPTY, f"{row.person.value or 'this person'} has no role on this row",
                         row.roles_field.span, "write one or more roles, separated by `;` (`cfo;treasurer`)")
            ok = False
        good_roles = [r for r in row.roles if _check_name(r, "role", problems)]
        ok = ok and len(good_roles) == len(row.roles)
        if known is not None:
            for r in good_roles:
                if r.value not in known:
                    _unknown_role(r.value or "", r.span, known, problems)
                    ok = False
        good_start, start = _check_date(row.start, problems)
        good_until, until = _check_date(row.until, problems)
        if start is not None and until is not None and start > until:
            assert row.start is not None and row.until is not None
            problems.add(DATES_ORDER, f"the holding runs from {start} until {until}: it ends before it starts",
                         row.start.span.to(row.until.span), "swap the dates, or correct one of them",
                         (Label(span=row.until.span, message="until here"),))
            ok = False
        if ok and good_start and good_until:
            person = row.person.value or ""
            out.extend(_new_holding(person, r.value or "", start, until, row.span, row.person.span, r.span)
                       for r in good_roles)
    return out


def _unknown_role(role: str, span: Span, known: frozenset[str], problems: _Problems) -> None:
    hint = suggest(role, known)
    problems.add(UNKNOWN_ROLE, f"`{role}` is not a role of the charter" + (f" (did you mean `{hint}`?)" if hint else ""),
                 span, f"declare it with `role {role}` in the charter, or fix the spelling")


_SET_HOLDING = tuple(Holding.__dict__[name].__set__
                     for name in ("person", "role", "start", "until", "span", "person_span", "role_span"))


def _new_holding(person: str, role: str, start: date | None, until: date | None, span: Span, person_span: Span,
                 role_span: Span) -> Holding:
    """`Holding(...)` without a frozen dataclass's `object.__setattr__` per field: reading's hot path."""
    holding = _new_object(Holding)
    set_person, set_role, set_start, set_until, set_span, set_person_span, set_role_span = _SET_HOLDING
    set_person(holding, person)
    set_role(holding, role)
    set_start(holding, start)
    set_until(holding, until)
    set_span(holding, span)
    set_person_span(holding, person_span)
    set_role_span(holding, role_span)
    return holding


_new_object = object.__new__


def _check_duplicates(holdings: list[Holding], problems: _Problems) -> None:
    """The same person holding the same role at overlapping dates, reported at the later row."""
    first: dict[tuple[str, str], Holding] = {}
    groups: dict[tuple[str, str], list[Holding]] = {}  # only the person-role pairs stated more than once
    for h in holdings:
        key = (h.person, h.role)
        seen = first.setdefault(key, h)
        if seen is not h:
            groups.setdefault(key, [seen]).append(h)
    for (person, role), group in groups.items():
        ordered = sorted(group, key=lambda h: (h.start or date.min, h.span.line))
        reach = ordered[0]
        for h in ordered[1:]:
            if reach.until is None or (h.start or date.min) <= reach.until:
                later, earlier = (h, reach) if h.span.line >= reach.span.line else (reach, h)
                problems.add(DUPLICATE, f"{person} holds {role} twice at overlapping dates: on line "
                                        f"{earlier.span.line} {_dates(earlier)}, here {_dates(later)}",
                             later.role_span, "delete one of the rows, or give them dates that do not overlap",
                             (Label(span=earlier.role_span, message="first held here"),))
            if reach.until is not None and (h.until is None or h.until > reach.until):
                reach = h


def _dates(h: Holding) -> str:
    """`with no dates`, `from 2027-01-01`, `until 2027-03-31`, `from 2027-01-01 until 2027-03-31`."""
    if h.start is None and h.until is None:
        return "with no dates"
    return " ".join(part for part in (h.start and f"from {h.start}", h.until and f"until {h.until}") if part)
