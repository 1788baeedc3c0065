"""Moto's `TransactWriteItems`, made to behave and cost as DynamoDB's.

Idempotent, as DynamoDB is: a transaction sent with a `ClientRequestToken` that already succeeded
within the last 10 minutes is answered as a success without being applied again, and the same
token with other writes is refused with `IdempotentParameterMismatchException`. Moto ignores the
token, so without this the SDK's retry of a transaction whose answer was lost would fail its own
conditions — the very fault the services are built to survive.

Atomic in its stream, as DynamoDB is: a cancelled transaction leaves no stream record.

Cheap, as DynamoDB is: moto backs up a transaction by deep-copying each table it names, once per
item, so every transaction costs as much as the whole table (a few hundred orders made each help
action take a second). Here the backup holds just the items the transaction names, and on failure
exactly those are put back — the same all-or-nothing outcome. It is safe because the embedded
server applies one request at a time.

`install()` patches moto in this process: the embedded server's and in-process `mock_aws`."""

import copy
import hashlib
import time
from typing import Any

from moto.core.responses import ActionResult
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.exceptions import ERROR_TYPE_PREFIX, DynamodbException
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler

from orderhelp_dev.local.dynamodb_answers import wire_json

_moto_transact_write_items = DynamoDBBackend.transact_write_items
_moto_handle_transact_write_items = DynamoHandler.transact_write_items

TOKEN_WINDOW_SECONDS = 600
"""How long DynamoDB remembers a `ClientRequestToken` after its transaction completed."""


class IdempotentParameterMismatch(DynamodbException):
    def __init__(self) -> None:
        super().__init__(
            ERROR_TYPE_PREFIX + "IdempotentParameterMismatchException",
            "The request uses the same client token as a previous, but non-identical request.",
        )


def _handle_transact_write_items(self: DynamoHandler) -> ActionResult:
    token = self.body.get("ClientRequestToken")
    if not token:
        return _moto_handle_transact_write_items(self)
    backend = self.dynamodb_backend
    seen: dict[str, tuple[str, float]] = backend.__dict__.setdefault("_client_tokens", {})
    # (binary is bytes in moto's parsed request)
    writes = wire_json(self.body["TransactItems"], sort_keys=True)
    fingerprint = hashlib.sha256(writes.encode("utf-8")).hexdigest()
    now = time.monotonic()
    known = seen.get(token)
    if known is not None and now - known[1] < TOKEN_WINDOW_SECONDS:
        if known[0] != fingerprint:
            raise IdempotentParameterMismatch
        return ActionResult({"ConsumedCapacity": [], "ItemCollectionMetrics": {}})
    result = _moto_handle_transact_write_items(self)
    seen[token] = (fingerprint, now)
    return result


Saved = tuple[Table, DynamoType, DynamoType | None, Item | None]


class _TablesAreNotCopied:
    """Stands in for the `copy` module in moto's DynamoDB models: its whole-table backup becomes
    the table itself (so its rollback changes nothing), every other copy is a real one."""

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        if isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)


def _touched_items(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[Saved]:
    saved: list[Saved] = []
    for entry in transact_items:
        for op_type, op in entry.items():
            table = backend.tables.get(op.get("TableName", ""))
            attrs = op.get("Item") if op_type == "Put" else op.get("Key")
            if table is None or not attrs or table.hash_key_attr not in attrs:
                continue  # moto rejects it before writing anything
            hash_value = DynamoType(attrs[table.hash_key_attr])
            range_value = None
            if table.range_key_attr is not None:
                if table.range_key_attr not in attrs:
                    continue
                range_value = DynamoType(attrs[table.range_key_attr])
            current = table.get_item(hash_value, range_value)
            saved.append((table, hash_value, range_value, copy.deepcopy(current)))
    return saved


def _put_back(table: Table, hash_value: DynamoType, range_value: Any, item: Item | None) -> None:
    if range_value is None:
        if item is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = item  # type: ignore[assignment]  # a table without sort key
        return
    if item is None:
        partition = table.items.get(hash_value)
        if partition is not None:
            partition.pop(range_value, None)
    else:
        table.items[hash_value][range_value] = item


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    saved = _touched_items(self, transact_items)
    # Moto records a stream record for each write as it goes; a transaction that fails wrote
    # nothing, so its stream must say nothing either (the outbox publishes what it says).
    streams = {id(t): (t, len(t.stream_shard.items)) for t, *_ in saved if t.stream_shard}
    try:
        _moto_transact_write_items(self, transact_items)
    except Exception:
        for table, hash_value, range_value, item in reversed(saved):
            _put_back(table, hash_value, range_value, item)
        for table, length in streams.values():
            if table.stream_shard is not None:
                del table.stream_shard.items[length:]
        raise


def forget_tokens() -> None:
    """Forget every `ClientRequestToken` seen, as a new account would (tests start worlds anew
    on one server, and the same story in two worlds sends the same tokens)."""
    for account in dynamodb_models.dynamodb_backends.values():
        for backend in account.values():
            backend.__dict__.pop("_client_tokens", None)


def install() -> None:
    """Once per process, before moto takes requests (idempotent)."""
    if DynamoDBBackend.transact_write_items is _transact_write_items:
        return
    dynamodb_models.copy = _TablesAreNotCopied  # type: ignore[attr-defined,assignment]
    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
    DynamoHandler.transact_write_items = _handle_transact_write_items  # type: ignore[method-assign]
