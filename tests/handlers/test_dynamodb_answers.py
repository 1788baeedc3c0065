"""The item answers written without moto's serializer (`dynamodb_answers`) are, answer by answer,
the ones moto's serializer writes: over the seed's orders and cases as the API writes them, an
item with every attribute type, and every listed operation with the options that add members."""

import json
from typing import Any

import pytest
from moto.core.responses import ActionContext
from moto.dynamodb.responses import DynamoResult

from orderhelp.config import store_settings
from orderhelp_dev.local import dynamodb_answers
from orderhelp_dev.local.sample_events import seed_cases, seed_orders
from tests.handlers.client import Api, Identity
from tests.handlers.conftest import SeedCases, SeedOrders
from tests.handlers.test_snapshot import EVERY_KIND

Answer = tuple[int, dict[str, Any], str]


Answers = list[tuple[str, Answer, Answer]]
"""Each answer of the world: its operation, as moto's serializer writes it, as written here."""


@pytest.fixture
def answers(api: Api, monkeypatch: pytest.MonkeyPatch) -> Answers:
    recorded: Answers = []

    def both(result: DynamoResult, context: ActionContext) -> Answer:
        theirs: Answer = dynamodb_answers.moto_execute_result(result, context)  # type: ignore[assignment]
        ours = dynamodb_answers.execute_result(result, context)
        # (copies: moto adds its own headers to the answer it is given)
        recorded.append((context.operation_model.name, _copy(theirs), _copy(ours)))
        return ours

    monkeypatch.setattr(DynamoResult, "execute_result", both)
    return recorded


def _copy(answer: Answer) -> Answer:
    status, headers, body = answer
    return status, dict(headers), body


def _every_operation(client: Any, table: str) -> None:
    key = {"pk": EVERY_KIND["pk"], "sk": EVERY_KIND["sk"]}
    other = {"pk": EVERY_KIND["pk"], "sk": {"S": "B"}}
    missing = {"pk": {"S": "TEST#none"}, "sk": {"S": "A"}}
    measured = {"ReturnConsumedCapacity": "INDEXES"}
    client.put_item(
        TableName=table, Item=EVERY_KIND, ReturnItemCollectionMetrics="SIZE", **measured
    )
    client.put_item(TableName=table, Item=EVERY_KIND | other, ReturnValues="ALL_OLD")
    client.put_item(TableName=table, Item=EVERY_KIND, ReturnValues="ALL_OLD", **measured)
    client.get_item(TableName=table, Key=key, ConsistentRead=True, **measured)
    client.get_item(TableName=table, Key=missing)
    client.get_item(
        TableName=table,
        Key=key,
        ProjectionExpression="#b.deep, blobs",
        ExpressionAttributeNames={"#b": "B"},
    )
    for returned in ("ALL_NEW", "UPDATED_OLD", "UPDATED_NEW", "ALL_OLD", "NONE"):
        client.update_item(
            TableName=table,
            Key=key,
            UpdateExpression="ADD numbers :n SET #t = :t",
            ExpressionAttributeNames={"#t": "text"},
            ExpressionAttributeValues={":n": {"NS": ["3"]}, ":t": {"S": f"ñ {returned}"}},
            ReturnValues=returned,
            **measured,
        )
    by_key = {
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": EVERY_KIND["pk"]},
    }
    client.query(TableName=table, Limit=1, **by_key, **measured)
    client.query(TableName=table, Select="COUNT", **by_key)
    client.query(TableName=table, ScanIndexForward=False, **by_key)
    client.query(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "TEST#none"}},
    )
    for index in client.describe_table(TableName=table)["Table"].get("GlobalSecondaryIndexes", []):
        client.scan(TableName=table, IndexName=index["IndexName"], Limit=5, **measured)
    client.scan(TableName=table, Limit=3, **measured)
    client.scan(TableName=table, Segment=1, TotalSegments=3, Select="COUNT")
    client.batch_get_item(
        RequestItems={table: {"Keys": [key, other, missing], "ConsistentRead": True}}, **measured
    )
    client.batch_write_item(
        RequestItems={
            table: [
                {"PutRequest": {"Item": EVERY_KIND | {"sk": {"S": "C"}}}},
                {"DeleteRequest": {"Key": other}},
            ]
        },
        ReturnItemCollectionMetrics="SIZE",
        **measured,
    )
    client.transact_get_items(
        TransactItems=[
            {"Get": {"TableName": table, "Key": key}},
            {"Get": {"TableName": table, "Key": missing}},
        ],
        ReturnConsumedCapacity="TOTAL",
    )
    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": EVERY_KIND | {"sk": {"S": "D"}}}},
            {
                "Update": {
                    "TableName": table,
                    "Key": key,
                    "UpdateExpression": "SET flag = :yes",
                    "ExpressionAttributeValues": {":yes": {"BOOL": True}},
                }
            },
        ],
        **measured,
    )
    client.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD", **measured)
    client.delete_item(TableName=table, Key=missing)


def test_every_item_answer_is_the_one_motos_serializer_writes(
    api: Api, answers: Answers, seed: SeedOrders, seed_case_states: SeedCases
) -> None:
    # Given the seed as the API writes it, read back through the API
    seed(list(seed_orders()))
    seed_case_states(list(seed_cases()))
    listed = api.call("GET", "/orders", identity=Identity.customer("cust-lucia"))
    assert listed.status == 200, listed.body
    # and every listed operation, with an item of every attribute type
    _every_operation(api.dynamodb, store_settings().orders_table)

    assert {name for name, _, _ in answers} >= dynamodb_answers.ITEM_OPERATIONS
    for name, theirs, ours in answers:
        assert (name, ours[0], ours[1]) == (name, theirs[0], theirs[1])
        assert (name, json.loads(ours[2])) == (name, json.loads(theirs[2]))


def test_the_answers_are_installed_in_the_handlers_world(api: Api) -> None:
    assert DynamoResult.execute_result is dynamodb_answers.execute_result
