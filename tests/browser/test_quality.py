"""What every page owes everyone: Spanish and English in full, no serious accessibility
violation (axe-core), the keyboard alone is enough, and nothing breaks at 360 px."""

import json
import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from orderhelp.store import DynamoOrderStore
from orderhelp_dev.local.cases import Conversation, stage_case
from orderhelp_dev.local.identities import TokenIssuer
from tests.browser.browser import (
    PHONE,
    Words,
    english_left,
    horizontal_overflow,
    new_page,
    open_agent_case,
    open_case,
    open_form,
    open_order,
    serious_violations,
    sign_in,
    sign_in_as_agent,
    tab_to,
)
from tests.e2e.shop import Shop, iso
from tests.e2e.stack import ROOT, Http, LocalStack


@pytest.fixture(scope="module")
def words() -> Words:
    return Words.english_only()


@pytest.fixture(scope="module")
def orders(
    shop: Shop, http: Http, tokens: TokenIssuer, stack: LocalStack, store: DynamoOrderStore
) -> dict[str, str]:
    """One customer's orders in the states the pages show differently, with history, a late one
    the delay check recorded, and cases: open (taken by another agent) and closed."""
    customer_id = "cust-quality"
    customer = tokens.customer(customer_id)
    spanish = {"accept-language": "es"}
    now = datetime.now(UTC)
    paid = shop.paid_order(customer_id)
    shipped = shop.paid_order(customer_id)
    assert shop.ship(shipped).status == 200
    cancelled = shop.paid_order(customer_id)
    case = http.call(
        "POST",
        f"/orders/{paid}/help/payment_issue",
        {"message": "No me ha llegado la confirmación"},
        token=customer,
    )
    assert case.status == 201, case.body
    case_id = case.body["case"]["case_id"]
    taken = http.call(
        "POST",
        f"/agent/cases/{case_id}/assign",
        {},
        token=tokens.agent("agent-james"),
        headers=spanish,
    )
    assert taken.status == 200, taken.body
    refused = http.call(
        "POST", f"/ops/orders/{cancelled}/cancel", {"reason": "Sin existencias"}, token=shop.token
    )
    assert refused.status == 200, refused.body
    # The shipped order: a new delivery estimate, then a problem with an item
    revised = http.call(
        "POST",
        f"/ops/orders/{shipped}/estimate",
        {"estimated_delivery_by": iso(now + timedelta(days=6))},
        token=shop.token,
    )
    assert revised.status == 200, revised.body
    problem = http.call(
        "POST",
        f"/orders/{shipped}/help/item_problem",
        {"problem": "damaged", "items": [{"sku": "LAMP-01", "quantity": 1}], "message": "Rota"},
        token=customer,
    )
    assert problem.status == 201, problem.body
    # A paid order past its ship-by date, recorded by the delay check, and a closed case on it
    late = shop.create_order(customer_id, placed_at=iso(now - timedelta(days=8))).body["order_id"]
    payment = {
        "payment_ref": "PAY-LATE",
        "paid_at": iso(now - timedelta(days=7)),
        "estimated_ship_by": iso(now - timedelta(days=4)),
    }
    assert http.call("POST", f"/ops/orders/{late}/pay", payment, token=shop.token).status == 200
    run_the_delay_check(stack)
    closed = f"CS-QUALITY-{uuid.uuid4().hex[:8].upper()}"
    stage_case(
        store,
        case_id=closed,
        order_id=late,
        action="payment_issue",
        status="closed",
        now=now,
        agent="agent-marta",
        locale="es",
        conversation=Conversation(
            customer="¿Habéis recibido mi pago?",
            note="Pago confirmado en el banco.",
            agent="Sí, lo recibimos el mismo día.",
            resolution="Pago confirmado.",
        ),
    )
    # A solved case that asks for a rating, one rated with a comment, and a conversation
    # longer than a page
    solved = f"CS-QUALITY-SOLVED-{uuid.uuid4().hex[:8].upper()}"
    stage_case(
        store, case_id=solved, order_id=cancelled, action="payment_issue", status="solved", now=now
    )
    rated = f"CS-QUALITY-RATED-{uuid.uuid4().hex[:8].upper()}"
    stage_case(
        store, case_id=rated, order_id=shipped, action="payment_issue", status="solved", now=now
    )
    rating = {"rating": "not_good", "comment": "Tardasteis una semana en contestar."}
    rating_reply = http.call("POST", f"/cases/{rated}/rating", rating, token=customer)
    assert rating_reply.status == 200, rating_reply.body
    long = f"CS-QUALITY-LONG-{uuid.uuid4().hex[:8].upper()}"
    stage_case(
        store, case_id=long, order_id=paid, action="customs_duties", status="pending", now=now
    )
    for n in range(1, 23):
        posted = http.call(
            "POST", f"/cases/{long}/messages", {"body": f"Mensaje número {n}."}, token=customer
        )
        assert posted.status == 200, posted.body
    return {
        "customer": customer_id,
        "paid": paid,
        "shipped": shipped,
        "cancelled": cancelled,
        "late": late,
        "case": case_id,
        "closed": closed,
        "solved": solved,
        "rated": rated,
        "long": long,
    }


