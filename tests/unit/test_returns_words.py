"""What returns and refunds say to people: amounts as each language writes them, and the
automatic messages a case gets when a return or a refund moves, word for word."""

from decimal import Decimal

import pytest

from lifecycle.refunds import RefundStatus
from lifecycle.returns import Resolution, ReturnItem
from lifecycle.returns_words import (
    agent_refund_message,
    approved_message,
    cancellation_refund_message,
    failed_message,
    format_money,
    in_languages,
    issued_message,
    items_words,
    received_message,
    rejected_message,
)
from tests.unit.returns_builders import S, a_refund, a_return


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "written"),
    [
        ("21.95", "EUR", "es", "21,95 €"),
        ("1234.5", "EUR", "es", "1.234,50 €"),
        ("1234.5", "EUR", "en", "€1,234.50"),
        ("5.5", "GBP", "en", "£5.50"),
        ("5.5", "GBP", "es", "5,50 £"),
        ("1234567.25", "USD", "en", "$1,234,567.25"),
        # a currency without a symbol we know: its code after the number
        ("21.95", "CHF", "en", "21.95 CHF"),
        ("21.95", "CHF", "es", "21,95 CHF"),
        # as many decimals as the currency's minor unit: none for the yen, three for the dinar
        ("1234", "JPY", "es", "1.234 JPY"),
        ("1234567.891", "BHD", "es", "1.234.567,891 BHD"),
        ("1234567.891", "BHD", "en", "1,234,567.891 BHD"),
        # a code ISO 4217 does not list: two decimals
        ("7", "ZZZ", "en", "7.00 ZZZ"),
        # a language we do not write in reads English
        ("1234.5", "EUR", "fr", "€1,234.50"),
        ("1234.5", "EUR", "es-ES", "1.234,50 €"),
    ],
)
def test_an_amount_is_written_as_its_language_writes_money(
    amount: str, currency: str, locale: str, written: str
) -> None:
    assert format_money(Decimal(amount), currency, locale) == written


def test_the_items_of_a_return_are_listed_by_quantity_and_sku() -> None:
    items = [ReturnItem(sku="BULB-E27", quantity=2), ReturnItem(sku="LAMP-01", quantity=1)]
    assert items_words(items) == "2 × BULB-E27, 1 × LAMP-01"
    assert items_words([]) == ""


def test_an_approved_return_gives_its_rma_and_the_date_to_hand_it_over_by() -> None:
    approved = a_return(S.APPROVED)
    assert approved_message(approved, "es") == (
        "Devolución aprobada (RMA RMA-ORD-1001-R1). Imprime la etiqueta desde la página de tu "
        "pedido y entrega el paquete al transportista antes del 22 de marzo de 2026."
    )
    assert approved_message(approved, "en") == (
        "Return approved (RMA RMA-ORD-1001-R1). Print the label from your order's page and hand "
        "the parcel to the carrier by 22 March 2026."
    )


def test_a_rejected_return_says_why_or_nothing_more() -> None:
    rejected = a_return(S.REJECTED)
    assert rejected_message(rejected, "en") == "Return not accepted: Used items cannot be returned."
    assert rejected_message(rejected.model_copy(update={"reason": None}), "es") == (
        "Devolución no aceptada: "
    )


def test_a_received_return_lists_what_arrived_and_what_comes_next() -> None:
    received = a_return(S.RECEIVED)
    arrived = "Tu devolución RMA-ORD-1001-R1 ha llegado: 2 × BULB-E27."
    assert received_message(received, a_refund(amount="39.90"), "es") == (
        f"{arrived} Un reembolso de 39,90 € está en camino."
    )
    assert received_message(received, None, "es") == arrived
    replacement = a_return(S.RECEIVED, resolution=Resolution.REPLACEMENT)
    assert received_message(replacement, None, "en") == (
        "Your return RMA-ORD-1001-R1 has arrived: 2 × BULB-E27. A replacement is on its way."
    )
    # (a return without an RMA is named by its id)
    unnamed = received.model_copy(update={"rma": None})
    assert received_message(unnamed, None, "en") == (
        "Your return ORD-1001-R1 has arrived: 2 × BULB-E27."
    )


def test_a_refund_says_its_amount_and_why() -> None:
    refund = a_refund(amount="6.50")
    assert agent_refund_message(refund, "es") == (
        "Un reembolso de 6,50 € está en camino: Sorry for the wait."
    )
    assert agent_refund_message(refund.model_copy(update={"reason": None}), "en") == (
        "A refund of €6.50 is on its way: "
    )
    assert cancellation_refund_message(refund, "en") == (
        "A refund of €6.50 is due for the cancelled order."
    )
    assert cancellation_refund_message(refund, "es") == (
        "Se te debe un reembolso de 6,50 € por el pedido cancelado."
    )


def test_an_issued_refund_says_when_and_how_it_was_paid() -> None:
    issued = a_refund(RefundStatus.ISSUED, amount="6.50")
    assert issued_message(issued, "es") == (
        "Reembolso de 6,50 € emitido el 8 de marzo de 2026 a tu tarjeta."
    )
    assert issued_message(issued, "en") == "Refund of €6.50 issued on 8 March 2026 to your card."


def test_a_failed_refund_says_why_and_that_it_is_tried_again() -> None:
    failed = a_refund(RefundStatus.FAILED, amount="6.50")
    assert failed_message(failed, "en") == (
        "The refund of €6.50 could not be made (Card expired); it will be tried again."
    )
    assert failed_message(failed.model_copy(update={"failure_reason": None}), "es") == (
        "El reembolso de 6,50 € no se ha podido hacer (); se volverá a intentar."
    )


def test_a_message_in_several_languages_is_one_paragraph_each() -> None:
    def say(locale: str) -> str:
        return format_money(Decimal("1.5"), "EUR", locale)

    assert in_languages(["es", "en"], say) == "1,50 €\n\n€1.50"
    assert in_languages(["en"], say) == "€1.50"
