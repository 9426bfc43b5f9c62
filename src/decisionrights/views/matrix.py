"""What people read: the authority matrix, the delegation graph and authority cards.

Pure functions from a loaded `Charter` to text; `cli_views` prints them.
Everything is derived from the exact regions of `Charter.authority_of`, so a
view can never say more (or less) than `may()` answers:

- `authority_matrix` → `Matrix`, rendered by `matrix_markdown`, `matrix_csv`
  and `matrix_html`: decisions × roles, each cell in plain words with
  RACI/RAPID-style letters (D, P, A, C, I; see `LEGEND`).
- `graph_mermaid`, `graph_dot`: the reporting line and the delegations.
- `authority_card` → `Card`, rendered by `card_text` and `card_markdown`.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from .. import markdown as md
from ..analysis.authority import Analysis, DecisionAuthority, bounded_analysis
from ..compile.ir import CompiledCharter, Delegation
from ..analysis.regions import Region
from ..decide.request import request_date

if TYPE_CHECKING:
    from ..charter import Charter

# -- words shared by every view -----------------------------------------------------

LETTERS = ("D", "P", "A", "C", "I")
LEGEND: tuple[tuple[str, str], ...] = (
    ("D", ("decides: may decide alone within the limits shown, doing what the cell names "
           "(announce, consult, inform, get a co-signer)")),
    ("P", "may propose (recommend, RAPID's R) but not decide"),
    ("A", "must agree: co-signs another role's decision (`with agreement of`)"),
    ("C", "consulted: gives a view before another role decides; cannot block"),
    ("I", ("informed: told after another role decides (`inform`), or told beforehand "
           "(`announce`: may stop it, silence means go)")),
    ("—", "no part in this decision"),
)

_KIND_ORDER = ("agreement", "announce", "consult", "inform")
"""Obligation kinds, most demanding first: a card files a part under the first it carries."""


def _and(names: Iterable[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _roles_of(obligations: Iterable[tuple[str, str]], kind: str) -> list[str]:
    return sorted({r for k, r in obligations if k == kind})


def obligation_words(obligations: Iterable[tuple[str, str]]) -> str:
    """`announce board; inform cfo` in plain words: `announcing it to board first, informing cfo`."""
    obligations = list(obligations)
    words = {"announce": "announcing it to {} first", "consult": "consulting {} first",
             "inform": "informing {}", "agreement": "with agreement of {}"}
    out = []
    for kind in ("announce", "consult", "agreement", "inform"):
        roles = _roles_of(obligations, kind)
        if roles:
            out.append(words[kind].format(_and(roles)))
    return ", ".join(out)


def _delegation_words(delegator: str, start: date | None, until: date | None) -> str:
    if until is not None:
        return f"delegated until {until.isoformat()}, from {delegator}"
    return f"delegated from {delegator}, no end date"


# -- gathering the facts once -------------------------------------------------------

class _Facts:
    """Every role's authority on one date, plus what a role holds without delegations."""

    def __init__(self, charter: Charter, on: date | str | None):
        self.charter = charter
        self.cc: CompiledCharter = charter.compiled
        self.on = request_date(on)
        self.held: dict[str, dict[str, DecisionAuthority]] = {
            role: charter.authority_of(role, on=self.on) for role in self.cc.roles}
        self._analysis = Analysis(self.cc, self.on)

    def currency(self) -> str | None:
        return self.cc.currency

    def own(self, role: str, decision: str) -> Region:
        """What `role` decides through grants (its own or inherited), leaving delegations out."""
        out = self._analysis.nothing(decision)
        for path in self.cc.paths.get((role, decision), ()):
            if not path.links:
                out = out | self._analysis.path_region(path)
        return out

    def delegated(self, role: str, decision: str) -> list[tuple[str, date | None, date | None]]:
        """(delegator, from, until) of the delegations that give `role` something on this date.

        `DecisionAuthority.delegated` also lists delegations outside their dates;
        a view on one date shows only those in effect.
        """
        out = []
        for path in self.cc.paths.get((role, decision), ()):
            if path.links and path.active_on(self.on) and not self._analysis.path_region(path).is_empty():
                link = path.links[-1]
                if (link.delegator, link.start, link.end) not in out:
                    out.append((link.delegator, link.start, link.end))
        return out

    def named_in(self, role: str, decision: str) -> dict[str, list[str]]:
        """Per obligation kind, the roles whose authority on `decision` obliges them to involve `role`."""
        out: dict[str, list[str]] = {k: [] for k in _KIND_ORDER}
        for other in self.cc.roles:
            if other == role or decision not in self.held[other]:
                continue
            for part in self.held[other][decision].parts:
                for kind, named in part.obligations:
                    if named == role and other not in out[kind]:
                        out[kind].append(other)
        return out


