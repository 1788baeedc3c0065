"""The composition root: the real service, wired to DynamoDB and the settings, once per process."""

from functools import cache

from orderhelp.aws import dynamodb
from orderhelp.config import case_settings, policy_settings, store_settings
from orderhelp.services import OrderService
from orderhelp.store import DynamoOrderStore
from orderhelp.timeutil import utc_now


@cache
def order_service() -> OrderService:
    settings = store_settings()
    store = DynamoOrderStore(dynamodb(), settings.orders_table, settings.orders_by_customer_index)
    return OrderService(store, utc_now, policy_settings().policy(), case_settings().case_policy())
