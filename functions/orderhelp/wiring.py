"""The composition root: the real services, wired to DynamoDB and the settings, once per process.

Each function imports this module, but builds only the services its handler calls; so each
service's module (and what it alone needs) is imported by the factory that builds it, not here:
a cold start pays only for its own function's code (`make bench`, cold init)."""

from functools import cache
from typing import TYPE_CHECKING

from orderhelp.aws import dynamodb, events, s3, sesv2
from orderhelp.config import (
    StoreSettings,
    attachment_settings,
    case_settings,
    delay_check_settings,
    event_settings,
    notify_settings,
    policy_settings,
    returns_settings,
    shop_settings,
    store_settings,
)
from orderhelp.observability import count
from orderhelp.store import DynamoOrderStore, DynamoTable
from orderhelp.timeutil import utc_now

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from orderhelp.attachment_service import AttachmentService
    from orderhelp.case_numbers import CaseNumbers
    from orderhelp.case_service import CaseService
    from orderhelp.console_service import ConsoleService, ProfileDirectory
    from orderhelp.delay_check import DelayCheck
    from orderhelp.notify import Notifier
    from orderhelp.publisher import Publisher
    from orderhelp.returns_service import ReturnsService
    from orderhelp.services import OrderService
    from orderhelp.stats_service import StatsService
    from orderhelp.store.console_store import DynamoConsoleStore


def store_on(client: "DynamoDBClient", settings: StoreSettings) -> DynamoOrderStore:
    """The store on `client` with the template's names and shards, as `settings` give them."""
    return DynamoOrderStore(
        DynamoTable(client, settings.orders_table),
        settings.indexes(),
        due_shards=settings.due_index_shards,
        queue_shards=settings.case_queue_shards,
    )


@cache
def store() -> DynamoOrderStore:
    return store_on(dynamodb(), store_settings())


@cache
def case_numbers() -> "CaseNumbers":
    """One allocator per process: what it learns of the numbers' range, every flow uses."""
    from orderhelp.case_numbers import CaseNumbers  # noqa: PLC0415

    return CaseNumbers()


@cache
def order_service() -> "OrderService":
    from orderhelp.services import OrderService  # noqa: PLC0415

    return OrderService(
        store(),
        utc_now,
        policy_settings().policy(),
        case_settings().case_policy(),
        numbers=case_numbers(),
    )


@cache
def case_service() -> "CaseService":
    from orderhelp.case_service import CaseService  # noqa: PLC0415

    return CaseService(
        store(),
        utc_now,
        case_settings().case_policy(),
        display_name=lambda agent: profile_directory().name_of(agent),
        numbers=case_numbers(),
    )


@cache
def delay_check() -> "DelayCheck":
    from orderhelp.delay_check import DelayCheck  # noqa: PLC0415

    settings = delay_check_settings()
    return DelayCheck(
        store(),
        store(),
        clock=utc_now,
        case_policy=case_settings().case_policy(),
        shards=store_settings().due_index_shards,
        page_size=settings.delay_check_page_size,
        time_margin_ms=int(settings.delay_check_time_margin_seconds * 1000),
        numbers=case_numbers(),
        zone=shop_settings().zone(),
    )


@cache
def publisher() -> "Publisher":
    from orderhelp.publisher import Publisher  # noqa: PLC0415

    return Publisher(events(), event_settings().event_bus_name)


@cache
def notifier() -> "Notifier":
    from orderhelp.notify import DynamoSentEmails, Notifier, OrdersTable, SesMailer  # noqa: PLC0415

    settings = notify_settings()
    return Notifier(
        OrdersTable(store().table),
        DynamoSentEmails(dynamodb(), store_settings().idempotency_table),
        SesMailer(sesv2(), settings.notification_sender),
        zone=shop_settings().zone(),
        web_url=settings.web_url,
        clock=utc_now,
    )


@cache
def attachment_service() -> "AttachmentService":
    """With the API's bucket when the function has one (the processing function reads each
    event's bucket and passes it to the flow)."""
    from orderhelp.attachment_service import AttachmentService  # noqa: PLC0415
    from orderhelp.files import S3Files  # noqa: PLC0415

    bucket = attachment_settings().attachments_bucket
    files = S3Files(s3(), bucket) if bucket else None
    return AttachmentService(store(), utc_now, files)


@cache
def console_store() -> "DynamoConsoleStore":
    from orderhelp.store.console_store import DynamoConsoleStore  # noqa: PLC0415

    settings = store_settings()
    return DynamoConsoleStore(store(), settings.indexes(), queue_shards=settings.case_queue_shards)


@cache
def profile_directory() -> "ProfileDirectory":
    from orderhelp.console_service import ProfileDirectory  # noqa: PLC0415

    return ProfileDirectory(console_store(), utc_now)


@cache
def console_service() -> "ConsoleService":
    from orderhelp.console_service import ConsoleService  # noqa: PLC0415

    return ConsoleService(store(), console_store(), utc_now, profile_directory())


@cache
def stats_service() -> "StatsService":
    from orderhelp.stats_service import StatsService  # noqa: PLC0415

    return StatsService(
        store(), console_store(), utc_now, breached=lambda: count("FirstResponseBreaches")
    )


@cache
def returns_service() -> "ReturnsService":
    from orderhelp.returns_service import ReturnsService  # noqa: PLC0415
    from orderhelp.store.refund_queue import RefundQueue  # noqa: PLC0415

    the_store = store()
    return ReturnsService(
        the_store,
        RefundQueue(the_store.table, store_settings().refund_queue_index),
        utc_now,
        returns_settings().returns_address,
    )
