"""The customer's page as a shop would ship it (issue 14, phase 1): where the order is first,
the products' pictures, a help section that ranks what fits, and the defects found trying it —
each in Spanish and English, at 360 px and on a desktop, by keyboard where it matters."""

import contextlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Error, Page, Route, expect

from lifecycle.order import IMAGE_URL_MAX_LENGTH
from lifecycle.text import MESSAGE_MAX_LENGTH
from orderhelp_dev.local.demo import DEMO_PICTURES_URL
from orderhelp_dev.local.identities import TokenIssuer
from tests.browser.browser import (
    DESKTOP,
    PHONE,
    Words,
    english_left,
    horizontal_overflow,
    new_page,
    open_case,
    open_form,
    open_order,
    serious_violations,
    sign_in,
    sign_in_as_agent,
    tab_to,
)
from tests.e2e.shop import Shop, iso

VIEWS = {
    "es-phone": ("es", PHONE),
    "en-desktop": ("en", DESKTOP),
}
"""Both languages and both widths, paired: Spanish, whose words run longest, in the narrowest
window, and English on a desktop. (`test_quality` also holds every page to 360 px in Spanish
and every label to its Spanish words.)"""


@pytest.fixture(params=list(VIEWS))
def view(request: pytest.FixtureRequest, browser: Browser) -> Iterator[tuple[Page, str]]:
    """A page in each of the `VIEWS`, with the language chosen on the page itself."""
    language, viewport = VIEWS[request.param]
    page = new_page(browser, viewport=viewport, language=language)
    yield page, language
    errors = page.page_errors  # type: ignore[attr-defined]
    page.context.close()
    assert errors == [], f"the page threw: {errors}"


@pytest.fixture(scope="module")
def words() -> Words:
    return Words.english_only()


def ship(shop: Shop, order_id: str, carrier: str = "Correos Express", **changes: Any) -> Any:
    body = {
        "carrier": carrier,
        "tracking_number": "CX 555/01",
        "estimated_delivery_by": iso(datetime.now(UTC) + timedelta(days=3)),
    } | changes
    reply = shop.http.call("POST", f"/ops/orders/{order_id}/ship", body, token=shop.token)
    assert reply.status == 200, reply.body
    return reply.body


def picture(name: str) -> str:
    return f"{DEMO_PICTURES_URL}{name}.svg"


def lines_with_pictures() -> list[dict[str, Any]]:
    return [
        {
            "sku": "LAMP-01",
            "name": "Lámpara de mesa",
            "quantity": 1,
            "unit_price": "39.90",
            "image_url": picture("lamp-01"),
        },
        {"sku": "BULB-E27", "name": "Bombilla LED", "quantity": 4, "unit_price": "3.25"},
        {
            "sku": "MUG-02",
            "name": "Taza",
            "quantity": 2,
            "unit_price": "8.50",
            "image_url": picture("gone-from-the-shop"),
        },
    ]


def local_day(iso_time: str, zone: str = "UTC") -> int:
    return datetime.fromisoformat(iso_time.replace("Z", "+00:00")).astimezone(ZoneInfo(zone)).day


# --- 1. where is my order, first ------------------------------------------------------------------


def test_a_shipped_order_says_when_it_arrives_with_the_carriers_link_and_its_steps(
    view: tuple[Page, str], base_url: str, shop: Shop, customer_id: str
) -> None:
    page, language = view
    order_id = shop.paid_order(customer_id)
    shipped = ship(shop, order_id)
    sign_in(page, base_url, customer_id)
    page.get_by_role(
        "button", name={"es": "Español", "en": "English"}[language], exact=True
    ).click()
    open_order(page, base_url, order_id)

    where = page.locator("section.where")
    # It is the first thing under the heading and its facts
    first_card = page.locator("main section.card").first
    expect(first_card).to_have_class(re.compile(r"\bwhere\b"))
    headline = where.locator(".where-headline")
    expect(headline).to_contain_text({"es": "Llegará como tarde el", "en": "Arriving by"}[language])
    arrival = headline.locator("time")
    expect(arrival).to_have_attribute("datetime", shipped["estimated_delivery_by"])
    expect(arrival).to_contain_text(str(local_day(shipped["estimated_delivery_by"])))
    # The carrier's own page for the parcel, the number encoded
    link = where.locator("a.track")
    expect(link).to_have_attribute("href", shipped["tracking_url"])
    assert shipped["tracking_url"].startswith("https://s.correosexpress.com/")
    expect(where.locator(".tracking")).to_have_text("CX 555/01")
    # Ordered → Paid → Shipped done, with dates; Delivered to come, with the estimate
    steps = where.locator("ol.progress > li")
    assert steps.evaluate_all("s => s.map(x => x.dataset.step)") == [
        "created",
        "paid",
        "shipped",
        "delivered",
    ]
    expect(where.locator("li.step-done")).to_have_count(3)
    expect(where.locator("li[aria-current=step]")).to_have_attribute("data-step", "shipped")
    expect(where.locator("li[data-step=delivered] time")).to_have_attribute(
        "datetime", shipped["estimated_delivery_by"]
    )
    assert horizontal_overflow(page) == 0
    assert serious_violations(page) == []


