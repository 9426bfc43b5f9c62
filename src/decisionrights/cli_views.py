"""Commands that show a charter to people: matrix, graph, card (see views.py)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction, parser_class: type) -> None:
    """Add the view commands to the CLI's subcommands."""