def _when(region: Region, currency: str | None) -> str | None:
    """The region as a condition, or None when it is every request."""
    return None if region.is_everything() else region.render(currency)


# -- the authority matrix ------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One line of a matrix cell: a letter and plain words, conditions kept apart for typesetting.

    `pieces` alternate kinds: `("text", "decides when ")`, `("cond", "amount <= 25k")`.
    """

    letter: str
    pieces: tuple[tuple[str, str], ...]

    def plain(self) -> str:
        return "".join(text for _, text in self.pieces)


@dataclass(frozen=True)
class Cell:
    decision: str
    role: str
    entries: tuple[Entry, ...]

    @property
    def letters(self) -> str:
        """The letters that apply, in legend order: `D I`; empty when the role has no part."""
        seen = {e.letter for e in self.entries}
        return " ".join(letter for letter in LETTERS if letter in seen)

    def plain(self, sep: str = "\n") -> str:
        if not self.entries:
            return "—"
        return sep.join(f"{e.letter}: {e.plain()}" for e in self.entries)


@dataclass(frozen=True)
class Matrix:
    title: str
    path: str
    on: date
    currency: str | None
    roles: tuple[str, ...]
    decisions: tuple[tuple[str, str | None], ...]
    """(name, description) in declaration order."""
    cells: dict[tuple[str, str], Cell]

    def cell(self, decision: str, role: str) -> Cell:
        return self.cells[(decision, role)]

    def note(self) -> str:
        money = f"; amounts in {self.currency}" if self.currency else ""
        return (f"Authority on {self.on.isoformat()}{money}. Limits are exact: forbids (`may not`, "
                f"`nobody may`) are already taken out, and delegations count only within their dates.")


def _decide_entries(facts: _Facts, role: str, decision: str) -> list[Entry]:
    held = facts.held[role].get(decision)
    if held is None:
        return []
    cur = facts.currency()
    out: list[Entry] = []
    parts = sorted(held.parts, key=lambda p: (len(p.obligations), sorted(p.obligations)))
    for part in parts:
        when = _when(part.region, cur)
        pieces: list[tuple[str, str]] = [("text", "decides always")] if when is None else \
            [("text", "decides when "), ("cond", when)]
        words = obligation_words(part.obligations)
        if words:
            pieces.append(("text", ", " + words))
        out.append(Entry("D", tuple(pieces)))
    delegated = facts.delegated(role, decision)
    if delegated:
        pieces = []
        for i, (delegator, _start, until) in enumerate(delegated):
            pieces.append(("text", "; " if i else ""))
            if until is not None:
                pieces += [("text", "delegated until "), ("date", until.isoformat()), ("text", f", from {delegator}")]
            else:
                pieces.append(("text", f"delegated from {delegator}, no end date"))
        own = facts.own(role, decision)
        if own.is_empty():
            pieces.append(("text", " (holds no grant of its own)"))
        elif own != held.region:
            pieces += [("text", "; its own grant alone: "), ("cond", own.render(cur))]
        out.append(Entry("D", tuple(pieces)))
    rest = held.propose - held.region
    if not rest.is_empty():
        if held.region.is_empty() and rest.is_everything():
            out.append(Entry("P", (("text", "may propose, not decide"),)))
        else:
            word = "beyond that, may propose when " if not held.region.is_empty() else "may propose, not decide, when "
            out.append(Entry("P", (("text", word), ("cond", rest.render(cur)))))
    return out


def _named_entries(facts: _Facts, role: str, decision: str) -> list[Entry]:
    named = facts.named_in(role, decision)
    out = []
    if named["agreement"]:
        out.append(Entry("A", (("text", f"co-signs when {_and(named['agreement'])} decides"),)))
    if named["consult"]:
        out.append(Entry("C", (("text", f"consulted by {_and(named['consult'])}"),)))
    told = []
    if named["announce"]:
        told.append(f"told beforehand by {_and(named['announce'])} (may stop it)")
    if named["inform"]:
        told.append(f"informed by {_and(named['inform'])}")
    if told:
        out.append(Entry("I", (("text", "; ".join(told)),)))
    return out


@bounded_analysis
def authority_matrix(charter: Charter, *, on: date | str | None = None) -> Matrix:
    """Decisions × roles on date `on` (today by default): what each role may do with each decision."""
    facts = _Facts(charter, on)
    cells = {}
    for decision in facts.cc.decisions:
        for role in facts.cc.roles:
            entries = _decide_entries(facts, role, decision) + _named_entries(facts, role, decision)
            cells[(decision, role)] = Cell(decision, role, tuple(entries))
    decisions = tuple((name, spec.title) for name, spec in facts.cc.decisions.items())
    return Matrix(charter.title, charter.path, facts.on, facts.currency(), facts.cc.roles, decisions, cells)


_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


def _md(text: str) -> str:
    """Our prose with charter-derived words in it, safe inside a Markdown table cell: pipes and
    line breaks escaped, nothing read as an HTML tag or entity, a link or image (`[`, `]`), or a
    mention (`@` gets a word joiner); the rest stays readable in the raw text."""
    text = text.replace("\\", "\\\\").replace("&", "&amp;").replace("|", "\\|")
    text = text.replace("[", "\\[").replace("]", "\\]").replace("@", "@\u2060")
    return _TAG_START.sub("&lt;", text).replace("\n", " ")


def _md_code(text: str) -> str:
    """A charter-derived condition or name as a code span, safe in a table cell."""
    return md.code(text)


def _md_entry(entry: Entry) -> str:
    body = "".join(_md_code(t) if kind == "cond" else _md(t) for kind, t in entry.pieces)
    return f"**{entry.letter}** {body}"


def matrix_markdown(matrix: Matrix) -> str:
    """A GitHub-flavoured Markdown table with a legend under it."""
    lines = [f"# Authority matrix: {_md(matrix.title)}", "", _md(matrix.note()), "",
             "| decision | " + " | ".join(_md_code(r) for r in matrix.roles) + " |",
             "| --- |" + " --- |" * len(matrix.roles)]
    for name, title in matrix.decisions:
        head = f"**{_md(name)}**" + (f"<br>{_md(title)}" if title else "")
        row = []
        for role in matrix.roles:
            cell = matrix.cell(name, role)
            row.append("<br>".join(_md_entry(e) for e in cell.entries) if cell.entries else "—")
        lines.append(f"| {head} | " + " | ".join(row) + " |")
    lines += ["", "**Legend**", ""]
    lines += [f"- **{letter}** {_md(words)}" for letter, words in LEGEND]
    return "\n".join(lines) + "\n"


def matrix_csv(matrix: Matrix) -> str:
    """One row per decision, one column per role; each cell's lines are `LETTER: words`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["decision", "description", *matrix.roles])
    for name, title in matrix.decisions:
        writer.writerow([name, title or "", *(matrix.cell(name, r).plain() for r in matrix.roles)])
    return out.getvalue()


