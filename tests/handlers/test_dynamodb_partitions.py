"""A query that reads its partition alone (`dynamodb_partitions`) answers what moto's own query,
which sorts the whole table, answers: for every kind of query the store makes and then some,
over the seed's orders and cases as the API writes them and partitions of many items."""

from typing import Any

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table

from orderhelp.config import store_settings
from orderhelp_dev.local import dynamodb_partitions
from orderhelp_dev.local.sample_events import seed_cases, seed_orders
from tests.handlers.client import Api
from tests.handlers.conftest import REGION, SeedCases, SeedOrders


def _partition(pk: str) -> dict[str, Any]:
    return {":pk": {"S": pk}}


def _queries(orders: str, idempotency: str, index: str, index_key: str) -> list[dict[str, Any]]:
    big = "TEST#many"
    return [
        {"KeyConditionExpression": "pk = :pk", "ExpressionAttributeValues": _partition(big)},
        {
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :s)",
            "ExpressionAttributeValues": _partition(big) | {":s": {"S": "ITEM#01"}},
        },
        {
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :a AND :b",
            "ExpressionAttributeValues": _partition(big)
            | {":a": {"S": "ITEM#005"}, ":b": {"S": "ITEM#030"}},
            "ScanIndexForward": False,
        },
        {
            "KeyConditionExpression": "pk = :pk AND sk > :a",
            "ExpressionAttributeValues": _partition(big) | {":a": {"S": "ITEM#090"}},
            "Limit": 3,
        },
        {
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": _partition(big) | {":even": {"N": "0"}},
            "FilterExpression": "parity = :even",
            "ProjectionExpression": "sk, parity",
            "Limit": 7,
        },
        {
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": _partition(big),
            "Select": "COUNT",
        },
        {"KeyConditionExpression": "pk = :pk", "ExpressionAttributeValues": _partition("NONE")},
        {
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": _partition("ORDER#ORD-1007"),
            "ConsistentRead": True,
        },
        {
            "KeyConditionExpression": "#k = :k",
            "ExpressionAttributeNames": {"#k": index_key},
            "ExpressionAttributeValues": {":k": {"S": "CUSTOMER#cust-lucia"}},
            "IndexName": index,
            "TableName": orders,
        },
        {
            "TableName": idempotency,
            "KeyConditionExpression": "id = :id",
            "ExpressionAttributeValues": {":id": {"S": "TEST#one"}},
        },
    ]


def _all_pages(api: Api, request: dict[str, Any], table: str) -> list[dict[str, Any]]:
    """Each page's answer, without the request id, following LastEvaluatedKey."""
    pages = []
    start = None
    request = {"TableName": table} | request
    while True:
        answer = api.dynamodb.query(**request, **({"ExclusiveStartKey": start} if start else {}))
        answer.pop("ResponseMetadata")
        pages.append(answer)
        start = answer.get("LastEvaluatedKey")
        if not start or len(pages) > 60:
            return pages


def test_a_query_of_one_partition_answers_what_motos_own_query_answers(
    api: Api, seed: SeedOrders, seed_case_states: SeedCases, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the seed, a partition of 120 items beside it
    seed(list(seed_orders()))
    seed_case_states(list(seed_cases()))
    settings = store_settings()
    orders = settings.orders_table
    for n in range(120):
        api.dynamodb.put_item(
            TableName=orders,
            Item={
                "pk": {"S": "TEST#many"},
                "sk": {"S": f"ITEM#{n:03d}"},
                "parity": {"N": str(n % 2)},
            },
        )
    # and an item of a table without a sort key
    api.dynamodb.put_item(
        TableName=settings.idempotency_table, Item={"id": {"S": "TEST#one"}, "n": {"N": "1"}}
    )
    index = settings.indexes().cases_by_customer
    assert index is not None
    queries = _queries(orders, settings.idempotency_table, index, "case_customer_pk")
    assert Table.query is dynamodb_partitions.query

    # When each query is made with the partition read alone, and with moto's own query
    ours = [_all_pages(api, query, orders) for query in queries]
    partitions = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table(orders).items
    partitions_after = len(partitions)
    monkeypatch.setattr(Table, "query", dynamodb_partitions.moto_query)
    theirs = [_all_pages(api, query, orders) for query in queries]

    # Then the answers are the same, page by page
    for query, mine, moto in zip(queries, ours, theirs, strict=True):
        assert (query, mine) == (query, moto)
    assert sum(len(pages) for pages in ours) > len(queries)  # some queries had many pages
    assert any(page.get("Count") == 0 for pages in ours for page in pages)
    assert ours[-1][0]["Items"] == [{"id": {"S": "TEST#one"}, "n": {"N": "1"}}]
    # and asking for a partition that is not there adds nothing to the table
    assert len(partitions) == partitions_after
    assert all(partitions.values())
