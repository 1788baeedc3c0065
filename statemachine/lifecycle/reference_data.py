"""Reference data the rules validate against and read from (ISO codes, address formats,
carriers), kept as data files beside the code."""

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any


def _load(name: str) -> Any:
    return json.loads(resources.files(__package__).joinpath("data", name).read_text("utf-8"))


@cache
def currency_minor_units() -> Mapping[str, int]:
    """ISO 4217 active currency codes and the number of digits of their minor unit."""
    units: dict[str, int] = _load("currencies.json")
    return units


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 country codes."""
    return frozenset(_load("countries.json"))


@cache
def address_format_data() -> Mapping[str, Any]:
    """How countries write addresses and postcodes (see `lifecycle.addresses`)."""
    formats: dict[str, Any] = _load("address_formats.json")
    return formats


@cache
def carrier_data() -> Mapping[str, Any]:
    """Carriers' names and the URL templates of their tracking pages (see `lifecycle.carriers`)."""
    carriers: dict[str, Any] = _load("carriers.json")
    return carriers