def run_the_delay_check(stack: LocalStack) -> None:
    """The scheduled delay check, once, against the stack (as `orderhelp invoke` runs it)."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "orderhelp_dev.cli",
            "invoke",
            "DelayCheckFunction",
            "--event",
            str(ROOT / "events" / "schedule" / "delay-check.json"),
            "--port",
            str(stack.port),
            "--state-dir",
            str(stack.state_root),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["delays_recorded"] >= 1, result.stdout


Visit = Callable[[Page, str, dict[str, str]], None]


def my_orders(page: Page, base_url: str, orders: dict[str, str]) -> None:
    page.goto(f"{base_url}/#/orders")
    page.locator("li.order-card").first.wait_for()


def details(state: str) -> Visit:
    def visit(page: Page, base_url: str, orders: dict[str, str]) -> None:
        open_order(page, base_url, orders[state])

    return visit


def form(state: str, action: str) -> Visit:
    def visit(page: Page, base_url: str, orders: dict[str, str]) -> None:
        open_form(page, base_url, orders[state], action)

    return visit


def form_with_errors(page: Page, base_url: str, orders: dict[str, str]) -> None:
    open_form(page, base_url, orders["shipped"], "item_problem")
    page.locator("form.help-form button[type=submit]").click()
    page.locator(".error-summary").wait_for()


def cancel_confirmation(page: Page, base_url: str, orders: dict[str, str]) -> None:
    open_form(page, base_url, orders["paid"], "cancel_order")
    page.locator("form.help-form button[type=submit]").click()
    page.locator("dialog[open]").wait_for()


def action_done(page: Page, base_url: str, orders: dict[str, str]) -> None:
    open_form(page, base_url, orders["shipped"], "payment_issue")
    page.locator("textarea[name=message]").fill("¿Se ha cobrado dos veces?")
    page.locator("form.help-form button[type=submit]").click()
    page.locator(".outcome").wait_for()


def refused(page: Page, base_url: str, orders: dict[str, str]) -> None:
    page.goto(f"{base_url}/#/orders/{orders['cancelled']}/help/change_address")
    page.locator(".refusal").wait_for()


def visit(path: str, ready: str) -> Visit:
    def step(page: Page, base_url: str, orders: dict[str, str]) -> None:
        page.goto(f"{base_url}/#{path.format(**orders)}")
        page.locator(ready.format(**orders)).first.wait_for()

    return step


def reply_sent(page: Page, base_url: str, orders: dict[str, str]) -> None:
    open_case(page, base_url, orders["case"])
    page.locator(".composer textarea").fill("¿Alguna novedad?")
    page.locator(".composer button[type=submit]").click()
    page.locator(".case-notice").wait_for()


def earlier_messages(base: str, ready: str) -> Visit:
    """A long conversation with its earlier messages read on demand, to the start."""

    def step(page: Page, base_url: str, orders: dict[str, str]) -> None:
        visit(base, ready)(page, base_url, orders)
        page.locator(".earlier button").click()
        page.locator(".earlier p.hint").wait_for()

    return step


def rating_not_chosen(page: Page, base_url: str, orders: dict[str, str]) -> None:
    """The rating form's error in words: sent without choosing."""
    open_case(page, base_url, orders["solved"])
    page.locator(".rating-form button[type=submit]").click()
    page.locator(".rating-form .field-error:not([hidden])").wait_for()


def take_over_confirmation(page: Page, base_url: str, orders: dict[str, str]) -> None:
    open_agent_case(page, base_url, orders["case"])
    page.locator(".assign button").click()
    page.locator("dialog[open]").wait_for()


