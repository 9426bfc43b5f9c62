"""Authority cards: what one role may do, on one page, as text for a terminal or as Markdown.

`authority_card` → `Card`, rendered by `card_text` and `card_markdown`. Pure
functions from a loaded `Charter` to text; the `card` command prints them.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Callable

from ..analysis.authority import bounded_analysis
from ..analysis.regions import Region
from ..compile.conditions import attributes_of
from ..compile.ir import CompiledCharter
from ..decide.request import request_date
from ..words import ALPHABETICAL, ON_A_CARD
from .facts import KIND_ORDER, Facts, and_list, condition_words, md_code, md_text, roles_of

if TYPE_CHECKING:
    from ..charter import Charter

def _delegation_words(delegator: str, start: date | None, until: date | None) -> str:
    if until is not None:
        return f"delegated until {until.isoformat()}, from {delegator}"
    return f"delegated from {delegator}, no end date"


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
_SECTION_KINDS = tuple(kind for kind in _DECIDE_SECTIONS if kind is not None)
"""The card's sections by obligation, in the order above: the ones before deciding, after, then co-signed."""


def _obligation_notes(obligations: frozenset[tuple[str, str]]) -> list[str]:
    return [ON_A_CARD[kind].format(and_list(roles_of(obligations, kind)))
            for kind in ALPHABETICAL if roles_of(obligations, kind)]


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
    facts = Facts(charter, on)
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
            kind = next((k for k in KIND_ORDER if roles_of(part.obligations, k)), None)
            extra: list[str] = []
            if delegated and not part.region <= own:  # this part rests, at least in part, on a delegation
                extra = list(delegated)
                if own.is_empty():
                    extra.append("I hold no grant of my own for it")
                elif not (part.region & own).is_empty():
                    extra.append(f"my own grant alone: {own.render(cur)}")
            notes = tuple(_obligation_notes(part.obligations) + extra)
            filed[kind].append(CardItem(decision, condition_words(part.region, cur), notes))
        rest = authority.propose - authority.region
        if not rest.is_empty():
            propose.append(CardItem(decision, condition_words(rest, cur)))
    sections = [CardSection(*_DECIDE_SECTIONS[None], tuple(filed[None]), True)]
    for kind in _SECTION_KINDS:
        sections.append(CardSection(*_DECIDE_SECTIONS[kind], tuple(filed[kind]), False))
    sections.append(CardSection("What I may only propose", "bring it to whoever decides it", tuple(propose), True))
    forbidden = []
    for decision in cc.decisions:
        for f in cc.forbids_of.get((role, decision), ()):
            who = "nobody may" if f.role is None else "I may not"
            region = Region.from_cond(f.cond, cc.decisions[decision].attrs)
            forbidden.append(CardItem(decision, condition_words(region, cur), (f"{who} (line {f.rule.line})",)))
    sections.append(CardSection("Not okay (forbidden)", "whatever any grant says", tuple(forbidden), True))
    involved = []
    for decision in cc.decisions:
        named = facts.named_in(role, decision)
        needs: list[str] = []
        if named["agreement"]:
            needs.append(f"I co-sign when {and_list(named['agreement'])} decides")
        if named["announce"]:
            needs.append(f"{and_list(named['announce'])} tells me beforehand; I may stop it")
        if named["consult"]:
            needs.append(f"{and_list(named['consult'])} consults me first")
        if named["inform"]:
            needs.append(f"{and_list(named['inform'])} informs me afterwards")
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
    bold = _bold(color)
    rule = "=" * width
    out = [bold(f"Authority card: {card.role}"), *textwrap.wrap(card.title, width),
           *textwrap.wrap(card.subtitle(), width), rule]
    out += _text_sections(card, width, bold)
    return "\n".join(out) + "\n"


def _bold(color: bool) -> Callable[[str], str]:
    return (lambda s: f"\x1b[1m{s}\x1b[0m") if color else (lambda s: s)


def _text_sections(card: Card, width: int, bold: Callable[[str], str]) -> list[str]:
    """The sections of a role's card as text lines (each section after an empty line)."""
    out: list[str] = []
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
    return out


def card_markdown(card: Card) -> str:
    """The card as Markdown: a heading per section, a bullet per item, conditions as code."""
    out = [f"# Authority card: {md_text(card.role)}", "", f"**{md_text(card.title)}** · {md_text(card.subtitle())}"]
    out += _markdown_sections(card, "##")
    return "\n".join(out) + "\n"


