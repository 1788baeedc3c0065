"""How each country writes an address and its postcode: the order of the locality lines (UK,
Ireland and the US put the city before the postcode), the postcode's format where one is known,
and the US state codes. The Address model checks a postcode with `check_postal_code`; the page
mirrors the same data file (web/data/address_formats.json) to lay out and check its form."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from lifecycle.reference_data import address_format_data


@dataclass(frozen=True)
class PostalCodeRule:
    label: str
    """What the country calls it, for the page's words: postal_code, postcode, zip, eircode."""
    pattern: re.Pattern[str] | None
    example: str | None
    space_before_last: int | None
    """Where the country writes its one space (`SW1A 1AA`: before the last 3 characters)."""


@dataclass(frozen=True)
class RegionRule:
    label: str
    """What the country calls it: region, province, state, county."""
    required: bool
    codes: frozenset[str] | None
    """The only values allowed (US state codes), or None for free text."""
    example: str | None


@dataclass(frozen=True)
class AddressFormat:
    layout: tuple[str, ...]
    """The lines after the street lines, with `{city}`, `{region}` and `{postal_code}`."""
    postal_code: PostalCodeRule
    region: RegionRule


@cache
def address_format(country: str) -> AddressFormat:
    """The format of `country` (ISO 3166-1 alpha-2); the default for a country with none."""
    data = address_format_data()
    default: Mapping[str, Any] = data["default"]
    own: Mapping[str, Any] = data["countries"].get(country.upper(), {})
    postal = default["postal_code"] | own.get("postal_code", {})
    region = default["region"] | own.get("region", {})
    return AddressFormat(
        layout=tuple(own.get("layout", default["layout"])),
        postal_code=PostalCodeRule(
            label=postal["label"],
            pattern=re.compile(postal["pattern"]) if "pattern" in postal else None,
            example=postal.get("example"),
            space_before_last=postal.get("space_before_last"),
        ),
        region=RegionRule(
            label=region["label"],
            required=region.get("required", False),
            codes=frozenset(region["codes"]) if "codes" in region else None,
            example=region.get("example"),
        ),
    )


def normalise_postal_code(country: str, value: str) -> str:
    """Upper case and single spaces, with the space where the country writes it."""
    code = " ".join(value.upper().split())
    space = address_format(country).postal_code.space_before_last
    if space is not None:
        compact = code.replace(" ", "")
        if len(compact) > space:
            code = f"{compact[:-space]} {compact[-space:]}"
    return code


def postal_code_fits(country: str, code: str) -> bool:
    """`code` (normalised) is written as `country` writes its postcodes, or no format is known."""
    pattern = address_format(country).postal_code.pattern
    return pattern is None or pattern.fullmatch(code) is not None


def normalise_region(country: str, value: str | None) -> str | None:
    """A region given as a code (US states) in upper case; free text as written."""
    if value is None or not value.strip():
        return None
    if address_format(country).region.codes is not None:
        return value.strip().upper()
    return value


def region_problem(country: str, region: str | None) -> str | None:
    """Why `region` does not fit `country` (`region_required`, `region_code`), or None."""
    rule = address_format(country).region
    if region is None:
        return "region_required" if rule.required else None
    if rule.codes is not None and region not in rule.codes:
        return "region_code"
    return None


def locality_lines(
    country: str, city: str, postal_code: str, region: str | None = None
) -> list[str]:
    """The lines after the street, in the country's order: `28014 Madrid`, `London` then
    `NW1 6XE`, `Springfield, IL 62704`. A line whose parts are all empty is left out."""
    values = {"city": city, "postal_code": postal_code, "region": region or ""}
    lines = []
    for template in address_format(country).layout:
        names = re.findall(r"\{(\w+)\}", template)
        if not any(values[name] for name in names):
            continue
        line = template.format(**values)
        lines.append(" ".join(line.split()).strip(" ,"))
    return lines


def address_lines(address: Any, country_name: str | None = None) -> Sequence[str]:
    """The address as its country writes it, one line each: the name, the street lines, the
    locality lines, and the country (its name when given, else its code)."""
    return [
        line
        for line in (
            address.name,
            address.line1,
            address.line2,
            *locality_lines(address.country, address.city, address.postal_code, address.region),
            country_name or address.country,
        )
        if line
    ]
