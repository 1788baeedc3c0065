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
    def step(page: Page, base_url: str) -> None:
        page.goto(f"{base_url}/#/sign-in")
        page.locator(".user-list button", has_text=name).click()
        page.locator("li.order-card").first.wait_for()

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
]


def take(browser: Browser, base_url: str, out: Path) -> list[Path]:
    written = []
    for width_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        for name, language, steps in SHOTS:
            page = new_page(browser, viewport=viewport, language=language)
            try:
                for step in steps:
                    step(page, base_url)
                # No caret or focus ring in the picture: it is of the page, not of a moment.
                page.evaluate("document.activeElement?.blur?.()")
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