_HTML_STYLE = """
:root { --ink: #1b1f24; --muted: #5b6470; --rule: #d5dae1; --head: #f2f4f7;
  --D: #1a7f37; --P: #6e7781; --A: #bc4c00; --C: #8250df; --I: #0969da; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 2rem; color: var(--ink); background: #fff; line-height: 1.4;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
.meta { color: var(--muted); margin: 0 0 1.25rem; max-width: 60rem; }
.wrap { overflow-x: auto; }
/* The table fills the page; its cells' font shrinks with the number of role columns (--roles, set
   on the table) so that a column holds about fourteen letters: words wrap whole, names after a `_`
   (<wbr>), and only a word longer than a column breaks inside. Below 9px it scrolls instead. */
table { --dcol: 9rem; --cell: clamp(9px, calc((100vw - 4rem - var(--dcol)) / var(--roles, 1) / 8.8), .86rem);
  border-collapse: collapse; width: 100%; table-layout: fixed;
  min-width: calc(var(--dcol) + var(--roles, 1) * 8.8 * 9px); }
col.dcol { width: var(--dcol); }
th, td { border: 1px solid var(--rule); padding: .4em .45em; vertical-align: top; text-align: left; }
thead th { background: var(--head); position: sticky; top: 0; font-size: var(--cell); }
tbody th { background: var(--head); font-size: min(.9rem, calc(var(--cell) * 1.05)); }
tbody th .name { display: block; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
tbody th .title { display: block; font-weight: normal; color: var(--muted); font-size: .9em; }
td { font-size: var(--cell); overflow-wrap: break-word; }
td.none { color: #a3abb5; text-align: center; vertical-align: middle; font-size: calc(var(--cell) * 1.3); }
.e { margin: 0 0 .4em; }
.e:last-child { margin-bottom: 0; }
.L { display: inline-block; width: 1.6em; margin-right: .4em; text-align: center;
  border-radius: .3em; color: #fff; font-weight: 700; font-size: .8em; line-height: 1.6em; }
.L-D { background: var(--D); } .L-P { background: var(--P); } .L-A { background: var(--A); }
.L-C { background: var(--C); } .L-I { background: var(--I); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .92em;
  background: #f6f8fa; border: 1px solid #e4e8ee; border-radius: .2em; padding: 0 .15em;
  overflow-wrap: break-word; -webkit-box-decoration-break: clone; box-decoration-break: clone; }
dl.legend { display: grid; grid-template-columns: 2.2rem 1fr; gap: .35rem .5rem; max-width: 60rem; margin: 0; }
dl.legend dt { margin: 0; } dl.legend dd { margin: 0; }
td .nw { white-space: nowrap; }
footer { margin-top: 1.5rem; color: var(--muted); font-size: .8rem; }
@media print {
  /* One landscape A4 sheet (281 mm wide inside the margins) for a matrix of up to about fifteen
     roles: the cells' font shrinks with the columns, from 6.5pt down to 5pt. */
  @page { size: A4 landscape; margin: 8mm; }
  body { margin: 0; font-size: 6.5pt; line-height: 1.25; }
  h1 { font-size: 10pt; margin: 0; } .meta { margin: 0 0 3pt; font-size: 6pt; max-width: none; }
  table { --dcol: 20mm; --cell: clamp(5pt, calc((281mm - var(--dcol)) / var(--roles, 1) / 10), 6.5pt);
    min-width: 0; }
  th, td { padding: 1.5pt 2pt; }
  td, th { line-height: 1.2; }
  .e { margin-bottom: 1pt; }
  .wrap { overflow: visible; }
  thead th { position: static; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  h2 { font-size: 6.5pt; margin: 3pt 0 1pt; }
  dl.legend { grid-template-columns: repeat(3, 1.4em 1fr); gap: 0 4pt; max-width: none; font-size: 5.5pt; }
  footer { margin-top: 2pt; font-size: 5.5pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
""".strip()


