"""The customer's help actions in the browser, against the local stack: what the page offers,
the forms, the API's answers shown where they belong, and the case each action opens."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from orderhelp_dev.local.identities import TokenIssuer
from tests.browser.browser import open_form, open_order, sign_in
from tests.e2e.shop import Shop, iso


def long_date(iso: str) -> str:
    """A date as the page shows it in English (en-GB, long, UTC)."""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return f"{moment.day} {moment:%B} {moment.year}"


def help_entry(page: Page, action: str) -> dict:
    """One help action as the page lists it: offered (a button, cancelling at the bottom of the
    page) or not, with the reason its group gives and the date (the group's, or its own)."""
    offered = page.locator(f"ul.actions li[data-action={action}]")
    other = page.locator(f"ul.unavailable li[data-action={action}]")
    if offered.count():
        return {"available": True, "label": offered.locator("a").inner_text()}
    group = page.locator("li.later-group").filter(has=page.locator(f"li[data-action={action}]"))
    own = other.locator(".when time")
    shared = group.locator(".reason time")
    when = own if own.count() else shared
    return {
        "available": False,
        "label": other.locator(".action-label").inner_text(),
        "reason": group.locator(".reason").inner_text(),
        "when": other.locator(".when").inner_text() if own.count() else None,
        "datetime": when.get_attribute("datetime") if when.count() else None,
    }


def test_a_customer_cancels_a_paid_order_and_sees_it_cancelled_with_its_case(
    page: Page, base_url: str, shop: Shop, customer_id: str
) -> None:
    # Given a paid order
    order_id = shop.paid_order(customer_id)
    sign_in(page, base_url, customer_id)

    # When the customer opens it from My Orders
    card = page.locator(f"li.order-card[data-order-id='{order_id}']")
    expect(card.locator(".badge")).to_have_text("Paid")
    card.get_by_role("link", name=f"Order {order_id}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {order_id}")

    # Then cancelling is offered, and it asks for confirmation first
    page.locator("ul.actions").get_by_role("link", name="Cancel the order").click()
    page.get_by_label("Why are you cancelling?").fill("Lo compré dos veces")
    page.locator("form.help-form").get_by_role("button", name="Cancel the order").click()
    dialog = page.get_by_role("dialog", name=f"Cancel order {order_id}?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Yes, cancel the order").click()

    # Then the order shows cancelled, with the case the cancellation opened
    notice = page.locator(".outcome")
    expect(notice.get_by_role("heading", name="Your order has been cancelled.")).to_be_visible()
    expect(notice).to_be_focused()
    expect(page.locator(".order-facts .badge")).to_have_text("Cancelled")
    case_id = notice.locator(".case").get_attribute("data-case-id")
    assert case_id
    # done by the customer without a question: solved by the system, nobody has to answer it
    expect(notice.locator(".case")).to_contain_text("Solved")
    expect(notice).to_contain_text("nobody needs to answer it")
    listed = page.locator(f"ul.cases .case[data-case-id='{case_id}']")
    expect(listed.locator(".case-title")).to_have_text("Cancel the order")
    # And cancelling is no longer offered, with the reason and the date
    cancelled = help_entry(page, "cancel_order")
    assert cancelled["available"] is False
    assert cancelled["reason"].startswith("No longer, as your order was cancelled on")
    assert cancelled["datetime"] is not None
    # And the shop's systems see the same
    ops_view = shop.http.call("GET", f"/ops/orders/{order_id}", token=shop.token)
    assert ops_view.body["status"] == "cancelled"
    assert ops_view.body["cancel_reason"] == "Lo compré dos veces"


def test_changing_the_address_then_the_shop_ships_and_the_page_says_why_no_more(
    page: Page, base_url: str, shop: Shop, customer_id: str
) -> None:
    order_id = shop.paid_order(customer_id)
    sign_in(page, base_url, customer_id)
    open_order(page, base_url, order_id)
    page.locator("ul.actions").get_by_role("link", name="Change the delivery address").click()
    form = page.locator("form.help-form")
    # The form starts from the current address
    expect(form.get_by_label("City")).to_have_value("Madrid")

    # When the postal code is not one of Spain's, it is said at the field (the rules' format)
    form.get_by_label("Postal code").fill("@@@")
    form.get_by_role("button", name="Save the new address").click()
    postal_code = form.get_by_label("Postal code")
    expect(postal_code).to_have_attribute("aria-invalid", "true")
    error_id = postal_code.get_attribute("aria-describedby")
    assert error_id
    refusal = "This is not a postcode of this country: they are written like 28014."
    expect(page.locator(f"[id='{error_id.split()[-1]}']")).to_have_text(refusal)
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name=f"Postal code: {refusal}").click()
    expect(postal_code).to_be_focused()

    # When the customer corrects it, the address is changed and a case says so
    postal_code.fill("45001")
    form.get_by_label("City").fill("Toledo")
    form.get_by_label("Address", exact=True).fill("Calle Mayor 1")
    form.get_by_role("button", name="Save the new address").click()
    expect(page.locator(".outcome h2")).to_have_text("Your delivery address has been changed.")
    expect(page.locator("address")).to_contain_text("Calle Mayor 1")
    expect(page.locator("address")).to_contain_text("45001 Toledo")
    expect(page.locator("ul.cases .case-title")).to_have_text(["Change the delivery address"])

    # When the shop ships the order
    shipped = shop.ship(order_id)
    assert shipped.status == 200, shipped.body
    page.reload()
    page.locator("section.help").wait_for()

    # Then the page no longer offers an address change, and says why and since when
    entry = help_entry(page, "change_address")
    shipped_at = shipped.body["shipped_at"]
    assert entry == {
        "available": False,
        "label": "Change the delivery address",
        "reason": f"No longer, as your order shipped on {long_date(shipped_at)}:",
        "when": None,
        "datetime": shipped_at,
    }
    expect(page.locator(".tracking")).to_have_text("CX123456789ES")


