"""Debian's Chromium under Playwright, and what the browser tests and `make screenshots` share:
signing in, the axe-core audit, the words of the page's translation tables, overflow checks."""

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, Playwright, Route, expect, sync_playwright

from orderhelp_dev.local.demo import DEMO_PICTURES, DEMO_PICTURES_URL

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 780}
# How long an action or an expectation waits for the page. In CI the browser shares two cores
# with the other worker's scale tests, and a click there once waited more than 10 s for a done
# page's button to hold still for two frames. A page that never gets there still fails.
PAGE_WAIT_MS = 30_000
expect.set_options(timeout=PAGE_WAIT_MS)


@contextmanager
def chromium() -> Iterator[Browser]:
    """One headless Chromium (Debian's; Playwright never downloads one)."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


def _launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)


def new_page(
    browser: Browser,
    *,
    viewport: dict[str, int] = DESKTOP,
    language: str = "en",
    timezone: str = "UTC",
) -> Page:
    """A fresh context (its own storage) whose browser prefers `language`, in `timezone`; the
    shop's product pictures of the demo answered from `demo_pictures/` (never the internet)."""
    context = browser.new_context(
        viewport=viewport,
        locale={"en": "en-GB", "es": "es-ES"}[language],
        timezone_id=timezone,
    )
    context.set_default_timeout(PAGE_WAIT_MS)
    context.route(f"{DEMO_PICTURES_URL}*", _demo_picture)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.page_errors = errors  # type: ignore[attr-defined]
    return page


def _demo_picture(route: Route) -> None:
    name = route.request.url.removeprefix(DEMO_PICTURES_URL)
    picture = DEMO_PICTURES / name
    if "/" in name or not picture.is_file():
        route.fulfill(status=404, body="no such picture")
        return
    route.fulfill(status=200, content_type="image/svg+xml", body=picture.read_bytes())


def sign_in(page: Page, base_url: str, customer_id: str) -> None:
    """Through the local stack's sign-in page, as any customer id (the page's own form)."""
    page.goto(f"{base_url}/#/sign-in")
    page.locator("input[name=user_id]").fill(customer_id)
    page.locator("form button[type=submit]").click()
    page.locator("body[data-view=orders]").wait_for()


def sign_in_as_agent(page: Page, base_url: str, name: str) -> None:
    """Through the local stack's sign-in page, as one of the demo agents listed there."""
    page.goto(f"{base_url}/#/sign-in")
    page.locator(".user-list button", has_text=name).click()
    page.locator(
        "body[data-view=agent] ol.queue, body[data-view=agent] .panel-info"
    ).first.wait_for()


def go(page: Page, url: str) -> None:
    """To `url`, drawn afresh even when the page is there already (the same hash fires no
    hashchange, so the page would keep what it shows, an open dialog say)."""
    if page.url == url:
        page.reload()
    else:
        page.goto(url)


def open_case(page: Page, base_url: str, case_id: str) -> None:
    """A customer's case page."""
    go(page, f"{base_url}/#/cases/{case_id}")
    page.locator(f"section.conversation[data-case-id='{case_id}']").wait_for()


def open_agent_case(page: Page, base_url: str, case_id: str) -> None:
    go(page, f"{base_url}/#/agent/cases/{case_id}")
    page.locator(f".agent-case[data-case-id='{case_id}']").wait_for()


def open_order(page: Page, base_url: str, order_id: str) -> None:
    page.goto(f"{base_url}/#/orders/{order_id}")
    page.locator("section.help").wait_for()


def open_form(page: Page, base_url: str, order_id: str, action: str) -> None:
    page.goto(f"{base_url}/#/orders/{order_id}/help/{action}")
    page.locator("form.help-form").wait_for()


def tab_to(page: Page, text: str, *, backwards: bool = False, limit: int = 60) -> None:
    """Press Tab (or Shift+Tab) until the focused element's accessible text is `text`."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        focused = page.evaluate(
            "() => (document.activeElement?.innerText || document.activeElement?.labels?.[0]"
            "?.innerText || '').trim()"
        )
        if focused == text:
            return
    raise AssertionError(f"{text!r} was not reached with {key} in {limit} presses")


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated, not added as a <script>: the page's content security policy allows no
        # inline script, and axe is the test's, not the page's.
        page.evaluate(AXE.read_text("utf-8") + "\n;true")
    results = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]],
        }
        for violation in results
        if violation["impact"] in ("serious", "critical")
    ]


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


# --- the page's words -----------------------------------------------------------------------------

LIFECYCLE_LOCALES = ROOT / "statemachine" / "lifecycle" / "locales"
API_SECTIONS = ("states", "case_states", "actions", "reasons")
"""What the API puts in its answers from the rules' tables (labels and reasons)."""


def leaves(table: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(table, dict):
        for key, value in table.items():
            yield from leaves(value, f"{path}.{key}" if path else key)
    elif isinstance(table, str):
        yield path, table


def web_table(language: str) -> dict[str, Any]:
    table: dict[str, Any] = json.loads((WEB / "locales" / f"{language}.json").read_text("utf-8"))
    return table


@dataclass(frozen=True)
class Words:
    """Every English text the page or the API can show, where Spanish says it differently."""

    texts: dict[str, str]

    @classmethod
    def english_only(cls) -> "Words":
        texts: dict[str, str] = {}
        english, spanish = web_table("en"), web_table("es")
        for key, text in leaves(english):
            if text != dict(leaves(spanish)).get(key):
                texts[f"web:{key}"] = text
        rules = {
            language: json.loads((LIFECYCLE_LOCALES / f"{language}.json").read_text("utf-8"))
            for language in ("en", "es")
        }
        for section in API_SECTIONS:
            spanish_rules = dict(leaves(rules["es"][section]))
            for key, text in leaves(rules["en"][section]):
                if text != spanish_rules.get(key):
                    texts[f"api:{section}.{key}"] = text
        return cls(texts)

    def found_in(self, shown: list[str]) -> dict[str, str]:
        """The English texts among `shown` (the page's text nodes and labels, trimmed): a text
        shown whole, or a template with its placeholders filled, or a template's fixed part
        standing alone (the page puts dates in <time> elements between them)."""
        found = {}
        for key, text in self.texts.items():
            parts = re.split(r"\{\w+\}", text)
            whole = re.compile("^" + "(.+?)".join(re.escape(p) for p in parts) + "$", re.DOTALL)
            fixed = {p.strip(" .,:;·") for p in parts if len(re.findall(r"[A-Za-z]", p)) >= 3}
            for node in shown:
                if whole.match(node) or node.strip(" .,:;·") in fixed:
                    found[key] = node
                    break
        return found


SHOWN_TEXT = """() => {
  // Words marked as English inside the page, such as the language switch's "English".
  const inEnglish = (node) => node.closest('body [lang]')?.getAttribute('lang') === 'en';
  const shown = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('script, style, noscript') || inEnglish(parent)) continue;
    const text = node.textContent.trim();
    if (text) shown.push(text);
  }
  for (const element of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    if (inEnglish(element)) continue;
    for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
      const value = element.getAttribute(name)?.trim();
      if (value) shown.push(value);
    }
  }
  return shown;
}"""


def english_left(page: Page, words: Words) -> dict[str, str]:
    """English texts on a page that should be all Spanish: {table key: what the page shows}."""
    return words.found_in(page.evaluate(SHOWN_TEXT))