def test_an_unknown_carrier_shows_the_number_alone(
    page: Page, base_url: str, shop: Shop, customer_id: str
) -> None:
    order_id = shop.paid_order(customer_id)
    shipped = ship(shop, order_id, carrier="Mensajería del Barrio")
    assert shipped["tracking_url"] is None
    sign_in(page, base_url, customer_id)
    open_order(page, base_url, order_id)
    where = page.locator("section.where")
    expect(where.locator(".tracking")).to_have_text("CX 555/01")
    expect(where).to_contain_text("Mensajería del Barrio")
    expect(where.locator("a.track")).to_have_count(0)


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_late_order_says_so_at_the_top_on_a_phone(
    browser: Browser, base_url: str, language: str
) -> None:
    # The demo's ORD-1003 is paid and past its ship-by date; the delay check recorded it
    page = new_page(browser, viewport=PHONE, language=language)
    try:
        sign_in(page, base_url, "cust-lucia")
        page.get_by_role(
            "button", name={"es": "Español", "en": "English"}[language], exact=True
        ).click()
        open_order(page, base_url, "ORD-1003")
        late = page.locator("section.where .late")
        expect(page.locator(".where-headline")).to_have_text(
            {"es": "Tu pedido va con retraso", "en": "Your order is late"}[language]
        )
        expect(late).to_contain_text(
            {"es": "Atención al cliente lo sabe", "en": "Customer service knows"}[language]
        )
        # Seen without scrolling, above the help section, on a 360 px phone
        box = late.bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= PHONE["height"]
        help_box = page.locator("section.help").bounding_box()
        assert help_box is not None
        assert box["y"] < help_box["y"]
        expect(page.locator("li[data-step=shipped]")).to_have_class(re.compile("step-late"))
        # The delay link is the help section's first, prominent action
        expect(page.locator("section.help ul.actions > li").first).to_have_attribute(
            "data-action", "shipping_delay"
        )
    finally:
        page.context.close()


# --- 2. products ----------------------------------------------------------------------------------


def test_order_details_show_each_lines_picture_or_a_neutral_placeholder(
    view: tuple[Page, str], base_url: str, shop: Shop, customer_id: str
) -> None:
    page, _ = view
    created = shop.create_order(customer_id, items=lines_with_pictures())
    assert created.status == 201, created.body
    order_id = created.body["order_id"]
    sign_in(page, base_url, customer_id)
    open_order(page, base_url, order_id)

    lamp = page.locator("li.item[data-sku=LAMP-01] img.thumb")
    expect(lamp).to_have_attribute("src", picture("lamp-01"))
    expect(lamp).to_have_attribute("alt", "")  # the name is beside it
    # It really loaded: the page's content security policy lets https pictures in
    page.wait_for_function(
        "() => document.querySelector('li.item[data-sku=LAMP-01] img')?.naturalWidth > 0"
    )
    # No picture from the shop, and one that does not load: the same neutral placeholder
    expect(page.locator("li.item[data-sku=BULB-E27] .thumb-empty")).to_have_count(1)
    expect(page.locator("li.item[data-sku=MUG-02] .thumb-empty")).to_have_count(1)
    expect(page.locator("li.item[data-sku=MUG-02] img")).to_have_count(0)
    assert serious_violations(page) == []