def test_an_action_not_offered_yet_says_why_and_from_when(
    page: Page, base_url: str, shop: Shop, customer_id: str
) -> None:
    order_id = shop.paid_order(customer_id)
    ship_by = shop.http.call("GET", f"/ops/orders/{order_id}", token=shop.token).body[
        "estimated_ship_by"
    ]
    sign_in(page, base_url, customer_id)
    open_order(page, base_url, order_id)

    late = help_entry(page, "shipping_delay")
    assert late["available"] is False
    assert late["reason"] == f"If it has not shipped by {long_date(ship_by)}:"
    assert late["datetime"] == ship_by
    returns = help_entry(page, "return_request")
    assert returns == {
        "available": False,
        "label": "Return items",
        "reason": "Once your order has shipped:",
        "when": None,
        "datetime": None,
    }
    # The actions that wait for the shipment are listed under that reason, said once
    group = page.locator("li.later-group[data-reason=not_yet_shipped]")
    expect(group.locator("li[data-action]")).to_have_count(3)
    expect(group.locator(".reason")).to_have_count(1)


def test_an_action_refused_when_sent_shows_the_apis_reason_and_date(
    page: Page, base_url: str, shop: Shop, customer_id: str
) -> None:
    # Given the customer has the address form open
    order_id = shop.paid_order(customer_id)
    sign_in(page, base_url, customer_id)
    open_form(page, base_url, order_id, "change_address")

    # When the shop ships the order before the customer sends the form
    shipped = shop.ship(order_id)
    assert shipped.status == 200
    page.get_by_role("button", name="Save the new address").click()

    # Then the API's refusal is said in the page's words, with its date, and focus is on it
    refusal = page.locator(".refusal")
    expect(refusal).to_be_focused()
    expect(refusal.get_by_role("heading")).to_have_text("This cannot be done")
    shipped_on = long_date(shipped.body["shipped_at"])
    expect(refusal.locator(".reason")).to_have_text(
        f"No longer, as your order shipped on {shipped_on}."
    )
    expect(refusal.locator(".reason time")).to_have_attribute(
        "datetime", shipped.body["shipped_at"]
    )
    expect(page.get_by_role("link", name="Back to the order")).to_be_visible()


