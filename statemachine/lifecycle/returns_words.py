"""What returns and refunds say to people, in their language: amounts as they write them, and the
automatic messages a case gets when a return or a refund moves."""

from collections.abc import Callable
from decimal import Decimal

from lifecycle.i18n import format_date, resolve_locale, translate
from lifecycle.reference_data import currency_minor_units
from lifecycle.refunds import Refund
from lifecycle.returns import ReceivedItem, Return, ReturnItem

_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$"}


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    """`21,95 €` in Spanish, `€21.95` in English; a currency without a symbol we know after the
    number (`21.95 CHF`)."""
    digits = currency_minor_units().get(currency, 2)
    text = f"{amount:,.{digits}f}"
    symbol = _SYMBOLS.get(currency)
    if resolve_locale(locale) == "es":
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
        return f"{text} {symbol or currency}"
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def items_words(items: list[ReturnItem] | list[ReceivedItem]) -> str:
    return ", ".join(f"{line.quantity} × {line.sku}" for line in items)


def approved_message(record: Return, locale: str) -> str:
    assert record.rma is not None and record.drop_off_by is not None
    return translate(
        locale,
        "returns",
        "approved",
        rma=record.rma,
        drop_off_by=format_date(record.drop_off_by, locale),
    )


def rejected_message(record: Return, locale: str) -> str:
    return translate(locale, "returns", "rejected", reason=record.reason or "")


def received_message(record: Return, refund: Refund | None, locale: str) -> str:
    text = translate(
        locale,
        "returns",
        "received",
        rma=record.rma or record.return_id,
        items=items_words(record.received_items),
    )
    if refund is not None:
        amount = format_money(refund.amount, refund.currency, locale)
        text += " " + translate(locale, "returns", "refund_due", amount=amount)
    elif record.wants_replacement():
        text += " " + translate(locale, "returns", "replacement")
    return text


def agent_refund_message(refund: Refund, locale: str) -> str:
    amount = format_money(refund.amount, refund.currency, locale)
    return translate(locale, "returns", "agent_refund", amount=amount, reason=refund.reason or "")


def cancellation_refund_message(refund: Refund, locale: str) -> str:
    amount = format_money(refund.amount, refund.currency, locale)
    return translate(locale, "returns", "cancel_refund", amount=amount)


def issued_message(refund: Refund, locale: str) -> str:
    assert refund.issued_at is not None and refund.method is not None
    return translate(
        locale,
        "returns",
        "refund_issued",
        amount=format_money(refund.amount, refund.currency, locale),
        date=format_date(refund.issued_at, locale),
        method=translate(locale, "refund_methods", refund.method),
    )


def failed_message(refund: Refund, locale: str) -> str:
    return translate(
        locale,
        "returns",
        "refund_failed",
        amount=format_money(refund.amount, refund.currency, locale),
        reason=refund.failure_reason or "",
    )


def in_languages(locales: list[str], say: Callable[[str], str]) -> str:
    """The same message in each of `locales`, one paragraph each."""
    return "\n\n".join(say(locale) for locale in locales)
