"""The flows: load → machine → fire → conditional write. Handlers call these; the rules decide;
the store persists. Nothing here knows HTTP or DynamoDB."""

import random
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from lifecycle.actions import HelpAction
from lifecycle.case import Author, Case, CaseMessage, OpenedBy, apply_case_event
from lifecycle.errors import InvalidOrder
from lifecycle.help import HelpRequest, explain, use_help_action
from lifecycle.i18n import translate
from lifecycle.order import Order, OrderStatus, PaymentDetails
from lifecycle.order_lifecycle import apply_event, validate_order
from lifecycle.policy import CasePolicy, Policy
from orderhelp.errors import ConcurrentUpdate, Conflict, OrderNotFound
from orderhelp.ids import new_id
from orderhelp.models import (
    CaseSummaryView,
    CaseView,
    CreateOrderRequest,
    HelpOutcome,
    HistoryView,
    Money,
    OrderDetails,
    OrderListItem,
    OrderPage,
    OrderView,
)
from orderhelp.records import (
    Actor,
    ActorKind,
    CaseChange,
    CaseUpdate,
    HistoryEntry,
    NewCase,
    OrderChange,
    OrderRecord,
)
from orderhelp.store import OrderStore

Clock = Callable[[], datetime]

HELP_ACTION_ATTEMPTS = 8
"""A help action re-reads and tries again when another request changed the order first; the
rules then decide afresh (an order that shipped meanwhile refuses an address change)."""

CLOCK_SKEW = timedelta(minutes=5)


