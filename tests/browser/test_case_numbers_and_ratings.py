"""A case as its customer and customer service read it now: a short number everywhere instead of
the long reference, when customer service will answer, the rating asked for once it is solved
(and shown to agents), and a long conversation read back a page at a time. Both languages, a
phone and a desktop, the keyboard, and the accessibility audit."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from orderhelp.store import DynamoOrderStore
from orderhelp_dev.local.cases import stage_case
from orderhelp_dev.local.identities import TokenIssuer
from tests.browser.browser import (
    DESKTOP,
    PHONE,
    horizontal_overflow,
    new_page,
    open_agent_case,
    open_case,
    serious_violations,
    sign_in,
    sign_in_as_agent,
    tab_to,
)
from tests.e2e.shop import Shop
from tests.e2e.stack import Http

WORDS = {
    "en": {
        "request": "Request {number}",
        "number_label": "Request number",
        "answer_by": r"^Customer service will answer by .+\.$",
        "rate_title": "Rate the answer",
        "good": "Good",
        "not_good": "Not good",
        "comment": "Anything to add? (optional)",
        "send": "Send my rating",
        "choose": "Choose Good or Not good.",
        "thanks": "Thank you for your rating.",
        "given": r"^Your rating of the answer: Good \(.+\)\.$",
        "earlier": "Show earlier messages",
        "start": "This is the start of the conversation.",
    },
    "es": {
        "request": "Solicitud {number}",
        "number_label": "Número de solicitud",
        "answer_by": r"^Atención al cliente te responderá antes del .+\.$",
        "rate_title": "Valora la respuesta",
        "good": "Buena",
        "not_good": "No fue buena",
        "comment": "¿Algo que añadir? (opcional)",
        "send": "Enviar mi valoración",
        "choose": "Elige «Buena» o «No fue buena».",
        "thanks": "Gracias por tu valoración.",
        "given": r"^Tu valoración de la respuesta: Buena \(.+\)\.$",
        "earlier": "Ver mensajes anteriores",
        "start": "Este es el principio de la conversación.",
    },
}
AGENT_WORDS = {"rating": "Customer's rating", "good": "Good", "case": "Case {number}"}

CASES = [("en", DESKTOP), ("es", PHONE)]
IDS = ["en-desktop", "es-phone"]


@contextmanager
def customer_page(browser: Browser, language: str, viewport: dict[str, int]) -> Iterator[Page]:
    page = new_page(browser, viewport=viewport, language=language)
    try:
        yield page
        assert page.page_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()


def api_case(http: Http, tokens: TokenIssuer, customer_id: str, case_id: str) -> Any:
    reply = http.call("GET", f"/cases/{case_id}", token=tokens.customer(customer_id))
    assert reply.status == 200, reply.body
    return reply.body


@pytest.mark.parametrize(("language", "viewport"), CASES, ids=IDS)
def test_a_new_request_shows_its_number_and_when_customer_service_will_answer(
    browser: Browser,
    base_url: str,
    *,
    shop: Shop,
    http: Http,
    tokens: TokenIssuer,
    customer_id: str,
    language: str,
    viewport: dict[str, int],
) -> None:
    words = WORDS[language]
    # Given a request the customer just sent
    order_id = shop.paid_order(customer_id)
    opened = http.call(
        "POST",
        f"/orders/{order_id}/help/payment_issue",
        {"message": "Me habéis cobrado dos veces."},
        token=tokens.customer(customer_id),
    )
    assert opened.status == 201, opened.body
    case = opened.body["case"]
    number, due = case["number"], case["answer_expected_by"]
    assert re.fullmatch(r"\d{5}", str(number))
    with customer_page(browser, language, viewport) as page:
        sign_in(page, base_url, customer_id)

        # Then My cases shows it by its number, with when customer service will answer
        page.goto(f"{base_url}/#/cases")
        card = page.locator(f".case[data-case-id='{case['case_id']}']")
        expect(card.locator(".case-number")).to_have_text(str(number))
        expect(card.get_by_text(words["number_label"])).to_be_visible()
        expect(card.locator(".case-turn")).to_have_text(re.compile(words["answer_by"]))
        expect(card.locator(f".case-turn time[datetime='{due}']")).to_have_count(1)
        assert case["case_id"] not in page.locator("main").inner_text()

        # And so does its conversation, and the order's history
        open_case(page, base_url, case["case_id"])
        expect(page.locator(".order-facts .case-number")).to_have_text(
            words["request"].format(number=number)
        )
        expect(page.locator(".answer-by")).to_have_text(re.compile(words["answer_by"]))
        assert case["case_id"] not in page.locator("main").inner_text()
        assert serious_violations(page) == []
        assert horizontal_overflow(page) == 0
        page.goto(f"{base_url}/#/orders/{order_id}")
        expect(page.locator("ol.timeline").get_by_role("link")).to_have_text(
            words["request"].format(number=number)
        )


@pytest.mark.parametrize(("language", "viewport"), CASES, ids=IDS)
def test_a_solved_request_is_rated_once_with_the_keyboard_and_agents_see_it(
    browser: Browser,
    base_url: str,
    *,
    http: Http,
    tokens: TokenIssuer,
    shop: Shop,
    store: DynamoOrderStore,
    customer_id: str,
    language: str,
    viewport: dict[str, int],
) -> None:
    words = WORDS[language]
    # Given a request customer service solved
    order_id = shop.paid_order(customer_id)
    case_id = f"CS-RATE-{customer_id[-8:].upper()}"
    stage_case(
        store,
        case_id=case_id,
        order_id=order_id,
        action="payment_issue",
        status="solved",
        now=datetime.now(UTC),
        agent="agent-marta",
    )
    number = api_case(http, tokens, customer_id, case_id)["number"]
    with customer_page(browser, language, viewport) as page:
        sign_in(page, base_url, customer_id)
        open_case(page, base_url, case_id)
        rating = page.get_by_role("region", name=words["rate_title"])
        expect(rating).to_be_visible()
        assert serious_violations(page) == []
        assert horizontal_overflow(page) == 0

        # When the customer sends it without choosing, with the keyboard
        tab_to(page, words["send"])
        page.keyboard.press("Enter")

        # Then the choice is asked for, at the choice
        expect(rating.locator(".field-error")).to_have_text(words["choose"])
        expect(rating.get_by_label(words["good"], exact=True)).to_be_focused()
        assert serious_violations(page) == []

        # When they choose "good", add a comment and send, all with the keyboard
        page.keyboard.press("Space")
        expect(rating.get_by_label(words["good"], exact=True)).to_be_checked()
        tab_to(page, words["comment"])
        page.keyboard.type("Muy rápidos, gracias.")
        tab_to(page, words["send"])
        page.keyboard.press("Enter")

        # Then they are thanked, and the page shows the rating instead of asking again
        notice = page.locator(".case-notice")
        expect(notice).to_have_text(words["thanks"])
        expect(notice).to_be_focused()
        given = page.locator(".rating .rating-given")
        expect(given.locator("p")).to_have_text(re.compile(words["given"]))
        expect(given.locator(".rating-comment")).to_have_text("Muy rápidos, gracias.")
        expect(page.locator(".rating-form")).to_have_count(0)
        stored = api_case(http, tokens, customer_id, case_id)
        assert (stored["rating"]["value"], stored["rating"]["comment"]) == (
            "good",
            "Muy rápidos, gracias.",
        )
        assert stored["rating_requested"] is False
        # and a reload asks no more
        page.reload()
        expect(page.locator(".rating .rating-given")).to_be_visible()
        expect(page.locator(".rating-form")).to_have_count(0)
        assert serious_violations(page) == []

    # And customer service sees the rating on the case, by its number
    agent = new_page(browser, viewport=viewport)
    try:
        sign_in_as_agent(agent, base_url, "Marta Gil")
        open_agent_case(agent, base_url, case_id)
        expect(agent.locator("#summary-title")).to_have_text(
            AGENT_WORDS["case"].format(number=number)
        )
        summary = agent.locator(".case-summary")
        row = summary.locator("div", has=agent.get_by_text(AGENT_WORDS["rating"], exact=True))
        expect(row.locator(".rating-given")).to_contain_text(AGENT_WORDS["good"])
        expect(row.locator(".rating-comment")).to_have_text("Muy rápidos, gracias.")
        assert serious_violations(agent) == []
    finally:
        agent.context.close()


@pytest.mark.parametrize(("language", "viewport"), CASES, ids=IDS)
def test_earlier_messages_are_read_on_demand_by_the_customer_and_the_agent(
    browser: Browser,
    base_url: str,
    *,
    http: Http,
    tokens: TokenIssuer,
    shop: Shop,
    store: DynamoOrderStore,
    customer_id: str,
    language: str,
    viewport: dict[str, int],
) -> None:
    words = WORDS[language]
    # Given a conversation longer than a page: the staged story, then 24 more messages
    order_id = shop.paid_order(customer_id)
    case_id = f"CS-LONG-{customer_id[-8:].upper()}"
    stage_case(
        store,
        case_id=case_id,
        order_id=order_id,
        action="payment_issue",
        status="pending",
        now=datetime.now(UTC),
        agent="agent-marta",
    )
    for n in range(1, 25):
        posted = http.call(
            "POST",
            f"/cases/{case_id}/messages",
            {"body": f"Mensaje {n:02d}"},
            token=tokens.customer(customer_id),
        )
        assert posted.status == 200, posted.body
    with customer_page(browser, language, viewport) as page:
        sign_in(page, base_url, customer_id)
        open_case(page, base_url, case_id)
        messages = page.locator("section.conversation ol.messages > li")
        expect(messages).to_have_count(20)
        expect(messages.first.locator(".message-body")).to_have_text("Mensaje 05")

        # When the customer asks for the earlier messages, with the keyboard
        tab_to(page, words["earlier"])
        page.keyboard.press("Enter")

        # Then the page before is put on top (agents' notes left out), focus on its first
        # message, until the start of the conversation
        expect(page.locator(".earlier p.hint")).to_have_text(words["start"])
        expect(messages).to_have_count(26)
        expect(messages.first.locator(".message-body")).to_have_text(
            "I paid for this order twice. Could you refund one of the payments?"
        )
        expect(messages.first).to_be_focused()
        expect(messages.nth(6).locator(".message-body")).to_have_text("Mensaje 05")
        expect(page.locator("section.conversation [data-internal=true]")).to_have_count(0)
        assert serious_violations(page) == []
        assert horizontal_overflow(page) == 0

    # And the agent reads the same conversation, internal notes included
    agent = new_page(browser, viewport=viewport, language=language)
    try:
        sign_in_as_agent(agent, base_url, "Marta Gil")
        open_agent_case(agent, base_url, case_id)
        thread = agent.locator("section.conversation ol.messages > li")
        expect(thread).to_have_count(20)
        agent.locator(".earlier button").click()
        expect(agent.locator(".earlier p.hint")).to_have_text(words["start"])
        expect(thread).to_have_count(28)
        expect(agent.locator("section.conversation [data-internal=true]")).to_have_count(2)
        expect(thread.first).to_be_focused()
        assert serious_violations(agent) == []
    finally:
        agent.context.close()