_TICKED = re.compile(r"`([^`]+)`")


def _html_words(text: str) -> str:
    """Escaped text with `ticked` words set as code."""
    return _TICKED.sub(lambda m: f"<code>{m.group(1)}</code>", html.escape(text))


def _breakable(text: str) -> str:
    """Escaped text that may wrap after an underscore: `vendor_<wbr>related`."""
    return html.escape(text).replace("_", "_<wbr>")


def _html_entry(entry: Entry) -> str:
    tags = {"cond": ("<code>", "</code>"), "date": ('<span class="nw">', "</span>"), "text": ("", "")}
    body = "".join(tags[kind][0] + _breakable(t) + tags[kind][1] for kind, t in entry.pieces if t)
    return f'<div class="e"><span class="L L-{entry.letter}">{entry.letter}</span>{body}</div>'


def matrix_html(matrix: Matrix, *, version: str = "") -> str:
    """One self-contained, printable HTML page: inline CSS, no scripts, no fonts or images to fetch."""
    esc = html.escape
    title = f"Authority matrix: {matrix.title}"
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{esc(title)} ({matrix.on.isoformat()})</title>", f"<style>\n{_HTML_STYLE}\n</style>",
           "</head>", "<body>", f"<h1>{esc(title)}</h1>",
           f'<p class="meta">{_html_words(matrix.note())}<br>From <code>{esc(matrix.path)}</code>.</p>',
           '<div class="wrap">',
           f'<table style="--roles: {max(len(matrix.roles), 1)}">',
           f'<colgroup><col class="dcol"><col span="{max(len(matrix.roles), 1)}"></colgroup>',
           "<thead><tr>", '<th scope="col">decision</th>']
    out += [f'<th scope="col">{_breakable(r)}</th>' for r in matrix.roles]
    out += ["</tr></thead>", "<tbody>"]
    for name, desc in matrix.decisions:
        out.append(f'<tr><th scope="row"><span class="name">{_breakable(name)}</span>'
                   + (f'<span class="title">{esc(desc)}</span>' if desc else "") + "</th>")
        for role in matrix.roles:
            cell = matrix.cell(name, role)
            if cell.entries:
                label = esc(f"{role} on {name}: {cell.letters}")
                out.append(f'<td title="{label}">' + "".join(_html_entry(e) for e in cell.entries) + "</td>")
            else:
                out.append(f'<td class="none" title="{esc(f"{role} on {name}: no part")}">—</td>')
        out.append("</tr>")
    out += ["</tbody>", "</table></div>", "<h2>Legend</h2>", '<dl class="legend">']
    for letter, words in LEGEND:
        mark = f'<span class="L L-{letter}">{letter}</span>' if letter in LETTERS else esc(letter)
        out.append(f"<dt>{mark}</dt><dd>{_html_words(words)}</dd>")
    made = f"decisionrights {version}".strip()
    footer = f"Made by {esc(made)} from {esc(matrix.path)}, showing authority on {matrix.on.isoformat()}."
    out += ["</dl>", f"<footer>{footer}</footer>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


# -- the delegation graph ------------------------------------------------------------

def _delegation_lines(cc: CompiledCharter, d: Delegation) -> list[str]:
    """A delegation's edge label, line by line: decision, limits, dates, obligations, sub-delegation."""
    attrs = cc.decisions[d.decision].attrs
    region = Region.from_cond(d.cond, attrs)
    lines = [d.decision]
    when = _when(region, cc.currency)
    if when is not None:
        lines.append("when " + when)
    if d.start and d.end:
        lines.append(f"from {d.start.isoformat()} until {d.end.isoformat()}")
    elif d.start:
        lines.append(f"from {d.start.isoformat()}")
    elif d.end:
        lines.append(f"until {d.end.isoformat()}")
    kinds = {"announce": "announce", "inform": "inform", "consult": "consult", "agreement": "with agreement of"}
    for kind, word in kinds.items():
        roles = _roles_of(d.obligations, kind)
        if roles:
            lines.append(f"{word} {', '.join(roles)}")
    if d.further == math.inf:
        lines.append("may subdelegate")
    elif d.further:
        n = int(d.further)
        lines.append(f"may subdelegate up to {n} level{'s' if n != 1 else ''}")
    return lines


_GIVES_NOTHING = "gives nothing (see decisionrights lint)"


def _delegations(cc: CompiledCharter, decision: str | None) -> list[Delegation]:
    return [d for d in cc.delegations if decision is None or d.decision == decision]


def _used(cc: CompiledCharter) -> set[int]:
    """Ids of the delegations some way in uses: the others pass nothing on (lint says why)."""
    return {id(link) for paths in cc.paths.values() for path in paths for link in path.links}


_MERMAID_ENTITY = re.compile(r"(#\w+);")


def _mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid edge label, as Mermaid 11 shows it with HTML labels and with SVG ones.

    `&`, `<`, `>` and `"` are HTML's named entities (`&lt;=` shows as `<=`); `|`, `` ` `` and `#`
    stay as they are inside quotes, except that `#name;` would be read as Mermaid's own entity
    code, so its `;` is written `&semi;`. Mermaid's `#lt;`-style codes are not used: with SVG labels
    (`htmlLabels: false`) Mermaid 11 shows most of them as `&quot;`, `&#35;`… literally.
    Checked in headless Chromium by tests/test_hardening_views.py.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return _MERMAID_ENTITY.sub(r"\1&semi;", text).replace("\n", " ")


def graph_mermaid(charter: Charter, *, decision: str | None = None) -> str:
    """A Mermaid flowchart: the reporting line as solid lines, delegations as dashed labelled arrows."""
    cc = charter.compiled
    ids = {role: f"r{i}" for i, role in enumerate(cc.roles)}
    scope = f" — {decision}" if decision else ""
    out = ["---", f"title: {json.dumps(cc.title + scope, ensure_ascii=False)}", "---", "flowchart TD",
           "  %% solid line: reports to (manager above); dashed arrow: delegates a decision"]
    for role in cc.roles:
        out.append(f'  {ids[role]}["{_mermaid_text(role)}"]')
    for role in cc.roles:
        boss = cc.manager.get(role)
        if boss is not None:
            out.append(f"  {ids[boss]} --- {ids[role]}")
    used = _used(cc)
    for d in _delegations(cc, decision):
        lines = _delegation_lines(cc, d) + ([] if id(d) in used else [_GIVES_NOTHING])
        label = "<br>".join(_mermaid_text(line) for line in lines)
        out.append(f'  {ids[d.delegator]} -.->|"{label}"| {ids[d.delegate]}')
    return "\n".join(out) + "\n"


def _dot_string(text: str) -> str:
    """A DOT double-quoted string; lines joined with DOT's centred line break."""
    lines = text.split("\n")
    return '"' + "\\n".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in lines) + '"'