def test_my_orders_shows_the_first_items_pictures_and_names(
    view: tuple[Page, str], base_url: str, shop: Shop, customer_id: str
) -> None:
    page, language = view
    many = lines_with_pictures() + [
        {"sku": f"EXTRA-{n}", "name": f"Extra {n}", "quantity": 1, "unit_price": "1.00"}
        for n in range(2)
    ]
    created = shop.create_order(customer_id, items=many)
    assert created.status == 201, created.body
    sign_in(page, base_url, customer_id)
    page.get_by_role(
        "button", name={"es": "Español", "en": "English"}[language], exact=True
    ).click()
    card = page.locator(f"li.order-card[data-order-id='{created.body['order_id']}']")
    expect(card.locator(".thumbs > *")).to_have_count(3)
    expect(card.locator(".thumbs img").first).to_have_attribute("src", picture("lamp-01"))
    names = card.locator(".item-names li")
    expect(names).to_have_text(
        [
            "Lámpara de mesa",
            "4 × Bombilla LED",
            "2 × Taza",
            {"es": "y 2 artículos más", "en": "and 2 more items"}[language],
        ]
    )
    assert horizontal_overflow(page) == 0
    assert serious_violations(page) == []


def test_the_shop_cannot_send_a_picture_that_is_not_https(shop: Shop, customer_id: str) -> None:
    for url in ("http://images.example.com/a.png", "javascript:alert(1)", "data:,x"):
        line = lines_with_pictures()[0] | {"image_url": url}
        reply = shop.create_order(customer_id, items=[line])
        assert reply.status == 422, (url, reply.body)
    too_long = lines_with_pictures()[0] | {
        "image_url": "https://x.example/" + "a" * IMAGE_URL_MAX_LENGTH
    }
    assert shop.create_order(customer_id, items=[too_long]).status == 422


# --- 3. the help section ranks what fits ----------------------------------------------------------


def test_a_delivered_order_offers_the_return_first_and_folds_the_rest_with_their_dates(
    view: tuple[Page, str], base_url: str, shop: Shop, customer_id: str, words: Words
) -> None:
    page, language = view
    order_id = shop.paid_order(customer_id)
    shipped = ship(shop, order_id)
    assert shop.deliver(order_id).status == 200
    sign_in(page, base_url, customer_id)
    page.get_by_role(
        "button", name={"es": "Español", "en": "English"}[language], exact=True
    ).click()
    open_order(page, base_url, order_id)

    help_section = page.locator("section.help")
    offered = help_section.locator("ul.actions > li")
    expect(offered).to_have_count(3)
    assert offered.evaluate_all("items => items.map(i => i.dataset.action)") == [
        "return_request",
        "item_problem",
        "payment_issue",
    ]
    # The first is prominent, the rest secondary
    expect(offered.first.locator("a")).to_have_class(re.compile("button-primary"))
    expect(offered.nth(1).locator("a")).to_have_class(re.compile("button-secondary"))
    # What is not available: one line each, the reason once per group with its date
    later = help_section.locator("ul.unavailable > li.later-group")
    expect(later).to_have_count(2)
    shipped_group = help_section.locator("li.later-group[data-reason=already_shipped]")
    expect(shipped_group.locator("li[data-action]")).to_have_count(4)
    expect(shipped_group.locator(".reason time")).to_have_attribute(
        "datetime", shipped["shipped_at"]
    )
    expect(shipped_group.locator(".when")).to_have_count(0)
    delivered_group = help_section.locator("li.later-group[data-reason=order_delivered]")
    expect(delivered_group.locator("li[data-action]")).to_have_count(1)
    # No cancelling at the bottom: it is over
    expect(page.locator("section.cancel-order")).to_have_count(0)
    if language == "es":
        assert english_left(page, words) == {}
    assert serious_violations(page) == []


