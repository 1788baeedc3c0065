"""The DynamoDB store: one class behind the `OrderStore` protocol the services use.

Data design (key schemas and index names live only in `infra/template.yaml`; this module knows
the item layout and reads index names from the environment the template sets):

    pk ORDER#<order_id>  sk ORDER                  the order; OrdersByCustomer keys when listed,
                                                   due index keys while it awaits a deadline
                         sk HISTORY#<version>      one per state change, in order
                         sk CASE#<case_id>         a copy of each of the order's cases
                         sk OPENCASE#<action>      the order's one non-closed case per action
    pk CASE#<case_id>    sk CASE                   the case
                         sk MESSAGE#<at>#<version>#<id>  its conversation

The case item (never its copy in the order's partition) also carries the keys of two sparse
indexes, which hold nothing but cases:

    CasesByCustomer  case_customer_pk CUSTOMER#<customer_id>
                     case_customer_sk <last_activity_at>#<case_id>     newest activity last
    CaseQueue        queue_pk QUEUE#<status>                           open, pending, solved only
                     queue_sk <urgency>#<case_id>                      most urgent first

The urgency is the first-response due time of an open case, the last activity of a pending one,
and when a solved case was solved (so housekeeping finds the cases due to close with one range
Query). A closed case has no queue keys, so it leaves the queue.

Order details are one Query on the order's partition; a case with its conversation is one Query
on the case's; every list is one Query per page on an index; every change is one
TransactWriteItems conditioned on what was read. Every write of an order recomputes its keys in
the index of orders awaiting a milestone (`due_index`), so the index follows the order whichever
function changed it.
"""

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError
from pydantic import BaseModel

from lifecycle.actions import HelpAction
from lifecycle.case import Case, CaseMessage, CaseStatus
from lifecycle.order import Order
from orderhelp.due_index import due_keys
from orderhelp.errors import ConcurrentUpdate, InvalidCursor, OrderAlreadyExists
from orderhelp.records import (
    CaseRecord,
    CaseUpdate,
    HistoryEntry,
    NewCase,
    OrderChange,
    OrderRecord,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

ORDER = "ORDER"
HISTORY = "HISTORY#"
CASE_COPY = "CASE#"
OPEN_CASE = "OPENCASE#"
CASE = "CASE"
MESSAGE = "MESSAGE#"


def order_pk(order_id: str) -> str:
    return f"ORDER#{order_id}"


def case_pk(case_id: str) -> str:
    return f"CASE#{case_id}"


def customer_pk(customer_id: str) -> str:
    return f"CUSTOMER#{customer_id}"


def queue_pk(status: CaseStatus) -> str:
    return f"QUEUE#{status}"


def sort_time(moment: datetime) -> str:
    """A UTC time as a sort key: always with microseconds, since `09:00:00Z` would sort after
    `09:00:00.500000Z`."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def history_sk(version: int) -> str:
    return f"{HISTORY}{version:010d}"


def customer_sk(order: Order) -> str:
    """Sorts a customer's orders by when they were placed. The time is written with a fixed
    width (always microseconds): `09:00:00Z` would sort after `09:00:00.500000Z`."""
    return f"ORDER#{sort_time(order.placed_at)}#{order.order_id}"


def case_index_keys(case: Case) -> dict[str, str]:
    """The keys that put a case in CasesByCustomer and, unless closed, in the CaseQueue."""
    keys = {
        "case_customer_pk": customer_pk(case.customer_id),
        "case_customer_sk": f"{sort_time(case.last_activity_at)}#{case.case_id}",
    }
    urgency = {
        CaseStatus.OPEN: case.first_response_due_at,
        CaseStatus.PENDING: case.last_activity_at,
        CaseStatus.SOLVED: case.solved_at,
    }.get(case.status)
    if urgency is not None:
        keys |= {
            "queue_pk": queue_pk(case.status),
            "queue_sk": f"{sort_time(urgency)}#{case.case_id}",
        }
    return keys


class OrderStore(Protocol):
    """What the services need from storage."""

    def load(self, order_id: str) -> OrderRecord | None:
        """The order with its cases and history, or None."""

    def list_for_customer(
        self, customer_id: str, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the customer's orders, newest first, and the cursor of the next page."""

    def commit(self, change: OrderChange) -> None:
        """Write `change` atomically; `ConcurrentUpdate` if anything changed since it was read,
        `OrderAlreadyExists` when creating an order whose id is taken."""


class CaseStore(Protocol):
    """What the case flows need from storage, besides reading an order."""

    def load(self, order_id: str) -> OrderRecord | None:
        """The order with its cases and history, or None."""

    def load_case(self, case_id: str) -> CaseRecord | None:
        """The case with its whole conversation, or None."""

    def get_case(self, case_id: str) -> Case | None:
        """The case alone (no conversation), or None."""

    def list_cases_for_customer(
        self, customer_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Case], str | None]:
        """One page of the customer's cases, newest activity first, and the next cursor."""

    def list_queue(
        self, status: CaseStatus, limit: int, cursor: str | None
    ) -> tuple[list[Case], str | None]:
        """One page of the cases in `status`, most urgent first, and the next cursor."""

    def cases_solved_before(self, cutoff: datetime, page_size: int) -> Iterator[list[Case]]:
        """Pages of the solved cases solved at or before `cutoff`, oldest first (the index is
        eventually consistent: a case may have changed since)."""

    def commit_cases(self, changes: Sequence[NewCase | CaseUpdate]) -> None:
        """Write the case changes atomically; `ConcurrentUpdate` if a case changed since it was
        read, or if the order's slot for a new case's action is taken."""


