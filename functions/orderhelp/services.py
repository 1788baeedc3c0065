"""The order flows: load → machine → fire → one `Changeset`, committed exactly once. Handlers call
these; the rules decide; the store persists. Nothing here knows HTTP or DynamoDB."""

import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from lifecycle.actions import HelpAction
from lifecycle.attachments import OwnerKind
from lifecycle.case import Author, CaseMessage, CaseStatus, OpenedBy, apply_case_event
from lifecycle.errors import InvalidOrder
from lifecycle.help import (
    CATALOGUE,
    MOOT_WHEN_CANCELLED,
    HelpRequest,
    ReturnRequest,
    decide_help_action,
    needs_an_answer,
)
from lifecycle.i18n import format_date, translate
from lifecycle.money import round_to_minor_unit
from lifecycle.order import Identifier, Order, OrderStatus, PaymentDetails
from lifecycle.order_lifecycle import apply_event, fields_read_by, validate_order
from lifecycle.policy import CasePolicy, Policy
from lifecycle.refunds import Refund
from orderhelp.attaching import attach, checked_attachments
from orderhelp.attempts import recognised, write_once
from orderhelp.case_numbers import CaseNumbers
from orderhelp.changes import Changeset, RequestContext
from orderhelp.domain_events import OrderCancelled
from orderhelp.errors import Conflict, InvalidCursor, OrderAlreadyExists, OrderNotFound
from orderhelp.ids import new_id
from orderhelp.models import (
    CaseView,
    CreateOrderRequest,
    HelpOutcome,
    Money,
    OrderDetails,
    OrderListItem,
    OrderPage,
    OrderView,
)
from orderhelp.records import HistoryEntry, OrderRecord
from orderhelp.retry import RetryPolicy
from orderhelp.returns_service import (
    applied,
    cancellation_refund,
    customer_locales,
    request_return,
)
from orderhelp.store import OrderStore
from orderhelp.timeutil import iso

Clock = Callable[[], datetime]

CLOCK_SKEW = timedelta(minutes=5)


