"""The authority matrix: decisions × roles, each cell in plain words with RACI/RAPID-style letters.

`authority_matrix` → `Matrix`, rendered by `matrix_markdown`, `matrix_csv` and
`matrix_html` (D, P, A, C, I; see `LEGEND`). Pure functions from a loaded
`Charter` to text; the `matrix` command prints them.
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ..analysis.authority import bounded_analysis
from .facts import Facts, and_list, condition_words, md_code, md_text, obligation_words

if TYPE_CHECKING:
    from ..charter import Charter

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
    holders: dict[str, tuple[str, ...]] | None = None
    """With `persons=True`: per role, the persons holding it on the date (shown in its header); else None."""

    def cell(self, decision: str, role: str) -> Cell:
        return self.cells[(decision, role)]

    def note(self) -> str:
        money = f"; amounts in {self.currency}" if self.currency else ""
        return (f"Authority on {self.on.isoformat()}{money}. Limits are exact: forbids (`may not`, "
                f"`nobody may`) are already taken out, and delegations count only within their dates.")


def _decide_entries(facts: Facts, role: str, decision: str) -> list[Entry]:
    held = facts.held[role].get(decision)
    if held is None:
        return []
    cur = facts.currency()
    out: list[Entry] = []
    parts = sorted(held.parts, key=lambda p: (len(p.obligations), sorted(p.obligations)))
    for part in parts:
        when = condition_words(part.region, cur)
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


def _named_entries(facts: Facts, role: str, decision: str) -> list[Entry]:
    named = facts.named_in(role, decision)
    out = []
    if named["agreement"]:
        out.append(Entry("A", (("text", f"co-signs when {and_list(named['agreement'])} decides"),)))
    if named["consult"]:
        out.append(Entry("C", (("text", f"consulted by {and_list(named['consult'])}"),)))
    told = []
    if named["announce"]:
        told.append(f"told beforehand by {and_list(named['announce'])} (may stop it)")
    if named["inform"]:
        told.append(f"informed by {and_list(named['inform'])}")
    if told:
        out.append(Entry("I", (("text", "; ".join(told)),)))
    return out


@bounded_analysis
def authority_matrix(charter: Charter, *, on: date | str | None = None, persons: bool = False) -> Matrix:
    """Decisions × roles on date `on` (today by default): what each role may do with each decision.

    With `persons=True` the matrix also keeps, per role, the persons holding it on that date (`holders`),
    and each renderer lists them under the role's name."""
    facts = Facts(charter, on)
    cells = {}
    for decision in facts.cc.decisions:
        for role in facts.cc.roles:
            entries = _decide_entries(facts, role, decision) + _named_entries(facts, role, decision)
            cells[(decision, role)] = Cell(decision, role, tuple(entries))
    decisions = tuple((name, spec.title) for name, spec in facts.cc.decisions.items())
    holders = {role: facts.cc.people.holders(role, facts.on) for role in facts.cc.roles} if persons else None
    return Matrix(charter.title, charter.path, facts.on, facts.currency(), facts.cc.roles, decisions, cells,
                  holders)


def _persons(matrix: Matrix, role: str) -> str:
    """The persons holding `role` that day, for its header: `eva, fay`; `nobody` when none does."""
    assert matrix.holders is not None
    return ", ".join(matrix.holders.get(role, ())) or "nobody"


def _md_role(matrix: Matrix, role: str) -> str:
    if matrix.holders is None:
        return md_code(role)
    return f"{md_code(role)}<br>{md_text(_persons(matrix, role))}"


def _md_entry(entry: Entry) -> str:
    body = "".join(md_code(t) if kind == "cond" else md_text(t) for kind, t in entry.pieces)
    return f"**{entry.letter}** {body}"


def matrix_markdown(matrix: Matrix) -> str:
    """A GitHub-flavoured Markdown table with a legend under it."""
    lines = [f"# Authority matrix: {md_text(matrix.title)}", "", md_text(matrix.note()), "",
             "| decision | " + " | ".join(_md_role(matrix, r) for r in matrix.roles) + " |",
             "| --- |" + " --- |" * len(matrix.roles)]
    for name, title in matrix.decisions:
        head = f"**{md_text(name)}**" + (f"<br>{md_text(title)}" if title else "")
        row = []
        for role in matrix.roles:
            cell = matrix.cell(name, role)
            row.append("<br>".join(_md_entry(e) for e in cell.entries) if cell.entries else "—")
        lines.append(f"| {head} | " + " | ".join(row) + " |")
    lines += ["", "**Legend**", ""]
    lines += [f"- **{letter}** {md_text(words)}" for letter, words in LEGEND]
    return "\n".join(lines) + "\n"


def matrix_csv(matrix: Matrix) -> str:
    """One row per decision, one column per role; each cell's lines are `LETTER: words`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    heads = matrix.roles if matrix.holders is None else [f"{r} ({_persons(matrix, r)})" for r in matrix.roles]
    writer.writerow(["decision", "description", *heads])
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


_PERSONS_STYLE = "\nthead th .persons { display: block; font-weight: normal; color: var(--muted); font-size: .9em; }"
"""Added to the style only when the header lists the persons holding each role (`persons=True`)."""


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
           f"<title>{esc(title)} ({matrix.on.isoformat()})</title>", f"<style>\n{_HTML_STYLE}{'' if matrix.holders is None else _PERSONS_STYLE}\n</style>",
           "</head>", "<body>", f"<h1>{esc(title)}</h1>",
           f'<p class="meta">{_html_words(matrix.note())}<br>From <code>{esc(matrix.path)}</code>.</p>',
           '<div class="wrap">',
           f'<table style="--roles: {max(len(matrix.roles), 1)}">',
           f'<colgroup><col class="dcol"><col span="{max(len(matrix.roles), 1)}"></colgroup>',
           "<thead><tr>", '<th scope="col">decision</th>']
    if matrix.holders is None:
        out += [f'<th scope="col">{_breakable(r)}</th>' for r in matrix.roles]
    else:
        out += [f'<th scope="col">{_breakable(r)}<span class="persons">{esc(_persons(matrix, r))}</span></th>'
                for r in matrix.roles]
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
