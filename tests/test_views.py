"""The views people read — matrix, graph, card — say exactly what the engine answers."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pytest

import decisionrights as dr
from decisionrights import views

from helpers import EXAMPLES, charter_text

ON = "2027-01-15"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.charter"))


@pytest.fixture(scope="module")
def acme() -> dr.Charter:
    return dr.load(EXAMPLES / "acme-finance.charter")


@pytest.fixture(scope="module")
def acme_matrix(acme) -> views.Matrix:
    return views.authority_matrix(acme, on=ON)


def letters(matrix: views.Matrix, decision: str, role: str) -> str:
    return matrix.cell(decision, role).letters


# -- the matrix ---------------------------------------------------------------------

def test_matrix_letters_follow_obligations_that_name_the_role(acme_matrix):
    assert letters(acme_matrix, "purchase", "cfo") == "D I"          # controller must inform cfo
    assert letters(acme_matrix, "purchase", "board") == "D I"        # ceo announces to board
    assert letters(acme_matrix, "payment_run", "controller") == "A"  # co-signs treasurer's runs
    assert letters(acme_matrix, "payment_run", "treasurer") == "D A"
    assert letters(acme_matrix, "hire", "team_lead") == "P C"        # proposes; eng_director consults
    assert letters(acme_matrix, "purchase", "engineer") == "P"
    assert letters(acme_matrix, "hire", "board") == ""


def test_matrix_cells_in_plain_words(acme_matrix):
    assert acme_matrix.cell("hire", "ceo").plain() == "D: decides always"
    assert acme_matrix.cell("hire", "board").plain() == "—"
    cfo = acme_matrix.cell("purchase", "cfo").plain()
    assert "decides when amount <= 250k and not vendor_related" in cfo and "informed by controller" in cfo
    assert "told beforehand by ceo (may stop it)" in acme_matrix.cell("purchase", "board").plain()
    assert "announcing it to board first" in acme_matrix.cell("purchase", "ceo").plain()
    assert "with agreement of treasurer" in acme_matrix.cell("payment_run", "cfo").plain()
    assert "co-signs when treasurer decides" in acme_matrix.cell("payment_run", "controller").plain()
    assert acme_matrix.cell("purchase", "engineer").plain() == "P: may propose, not decide"


def test_matrix_shows_delegations_with_their_dates(acme):
    during = views.authority_matrix(acme, on=ON).cell("purchase", "controller").plain()
    assert "decides when amount <= 50k and not vendor_related, informing cfo" in during
    assert "delegated until 2027-03-31, from cfo" in during
    assert "its own grant alone: amount <= 25k and category != travel and not vendor_related" in during
    after = views.authority_matrix(acme, on="2027-04-01").cell("purchase", "controller").plain()
    assert "delegated" not in after
    assert "decides when amount <= 25k and category != travel and not vendor_related" in after


def test_matrix_propose_beyond_own_limits():
    charter = dr.loads(charter_text("""
role boss
role lead reports to boss
decision spend { amount: money }
lead may decide spend when amount <= 5k
lead may propose spend
"""))
    cell = views.authority_matrix(charter, on=ON).cell("spend", "lead")
    assert cell.letters == "D P"
    assert "beyond that, may propose when amount > 5k" in cell.plain()


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_every_decide_line_is_what_may_answers(path):
    """Sample each part the matrix shows: `may()` allows it, with exactly those obligations."""
    charter = dr.load(path)
    checked = 0
    for role in charter.roles:
        for decision, held in charter.authority_of(role, on=ON).items():
            for part in held.parts:
                request = part.region.sample()
                assert request is not None
                answer = charter.may(role, decision, on=ON, **request)
                assert answer.allowed, (role, decision, request)
                assert answer.obligations == part.obligations, (role, decision, request)
                checked += 1
    assert checked > 0


def test_markdown_matrix_has_every_role_decision_and_the_legend(acme_matrix):
    text = views.matrix_markdown(acme_matrix)
    header = next(line for line in text.splitlines() if line.startswith("| decision"))
    assert all(f"`{r}`" in header for r in acme_matrix.roles)
    rows = [line for line in text.splitlines() if line.startswith("| **")]
    assert [re.match(r"\| \*\*(\w+)\*\*", r).group(1) for r in rows] == ["purchase", "payment_run", "hire"]
    assert all(r.count(" | ") == len(acme_matrix.roles) for r in rows)  # no stray pipes split a cell
    assert "**Legend**" in text and "- **A** must agree" in text
    assert "2027-01-15" in text


def test_markdown_escapes_pipes_and_tags():
    charter = dr.loads(charter_text("""