def test_a_cancelled_order_says_why_once_not_seven_times(
    page: Page, base_url: str, shop: Shop, customer_id: str
) -> None:
    order_id = shop.paid_order(customer_id)
    cancelled = shop.http.call(
        "POST", f"/ops/orders/{order_id}/cancel", {"reason": "Sin existencias"}, token=shop.token
    )
    assert cancelled.status == 200
    sign_in(page, base_url, customer_id)
    open_order(page, base_url, order_id)
    groups = page.locator("ul.unavailable > li.later-group")
    expect(groups).to_have_count(1)
    expect(groups.locator("li[data-action]")).to_have_count(7)
    expect(groups.locator(".reason")).to_have_count(1)
    expect(groups.locator(".reason")).to_contain_text("No longer, as your order was cancelled on")
    # The refund question is what fits, and the only action
    expect(page.locator("ul.actions > li")).to_have_count(1)
    expect(page.locator("ul.actions > li")).to_have_attribute("data-action", "payment_issue")
    expect(page.locator(".where-headline")).to_contain_text("Cancelled on")


def test_cancelling_is_at_the_bottom_of_order_details_and_reached_by_keyboard(
    page: Page, base_url: str, shop: Shop, customer_id: str
) -> None:
    order_id = shop.paid_order(customer_id)
    sign_in(page, base_url, customer_id)
    open_order(page, base_url, order_id)
    last = page.locator("main > section.card").last
    expect(last).to_have_class(re.compile("cancel-order"))
    expect(page.locator("section.help").get_by_role("link", name="Cancel the order")).to_have_count(
        0
    )
    # The prominent action of a paid order, not late: changing the address
    expect(page.locator("section.help ul.actions > li").first).to_have_attribute(
        "data-action", "change_address"
    )
    tab_to(page, "Cancel the order")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Cancel the order")).to_be_focused()


def test_the_agent_sees_the_same_ranking_with_cancelling_among_the_actions(
    browser: Browser, base_url: str, shop: Shop, tokens: TokenIssuer, customer_id: str
) -> None:
    order_id = shop.paid_order(customer_id)
    opened = shop.http.call(
        "POST",
        f"/orders/{order_id}/help/customs_duties",
        {"message": "¿Aranceles?"},
        token=tokens.customer(customer_id),
    )
    assert opened.status == 201
    page = new_page(browser, language="es")
    try:
        sign_in_as_agent(page, base_url, "Marta Gil")
        page.goto(f"{base_url}/#/agent/cases/{opened.body['case']['case_id']}")
        order = page.locator(".agent-order")
        order.locator("section.where").wait_for()
        actions = order.locator("section.help ul.actions > li")
        assert actions.evaluate_all("items => items.map(i => i.dataset.action)") == [
            "change_address",
            "customs_duties",
            "payment_issue",
            "cancel_order",
        ]
        expect(order.locator("section.help a")).to_have_count(0)
    finally:
        page.context.close()


# --- 6. the defects found -------------------------------------------------------------------------


def test_validation_is_said_in_the_pages_language_never_the_apis_english(
    browser: Browser, base_url: str, shop: Shop, customer_id: str, words: Words
) -> None:
    order_id = shop.paid_order(customer_id)
    ship(shop, order_id)
    page = new_page(browser, language="es")
    try:
        sign_in(page, base_url, customer_id)
        open_form(page, base_url, order_id, "return_request")
        form = page.locator("form.help-form")
        form.get_by_label("Tu mensaje").fill("No me convencen")
        # Nothing chosen: the API's "List should have at least 1 item after validation"
        form.get_by_role("button", name="Solicitar la devolución").click()
        summary = page.locator(".error-summary")
        expect(summary).to_contain_text("Elige al menos un artículo.")
        assert english_left(page, words) == {}
        assert "List should have" not in summary.inner_text()
        # Too many: the API's "only 4 of 'BULB-E27' were ordered"
        bulbs = form.locator(".item-choice[data-sku=BULB-E27]")
        bulbs.get_by_label("Bombilla LED").check()
        bulbs.get_by_role("spinbutton").fill("9")
        form.get_by_role("button", name="Solicitar la devolución").click()
        expect(bulbs.locator(".field-error")).to_have_text("Es más de lo que pediste.")
        expect(summary).to_contain_text("Cuántos de Bombilla LED: Es más de lo que pediste.")
        assert "were ordered" not in summary.inner_text()
        assert english_left(page, words) == {}
    finally:
        page.context.close()


