"""My Orders narrowed to one status and searched by order number, in both languages, on a phone
and a desktop, with the keyboard: the choice is in the page's address (Back and reload keep it),
the list says what it shows, and another customer's order is simply not found."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.browser import (
    DESKTOP,
    PHONE,
    horizontal_overflow,
    new_page,
    serious_violations,
    sign_in,
    tab_to,
)
from tests.e2e.shop import Shop

WORDS = {
    "en": {
        "status": "Show",
        "paid": "Paid, not shipped yet",
        "number": "Order number",
        "search": "Search",
        "all": "Show all orders",
        "two_paid": "2 orders with status “Paid”.",
        "all_paid": "All your orders with status “Paid” are shown.",
        "found": "Your order {order}.",
        "not_found": "There is no order {order} among your orders.",
        "none_paid": "There is no order {order} among your orders with status “Paid”.",
        "title": "My orders",
    },
    "es": {
        "status": "Mostrar",
        "paid": "Pagados, sin enviar aún",
        "number": "Número de pedido",
        "search": "Buscar",
        "all": "Ver todos los pedidos",
        "two_paid": "2 pedidos con el estado «Pagado».",
        "all_paid": "Se muestran todos tus pedidos con el estado «Pagado».",
        "found": "Tu pedido {order}.",
        "not_found": "No hay ningún pedido {order} entre tus pedidos.",
        "none_paid": "No hay ningún pedido {order} entre tus pedidos con el estado «Pagado».",
        "title": "Mis pedidos",
    },
}


def shown(page: Page) -> list[str]:
    return page.locator("li.order-card").evaluate_all("cards => cards.map(c => c.dataset.orderId)")


@pytest.mark.parametrize(
    ("language", "viewport"), [("en", DESKTOP), ("es", PHONE)], ids=["en-desktop", "es-phone"]
)
def test_my_orders_by_status_and_by_number_with_the_keyboard(
    browser: Browser,
    base_url: str,
    *,
    shop: Shop,
    customer_id: str,
    language: str,
    viewport: dict[str, int],
) -> None:
    words = WORDS[language]
    # Given two paid orders, a shipped one, one not paid yet, and another customer's order
    paid = [shop.paid_order(customer_id) for _ in range(2)]
    shipped = shop.paid_order(customer_id)
    assert shop.ship(shipped).status == 200
    created = shop.create_order(customer_id).body["order_id"]
    someone_elses = shop.paid_order(f"{customer_id}-other")
    page = new_page(browser, viewport=viewport, language=language)
    try:
        sign_in(page, base_url, customer_id)
        assert set(shown(page)) == {*paid, shipped, created}
        form = page.get_by_role("search")
        expect(form.get_by_label(words["status"])).to_have_value("")

        # When the customer shows the paid orders
        form.get_by_label(words["status"]).select_option(words["paid"])
        form.get_by_role("button", name=words["search"]).click()

        # Then only those are listed, newest first, and the page says so (where focus is)
        result = page.locator(".order-results")
        expect(result).to_have_text(words["two_paid"])
        expect(result).to_be_focused()
        assert shown(page) == paid[::-1]
        # and the end of the list names the status it is the end of
        expect(page.locator(".list-footer")).to_have_text(words["all_paid"])
        assert page.url.endswith("#/orders?status=paid")
        expect(page.get_by_role("link", name=words["title"]).first).to_have_attribute(
            "aria-current", "page"
        )
        assert serious_violations(page) == []
        assert horizontal_overflow(page) == 0

        # When they search an order number with the keyboard alone, typed in small letters
        tab_to(page, words["number"], backwards=True)
        page.keyboard.type(shipped.lower())
        page.keyboard.press("Enter")

        # Then a shipped order is not among the paid ones, and the page says it searched those
        expect(result).to_have_text(words["none_paid"].format(order=shipped.lower()))
        assert shown(page) == []
        # and with every status, it is the one found
        form.get_by_label(words["status"]).select_option("")
        form.get_by_role("button", name=words["search"]).click()
        expect(result).to_have_text(words["found"].format(order=shipped.lower()))
        assert shown(page) == [shipped]
        # a search is not a list of the orders in a status: no end of one to tell
        expect(page.locator(".list-footer")).to_have_text("")
        assert serious_violations(page) == []

        # When they search for someone else's order
        form.get_by_label(words["number"]).fill(someone_elses)
        form.get_by_label(words["number"]).press("Enter")

        # Then it is not found, exactly as an order that does not exist
        expect(result).to_have_text(words["not_found"].format(order=someone_elses))
        assert shown(page) == []

        # And Back goes to the previous search, a reload keeps it
        page.go_back()
        expect(result).to_have_text(words["found"].format(order=shipped.lower()))
        page.reload()
        expect(page.locator(".order-results")).to_have_text(
            words["found"].format(order=shipped.lower())
        )

        # And "show all orders" (keyboard) brings back the whole list
        tab_to(page, words["all"], backwards=True)
        page.keyboard.press("Enter")
        expect(page.locator(".order-results")).to_have_count(0)
        expect(page.locator("li.order-card")).to_have_count(4)
        expect(page.get_by_role("search").get_by_label(words["number"])).to_have_value("")
    finally:
        page.context.close()
