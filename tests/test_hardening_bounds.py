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
from decisionrights.compile import context, declare, ir, resolve, stages, statements, ways

COMPILE_FILES = frozenset(mod.__file__ for mod in (context, declare, ir, resolve, stages, statements, ways))
"""The modules of the compiler proper (compile/ but for the conditions and the currency list)."""

ON = date(2027, 1, 15)


@contextmanager
def lines_run_in(module_files: frozenset[str]):
    """Count the Python lines executed in some modules (a measure of work that no clock disturbs)."""
    count = [0]

    def local(frame, event, arg):
        if event == "line":
            count[0] += 1
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename in module_files else None

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
    with lines_run_in(COMPILE_FILES) as count:
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


def test_lint_does_not_walk_a_long_reporting_line_once_per_pair_of_roles():
    """DR210 asked, for every pair of deciders, whether one is above the other by walking the line up."""
    n = 300
    charter = dr.loads(chain_text(n, flows_up=True, grant_at=f"r{n - 1}"))  # every role decides d
    with lines_run_in(COMPILE_FILES) as count:
        found = dr.lint(charter, on=ON)
    assert count[0] < 20 * n, count[0]  # the pairs' walks made it about n³ / 6
    assert "DR210" not in {d.code for d in found}  # one reporting line: never several deciders
    assert "DR200" not in {d.code for d in found}


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
    assert n * (n + 1) // 2 > ways.MAX_PATHS
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
    assert n * (n + 1) // 2 <= ways.MAX_PATHS
    charter = dr.loads(flows_up_ladder(n))
    assert sum(len(p) for p in charter.compiled.ways.values()) == n * (n + 1) // 2
    assert charter.may("r0", "d", amount=n, on=ON)  # the lowest role's limit, inherited all the way up
    assert not charter.may(f"r{n - 1}", "d", amount=n + 1, on=ON)  # the lowest role holds only its own
    assert charter.may(f"r{n - 1}", "d", amount=n, on=ON)


# -- item 12: every analysis finishes in proportion to the charter, or stops with a located DR200 ---

from decisionrights.analysis import regions as regions_module  # noqa: E402
from decisionrights.compile.conditions import All, Cmp  # noqa: E402
from decisionrights.compile.conditions import AttrSpec  # noqa: E402


def test_a_long_and_chain_on_one_attribute_is_intersected_in_n_log_n():
    """`a != 0 and a != 1 and …`: each atom was intersected into a set that kept growing (n² cuts)."""
    attrs = {"a": AttrSpec("a", "number", ())}

    def work(n: int) -> int:
        cond = All(tuple(Cmp("a", "!=", i) for i in range(n)))
        with lines_run_in(frozenset({regions_module.__file__})) as count:
            region = regions_module.Region.from_cond(cond, attrs)
        assert not region.contains({"a": n - 1}) and region.contains({"a": n})
        return count[0]

    small, large = work(200), work(400)
    assert large < 3 * small, (small, large)  # n log n: a little over 2; n²: 4


def staircase(n: int, *, forbids: bool = False, role: str = "r") -> str:
    """n grants (or forbids) of one role on one decision, each overlapping the next, none covering another."""
    lines = ['charter "staircase"', f"role {role}", "decision d {", "  a: number", "  b: number", "}"]
    if forbids:
        lines.append(f"{role} may decide d")
    word = "may not" if forbids else "may"
    lines += [f"{role} {word} decide d when a >= {i} and b >= {n - i}" for i in range(n)]
    return "\n".join(lines) + "\n"


def is_statement_line(text: str, diagnostic) -> bool:
    return diagnostic.span is not None and " decide d when a >= " in text.splitlines()[diagnostic.span.line - 1]


def test_many_overlapping_grants_stop_authority_of_with_a_public_located_error():
    text = staircase(80)
    charter = dr.loads(text, "staircase.charter")
    with pytest.raises(dr.TooComplex) as info:
        charter.authority_of("r", on=ON)
    assert isinstance(info.value, dr.CharterError) and not isinstance(info.value, regions_module.TooComplex)
    [d] = info.value.diagnostics
    assert d.code == "DR200" and d.path == "staircase.charter" and is_statement_line(text, d)
    assert "too complex" in str(info.value)
    assert charter.may("r", "d", a=79, b=1, on=ON)  # `may` is unaffected


