"""Saved replies: the placeholders an agent's answer may hold, and filling them for one case.

A placeholder is a name in braces, `{customer_name}`. Only the names of `PLACEHOLDERS` exist: a
saved reply with any other is refused when it is saved, so a typo never reaches a customer. A
placeholder whose value the case does not have (no tracking number yet, no return label) is left
as written when the reply is inserted, and named as missing, for the agent to fill in by hand."""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from lifecycle.actions import HelpAction, Question

PLACEHOLDERS: tuple[str, ...] = (
    "customer_name",
    "order_id",
    "case_number",
    "case_reference",
    "agent_name",
    "order_total",
    "carrier",
    "tracking_number",
    "tracking_url",
    "estimated_ship_by",
    "estimated_delivery_by",
    "drop_off_by",
)
"""Every placeholder a saved reply may hold (`drop_off_by`: the day a return's parcel must be
handed to the carrier, from the return's label)."""

_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]*)\}")

TITLE_MAX_LENGTH = 120
MAX_ACTIONS = len(HelpAction) + len(Question)
"""A saved reply may suit every case action, general questions included, each once."""


def placeholders_in(text: str) -> list[str]:
    """The placeholders of `text`, each once, in the order they first appear."""
    seen: dict[str, None] = {}
    for match in _PLACEHOLDER.finditer(text):
        seen.setdefault(match.group(1), None)
    return list(seen)


def unknown_placeholders(text: str) -> list[str]:
    return [name for name in placeholders_in(text) if name not in PLACEHOLDERS]


@dataclass(frozen=True)
class Filled:
    text: str
    missing: list[str]
    """The placeholders left as written: the case has no value for them."""


def fill(text: str, values: Mapping[str, str | None]) -> Filled:
    """`text` with each known placeholder replaced by its value; those without one stay."""
    missing: dict[str, None] = {}

    def value_of(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name) if name in PLACEHOLDERS else None
        if value is None or value == "":
            missing.setdefault(name, None)
            return match.group(0)
        return value

    return Filled(_PLACEHOLDER.sub(value_of, text), list(missing))
