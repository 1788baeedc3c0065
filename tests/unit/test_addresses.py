"""Addresses as their country writes them, and postcodes checked against the country's format
where one is known: the rules' own module, and the Address model that uses it."""

import json
import re

import pytest
from pydantic import ValidationError

from lifecycle.addresses import (
    address_format,
    address_lines,
    locality_lines,
    normalise_postal_code,
    postal_code_fits,
)
from lifecycle.order import Address
from lifecycle.reference_data import address_format_data, country_codes
from tests.builders import an_address


def refusal(**changes: object) -> list[tuple[tuple[str, ...], str]]:
    """(loc, type) of each error the Address model gives for `changes` to a valid address."""
    with pytest.raises(ValidationError) as invalid:
        an_address(**changes)
    return [(tuple(map(str, error["loc"])), error["type"]) for error in invalid.value.errors()]


# --- postcodes ------------------------------------------------------------------------------------

VALID = [
    ("ES", "28014", "28014"),
    ("ES", "01001", "01001"),
    ("ES", "52006", "52006"),
    ("GB", "SW1A 1AA", "SW1A 1AA"),
    ("GB", "nw16xe", "NW1 6XE"),
    ("GB", "  m1   1ae ", "M1 1AE"),
    ("GB", "EC1A1BB", "EC1A 1BB"),
    ("IE", "d02xy45", "D02 XY45"),
    ("IE", "D6W 1234", "D6W 1234"),
    ("US", "94105", "94105"),
    ("US", "94105-1234", "94105-1234"),
    ("CA", "k1a0b1", "K1A 0B1"),
    ("NL", "1012js", "1012 JS"),
    ("PT", "1100-148", "1100-148"),
    ("SE", "11455", "114 55"),
    ("DE", "10115", "10115"),
]

INVALID = [
    ("ES", "99999"),  # no Spanish province is numbered 99
    ("ES", "00123"),
    ("ES", "2801"),
    ("ES", "280145"),
    ("GB", "12345"),
    ("GB", "SW1A 1A"),
    ("IE", "D02 XY4"),
    ("IE", "B02 XY45"),  # B is not a letter Eircodes use
    ("US", "9410"),
    ("US", "94105-12"),
    ("US", "ABCDE"),
    ("CA", "D1A 0B1"),
    ("PT", "1100148"),
    ("FR", "7500"),
]


@pytest.mark.parametrize(("country", "written", "stored"), VALID)
def test_a_postcode_of_the_country_is_kept_as_the_country_writes_it(
    country: str, written: str, stored: str
) -> None:
    assert normalise_postal_code(country, written) == stored
    assert postal_code_fits(country, stored)
    address = an_address(country=country, postal_code=written, region=_region(country))
    assert address.postal_code == stored


@pytest.mark.parametrize(("country", "written"), INVALID)
def test_a_postcode_not_in_the_countrys_format_is_refused_at_the_postcode(
    country: str, written: str
) -> None:
    assert not postal_code_fits(country, normalise_postal_code(country, written))
    assert refusal(country=country, postal_code=written, region=_region(country)) == [
        (("postal_code",), "postal_code_format")
    ]


def test_the_refusal_says_how_the_country_writes_it_without_echoing_the_input() -> None:
    with pytest.raises(ValidationError) as invalid:
        an_address(country="GB", postal_code="QQQ999", region=None)
    message = invalid.value.errors()[0]["msg"]
    assert "SW1A 1AA" in message
    assert "QQQ999" not in message


def test_a_country_without_a_known_format_takes_any_postcode_of_letters_and_digits() -> None:
    assert address_format("KE").postal_code.pattern is None
    assert an_address(country="KE", postal_code="00100 ab", region=None).postal_code == "00100 AB"
    # The shape every postcode has still holds
    assert refusal(country="KE", postal_code="@@", region=None) == [
        (("postal_code",), "string_pattern_mismatch")
    ]


def test_an_unknown_country_is_refused_at_the_country_alone() -> None:
    assert refusal(country="XX", postal_code="99999") == [(("country",), "value_error")]


def test_every_example_fits_its_own_format_and_every_format_is_of_a_country() -> None:
    countries = address_format_data()["countries"]
    assert set(countries) <= country_codes()
    for country in countries:
        rule = address_format(country).postal_code
        if rule.pattern is not None:
            assert rule.example is not None, country
            assert postal_code_fits(country, normalise_postal_code(country, rule.example)), country