class OrderService:
    def __init__(
        self,
        store: OrderStore,
        clock: Clock,
        policy: Policy,
        case_policy: CasePolicy,
        backoff: Callable[[int], None] | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._policy = policy
        self._case_policy = case_policy
        self._backoff = backoff or _jittered_sleep

    # --- customers -------------------------------------------------------------------------------

    def list_orders(self, customer_id: str, limit: int, cursor: str | None) -> OrderPage:
        rows, next_cursor = self._store.list_for_customer(customer_id, limit, cursor)
        return OrderPage(
            orders=[
                OrderListItem(
                    order_id=row["order_id"],
                    status=row["status"],
                    placed_at=row["placed_at"],
                    total=Money(amount=row["total"], currency=row["currency"]),
                    item_count=row["item_count"],
                    first_items=row.get("items", []),
                )
                for row in rows
            ],
            next_cursor=next_cursor,
        )

    def order_details(self, customer_id: str, order_id: str, locale: str) -> OrderDetails:
        return self._details(self._owned_record(customer_id, order_id), locale)

    def use_help_action(
        self,
        customer_id: str,
        order_id: str,
        action: HelpAction,
        request: HelpRequest,
        locale: str,
    ) -> tuple[HelpOutcome, bool]:
        """Use a help action; returns the outcome and whether a new case was opened (else the
        request joined the order's open case for that action)."""
        for attempt in range(HELP_ACTION_ATTEMPTS):
            record = self._owned_record(customer_id, order_id)
            now = self._clock()
            changed = use_help_action(record.order, action, request, now, locale)
            after = changed.model_copy(update={"version": record.order.version + 1})
            author, body = _first_message(action, request, locale)
            case_change = self.open_or_join_case(
                record,
                action,
                now=now,
                opened_by=OpenedBy.CUSTOMER,
                author=author,
                body=body,
                details=request.model_dump(mode="json", exclude_none=True),
            )
            entry = HistoryEntry(
                version=after.version,
                at=now,
                event=str(action),
                actor=Actor(kind=ActorKind.CUSTOMER, id=customer_id),
                from_status=record.order.status,
                to_status=after.status,
                data={"case_id": case_change.case_id, **_event_data(request)},
            )
            try:
                self._store.commit(
                    OrderChange(
                        before=record.order, after=after, entry=entry, case=case_change.change
                    )
                )
            except ConcurrentUpdate:
                self._backoff(attempt)
                continue
            updated = _with_change(record, after, entry, case_change.case)
            outcome = HelpOutcome(
                case=CaseView.of(case_change.case, locale), order=self._details(updated, locale)
            )
            return outcome, isinstance(case_change.change, NewCase)
        current = self._owned_record(customer_id, order_id)
        raise Conflict(
            "The order kept changing while this request was handled; please try again.",
            order_id=order_id,
            status=str(current.order.status),
            version=current.order.version,
        )

    # --- the shop's systems ----------------------------------------------------------------------

    def create_order(self, request: CreateOrderRequest, actor: Actor) -> OrderView:
        now = self._clock()
        placed_at = request.placed_at or now
        _not_in_the_future({"placed_at": placed_at}, now)
        order = validate_order(
            request.model_dump(exclude={"order_id", "placed_at"})
            | {
                "order_id": request.order_id or new_id("ORD", now),
                "placed_at": placed_at,
                "version": 1,
            }
        )
        entry = HistoryEntry(
            version=1,
            at=now,
            event="create",
            actor=actor,
            from_status=None,
            to_status=OrderStatus.CREATED,
        )
        self._store.commit(OrderChange(before=None, after=order, entry=entry))
        return OrderView.of(order)

    def order_details_for_agent(self, order_id: str, locale: str) -> OrderDetails:
        """The Order Details page exactly as the order's customer sees it, for an agent."""
        record = self._store.load(order_id)
        if record is None:
            raise OrderNotFound(order_id)
        return self._details(record, locale)

    def order_for_ops(self, order_id: str) -> OrderView:
        record = self._store.load(order_id)
        if record is None:
            raise OrderNotFound(order_id)
        return OrderView.of(record.order)

    def apply_lifecycle_event(
        self, order_id: str, event: str, details: BaseModel, actor: Actor
    ) -> OrderView:
        """`pay`, `ship`, `deliver`, `cancel` or `revise_estimate`, conditioned on the order as
        read: if it changes meanwhile (say the customer changed the address), the shop's system
        gets a 409 with the current state and decides again, rather than acting on what it no
        longer sees."""
        record = self._store.load(order_id)
        if record is None:
            raise OrderNotFound(order_id)
        now = self._clock()
        _not_in_the_future(dict(details), now)
        extra: dict[str, Any] = (
            {"policy": self._policy} if isinstance(details, PaymentDetails) else {}
        )
        changed = apply_event(record.order, event, now=now, details=details, **extra)
        after = changed.model_copy(update={"version": record.order.version + 1})
        entry = HistoryEntry(
            version=after.version,
            at=now,
            event=event,
            actor=actor,
            from_status=record.order.status,
            to_status=after.status,
            data=details.model_dump(mode="json", exclude_none=True),
        )
        try:
            self._store.commit(OrderChange(before=record.order, after=after, entry=entry))
        except ConcurrentUpdate as lost:
            current = self._store.load(order_id)
            raise Conflict(
                "The order changed while this request was handled; read it again and retry.",
                status=str(current.order.status) if current else None,
                version=current.order.version if current else None,
            ) from lost
        return OrderView.of(after)

    # --- helpers ---------------------------------------------------------------------------------

    def _owned_record(self, customer_id: str, order_id: str) -> OrderRecord:
        record = self._store.load(order_id)
        if record is None or record.order.customer_id != customer_id:
            raise OrderNotFound(order_id)
        return record

    def _details(self, record: OrderRecord, locale: str) -> OrderDetails:
        return OrderDetails(
            **OrderView.fields_of(record.order, locale),
            help=explain(record.order, self._clock(), locale),
            cases=[CaseSummaryView.of(case, locale) for case in record.cases],
            history=[HistoryView.of(entry) for entry in record.history],
        )

    def open_or_join_case(
        self,
        record: OrderRecord,
        action: HelpAction,
        *,
        now: datetime,
        opened_by: OpenedBy,
        author: Author,
        body: str,
        details: dict[str, Any],
        follows: str | None = None,
    ) -> CaseChange:
        """The one place that keeps the rule: at most one case per order and action is not
        closed. A repeat from the customer joins it as a customer reply (which reopens it if it
        was solved); a system message joins it without changing whose turn it is. The store's
        OPENCASE item makes the rule hold under concurrent requests. A new case continues the
        closed case `follows`, when the customer wrote on that one."""
        message = CaseMessage(message_id=new_id("MSG", now), at=now, author=author, body=body)
        existing = record.open_case(action)
        if existing is not None:
            event = "customer_reply" if author is Author.CUSTOMER else "system_message"
            joined = apply_case_event(existing, event, now=now)
            joined = joined.model_copy(update={"version": existing.version + 1})
            return CaseChange(joined, CaseUpdate(before=existing, after=joined, message=message))
        case = Case(
            case_id=new_id("CS", now),
            order_id=record.order.order_id,
            customer_id=record.order.customer_id,
            action=action,
            version=1,
            opened_at=now,
            opened_by=opened_by,
            first_response_due_at=now + self._case_policy.first_response_within(action),
            follows=follows,
            details=details,
            last_activity_at=now,
        )
        return CaseChange(case, NewCase(case=case, message=message))


def _first_message(action: HelpAction, request: HelpRequest, locale: str) -> tuple[Author, str]:
    """The customer's own words when the action has them, else what the action did, in words."""
    own_words = getattr(request, "message", None) or getattr(request, "reason", None)
    if own_words:
        return Author.CUSTOMER, own_words
    values = _event_data(request)
    if "address" in values:
        address = values["address"]
        values["address"] = ", ".join(
            str(address[key])
            for key in ("name", "line1", "line2", "postal_code", "city", "region", "country")
            if address.get(key)
        )
    return Author.SYSTEM, translate(locale, "case_openings", action, **values)


def _event_data(request: HelpRequest) -> dict[str, Any]:
    return request.model_dump(mode="json", exclude_none=True, exclude={"message"})


def _with_change(record: OrderRecord, order: Order, entry: HistoryEntry, case: Case) -> OrderRecord:
    """The record as the committed change left it, without reading it again."""
    cases = [c for c in record.cases if c.case_id != case.case_id]
    return OrderRecord(
        order=order,
        cases=sorted([case, *cases], key=lambda c: c.opened_at, reverse=True),
        history=[*record.history, entry],
        open_cases=record.open_cases | {case.action: case.case_id},
    )


def _not_in_the_future(values: Mapping[str, Any], now: datetime) -> None:
    """When an order was placed, paid, shipped or delivered (`*_at`) is when it happened: it may
    be in the past (the shop's systems catching up) but not ahead of the clock, beyond the skew
    between the systems' clocks."""
    errors = [
        {"loc": (name,), "msg": f"{name} is in the future", "type": "future"}
        for name, moment in values.items()
        if name.endswith("_at") and isinstance(moment, datetime) and moment > now + CLOCK_SKEW
    ]
    if errors:
        raise InvalidOrder(errors)


def _jittered_sleep(attempt: int) -> None:
    # Full jitter: concurrent requests for one order spread out instead of colliding again.
    time.sleep(random.uniform(0, 0.005 * 2**attempt))  # noqa: S311 — not cryptographic
