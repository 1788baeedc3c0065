"""Every label and reason exists in Spanish and English, with the same placeholders."""

import string
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from lifecycle.actions import HelpAction, Question, Reason
from lifecycle.case import CaseStatus
from lifecycle.help import explain
from lifecycle.i18n import (
    SUPPORTED_LOCALES,
    format_date,
    format_moment,
    format_money,
    messages,
    negotiate,
    resolve_locale,
    translate,
)
from lifecycle.order import OrderStatus
from lifecycle.order_lifecycle import GUARD_RULES
from tests.builders import order_in


def leaves(node: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    if isinstance(node, dict):
        found: dict[tuple[str, ...], Any] = {}
        for key, child in node.items():
            found |= leaves(child, (*path, key))
        return found
    return {path: node}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_action_state_reason_and_guard_has_a_text(locale: str) -> None:
    catalogue = messages(locale)
    assert set(catalogue["actions"]) == set(HelpAction) | set(Question)
    assert set(catalogue["states"]) == set(OrderStatus)
    assert set(catalogue["reasons"]) == set(Reason)
    assert set(catalogue["guards"]) == set(GUARD_RULES)
    assert set(catalogue["case_states"]) == set(CaseStatus)
    assert set(catalogue["case_openings"]) == set(HelpAction)
    for reason in Reason:
        assert "default" in catalogue["reasons"][reason]
    for path, text in leaves(catalogue).items():
        assert text, f"{locale}: {'.'.join(path)} is empty"


def test_both_locales_have_the_same_keys_and_placeholders() -> None:
    english, spanish = leaves(messages("en")), leaves(messages("es"))
    assert english.keys() == spanish.keys()
    for path, text in english.items():
        if isinstance(text, str):
            assert placeholders(text) == placeholders(spanish[path]), path
    assert len(english[("date", "months")]) == len(spanish[("date", "months")]) == 12


@pytest.mark.parametrize("status", list(OrderStatus))
def test_explain_speaks_both_languages(status: OrderStatus) -> None:
    order = order_in(status)
    now = datetime(2026, 9, 1, tzinfo=UTC)
    english, spanish = explain(order, now, "en"), explain(order, now, "es")
    for en, es in zip(english, spanish, strict=True):
        assert en.label == translate("en", "actions", en.action)
        assert es.label == translate("es", "actions", es.action)
        assert en.label != es.label
        assert (en.available, en.reason) == (es.available, es.reason)
        if not en.available:
            assert en.message and es.message and en.message != es.message
            assert "{" not in en.message + es.message


def test_unknown_locales_fall_back_to_english() -> None:
    order = order_in(OrderStatus.CREATED)
    now = datetime(2026, 3, 3, tzinfo=UTC)
    assert explain(order, now, "fr") == explain(order, now, "en")
    assert resolve_locale("ES-es") == "es"
    assert resolve_locale(None) == "en"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("es-ES,es;q=0.9,en;q=0.8", "es"),
        ("en-GB,en;q=0.9,es;q=0.8", "en"),
        ("fr-FR,fr;q=0.9,es;q=0.5", "es"),
        ("fr", "en"),
        ("", "en"),
        (None, "en"),
        ("es;q=0.2, en;q=0.7", "en"),
        ("es;q=0", "en"),
        ("es;q=banana", "en"),
        ("*", "en"),
    ],
)
def test_accept_language_negotiation(header: str | None, expected: str) -> None:
    assert negotiate(header) == expected


