"""`lint`: every mistake in a charter in one run — the compiler's and the ones no parser can see.

Each rule is a module here with a stable code, a severity and a docstring
(what it finds, why it matters, an example, the fix). `lint()` runs the
compiler in its forgiving mode, so a charter with errors is still analysed
for everything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from types import ModuleType
from typing import TYPE_CHECKING, Any, Iterable

from ...compile.ir import CompiledCharter
from ...compile.stages import compile_partial, errors_beside
from ...diagnostics import Diagnostic, Label, Severity
from ...errors import CharterError
from ...syntax.parse import parse
from ...source import Source, Span

from . import (
    acting_overlap,
    beyond_authority,
    confusable_names,
    decision_without_grant,
    delegation_cycle,
    delegation_dates,
    gap,
    never_effective,
    person_without_role,
    redundant_grant,
    role_holds_nothing,
    several_deciders,
    sod_gap,
    subdelegation,
    vacancy,
)

if TYPE_CHECKING:
    from ...charter import Charter

RULES: tuple[ModuleType, ...] = (
    beyond_authority,
    subdelegation,
    delegation_cycle,
    delegation_dates,
    never_effective,
    redundant_grant,
    gap,
    decision_without_grant,
    role_holds_nothing,
    several_deciders,
    confusable_names,
    vacancy,
    acting_overlap,
    sod_gap,
    person_without_role,
)


@dataclass
class Context:
    """What a rule sees: the compiled charter (without its broken statements) and the date."""

    compiled: CompiledCharter
    on: date

    @property
    def source(self) -> Source:
        return self.compiled.source

    def diagnostic(self, code: str, severity: Severity, span: Span | None, message: str, *,
                   help: str | None = None, labels: Iterable[tuple[Span, str]] = (),
                   notes: Iterable[str] = ()) -> Diagnostic:
        return Diagnostic(code=code, severity=severity, message=message, path=self.source.path,
                          span=span, help=help, labels=tuple(Label(span=s, message=m) for s, m in labels),
                          notes=tuple(notes), source=self.source)

    @cached_property
    def analysis(self) -> Any:
        from ..authority import Analysis

        return Analysis(self.compiled, self.on)


def _sort_key(d: Diagnostic) -> tuple:
    span = d.span
    return (d.path, span.line if span else 10**9, span.column if span else 0, -d.severity.rank, d.code)


TOO_COMPLEX = "DR200"


def _analyse(compiled: CompiledCharter, on: date) -> list[Diagnostic]:
    """Run every rule, each under its own work budget; a rule that runs out is skipped with a DR200
    at the statement it was analysing."""
    from ..authority import bounded
    from ...errors import TooComplex

    ctx = Context(compiled, on)
    found: list[Diagnostic] = []
    for rule in RULES:
        out: list[Diagnostic] = []
        try:
            with bounded(compiled):
                out.extend(rule.check(ctx))
        except TooComplex as exc:
            stopped = exc.diagnostics[0]
            reason = stopped.message.split(": ", 1)[-1]
            out.append(ctx.diagnostic(
                TOO_COMPLEX, Severity.WARNING, stopped.span,
                f"the {rule.NAME} check ({rule.CODE}) was skipped: {reason}, too many to analyse exactly",
                help=stopped.help))
        found.extend(out)
    return found


def lint_text(text: str, path: str = "<string>", on: date | None = None, *,
              directory: Any = None) -> list[Diagnostic]:
    """Every problem in a charter's text: syntax and compile errors, then the analysis rules.

    `directory` is a directory file of people read beside the charter (`syntax.directory.read_directory`):
    its clashes with the charter (DR107, DR115, DR129) are reported, located in the file, and the people
    rules see its holdings."""
    source = Source(text, path)
    try:
        tree = parse(source)
    except CharterError as exc:  # a syntax error hides no compile error of the other statements
        return sorted([*exc.diagnostics, *errors_beside(exc, source)], key=_sort_key)
    compiled, errors = compile_partial(tree, source, directory)
    if any(d.code == "DR110" for d in errors):
        return sorted(errors, key=_sort_key)  # without its delegation chains the analysis would mislead
    found = _analyse(compiled, on or date.today())
    if errors:
        found = _not_from_broken(found, tree, errors, compiled)
    return sorted([*errors, *found], key=_sort_key)


def _not_from_broken(found: list[Diagnostic], tree: Any, errors: list[Diagnostic],
                     compiled: CompiledCharter) -> list[Diagnostic]:
    """The findings that do not stem from a statement that failed to compile.

    The analysis sees the charter without its broken statements, so "no role
    may decide `d`" (DR208) and "role `cfo` holds nothing" (DR209) are false
    when the broken line is `cf0 may decide d`: the broken statement names
    them. Such a finding is left out when a broken statement names its
    decision or role, or misspells it (`cf0` for `cfo`). The other rules judge
    what the statements that compiled say, and are kept.
    """
    from ...compile.resolve import suggest
    from ...syntax.parse import reserved_words

    lines = {d.span.line for d in errors if d.span is not None and d.severity is Severity.ERROR}
    names = set(compiled.roles) | set(compiled.decisions)
    touched: set[str] = set()
    source = compiled.source
    for st in tree.statements:
        if any(st.span.line <= line <= st.span.end_line for line in lines):
            text = "\n".join(source.line(n) for n in range(st.span.line, st.span.end_line + 1))
            touched.update(w for w in re.findall(r"\w+", text) if w in names)
    for d in errors:
        if d.code not in ("DR101", "DR102"):  # an undeclared role or decision: perhaps a misspelt one
            continue
        written = re.match(r"`(\w+)`", d.message)
        if written and written.group(1) not in reserved_words():
            guess = suggest(written.group(1), names)
            if guess:
                touched.add(guess)
    if not touched:
        return found
    return [d for d in found if d.code not in _NAMES_IT or not touched.intersection(re.findall(r"`(\w+)`", d.message))]


_NAMES_IT = frozenset({"DR208", "DR209", "DR212"})
"""The rules that say nothing names (or holds) a decision or role: a broken statement that names it makes them
false (`person bo holds cf0` is meant to fill the vacancy of `cfo`)."""


def lint(charter: Charter | str, on: date | None = None) -> list[Diagnostic]:
    """Lint a loaded charter (or a charter's text): the findings of every rule, in line order."""
    if isinstance(charter, str):
        return lint_text(charter, on=on)
    return sorted(_analyse(charter.compiled, on or date.today()), key=_sort_key)


def rule_index() -> list[dict[str, str]]:
    """Every rule's code, name, severity, first docstring line and whole docstring (`text`), for docs and
    SARIF (`diagnostics.render_sarif(diags, rule_index(), version=...)`)."""
    from ...compile.stages import __doc__ as _  # noqa: F401  (compile codes are documented in docs/lint-rules.md)

    return [{"code": r.CODE, "name": r.NAME, "severity": r.SEVERITY.value,
             "summary": (r.__doc__ or "").strip().splitlines()[0],
             "text": (r.__doc__ or r.NAME).strip()} for r in RULES]
