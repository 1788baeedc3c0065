"""The order's history in words: the shop's new estimates, the customer's requests, the delay
the scheduled check recorded (and, in Order Details, since when the order is late)."""

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from orderhelp_dev.local.identities import TokenIssuer
from tests.browser.browser import open_order, sign_in
from tests.browser.test_help_actions import long_date
from tests.e2e.shop import Shop, iso


def timeline(page: Page) -> list[dict[str, str]]:
    """The history as the page shows it: event, text, and who (with the request it opened)."""
    rows: list[dict[str, str]] = page.locator("ol.timeline > li").evaluate_all(
        """items => items.map(item => ({
            event: item.dataset.event,
            text: item.querySelector('.event').innerText,
            by: item.querySelector('.hint').innerText,
        }))"""
    )
    return rows


def test_the_timeline_says_what_the_customer_and_the_shop_did(
    page: Page, base_url: str, shop: Shop, tokens: TokenIssuer, customer_id: str
) -> None:
    customer = tokens.customer(customer_id)
    shipped = shop.paid_order(customer_id)
    assert shop.ship(shipped).status == 200
    new_estimate = iso(datetime.now(UTC) + timedelta(days=9))
    revised = shop.http.call(
        "POST",
        f"/ops/orders/{shipped}/estimate",
        {"estimated_delivery_by": new_estimate},
        token=shop.token,
    )
    assert revised.status == 200, revised.body
    problem = shop.http.call(
        "POST",
        f"/orders/{shipped}/help/item_problem",
        {"problem": "damaged", "items": [{"sku": "LAMP-01", "quantity": 1}], "message": "Rota"},
        token=customer,
    )
    assert problem.status == 201, problem.body
    case_id = problem.body["case"]["case_id"]
    number = problem.body["case"]["number"]
    delivered = shop.paid_order(customer_id)
    assert shop.ship(delivered).status == 200
    assert shop.deliver(delivered).status == 200
    returned = shop.http.call(
        "POST",
        f"/orders/{delivered}/help/return_request",
        {"items": [{"sku": "BULB-E27", "quantity": 3}], "message": "No las necesito"},
        token=customer,
    )
    assert returned.status == 201, returned.body
    sign_in(page, base_url, customer_id)

    open_order(page, base_url, shipped)
    rows = timeline(page)
    assert [row["text"] for row in rows[-2:]] == [
        f"New estimated delivery date: {long_date(new_estimate)}",
        "Problem with items reported: item damaged",
    ]
    assert rows[-2]["by"] == "By the shop"
    assert rows[-1]["by"] == f"By you · Request {number}"
    # The request links to its conversation, named by its number
    page.locator("ol.timeline > li").last.get_by_role("link", name=f"Request {number}").click()
    expect(page.locator("section.conversation")).to_have_attribute("data-case-id", case_id)

    open_order(page, base_url, delivered)
    assert timeline(page)[-1]["text"] == "Return of 3 items requested"
    assert "Order updated" not in {row["text"] for row in timeline(page)}


def test_a_delay_the_check_recorded_is_said_in_the_timeline_and_in_order_details(
    page: Page, base_url: str
) -> None:
    # The demo's ORD-1003 is paid and past its ship-by date; the stack ran the delay check once
    sign_in(page, base_url, "cust-lucia")
    open_order(page, base_url, "ORD-1003")
    late = page.locator("ol.timeline > li[data-event=record_shipping_delay]")
    estimate = late.locator(".event time").get_attribute("datetime")
    assert estimate
    expect(late.locator(".event")).to_have_text(
        f"Not shipped by the estimated date, {long_date(estimate)}: customer service was told"
    )
    expect(late.locator(".hint")).to_have_text(re.compile(r"^Automatically · Request \d{5}$"))
    # At the top of Order Details, where the order is: late, since when, and who knows
    where = page.get_by_role("region", name="Where your order is")
    expect(where.locator(".where-headline")).to_have_text("Your order is late")
    expect(where.locator(".late")).to_have_text(
        f"Not shipped by the estimated date, {long_date(estimate)}. "
        "Customer service knows and is looking into it."
    )

    page.get_by_role("button", name="Español", exact=True).click()
    expect(late.locator(".event")).to_contain_text("No se envió en la fecha prevista, el ")
    expect(page.locator(".late")).to_contain_text("Atención al cliente lo sabe")