def graph_dot(charter: Charter, *, decision: str | None = None) -> str:
    """A Graphviz digraph: the reporting line as solid lines, delegations as dashed labelled arrows."""
    cc = charter.compiled
    scope = f" — {decision}" if decision else ""
    legend = f"{cc.title}{scope}\nsolid line: reports to (manager above) · dashed arrow: delegates"
    font = '"Helvetica,Arial,sans-serif"'
    out = ["digraph charter {",
           (f"  graph [label={_dot_string(legend)}, labelloc=t, fontname={font}, fontsize=14, "
            "rankdir=TB, nodesep=0.5, ranksep=0.7];"),
           f'  node [shape=box, style="rounded,filled", fillcolor="#f2f4f7", color="#8c959f", fontname={font}];',
           f"  edge [fontname={font}, fontsize=10];"]
    for role in cc.roles:
        out.append(f"  {_dot_string(role)} [label={_dot_string(role)}];")
    for role in cc.roles:
        boss = cc.manager.get(role)
        if boss is not None:
            out.append(f'  {_dot_string(boss)} -> {_dot_string(role)} [arrowhead=none, color="#57606a"];')
    used = _used(cc)
    for d in _delegations(cc, decision):
        lines = _delegation_lines(cc, d) + ([] if id(d) in used else [_GIVES_NOTHING])
        colour = '"#0969da"' if id(d) in used else '"#8c959f"'
        out.append(f"  {_dot_string(d.delegator)} -> {_dot_string(d.delegate)} [style=dashed, "
                   f"color={colour}, fontcolor={colour}, constraint=false, label={_dot_string(chr(10).join(lines))}];")
    out.append("}")
    return "\n".join(out) + "\n"