def test_the_formats_are_regular_expressions_javascript_reads_the_same_way() -> None:
    """The page compiles the same patterns with RegExp: only the syntax both share."""
    shared = re.compile(r"^\^[\[\]A-Z0-9a-z\-{}(),|? ]*\$$")
    for country, data in address_format_data()["countries"].items():
        pattern = data.get("postal_code", {}).get("pattern")
        if pattern is not None:
            assert shared.match(pattern), (country, pattern)


# --- regions --------------------------------------------------------------------------------------


def test_a_us_address_needs_its_state_code() -> None:
    assert refusal(country="US", postal_code="62704", region=None) == [
        (("region",), "region_required")
    ]
    assert refusal(country="US", postal_code="62704", region="Illinois") == [
        (("region",), "region_code")
    ]
    assert an_address(country="US", postal_code="62704", region=" il ").region == "IL"


IN_SPRINGFIELD = {
    "name": "Ann Lee",
    "line1": "1 Main St",
    "city": "Springfield",
    "postal_code": "62704",
    "country": "US",
}


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        # a state left out altogether is missing too, not only one given as null
        (
            {},
            {
                "loc": ("region",),
                "type": "region_required",
                "msg": "an address in US needs its state (a code such as NY)",
                "ctx": {"country": "US", "label": "state", "example": "NY"},
            },
        ),
        (
            {"region": "Illinois"},
            {
                "loc": ("region",),
                "type": "region_code",
                "msg": "not a state code of US (a code such as NY)",
                "ctx": {"country": "US", "label": "state", "example": "NY"},
            },
        ),
        (
            {"region": "IL", "postal_code": "6270"},
            {
                "loc": ("postal_code",),
                "type": "postal_code_format",
                "msg": "not a postcode of US: they are written like 94105",
                "ctx": {"country": "US", "example": "94105"},
            },
        ),
    ],
)
def test_an_address_that_does_not_fit_its_country_says_what_the_country_expects(
    changes: dict[str, str], error: dict[str, object]
) -> None:
    with pytest.raises(ValidationError) as invalid:
        Address.model_validate(IN_SPRINGFIELD | changes)
    found = [{key: e[key] for key in ("loc", "type", "msg", "ctx")} for e in invalid.value.errors()]
    assert found == [error]


def test_elsewhere_the_region_is_free_text_and_may_be_left_out() -> None:
    assert an_address(country="ES", region="Comunidad de Madrid").region == "Comunidad de Madrid"
    assert an_address(country="ES", region="  ").region is None
    assert an_address(country="GB", postal_code="NW1 6XE", region=None).region is None


# --- how the address is written -------------------------------------------------------------------


def test_uk_ireland_and_the_us_write_the_city_before_the_postcode() -> None:
    assert locality_lines("GB", "London", "NW1 6XE") == ["London", "NW1 6XE"]
    assert locality_lines("IE", "Dublin 2", "D02 XY45", "Co. Dublin") == [
        "Dublin 2",
        "Co. Dublin",
        "D02 XY45",
    ]
    assert locality_lines("US", "Springfield", "62704", "IL") == ["Springfield, IL 62704"]


def test_spain_and_most_of_europe_write_the_postcode_before_the_city() -> None:
    assert locality_lines("ES", "Madrid", "28014", "Madrid") == ["28014 Madrid", "Madrid"]
    assert locality_lines("FR", "Paris", "75008") == ["75008 Paris"]
    assert locality_lines("KE", "Nairobi", "00100") == ["00100 Nairobi"]


def test_the_whole_address_has_the_name_the_street_the_locality_and_the_country() -> None:
    address = Address(
        name="Oliver Bennett",
        line1="221 Baker Street",
        line2="Flat B",
        city="London",
        postal_code="NW1 6XE",
        country="GB",
    )
    assert address_lines(address, "United Kingdom") == [
        "Oliver Bennett",
        "221 Baker Street",
        "Flat B",
        "London",
        "NW1 6XE",
        "United Kingdom",
    ]
    assert address_lines(address)[-1] == "GB"


def test_the_page_has_the_rules_own_formats() -> None:
    """web/data/address_formats.json is a copy the page lays out and checks its form with."""
    from tests.browser.browser import WEB

    page = json.loads((WEB / "data" / "address_formats.json").read_text("utf-8"))
    assert page == address_format_data()


def _region(country: str) -> str | None:
    return "IL" if country == "US" else None
