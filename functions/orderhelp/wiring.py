"""The composition root: the real services, wired to DynamoDB and the settings, once per process."""

from functools import cache

from orderhelp.aws import dynamodb
from orderhelp.case_service import CaseService
from orderhelp.config import case_settings, policy_settings, store_settings
from orderhelp.services import OrderService
from orderhelp.store import DynamoOrderStore
from orderhelp.timeutil import utc_now


@cache
def store() -> DynamoOrderStore:
    settings = store_settings()
    return DynamoOrderStore(
        dynamodb(),
        settings.orders_table,
        settings.orders_by_customer_index,
        cases_by_customer_index=settings.cases_by_customer_index,
        case_queue_index=settings.case_queue_index,
    )


@cache
def order_service() -> OrderService:
    return OrderService(store(), utc_now, policy_settings().policy(), case_settings().case_policy())


@cache
def case_service() -> CaseService:
    return CaseService(store(), order_service(), utc_now, case_settings().case_policy())