# -- authority cards -----------------------------------------------------------------

@dataclass(frozen=True)
class CardItem:
    """One line of a card: a decision, the condition it holds under (None: always) and notes."""

    decision: str
    when: str | None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CardSection:
    heading: str
    hint: str
    items: tuple[CardItem, ...]
    always: bool
    """Shown even when empty (then it says `nothing`)."""


@dataclass(frozen=True)
class Card:
    title: str
    path: str
    role: str
    on: date
    currency: str | None
    manager: str | None
    sections: tuple[CardSection, ...]

    def subtitle(self) -> str:
        bits = [f"reports to {self.manager}" if self.manager else "reports to nobody",
                f"on {self.on.isoformat()}"]
        if self.currency:
            bits.append(f"amounts in {self.currency}")
        return " · ".join(bits)


_DECIDE_SECTIONS = {
    None: ("What I may decide alone", "no need to ask anyone: this is mine"),
    "announce": ("…after announcing it to", "\"I intend to…\"; they may stop it, silence means go"),
    "consult": ("…after consulting", "hear their view first; they cannot block"),
    "inform": ("…informing afterwards", "decide, then tell them"),
    "agreement": ("…with a co-signer", "both of us must agree"),
}


def _obligation_notes(obligations: frozenset[tuple[str, str]]) -> list[str]:
    words = {"announce": "announce to {} first", "consult": "consult {} first", "inform": "inform {} afterwards",
             "agreement": "co-signed by {}"}
    return [words[kind].format(_and(_roles_of(obligations, kind)))
            for kind in ("agreement", "announce", "consult", "inform") if _roles_of(obligations, kind)]


