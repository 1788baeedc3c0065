"""Photos on a damage report, in Chromium against the local stack: the customer attaches two
files to the item-problem form, removes one before sending, sees the progress and the check in
words; the thumbnail shows in her conversation and in the agents' console, opens a full view
by keyboard with the file name as its alt text, and an agent answers with a photo of their own.
axe finds nothing serious on any of these pages."""

from pathlib import Path

from playwright.sync_api import Browser, expect

from orderhelp_dev.local.identities import TokenIssuer
from tests.browser.browser import (
    PHONE,
    horizontal_overflow,
    new_page,
    open_agent_case,
    open_case,
    open_form,
    serious_violations,
    sign_in,
    sign_in_as_agent,
    tab_to,
)
from tests.browser.test_cases import browsers
from tests.e2e.shop import Shop
from tests.e2e.stack import Http
from tests.support import files


def _delivered(shop: Shop, customer_id: str) -> str:
    order_id = shop.paid_order(customer_id)
    assert shop.ship(order_id).status == 200
    assert shop.deliver(order_id).status == 200
    return order_id


def test_photos_on_a_damage_report_seen_by_both_sides(
    browser: Browser,
    base_url: str,
    tmp_path: Path,
    *,
    shop: Shop,
    http: Http,
    tokens: TokenIssuer,
    customer_id: str,
) -> None:
    order_id = _delivered(shop, customer_id)
    photo = tmp_path / "lámpara rota.jpg"
    photo.write_bytes(files.photo(640, 480))
    other = tmp_path / "otra.png"
    other.write_bytes(files.png())
    program = tmp_path / "setup.exe"
    program.write_bytes(files.program())

    with browsers(browser, 2) as (customer, agent):
        # Given the customer's item-problem form, in English
        sign_in(customer, base_url, customer_id)
        open_form(customer, base_url, order_id, "item_problem")
        # (the form's file input: the page's own button opens it, the test gives it files)
        picker = customer.locator("form.help-form .attachment-picker input[type=file]")
        expect(customer.locator(".attachment-picker label")).to_have_text(
            "Photos of the problem (optional)"
        )

        # A program is refused in words before any upload
        picker.set_input_files(str(program))
        refusal = customer.locator(".attachment-picker .attachment-error[role=alert]")
        expect(refusal).to_contain_text("setup.exe cannot be sent")

        # When she attaches two photos and removes one before sending
        picker.set_input_files([str(photo), str(other)])
        items = customer.locator(".attachment-item")
        expect(items).to_have_count(2)
        expect(items.first.locator(".attachment-state")).to_have_text("Ready", timeout=60_000)
        customer.get_by_role("button", name="Remove otra.png").click()
        expect(items).to_have_count(1)
        assert serious_violations(customer) == []

        form = customer.locator("form.help-form")
        form.get_by_label("Lámpara de mesa").check()
        form.get_by_label("An item arrived damaged").check()
        form.get_by_label("Your message").fill("La lámpara llegó rota.")
        form.get_by_role("button", name="Report the problem").click()
        expect(customer.locator(".outcome .case-title")).to_have_text(
            "Report missing, wrong, lost or damaged items"
        )
        cases = http.call("GET", "/cases", token=tokens.customer(customer_id)).body["cases"]
        case_id = cases[0]["case_id"]

        # Then her conversation shows the thumbnail, whose image's alt is the file name
        open_case(customer, base_url, case_id)
        thumbnail = customer.locator(".attachment-open img")
        expect(thumbnail).to_have_attribute("alt", "lámpara rota.jpg")
        expect(thumbnail).to_have_js_property("complete", True)
        assert thumbnail.evaluate("image => image.naturalWidth") > 0
        # and opens a full view by keyboard, closed with Escape, focus back on the thumbnail
        opener = customer.get_by_role("button", name="View lámpara rota.jpg")
        opener.focus()
        customer.keyboard.press("Enter")
        dialog = customer.locator("dialog.attachment-dialog")
        expect(dialog).to_be_visible()
        expect(dialog.locator("img.attachment-full")).to_have_attribute("alt", "lámpara rota.jpg")
        assert serious_violations(customer) == []
        customer.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
        expect(opener).to_be_focused()

        # And the agent sees the same thumbnail in the console, and answers with a photo
        sign_in_as_agent(agent, base_url, "Marta Gil")
        open_agent_case(agent, base_url, case_id)
        expect(agent.locator(".attachment-open img")).to_have_attribute("alt", "lámpara rota.jpg")
        agent.get_by_role("button", name="Assign to me").click()
        expect(agent.locator(".case-notice")).to_have_text("The case is yours now.")
        reply = agent.locator("form.agent-reply")
        reply.get_by_label("Reply to the customer").fill("Here is how to pack it.")
        reply.locator("input[type=file]").set_input_files(str(other))
        expect(reply.locator(".attachment-state")).to_have_text("Ready", timeout=60_000)
        reply.get_by_role("button", name="Send the reply").click()
        expect(agent.locator(".case-notice")).to_have_text(
            "Your reply was sent. It is the customer's turn now."
        )
        assert serious_violations(agent) == []

        # The customer sees the agent's photo too
        open_case(customer, base_url, case_id)
        expect(customer.locator(".attachment-open img")).to_have_count(2)
        expect(customer.locator(".attachment-open img").last).to_have_attribute("alt", "otra.png")


def test_the_picker_speaks_the_pages_language_and_is_reached_by_keyboard(
    browser: Browser, base_url: str, tmp_path: Path, *, shop: Shop, customer_id: str
) -> None:
    # The browser's own file input would say "Choose Files" (its language, not the page's)
    order_id = _delivered(shop, customer_id)
    photo = tmp_path / "caja.png"
    photo.write_bytes(files.png())
    page = new_page(browser, viewport=PHONE, language="es")
    try:
        sign_in(page, base_url, customer_id)
        page.get_by_role("button", name="Español", exact=True).click()
        open_form(page, base_url, order_id, "item_problem")
        picker = page.locator(".attachment-picker")
        # (out of sight: the size of a visually hidden element, 1 px)
        box = picker.locator("input[type=file]").bounding_box()
        assert box is not None and box["width"] <= 1 and box["height"] <= 1
        choose = page.get_by_role("button", name="Fotos del problema (opcional) Elegir archivos")
        expect(choose).to_have_text("Elegir archivos")
        assert horizontal_overflow(page) == 0

        # It is reached with Tab, and opening it takes the files chosen
        tab_to(page, "Elegir archivos")
        expect(choose).to_be_focused()
        with page.expect_file_chooser() as chooser:
            choose.click()
        assert chooser.value.is_multiple()
        chooser.value.set_files(str(photo))
        expect(picker.locator(".attachment-item .attachment-name")).to_have_text("caja.png")
        expect(picker.locator(".attachment-state")).to_have_text("Listo", timeout=60_000)
        # and removing a file gives the focus back to the button
        page.get_by_role("button", name="Quitar caja.png").click()
        expect(choose).to_be_focused()
        assert serious_violations(page) == []
    finally:
        page.context.close()
