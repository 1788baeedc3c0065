"""Carriers' tracking pages: a link for the carriers we know, the number alone for the others."""

from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from lifecycle.carriers import carrier_key, tracking_url, tracking_url_templates
from lifecycle.reference_data import carrier_data


def test_a_known_carrier_links_to_its_page_for_the_parcel() -> None:
    assert tracking_url("Correos Express", "CX123456789ES") == (
        "https://s.correosexpress.com/SeguimientoSinCP/search?n=CX123456789ES"
    )
    assert tracking_url("Royal Mail", "AB123456789GB") == (
        "https://www.royalmail.com/track-your-item#/tracking-results/AB123456789GB"
    )


@pytest.mark.parametrize("written", ["correos express", "CORREOS-EXPRESS", "  Correos  Express "])
def test_the_carrier_is_found_however_the_shop_writes_its_name(written: str) -> None:
    assert tracking_url(written, "X1") == tracking_url("Correos Express", "X1")


def test_a_carrier_is_not_mistaken_for_another_whose_name_it_is_part_of() -> None:
    correos, express = tracking_url("Correos", "X1"), tracking_url("Correos Express", "X1")
    assert correos is not None
    assert express is not None
    assert urlsplit(correos).netloc == "www.correos.es"
    assert urlsplit(express).netloc == "s.correosexpress.com"


@pytest.mark.parametrize(
    ("carrier", "number"),
    [("Mensajería López", "ML-1"), ("Correos Express", None), (None, "X1"), ("", "X1")],
)
def test_an_unknown_carrier_or_a_missing_number_has_no_link(
    carrier: str | None, number: str | None
) -> None:
    assert tracking_url(carrier, number) is None


def test_the_number_is_encoded_so_it_can_never_change_where_the_link_goes() -> None:
    number = "A/B?n=1&x=2#top ../evil"
    link = tracking_url("UPS", number)
    assert link is not None
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.ups.com", "/track")
    assert parse_qs(parts.query) == {"tracknum": [number]}
    assert parts.fragment == ""
    fragment_link = tracking_url("Royal Mail", number)
    assert fragment_link is not None
    assert unquote(fragment_link.rsplit("/", 1)[1]) == number


def test_every_template_is_https_with_one_place_for_the_number() -> None:
    carriers = carrier_data()["carriers"]
    assert carriers
    for carrier in carriers:
        template = carrier["tracking_url"]
        assert template.startswith("https://"), carrier["name"]
        assert template.count("{tracking_number}") == 1, carrier["name"]


def test_no_two_carriers_share_a_name_or_alias() -> None:
    names = [
        carrier_key(name)
        for carrier in carrier_data()["carriers"]
        for name in (carrier["name"], *carrier["aliases"])
    ]
    assert len(names) == len(set(names)) == len(tracking_url_templates())


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Correos-Express", "correos express"),
        ("  CORREOS   EXPRESS ", "correos express"),
        ("Mensajería López", "mensajeria lopez"),
        ("DHL_Express (ES)", "dhl express es"),
        ("GLS", "gls"),
    ],
)
def test_a_carriers_name_is_matched_without_case_accents_or_punctuation(
    name: str, key: str
) -> None:
    assert carrier_key(name) == key
