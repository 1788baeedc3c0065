"""`make screenshots`: every page of the web page, at desktop and phone width, from a fresh local
stack with its demo data, written as PNG files (python -m tests.browser.screenshots DIR)."""

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page

from tests.browser.browser import DESKTOP, PHONE, chromium, new_page
from tests.e2e.stack import LocalStack

Step = Callable[[Page, str], None]


def signed_in_as(name: str) -> Step:
    """A demo customer (on My Orders) or agent (on the queue), by name."""

    def step(page: Page, base_url: str) -> None:
        page.goto(f"{base_url}/#/sign-in")
        page.locator(".user-list button", has_text=name).click()
        page.locator(
            "body[data-view=orders] li.order-card, body[data-view=agent] ol.queue"
        ).first.wait_for()

    return step


def visit(path: str, ready: str) -> Step:
    def step(page: Page, base_url: str) -> None:
        page.goto(f"{base_url}/#{path}")
        page.locator(ready).first.wait_for()

    return step


def submit(ready: str, fill: dict[str, str] | None = None) -> Step:
    def step(page: Page, base_url: str) -> None:
        for selector, value in (fill or {}).items():
            page.locator(selector).fill(value)
        page.locator("form.help-form button[type=submit]").click()
        page.locator(ready).first.wait_for()

    return step


def write(text: str, ready: str) -> Step:
    """Write on a case (the customer's reply box) and send."""

    def step(page: Page, base_url: str) -> None:
        page.locator(".composer textarea").first.fill(text)
        page.locator(".composer button[type=submit]").first.click()
        page.locator(ready).first.wait_for()

    return step


def click(selector: str, ready: str) -> Step:
    def step(page: Page, base_url: str) -> None:
        page.locator(selector).first.click()
        page.locator(ready).first.wait_for()

    return step


def choose(selector: str, value: str) -> Step:
    """Pick `value` in a select (the address form's country, say)."""

    def step(page: Page, base_url: str) -> None:
        page.locator(selector).select_option(value)

    return step


