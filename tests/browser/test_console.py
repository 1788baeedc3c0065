"""The agents' console as a help desk in the browser (issue 15): finding what a customer reads
out, the views with their counts, inserting a saved reply filled in for the case, answering a
colleague's case only once asked, and the dashboard with a table of each chart, in both languages
on a desktop and a 360 px phone."""

import re
import uuid

from playwright.sync_api import Browser, Page, expect

from orderhelp_dev.local.identities import TokenIssuer
from tests.browser.browser import PHONE, new_page, open_agent_case, sign_in_as_agent
from tests.browser.test_cases import open_help_case
from tests.e2e.shop import Shop
from tests.e2e.stack import Http
from tests.e2e.test_events_and_mail import eventually


def _no_errors(page: Page) -> None:
    assert page.page_errors == []  # type: ignore[attr-defined]


def test_an_agent_finds_the_order_a_customer_reads_out_and_opens_its_case(
    browser: Browser, base_url: str, shop: Shop, tokens: TokenIssuer, customer_id: str
) -> None:
    order_id, case_id = open_help_case(shop, tokens, customer_id)
    page = new_page(browser, language="es")
    try:
        sign_in_as_agent(page, base_url, "Marta Gil")
        # When she types the order number in the search box on the queue
        search = page.get_by_label("Buscar un pedido o un caso")
        search.fill(f" {order_id} ")
        search.press("Enter")
        # Then the order is found, with its case, and the case opens from there
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Búsqueda: {order_id}")
        hit = page.locator(f".search-hit[data-order-id='{order_id}']")
        expect(hit).to_contain_text("Pagado")
        hit.get_by_role("link", name="Informar de un problema con el pago").click()
        page.locator(f".agent-case[data-case-id='{case_id}']").wait_for()
        # A near miss finds nothing, and says so
        search = page.get_by_label("Buscar un pedido o un caso")
        search.fill(order_id[:-1])
        search.press("Enter")
        expect(page.locator("main [role=status]")).to_contain_text("Nada coincide")
        _no_errors(page)
    finally:
        page.context.close()


def test_an_agent_finds_a_customer_by_email_and_reads_their_contact_beside_the_case(
    browser: Browser, base_url: str, shop: Shop, tokens: TokenIssuer, customer_id: str
) -> None:
    mailbox = f"Cliente.{uuid.uuid4().hex[:8]}"
    created = shop.create_order(
        customer_id, contact={"email": f"{mailbox}@example.com", "locale": "en"}
    )
    assert created.status == 201, created.body
    order_id = created.body["order_id"]
    assert shop.pay(order_id).status == 200
    opened = shop.http.call(
        "POST",
        f"/orders/{order_id}/help/payment_issue",
        {"message": "I was charged twice."},
        token=tokens.customer(customer_id),
    )
    assert opened.status == 201, opened.body
    case_id = opened.body["case"]["case_id"]
    page = new_page(browser, language="es")
    try:
        sign_in_as_agent(page, base_url, "Marta Gil")
        # When she types the email the customer reads out, its domain in capitals
        search = page.get_by_label("Buscar un pedido o un caso")
        search.fill(f"{mailbox}@EXAMPLE.com")
        search.press("Enter")
        # Then the customer's order is found, with the email as the order keeps it
        hit = page.locator(f".search-hit[data-order-id='{order_id}']")
        expect(hit).to_contain_text(f"{mailbox}@example.com")
        # And the order leads on to its cases
        hit.get_by_role("link", name=re.compile(f"Pedido {order_id}")).click()
        hit = page.locator(f".search-hit[data-order-id='{order_id}']")
        hit.get_by_role("link", name="Informar de un problema con el pago").click()
        page.locator(f".agent-case[data-case-id='{case_id}']").wait_for()
        # And beside the case, the customer's email and the language they read
        panel = page.locator(".customer-panel")
        expect(panel).to_contain_text(f"{mailbox}@example.com")
        expect(panel).to_contain_text("Inglés")
        _no_errors(page)
    finally:
        page.context.close()


def test_views_show_their_counts_and_an_unanswered_case_nobody_has(
    browser: Browser, base_url: str, shop: Shop, tokens: TokenIssuer, customer_id: str
) -> None:
    _, case_id = open_help_case(shop, tokens, customer_id)
    page = new_page(browser, language="en")
    try:
        sign_in_as_agent(page, base_url, "James Whitfield")
        unassigned = page.locator("[data-view=unassigned]")
        expect(unassigned.locator(".view-count")).to_have_text(re.compile(r"^\(\d+\)$"))
        count = int(unassigned.locator(".view-count").inner_text().strip("()"))
        assert count >= 1
        unassigned.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("View: Unassigned")
        entry = page.locator(f".queue-item[data-case-id='{case_id}']")
        expect(entry).to_contain_text("Nobody yet")
        # Its first answer is due within the payment target: said relative to now
        due = entry.locator("time[title]")
        expect(due).to_contain_text("due in")
        assert due.get_attribute("datetime")
        # The topics' views are one disclosure away
        page.get_by_text("By topic").click()
        page.locator("[data-view='action:payment_issue']").click()
        expect(page.locator(f".queue-item[data-case-id='{case_id}']")).to_be_visible()
        _no_errors(page)
    finally:
        page.context.close()


