"""Returns and refunds in the browser: the customer reads each return and refund in words and
downloads the label; an agent approves a return and refunds with what is left in view. Both in
Spanish and English, at 360 px and on a desktop, axe clean, nothing scrolling sideways."""

import re

import pytest
from playwright.sync_api import Browser, expect

from orderhelp_dev.local.identities import TokenIssuer
from tests.browser.browser import (
    DESKTOP,
    PHONE,
    Words,
    english_left,
    horizontal_overflow,
    new_page,
    open_agent_case,
    open_order,
    serious_violations,
    sign_in,
    sign_in_as_agent,
)
from tests.e2e.shop import Shop
from tests.e2e.stack import Http


def returned_order(shop: Shop, tokens: TokenIssuer, customer_id: str) -> tuple[str, str]:
    """A delivered order with a return of two bulbs requested: (order, case)."""
    order_id = shop.paid_order(customer_id)
    assert shop.ship(order_id).status == 200
    assert shop.deliver(order_id).status == 200
    body = {"items": [{"sku": "BULB-E27", "quantity": 2}], "message": "No me sirven."}
    asked = shop.http.call(
        "POST", f"/orders/{order_id}/help/return_request", body, token=tokens.customer(customer_id)
    )
    assert asked.status == 201, asked.body
    return order_id, asked.body["case"]["case_id"]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_customer_reads_returns_and_refunds_in_spanish_and_prints_the_label(
    browser: Browser,
    base_url: str,
    viewport: dict[str, int],
    *,
    shop: Shop,
    http: Http,
    tokens: TokenIssuer,
    customer_id: str,
) -> None:
    # Given an approved return and a cancelled order's refund, pending
    order_id, case_id = returned_order(shop, tokens, customer_id)
    agent = tokens.agent("agent-marta")
    assert (
        http.call("POST", f"/agent/cases/{case_id}/return/approve", {}, token=agent).status == 200
    )
    cancelled = shop.paid_order(customer_id)
    assert (
        http.call(
            "POST", f"/ops/orders/{cancelled}/cancel", {"reason": "Sin stock"}, token=tokens.ops()
        ).status
        == 200
    )

    page = new_page(browser, viewport=viewport, language="es")
    try:
        sign_in(page, base_url, customer_id)
        open_order(page, base_url, cancelled)
        section = page.get_by_role("region", name="Devoluciones y reembolsos")
        expect(section.locator(".refund")).to_have_text(
            "Reembolso de 67,86 € pendiente por la cancelación"
        )

        # When the payment system pays it, the page says when and how
        refund_id = f"{cancelled}-RF1"
        paid = {"method": "card", "reference": "RE-B-1"}
        assert (
            http.call("POST", f"/ops/refunds/{refund_id}/issued", paid, token=tokens.ops()).status
            == 200
        )
        page.reload()  # (the same address: going to it again would not read the order again)
        page.locator("section.help").wait_for()
        expect(section.locator(".refund")).to_contain_text("Reembolso de 67,86 € emitido el ")
        expect(section.locator(".refund")).to_contain_text(" a tu tarjeta")

        # And the return: its status in words, its deadline, and its label
        open_order(page, base_url, order_id)
        card = page.locator(f".return[data-return-id='{order_id}-R1']")
        expect(card.locator(".badge")).to_have_text("Aprobada: envíala de vuelta")
        expect(card.locator(".return-deadline")).to_contain_text(
            "Entrégala al transportista antes del"
        )
        with page.expect_download() as download:
            card.get_by_role("button", name="Descargar la etiqueta (PDF)").click()
        path = download.value.path()
        assert path is not None
        with open(path, "rb") as pdf:
            assert pdf.read(5) == b"%PDF-"
        assert download.value.suggested_filename == f"RMA-{order_id}-R1.pdf"

        assert serious_violations(page) == []
        assert horizontal_overflow(page) == 0
        assert english_left(page, Words.english_only()) == {}
    finally:
        page.context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_an_agent_approves_a_return_and_refunds_what_is_left(
    browser: Browser,
    base_url: str,
    viewport: dict[str, int],
    *,
    shop: Shop,
    tokens: TokenIssuer,
    customer_id: str,
) -> None:
    order_id, case_id = returned_order(shop, tokens, customer_id)
    page = new_page(browser, viewport=viewport, language="en")
    try:
        sign_in_as_agent(page, base_url, "James Whitfield")
        open_agent_case(page, base_url, case_id)
        steps = page.locator(".return-steps")
        expect(steps.locator(".refund-left")).to_have_text("Left to refund: €67.86")
        assert serious_violations(page) == []

        # When the agent approves the return
        steps.get_by_role("button", name="Approve the return").click()
        notice = page.locator(".case-notice")
        expect(notice).to_have_text("Return approved: the customer can print the label now.")
        order = page.locator(".agent-order")
        expect(order.locator(f".return[data-return-id='{order_id}-R1'] .badge")).to_have_text(
            "Approved: send it back"
        )
        expect(page.get_by_role("button", name="Approve the return")).to_have_count(0)

        # And refunds more than is left: said at the field, nothing sent
        page.get_by_label("Amount (EUR)").fill("70")
        page.get_by_label("Reason for the refund").fill("Sorry for the wait.")
        page.get_by_role("button", name="Refund", exact=True).click()
        expect(page.get_by_label("Amount (EUR)")).to_have_accessible_description(
            re.compile(r"That is more than is left to refund: €67\.86 at most\.$")
        )

        # When the amount fits
        page.get_by_label("Amount (EUR)").fill("5.00")
        page.get_by_role("button", name="Refund", exact=True).click()
        expect(notice).to_have_text("Refund recorded: it is pending.")
        expect(page.locator(".return-steps .refund-left")).to_have_text("Left to refund: €62.86")
        expect(order.locator(".refund")).to_contain_text("Refund of €5.00 pending")

        assert serious_violations(page) == []
        assert horizontal_overflow(page) == 0
    finally:
        page.context.close()