def test_dates_are_written_per_locale() -> None:
    moment = datetime(2026, 5, 14, 23, 0, tzinfo=UTC)
    assert format_date(moment, "en") == "14 May 2026"
    assert format_date(moment, "es") == "14 de mayo de 2026"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("es", "es"),
        ("ES-es", "es"),
        ("es_MX", "es"),
        (" es-419 ", "es"),
        ("en-US", "en"),
        ("fr-ES", "en"),
        ("XXenXX", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_a_locale_is_its_language(locale: str | None, expected: str) -> None:
    assert resolve_locale(locale) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # equal preference: the one listed first wins, as browsers list them in order
        ("es, en", "es"),
        ("en;q=0.5, es;q=0.5", "en"),
        ("es_ES;q=1, en;q=0.9", "es"),
        ("en;Q=0.1, es;q=0.2", "es"),
        ("es;q=1.0", "es"),
        ("en;q=0.001, fr;q=1", "en"),
        ("es; q=0.8", "es"),
        ("es;level=1;q=0.2, en;q=0.3", "en"),
        # no q means q=1, which an explicit q=1 listed first still beats
        ("en;q=1, es", "en"),
    ],
)
def test_accept_language_preferences(header: str, expected: str) -> None:
    assert negotiate(header) == expected


def test_a_path_that_is_not_a_text_says_so() -> None:
    with pytest.raises(KeyError) as missing:
        translate("es", "actions")
    assert missing.value.args == ("actions is not a text in locale es",)
    with pytest.raises(KeyError) as nested:
        translate("en", "reasons", "window_closed")
    assert nested.value.args == ("reasons.window_closed is not a text in locale en",)


@pytest.mark.parametrize("month", range(1, 13))
def test_every_month_has_its_name(month: int) -> None:
    moment = datetime(2026, month, 1, tzinfo=UTC)
    english, spanish = messages("en")["date"]["months"], messages("es")["date"]["months"]
    assert format_date(moment, "en") == f"1 {english[month - 1]} 2026"
    assert format_date(moment, "es") == f"1 de {spanish[month - 1]} de 2026"


MADRID, LONDON = ZoneInfo("Europe/Madrid"), ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("moment", "locale", "zone", "written"),
    [
        (datetime(2026, 5, 14, 9, 0, tzinfo=UTC), "es", MADRID, "14 de mayo de 2026, 11:00 CEST"),
        (datetime(2026, 5, 14, 9, 0, tzinfo=UTC), "en-GB", MADRID, "14 May 2026, 11:00 CEST"),
        # the day is the shop's: late on 1 March in UTC is already 2 March in Madrid
        (
            datetime(2026, 3, 1, 23, 30, tzinfo=UTC),
            "es_ES",
            MADRID,
            "2 de marzo de 2026, 00:30 CET",
        ),
        (datetime(2026, 1, 5, 8, 5, tzinfo=UTC), "en", LONDON, "5 January 2026, 08:05 GMT"),
        (datetime(2026, 7, 5, 8, 5, tzinfo=UTC), "fr", LONDON, "5 July 2026, 09:05 BST"),
    ],
)
def test_a_moment_is_written_in_the_shops_time_zone(
    moment: datetime, locale: str, zone: ZoneInfo, written: str
) -> None:
    assert format_moment(moment, locale, zone) == written


@pytest.mark.parametrize(
    ("amount", "currency", "english", "spanish"),
    [
        ("21.95", "EUR", "€21.95", "21,95 €"),
        ("1234567.50", "USD", "$1,234,567.50", "1.234.567,50 US$"),
        ("999", "GBP", "£999", "999 £"),
        ("1000", "GBP", "£1,000", "1.000 £"),
        ("0.00", "EUR", "€0.00", "0,00 €"),
        # the amount as given, never rounded
        ("0.125", "EUR", "€0.125", "0,125 €"),
        ("-3.10", "EUR", "-€3.10", "-3,10 €"),
        # a currency without a symbol of its own is named by its code
        ("10.00", "CHF", "CHF10.00", "10,00 CHF"),
    ],
)
def test_money_is_written_as_each_language_writes_it(
    amount: str, currency: str, english: str, spanish: str
) -> None:
    assert format_money(Decimal(amount), currency, "en") == english
    assert format_money(Decimal(amount), currency, "es-ES") == spanish