def test_a_saved_reply_is_inserted_filled_in_for_the_case_and_sent(
    browser: Browser,
    base_url: str,
    *,
    shop: Shop,
    http: Http,
    tokens: TokenIssuer,
    customer_id: str,
) -> None:
    order_id, case_id = open_help_case(shop, tokens, customer_id)
    saved = http.call(
        "POST",
        "/agent/replies",
        {
            "title": f"Cargo devuelto {customer_id}",
            "locale": "es",
            "body": "Hola {customer_name}: devolvemos el cargo del pedido {order_id}. {agent_name}",
            "actions": ["payment_issue"],
        },
        token=tokens.agent("agent-marta"),
        headers={"Idempotency-Key": f"reply-{customer_id}"},
    )
    assert saved.status == 201, saved.body
    page = new_page(browser, language="es")
    try:
        sign_in_as_agent(page, base_url, "Marta Gil")
        open_agent_case(page, base_url, case_id)
        picker = page.get_by_label("Insertar una respuesta guardada")
        expect(picker).to_be_enabled()
        # The reply for payment questions in Spanish is suggested first
        suggested = picker.locator("optgroup[label='Sugeridas para este caso'] option")
        expect(suggested.first).to_have_text(f"Cargo devuelto {customer_id} (es)")
        picker.select_option(label=f"Cargo devuelto {customer_id} (es)")
        page.get_by_role("button", name="Insertar").click()
        box = page.get_by_label("Respuesta al cliente")
        expect(box).to_be_focused()
        expect(box).to_have_value(
            f"Hola Lucía Fernández: devolvemos el cargo del pedido {order_id}. Marta"
        )
        page.locator(".agent-reply button[type=submit]").click()
        expect(page.locator(".case-notice")).to_be_visible()
        messages = http.call("GET", f"/cases/{case_id}", token=tokens.customer(customer_id)).body[
            "messages"
        ]
        assert messages[-1]["author_name"] == "Marta"
        _no_errors(page)
    finally:
        page.context.close()


def test_answering_a_colleagues_case_asks_first(
    browser: Browser,
    base_url: str,
    *,
    shop: Shop,
    http: Http,
    tokens: TokenIssuer,
    customer_id: str,
) -> None:
    _, case_id = open_help_case(shop, tokens, customer_id)
    taken = http.call(
        "POST",
        f"/agent/cases/{case_id}/assign",
        {},
        token=tokens.agent("agent-james"),
        headers={"Idempotency-Key": f"take-{case_id}"},
    )
    assert taken.status == 200, taken.body
    page = new_page(browser, language="en")
    try:
        sign_in_as_agent(page, base_url, "Marta Gil")
        open_agent_case(page, base_url, case_id)
        page.get_by_label("Reply to the customer").fill("I will look into it.")
        page.locator(".agent-reply button[type=submit]").click()
        dialog = page.locator("dialog[open]")
        expect(dialog).to_contain_text("James has this case")
        dialog.get_by_role("button", name="Yes, go ahead").click()
        expect(page.locator(".case-notice")).to_be_visible()
        case = http.call("GET", f"/agent/cases/{case_id}", token=tokens.agent("agent-marta")).body[
            "case"
        ]
        assert case["assignee"] == "agent-james"
        assert case["messages"][-1]["body"] == "I will look into it."
        _no_errors(page)
    finally:
        page.context.close()


def test_the_dashboard_and_its_tables_in_both_languages_on_a_phone(
    browser: Browser, base_url: str, http: Http, tokens: TokenIssuer
) -> None:
    # The demo's case changes reach the figures through the bus, seconds after the stack starts
    figures = eventually(
        lambda: http.call("GET", "/agent/stats?days=30", token=tokens.agent("agent-marta")).body,
        lambda body: bool(body["backlog"]),
    )
    assert figures["backlog"], figures
    for language, texts in {
        "en": ("Customer service, the last 30 days", "Show as a table", "Hide the table"),
        "es": ("Atención al cliente, los últimos 30 días", "Ver como tabla", "Ocultar la tabla"),
    }.items():
        page = new_page(browser, viewport=PHONE, language=language)
        try:
            sign_in_as_agent(page, base_url, "Marta Gil")
            page.locator("[data-view=mine]").wait_for()
            page.goto(f"{base_url}/#/agent/dashboard/30")
            title, show, hide = texts
            expect(page.get_by_role("heading", level=1)).to_have_text(title)
            chart = page.locator("[data-chart=chart-opened]")
            expect(chart.locator("canvas")).to_be_visible()
            # The demo's cases were counted: the figures are not empty
            expect(page.locator("[data-figure=backlog]")).not_to_have_text("0")
            toggle = chart.get_by_role("button", name=show)
            expect(toggle).to_have_attribute("aria-expanded", "false")
            toggle.click()
            table = chart.locator("table")
            expect(table).to_be_visible()
            expect(chart.get_by_role("button", name=hide)).to_have_attribute(
                "aria-expanded", "true"
            )
            assert table.locator("tbody tr").count() == 30
            # Each topic of the legend is there whole, however long, inside its card
            backlog = page.locator("[data-chart=chart-backlog]")
            legend = backlog.locator(".chart-legend button")
            assert legend.count() >= 2
            card_box = backlog.bounding_box()
            assert card_box is not None
            for index in range(legend.count()):
                box = legend.nth(index).bounding_box()
                assert box is not None
                assert card_box["x"] <= box["x"]
                assert box["x"] + box["width"] <= card_box["x"] + card_box["width"]
            # and pressing one hides its bars, pressing it again shows them
            first = legend.first
            expect(first).to_have_attribute("aria-pressed", "true")
            shown = "canvas => Chart.getChart(canvas).isDatasetVisible(0)"
            first.click()
            expect(first).to_have_attribute("aria-pressed", "false")
            assert backlog.locator("canvas").evaluate(shown) is False
            first.click()
            expect(first).to_have_attribute("aria-pressed", "true")
            assert backlog.locator("canvas").evaluate(shown) is True
            scroll = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert scroll <= 0
            _no_errors(page)
        finally:
            page.context.close()
