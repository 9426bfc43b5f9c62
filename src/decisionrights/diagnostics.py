"""One diagnostic shape for everything a user is told, and its renderers (text, JSON, GitHub, SARIF).

Parse errors, compile errors, lint findings and failed expectations are all a
`Diagnostic`: a code, a severity, a one-line message in charter terms, the
span it is about, labels pointing at related lines, and a hint.
"""

from __future__ import annotations

import json
import os
from enum import Enum
from typing import Any, Iterable

from pydantic import BaseModel, ConfigDict, Field

from .source import Source, Span


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


class Label(BaseModel):
    """A related place: 'the forbid on line 22', 'declared here'."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    span: Span
    message: str
    path: str | None = None


class Diagnostic(BaseModel):
    """A problem found in a charter or a request, at a place in a file."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    code: str
    severity: Severity
    message: str
    path: str = "<string>"
    span: Span | None = None
    labels: tuple[Label, ...] = ()
    notes: tuple[str, ...] = ()
    help: str | None = None
    source: Source | None = Field(default=None, exclude=True, repr=False)

    def location(self) -> str:
        if self.span is None:
            return self.path
        return f"{self.path}:{self.span.line}:{self.span.column}"

    def to_dict(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude={"source"})
        return data

    def render(self, color: bool = False) -> str:
        return render_one(self, color=color)


_COLORS = {"error": "31", "warning": "33", "info": "36", "bold": "1", "blue": "34"}


def _paint(text: str, what: str, color: bool) -> str:
    if not color:
        return text
    return f"\x1b[{_COLORS[what]}m{text}\x1b[0m"


def use_color(stream: Any) -> bool:
    """Colour for a terminal, or whenever FORCE_COLOR is set; never when NO_COLOR is set.

    NO_COLOR (https://no-color.org) and FORCE_COLOR (https://force-color.org)
    count when set to anything but the empty string; NO_COLOR wins.
    """
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _caret_line(span: Span, text: str) -> tuple[int, int]:
    """Start column (0-based) and width of the caret run for `span` on its first line."""
    start = max(span.column - 1, 0)
    if span.end_line == span.line:
        width = max(span.end_column - span.column, 1)
    else:
        width = max(len(text) - start, 1)
    return start, width


def render_one(diag: Diagnostic, color: bool = False) -> str:
    """Render like rustc/ruff: header, location, source line with a caret, labels, help."""
    sev = diag.severity.value
    head = _paint(f"{sev}[{diag.code}]", sev, color) + _paint(f": {diag.message}", "bold", color)
    out = [head, f" --> {diag.location()}"]
    spans: list[tuple[Span, str, bool]] = []
    if diag.span is not None:
        spans.append((diag.span, "", True))
    for label in diag.labels:
        if label.path in (None, diag.path):
            spans.append((label.span, label.message, False))
    if diag.source is not None and spans:
        width = max(len(str(s.line)) for s, _, _ in spans)
        pad = " " * width
        out.append(f"{pad} |")
        shown_line = None
        for span, message, primary in sorted(spans, key=lambda t: (t[0].line, not t[2])):
            text = diag.source.line(span.line).replace("\t", " ")
            if span.line != shown_line:  # each source line once, however many marks it carries
                out.append(f"{str(span.line).rjust(width)} | {text}")
                shown_line = span.line
            start, run = _caret_line(span, text)
            mark = ("^" if primary else "-") * run
            mark = _paint(mark, sev if primary else "blue", color)
            tail = f" {message}" if message else ""
            out.append(f"{pad} | {' ' * start}{mark}{tail}")
    for label in diag.labels:
        if label.path not in (None, diag.path):
            out.append(f"   = {label.message} ({label.path}:{label.span.line}:{label.span.column})")
    for note in diag.notes:
        out.append(f"   = {note}")
    if diag.help:
        out.append(_paint("help", "bold", color) + f": {diag.help}")
    return "\n".join(out)


