"""Cases in the browser: the customer's conversation and reply box, the agents' console (the
queue, taking a case, answering, internal notes, solving), a follow-up on a closed case, and a
case's failures said in words. Customer and agents each have their own browser context."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import Browser, Page, Request, Route, expect

from orderhelp.store import DynamoOrderStore
from orderhelp_dev.local.cases import stage_case
from orderhelp_dev.local.identities import TokenIssuer
from tests.browser.browser import (
    new_page,
    open_agent_case,
    open_case,
    open_order,
    sign_in,
    sign_in_as_agent,
    tab_to,
)
from tests.e2e.shop import Shop, iso
from tests.e2e.stack import Http


@contextmanager
def browsers(browser: Browser, count: int) -> Iterator[list[Page]]:
    """Pages in contexts of their own (their own sign-in), closed after; none may throw."""
    pages = [new_page(browser) for _ in range(count)]
    try:
        yield pages
    finally:
        errors = [page.page_errors for page in pages]  # type: ignore[attr-defined]
        for page in pages:
            page.context.close()
    assert errors == [[]] * count, errors


def open_help_case(
    shop: Shop, tokens: TokenIssuer, customer_id: str, message: str = "Me habéis cobrado dos veces."
) -> tuple[str, str]:
    """A paid order of the customer's and the payment case they opened on it: (order, case)."""
    order_id = shop.paid_order(customer_id)
    opened = shop.http.call(
        "POST",
        f"/orders/{order_id}/help/payment_issue",
        {"message": message},
        token=tokens.customer(customer_id),
    )
    assert opened.status == 201, opened.body
    return order_id, opened.body["case"]["case_id"]


def agent_case(http: Http, tokens: TokenIssuer, case_id: str) -> dict[str, Any]:
    reply = http.call("GET", f"/agent/cases/{case_id}", token=tokens.agent("agent-ana"))
    assert reply.status == 200, reply.body
    case: dict[str, Any] = reply.body["case"]
    return case