_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_item(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(value) for key, value in values.items() if value is not None}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _deserializer.deserialize(value) for key, value in item.items()}


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; the records want ints where they were ints."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "as_integer_ratio") and not isinstance(value, bool | int | float):
        return int(value) if value == int(value) else value
    return value


_CURSOR_SORT_KEY = re.compile(
    r"^ORDER#\d{4}-\d\d-\d\dT[0-9:.]+Z#(?P<order_id>[A-Za-z0-9._:-]{1,64})$"
)
_CASE_CURSOR_SORT_KEY = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z#(?P<case_id>[A-Za-z0-9][A-Za-z0-9._:-]{0,63})$"
)


def _cursor_check(customer_id: str, after: str) -> str:
    """Binds a cursor to its customer and position. Not a secret: the query never leaves the
    caller's own partition whatever the cursor says; this makes a cursor that was edited or
    taken from another customer a clear 400 instead of a page from some other place."""
    digest = hashlib.sha256(f"{customer_id}\n{after}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def _encode_cursor(scope: str, after: str) -> str:
    values = {"after": after, "check": _cursor_check(scope, after)}
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(scope: str, cursor: str, sort_key: re.Pattern[str]) -> re.Match[str]:
    """The position a cursor of `scope` names; `InvalidCursor` for a malformed cursor, one edited
    by hand or one given out for another scope (another customer, another queue)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode()))
        after, check = decoded["after"], decoded["check"]
        valid = (
            set(decoded) == {"after", "check"}
            and isinstance(after, str)
            and isinstance(check, str)
            and hmac.compare_digest(check, _cursor_check(scope, after))
        )
        match = sort_key.fullmatch(after) if valid else None
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeError):
        match = None
    if match is None:
        raise InvalidCursor
    return match


class DynamoOrderStore:
    def __init__(
        self,
        client: "DynamoDBClient",
        table: str,
        orders_by_customer_index: str,
        *,
        cases_by_customer_index: str | None = None,
        case_queue_index: str | None = None,
        due_shards: int,
    ) -> None:
        self._client = client
        self._table = table
        self._by_customer = orders_by_customer_index
        self._cases_by_customer = cases_by_customer_index
        self._case_queue = case_queue_index
        self._due_shards = due_shards

    # --- reads -----------------------------------------------------------------------------------

    def load(self, order_id: str) -> OrderRecord | None:
        items: list[dict[str, Any]] = []
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": order_pk(order_id)}},
            "ConsistentRead": True,
        }
        while True:  # one page in practice; an order's items stay far below 1 MB
            page = self._client.query(**query)
            items += [from_item(item) for item in page["Items"]]
            if "LastEvaluatedKey" not in page:
                break
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return self._record(items)

    def _record(self, items: list[dict[str, Any]]) -> OrderRecord | None:
        order_item = next((item for item in items if item["sk"] == ORDER), None)
        if order_item is None:
            return None
        record = OrderRecord(order=order_of(order_item))
        for item in items:
            sort_key: str = item["sk"]
            if sort_key.startswith(HISTORY):
                record.history.append(HistoryEntry.model_validate(_fields(HistoryEntry, item)))
            elif sort_key.startswith(CASE_COPY):
                record.cases.append(Case.model_validate(_fields(Case, item)))
            elif sort_key.startswith(OPEN_CASE):
                record.open_cases[HelpAction(sort_key.removeprefix(OPEN_CASE))] = item["case_id"]
        record.history.sort(key=lambda entry: entry.version)
        record.cases.sort(key=lambda case: case.opened_at, reverse=True)
        return record

    def list_for_customer(
        self, customer_id: str, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": self._by_customer,
            "KeyConditionExpression": "customer_pk = :customer",
            "ExpressionAttributeValues": {":customer": {"S": customer_pk(customer_id)}},
            "ScanIndexForward": False,
            # One more than asked: whether it comes back says if there is a next page.
            "Limit": limit + 1,
        }
        if cursor:
            query["ExclusiveStartKey"] = self._start_key(customer_id, cursor)
        page = self._client.query(**query)
        rows = [_plain(from_item(item)) for item in page["Items"]]
        has_more = len(rows) > limit or (len(rows) == limit and "LastEvaluatedKey" in page)
        rows = rows[:limit]
        next_cursor = self._cursor(customer_id, rows[-1]) if has_more and rows else None
        return rows, next_cursor

    @staticmethod
    def _cursor(customer_id: str, row: Mapping[str, Any]) -> str:
        return _encode_cursor(customer_id, row["customer_sk"])

    @staticmethod
    def _start_key(customer_id: str, cursor: str) -> dict[str, Any]:
        """The page's start key, rebuilt around the caller's own partition: a cursor can only
        move within the customer's own orders. A malformed cursor, one edited by hand or one
        given to another customer is refused."""
        match = _decode_cursor(customer_id, cursor, _CURSOR_SORT_KEY)
        after = match.string
        return to_item(
            {
                "customer_pk": customer_pk(customer_id),
                "customer_sk": after,
                "pk": order_pk(match["order_id"]),
                "sk": ORDER,
            }
        )

    def load_case(self, case_id: str) -> CaseRecord | None:
        items: list[dict[str, Any]] = []
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": case_pk(case_id)}},
            "ConsistentRead": True,
        }
        while True:  # a long conversation may take more than one page
            page = self._client.query(**query)
            items += [from_item(item) for item in page["Items"]]
            if "LastEvaluatedKey" not in page:
                break
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        case_item = next((item for item in items if item["sk"] == CASE), None)
        if case_item is None:
            return None
        messages = [
            CaseMessage.model_validate(_fields(CaseMessage, item))
            for item in items
            if item["sk"].startswith(MESSAGE)
        ]
        messages.sort(key=lambda message: message.at)  # stable: the key's order breaks ties
        return CaseRecord(case=_case_of(case_item), messages=messages)

    def get_case(self, case_id: str) -> Case | None:
        item = self._client.get_item(
            TableName=self._table,
            Key=to_item({"pk": case_pk(case_id), "sk": CASE}),
            ConsistentRead=True,
        ).get("Item")
        return _case_of(from_item(item)) if item else None

    def list_cases_for_customer(
        self, customer_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Case], str | None]:
        return self._case_page(
            _required(self._cases_by_customer, "CasesByCustomer"),
            ("case_customer_pk", "case_customer_sk"),
            customer_pk(customer_id),
            limit,
            cursor,
            newest_first=True,
        )

    def list_queue(
        self, status: CaseStatus, limit: int, cursor: str | None
    ) -> tuple[list[Case], str | None]:
        return self._case_page(
            _required(self._case_queue, "CaseQueue"),
            ("queue_pk", "queue_sk"),
            queue_pk(status),
            limit,
            cursor,
            newest_first=False,
        )

    def cases_solved_before(self, cutoff: datetime, page_size: int) -> Iterator[list[Case]]:
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": _required(self._case_queue, "CaseQueue"),
            # `<time>#<case_id>` < `<cutoff>$` exactly when time <= cutoff ('#' sorts before '$').
            "KeyConditionExpression": "queue_pk = :queue AND queue_sk < :bound",
            "ExpressionAttributeValues": {
                ":queue": {"S": queue_pk(CaseStatus.SOLVED)},
                ":bound": {"S": f"{sort_time(cutoff)}$"},
            },
            "Limit": page_size,
        }
        while True:
            page = self._client.query(**query)
            cases = [_case_of(from_item(item)) for item in page["Items"]]
            if cases:
                yield cases
            if "LastEvaluatedKey" not in page:
                return
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _case_page(
        self,
        index: str,
        key_names: tuple[str, str],
        partition: str,
        limit: int,
        cursor: str | None,
        *,
        newest_first: bool,
    ) -> tuple[list[Case], str | None]:
        partition_name, sort_name = key_names
        scope = f"{index}\n{partition}"
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": "#partition = :partition",
            "ExpressionAttributeNames": {"#partition": partition_name},
            "ExpressionAttributeValues": {":partition": {"S": partition}},
            "ScanIndexForward": not newest_first,
            # One more than asked: whether it comes back says if there is a next page.
            "Limit": limit + 1,
        }
        if cursor:
            # Rebuilt around the caller's own partition: a cursor only moves within it.
            match = _decode_cursor(scope, cursor, _CASE_CURSOR_SORT_KEY)
            query["ExclusiveStartKey"] = to_item(
                {
                    partition_name: partition,
                    sort_name: match.string,
                    "pk": case_pk(match["case_id"]),
                    "sk": CASE,
                }
            )
        page = self._client.query(**query)
        items = [from_item(item) for item in page["Items"]]
        has_more = len(items) > limit or (len(items) == limit and "LastEvaluatedKey" in page)
        items = items[:limit]
        next_cursor = _encode_cursor(scope, items[-1][sort_name]) if has_more and items else None
        return [_case_of(item) for item in items], next_cursor

    # --- writes ----------------------------------------------------------------------------------

    def commit(self, change: OrderChange) -> None:
        operations = [self._put_order(change), self._put_history(change)]
        if isinstance(change.case, NewCase):
            operations += self._open_case(change.case)
        elif isinstance(change.case, CaseUpdate):
            operations += self._update_case(change.case)
        try:
            self._client.transact_write_items(
                TransactItems=cast("list[TransactWriteItemTypeDef]", operations)
            )
        except ClientError as failure:
            error = failure.response.get("Error", {})
            if error.get("Code") != "TransactionCanceledException":
                raise
            reasons = [r.get("Code") for r in failure.response.get("CancellationReasons", [])]
            if change.before is None and reasons and reasons[0] == "ConditionalCheckFailed":
                raise OrderAlreadyExists(change.after.order_id) from failure
            if any(code in ("ConditionalCheckFailed", "TransactionConflict") for code in reasons):
                raise ConcurrentUpdate(change.after.order_id) from failure
            raise

    def commit_cases(self, changes: Sequence[NewCase | CaseUpdate]) -> None:
        operations: list[dict[str, Any]] = []
        for change in changes:
            operations += (
                self._open_case(change)
                if isinstance(change, NewCase)
                else self._update_case(change)
            )
        try:
            self._client.transact_write_items(
                TransactItems=cast("list[TransactWriteItemTypeDef]", operations)
            )
        except ClientError as failure:
            error = failure.response.get("Error", {})
            if error.get("Code") != "TransactionCanceledException":
                raise
            reasons = [r.get("Code") for r in failure.response.get("CancellationReasons", [])]
            if any(code in ("ConditionalCheckFailed", "TransactionConflict") for code in reasons):
                first = changes[0]
                case = first.case if isinstance(first, NewCase) else first.after
                raise ConcurrentUpdate(case.case_id, subject="case") from failure
            raise

    def _put_order(self, change: OrderChange) -> dict[str, Any]:
        order = change.after
        values = order.model_dump(mode="json") | {
            "pk": order_pk(order.order_id),
            "sk": ORDER,
            "customer_pk": customer_pk(order.customer_id),
            "customer_sk": customer_sk(order),
        }
        # Absent keys take the order out of the index of orders awaiting a milestone.
        values |= due_keys(order, self._due_shards)
        put: dict[str, Any] = {"TableName": self._table, "Item": to_item(values)}
        if change.before is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "#status = :status AND #version = :version"
            put["ExpressionAttributeNames"] = {"#status": "status", "#version": "version"}
            put["ExpressionAttributeValues"] = {
                ":status": {"S": str(change.before.status)},
                ":version": {"N": str(change.before.version)},
            }
        return {"Put": put}

    def _put_history(self, change: OrderChange) -> dict[str, Any]:
        values = change.entry.model_dump(mode="json") | {
            "pk": order_pk(change.after.order_id),
            "sk": history_sk(change.entry.version),
        }
        return {
            "Put": {
                "TableName": self._table,
                "Item": to_item(values),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _case_items(self, case: Case) -> list[dict[str, Any]]:
        values = case.model_dump(mode="json")
        return [
            # Only the case item is indexed: the copy would list every case twice.
            values | case_index_keys(case) | {"pk": case_pk(case.case_id), "sk": CASE},
            values | {"pk": order_pk(case.order_id), "sk": f"{CASE_COPY}{case.case_id}"},
        ]

    def _message_item(self, case: Case, message: CaseMessage) -> dict[str, Any]:
        values = message.model_dump(mode="json") | {
            "pk": case_pk(case.case_id),
            # The case's version after the change orders messages written in the same instant
            # as they happened.
            "sk": f"{MESSAGE}{sort_time(message.at)}#{case.version:010d}#{message.message_id}",
        }
        return {
            "Put": {
                "TableName": self._table,
                "Item": to_item(values),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _open_case(self, new: NewCase) -> list[dict[str, Any]]:
        case_item, copy_item = self._case_items(new.case)
        new_only = "attribute_not_exists(pk)"
        lock = {
            "pk": order_pk(new.case.order_id),
            "sk": f"{OPEN_CASE}{new.case.action}",
            "case_id": new.case.case_id,
        }
        return [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(case_item),
                    "ConditionExpression": new_only,
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(copy_item),
                    "ConditionExpression": new_only,
                }
            },
            # Taking the slot fails if another case for the same order and action is not closed.
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(lock),
                    "ConditionExpression": new_only,
                }
            },
            self._message_item(new.case, new.message),
        ]

    def _update_case(self, update: CaseUpdate) -> list[dict[str, Any]]:
        case_item, copy_item = self._case_items(update.after)
        same_version = {
            "ConditionExpression": "#version = :version",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": {":version": {"N": str(update.before.version)}},
        }
        operations: list[dict[str, Any]] = [
            {"Put": {"TableName": self._table, "Item": to_item(case_item), **same_version}},
            {"Put": {"TableName": self._table, "Item": to_item(copy_item), **same_version}},
        ]
        if update.message is not None:
            operations.append(self._message_item(update.after, update.message))
        closing = update.after.status is CaseStatus.CLOSED
        if closing and update.before.status is not CaseStatus.CLOSED:
            # The closed case frees the order's slot for its action, if the slot is still its own.
            operations.append(
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": to_item(
                            {
                                "pk": order_pk(update.after.order_id),
                                "sk": f"{OPEN_CASE}{update.after.action}",
                            }
                        ),
                        "ConditionExpression": "attribute_not_exists(pk) OR case_id = :case_id",
                        "ExpressionAttributeValues": {":case_id": {"S": update.after.case_id}},
                    }
                }
            )
        return operations


def _case_of(item: Mapping[str, Any]) -> Case:
    return Case.model_validate(_fields(Case, item))


def _required(index: str | None, name: str) -> str:
    if index is None:
        raise RuntimeError(f"this store was made without the {name} index")
    return index


def order_of(item: Mapping[str, Any]) -> Order:
    """The order an order item holds (read from the table or from an index that projects it),
    its values already deserialized with `from_item`."""
    return Order.model_validate(_fields(Order, item))


def _fields(model: type[BaseModel], item: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes of `item` that are fields of `model` (keys and index attributes are not)."""
    return {k: _plain(v) for k, v in item.items() if k in model.model_fields}
