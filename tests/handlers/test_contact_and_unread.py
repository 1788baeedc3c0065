"""The customer's contact on an order (validated, stored, shown to the customer and agents), the
delay check's message in the contact's language and the shop's time zone, and unread cases."""

import pytest

from tests.handlers.case_calls import (
    agent_case,
    answer,
    assign,
    my_case,
    my_cases,
    open_case,
    write,
)
from tests.handlers.client import CUSTOMER, Api
from tests.handlers.test_delay_check import run_check

ORDER = "ORD-1"


@pytest.mark.parametrize(
    ("contact", "field"),
    [
        ({"email": "not-an-address", "locale": "es"}, "email"),
        ({"email": "ana@localhost", "locale": "es"}, "email"),
        ({"email": "ana@example.com", "locale": "fr"}, "locale"),
        ({"email": "ana@example.com"}, "locale"),
    ],
)
def test_an_invalid_contact_is_422_at_its_field(api: Api, contact: dict, field: str) -> None:
    reply = api.create_order(CUSTOMER, ORDER, contact=contact)
    assert reply.status == 422
    assert reply.error["code"] == "validation_error"
    assert [e["loc"] for e in reply.error["errors"]] == [["body", "contact", field]]


def test_the_contact_is_stored_and_shown_to_the_customer_and_to_agents(api: Api) -> None:
    contact = {"email": "Lucia@EXAMPLE.com", "locale": "es"}
    assert api.create_order(CUSTOMER, ORDER, contact=contact).status == 201
    api.pay(ORDER)
    expected = {"email": "Lucia@example.com", "locale": "es"}
    assert api.details(ORDER).body["contact"] == expected
    case_id = open_case(api, ORDER)
    assert agent_case(api, case_id).body["order"]["contact"] == expected


def test_the_delay_message_is_in_the_contacts_language_and_the_shops_time(api: Api) -> None:
    assert api.create_order(CUSTOMER, ORDER, contact={"email": "l@example.com", "locale": "es"})
    api.pay(ORDER)  # ships by 2026-05-06T09:00Z: 11:00 in Madrid (summer time)
    api.clock.advance(days=3)
    assert run_check()["cases_opened"] == 1
    (case,) = my_cases(api).body["cases"]
    (message,) = my_case(api, case["case_id"]).body["messages"]
    assert message["body"].startswith("Control de retrasos")
    assert "6 de mayo de 2026, 11:00 CEST" in message["body"]
    assert "Delay check" not in message["body"]


def test_a_case_is_unread_once_customer_service_writes_and_read_once_opened(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)

    def unread() -> bool:
        (case,) = my_cases(api).body["cases"]
        return bool(case["unread"])

    assert not unread()  # the customer's own words
    assert assign(api, case_id).status == 200
    assert answer(api, case_id, "Checking", internal=True).status == 200
    assert not unread()  # taking it and notes are not written to the customer
    assert answer(api, case_id, "Your payment arrived.").status == 200
    assert unread()
    assert api.details(ORDER).body["cases"][0]["unread"] is True

    opened = my_case(api, case_id)

    assert opened.body["unread"] is False
    assert not unread()
    api.clock.advance(minutes=1)
    assert answer(api, case_id, "Anything else?").status == 200
    assert unread()


def test_a_customer_who_answers_has_read_the_conversation(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    assert assign(api, case_id).status == 200
    assert answer(api, case_id, "Which card did you pay with?").status == 200
    (case,) = my_cases(api).body["cases"]
    assert case["unread"] is True
    api.clock.advance(minutes=5)

    reply = write(api, case_id, "The one ending in 4242.")

    assert reply.status == 200 and reply.body["case"]["unread"] is False
    (case,) = my_cases(api).body["cases"]
    assert case["unread"] is False
