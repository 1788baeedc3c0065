"""NotifyFunction: one email per event, in the order's contact language; nothing without a
contact; SES throttling retried with backoff; a redelivered event sends nothing twice."""

from email import message_from_string, policy
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from orderhelp import aws
from orderhelp.config import notify_settings
from orderhelp_dev.local.lambda_runtime import LocalLambdaContext, load_handler
from orderhelp_dev.local.template import functions
from tests.handlers.case_calls import answer, assign, open_case, solve
from tests.handlers.client import CUSTOMER, Api
from tests.handlers.outbox import Outbox

ORDER = "ORD-1"
NOTIFY = "NotifyFunction"
LUCIA = {"email": "lucia@example.com", "locale": "es"}


@pytest.fixture
def outbox(api: Api) -> Outbox:
    boto3.client("ses", region_name="eu-west-1").verify_email_identity(
        EmailAddress=notify_settings().notification_sender
    )
    return Outbox()


def notify(event: dict[str, Any], request_id: str = "req-1") -> dict[str, Any]:
    handler = load_handler(functions()[NOTIFY].handler)
    result: dict[str, Any] = handler(event, LocalLambdaContext(NOTIFY, 30, request_id=request_id))
    return result


def sent() -> list[Any]:
    from moto.ses.models import ses_backends

    messages = ses_backends["123456789012"]["eu-west-1"].sent_messages
    return [message_from_string(m.raw_data, policy=policy.default) for m in messages]


def text_of(message: Any) -> str:
    return str(message.get_body(("plain",)).get_content())


def cancellation(outbox: Outbox) -> dict[str, Any]:
    """The OrderCancelled that reached the bus (beside its refund's RefundDue)."""
    return next(e for e in outbox.publish() if e["detail-type"] == "OrderCancelled")


def deliver_all(outbox: Outbox) -> list[dict[str, Any]]:
    """Every event that reached the bus, handed to NotifyFunction as its rule would."""
    events = outbox.publish()
    return [notify(event) for event in events]


def test_an_agents_answer_emails_a_spanish_customer_in_spanish_with_a_link(
    api: Api, outbox: Outbox
) -> None:
    assert api.create_order(CUSTOMER, ORDER, contact=LUCIA).status == 201
    api.pay(ORDER)
    case_id = open_case(api, ORDER)
    assert assign(api, case_id).status == 200
    deliver_all(outbox)
    assert sent() == []
    assert answer(api, case_id, "Su pago ha llegado.").status == 200

    outcomes = deliver_all(outbox)

    assert [o["outcome"] for o in outcomes] == ["sent"]
    (email,) = sent()
    assert email["To"] == "lucia@example.com"
    assert email["Subject"] == f"Te hemos respondido sobre el pedido {ORDER}"
    assert "> Su pago ha llegado." in text_of(email)
    assert f"#/cases/{case_id}" in text_of(email)
    assert "Su pago ha llegado." in email.get_body(("html",)).get_content()


def test_a_redelivered_event_sends_no_second_email(api: Api, outbox: Outbox) -> None:
    assert api.create_order(CUSTOMER, ORDER, contact=LUCIA).status == 201
    api.pay(ORDER)
    outbox.publish()
    assert api.cancel(ORDER).status == 200
    cancelled = cancellation(outbox)

    first = notify(cancelled, "req-1")
    again = notify(cancelled, "req-2")  # EventBridge delivered it again
    retried = notify(cancelled, "req-1")  # Lambda retried the first invocation

    assert (first["outcome"], again["outcome"], retried["outcome"]) == (
        "sent",
        "already_sent",
        "already_sent",
    )
    (email,) = sent()
    assert "Te reembolsaremos 67,86 €." in text_of(email)


def test_an_order_without_a_contact_email_sends_nothing(api: Api, outbox: Outbox) -> None:
    api.order_in("paid", order_id=ORDER)
    outbox.publish()
    assert api.cancel(ORDER).status == 200
    cancelled = cancellation(outbox)
    assert notify(cancelled)["outcome"] == "no_contact"
    assert notify(cancelled, "req-2")["outcome"] == "already_sent"  # logged once, not twice
    assert sent() == []


def test_an_internal_note_sends_no_email_and_a_solve_does(api: Api, outbox: Outbox) -> None:
    contact = {"email": "oliver@example.com", "locale": "en"}
    assert api.create_order(CUSTOMER, ORDER, contact=contact).status == 201
    api.pay(ORDER)
    case_id = open_case(api, ORDER)
    assert assign(api, case_id).status == 200
    deliver_all(outbox)
    assert answer(api, case_id, "NOTE-55 check the bank", internal=True).status == 200
    assert solve(api, case_id).status == 200

    deliver_all(outbox)

    (email,) = sent()
    assert email["Subject"] == f"Your question about order {ORDER} is solved"
    assert "NOTE-55" not in email.as_string()


def test_ses_throttling_is_retried_with_backoff(
    api: Api, outbox: Outbox, dynamodb_faults: Any
) -> None:
    assert api.create_order(CUSTOMER, ORDER, contact=LUCIA).status == 201
    api.pay(ORDER)
    outbox.publish()
    assert api.cancel(ORDER).status == 200
    cancelled = cancellation(outbox)
    throttled = {"left": 2}

    def throttle(**_: Any) -> AWSResponse | None:
        if throttled["left"] == 0:
            return None
        throttled["left"] -= 1
        body = b'{"message": "Maximum sending rate exceeded."}'
        headers = {"x-amzn-ErrorType": "TooManyRequestsException"}
        return AWSResponse("https://email", 429, headers, _Raw(body))

    aws.sesv2().meta.events.register_first("before-send.sesv2.SendEmail", throttle)

    assert notify(cancelled)["outcome"] == "sent"

    assert throttled["left"] == 0
    assert len(dynamodb_faults.backoffs) >= 2  # botocore waited before each retry
    # (In-process moto answers every attempt besides the throttling stand-in, so each attempt
    # left a copy in its mailbox: SES itself keeps none of a throttled request.)
    assert {m["Subject"] for m in sent()} == {f"Tu pedido {ORDER} está cancelado"}


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body

    def read(self) -> bytes:
        return self._body