def _escalation_items(cc: CompiledCharter, role: str) -> list[CardItem]:
    line = cc.line_up(role)
    out = []
    if line:
        rest = f"; if {line[0]} may not decide it either, on up: {', '.join(line[1:])}" if len(line) > 1 else ""
        out.append(CardItem("", None, (f"{line[0]}, my manager{rest}",)))
    else:
        out.append(CardItem("", None, (
            "nobody above me: take it to whoever may decide it (`decisionrights who`), or change the charter",)))
    for decision, target in cc.escalations.items():
        chain = [target, *cc.line_up(target)]
        chain = [r for r in chain if r != role]
        if not chain:
            continue
        out.append(CardItem(decision, None, (f"{chain[0]}, as the charter says (`escalate {decision} to {target}`)",)))
    return out


@bounded_analysis
def authority_card(charter: Charter, role: str, *, on: date | str | None = None) -> Card:
    """What one role may do, on one page: alone, with whom, only propose, never; and where to go else."""
    facts = _Facts(charter, on)
    cc = facts.cc
    cur = facts.currency()
    held = facts.held[role]
    filed: dict[str | None, list[CardItem]] = {k: [] for k in _DECIDE_SECTIONS}
    propose: list[CardItem] = []
    for decision in cc.decisions:
        authority = held.get(decision)
        if authority is None:
            continue
        delegated = [_delegation_words(*d) for d in facts.delegated(role, decision)]
        own = facts.own(role, decision)
        parts = sorted(authority.parts, key=lambda p: (len(p.obligations), sorted(p.obligations)))
        for part in parts:
            kind = next((k for k in _KIND_ORDER if _roles_of(part.obligations, k)), None)
            extra: list[str] = []
            if delegated and not part.region <= own:  # this part rests, at least in part, on a delegation
                extra = list(delegated)
                if own.is_empty():
                    extra.append("I hold no grant of my own for it")
                elif not (part.region & own).is_empty():
                    extra.append(f"my own grant alone: {own.render(cur)}")
            notes = tuple(_obligation_notes(part.obligations) + extra)
            filed[kind].append(CardItem(decision, _when(part.region, cur), notes))
        rest = authority.propose - authority.region
        if not rest.is_empty():
            propose.append(CardItem(decision, _when(rest, cur)))
    sections = [CardSection(*_DECIDE_SECTIONS[None], tuple(filed[None]), True)]
    for kind in ("announce", "consult", "inform", "agreement"):
        sections.append(CardSection(*_DECIDE_SECTIONS[kind], tuple(filed[kind]), False))
    sections.append(CardSection("What I may only propose", "bring it to whoever decides it", tuple(propose), True))
    forbidden = []
    for decision in cc.decisions:
        for f in cc.forbids_of.get((role, decision), ()):
            who = "nobody may" if f.role is None else "I may not"
            region = Region.from_cond(f.cond, cc.decisions[decision].attrs)
            forbidden.append(CardItem(decision, _when(region, cur), (f"{who} (line {f.rule.line})",)))
    sections.append(CardSection("Not okay (forbidden)", "whatever any grant says", tuple(forbidden), True))
    involved = []
    for decision in cc.decisions:
        named = facts.named_in(role, decision)
        needs: list[str] = []
        if named["agreement"]:
            needs.append(f"I co-sign when {_and(named['agreement'])} decides")
        if named["announce"]:
            needs.append(f"{_and(named['announce'])} tells me beforehand; I may stop it")
        if named["consult"]:
            needs.append(f"{_and(named['consult'])} consults me first")
        if named["inform"]:
            needs.append(f"{_and(named['inform'])} informs me afterwards")
        if needs:
            involved.append(CardItem(decision, None, tuple(needs)))
    sections.append(CardSection("Where others need me", "co-sign, stop, advise or be told", tuple(involved), False))
    sections.append(CardSection("For everything else, go to", "outside my limits", tuple(_escalation_items(cc, role)),
                                True))
    return Card(charter.title, charter.path, role, facts.on, cur, cc.manager.get(role), tuple(sections))


