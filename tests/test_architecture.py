"""The house rules of `src/decisionrights/` (docs/architecture.md), checked by reading the source.

Every import is counted, those inside functions too: an import that only runs
later still ties two modules together. Only an import under `if TYPE_CHECKING:`
is left out: it never runs, and lets a lower floor name a type of a higher one
in an annotation (`lint(charter: Charter)`). Run alone with
`pytest tests/test_architecture.py`; each failure names the modules involved.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "decisionrights"

# The floors of the house, lowest first: a module may import from its own floor and the ones below.
# The ground floor is shared by every stage; `charter` (the façade) and the front doors sit on top.
FLOORS: list[tuple[str, ...]] = [
    ("source", "values", "diagnostics", "errors", "words", "markdown", "version"),
    ("syntax",),
    ("compile",),
    ("decide",),
    ("analysis",),
    ("views",),
    ("charter", "cache"),
    ("cli", "testing", "__init__", "__main__"),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((SRC / PACKAGE).rglob("*.py"))}


MODULES = modules()


def _absolute(importer: str, is_package: bool, level: int, target: str | None) -> str:
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([target] if target else [])])


def imports_of(name: str) -> list[tuple[str, tuple[str, ...], int]]:
    """`(module, names, line)` for every import of our own package in module `name`, anywhere in it."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if _is_type_checking(block)
                   for stmt in block.body for n in ast.walk(stmt)}  # type: ignore[attr-defined]
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom):
            target = _absolute(name, path.name == "__init__.py", node.level, node.module) if node.level \
                else (node.module or "")
            if not (target == PACKAGE or target.startswith(PACKAGE + ".")):
                continue
            names = tuple(a.name for a in node.names)
            # `from . import model`: the module imported is `decisionrights.model`
            subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
            if subs:
                found += [(s, (), node.lineno) for s in subs]
                rest = tuple(n for n in names if f"{target}.{n}" not in MODULES)
                if rest:
                    found.append((target, rest, node.lineno))
            else:
                found.append((target, names, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, (), node.lineno) for a in node.names
                      if a.name == PACKAGE or a.name.startswith(PACKAGE + ".")]
    return found


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING"))


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in MODULES}
    for name in MODULES:
        for target, _, _ in imports_of(name):
            if target != name and target in MODULES:
                edges[name].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(out)


def floor_of(name: str) -> int:
    rest = name[len(PACKAGE) + 1:] if name != PACKAGE else "__init__"
    top = rest.split(".")[0]
    for i, floor in enumerate(FLOORS):
        if top in floor:
            return i
    raise AssertionError(f"{name} is on no floor of tests/test_architecture.py's FLOORS: add it there "
                         f"and to docs/architecture.md")


def test_the_walk_sees_the_imports_it_should():
    # A walk that finds nothing would pass every rule below: it must see the façade's own imports.
    edges = graph()
    assert f"{PACKAGE}.charter" in edges[PACKAGE]
    assert any(t.startswith(f"{PACKAGE}.syntax") for t in edges[f"{PACKAGE}.charter"])
    assert len(MODULES) > 30


def test_the_walk_finds_a_circle_when_there_is_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_anywhere():
    found = cycles(graph())
    assert not found, "modules that import each other, directly or round a circle:\n" + \
        "\n".join("  " + " <-> ".join(c) for c in found)


def test_every_module_imports_only_from_its_floor_and_below():
    wrong = []
    for name in MODULES:
        for target, _, line in imports_of(name):
            if target in MODULES and floor_of(target) > floor_of(name):
                wrong.append(f"{name} (line {line}) imports {target}, a floor above it")
    assert not wrong, "\n".join(wrong)


def test_no_module_imports_another_modules_private_name():
    wrong = []
    for name in MODULES:
        for target, names, line in imports_of(name):
            for n in names:
                if n.startswith("_") and not (n.startswith("__") and n.endswith("__")):
                    wrong.append(f"{name} (line {line}) imports `{n}` from {target}")
            leaf = target.rsplit(".", 1)[-1]
            if not names and leaf.startswith("_") and leaf != "__init__" and target != name:
                wrong.append(f"{name} (line {line}) imports the private module {target}")
    assert not wrong, "\n".join(wrong)


def test_no_module_reads_another_modules_private_attribute():
    """`from . import request` and then `request._today` is a private import by another name."""
    wrong = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = _absolute(name, path.name == "__init__.py", node.level, node.module)
                for a in node.names:
                    if f"{base}.{a.name}" in MODULES:
                        aliases[a.asname or a.name] = f"{base}.{a.name}"
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
                if node.attr.startswith("_") and not node.attr.startswith("__"):
                    wrong.append(f"{name} (line {node.lineno}) reads {aliases[node.value.id]}.{node.attr}")
    assert not wrong, "\n".join(wrong)


LONG = 60
"""Lines a function may take; a longer one says why in a `# long: …` comment on its first line."""


def test_functions_are_short_or_say_why_not():
    wrong = []
    for name, path in MODULES.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
                header = " ".join(lines[first - 1: node.body[0].lineno])
                if size > LONG and "# long:" not in header:
                    wrong.append(f"{name}.{node.name} (line {node.lineno}) is {size} lines")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("package", ["syntax", "compile", "decide", "analysis", "views", "cli"])
def test_each_stage_is_a_folder_with_its_purpose_written_on_the_door(package):
    init = SRC / PACKAGE / package / "__init__.py"
    tree = ast.parse(init.read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{package}/__init__.py says what the stage owns"
    assert package in (SRC.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