role boss
decision d "a <b>bold</b> | pipe" { note: text }
boss may decide d when note != "x|y"
"""))
    text = views.matrix_markdown(views.authority_matrix(charter, on=ON))
    row = next(line for line in text.splitlines() if line.startswith("| **d**"))
    assert row.count(" | ") == 1
    assert "\\|" in row and "<b>" not in row and "&lt;b>" in row


def test_csv_matrix_reads_back(acme_matrix):
    rows = list(csv.reader(io.StringIO(views.matrix_csv(acme_matrix))))
    assert rows[0] == ["decision", "description", *acme_matrix.roles]
    assert [r[0] for r in rows[1:]] == ["purchase", "payment_run", "hire"]
    by = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert by["hire"]["ceo"] == "D: decides always"
    assert by["payment_run"]["controller"] == "A: co-signs when treasurer decides"
    assert by["hire"]["board"] == "—"


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "col", "br", "wbr", "link", "img"):
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
        self.open.pop()

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_html_matrix_parses_and_carries_everything(path):
    charter = dr.load(path)
    page = views.matrix_html(views.authority_matrix(charter, on=ON), version="9.9")
    parser = _Collect()
    parser.feed(page)
    parser.close()
    assert parser.open == [], "every element is closed"
    text = "".join(parser.text)
    cells = [t for t, _ in parser.tags].count("td")
    assert cells == len(charter.roles) * len(charter.decisions)
    for name in (*charter.roles, *charter.decisions):
        assert name in text, name
    assert charter.title in text and "2027-01-15" in text
    tags = [t for t, _ in parser.tags]
    assert tags.count("table") == 1 and "style" in tags
    # self-contained: nothing to fetch, nothing to run
    assert "script" not in tags and "link" not in tags and "img" not in tags and "iframe" not in tags
    assert not re.search(r"https?://|@import|url\(|@font-face", page)
    assert "@media print" in page


def test_html_escapes_charter_text():
    charter = dr.loads(charter_text("""
role boss
decision d "<script>alert(1)</script>" { note: text }
boss may decide d when note == "<img src=x>"
"""))
    page = views.matrix_html(views.authority_matrix(charter, on=ON))
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page


# -- the graph ----------------------------------------------------------------------

MERMAID_NODE = re.compile(r'^  (r\d+)\["([^"<>|]*)"\]$')
MERMAID_LINE = re.compile(r"^  (r\d+) --- (r\d+)$")
MERMAID_DELEGATION = re.compile(r'^  (r\d+) -\.->\|"((?:[^"<>]|<br>)*)"\| (r\d+)$')  # `|` may stand inside the quotes


def parse_mermaid(text: str):
    lines = text.splitlines()
    assert lines[0] == "---" and lines[1].startswith("title: ") and lines[2] == "---"
    assert lines[3] == "flowchart TD"
    nodes, reports, delegations = {}, [], []
    for line in lines[4:]:
        if line.strip().startswith("%%"):
            continue
        if m := MERMAID_NODE.match(line):
            nodes[m.group(1)] = m.group(2)
        elif m := MERMAID_LINE.match(line):
            reports.append((nodes[m.group(1)], nodes[m.group(2)]))
        elif m := MERMAID_DELEGATION.match(line):
            delegations.append((nodes[m.group(1)], m.group(2).split("<br>"), nodes[m.group(3)]))
        else:
            pytest.fail(f"not a line this test knows: {line!r}")
    return nodes, reports, delegations


def test_mermaid_graph_structure(acme):
    nodes, reports, delegations = parse_mermaid(views.graph_mermaid(acme))
    assert sorted(nodes.values()) == sorted(acme.roles)
    assert ("cfo", "controller") in reports and ("board", "ceo") in reports
    assert len(reports) == sum(1 for r in acme.roles if acme.compiled.manager[r])
    assert delegations == [("cfo", ["purchase", "when amount &lt;= 50k", "from 2026-12-01 until 2027-03-31",
                                     "inform cfo"], "controller")]


def test_mermaid_escapes_labels_and_avoids_reserved_ids():
    charter = dr.loads(charter_text("""
role end
role graph reports to end
decision d { note: text }
end may decide d
end delegates d to graph when note == "a \\"b\\" | <c> #d"
    may subdelegate up to 2 levels
