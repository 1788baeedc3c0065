"""Case events as the outbox publisher makes them (`domain_events.events_of`, from the log
entries the store wrote), those the template's rule sends StatsFunction, and StatsFunction as
that rule invokes it."""

from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from orderhelp.store import keys
from orderhelp_dev.local.bus import BusRule, bus_rules
from orderhelp_dev.local.lambda_runtime import LocalLambdaContext, load_handler
from orderhelp_dev.local.template import functions, load_template, local_references
from tests.handlers.client import Api
from tests.support.events import bus_events_of

STATS = "StatsFunction"
_plain = TypeDeserializer()


def stats_rule() -> BusRule:
    template = load_template()
    (rule,) = (
        rule
        for rule in bus_rules(functions(), template, local_references(template, "eu-west-1"))
        if rule.function == STATS
    )
    return rule


def log_entries(api: Api, case_id: str) -> list[dict[str, Any]]:
    """The case's activity items, oldest first, as the stream's NewImage carries them."""
    answer = api.dynamodb.query(
        TableName=api.store.table.name,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :activity)",
        ExpressionAttributeValues={
            ":pk": {"S": keys.case_pk(case_id)},
            ":activity": {"S": keys.ACTIVITY},
        },
        ConsistentRead=True,
    )
    return [{k: _plain.deserialize(v) for k, v in item.items()} for item in answer["Items"]]


def published(api: Api, case_id: str) -> list[dict[str, Any]]:
    """Every event the publisher puts on the bus for the case's changes so far."""
    return [event for item in log_entries(api, case_id) for event in bus_events_of(item)]


def case_events(api: Api, case_id: str) -> list[dict[str, Any]]:
    """The case's events that the template's rule hands StatsFunction, in order."""
    rule = stats_rule()
    return [event for event in published(api, case_id) if rule.matches(event)]


def deliver(event: dict[str, Any]) -> dict[str, Any]:
    """One invocation of the template's StatsFunction by its EventBridge rule."""
    spec = functions()[STATS]
    result: dict[str, Any] = load_handler(spec.handler)(
        event, LocalLambdaContext(spec.logical_id, spec.timeout)
    )
    return result


def refund_events(api: Api, order_id: str) -> list[dict[str, Any]]:
    """The order's refund events that the template's rule hands StatsFunction, in order."""
    answer = api.dynamodb.query(
        TableName=api.store.table.name,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :log)",
        ExpressionAttributeValues={
            ":pk": {"S": keys.order_pk(order_id)},
            ":log": {"S": keys.REFUND_LOG},
        },
        ConsistentRead=True,
    )
    items = [{k: _plain.deserialize(v) for k, v in item.items()} for item in answer["Items"]]
    rule = stats_rule()
    return [event for item in items for event in bus_events_of(item) if rule.matches(event)]