def note_without_text(page: Page, base_url: str, orders: dict[str, str]) -> None:
    """The console's error in words: an empty note, said at its field."""
    open_agent_case(page, base_url, orders["case"])
    page.locator(".agent-note button[type=submit]").click()
    page.locator(".agent-note .field-error:not([hidden])").wait_for()


PAGES: dict[str, Visit] = {
    "my orders": my_orders,
    "order details, paid with a case": details("paid"),
    "order details, shipped": details("shipped"),
    "order details, cancelled": details("cancelled"),
    "address form": form("paid", "change_address"),
    "cancel form": form("paid", "cancel_order"),
    "cancel confirmation": cancel_confirmation,
    "message form": form("paid", "customs_duties"),
    "return form": form("shipped", "item_problem"),
    "form with the API's errors": form_with_errors,
    "an action's outcome": action_done,
    "an action not available": refused,
    "order details, late, with its delay recorded": details("late"),
    "my cases": visit("/cases", ".case-list"),
    "a case's conversation": visit("/cases/{case}", "section.conversation[data-case-id='{case}']"),
    "a closed case": visit("/cases/{closed}", "section.conversation[data-case-id='{closed}']"),
    "a reply sent": reply_sent,
    "my orders, one status": visit("/orders?status=paid", ".order-results"),
    "my orders, an order searched": visit("/orders?order={paid}", ".order-results"),
    "my orders, nothing found": visit(
        "/orders?order=ORD-NOT-MINE&status=shipped", ".order-results"
    ),
    "a solved case asking for a rating": visit(
        "/cases/{solved}", "section.conversation[data-case-id='{solved}'] ~ .rating form"
    ),
    "a rating not chosen": rating_not_chosen,
    "a rated case": visit("/cases/{rated}", ".rating .rating-given"),
    "a long conversation, earlier messages shown": earlier_messages(
        "/cases/{long}", "section.conversation[data-case-id='{long}'] .earlier button"
    ),
}


def _dashboard_tables(page: Page, base_url: str, orders: dict[str, str]) -> None:
    page.goto(f"{base_url}/#/agent/dashboard/7")
    page.locator("[data-chart=chart-ratings] canvas").wait_for()
    for toggle in page.locator(".chart-card button[aria-controls]").all():
        toggle.click()
    page.locator(".chart-table table").first.wait_for()


def _answer_anyway(page: Page, base_url: str, orders: dict[str, str]) -> None:
    open_agent_case(page, base_url, orders["case"])
    page.locator(".agent-reply textarea").fill("Lo miro yo.")
    page.locator(".agent-reply button[type=submit]").click()
    page.locator("dialog[open]").wait_for()


AGENT_PAGES: dict[str, Visit] = {
    "queue, open": visit("/agent", "ol.queue"),
    "queue, pending": visit("/agent/queue/pending", "[data-queue-hint=pending]"),
    "queue, solved": visit("/agent/queue/solved", "[data-queue-hint=solved]"),
    "a case in the console": visit("/agent/cases/{case}", ".agent-case[data-case-id='{case}']"),
    "a closed case in the console": visit(
        "/agent/cases/{closed}", ".agent-case[data-case-id='{closed}']"
    ),
    "a rated case in the console": visit(
        "/agent/cases/{rated}", ".agent-case[data-case-id='{rated}'] .rating-given"
    ),
    "a long conversation in the console, earlier messages shown": earlier_messages(
        "/agent/cases/{long}", ".agent-case[data-case-id='{long}'] .earlier button"
    ),
    "answering a colleague's case, confirmation": _answer_anyway,
    "taking a case over, confirmation": take_over_confirmation,
    "a note without text": note_without_text,
    "search": visit("/agent/search/{case}", ".search-results [data-case-id='{case}']"),
    "a view": visit("/agent/views/overdue", "[data-view-hint=overdue]"),
    "a view by topic": visit("/agent/views/action/payment_issue", "[data-view-hint=action]"),
    "saved replies": visit("/agent/replies", "form.reply-form"),
    "the dashboard": visit("/agent/dashboard/30", "[data-chart=chart-opened] canvas"),
    "the dashboard's tables": _dashboard_tables,
}


