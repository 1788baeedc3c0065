"""The table underneath the store: items, Queries and conditional transactions, as DynamoDB has
them, described as data. `DynamoTable` sends them to DynamoDB; a test's in-memory table applies
the same descriptions (tests/support/memory_table.py), and a contract test holds the two equal.

Items are plain Python values (what `boto3.dynamodb.types.TypeDeserializer` gives: numbers as
`Decimal`), keyed by the table's `pk` and `sk`."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

Item = dict[str, Any]
Key = dict[str, str]
PARTITION, SORT = "pk", "sk"


@dataclass(frozen=True)
class Condition:
    """What an item must be for a write to apply.

    `absent`: the item must not exist. `equals`: each attribute must hold the value (None: the
    attribute must be missing). With `or_absent`, a missing item passes too."""

    absent: bool = False
    equals: Mapping[str, Any] = field(default_factory=dict)
    or_absent: bool = False

    def holds_for(self, item: Item | None) -> bool:
        """The condition, evaluated as DynamoDB would on the item as stored."""
        if item is None:
            return self.absent or self.or_absent or all(v is None for v in self.equals.values())
        if self.absent:
            return False
        return all(
            (name not in item) if value is None else item.get(name) == _comparable(value)
            for name, value in self.equals.items()
        )


NEW = Condition(absent=True)
ANY = Condition()


@dataclass(frozen=True)
class Put:
    item: Item
    condition: Condition = ANY
    label: str = ""
    """What the write is, for the error a failed condition turns into (`order`, `case:<id>`)."""


@dataclass(frozen=True)
class Check:
    key: Key
    condition: Condition
    label: str = ""


@dataclass(frozen=True)
class Delete:
    key: Key
    condition: Condition = ANY
    label: str = ""


Write = Put | Check | Delete

SortOperator = Literal["=", "<", "<=", ">", ">=", "begins_with", "between"]


@dataclass(frozen=True)
class SortRange:
    attribute: str
    operator: SortOperator
    value: str
    upper: str | None = None
    """The upper bound of `between`."""


@dataclass(frozen=True)
class Query:
    partition: tuple[str, str]
    """The partition key's attribute and value (the table's `pk`, or an index's)."""
    sort: SortRange | None = None
    index: str | None = None
    forward: bool = True
    limit: int | None = None
    start: Item | None = None
    """Where the previous page ended (its `last_key`)."""
    consistent: bool = False


@dataclass(frozen=True)
class Page:
    items: list[Item]
    last_key: Item | None
    scanned: int


class TransactionCancelled(Exception):
    """Conditions did not hold (or another transaction had the items): nothing was written.
    `failed` names the writes whose condition failed, by their labels."""

    def __init__(self, failed: Sequence[str], *, conflict: bool = False, token: bool = False):
        super().__init__(f"transaction cancelled: {', '.join(failed) or 'conflict'}")
        self.failed = list(failed)
        self.conflict = conflict
        """Another transaction was in progress on an item (try again; nothing was wrong)."""
        self.token = token
        """The token was already used with other writes (a new attempt needs a new token)."""


class Table(Protocol):
    def get(self, key: Key, *, consistent: bool = True) -> Item | None: ...

    def query(self, query: Query) -> Page: ...

    def transact(self, writes: Sequence[Write], token: str) -> None:
        """All of `writes` or none; `TransactionCancelled` when a condition fails."""


# --- DynamoDB ------------------------------------------------------------------------------------

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

_THROTTLED_ITEM = {"ThrottlingError", "ProvisionedThroughputExceeded"}
"""Cancellation reasons that mean the table, not the request, was the problem: they stay
`ClientError`s, which the error mapping answers with 503."""


def to_attributes(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(value) for key, value in values.items() if value is not None}


def from_attributes(item: Mapping[str, Any]) -> Item:
    return {key: _deserializer.deserialize(value) for key, value in item.items()}


