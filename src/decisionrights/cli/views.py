"""Commands that show a charter to people: matrix, graph, card (rendered by `decisionrights.views`).

Each command reads one charter, renders a view of it with `views` and prints
it; the exit codes are the CLI's: 0 fine, 1 an error in the charter, 2 a
usage error (an unknown role or decision, a bad date).
"""

from __future__ import annotations

import argparse
import sys

from .. import views
from ..version import __version__
from ..diagnostics import use_color
from .common import OK, CommandLine, add_people_option, check_name, check_role_or_person, load, on_option


def cmd_matrix(args: argparse.Namespace, cmd: CommandLine) -> int:
    charter = load(args.file, args.people)
    matrix = views.authority_matrix(charter, on=on_option(args.on, cmd), persons=args.persons)
    if args.format == "csv":
        sys.stdout.write(views.matrix_csv(matrix))
    elif args.format == "html":
        sys.stdout.write(views.matrix_html(matrix, version=__version__))
    else:
        sys.stdout.write(views.matrix_markdown(matrix))
    return OK


def cmd_graph(args: argparse.Namespace, cmd: CommandLine) -> int:
    charter = load(args.file, args.people)
    if args.decision is not None:
        check_name(cmd, charter, "decision", args.decision)
    render = views.graph_dot if args.format == "dot" else views.graph_mermaid
    sys.stdout.write(render(charter, decision=args.decision))
    return OK


def cmd_card(args: argparse.Namespace, cmd: CommandLine) -> int:
    charter = load(args.file, args.people)
    on = on_option(args.on, cmd)
    markdown, color = args.format == "markdown", use_color(sys.stdout)
    if args.role in charter.persons:  # a person's card: each role they hold that day
        person = views.person_card(charter, args.role, on=on)
        page = views.person_card_markdown(person) if markdown else views.person_card_text(person, color=color)
    else:
        check_role_or_person(cmd, charter, args.role)
        card = views.authority_card(charter, args.role, on=on)
        page = views.card_markdown(card) if markdown else views.card_text(card, color=color)
    sys.stdout.write(page)
    return OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add the view commands to the CLI's subcommands."""
    on_help = "show authority on this date (YYYY-MM-DD); today by default"

    matrix = sub.add_parser("matrix", help="the authority matrix: decisions × roles, in plain words")
    matrix.add_argument("file", metavar="FILE")
    matrix.add_argument("--format", choices=("markdown", "csv", "html"), default="markdown",
                        help="markdown (default), csv, or one self-contained printable html page")
    matrix.add_argument("--on", metavar="DATE", help=on_help)
    matrix.add_argument("--persons", action="store_true",
                        help="list under each role the persons holding it on the date")
    add_people_option(matrix)
    matrix.set_defaults(run=cmd_matrix)

    graph = sub.add_parser("graph", help="the reporting line and the delegations, as a diagram")
    graph.add_argument("file", metavar="FILE")
    graph.add_argument("--format", choices=("mermaid", "dot"), default="mermaid",
                       help="mermaid (default; GitHub renders it) or Graphviz dot")
    graph.add_argument("--decision", metavar="DECISION", help="show only the delegations of this decision")
    add_people_option(graph)
    graph.set_defaults(run=cmd_graph)

    card = sub.add_parser("card", help="one page for ROLE (or PERSON): what I may decide, with whom, and what not")
    card.add_argument("file", metavar="FILE")
    card.add_argument("role", metavar="ROLE", help="a role, or a person (the cards of the roles they hold that day)")
    card.add_argument("--format", choices=("text", "markdown"), default="text")
    card.add_argument("--on", metavar="DATE", help=on_help)
    add_people_option(card)
    card.set_defaults(run=cmd_card)