def test_switching_to_spanish_changes_every_label(
    page: Page, base_url: str, orders: dict[str, str], words: Words
) -> None:
    sign_in(page, base_url, orders["customer"])
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Español", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mis pedidos")
    # Focus stays on the switch
    expect(page.get_by_role("button", name="Español", exact=True)).to_be_focused()
    expect(page.get_by_role("button", name="Español", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    for name, visit_page in PAGES.items():
        visit_page(page, base_url, orders)
        assert english_left(page, words) == {}, name
    # The choice is remembered
    page.reload()
    page.locator(
        "section.help, form.help-form, .order-list, .refusal, .conversation"
    ).first.wait_for()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    # And the sign-in page too
    page.get_by_role("button", name="Cerrar sesión").click()
    page.locator("form input[name=user_id]").wait_for()
    assert english_left(page, words) == {}
    # And the agents' console
    sign_in_as_agent(page, base_url, "Marta Gil")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cola de casos")
    for name, visit_page in AGENT_PAGES.items():
        visit_page(page, base_url, orders)
        assert english_left(page, words) == {}, name
    page.get_by_role("button", name="Cerrar sesión").click()
    page.locator("form input[name=user_id]").wait_for()
    # The check itself finds English when there is some
    page.get_by_role("button", name="English", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert "web:sign_in.title" in english_left(page, words)


def test_every_page_passes_the_accessibility_audit(
    page: Page, base_url: str, orders: dict[str, str]
) -> None:
    page.goto(f"{base_url}/#/sign-in")
    page.locator("form input[name=user_id]").wait_for()
    found = {"sign-in": serious_violations(page)}
    sign_in(page, base_url, orders["customer"])
    for name, visit_page in PAGES.items():
        visit_page(page, base_url, orders)
        found[name] = serious_violations(page)
    sign_in_as_agent(page, base_url, "Marta Gil")
    for name, visit_page in AGENT_PAGES.items():
        visit_page(page, base_url, orders)
        found[name] = serious_violations(page)
    assert {name: v for name, v in found.items() if v} == {}
    # The audit does find a control without a label
    page.evaluate("document.querySelector('main').append(document.createElement('input'))")
    assert "label" in {violation["id"] for violation in serious_violations(page)}


def test_nothing_is_wider_than_a_360_px_phone(
    browser: Browser, base_url: str, orders: dict[str, str]
) -> None:
    page = new_page(browser, viewport=PHONE, language="es")
    try:
        page.goto(f"{base_url}/#/sign-in")
        page.locator("form input[name=user_id]").wait_for()
        widths = {"sign-in": horizontal_overflow(page)}
        sign_in(page, base_url, orders["customer"])
        for name, visit_page in PAGES.items():
            visit_page(page, base_url, orders)
            widths[name] = horizontal_overflow(page)
        sign_in_as_agent(page, base_url, "Marta Gil")
        for name, visit_page in AGENT_PAGES.items():
            visit_page(page, base_url, orders)
            widths[name] = horizontal_overflow(page)
        assert {name: px for name, px in widths.items() if px > 0} == {}
    finally:
        page.context.close()


def test_a_help_action_by_keyboard_alone(page: Page, base_url: str, shop: Shop) -> None:
    customer_id = "cust-keyboard"
    order_id = shop.paid_order(customer_id)
    sign_in(page, base_url, customer_id)

    tab_to(page, f"Order {order_id}")
    page.keyboard.press("Enter")
    # The new page's heading has focus: the next Tab starts from there
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    tab_to(page, "Report a payment problem")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Report a payment problem")).to_be_focused()

    tab_to(page, "Your message")
    page.keyboard.type("He pagado dos veces")
    tab_to(page, "Send to customer service")
    page.keyboard.press("Enter")
    notice = page.locator(".outcome")
    expect(notice).to_be_focused()
    expect(notice.locator("h2")).to_have_text("Your request has been sent to customer service.")


def test_cancelling_by_keyboard_asks_first_and_escape_keeps_the_order(
    page: Page, base_url: str, shop: Shop
) -> None:
    customer_id = "cust-keyboard-cancel"
    order_id = shop.paid_order(customer_id)
    sign_in(page, base_url, customer_id)
    open_form(page, base_url, order_id, "cancel_order")
    submit = page.locator("form.help-form button[type=submit]")

    tab_to(page, "Cancel the order")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    # The safe choice has focus; Escape closes and brings focus back
    expect(dialog.get_by_role("button", name="No, keep the order")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(submit).to_be_focused()
    status = shop.http.call("GET", f"/ops/orders/{order_id}", token=shop.token).body["status"]
    assert status == "paid"

    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    tab_to(page, "Yes, cancel the order", backwards=True)
    page.keyboard.press("Enter")
    expect(page.locator(".outcome h2")).to_have_text("Your order has been cancelled.")
    expect(page.locator(".outcome")).to_be_focused()