def test_an_unknown_validation_error_falls_back_to_the_pages_words_on_a_spanish_page(
    browser: Browser, base_url: str, shop: Shop, customer_id: str
) -> None:
    order_id = shop.paid_order(customer_id)
    page = new_page(browser, language="es")

    def odd_refusal(route: Route) -> None:
        route.fulfill(
            status=422,
            content_type="application/json",
            body='{"error": {"code": "validation_error", "message": "Something odd",'
            ' "errors": [{"loc": ["body", "message"], "msg": "Value is odd", "type": "odd"}]}}',
        )

    try:
        sign_in(page, base_url, customer_id)
        open_form(page, base_url, order_id, "payment_issue")
        page.route("**/help/payment_issue", odd_refusal)
        page.get_by_label("Tu mensaje").fill("Hola")
        page.get_by_role("button", name="Enviar a atención al cliente").click()
        expect(page.locator(".error-summary")).to_contain_text("Revisa este dato: no es válido.")
        expect(page.locator(".error-summary")).not_to_contain_text("odd")
    finally:
        page.context.close()


EDGES_OF_A_UTC_DAY = {"Europe/Madrid": "T23:59:59Z", "America/New_York": "T00:00:01Z"}


@pytest.mark.parametrize("zone", EDGES_OF_A_UTC_DAY)
def test_dates_in_reasons_are_the_viewers_day_like_the_rest_of_the_page(
    browser: Browser, base_url: str, shop: Shop, customer_id: str, zone: str
) -> None:
    at = EDGES_OF_A_UTC_DAY[zone]
    # Given a ship-by at the edge of a UTC day: another day in Madrid (or New York)
    created = shop.create_order(customer_id)
    order_id = created.body["order_id"]
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    ship_by = f"{day.isoformat()}{at}"
    body = {"payment_ref": "PAY-TZ", "estimated_ship_by": ship_by}
    assert (
        shop.http.call("POST", f"/ops/orders/{order_id}/pay", body, token=shop.token).status == 200
    )
    local = local_day(ship_by, zone)
    assert local != day.day
    page = new_page(browser, language="es", timezone=zone)
    try:
        sign_in(page, base_url, customer_id)
        open_order(page, base_url, order_id)
        # The headline, the progress bar and the reason all say the viewer's day
        headline = page.locator(".where-headline time").inner_text()
        reason = page.locator("li.later-group[data-action], li.later-group").filter(
            has=page.locator("li[data-action=shipping_delay]")
        )
        reason_time = reason.locator(".reason time").inner_text()
        step_time = page.locator("li[data-step=shipped] time").inner_text()
        for shown in (headline, reason_time, step_time):
            assert re.search(rf"\b{local}\b", shown), (shown, local)
        # and the reason is the page's own sentence, not the API's (written in UTC)
        expect(reason.locator(".reason")).to_contain_text("Si no se ha enviado el")
        expect(page.locator("section.help")).not_to_contain_text("todavía no va con retraso")
    finally:
        page.context.close()


def test_long_item_names_and_large_amounts_never_make_a_phone_scroll_sideways(
    browser: Browser, base_url: str, shop: Shop, customer_id: str
) -> None:
    unbroken = "Supercalifragilisticoespialidosoextraordinariamentelargo" * 3
    items = [
        {"sku": "LONG-1", "name": unbroken[:200], "quantity": 10_000, "unit_price": "99999999.99"},
        {"sku": "LONG-2", "name": "Lámpara " * 24, "quantity": 9_999, "unit_price": "123456.78"},
    ]
    created = shop.create_order(customer_id, items=items, shipping="9999999.99")
    assert created.status == 201, created.body
    for language in ("es", "en"):
        page = new_page(browser, viewport=PHONE, language=language)
        try:
            sign_in(page, base_url, customer_id)
            page.locator("li.order-card").first.wait_for()
            assert horizontal_overflow(page) == 0, (language, "my orders")
            open_order(page, base_url, created.body["order_id"])
            assert horizontal_overflow(page) == 0, (language, "order details")
            open_form(page, base_url, created.body["order_id"], "cancel_order")
            assert horizontal_overflow(page) == 0, (language, "cancel form")
        finally:
            page.context.close()


HEADER_PARTS = ".brand, .menu a, .account button, .languages button"