def _markdown_sections(card: Card, level: str) -> list[str]:
    """The sections of a role's card as Markdown lines, each under a heading of `level` (`##`)."""
    out: list[str] = []
    for section in card.sections:
        if not section.items and not section.always:
            continue
        out += ["", f"{level} {md_text(section.heading)}", "", f"*{md_text(section.hint)}*", ""]
        if not section.items:
            out.append("- nothing")
        everything_else = section.heading.startswith("For everything else")
        for item in section.items:
            if everything_else:
                head = f"**{item.decision}**: {md_text(item.notes[0])}" if item.decision else md_text(item.notes[0])
                out.append(f"- {head}")
                continue
            head = f"**{item.decision}**"
            if item.when is not None:
                head += f" when {md_code(item.when)}"
            elif not section.heading.startswith("Where"):
                head += ", always"
            out.append(f"- {head}" + "".join(f"  \n  {md_text(n)}" for n in item.notes))
    return out


# -- a person's card -------------------------------------------------------------------

@dataclass(frozen=True)
class PersonCard:
    """What one person may decide on one day: the card of each role they hold then (Part II §11)."""

    title: str
    path: str
    person: str
    on: date
    currency: str | None
    roles: tuple[str, ...]
    cards: tuple[Card, ...]
    """One per role in `roles`, in the charter's order of roles."""

    def subtitle(self) -> str:
        held = f"holds {and_list(self.roles)}" if self.roles else "holds no role"
        bits = [f"{held} on {self.on.isoformat()}"]
        if self.currency:
            bits.append(f"amounts in {self.currency}")
        return " · ".join(bits)


def person_card(charter: Charter, person: str, *, on: date | str | None = None) -> PersonCard:
    """The card of a person: for each role they hold on date `on` (today by default, acting cover
    included), that role's `authority_card`. Raises `InvalidRequest` for a name that is not a person."""
    day = request_date(on)
    roles = charter.roles_of(person, on=day)
    cards = tuple(_bound_by_the_others(charter.compiled, authority_card(charter, role, on=day), roles)
                  for role in roles)
    currency = charter.compiled.currency
    return PersonCard(charter.title, charter.path, person, day, currency, roles, cards)


def _bound_by_the_others(cc: CompiledCharter, card: Card, roles: tuple[str, ...]) -> Card:
    """A role's card for a person who holds `roles`: its "Not okay" section also lists the forbids of
    their other roles that speak of `me`, for those refuse the person in every role they hold (§12)."""
    extra: list[CardItem] = []
    for decision, spec in cc.decisions.items():
        own = {id(f) for f in cc.forbids_of.get((card.role, decision), ())}
        for other in roles:
            if other == card.role:
                continue
            for f in cc.forbids_of.get((other, decision), ()):
                if id(f) in own or not any(spec.attrs[a].derived for a in attributes_of(f.cond)):
                    continue
                own.add(id(f))
                region = Region.from_cond(f.cond, spec.attrs)
                extra.append(CardItem(decision, condition_words(region, card.currency), (
                    f"I may not as {other} (line {f.rule.line}), and that binds me in every role I hold",)))
    if not extra:
        return card
    sections = tuple(replace(s, items=s.items + tuple(extra)) if s.heading.startswith("Not okay") else s
                     for s in card.sections)
    return replace(card, sections=sections)


def _as_role(card: Card) -> str:
    return f"As {card.role} ({_reports(card)})"


def _reports(card: Card) -> str:
    return f"reports to {card.manager}" if card.manager else "reports to nobody"


def person_card_text(card: PersonCard, *, width: int = 80, color: bool = False) -> str:
    """A person's card for a terminal: their header, then each role's sections under `As ROLE`."""
    bold = _bold(color)
    out = [bold(f"Authority card: {card.person}"), *textwrap.wrap(card.title, width),
           *textwrap.wrap(card.subtitle(), width), "=" * width]
    if not card.cards:
        out += ["", f"  nothing: {card.person} holds no role on {card.on.isoformat()}"]
    for role_card in card.cards:
        out += ["", *(bold(line) for line in textwrap.wrap(_as_role(role_card), width)), "-" * width]
        out += _text_sections(role_card, width, bold)
    return "\n".join(out) + "\n"


def person_card_markdown(card: PersonCard) -> str:
    """A person's card as Markdown: a `## As ROLE` part per role held, its sections one level below."""
    out = [f"# Authority card: {md_text(card.person)}", "", f"**{md_text(card.title)}** · {md_text(card.subtitle())}"]
    if not card.cards:
        out += ["", f"Nothing: {md_text(card.person)} holds no role on {card.on.isoformat()}."]
    for role_card in card.cards:
        out += ["", f"## As {md_code(role_card.role)}", "", md_text(_reports(role_card).capitalize() + ".")]
        out += _markdown_sections(role_card, "###")
    return "\n".join(out) + "\n"
