"""Moto's answers to DynamoDB's item operations, written as JSON directly.

Moto builds each answer as the wire's JSON already (attribute values in DynamoDB's own form), then
walks it again with a serializer driven by the service model, member by member: about a fifth
of the handler tests' time, and most of it spent confirming that a `{"S": ...}` is a `{"S": ...}`.
For the item operations listed here the walk changes nothing but which top-level members are
kept (moto's result may carry one the API does not have, as `DeleteItem`'s
`ConsumedCapacityUnits`) and binary, held as bytes, written in base64; so the answer keeps the
output shape's members and is dumped as it is.
Errors, and every other operation, still go through moto's serializer.

`tests/handlers/test_dynamodb_answers.py` holds this to moto's serializer, answer by answer, over
every attribute type and every listed operation. `install()` patches moto in this process: the
embedded server's and in-process `mock_aws`."""

import base64
import json
from typing import Any

from moto.core.responses import ActionContext
from moto.dynamodb.responses import DynamoResult

moto_execute_result = DynamoResult.execute_result
"""Moto's own: its serializer's answer, which `execute_result`'s must equal."""

ITEM_OPERATIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "TransactGetItems",
    }
)
"""The operations whose answers carry items (the writes of many items answer with capacities
alone, in moto's plain `ActionResult`)."""
CONTENT_TYPE = "application/x-amz-json-1.0"  # DynamoDB's JSON protocol, version 1.0


def execute_result(result: DynamoResult, context: ActionContext) -> tuple[int, dict[str, Any], str]:
    answer = result.result
    output = context.operation_model.output_shape
    if (
        context.operation_model.name not in ITEM_OPERATIONS
        or not isinstance(answer, dict)
        or output is None
    ):
        return moto_execute_result(result, context)  # type: ignore[return-value]
    members = output.members
    kept = {name: value for name, value in answer.items() if name in members}
    return 200, {"Content-Type": CONTENT_TYPE}, wire_json(kept)


def wire_json(value: Any, *, sort_keys: bool = False) -> str:
    """`value` (moto's parsed request or its answer) as the JSON protocol writes it."""
    return json.dumps(value, default=_blob, sort_keys=sort_keys)


def _blob(value: object) -> str:
    """Binary (`B`, `BS`) is held as bytes and goes on the wire in base64, as the JSON protocol
    writes a blob."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} in a DynamoDB answer")


def install() -> None:
    """Once per process, before moto takes requests (idempotent)."""
    DynamoResult.execute_result = execute_result  # type: ignore[method-assign,assignment]