"""))
    nodes, reports, delegations = parse_mermaid(views.graph_mermaid(charter))
    assert set(nodes) == {"r0", "r1"} and reports == [("end", "graph")]
    (_, label, _), = delegations
    assert label[1] == "when note == &quot;a \\&quot;b\\&quot; | &lt;c&gt; #d&quot;"
    assert label[2] == "may subdelegate up to 2 levels"


def test_graph_filters_by_decision():
    charter = dr.load(EXAMPLES / "platform-team.charter")
    assert len(parse_mermaid(views.graph_mermaid(charter, decision="incident_response"))[2]) == 2
    assert parse_mermaid(views.graph_mermaid(charter, decision="spend"))[2] == []
    dot = views.graph_dot(charter, decision="spend")
    assert "style=dashed" not in dot and '"sre" -> "on_call"' in dot


def test_dot_quotes_and_escapes():
    charter = dr.loads(charter_text("""
role node
role edge reports to node
decision d { note: text }
node may decide d
node delegates d to edge when note == "q\\"uote \\\\ back"
"""))
    dot = views.graph_dot(charter)
    assert '"node" -> "edge" [arrowhead=none' in dot
    assert 'label="d\\nwhen note == \\"q\\\\\\"uote \\\\\\\\ back\\""' in dot


# -- the card -----------------------------------------------------------------------

def section(card: views.Card, heading: str) -> views.CardSection:
    return next(s for s in card.sections if s.heading == heading)


def test_card_sections_for_controller(acme):
    card = views.authority_card(acme, "controller", on=ON)
    assert section(card, "What I may decide alone").items == ()
    (item,) = section(card, "…informing afterwards").items
    assert item.decision == "purchase" and item.when == "amount <= 50k and not vendor_related"
    assert "inform cfo afterwards" in item.notes and "delegated until 2027-03-31, from cfo" in item.notes
    (forbid,) = section(card, "Not okay (forbidden)").items
    assert forbid.when == "vendor_related" and forbid.notes[0].startswith("nobody may (line ")
    assert section(card, "For everything else, go to").items[0].notes[0].startswith("cfo, my manager")
    assert "I co-sign when treasurer decides" in section(card, "Where others need me").items[0].notes


def test_card_files_each_obligation_kind(acme):
    ceo = views.authority_card(acme, "ceo", on=ON)
    assert [i.decision for i in section(ceo, "…after announcing it to").items] == ["purchase"]
    assert [(i.decision, i.when) for i in section(ceo, "What I may decide alone").items] == [("hire", None)]
    director = views.authority_card(acme, "eng_director", on=ON)
    assert [i.decision for i in section(director, "…after consulting").items] == ["hire"]
    treasurer = views.authority_card(acme, "treasurer", on=ON)
    (item,) = section(treasurer, "…with a co-signer").items
    assert item.when == "total <= 500k" and item.notes == ("co-signed by controller",)
    engineer = views.authority_card(acme, "engineer", on=ON)
    assert [(i.decision, i.when) for i in section(engineer, "What I may only propose").items] == [("purchase", None)]


def test_card_escalation_names_the_escalate_role_and_the_top():
    charter = dr.loads(charter_text("""
role ceo
role cfo reports to ceo
role clerk reports to cfo
decision buy { amount: money }
cfo may decide buy when amount <= 10k
escalate buy to cfo
"""))
    clerk = section(views.authority_card(charter, "clerk", on=ON), "For everything else, go to")
    assert [(i.decision, i.notes[0]) for i in clerk.items] == [
        ("", "cfo, my manager; if cfo may not decide it either, on up: ceo"),
        ("buy", "cfo, as the charter says (`escalate buy to cfo`)")]
    cfo = section(views.authority_card(charter, "cfo", on=ON), "For everything else, go to")
    assert cfo.items[1].notes[0].startswith("ceo, as the charter says")
    ceo = section(views.authority_card(charter, "ceo", on=ON), "For everything else, go to")
    assert ceo.items[0].notes[0].startswith("nobody above me")


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_card_text_fits_80_columns_and_markdown_has_every_section(path):
    charter = dr.load(path)
    for role in charter.roles:
        card = views.authority_card(charter, role, on=ON)
        text = views.card_text(card)
        assert max(len(line) for line in text.splitlines()) <= 80, role
        assert text.startswith(f"Authority card: {role}\n")
        for heading in ("What I may decide alone", "What I may only propose", "Not okay (forbidden)",
                        "For everything else, go to"):
            assert heading in text
            assert f"## {heading}" in views.card_markdown(card)


def test_card_text_colour_only_when_asked(acme):
    card = views.authority_card(acme, "cfo", on=ON)
    assert "\x1b[" not in views.card_text(card)
    assert "\x1b[1mWhat I may decide alone\x1b[0m" in views.card_text(card, color=True)
