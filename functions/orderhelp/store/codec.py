"""Records as items and back: the models dumped as JSON values (with the keys the layout adds),
and items read back into the models, keys and index attributes dropped."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel

from lifecycle.attachments import Attachment
from lifecycle.case import Case
from lifecycle.order import Order
from lifecycle.refunds import Refund
from lifecycle.returns import Return
from orderhelp.records import CaseActivity, HistoryEntry, Ledger, OrderRecord, ReturnsActivity
from orderhelp.store import keys

Model = TypeVar("Model", bound=BaseModel)


def plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; the records want ints where they were ints."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == int(value) else value
    return value


def model_of(model: type[Model], item: Mapping[str, Any]) -> Model:
    """The record an item holds: the attributes that are fields of `model` (keys and index
    attributes are not)."""
    return model.model_validate({k: plain(v) for k, v in item.items() if k in model.model_fields})


def order_of(item: Mapping[str, Any]) -> Order:
    """The order an order item holds (read from the table or from an index that projects it)."""
    return model_of(Order, item)


def case_of(item: Mapping[str, Any]) -> Case:
    return model_of(Case, item)


def attachment_of(item: Mapping[str, Any]) -> Attachment:
    return model_of(Attachment, item)


def order_item(order: Order, due_shards: int) -> dict[str, Any]:
    return (
        order.model_dump(mode="json")
        | keys.order_key(order.order_id)
        | keys.order_index_keys(order, due_shards)
    )


def history_item(order_id: str, entry: HistoryEntry) -> dict[str, Any]:
    sort_key = (
        keys.history_sk(entry.version)
        if entry.changed
        else keys.note_sk(entry.version, entry.at, entry.request_id or "")
    )
    # The order's id on the entry itself: the outbox reads entries one by one.
    return entry.model_dump(mode="json") | {
        "pk": keys.order_pk(order_id),
        "sk": sort_key,
        "order_id": order_id,
        keys.OUTBOX: keys.OUTBOX_ORDER,
    }


def case_items(case: Case, queue_shards: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The case item (indexed) and its copy in the order's partition (not indexed: it would list
    every case twice)."""
    values = case.model_dump(mode="json")
    return (
        values | keys.case_index_keys(case, queue_shards) | keys.case_key(case.case_id),
        values | keys.case_copy_key(case.order_id, case.case_id),
    )


def activity_item(case: Case, activity: CaseActivity) -> dict[str, Any]:
    # Whose case and order it is, on the activity itself: the outbox reads activities one by one.
    return activity.model_dump(mode="json") | {
        **keys.activity_key(case.case_id, activity.version),
        "case_id": case.case_id,
        "number": case.number,
        "order_id": case.order_id,
        "customer_id": case.customer_id,
        "action": str(case.action),
        keys.OUTBOX: keys.OUTBOX_CASE,
    }


def open_case_item(case: Case) -> dict[str, Any]:
    return keys.open_case_key(case.order_id, case.action) | {"case_id": case.case_id}


def history_of(item: Mapping[str, Any]) -> HistoryEntry:
    return model_of(HistoryEntry, item)


def activity_of(item: Mapping[str, Any]) -> CaseActivity:
    return model_of(CaseActivity, item)


def record_item(record: BaseModel) -> dict[str, Any]:
    """A record of its own as its item: its fields, its key and its index keys; a return's or
    refund's activity entry is in the outbox, as history entries are."""
    item = record.model_dump(mode="json") | keys.record_key(record) | keys.record_index_keys(record)
    if isinstance(record, ReturnsActivity):
        item[keys.OUTBOX] = keys.OUTBOX_RETURN if record.subject == "return" else keys.OUTBOX_REFUND
    return item


def claim_item(kind: str, value: str, owner: str) -> dict[str, Any]:
    return keys.claim_key(kind, value) | {"kind": kind, "value": value, "owner": owner}


def add_returns_item(record: OrderRecord, sort_key: str, item: Mapping[str, Any]) -> None:
    """An item of the order's partition that belongs to its returns and refunds, into the
    record (other items are left alone)."""
    if sort_key.startswith(keys.RETURN):
        record.returns.append(model_of(Return, item))
    elif sort_key.startswith(keys.REFUND):
        record.refunds.append(model_of(Refund, item))
    elif sort_key == keys.LEDGER:
        record.ledger = model_of(Ledger, item)
    elif sort_key.startswith((keys.RETURN_LOG, keys.REFUND_LOG)):
        record.returns_activity.append(model_of(ReturnsActivity, item))
