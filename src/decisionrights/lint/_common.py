"""Helpers the analysis rules share: showing a sample request, naming a region's owner."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Mapping

from ..compile import CompiledCharter
from ..conditions import Value
from ..values import format_number


def show_value(cc: CompiledCharter, decision: str, attr: str, value: Value) -> str:
    spec = cc.decisions[decision].attrs[attr]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        text = format_number(value)
        return f"{text} {spec.currency}" if spec.kind == "money" and spec.currency else text
    if isinstance(value, date):
        return value.isoformat()
    if spec.kind == "text":
        return f'"{value}"'
    return str(value)


def show_request(cc: CompiledCharter, decision: str, sample: Mapping[str, Value]) -> str:
    """`amount = 15k EUR, category = hardware` — defaults left out when the sample keeps them."""
    parts = []
    for name, spec in cc.decisions[decision].attrs.items():
        value = sample[name]
        if spec.has_default and value == spec.default and type(value) is type(spec.default):
            continue
        parts.append(f"{name} = {show_value(cc, decision, name, value)}")
    return ", ".join(parts) or "any request"


def when(region_text: str, everything: str = "for every request") -> str:
    """`when amount > 10k`, or a phrase for the region that holds everything."""
    return everything if region_text == "true" else f"when {region_text}"