def test_an_agent_answers_the_customer_replies_and_the_case_opens_again(
    browser: Browser,
    base_url: str,
    *,
    shop: Shop,
    http: Http,
    tokens: TokenIssuer,
    customer_id: str,
) -> None:
    order_id, case_id = open_help_case(shop, tokens, customer_id)
    answer = "Lo sentimos: ya hemos pedido la devolución del segundo cargo."
    question = "Gracias. ¿Cuándo lo veré en la tarjeta?"
    with browsers(browser, 2) as (agent, customer):
        # Given an agent opens the customer's case in the console
        sign_in_as_agent(agent, base_url, "Marta Gil")
        expect(agent.get_by_role("heading", level=1)).to_have_text("Case queue")
        open_agent_case(agent, base_url, case_id)
        expect(agent.get_by_role("heading", level=1)).to_have_text("Report a payment problem")
        # with the order exactly as the customer sees it, help section included (not links)
        order = agent.get_by_role("region", name=f"Order {order_id}, as the customer sees it")
        offered = order.locator("section.help ul.actions li")
        expect(offered.filter(has_text="Cancel the order")).to_have_count(1)
        expect(order.locator("section.help ul.actions a")).to_have_count(0)
        expect(order.locator(f".case-current[data-case-id='{case_id}']")).to_be_visible()

        # When she takes it and answers
        agent.get_by_role("button", name="Assign to me").click()
        notice = agent.locator(".case-notice")
        expect(notice).to_have_text("The case is yours now.")
        expect(notice).to_be_focused()
        expect(agent.get_by_role("button", name="Assign to me")).to_have_count(0)
        agent.get_by_label("Reply to the customer").fill(answer)
        agent.get_by_role("button", name="Send the reply").click()
        expect(notice).to_have_text("Your reply was sent. It is the customer's turn now.")
        expect(agent.locator(".agent-case")).to_have_attribute("data-status", "pending")

        # Then the customer finds the answer in My cases, with whose turn it is
        sign_in(customer, base_url, customer_id)
        customer.get_by_role("navigation", name="Main menu").get_by_role(
            "link", name="My cases"
        ).click()
        card = customer.locator(f".case[data-case-id='{case_id}']")
        expect(card.locator(".case-turn")).to_have_text(
            "Customer service is waiting for your reply."
        )
        card.get_by_role("link", name="Read the conversation").click()
        expect(customer.get_by_role("heading", level=1)).to_be_focused()
        messages = customer.locator("ol.messages > li")
        # the customer's message and the answer; the agents' note of who took it is not shown
        expect(messages).to_have_count(2)
        # (by the agent's display name, never her id)
        expect(messages.nth(1).locator(".message-author")).to_have_text("Marta, customer service")
        expect(messages.nth(1).locator(".message-body")).to_have_text(answer)

        # When the customer replies
        customer.get_by_label("Your message").fill(question)
        customer.get_by_role("button", name="Send", exact=True).click()
        sent = customer.locator(".case-notice")
        expect(sent).to_have_text("Your message has been sent.")
        expect(sent).to_be_focused()
        # Then the case is open again: customer service's turn
        expect(customer.locator("section.conversation")).to_have_attribute("data-status", "open")
        expect(customer.locator(".case-turn")).to_have_text("Customer service will answer.")
        expect(messages.last.locator(".message-body")).to_have_text(question)
        assert agent_case(http, tokens, case_id)["status"] == "open"

        # And the agent sees it so; she notes something for colleagues, then solves it
        agent.reload()
        expect(agent.locator(".agent-case")).to_have_attribute("data-status", "open")
        agent_messages = agent.locator("ol.messages > li")
        expect(agent_messages.last.locator(".message-author")).to_have_text("Customer")
        expect(agent_messages.last.locator(".message-body")).to_have_text(question)
        agent.get_by_label("Internal note", exact=True).fill("Devolución RF-1 pedida a pagos.")
        agent.get_by_role("button", name="Add the note").click()
        expect(notice).to_have_text("Your internal note was added.")
        note = agent_messages.last
        expect(note).to_have_attribute("data-internal", "true")
        expect(note.locator(".message-flag")).to_have_text(
            "Internal note: only customer service sees it"
        )
        agent.get_by_label("Resolution", exact=True).fill("Devolución hecha: 5 días hábiles.")
        agent.get_by_role("button", name="Solve the case").click()
        expect(notice).to_have_text("The case is solved.")
        expect(agent.locator(".agent-case")).to_have_attribute("data-status", "solved")

        # Then the customer sees it solved, with the resolution and without the note
        customer.reload()
        expect(customer.locator("section.conversation")).to_have_attribute("data-status", "solved")
        expect(customer.locator(".case-turn")).to_contain_text("Solved on")
        expect(messages.last.locator(".message-body")).to_have_text(
            "Devolución hecha: 5 días hábiles."
        )
        expect(customer.get_by_text("Devolución RF-1")).to_have_count(0)


def test_two_agents_take_the_same_case_and_the_second_is_asked_before_taking_it_over(
    browser: Browser,
    base_url: str,
    *,
    shop: Shop,
    http: Http,
    tokens: TokenIssuer,
    customer_id: str,
) -> None:
    _, case_id = open_help_case(shop, tokens, customer_id)
    with browsers(browser, 2) as (marta, james):
        # Given both agents have the unassigned case open
        for page, name in ((marta, "Marta Gil"), (james, "James Whitfield")):
            sign_in_as_agent(page, base_url, name)
            open_agent_case(page, base_url, case_id)
        sent: list[tuple[Any, str]] = []
        james.on(
            "request",
            lambda request: (
                sent.append((request.post_data_json, request.headers["idempotency-key"]))
                if request.method == "POST"
                else None
            ),
        )

        # When Marta takes it first
        marta.get_by_role("button", name="Assign to me").click()
        expect(marta.locator(".case-notice")).to_have_text("The case is yours now.")

        # Then James, pressing the same button, is told who has it and asked first
        assign = james.get_by_role("button", name="Assign to me")
        assign.click()
        # (by her name, not her id: agents have profiles)
        dialog = james.get_by_role("dialog", name="Marta has this case")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text(
            "Take it over? The case's notes will say that you took it from Marta."
        )
        expect(dialog.get_by_role("button", name="No, leave it")).to_be_focused()
        # Escape leaves it with Marta and brings focus back
        james.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(assign).to_be_focused()
        assert agent_case(http, tokens, case_id)["assignee"] == "agent-marta"

        # When he confirms, the case is his
        assign.click()
        dialog.get_by_role("button", name="Yes, take it over").click()
        notice = james.locator(".case-notice")
        expect(notice).to_have_text("The case is yours now.")
        expect(notice).to_be_focused()
        case = agent_case(http, tokens, case_id)
        assert case["assignee"] == "agent-james"
        assert case["messages"][-1]["body"] == "Taken over by James from Marta."
        expect(james.locator("ol.messages > li").last.locator(".message-body")).to_have_text(
            "Taken over by James from Marta."
        )
        # Only the confirmed request forced it; each press was a request of its own
        assert [body for body, _ in sent] == [{}, {}, {"force": True}]
        assert len({key for _, key in sent}) == 3


