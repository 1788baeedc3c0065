"""A conversation is read a page at a time: a case with 2,000 messages of 5,000 characters is
read and written as fast as a new one, and every message can still be reached."""

from typing import Any

from lifecycle.case import Author, CaseMessage, CaseStatus
from orderhelp.config import store_settings
from orderhelp.records import Actor, ActorKind, CaseActivity
from orderhelp.store import ACTIVITY_PAGE, codec
from orderhelp.store.table import to_attributes
from tests.handlers.case_calls import agent_case, my_case, open_case, write
from tests.handlers.client import Api

ORDER = "ORD-1"
MESSAGES = 2_000
LONG = 5_000


def _fill(api: Api, case_id: str, count: int) -> None:
    """`count` customer messages of `LONG` characters after the first, written as the store
    writes them (items straight into the table: 2,000 requests would only test moto)."""
    record = api.store.load_case(case_id)
    assert record is not None
    case = record.case
    actor = Actor(kind=ActorKind.CUSTOMER, id=case.customer_id)
    items = [
        to_attributes(
            codec.activity_item(
                case,
                CaseActivity(
                    version=version,
                    at=case.last_activity_at,
                    event="customer_reply",
                    actor=actor,
                    from_status=CaseStatus.OPEN,
                    to_status=CaseStatus.OPEN,
                    message=CaseMessage(
                        message_id=f"MSG-{version:05d}",
                        at=case.last_activity_at,
                        author=Author.CUSTOMER,
                        body=f"{version:05d} " + "x" * (LONG - 6),
                    ),
                ),
            )
        )
        for version in range(2, count + 2)
    ]
    table = store_settings().orders_table
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        api.dynamodb.batch_write_item(RequestItems={table: batch})
    grown = case.model_copy(update={"version": count + 1})
    case_item, copy_item = codec.case_items(grown, store_settings().case_queue_shards)
    for item in (case_item, copy_item):
        api.dynamodb.put_item(TableName=table, Item=to_attributes(item))


def test_a_case_with_two_thousand_long_messages_reads_and_takes_a_message_a_page_at_a_time(
    api: Api,
) -> None:
    # Given a case whose conversation holds 2,000 messages of 5,000 characters (about 10 MB)
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    _fill(api, case_id, MESSAGES)

    # When the customer opens it, the answer is its latest page, with the way to older ones
    reply = my_case(api, case_id)
    assert reply.status == 200
    latest = reply.body["messages"]
    assert len(latest) == ACTIVITY_PAGE
    assert latest[-1]["body"].startswith(f"{MESSAGES + 1:05d} ")
    assert reply.body["older_messages"]

    # And a page further back goes on where the first ended
    older = my_case(api, case_id, query=f"?cursor={reply.body['older_messages']}")
    assert older.status == 200
    assert older.body["messages"][-1]["body"].startswith(f"{MESSAGES + 1 - ACTIVITY_PAGE:05d} ")

    # When the customer writes, it is one read of a page and one transaction, not the whole case
    posted = write(api, case_id, "Still waiting.")
    assert posted.status == 200, posted
    assert posted.body["case"]["messages"][-1]["body"] == "Still waiting."
    assert len(posted.body["case"]["messages"]) <= ACTIVITY_PAGE + 1
    # and the answer still leads to the earlier messages (the page's "earlier messages" control)
    assert posted.body["case"]["older_messages"] == reply.body["older_messages"]
    assert len(api.case_messages(case_id, page=1_000)) == MESSAGES + 2

    # And customer service reads it the same way
    assert len(agent_case(api, case_id).body["case"]["messages"]) == ACTIVITY_PAGE


def test_the_page_size_is_the_callers_within_the_limits(api: Api) -> None:
    api.order_in("paid", order_id=ORDER)
    case_id = open_case(api, ORDER)
    _fill(api, case_id, 30)
    reply: Any = my_case(api, case_id, query="?limit=5")
    assert [m["body"][:5] for m in reply.body["messages"]] == [f"{v:05d}" for v in range(27, 32)]
    assert my_case(api, case_id, query="?limit=101").status == 422