class DynamoTable:
    """`Table` on a DynamoDB table, through one boto3 client."""

    def __init__(self, client: "DynamoDBClient", name: str) -> None:
        self.client = client
        self.name = name

    def get(self, key: Key, *, consistent: bool = True) -> Item | None:
        found = self.client.get_item(
            TableName=self.name, Key=to_attributes(key), ConsistentRead=consistent
        ).get("Item")
        return from_attributes(found) if found else None

    def query(self, query: Query) -> Page:
        names = {"#p": query.partition[0]}
        values: dict[str, Any] = {":p": _serializer.serialize(query.partition[1])}
        condition = "#p = :p"
        if query.sort is not None:
            names["#s"] = query.sort.attribute
            values[":s"] = _serializer.serialize(query.sort.value)
            condition += " AND " + _sort_condition(query.sort)
            if query.sort.upper is not None:
                values[":u"] = _serializer.serialize(query.sort.upper)
        request: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": query.forward,
        }
        if query.index is not None:
            request["IndexName"] = query.index
        else:
            request["ConsistentRead"] = query.consistent
        if query.limit is not None:
            request["Limit"] = query.limit
        if query.start is not None:
            request["ExclusiveStartKey"] = to_attributes(query.start)
        answer = self.client.query(**request)
        items = [from_attributes(item) for item in answer["Items"]]
        last = answer.get("LastEvaluatedKey")
        return Page(items, from_attributes(last) if last else None, answer.get("ScannedCount", 0))

    def transact(self, writes: Sequence[Write], token: str) -> None:
        operations = [self._operation(write) for write in writes]
        try:
            self.client.transact_write_items(
                TransactItems=cast("list[TransactWriteItemTypeDef]", operations),
                ClientRequestToken=token,
            )
        except ClientError as failure:
            code = failure.response.get("Error", {}).get("Code")
            if code == "IdempotentParameterMismatchException":
                raise TransactionCancelled([], token=True) from failure
            if code != "TransactionCanceledException":
                raise
            reasons = [r.get("Code") for r in failure.response.get("CancellationReasons", [])]
            if _THROTTLED_ITEM & set(reasons):
                raise
            failed = [
                write.label
                for write, reason in zip(writes, reasons, strict=False)
                if reason == "ConditionalCheckFailed"
            ]
            if not failed and "TransactionConflict" not in reasons:
                raise
            raise TransactionCancelled(failed, conflict=not failed) from failure

    def _operation(self, write: Write) -> dict[str, Any]:
        body: dict[str, Any] = {"TableName": self.name}
        if isinstance(write, Put):
            body["Item"] = to_attributes(write.item)
            kind = "Put"
        else:
            body["Key"] = to_attributes(write.key)
            kind = "ConditionCheck" if isinstance(write, Check) else "Delete"
        body |= _condition_expression(write.condition)
        return {kind: body}


def _sort_condition(sort: SortRange) -> str:
    if sort.operator == "begins_with":
        return "begins_with(#s, :s)"
    if sort.operator == "between":
        return "#s BETWEEN :s AND :u"
    return f"#s {sort.operator} :s"


def _condition_expression(condition: Condition) -> dict[str, Any]:
    if condition.absent:
        return {"ConditionExpression": f"attribute_not_exists({PARTITION})"}
    if not condition.equals:
        return {}
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    terms = []
    for position, (name, value) in enumerate(condition.equals.items()):
        names[f"#c{position}"] = name
        if value is None:
            terms.append(f"attribute_not_exists(#c{position})")
        else:
            values[f":c{position}"] = _serializer.serialize(_comparable(value))
            terms.append(f"#c{position} = :c{position}")
    expression = " AND ".join(terms)
    if condition.or_absent:
        expression = f"attribute_not_exists({PARTITION}) OR ({expression})"
    result: dict[str, Any] = {"ConditionExpression": expression, "ExpressionAttributeNames": names}
    if values:
        result["ExpressionAttributeValues"] = values
    return result


def _comparable(value: Any) -> Any:
    """Numbers as DynamoDB stores them (Decimal), so that a stored item compares equal."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return value