def test_writing_on_a_closed_case_opens_a_follow_up_linked_both_ways(
    page: Page,
    base_url: str,
    *,
    shop: Shop,
    http: Http,
    tokens: TokenIssuer,
    store: DynamoOrderStore,
    customer_id: str,
) -> None:
    # Given a payment case solved and closed days ago
    now = datetime.now(UTC)
    created = shop.create_order(customer_id, placed_at=iso(now - timedelta(days=10)))
    order_id = created.body["order_id"]
    assert shop.pay(order_id).status == 200
    closed = f"CS-CLOSED-{uuid.uuid4().hex[:10].upper()}"
    stage_case(
        store,
        case_id=closed,
        order_id=order_id,
        action="payment_issue",
        status="closed",
        now=now,
        agent="agent-marta",
    )
    sign_in(page, base_url, customer_id)

    # When the customer opens it from the order's page
    open_order(page, base_url, order_id)
    page.locator(f"ul.cases .case[data-case-id='{closed}']").get_by_role(
        "link", name="Read the conversation"
    ).click()
    conversation = page.locator("section.conversation")
    expect(conversation).to_have_attribute("data-case-id", closed)
    expect(page.locator(".case-turn")).to_contain_text("Closed on")
    expect(page.get_by_role("heading", name="Write again")).to_be_visible()

    # And writes on it
    page.get_by_label("Your message").fill("El cargo ha vuelto a aparecer este mes.")
    page.get_by_role("button", name="Send", exact=True).click()

    # Then the message opened a follow-up, and the page went there saying so, by the closed
    # request's number
    numbers = {
        case["case_id"]: case["number"]
        for case in http.call("GET", "/cases", token=tokens.customer(customer_id)).body["cases"]
    }
    notice = page.locator(".case-notice")
    expect(notice).to_have_text(
        f"Request {numbers[closed]} was closed, so your message opened this new request, "
        "which continues it."
    )
    expect(notice).to_be_focused()
    expect(conversation).not_to_have_attribute("data-case-id", closed)
    follow_up = conversation.get_attribute("data-case-id")
    assert follow_up
    expect(conversation).to_have_attribute("data-status", "open")
    expect(page.locator("ol.messages > li .message-body")).to_have_text(
        ["El cargo ha vuelto a aparecer este mes."]
    )
    numbers = {
        case["case_id"]: case["number"]
        for case in http.call("GET", "/cases", token=tokens.customer(customer_id)).body["cases"]
    }
    expect(page.locator(".order-facts .case-number")).to_have_text(f"Request {numbers[follow_up]}")
    expect(page.locator(".case-follows")).to_have_text(
        f"This request continues request {numbers[closed]}, which was closed."
    )
    # And the two link to each other, by their numbers
    page.locator(".case-follows").get_by_role("link", name=f"request {numbers[closed]}").click()
    expect(conversation).to_have_attribute("data-case-id", closed)
    expect(page.locator(".case-followed-by")).to_have_text(
        f"The conversation went on in request {numbers[follow_up]}."
    )
    page.locator(".case-followed-by").get_by_role(
        "link", name=f"request {numbers[follow_up]}"
    ).click()
    expect(conversation).to_have_attribute("data-case-id", follow_up)
    # As the API has them
    continued = http.call("GET", f"/cases/{follow_up}", token=tokens.customer(customer_id)).body
    assert (continued["follows"], continued["action"]) == (closed, "payment_issue")
    assert http.call("GET", f"/cases/{closed}", token=tokens.customer(customer_id)).body[
        "followed_by"
    ] == [follow_up]