def test_a_return_picks_items_and_quantities(
    page: Page, base_url: str, shop: Shop, tokens: TokenIssuer, customer_id: str
) -> None:
    order_id = shop.paid_order(customer_id)
    assert shop.ship(order_id).status == 200
    assert shop.deliver(order_id).status == 200
    sign_in(page, base_url, customer_id)
    open_order(page, base_url, order_id)
    window = help_entry(page, "return_request")
    assert window["available"] is True
    expect(page.locator("ul.actions li[data-action=return_request] .hint")).to_contain_text(
        "You can do this until"
    )
    page.locator("ul.actions").get_by_role("link", name="Return items").click()
    form = page.locator("form.help-form")

    # Choosing nothing is refused by the API at the item picker
    form.get_by_label("Your message").fill("No me convencen")
    form.get_by_role("button", name="Request the return").click()
    expect(page.locator(".items-picker .field-error").first).to_have_text(
        "Choose at least one item."
    )

    # The quantity is asked only for a chosen item, and only up to what was ordered
    bulbs = form.locator(".item-choice[data-sku=BULB-E27]")
    quantity = bulbs.get_by_role("spinbutton", name="How many")
    expect(quantity).to_be_disabled()
    bulbs.get_by_label("Bombilla LED").check()
    expect(quantity).to_be_enabled()
    quantity.fill("9")
    form.get_by_role("button", name="Request the return").click()
    expect(quantity).to_have_attribute("aria-invalid", "true")
    expect(bulbs.locator(".field-error")).to_have_text("That is more than you ordered.")

    # The money back is chosen until the customer asks for a replacement instead
    expect(form.get_by_label("My money back")).to_be_checked()
    form.get_by_label("A replacement").check()
    expect(form.get_by_label("A replacement")).to_have_accessible_description(
        "Customer service confirms it before sending it."
    )
    quantity.fill("2")
    form.get_by_role("button", name="Request the return").click()
    notice = page.locator(".outcome")
    expect(notice.locator("h2")).to_have_text("Your request has been sent to customer service.")
    expect(notice.locator(".case-title")).to_have_text("Return items")
    details = shop.http.call("GET", f"/orders/{order_id}", token=tokens.customer(customer_id))
    assert [(r["resolution"], r["items"]) for r in details.body["returns"]] == [
        ("replacement", [{"sku": "BULB-E27", "quantity": 2}])
    ]


def test_an_item_problem_names_what_happened(
    page: Page, base_url: str, shop: Shop, customer_id: str
) -> None:
    order_id = shop.paid_order(customer_id)
    assert shop.ship(order_id).status == 200
    sign_in(page, base_url, customer_id)
    open_form(page, base_url, order_id, "item_problem")
    form = page.locator("form.help-form")
    form.get_by_label("Lámpara de mesa").check()
    form.get_by_label("Your message").fill("La pantalla llegó rota")
    form.get_by_role("button", name="Report the problem").click()
    # No kind of problem chosen: the API says so at the choices
    problem = form.get_by_role("group", name="What happened?")
    expect(problem.locator(".field-error")).to_have_text("Please fill this in.")
    expect(form.get_by_label("My money back")).to_be_checked()
    form.get_by_label("An item arrived damaged").check()
    form.get_by_role("button", name="Report the problem").click()
    expect(page.locator(".outcome .case-title")).to_have_text(
        "Report missing, wrong, lost or damaged items"
    )
    # The case is listed with the order, and the history says what the customer asked
    expect(page.locator("ol.timeline li[data-event=item_problem] .event")).to_have_text(
        "Problem with items reported: item damaged"
    )


def test_my_orders_newest_first_and_more_on_demand(
    page: Page, base_url: str, shop: Shop, customer_id: str
) -> None:
    created = []
    for days_ago in range(12):
        placed = datetime.now(UTC) - timedelta(days=days_ago, hours=1)
        reply = shop.create_order(customer_id, placed_at=iso(placed))
        assert reply.status == 201, reply.body
        created.append(reply.body["order_id"])
    sign_in(page, base_url, customer_id)
    cards = page.locator("li.order-card")
    expect(cards).to_have_count(10)
    assert cards.evaluate_all("cards => cards.map(c => c.dataset.orderId)") == created[:10]
    expect(cards.first).to_contain_text("5 items")
    expect(cards.first).to_contain_text("€67.86")

    page.get_by_role("button", name="Show more orders").click()
    expect(cards).to_have_count(12)
    assert cards.evaluate_all("cards => cards.map(c => c.dataset.orderId)") == created
    # Focus goes to the first order just shown; the end of the list is said
    expect(cards.nth(10).get_by_role("link")).to_be_focused()
    expect(page.locator(".list-footer")).to_have_text("All your orders are shown.")