def header_rows(page: Page) -> int:
    """How many rows the header's parts take (each part on one line, or it counts twice)."""
    boxes: list[dict[str, float]] = page.locator(HEADER_PARTS).evaluate_all(
        """parts => parts.map(p => {
            const r = p.getBoundingClientRect();
            const line = parseFloat(getComputedStyle(p).lineHeight) || 20;
            return {middle: r.top + r.height / 2, lines: Math.round(p.scrollHeight / line)};
        })"""
    )
    rows: list[float] = []
    for box in boxes:
        if not any(abs(box["middle"] - row) < 12 for row in rows):
            rows.append(box["middle"])
    wrapped = [box for box in boxes if box["lines"] > 2]
    return len(rows) + len(wrapped)


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_header_takes_at_most_two_rows_on_a_phone(
    browser: Browser, base_url: str, language: str
) -> None:
    page = new_page(browser, viewport=PHONE, language=language)
    try:
        page.goto(f"{base_url}/#/sign-in")
        page.locator(".user-list").first.wait_for()
        assert header_rows(page) <= 2
        # The longest demo name, a customer with the menu, and an agent
        sign_in(page, base_url, "cust-carmen")
        assert header_rows(page) <= 2, "customer"
        expect(page.locator(".menu a")).to_have_count(2)
        for link in page.locator(".menu a").all():
            box = link.bounding_box()
            assert box is not None
            assert box["height"] < 32, "a menu link wrapped"
        sign_in_as_agent(page, base_url, "Marta Gil")
        assert header_rows(page) <= 2, "agent"
        assert horizontal_overflow(page) == 0
        # Who is signed in is still said, to a screen reader
        expect(page.locator(".account .user")).to_contain_text("Marta Gil")
    finally:
        page.context.close()


def test_return_quantities_start_at_one_and_the_conversation_shows_what_was_asked(
    view: tuple[Page, str], base_url: str, shop: Shop, customer_id: str
) -> None:
    page, language = view
    order_id = shop.paid_order(customer_id)
    ship(shop, order_id)
    assert shop.deliver(order_id).status == 200
    sign_in(page, base_url, customer_id)
    page.get_by_role(
        "button", name={"es": "Español", "en": "English"}[language], exact=True
    ).click()
    open_form(page, base_url, order_id, "return_request")
    form = page.locator("form.help-form")
    bulbs = form.locator(".item-choice[data-sku=BULB-E27]")
    bulbs.locator("input[type=checkbox]").check()
    expect(bulbs.get_by_role("spinbutton")).to_have_value("1")
    bulbs.get_by_role("spinbutton").fill("2")
    form.locator("textarea[name=message]").fill("Dos no funcionan")
    form.locator("button[type=submit]").click()
    outcome = page.locator(".outcome")
    outcome.wait_for()
    outcome.locator(".case-link a").click()
    asked = page.locator(".asked-for")
    expect(asked.locator(".asked-items li")).to_have_text(["2 × Bombilla LED"])
    assert horizontal_overflow(page) == 0
    assert serious_violations(page) == []


def test_item_problem_quantities_start_at_one_too(
    page: Page, base_url: str, shop: Shop, customer_id: str
) -> None:
    order_id = shop.paid_order(customer_id)
    ship(shop, order_id)
    sign_in(page, base_url, customer_id)
    open_form(page, base_url, order_id, "item_problem")
    bulbs = page.locator(".item-choice[data-sku=BULB-E27]")
    bulbs.locator("input[type=checkbox]").check()
    expect(bulbs.get_by_role("spinbutton")).to_have_value("1")