class OrderService:
    def __init__(
        self,
        store: OrderStore,
        clock: Clock,
        policy: Policy,
        case_policy: CasePolicy,
        retry: RetryPolicy | None = None,
        *,
        numbers: CaseNumbers | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._policy = policy
        self._case_policy = case_policy
        self._retry = retry or RetryPolicy()
        self._numbers = numbers or CaseNumbers()

    # --- customers -------------------------------------------------------------------------------

    def list_orders(
        self,
        customer_id: str,
        limit: int,
        cursor: str | None,
        *,
        status: OrderStatus | None = None,
        order_id: str | None = None,
    ) -> OrderPage:
        """My Orders, newest first: only those in `status` when given; with `order_id`, that
        order alone (read by its key) if it is the customer's and in `status`, else none: another
        customer's order is found exactly as a missing one is, not at all."""
        if order_id is not None:
            if cursor is not None:
                raise InvalidCursor  # a search is one page: no cursor of it exists
            found = self._find_order(customer_id, order_id)
            rows = [found] if found and status in (None, found["status"]) else []
            return OrderPage(orders=[_list_item(row) for row in rows], next_cursor=None)
        rows, next_cursor = self._store.list_for_customer(customer_id, limit, cursor, status)
        return OrderPage(orders=[_list_item(row) for row in rows], next_cursor=next_cursor)

    def _find_order(self, customer_id: str, searched: str) -> dict[str, Any] | None:
        """The order a customer means by `searched`: the id as typed, or in capitals (order
        numbers are printed so; `ord-1003` means ORD-1003). Text no id can be finds nothing."""
        typed = searched.strip()
        for candidate in dict.fromkeys((typed, typed.upper())):
            try:
                _ORDER_ID.validate_python(candidate)
            except ValidationError:
                continue
            found = self._store.customer_order(customer_id, candidate)
            if found is not None:
                return found
        return None

    def order_details(self, customer_id: str, order_id: str, locale: str) -> OrderDetails:
        record = self._owned_record(customer_id, order_id)
        return OrderDetails.of_record(record, self._clock(), locale)

    def use_help_action(
        self,
        request: RequestContext,
        order_id: str,
        action: HelpAction,
        body: HelpRequest,
        locale: str,
    ) -> tuple[HelpOutcome, bool]:
        """Use a help action; returns the outcome and whether a new case was opened (else the
        request joined the order's open case for that action).

        It opens the case (or joins the open one) and records the request on the order in one
        transaction. An action that changes the order (cancelling, a new address) takes the
        order's next version; one that does not is conditioned only on what its guards read, so
        the shop's own changes never wait for a customer's message. If the order changed between
        the read and the write, the rules decide again on the order as it is now."""
        customer_id = _customer_of(request)

        def attempt(number: int) -> tuple[HelpOutcome, bool]:
            record = self._owned_record(customer_id, order_id)
            written = record.written_by(request.id)
            if written is not None:
                return recognised(self._help_outcome(record, written, locale))
            now = self._clock()
            fired = decide_help_action(record.order, action, body, now, locale)
            attachments = checked_attachments(
                self._store, OwnerKind.CUSTOMER, customer_id, body.attachment_ids or [], now
            )
            change = Changeset(request, now, attempt=number)
            author, text = _first_message(action, body, locale)
            already_open = record.open_case(action)
            done = (
                None if needs_an_answer(action, body) else translate(locale, "self_service", action)
            )
            case, message = change.write_to_customer_service(
                already_open,
                order_id=order_id,
                customer_id=customer_id,
                action=action,
                author=author,
                body=text,
                opened_by=OpenedBy.CUSTOMER,
                policy=self._case_policy,
                numbers=self._numbers,
                details=_event_data(body, keep_message=True),
                attachments=[attachment.on_message() for attachment in attachments],
                done=done,
            )
            attach(change, attachments, case, message)
            if action is HelpAction.CANCEL_ORDER:
                resolve_moot_cases(change, record, locale)
            data = {"case_id": case.case_id, "case_opened": already_open is None}
            data |= _event_data(body) | facts_of_change(record.order, fired.order)
            data |= self._returns_and_refunds(change, record, action, body, case.case_id)
            if CATALOGUE[action].changes_order:
                order, entry = change.change_order(record.order, fired.order, str(action), data)
            else:
                guarded_by = fields_read_by(action, record.order.status)
                order = record.order
                entry = change.note_on_order(order, str(action), data, guarded_by)
            self._numbers.commit(self._store, change)
            updated = applied(record.with_change(order, entry, case), change)
            details = OrderDetails.of_record(updated, now, locale, enabled=fired.enabled)
            outcome = HelpOutcome(case=CaseView.of(case, locale), order=details)
            return outcome, already_open is None

        return write_once(self._retry, attempt, lambda: self._kept_changing(customer_id, order_id))

    @staticmethod
    def _returns_and_refunds(
        change: Changeset, record: OrderRecord, action: HelpAction, body: HelpRequest, case_id: str
    ) -> dict[str, Any]:
        """What a help action starts besides its case, in the same transaction: a return request
        its return, a paid order's cancellation its refund."""
        if action is HelpAction.RETURN_REQUEST and isinstance(body, ReturnRequest):
            return {"return_id": request_return(change, record, case_id, body).return_id}
        if action is HelpAction.CANCEL_ORDER:
            return cancellation_facts(cancellation_refund(change, record, case_id))
        return {}

    def _help_outcome(
        self, record: OrderRecord, written: HistoryEntry, locale: str
    ) -> tuple[HelpOutcome, bool]:
        case = record.case(written.data["case_id"])
        if case is None:  # the entry and the case are written in one transaction
            raise OrderNotFound(record.order.order_id)
        outcome = HelpOutcome(
            case=CaseView.of(case, locale),
            order=OrderDetails.of_record(record, self._clock(), locale),
        )
        return outcome, bool(written.data.get("case_opened"))

    def _kept_changing(self, customer_id: str, order_id: str) -> Conflict:
        current = self._owned_record(customer_id, order_id)
        return Conflict(
            "The order kept changing while this request was handled; please try again.",
            order_id=order_id,
            status=str(current.order.status),
            version=current.order.version,
        )

    # --- the shop's systems ----------------------------------------------------------------------

    def create_order(self, request: RequestContext, body: CreateOrderRequest) -> OrderView:
        """Create the order; its id, when the shop gives none, follows from the request, so the
        shop's retry of the same request (same Idempotency-Key) finds the order it created."""
        now = self._clock()
        placed_at = body.placed_at or now
        _not_in_the_future({"placed_at": placed_at}, now)
        order_id = body.order_id or derived_id("ORD", request.id)
        order = validate_order(
            body.model_dump(exclude={"order_id", "placed_at"})
            | {"order_id": order_id, "placed_at": placed_at}
        )
        change = Changeset(request, now)
        created = change.create_order(
            order,
            {
                "customer_id": order.customer_id,
                "placed_at": iso(order.placed_at),
                "total": Money.of(order.total, order.currency).model_dump(),
                "item_count": order.item_count,
            },
        )
        try:
            self._store.commit(change)
        except OrderAlreadyExists:
            record = self._store.load(order_id)
            if record is None or record.written_by(request.id) is None:
                raise
            return recognised(OrderView.of(record.order))
        return OrderView.of(created)

    def order_for_ops(self, order_id: str) -> OrderView:
        return OrderView.of(self._record(order_id).order)

    def apply_lifecycle_event(
        self, request: RequestContext, order_id: str, event: str, details: BaseModel
    ) -> OrderView:
        """`pay`, `ship`, `deliver`, `cancel` or `revise_estimate`, conditioned on the order as
        first read: if it changes meanwhile (say the customer changed the address), the shop's
        system gets a 409 with the current state and decides again, rather than acting on what
        it no longer sees. A write that met only another transaction in flight is tried again."""
        first_read: list[int] = []

        def attempt(number: int) -> OrderView:
            record = self._record(order_id)
            if record.written_by(request.id) is not None:
                return recognised(OrderView.of(record.order))
            if first_read and record.order.version != first_read[0]:
                raise _changed(record.order)
            first_read.append(record.order.version)
            now = self._clock()
            _not_in_the_future(dict(details), now)
            extra: dict[str, Any] = (
                {"policy": self._policy} if isinstance(details, PaymentDetails) else {}
            )
            changed = apply_event(record.order, event, now=now, details=details, **extra)
            change = Changeset(request, now, attempt=number)
            data = details.model_dump(mode="json", exclude_none=True)
            data |= facts_of_change(record.order, changed)
            if event == "cancel":
                data |= cancellation_facts(cancellation_refund(change, record))
                resolve_moot_cases(change, record, None)
            after, _ = change.change_order(record.order, changed, event, data)
            self._store.commit(change)
            return OrderView.of(after)

        return write_once(self._retry, attempt, lambda: _changed(self._record(order_id).order))

    # --- helpers ---------------------------------------------------------------------------------

    def _record(self, order_id: str) -> OrderRecord:
        record = self._store.load(order_id)
        if record is None:
            raise OrderNotFound(order_id)
        return record

    def _owned_record(self, customer_id: str, order_id: str) -> OrderRecord:
        record = self._store.load(order_id)
        if record is None or record.order.customer_id != customer_id:
            raise OrderNotFound(order_id)
        return record


def resolve_moot_cases(change: Changeset, record: OrderRecord, locale: str | None) -> None:
    """Cancelling solves the order's open requests it makes moot (a new address, duties, a late
    shipment), each with a message saying why, in the cancellation's transaction."""
    languages = customer_locales(record.order, locale)
    for action in MOOT_WHEN_CANCELLED:
        case = record.open_case(action)
        if case is None or case.status not in (CaseStatus.OPEN, CaseStatus.PENDING):
            continue
        text = "\n\n".join(
            translate(lc, "self_service", "moot", date=format_date(change.now, lc))
            for lc in languages
        )
        solved = apply_case_event(case, "solve_by_system", now=change.now, resolution=text)
        message = CaseMessage(
            message_id=new_id("MSG", change.now), at=change.now, author=Author.SYSTEM, body=text
        )
        change.change_case(
            case, solved, "solve_by_system", message, {"told_by": OrderCancelled.__name__}
        )


_ORDER_ID: TypeAdapter[str] = TypeAdapter(Identifier)


def _list_item(row: Mapping[str, Any]) -> OrderListItem:
    return OrderListItem(
        order_id=row["order_id"],
        status=row["status"],
        placed_at=row["placed_at"],
        total=Money(amount=row["total"], currency=row["currency"]),
        item_count=row["item_count"],
        first_items=row.get("items", []),
    )


def facts_of_change(before: Order, after: Order) -> dict[str, Any]:
    """What the history entry must say of a change beyond the request's own fields, for the
    events derived from it (the outbox reads entries alone): the address it replaced. What a
    cancellation refunds is `cancellation_facts`."""
    facts: dict[str, Any] = {}
    if after.shipping_address != before.shipping_address:
        facts["previous_address"] = before.shipping_address.model_dump(mode="json")
    return facts


def cancellation_facts(refund: Refund | None) -> dict[str, Any]:
    """What a cancellation's history entry says of its refund: the refund it made due and its
    amount (`OrderCancelled.refund_due` is that refund's, so the event and the refund records
    never disagree), or none when nothing was left to refund."""
    if refund is None:
        return {"refund_id": None, "refund_due": None}
    return {
        "refund_id": refund.refund_id,
        "refund_due": Money.of(
            round_to_minor_unit(refund.amount, refund.currency), refund.currency
        ).model_dump(),
    }


def _customer_of(request: RequestContext) -> str:
    if request.actor.id is None:
        raise ValueError("a customer's request names the customer")
    return request.actor.id


def _changed(current: Order) -> Conflict:
    return Conflict(
        "The order changed while this request was handled; read it again and retry.",
        status=str(current.status),
        version=current.version,
    )


def derived_id(prefix: str, request_id: str) -> str:
    """An id that follows from the request: the same request, the same id."""
    digest = hashlib.sha256(request_id.encode("utf-8")).hexdigest().upper()
    return f"{prefix}-{digest[:22]}"


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


def _event_data(request: HelpRequest, *, keep_message: bool = False) -> dict[str, Any]:
    """What was asked for; attachments are on the case's message, by id, not here."""
    left_out = {"attachment_ids"} if keep_message else {"message", "attachment_ids"}
    return request.model_dump(mode="json", exclude_none=True, exclude=left_out)


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