def render_text(diags: Iterable[Diagnostic], color: bool = False) -> str:
    return "\n\n".join(render_one(d, color=color) for d in diags)


def render_json(diags: Iterable[Diagnostic]) -> str:
    return json.dumps([d.to_dict() for d in diags], indent=2)


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(diags: Iterable[Diagnostic]) -> str:
    """GitHub Actions workflow commands: one `::error file=…` line per diagnostic."""
    kinds = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for d in diags:
        props = [f"file={_gh_escape(d.path, True)}"]
        if d.span is not None:
            props += [
                f"line={d.span.line}",
                f"col={d.span.column}",
                f"endLine={d.span.end_line}",
                f"endColumn={d.span.end_column}",
            ]
        props.append(f"title={_gh_escape(d.code, True)}")
        message = d.message + "".join(f"\n{note}" for note in d.notes) + (f"\nhelp: {d.help}" if d.help else "")
        lines.append(f"::{kinds[d.severity.value]} {','.join(props)}::{_gh_escape(message)}")
    return "\n".join(lines)


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _sarif_rules(diags: list[Diagnostic], rules: Iterable[dict[str, str]]) -> dict[str, dict[str, Any]]:
    """SARIF rule metadata by code: the known rules first, then one entry per other code (a charter error)."""
    out: dict[str, dict[str, Any]] = {}
    for r in rules:
        # No helpUri: the project has no website, so the rule's whole text travels in the log itself.
        doc = r["text"]
        out[r["code"]] = {"id": r["code"], "name": r["name"],
                          "shortDescription": {"text": doc.splitlines()[0]},
                          "fullDescription": {"text": " ".join(doc.split())},
                          "help": {"text": doc},
                          "defaultConfiguration": {"level": _SARIF_LEVEL[r["severity"]]}}
    for d in diags:
        out.setdefault(d.code, {"id": d.code, "name": d.code,
                                "shortDescription": {"text": "an error in the charter"},
                                "help": {"text": f"{d.code}: an error in the charter; each message says what "
                                                 f"is wrong and its hint how to fix it (the codes are listed "
                                                 f"in docs/lint-rules.md of decisionrights)"},
                                "defaultConfiguration": {"level": _SARIF_LEVEL[d.severity.value]}})
    return out


def _sarif_result(d: Diagnostic, index: int) -> dict[str, Any]:
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": d.path}}}
    if d.span is not None:
        location["physicalLocation"]["region"] = {
            "startLine": d.span.line, "startColumn": d.span.column,
            "endLine": d.span.end_line, "endColumn": d.span.end_column}
    text = d.message + "".join(f"\n{note}" for note in d.notes) + (f"\nhelp: {d.help}" if d.help else "")
    result: dict[str, Any] = {"ruleId": d.code, "ruleIndex": index,
                              "level": _SARIF_LEVEL[d.severity.value], "message": {"text": text},
                              "locations": [location]}
    related = [{"id": i, "message": {"text": lab.message},
                "physicalLocation": {"artifactLocation": {"uri": lab.path or d.path},
                                     "region": {"startLine": lab.span.line, "startColumn": lab.span.column}}}
               for i, lab in enumerate(d.labels)]
    if related:
        result["relatedLocations"] = related
    return result


def render_sarif(diags: Iterable[Diagnostic], rules: Iterable[dict[str, str]] = (), *, version: str = "") -> str:
    """SARIF 2.1.0, as GitHub code scanning accepts it: rule metadata, physical locations, levels.

    `rules` is the rule index (`analysis.lint.rule_index()`: code, name, severity, text); `version`
    is the tool's, shown as the driver's version.
    """
    diags = list(diags)
    metadata = _sarif_rules(diags, rules)
    order = list(metadata)
    results = [_sarif_result(d, order.index(d.code)) for d in diags]
    log = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "decisionrights", "version": version,
                                         "rules": list(metadata.values())}},
                     "results": results}]}
    return json.dumps(log, indent=2)