def test_a_message_of_only_spaces_says_write_a_message_in_every_box(
    view: tuple[Page, str], base_url: str, shop: Shop, tokens: TokenIssuer, customer_id: str
) -> None:
    page, language = view
    write = {"es": "Escribe un mensaje.", "en": "Write a message."}[language]
    order_id = shop.paid_order(customer_id)
    opened = shop.http.call(
        "POST",
        f"/orders/{order_id}/help/payment_issue",
        {"message": "Hola"},
        token=tokens.customer(customer_id),
    )
    assert opened.status == 201
    sent: list[str] = []
    page.on(
        "request",
        lambda request: (
            sent.append(request.url)
            if "/__local/" not in request.url and request.method == "POST"
            else None
        ),
    )
    sign_in(page, base_url, customer_id)
    page.get_by_role(
        "button", name={"es": "Español", "en": "English"}[language], exact=True
    ).click()
    open_form(page, base_url, order_id, "customs_duties")
    message = page.locator("form.help-form textarea[name=message]")
    assert message.get_attribute("maxlength") == str(MESSAGE_MAX_LENGTH)
    message.fill("    \n   ")
    page.locator("form.help-form button[type=submit]").click()
    expect(page.locator("form.help-form .field-error:not([hidden])")).to_have_text(write)
    expect(message).to_have_attribute("aria-invalid", "true")
    open_case(page, base_url, opened.body["case"]["case_id"])
    reply = page.locator(".composer textarea")
    assert reply.get_attribute("maxlength") == str(MESSAGE_MAX_LENGTH)
    reply.fill("     ")
    page.locator(".composer button[type=submit]").click()
    expect(page.locator(".composer .field-error")).to_have_text(write)
    assert sent == []


def test_the_api_refusing_a_blank_message_is_said_as_write_a_message(
    browser: Browser, base_url: str, shop: Shop, customer_id: str
) -> None:
    """The API's own refusal of blanks (a pattern mismatch) reads the same as the page's check."""
    order_id = shop.paid_order(customer_id)
    page = new_page(browser, language="es")

    def as_if_blank(route: Route) -> None:
        route.continue_(post_data='{"message": "   "}')

    try:
        sign_in(page, base_url, customer_id)
        open_form(page, base_url, order_id, "customs_duties")
        page.route("**/help/customs_duties", as_if_blank)
        page.get_by_label("Tu mensaje").fill("x")
        page.locator("form.help-form button[type=submit]").click()
        expect(page.locator(".error-summary")).to_contain_text("Tu mensaje: Escribe un mensaje.")
        expect(page.locator(".error-summary")).not_to_contain_text("caracteres que no se admiten")
    finally:
        page.context.close()


ADDRESSES = {
    "GB": (
        {
            "name": "Oliver Bennett",
            "line1": "221 Baker Street",
            "city": "London",
            "postal_code": "NW1 6XE",
            "country": "GB",
        },
        ["Oliver Bennett", "221 Baker Street", "London", "NW1 6XE", "United Kingdom"],
    ),
    "IE": (
        {
            "name": "Emma O'Brien",
            "line1": "12 Grafton Street",
            "city": "Dublin 2",
            "region": "Co. Dublin",
            "postal_code": "D02 XY45",
            "country": "IE",
        },
        ["Emma O'Brien", "12 Grafton Street", "Dublin 2", "Co. Dublin", "D02 XY45", "Ireland"],
    ),
    "US": (
        {
            "name": "Ann Lee",
            "line1": "1 Main St",
            "city": "Springfield",
            "region": "IL",
            "postal_code": "62704",
            "country": "US",
        },
        ["Ann Lee", "1 Main St", "Springfield, IL 62704", "United States"],
    ),
    "ES": (
        {
            "name": "Lucía Fernández",
            "line1": "Calle de Alcalá 42",
            "city": "Madrid",
            "postal_code": "28014",
            "country": "ES",
        },
        ["Lucía Fernández", "Calle de Alcalá 42", "28014 Madrid", "Spain"],
    ),
}


@pytest.mark.parametrize("country", ADDRESSES)
def test_an_address_is_written_the_way_its_country_writes_it(
    page: Page, base_url: str, shop: Shop, customer_id: str, country: str
) -> None:
    address, lines = ADDRESSES[country]
    created = shop.create_order(customer_id, shipping_address=address)
    assert created.status == 201, created.body
    sign_in(page, base_url, customer_id)
    open_order(page, base_url, created.body["order_id"])
    shown = page.locator("address").inner_text().splitlines()
    assert [line.strip() for line in shown if line.strip()] == lines


