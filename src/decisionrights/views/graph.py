"""The delegation graph: the reporting line and the delegations, as Mermaid or Graphviz dot.

Pure functions from a loaded `Charter` to text; the `graph` command prints them.
"""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING

from ..analysis.regions import Region
from ..compile.ir import CompiledCharter, Delegation
from ..words import KEYWORD, KINDS
from .facts import condition_words, roles_of

if TYPE_CHECKING:
    from ..charter import Charter

def delegation_lines(cc: CompiledCharter, d: Delegation) -> list[str]:
    """A delegation's edge label, line by line: decision, limits, dates, obligations, sub-delegation."""
    attrs = cc.decisions[d.decision].attrs
    region = Region.from_cond(d.cond, attrs)
    lines = [d.decision]
    when = condition_words(region, cc.currency)
    if when is not None:
        lines.append("when " + when)
    if d.start and d.end:
        lines.append(f"from {d.start.isoformat()} until {d.end.isoformat()}")
    elif d.start:
        lines.append(f"from {d.start.isoformat()}")
    elif d.end:
        lines.append(f"until {d.end.isoformat()}")
    for kind in KINDS:
        roles = roles_of(d.obligations, kind)
        if roles:
            lines.append(f"{KEYWORD[kind]} {', '.join(roles)}")
    if d.further == math.inf:
        lines.append("may subdelegate")
    elif d.further:
        n = int(d.further)
        lines.append(f"may subdelegate up to {n} level{'s' if n != 1 else ''}")
    return lines


GIVES_NOTHING = "gives nothing (see decisionrights lint)"


def _delegations(cc: CompiledCharter, decision: str | None) -> list[Delegation]:
    return [d for d in cc.delegations if decision is None or d.decision == decision]


def used_delegations(cc: CompiledCharter) -> set[int]:
    """Ids of the delegations some way in uses: the others pass nothing on (lint says why)."""
    return {id(link) for paths in cc.ways.values() for path in paths for link in path.links}


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
    used = used_delegations(cc)
    for d in _delegations(cc, decision):
        lines = delegation_lines(cc, d) + ([] if id(d) in used else [GIVES_NOTHING])
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
    used = used_delegations(cc)
    for d in _delegations(cc, decision):
        lines = delegation_lines(cc, d) + ([] if id(d) in used else [GIVES_NOTHING])
        colour = '"#0969da"' if id(d) in used else '"#8c959f"'
        out.append(f"  {_dot_string(d.delegator)} -> {_dot_string(d.delegate)} [style=dashed, "
                   f"color={colour}, fontcolor={colour}, constraint=false, label={_dot_string(chr(10).join(lines))}];")
    out.append("}")
    return "\n".join(out) + "\n"