def test_a_reply_whose_answer_is_lost_is_sent_again_with_the_same_key(
    page: Page, base_url: str, shop: Shop, tokens: TokenIssuer, customer_id: str
) -> None:
    _, case_id = open_help_case(shop, tokens, customer_id)
    sign_in(page, base_url, customer_id)
    open_case(page, base_url, case_id)
    send = page.get_by_role("button", name="Send", exact=True)
    box = page.get_by_label("Your message")

    # An empty message is not sent: said at the field
    send.click()
    expect(page.locator(".composer .field-error")).to_have_text("Write a message.")
    expect(box).to_be_focused()
    expect(box).to_have_attribute("aria-invalid", "true")

    sent: list[str] = []
    page.on(
        "request",
        lambda request: (
            sent.append(request.headers["idempotency-key"]) if request.method == "POST" else None
        ),
    )

    def lose_the_first_answer(route: Route, request: Request) -> None:
        # The API takes the message; its answer never reaches the page.
        route.fetch()
        route.abort("connectionreset")
        page.unroute("**/messages", lose_the_first_answer)

    page.route("**/messages", lose_the_first_answer)
    box.fill("¿Alguna novedad?")
    send.click()
    alert = page.locator(".composer [role=alert]")
    expect(alert).to_contain_text("We could not reach the service.")
    expect(alert).to_be_focused()
    alert.get_by_role("button", name="Try again").click()
    expect(page.locator(".case-notice")).to_have_text("Your message has been sent.")
    # The same key: the API answered the retry with the first request's outcome, one message
    assert len(sent) == 2
    assert sent[0] == sent[1]
    bodies = [m["body"] for m in agent_case(shop.http, tokens, case_id)["messages"]]
    assert bodies.count("¿Alguna novedad?") == 1


def test_solving_a_case_nobody_has_is_refused_in_words(
    page: Page, base_url: str, shop: Shop, tokens: TokenIssuer, customer_id: str
) -> None:
    _, case_id = open_help_case(shop, tokens, customer_id)
    sign_in_as_agent(page, base_url, "Marta Gil")
    open_agent_case(page, base_url, case_id)
    expect(page.locator(".agent-solve .hint")).to_contain_text(
        "Assign the case to yourself before solving it."
    )
    page.get_by_label("Resolution", exact=True).fill("Hecho.")
    page.get_by_role("button", name="Solve the case").click()
    alert = page.locator(".agent-solve [role=alert]")
    expect(alert).to_contain_text(
        "Nobody has this case yet: assign it to yourself before solving it."
    )
    expect(alert).to_be_focused()
    assert agent_case(shop.http, tokens, case_id)["status"] == "open"


def test_the_queue_by_status_most_urgent_first_with_the_demo_cases(
    page: Page, base_url: str
) -> None:
    sign_in_as_agent(page, base_url, "James Whitfield")
    tabs = page.get_by_role("navigation", name="Queues")
    expect(tabs.get_by_role("link", name="Open")).to_have_attribute("aria-current", "page")
    expect(page.locator("ol.queue > li[data-case-id='CS-DEMO-2004']")).to_be_visible()
    statuses = page.locator("ol.queue > li").evaluate_all(
        "items => items.map(item => item.dataset.status)"
    )
    assert set(statuses) == {"open"}
    tabs.get_by_role("link", name="Pending").click()
    expect(tabs.get_by_role("link", name="Pending")).to_have_attribute("aria-current", "page")
    expect(page.locator("[data-queue-hint=pending]")).to_have_text(
        "Waiting for the customer. The longest waiting first."
    )
    pending = page.locator("ol.queue > li[data-case-id='CS-DEMO-4001']")
    expect(pending.locator("dd").nth(1)).to_have_text("You")  # James's own case
    tabs.get_by_role("link", name="Solved").click()
    item = page.locator("ol.queue > li[data-case-id='CS-DEMO-3001']")
    expect(item).to_be_visible()
    item.get_by_role("link").click()
    expect(page.locator(".agent-case")).to_have_attribute("data-status", "solved")
    # A solved case takes notes, not replies; the internal ones are marked
    expect(page.get_by_label("Internal note", exact=True)).to_be_visible()
    expect(page.get_by_label("Reply to the customer")).to_have_count(0)
    expect(page.locator("ol.messages > li[data-internal=true]").first).to_be_visible()