def test_the_address_form_follows_the_country_and_checks_the_postcode_as_the_api_does(
    view: tuple[Page, str], base_url: str, shop: Shop, customer_id: str
) -> None:
    page, language = view
    order_id = shop.paid_order(customer_id)
    sign_in(page, base_url, customer_id)
    page.get_by_role(
        "button", name={"es": "Español", "en": "English"}[language], exact=True
    ).click()
    open_form(page, base_url, order_id, "change_address")
    form = page.locator("form.help-form")
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)

    def locality() -> list[str]:
        names: list[str] = form.locator(".locality input").evaluate_all(
            "inputs => inputs.map(i => i.name)"
        )
        return names

    # Spain: postcode, then city
    assert locality() == ["address.postal_code", "address.city", "address.region"]
    # The US: city, state, ZIP; the state is needed, as a code
    form.locator("select[name='address.country']").select_option("US")
    assert locality() == ["address.city", "address.region", "address.postal_code"]
    expect(form.locator("[name='address.city']")).to_have_value("Madrid")  # kept what was written
    form.locator("[name='address.postal_code']").fill("9410")
    form.locator("button[type=submit]").click()
    postal = form.locator("[name='address.postal_code']")
    expect(postal).to_have_attribute("aria-invalid", "true")
    expect(form.locator("[name='address.region']")).to_have_attribute("aria-invalid", "true")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("94105")
    expect(summary).to_contain_text("NY")
    assert posted == []  # the page said it without asking the API
    # The UK: city, county, postcode; a written-together postcode is fine
    form.locator("select[name='address.country']").select_option("GB")
    assert locality() == ["address.city", "address.region", "address.postal_code"]
    form.locator("[name='address.postal_code']").fill("sw1a1aa")
    form.locator("button[type=submit]").click()
    expect(page.locator(".outcome")).to_be_visible()
    expect(page.locator("address")).to_contain_text("SW1A 1AA")
    assert serious_violations(page) == []


def test_the_apis_postcode_refusal_is_shown_at_the_postcode(
    page: Page, base_url: str, shop: Shop, customer_id: str
) -> None:
    """When the page's copy of the formats let one through, the API's answer lands at the field."""
    order_id = shop.paid_order(customer_id)
    sign_in(page, base_url, customer_id)
    open_form(page, base_url, order_id, "change_address")

    def wrong_postcode(route: Route) -> None:
        body = route.request.post_data_json
        body["address"]["postal_code"] = "99999"
        route.continue_(post_data=json.dumps(body))

    page.route("**/help/change_address", wrong_postcode)
    page.locator("form.help-form button[type=submit]").click()
    postal = page.locator("[name='address.postal_code']")
    expect(postal).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".error-summary")).to_contain_text(
        "Postal code: This is not a postcode of this country: they are written like 28014."
    )


def test_loading_longer_than_a_second_says_what_with_a_way_to_stop_after_ten(
    view: tuple[Page, str], base_url: str, shop: Shop, customer_id: str
) -> None:
    page, language = view
    order_id = shop.paid_order(customer_id)
    sign_in(page, base_url, customer_id)
    page.get_by_role(
        "button", name={"es": "Español", "en": "English"}[language], exact=True
    ).click()
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route(f"**/orders/{order_id}", hold)
    page.clock.install()
    page.goto(f"{base_url}/#/orders/{order_id}")
    status = page.locator("main .loading[role=status]")
    expect(status).to_be_attached()
    page.wait_for_function(
        f"() => document.querySelectorAll('main *').length >= 1 && {len(held)} >= 0"
    )
    expect(status).to_have_text("")  # nothing flashes for a fast answer
    page.clock.run_for(1_100)
    loading = {"es": f"Cargando el pedido {order_id}…", "en": f"Loading order {order_id}…"}[
        language
    ]
    expect(status).to_contain_text(loading)
    stop = status.get_by_role("button")
    expect(stop).to_have_count(0)
    page.clock.run_for(9_000)
    expect(stop).to_have_text({"es": "Dejar de esperar", "en": "Stop waiting"}[language])
    assert serious_violations(page) == []
    stop.click()
    stopped = page.locator(".loading-stopped")
    expect(stopped).to_be_focused()
    # The request was given up; trying again loads the order
    page.unroute(f"**/orders/{order_id}")
    stopped.get_by_role("button").click()
    expect(page.locator("section.where")).to_be_visible()
    for route in held:
        with contextlib.suppress(Error):  # the page gave it up already
            route.abort()