def test_many_overlapping_forbids_stop_authority_of_too():
    text = staircase(80, forbids=True)
    with pytest.raises(dr.TooComplex) as info:
        dr.loads(text).authority_of("r", on=ON)
    assert is_statement_line(text, info.value.diagnostics[0])


def test_lint_of_many_overlapping_grants_ends_with_located_dr200_warnings():
    text = staircase(80)
    found = dr.lint(dr.loads(text, "staircase.charter"), on=ON)
    skipped = [d for d in found if d.code == "DR200"]
    assert skipped, [d.code for d in found]
    assert all(d.severity == dr.Severity.WARNING and is_statement_line(text, d) for d in skipped)
    assert all("was skipped" in d.message for d in skipped)


def test_the_work_of_an_analysis_is_capped_by_its_budget():
    """Counted work: the steps an analysis spends never pass its budget, which grows with the charter."""
    from decisionrights.analysis.authority import steps_for

    from decisionrights.analysis.authority import STEPS_PER_STATEMENT

    small, large = dr.loads(staircase(40)).compiled, dr.loads(staircase(80)).compiled
    assert steps_for(large) - steps_for(small) == 40 * STEPS_PER_STATEMENT  # linear in the statements
    with regions_module.budget(10**12):
        spent_before = regions_module._local.left
        dr.loads(staircase(10)).authority_of("r", on=ON)  # small: well within any budget
        assert spent_before - regions_module._local.left < regions_module.MAX_STEPS


def test_small_overlaps_are_still_answered_exactly():
    charter = dr.loads(staircase(12))
    held = charter.authority_of("r", on=ON)["d"]
    for a in range(-1, 14):
        for b in range(-1, 14):
            expected = any(a >= i and b >= 12 - i for i in range(12))
            assert held.region.contains({"a": a, "b": b}) == expected, (a, b)


def test_views_and_diff_stop_with_the_located_error():
    from decisionrights.views import authority_card, authority_matrix

    text = staircase(80)
    charter = dr.loads(text, "staircase.charter")
    for run in (lambda: authority_matrix(charter, on=ON), lambda: authority_card(charter, "r", on=ON),
                lambda: dr.diff(dr.loads(staircase(3)), charter, on=ON)):
        with pytest.raises(dr.TooComplex) as info:
            run()
        assert is_statement_line(text, info.value.diagnostics[0])


def test_the_command_line_shows_the_dr200_at_its_line(tmp_path, capsys):
    from decisionrights.cli.main import main

    path = tmp_path / "staircase.charter"
    path.write_text(staircase(80))
    for argv in (["matrix", "--format", "html", "--on", "2027-01-15", str(path)],
                 ["card", "--on", "2027-01-15", str(path), "r"]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert "DR200" in err and f"{path}:" in err and "Traceback" not in err


def test_a_condition_of_too_many_cases_is_the_public_error_too():
    text = 'charter "c"\nrole a\ndecision d {\n' + "".join(f"  b{i}: bool\n" for i in range(24)) + "}\n" \
        + "a may decide d when " + " and ".join(f"(b{2 * i} or b{2 * i + 1})" for i in range(12)) + "\n"
    with pytest.raises(dr.TooComplex) as info:
        dr.loads(text).authority_of("a", on=ON)
    assert info.value.diagnostics[0].span.line == 29


def test_many_grants_that_cover_one_another_stay_within_the_budget():
    """The common case of many grants on one decision — each covering the next — is absorbed as it comes."""
    n = 500
    lines = ['charter "nested"', "role r", "decision d {", "  a: number", "  b: number", "}"]
    lines += [f"r may decide d when a >= {i} and b <= {n - i}" for i in range(n)]
    charter = dr.loads("\n".join(lines) + "\n")
    assert charter.authority_of("r", on=ON)["d"].text == f"a >= 0 and b <= {n}"
    found = dr.lint(charter, on=ON)
    assert "DR200" not in {d.code for d in found}
    assert sum(d.code == "DR206" for d in found) == n - 1  # every grant but the widest adds nothing