def test_answering_by_keyboard_alone(
    browser: Browser, base_url: str, shop: Shop, tokens: TokenIssuer, customer_id: str
) -> None:
    _, case_id = open_help_case(shop, tokens, customer_id)
    with browsers(browser, 2) as (agent, customer):
        # The agent takes the case and answers with the keyboard
        sign_in_as_agent(agent, base_url, "Marta Gil")
        open_agent_case(agent, base_url, case_id)
        tab_to(agent, "Assign to me")
        agent.keyboard.press("Enter")
        expect(agent.locator(".case-notice")).to_be_focused()
        tab_to(agent, "Reply to the customer")
        agent.keyboard.type("¿Nos envía el justificante?")
        tab_to(agent, "Send the reply")
        agent.keyboard.press("Enter")
        expect(agent.locator(".case-notice")).to_have_text(
            "Your reply was sent. It is the customer's turn now."
        )
        expect(agent.locator(".case-notice")).to_be_focused()

        # The customer goes from My cases to the conversation and answers with the keyboard
        sign_in(customer, base_url, customer_id)
        customer.goto(f"{base_url}/#/cases")
        customer.locator(".case-list").wait_for()
        tab_to(customer, "Read the conversation")
        customer.keyboard.press("Enter")
        expect(customer.get_by_role("heading", level=1)).to_be_focused()
        tab_to(customer, "Your message")
        customer.keyboard.type("Adjunto enviado por correo.")
        tab_to(customer, "Send")
        customer.keyboard.press("Enter")
        expect(customer.locator(".case-notice")).to_be_focused()
        expect(customer.locator(".case-turn")).to_have_text("Customer service will answer.")


def test_my_cases_latest_activity_first_and_more_on_demand(
    page: Page, base_url: str, shop: Shop, tokens: TokenIssuer, customer_id: str
) -> None:
    # Given twelve cases, on six orders
    opened = []
    for _ in range(6):
        order_id = shop.paid_order(customer_id)
        for action in ("payment_issue", "customs_duties"):
            reply = shop.http.call(
                "POST",
                f"/orders/{order_id}/help/{action}",
                {"message": "¿Podéis ayudarme?"},
                token=tokens.customer(customer_id),
            )
            assert reply.status == 201, reply.body
            opened.append(reply.body["case"]["case_id"])
    sign_in(page, base_url, customer_id)
    page.get_by_role("link", name="My cases").click()
    cards = page.locator(".case-list > li .case")
    # Ten at first, the latest activity first
    expect(cards).to_have_count(10)
    more = page.get_by_role("button", name="Show more cases")
    more.click()
    expect(cards).to_have_count(12)
    shown = cards.evaluate_all("cards => cards.map(card => card.dataset.caseId)")
    assert shown == opened[::-1]
    # The reader's place is kept: focus on the first case just shown; and the end is said
    expect(cards.nth(10).get_by_role("link", name="Read the conversation")).to_be_focused()
    expect(page.locator(".list-footer")).to_have_text("All your cases are shown.")


def test_answering_a_case_solved_meanwhile_is_refused_in_words_with_the_case_as_it_is_now(
    page: Page, base_url: str, shop: Shop, tokens: TokenIssuer, customer_id: str
) -> None:
    _, case_id = open_help_case(shop, tokens, customer_id)
    james = tokens.agent("agent-james")
    assert shop.http.call("POST", f"/agent/cases/{case_id}/assign", {}, token=james).status == 200
    sign_in_as_agent(page, base_url, "Marta Gil")
    open_agent_case(page, base_url, case_id)
    # Meanwhile a colleague solves it
    solved = shop.http.call(
        "POST", f"/agent/cases/{case_id}/solve", {"resolution": "Hecho."}, token=james
    )
    assert solved.status == 200, solved.body
    page.get_by_label("Reply to the customer").fill("¿Sigue pasando?")
    page.get_by_role("button", name="Send the reply").click()
    alert = page.locator(".agent-reply [role=alert]")
    expect(alert).to_contain_text(
        "This case changed meanwhile and cannot take this now. Look at it as it is now."
    )
    expect(alert).to_be_focused()
    alert.get_by_role("button", name="Show it as it is now").click()
    expect(page.locator(".agent-case")).to_have_attribute("data-status", "solved")
    expect(page.get_by_label("Reply to the customer")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_be_focused()
