"""The composition root: the real services, wired to DynamoDB and the settings, once per process."""

from functools import cache

from orderhelp.aws import dynamodb
from orderhelp.case_service import CaseService
from orderhelp.config import case_settings, delay_check_settings, policy_settings, store_settings
from orderhelp.delay_check import DelayCheck, DueOrderIndex
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
        due_shards=settings.due_index_shards,
    )


@cache
def order_service() -> OrderService:
    return OrderService(store(), utc_now, policy_settings().policy(), case_settings().case_policy())


@cache
def case_service() -> CaseService:
    return CaseService(store(), order_service(), utc_now, case_settings().case_policy())


@cache
def delay_check() -> DelayCheck:
    settings = delay_check_settings()
    return DelayCheck(
        order_service(),
        store(),
        DueOrderIndex(
            dynamodb(), store_settings().orders_table, settings.orders_awaiting_milestone_index
        ),
        clock=utc_now,
        shards=store_settings().due_index_shards,
        page_size=settings.delay_check_page_size,
        time_margin_ms=int(settings.delay_check_time_margin_seconds * 1000),
    )
