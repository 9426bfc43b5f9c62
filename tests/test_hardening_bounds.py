"""Issue 13, items 10–12: loading and every analysis stay in time proportional to the charter.

No test here times anything: each counts work (Python lines executed in a
module, region operations) at two sizes and checks it grows linearly, or
checks that a case that used to run for minutes ends with its located
limit diagnostic.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

import decisionrights as dr
from decisionrights import compile as compile_module

ON = date(2027, 1, 15)


@contextmanager
def lines_run_in(module_file: str):
    """Count the Python lines executed in one module (a measure of work that no clock disturbs)."""
    count = [0]

    def local(frame, event, arg):
        if event == "line":
            count[0] += 1
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename == module_file else None

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        yield count
    finally:
        sys.settrace(old)


def chain_text(n: int, *, flows_up: bool = False, grant_at: str = "r0", verb: str = "decide") -> str:
    lines = ['charter "chain"', "currency EUR"]
    if flows_up:
        lines.append("authority flows up")
    lines.append("role r0")
    lines += [f"role r{i} reports to r{i - 1}" for i in range(1, n)]
    lines.append("decision d {\n  amount: money\n}")
    lines.append(f"{grant_at} may {verb} d when amount <= 10")
    return "\n".join(lines) + "\n"


def compile_lines(text: str) -> int:
    with lines_run_in(compile_module.__file__) as count:
        dr.loads(text, "chain.charter")
    return count[0]


# -- item 10: the reporting line is walked in linear time ------------------------------------------


def test_a_long_reporting_chain_loads_with_work_linear_in_its_length():
    small, large = compile_lines(chain_text(300)), compile_lines(chain_text(600))
    assert large < 2.4 * small, (small, large)  # a quadratic walk makes it 4 times, a cubic one 8


@pytest.mark.parametrize("verb", ["decide", "propose"])
def test_inheriting_up_a_long_chain_is_linear_too(verb):
    """`authority flows up`: the roles below each role were listed by walking up from every role."""
    small = compile_lines(chain_text(300, flows_up=True, grant_at="r299", verb=verb))
    large = compile_lines(chain_text(600, flows_up=True, grant_at="r599", verb=verb))
    assert large < 2.4 * small, (small, large)


def test_a_2000_role_chain_loads_and_every_role_inherits_the_one_grant():
    charter = dr.loads(chain_text(2000, flows_up=True, grant_at="r1999"))
    assert charter.who_may("d", amount=5, on=ON) == tuple(f"r{i}" for i in range(2000))
    assert not charter.may("r0", "d", amount=11, on=ON)


def reference_cycles(roles: list[str], manager: dict[str, str | None]) -> list[tuple[str, str]]:
    """The reporting-cycle check as it was (walk the line from every role), for comparison."""
    manager = dict(manager)
    out = []
    for start in roles:
        seen: list[str] = []
        role = start
        while role is not None and role not in seen:
            seen.append(role)
            role = manager.get(role)
        if role == start:
            out.append((start, " → ".join(seen + [start])))
            manager[start] = None
    return out


@given(st.lists(st.integers(min_value=-1, max_value=11), min_size=1, max_size=12))
def test_every_reporting_cycle_is_reported_as_before(bosses):
    """Any reporting line (each role's boss drawn at random): the same DR106 findings, in the same order."""
    roles = [f"r{i}" for i in range(len(bosses))]
    manager = {r: (f"r{b}" if 0 <= b < len(roles) else None) for r, b in zip(roles, bosses)}
    lines = ['charter "c"'] + [f"role {r}" + (f" reports to {b}" if b else "") for r, b in manager.items()]
    expected = reference_cycles(roles, manager)
    if not expected:
        dr.loads("\n".join(lines) + "\n")
        return
    with pytest.raises(dr.CompileError) as info:
        dr.loads("\n".join(lines) + "\n")
    found = [(d.span.line, d.message) for d in info.value.diagnostics]
    assert all(d.code == "DR106" for d in info.value.diagnostics)
    assert found == [(roles.index(start) + 2, "the reporting line goes round in a circle: " + ring)
                     for start, ring in expected]


# -- item 11: inherited ways count against the limit -----------------------------------------------


def flows_up_ladder(n: int, verb: str = "decide") -> str:
    """A chain of n roles under `authority flows up`, each with its own grant: n(n+1)/2 ways."""
    lines = ['charter "ladder"', "currency EUR", "authority flows up", "role r0"]
    lines += [f"role r{i} reports to r{i - 1}" for i in range(1, n)]
    lines.append("decision d {\n  amount: money\n}")
    lines += [f"r{i} may {verb} d when amount <= {i + 1}" for i in range(n)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("verb", ["decide", "propose"])
def test_inherited_ways_over_the_limit_stop_the_load_at_a_grant(verb):
    n = 700  # 245,350 ways, over compile.MAX_PATHS
    assert n * (n + 1) // 2 > compile_module.MAX_PATHS
    text = flows_up_ladder(n, verb)
    with pytest.raises(dr.CompileError) as info:
        dr.loads(text, "ladder.charter")
    [d] = info.value.diagnostics
    assert d.code == "DR110"
    assert "inherited up the reporting line" in d.message and f"ways to {verb}" in d.message
    assert text.splitlines()[d.span.line - 1].startswith("r") and f" may {verb} d " in text.splitlines()[d.span.line - 1]
    assert [label.span.line for label in d.labels] == [3]  # the `authority flows up` line
    assert [x.code for x in dr.lint(text)] == ["DR110"]  # lint stops there too, as for delegation chains


def test_inherited_ways_under_the_limit_still_load():
    n = 500  # 125,250 ways
    assert n * (n + 1) // 2 <= compile_module.MAX_PATHS
    charter = dr.loads(flows_up_ladder(n))
    assert sum(len(p) for p in charter.compiled.paths.values()) == n * (n + 1) // 2
    assert charter.may("r0", "d", amount=n, on=ON)  # the lowest role's limit, inherited all the way up
    assert not charter.may(f"r{n - 1}", "d", amount=n + 1, on=ON)  # the lowest role holds only its own
    assert charter.may(f"r{n - 1}", "d", amount=n, on=ON)
