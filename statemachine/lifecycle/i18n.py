"""Spanish and English texts, kept as data in `locales/`. Unknown locales fall back to English."""

import json
from datetime import datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

SUPPORTED_LOCALES = ("en", "es")
DEFAULT_LOCALE = "en"


@cache
def messages(locale: str) -> dict[str, Any]:
    """The whole catalogue of one supported locale."""
    text = resources.files(__package__).joinpath("locales", f"{locale}.json").read_text("utf-8")
    catalogue: dict[str, Any] = json.loads(text)
    return catalogue


def resolve_locale(locale: str | None) -> str:
    """`es`, `es-ES` or `ES_mx` → `es`; anything unsupported → the default."""
    if locale:
        language = locale.strip().replace("_", "-").split("-")[0].lower()
        if language in SUPPORTED_LOCALES:
            return language
    return DEFAULT_LOCALE


def negotiate(accept_language: str | None) -> str:
    """Pick the best supported locale for an HTTP `Accept-Language` header (RFC 9110 §12.5.4)."""
    best, best_quality = DEFAULT_LOCALE, 0.0
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = tag.strip().replace("_", "-").split("-")[0].lower()
        # Earlier entries win ties, as browsers list preferences in order.
        score = quality - position * 1e-6
        if language in SUPPORTED_LOCALES and quality > 0 and score > best_quality:
            best, best_quality = language, score
    return best


def translate(locale: str, *path: str, **values: Any) -> str:
    """The text at `path` in `locale`'s catalogue, with `{placeholders}` filled in."""
    node: Any = messages(resolve_locale(locale))
    for key in path:
        node = node[key]
    if not isinstance(node, str):
        raise KeyError(f"{'.'.join(path)} is not a text in locale {locale}")
    return node.format(**values) if values else node


def format_date(moment: datetime, locale: str) -> str:
    """A calendar date as people write it: `14 May 2026`, `14 de mayo de 2026` (UTC)."""
    date_texts = messages(resolve_locale(locale))["date"]
    pattern: str = date_texts["pattern"]
    return pattern.format(
        day=moment.day, month=date_texts["months"][moment.month - 1], year=moment.year
    )


def format_moment(moment: datetime, locale: str, zone: ZoneInfo) -> str:
    """A time as a customer reads it, in the shop's time zone: `14 de mayo de 2026, 11:00 CEST`."""
    local = moment.astimezone(zone)
    pattern: str = messages(resolve_locale(locale))["formats"]["moment"]
    return pattern.format(
        date=format_date(local, locale), time=f"{local:%H:%M}", zone=local.tzname() or zone.key
    )


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    """An amount as people write it: `€21.95`, `21,95 €` (the amount as given, never rounded)."""
    formats = messages(resolve_locale(locale))["formats"]
    whole, _, fraction = f"{abs(amount):f}".partition(".")
    groups = f"{int(whole):,}".replace(",", formats["group_separator"])
    number = groups + (formats["decimal_separator"] + fraction if fraction else "")
    symbol = formats["currency_symbols"].get(currency, currency)
    text: str = formats["money"].format(amount=number, symbol=symbol)
    return f"-{text}" if amount < 0 else text
