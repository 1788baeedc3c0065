"""The embedded DynamoDB keeps DynamoDB's promises the design rests on: a transaction is all or
nothing, and of two conditional writes on one item only one succeeds; and its stream's readers
hear of a write when it is made."""

import sys
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from orderhelp_dev.local import streams
from orderhelp_dev.local.dynamodb import EmbeddedDynamoDB
from orderhelp_dev.local.environments import Invocation
from orderhelp_dev.local.template import load_template, resources

REGION = "eu-west-1"


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    template = load_template()
    database = EmbeddedDynamoDB()
    endpoint = database.start()
    database.create_tables(
        template, {name: name for name in resources("AWS::DynamoDB::Table", template)}, REGION
    )
    yield boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    database.stop()


def key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def item(client: Any, pk: str, sk: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = client.get_item(TableName="OrdersTable", Key=key(pk, sk)).get(
        "Item"
    )
    return found


def test_a_transaction_that_fails_changes_nothing(client: Any) -> None:
    client.put_item(TableName="OrdersTable", Item=key("T1", "A") | {"v": {"N": "1"}})
    client.put_item(TableName="OrdersTable", Item=key("T1", "B") | {"v": {"N": "1"}})
    with pytest.raises(ClientError) as refused:
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "OrdersTable", "Item": key("T1", "NEW")}},
                {
                    "Update": {
                        "TableName": "OrdersTable",
                        "Key": key("T1", "A"),
                        "UpdateExpression": "SET v = :two",
                        "ExpressionAttributeValues": {":two": {"N": "2"}},
                    }
                },
                {"Delete": {"TableName": "OrdersTable", "Key": key("T1", "B")}},
                {
                    "ConditionCheck": {
                        "TableName": "OrdersTable",
                        "Key": key("T1", "MISSING"),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert item(client, "T1", "NEW") is None
    assert item(client, "T1", "A") == key("T1", "A") | {"v": {"N": "1"}}
    assert item(client, "T1", "B") == key("T1", "B") | {"v": {"N": "1"}}


def test_a_transaction_that_succeeds_changes_everything(client: Any) -> None:
    client.put_item(TableName="OrdersTable", Item=key("T2", "A") | {"v": {"N": "1"}})
    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "OrdersTable", "Item": key("T2", "NEW")}},
            {
                "Update": {
                    "TableName": "OrdersTable",
                    "Key": key("T2", "A"),
                    "UpdateExpression": "SET v = :two",
                    "ConditionExpression": "v = :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}, ":two": {"N": "2"}},
                }
            },
        ]
    )
    assert item(client, "T2", "NEW") == key("T2", "NEW")
    assert item(client, "T2", "A") == key("T2", "A") | {"v": {"N": "2"}}


@pytest.fixture
def threads_switch_often() -> Iterator[None]:
    # The server runs in this process: switching threads very often makes interleavings that
    # would break a write's condition likely, instead of rare.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


@pytest.mark.usefixtures("threads_switch_often")
@pytest.mark.parametrize("round_", range(3))
def test_of_many_concurrent_conditional_writes_on_one_version_only_one_wins(
    client: Any, round_: int
) -> None:
    pk = f"T3-{round_}"
    client.put_item(TableName="OrdersTable", Item=key(pk, "A") | {"version": {"N": "1"}})
    start = threading.Barrier(20)
    wins: list[int] = []

    def bump(writer: int) -> None:
        start.wait()
        try:
            client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": "OrdersTable",
                            "Key": key(pk, "A"),
                            "UpdateExpression": "SET version = :next, writer = :me",
                            "ConditionExpression": "version = :read",
                            "ExpressionAttributeValues": {
                                ":read": {"N": "1"},
                                ":next": {"N": "2"},
                                ":me": {"N": str(writer)},
                            },
                        }
                    },
                    {"Put": {"TableName": "OrdersTable", "Item": key(pk, f"HISTORY#{writer}")}},
                ]
            )
        except ClientError:
            return
        wins.append(writer)

    threads = [threading.Thread(target=bump, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(wins) == 1
    history = client.query(
        TableName="OrdersTable",
        KeyConditionExpression="pk = :pk AND begins_with(sk, :h)",
        ExpressionAttributeValues={":pk": {"S": pk}, ":h": {"S": "HISTORY#"}},
    )["Items"]
    assert [entry["sk"]["S"] for entry in history] == [f"HISTORY#{wins[0]}"]
    assert item(client, pk, "A")["writer"] == {"N": str(wins[0])}  # type: ignore[index]


def test_an_idle_stream_reader_reads_a_write_when_it_is_made_and_stops_when_told(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a reader that, without a signal, would not read its shard again for ten minutes
    monkeypatch.setattr(streams, "IDLE_POLL_SECONDS", 600)
    delivered: list[dict[str, Any]] = []

    def invoke(event: dict[str, Any]) -> Invocation:
        delivered.extend(event["Records"])
        return Invocation("request")

    def keys() -> set[str]:
        return {r["dynamodb"]["Keys"]["pk"]["S"] for r in delivered}

    reader = streams.StreamReader(
        streams.StreamMapping("PublisherFunction", "OrdersTable"),
        client.meta.endpoint_url,
        REGION,
        invoke,
        dead_letter=lambda _queue, _message: None,
        log=lambda **_: None,
    ).start()
    try:
        client.put_item(TableName="OrdersTable", Item=key("STREAM-1", "A"))
        assert streams.wait_until(lambda: "STREAM-1" in keys(), 10)
        # When another write is made once it has read everything
        client.put_item(TableName="OrdersTable", Item=key("STREAM-2", "A"))
        # Then it reads it then, not at its next poll
        assert streams.wait_until(lambda: "STREAM-2" in keys(), 10)
    finally:
        reader.stop()
    # and stopping wakes it too: its thread has ended
    assert reader._thread is not None
    assert not reader._thread.is_alive()