def _item_head(item: CardItem, section: CardSection) -> str:
    if section.heading.startswith("For everything else"):
        return f"{item.decision}: {item.notes[0]}" if item.decision else item.notes[0]
    if item.when is None:
        return f"{item.decision}, always" if not section.heading.startswith("Where") else item.decision
    return f"{item.decision}, when {item.when}"


def card_text(card: Card, *, width: int = 80, color: bool = False) -> str:
    """The card for a terminal or a printout: at most `width` columns, bold headings with `color`."""
    bold = (lambda s: f"\x1b[1m{s}\x1b[0m") if color else (lambda s: s)
    rule = "=" * width
    out = [bold(f"Authority card: {card.role}"), *textwrap.wrap(card.title, width),
           *textwrap.wrap(card.subtitle(), width), rule]
    for section in card.sections:
        if not section.items and not section.always:
            continue
        out += ["", bold(section.heading) + f"  ({section.hint})" if len(section.heading) + len(section.hint) + 4
                <= width else bold(section.heading)]
        if not section.items:
            out.append("  nothing")
        everything_else = section.heading.startswith("For everything else")
        for item in section.items:
            out += textwrap.wrap(_item_head(item, section), width, initial_indent="  - ",
                                 subsequent_indent="      ", break_on_hyphens=False)
            for note in (() if everything_else else item.notes):
                out += textwrap.wrap(note, width, initial_indent="      ", subsequent_indent="        ",
                                     break_on_hyphens=False)
    return "\n".join(out) + "\n"


def card_markdown(card: Card) -> str:
    """The card as Markdown: a heading per section, a bullet per item, conditions as code."""
    out = [f"# Authority card: {_md(card.role)}", "", f"**{_md(card.title)}** · {_md(card.subtitle())}"]
    for section in card.sections:
        if not section.items and not section.always:
            continue
        out += ["", f"## {_md(section.heading)}", "", f"*{_md(section.hint)}*", ""]
        if not section.items:
            out.append("- nothing")
        everything_else = section.heading.startswith("For everything else")
        for item in section.items:
            if everything_else:
                head = f"**{item.decision}**: {_md(item.notes[0])}" if item.decision else _md(item.notes[0])
                out.append(f"- {head}")
                continue
            head = f"**{item.decision}**"
            if item.when is not None:
                head += f" when {_md_code(item.when)}"
            elif not section.heading.startswith("Where"):
                head += ", always"
            out.append(f"- {head}" + "".join(f"  \n  {_md(n)}" for n in item.notes))
    return "\n".join(out) + "\n"
