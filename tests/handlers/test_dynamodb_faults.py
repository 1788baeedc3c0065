"""A DynamoDB that keeps failing through botocore's retries: the caller gets 503
temporarily_unavailable with Retry-After, and nothing is half-written."""

from collections.abc import Callable

import pytest

from orderhelp.aws import CLIENT_CONFIG
from tests.handlers.client import CUSTOMER, Api, Identity, Reply
from tests.handlers.interference import FAULTS, THROTTLED_TRANSACTION, DynamoDBFaults, Fault

ORDER = "ORD-1"
ATTEMPTS = 1 + (CLIENT_CONFIG.retries or {})["max_attempts"]
"""The first try and botocore's retries (`max_attempts` in a Config counts only the retries)."""

WRITES: dict[str, Callable[[Api], Reply]] = {
    "a help action that changes the order": lambda api: api.help(ORDER, "cancel_order"),
    "a help action that opens a case": lambda api: api.help(ORDER, "payment_issue"),
    "a lifecycle event": lambda api: api.ship(ORDER),
}


def assert_temporarily_unavailable(reply: Reply) -> None:
    assert reply.status == 503, reply
    assert reply.error["code"] == "temporarily_unavailable"
    assert reply.error["message"]
    assert int(reply.headers["retry-after"]) > 0


@pytest.mark.parametrize("fault", [*FAULTS, THROTTLED_TRANSACTION], ids=lambda fault: fault.name)
@pytest.mark.parametrize("write", WRITES)
def test_a_write_that_keeps_failing_is_503_and_writes_nothing(
    api: Api, dynamodb_faults: DynamoDBFaults, fault: Fault, write: str
) -> None:
    # Given a paid order, and a table that fails every transaction
    api.order_in("paid", order_id=ORDER)
    before = api.snapshot()
    dynamodb_faults.fail("TransactWriteItems", fault)

    # When a change is requested
    reply = WRITES[write](api)

    # Then botocore tried as often as it is configured to (backing off in between), the caller
    # is told to come back, and no item of any table changed
    expected_attempts = ATTEMPTS if fault.retried else 1
    assert dynamodb_faults.attempts["TransactWriteItems"] == expected_attempts
    assert len(dynamodb_faults.backoffs) == expected_attempts - 1
    assert_temporarily_unavailable(reply)
    assert api.snapshot() == before

    # And once the table recovers, the same request goes through
    dynamodb_faults.heal()
    assert WRITES[write](api).status in (200, 201)


@pytest.mark.parametrize("fault", FAULTS, ids=lambda fault: fault.name)
@pytest.mark.parametrize(
    "path", [f"/orders/{ORDER}", "/orders"], ids=["order details", "my orders"]
)
def test_a_read_that_keeps_failing_is_503(
    api: Api, dynamodb_faults: DynamoDBFaults, fault: Fault, path: str
) -> None:
    api.order_in("paid", order_id=ORDER)
    dynamodb_faults.fail("Query", fault)

    reply = (
        api.details(ORDER)
        if path != "/orders"
        else api.call("GET", path, identity=Identity.customer(CUSTOMER))
    )

    assert dynamodb_faults.attempts["Query"] == ATTEMPTS
    assert_temporarily_unavailable(reply)


def test_a_fault_after_the_idempotency_record_leaves_no_record_behind(
    api: Api, dynamodb_faults: DynamoDBFaults
) -> None:
    # Given a request with an Idempotency-Key that fails on the orders table
    api.order_in("paid", order_id=ORDER)
    before = api.snapshot()
    dynamodb_faults.fail("TransactWriteItems", FAULTS[0])
    key = {"idempotency-key": "retry-me-1"}

    failed = api.help(ORDER, "payment_issue", headers=key)

    # Then the in-progress record is gone with the failure, so nothing at all was written...
    assert_temporarily_unavailable(failed)
    assert api.snapshot() == before

    # ...and the client's retry with the same key is done, not refused as "in progress"
    dynamodb_faults.heal()
    retried = api.help(ORDER, "payment_issue", headers=key)
    assert retried.status == 201


@pytest.mark.parametrize("seen_before", [False, True], ids=["a new key", "a key seen before"])
def test_a_failing_idempotency_table_is_503_too(
    api: Api, dynamodb_faults: DynamoDBFaults, seen_before: bool
) -> None:
    api.order_in("paid", order_id=ORDER)
    key = {"idempotency-key": "k-1"}
    if seen_before:
        assert api.help(ORDER, "payment_issue", headers=key).status == 201
    before = api.snapshot()
    dynamodb_faults.fail("PutItem", FAULTS[0])

    reply = api.help(ORDER, "payment_issue", headers=key)

    assert dynamodb_faults.attempts["PutItem"] == ATTEMPTS
    assert_temporarily_unavailable(reply)
    assert api.snapshot() == before