def sign_in_page(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/#/sign-in")
    page.locator(".user-list").first.wait_for()


# (file name, language, steps): each shot starts in a fresh browser context.
SHOTS: list[tuple[str, str, list[Step]]] = [
    ("01-sign-in", "es", [sign_in_page]),
    ("02-my-orders", "es", [signed_in_as("Lucía")]),
    ("03-order-details-paid", "es", [signed_in_as("Lucía"), visit("/orders/ORD-1002", ".help")]),
    (
        "04-order-details-delivered-en",
        "en",
        [signed_in_as("Oliver"), visit("/orders/ORD-2002", ".help")],
    ),
    (
        "05-change-address-form",
        "es",
        [signed_in_as("Lucía"), visit("/orders/ORD-1002/help/change_address", "form")],
    ),
    (
        "06-change-address-errors",
        "es",
        [
            signed_in_as("Lucía"),
            visit("/orders/ORD-1002/help/change_address", "form"),
            submit(
                ".error-summary",
                {"[name='address.postal_code']": "@@", "[name='address.city']": ""},
            ),
        ],
    ),
    (
        "07-cancel-confirmation",
        "es",
        [
            signed_in_as("Lucía"),
            visit("/orders/ORD-1002/help/cancel_order", "form"),
            submit("dialog[open]"),
        ],
    ),
    (
        "08-message-form",
        "es",
        [signed_in_as("Lucía"), visit("/orders/ORD-1003/help/shipping_delay", "form")],
    ),
    (
        "09-return-form",
        "es",
        [signed_in_as("Lucía"), visit("/orders/ORD-1005/help/return_request", "form")],
    ),
    (
        "10-item-problem-form",
        "en",
        [signed_in_as("Oliver"), visit("/orders/ORD-2001/help/item_problem", "form")],
    ),
    (
        "11-case-opened",
        "es",
        [
            signed_in_as("Lucía"),
            visit("/orders/ORD-1003/help/customs_duties", "form"),
            submit(".outcome", {"[name=message]": "¿Tendré que pagar aranceles?"}),
        ],
    ),
    (
        "12-not-available",
        "en",
        [signed_in_as("Oliver"), visit("/orders/ORD-2002/help/return_request", ".refusal")],
    ),
    (
        "13-order-details-late",
        "es",
        [signed_in_as("Lucía"), visit("/orders/ORD-1003", ".late")],
    ),
    ("14-my-cases", "es", [signed_in_as("Lucía"), visit("/cases", ".case-list")]),
    (
        "15-case-conversation",
        "es",
        [signed_in_as("Lucía"), visit("/cases/CS-DEMO-1005", ".conversation")],
    ),
    (
        "16-case-reply-sent-en",
        "en",
        [
            signed_in_as("Oliver"),
            visit("/cases/CS-DEMO-2004", ".conversation"),
            write("Thanks! And the import VAT?", ".case-notice"),
        ],
    ),
    (
        "17-follow-up-of-a-closed-case",
        "es",
        [
            signed_in_as("Lucía"),
            visit("/cases/CS-DEMO-1003", ".conversation"),
            write("Me ha vuelto a llegar el mismo correo.", ".case-follows"),
        ],
    ),
    ("18-agent-queue", "es", [signed_in_as("Marta"), visit("/agent/queue/open", "ol.queue")]),
    (
        "19-agent-queue-pending-en",
        "en",
        [signed_in_as("James"), visit("/agent/queue/pending", "ol.queue")],
    ),
    (
        "20-agent-case",
        "es",
        [signed_in_as("Marta"), visit("/agent/cases/CS-DEMO-1005", ".agent-case")],
    ),
    (
        "21-agent-case-en",
        "en",
        [signed_in_as("James"), visit("/agent/cases/CS-DEMO-2004", ".agent-case")],
    ),
    (
        "22-agent-take-over-en",
        "en",
        [
            signed_in_as("James"),
            visit("/agent/cases/CS-DEMO-1004", ".agent-case"),
            click(".assign button", "dialog[open]"),
        ],
    ),
    (
        "23-order-details-shipped",
        "es",
        [signed_in_as("Lucía"), visit("/orders/ORD-1004", ".where .tracking")],
    ),
    (
        "24-order-details-cancelled-en",
        "en",
        [signed_in_as("Oliver"), visit("/orders/ORD-2003", ".later-group")],
    ),
    (
        "25-address-form-uk-en",
        "en",
        [signed_in_as("Oliver"), visit("/orders/ORD-2004/help/change_address", "form")],
    ),
    (
        "26-address-errors-us-en",
        "en",
        [
            signed_in_as("Oliver"),
            visit("/orders/ORD-2004/help/change_address", "form"),
            choose("[name='address.country']", "US"),
            submit(".error-summary", {"[name='address.postal_code']": "NW1"}),
        ],
    ),
    (
        "27-my-orders-one-status",
        "es",
        [signed_in_as("Lucía"), visit("/orders?status=paid", ".order-results")],
    ),
    (
        "28-my-orders-searched-en",
        "en",
        [signed_in_as("Oliver"), visit("/orders?order=ord-2004", ".order-results")],
    ),
]


def take(browser: Browser, base_url: str, out: Path) -> list[Path]:
    """Each shot's steps run once, in a fresh browser context; the page is then taken at desktop
    width and at phone width (a step that writes on a case writes once)."""
    written = []
    for name, language, steps in SHOTS:
        page = new_page(browser, viewport=DESKTOP, language=language)
        try:
            for step in steps:
                step(page, base_url)
            # No caret or focus ring in the picture: it is of the page, not of a moment.
            page.evaluate("document.activeElement?.blur?.()")
            for width_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                page.set_viewport_size(viewport)
                path = out / f"{name}-{width_name}.png"
                page.screenshot(path=str(path), full_page=True, animations="disabled")
                written.append(path)
        finally:
            page.context.close()
    return written


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as state:
        stack = LocalStack(Path(state)).start()
        try:
            with chromium() as browser:
                written = take(browser, f"http://127.0.0.1:{stack.port}", out)
        finally:
            stack.stop()
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
