"""Stage 5, views: the charter for people to read — the authority matrix (`matrix`), the delegation
graph (`graph`) and authority cards (`card`: a role's, or a person's — the cards of the roles they hold), from the facts gathered once in `facts`.

Pure functions from a loaded `Charter` to text, derived from the exact regions of
`Charter.authority_of`, so a view never says more (or less) than `may()` answers. The
documented functions are importable from here: `from decisionrights import views`.
"""

from .card import Card, CardItem, CardSection, PersonCard, authority_card, card_markdown, card_text, person_card, \
    person_card_markdown, person_card_text
from .facts import obligation_words
from .graph import graph_dot, graph_mermaid
from .matrix import LEGEND, LETTERS, Cell, Entry, Matrix, authority_matrix, matrix_csv, matrix_html, matrix_markdown

__all__ = [
    "Card", "CardItem", "CardSection", "Cell", "Entry", "LEGEND", "LETTERS", "Matrix", "PersonCard",
    "authority_card", "authority_matrix", "card_markdown", "card_text", "graph_dot", "graph_mermaid", "matrix_csv",
    "matrix_html", "matrix_markdown", "obligation_words", "person_card", "person_card_markdown", "person_card_text",
]
