"""The local stack's sign-in: the demo customers and agents, any customer id, and signing out."""

import re

from playwright.sync_api import Page, expect

from tests.browser.browser import sign_in


def test_a_demo_customer_signs_in_with_one_press(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/")
    # Not signed in: the sign-in page, saying it is the local stack's own
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.locator(".local-only")).to_contain_text("Local stack only")
    customers = page.get_by_role("region", name="Customers")
    customers.get_by_role("button", name="Lucía Fernández").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My orders")
    expect(page.locator(".account")).to_contain_text("Signed in as Lucía Fernández")
    expect(page.locator("li.order-card[data-order-id='ORD-1002']")).to_be_visible()
    menu = page.get_by_role("navigation", name="Main menu")
    expect(menu.get_by_role("link").first).to_have_text("My orders")
    expect(menu.get_by_role("link").nth(1)).to_have_text(re.compile(r"^My cases"))
    # Nor are the agents' pages a customer's
    page.goto(f"{base_url}/#/agent/cases/CS-DEMO-1004")
    expect(page.get_by_role("heading", level=1)).to_have_text("My orders")


def test_an_agent_signs_in_and_lands_on_the_queue(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/#/sign-in")
    agents = page.get_by_role("region", name="Customer service agents")
    agents.get_by_role("button", name="Marta Gil").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case queue")
    expect(page.locator(".account")).to_contain_text("Signed in as Marta Gil")
    menu = page.get_by_role("navigation", name="Main menu")
    expect(menu.get_by_role("link")).to_have_text(["Case queue"])
    expect(page.locator("ol.queue > li[data-case-id='CS-DEMO-1004']")).to_be_visible()
    # Customers' pages are not an agent's
    page.goto(f"{base_url}/#/orders")
    expect(page.get_by_role("heading", level=1)).to_have_text("Case queue")
    page.goto(f"{base_url}/#/cases/CS-DEMO-1004")
    expect(page.get_by_role("heading", level=1)).to_have_text("Case queue")


def test_signing_out_forgets_the_session(page: Page, base_url: str, customer_id: str) -> None:
    sign_in(page, base_url, customer_id)
    expect(page.locator(".panel-info")).to_have_text("You have no orders yet.")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.goto(f"{base_url}/#/orders")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert page.evaluate("sessionStorage.getItem('orderhelp.session')") is None


def test_a_customer_id_the_stack_refuses_is_said_in_words(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/#/sign-in")
    page.get_by_label("Customer id").fill("not an id")
    page.get_by_role("button", name="Sign in", exact=True).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Signing in did not work: user_id must be")
    expect(alert).to_be_focused()


def test_my_cases_says_how_many_cases_customer_service_answered_since_they_were_opened(
    page: Page, base_url: str
) -> None:
    # Lucía's demo cases include answers she has not opened yet
    sign_in(page, base_url, "cust-lucia")
    menu = page.get_by_role("navigation", name="Main menu")
    my_cases = menu.get_by_role("link", name=re.compile(r"^My cases"))
    expect(my_cases).to_have_accessible_name(re.compile(r"^My cases \d+ unread$"))
    unread = int(my_cases.locator(".badge-unread [aria-hidden=true]").inner_text())
    my_cases.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My cases")
    marked = page.locator("article.case-unread")
    expect(marked).to_have_count(unread)
    expect(marked.first.locator(".badge-unread")).to_have_text("New message")
    # Opening one reads it: the badge counts one fewer
    marked.first.get_by_role("link", name="Read the conversation").click()
    expect(page).to_have_url(re.compile(r"#/cases/."))
    expect(page.get_by_role("heading", level=1)).not_to_have_text("My cases")
    # …at once, on the conversation itself, not only on the next page
    if unread == 1:
        expect(my_cases.locator(".badge-unread")).to_have_count(0)
    else:
        expect(my_cases.locator(".badge-unread [aria-hidden=true]")).to_have_text(str(unread - 1))
    page.goto(f"{base_url}/#/cases")
    if unread == 1:
        expect(my_cases.locator(".badge-unread")).to_have_count(0)
    else:
        expect(my_cases.locator(".badge-unread [aria-hidden=true]")).to_have_text(str(unread - 1))
    expect(page.locator("article.case-unread")).to_have_count(unread - 1)
