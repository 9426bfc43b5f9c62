"""Compiling: names resolved, types checked, reporting line closed, every error in one run."""

from __future__ import annotations

import pytest

import decisionrights as dr
from decisionrights.compile.conditions import AnyOf, Cmp, In, Not

from helpers import ROOT, charter_text

PURCHASE = """
role head
role lead reports to head
decision purchase {
  amount: money
  category: one of hardware, software
  urgent: bool = false
  due: date = 2027-01-01
  note: text = ""
  count: number = 1
}
"""


def codes(text: str) -> list[tuple[str, int]]:
    with pytest.raises(dr.CompileError) as info:
        dr.loads(text, "t.charter")
    return [(d.code, d.span.line) for d in info.value.diagnostics]


def grant_cond(body: str):
    charter = dr.loads(charter_text(PURCHASE + body))
    return charter.compiled.grants[0].cond


def test_conditions_are_typed():
    assert grant_cond("lead may decide purchase when amount <= 10k") == Cmp("amount", "<=", 10_000)
    assert grant_cond("lead may decide purchase when urgent") == Cmp("urgent", "==", True)
    assert grant_cond("lead may decide purchase when category in [hardware]") == In("category", frozenset({"hardware"}))
    cond = grant_cond("lead may decide purchase when not urgent or count >= 2")
    assert cond == AnyOf((Not(Cmp("urgent", "==", True)), Cmp("count", ">=", 2)))


@pytest.mark.parametrize("line,code", [
    ("intern may decide purchase", "DR101"),
    ("lead may decide buy", "DR102"),
    ("lead may decide purchase when cost <= 1", "DR103"),
    ("lead may decide purchase when category <= 5", "DR104"),
    ("lead may decide purchase when category == food", "DR108"),
    ("lead may decide purchase when amount <= 5 USD", "DR105"),
    ("lead may decide purchase when amount", "DR104"),
    ("lead may decide purchase when count <= 5 EUR", "DR104"),
    ("lead may decide purchase when urgent == 1", "DR104"),
    ("lead may decide purchase when due >= 5", "DR104"),
    ("lead may decide purchase when note == hello", "DR104"),
    ("lead may decide purchase when note < \"a\"", "DR104"),
    ("lead may decide purchase when urgent in [true]", "DR104"),
    ("lead may decide purchase inform nobody_here", "DR101"),
    ("head delegates purchase to intern", "DR101"),
    ("intern may not decide purchase", "DR101"),
    ("escalate purchase to intern", "DR101"),
    ("role head", "DR107"),
    ("expect lead may decide purchase with category = hardware", "DR109"),
    ("expect lead may decide purchase with amount = 1, amount = 2, category = software", "DR109"),
    ("expect lead may decide purchase with amount = 1, category = software escalates to intern", "DR101"),
])
def test_each_compile_error(line, code):
    found = codes(charter_text(PURCHASE + line + "\n"))
    assert (code, 14) in found, found


def test_every_error_in_one_run():
    text = charter_text(PURCHASE + "intern may decide purchase\nlead may decide purchase when cost < 1\n"
                        "lead may decide purchase when category <= 5\n")
    assert codes(text) == [("DR101", 14), ("DR103", 15), ("DR104", 16)]


def test_reporting_cycle():
    text = 'charter "x"\nrole a reports to c\nrole b reports to a\nrole c reports to b\n'
    [(code, line)] = codes(text)
    assert code == "DR106" and line == 2


def test_duplicate_decision_attribute_and_member():
    text = charter_text("decision d { x: number }\ndecision d { y: number }\ndecision e { x: number\n x: bool }\n"
                        "decision f { k: one of a, a }\n")
    assert [c for c, _ in codes(text)] == ["DR107", "DR107", "DR107"]


def test_bad_currency_code():
    assert codes('charter "x"\ncurrency euro\n') == [("DR111", 2)]


def test_did_you_mean():
    with pytest.raises(dr.CompileError) as info:
        dr.loads(charter_text(PURCHASE + "laed may decide purchase\n"))
    assert info.value.diagnostics[0].help == "did you mean `lead`?"


def test_money_attribute_takes_the_single_currency_when_charter_has_none():
    charter = dr.loads('charter "x"\nrole a\ndecision d { amount: money }\na may decide d when amount <= 5k USD\n')
    assert charter.compiled.decisions["d"].attrs["amount"].currency == "USD"


def test_paths_follow_delegation_chains():
    text = charter_text("role a\nrole b\nrole c\ndecision d { x: number }\na may decide d\n"
                        "a delegates d to b may subdelegate\nb delegates d to c\nc delegates d to a\n")
    paths = dr.loads(text).compiled.ways
    assert [p.chain for p in paths[("c", "d")]] == [("a", "b", "c")]
    # a's own grant is its only way in: the loop back through c never revisits a.
    assert [p.chain for p in paths[("a", "d")]] == [("a",)]


def test_compile_error_message_summarises():
    with pytest.raises(dr.CharterError) as info:
        dr.loads(charter_text(PURCHASE + "intern may decide purchase\nx may decide purchase\n"), "org.charter")
    assert str(info.value).startswith("org.charter:14:1: `intern` is not a declared role (and 1 more)")


def test_compile_knows_the_grammars_keywords():
    """compile hints `did you mean nobody` from its own list of keywords (it does not import the parser)."""
    from decisionrights.compile.resolve import KEYWORDS
    from decisionrights.syntax.parse import reserved_words

    assert KEYWORDS == reserved_words()


def test_compile_takes_the_model_and_never_imports_the_parser():
    """compile/ reads `syntax.model` only: no import of `syntax.parse` (lark), at any level or inside a function."""
    from test_architecture import MODULES, imports_of

    found = [(name, target, line) for name in MODULES if name.startswith("decisionrights.compile")
             for target, _names, line in imports_of(name) if target.startswith("decisionrights.syntax.parse")]
    assert not found, found


def test_the_collector_is_paused_only_while_a_charter_is_compiled():
    import gc
    import threading

    from decisionrights.compile import stages

    text = sorted((ROOT / "examples").glob("*.charter"))[0].read_text(encoding="utf-8")
    seen = []
    real_run = stages.run

    def spy(ctx):
        seen.append(gc.isenabled())
        return real_run(ctx)

    was = gc.isenabled()
    try:
        for start in (True, False):
            (gc.enable if start else gc.disable)()
            stages.run = spy
            try:
                dr.loads(text)
                with pytest.raises(dr.CharterError):  # a charter that does not compile resumes it too
                    dr.loads('charter "t"\nrole a\nb may decide x\n')
            finally:
                stages.run = real_run
            assert gc.isenabled() is start, "the collector is left as it was found"
        assert seen and not any(seen), "it is paused while the stages run"
        gc.enable()
        threads = [threading.Thread(target=dr.loads, args=(text,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert gc.isenabled(), "after loads in four threads at once, the collector runs again"
    finally:
        (gc.enable if was else gc.disable)()
