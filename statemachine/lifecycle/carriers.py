"""Carriers' tracking pages: the shop names the carrier and the tracking number when it ships;
the customer gets a link to the carrier's own page for that parcel when we know the carrier."""

import re
import unicodedata
from collections.abc import Mapping
from functools import cache
from urllib.parse import quote

from lifecycle.reference_data import carrier_data


def carrier_key(name: str) -> str:
    """A carrier's name as it is matched: `Correos-Express`, ` correos  express ` and
    `CORREOS EXPRESS` are the same carrier; `Correos` is another one."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", letters).split())


@cache
def tracking_url_templates() -> Mapping[str, str]:
    """Every known carrier name and alias (as `carrier_key` writes it) → its URL template."""
    templates: dict[str, str] = {}
    for carrier in carrier_data()["carriers"]:
        for name in (carrier["name"], *carrier["aliases"]):
            templates[carrier_key(name)] = carrier["tracking_url"]
    return templates


def tracking_url(carrier: str | None, tracking_number: str | None) -> str | None:
    """The carrier's tracking page for the parcel, or None for a carrier we do not know (the
    page then shows the number alone). The number is percent-encoded whole: whatever the shop
    sent can never change the page the link goes to."""
    if not carrier or not tracking_number:
        return None
    template = tracking_url_templates().get(carrier_key(carrier))
    if template is None:
        return None
    return template.replace("{tracking_number}", quote(tracking_number.strip(), safe=""))
