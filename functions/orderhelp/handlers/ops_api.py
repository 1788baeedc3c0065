"""OpsApiFunction: the shop's payment and warehouse systems create orders and move them along."""

from dataclasses import dataclass
from enum import StrEnum
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from pydantic import BaseModel

from lifecycle.order import (
    CancellationDetails,
    DeliveryDetails,
    EstimateRevision,
    PaymentDetails,
    ShipmentDetails,
)
from lifecycle.refunds import RefundStatus
from lifecycle.returns import ReceivedItem
from orderhelp.api import (
    Answer,
    OrderIdPath,
    PageCursor,
    PageLimit,
    answer_once,
    checked_order_id,
    checked_record_id,
    create_resolver,
    lambda_entry,
    request_locale,
)
from orderhelp.auth import require_ops
from orderhelp.changes import RequestContext
from orderhelp.errors import RefundNotFound, ReturnNotFound
from orderhelp.models import (
    CreateOrderRequest,
    OrderView,
    RefundFailedRequest,
    RefundIssuedRequest,
    RefundPage,
    RefundRetryRequest,
    RefundWork,
    ReturnReceivedRequest,
    ReturnView,
)
from orderhelp.models import ErrorBody as ErrorBodyModel
from orderhelp.records import ActorKind
from orderhelp.wiring import order_service, returns_service

app = create_resolver()


# Error answers every route shares (401, 404, 422, …) are documented by `orderhelp_dev.openapi`.
_ORDER_RESPONSES: dict[int, Any] = {
    409: {
        "description": "Not allowed in the order's current state, or the order changed meanwhile",
        "content": {"application/json": {"model": ErrorBodyModel}},
    },
}


@app.post(
    "/ops/orders",
    summary="Create an order",
    tags=["ops"],
    operation_id="ops_create_order",
    responses={
        201: {"description": "Created", "content": {"application/json": {"model": OrderView}}},
        409: {
            "description": "An order with this id already exists",
            "content": {"application/json": {"model": ErrorBodyModel}},
        },
    },
)
def create_order(body: Annotated[CreateOrderRequest, Body(embed=False)]) -> Response[str]:
    def work(request: RequestContext) -> Answer:
        return Answer(HTTPStatus.CREATED, order_service().create_order(request, body))

    return answer_once(app, ActorKind.OPS, body, work)


@app.get(
    "/ops/orders/<order_id>",
    summary="Read an order",
    tags=["ops"],
    operation_id="ops_get_order",
    response_description="The order",
)
def get_order(order_id: OrderIdPath) -> OrderView:
    return order_service().order_for_ops(checked_order_id(order_id))


def _apply(order_id: str, event: str, details: BaseModel) -> Response[str]:
    checked_id = checked_order_id(order_id)

    def work(request: RequestContext) -> Answer:
        order = order_service().apply_lifecycle_event(request, checked_id, event, details)
        return Answer(HTTPStatus.OK, order)

    return answer_once(app, ActorKind.OPS, details, work)


_EVENT_RESPONSES = {
    200: {
        "description": "The order after the event",
        "content": {"application/json": {"model": OrderView}},
    }
} | _ORDER_RESPONSES


@dataclass(frozen=True)
class ShopEvent:
    """A route of the shop's systems that fires one event of the order's machine."""

    event: str
    path: str
    details: type[BaseModel]
    operation_id: str
    summary: str
    description: str | None = None


SHOP_EVENT_ROUTES = (
    ShopEvent("pay", "pay", PaymentDetails, "ops_pay", "Record the payment"),
    ShopEvent("ship", "ship", ShipmentDetails, "ops_ship", "Record the shipment"),
    ShopEvent("deliver", "deliver", DeliveryDetails, "ops_deliver", "Record the delivery"),
    ShopEvent("cancel", "cancel", CancellationDetails, "ops_cancel", "Cancel the order"),
    ShopEvent(
        "revise_estimate",
        "estimate",
        EstimateRevision,
        "ops_revise_estimate",
        "Set a new estimate",
        "A new ship-by date for a paid order (`estimated_ship_by`) or a new delivery "
        "date for a shipped one (`estimated_delivery_by`): exactly one of them. A delay recorded "
        "for the old date is cleared, and missing the new date counts as a new delay.",
    ),
)


def _register_shop_event_route(route: ShopEvent) -> None:
    """One route per event, so each documents and validates its own body."""
    model = route.details

    def fire(
        order_id: OrderIdPath,
        details: Annotated[model, Body(embed=False)],  # type: ignore[valid-type]
    ) -> Response[str]:
        return _apply(order_id, route.event, details)

    fire.__name__ = route.event
    app.post(
        f"/ops/orders/<order_id>/{route.path}",
        summary=route.summary,
        description=route.description,
        tags=["ops"],
        operation_id=route.operation_id,
        responses=_EVENT_RESPONSES,
    )(fire)


for _route in SHOP_EVENT_ROUTES:
    _register_shop_event_route(_route)


# --- returns and refunds -------------------------------------------------------------------------

ReturnIdPath = Annotated[str, Path(min_length=1, description="The return's id.")]
RefundIdPath = Annotated[str, Path(min_length=1, description="The refund's id.")]


def _refusals(text: str) -> dict[int, Any]:
    return {409: {"description": text, "content": {"application/json": {"model": ErrorBodyModel}}}}


@app.post(
    "/ops/returns/<return_id>/received",
    summary="Record a return received",
    description="What arrived, per item: how many and in what condition (at most what the return "
    "asked for). A return for a refund makes its refund due at once (the items' amount and "
    "their share of the tax, and the shipping when the whole order came back if the order's "
    "policy says so, up to what is left to refund); one for a replacement is done.",
    tags=["ops", "returns"],
    operation_id="ops_return_received",
    responses={
        200: {"description": "The return", "content": {"application/json": {"model": ReturnView}}}
    }
    | _refusals("`transition_not_allowed`: the return is not approved (or already received)"),
)
def return_received(
    return_id: ReturnIdPath, body: Annotated[ReturnReceivedRequest, Body(embed=False)]
) -> Response[str]:
    locale = request_locale(app)
    checked = checked_record_id(return_id, ReturnNotFound)
    items = [ReceivedItem.model_validate(item.model_dump()) for item in body.items]

    def work(request: RequestContext) -> Answer:
        received = returns_service().receive_return(request, checked, items, locale)
        return Answer(HTTPStatus.OK, received)

    return answer_once(app, ActorKind.OPS, body, work)


_REFUND_ANSWER = {
    200: {"description": "The refund", "content": {"application/json": {"model": RefundWork}}}
}


@app.post(
    "/ops/refunds/<refund_id>/issued",
    summary="Record a refund issued",
    description="How the money went back (`method`), the payment's `reference`, and when "
    "(`issued_at`, now by default; not before the refund was due). A return's refund ends the "
    "return (`refunded`); the customer's case is told.",
    tags=["ops", "refunds"],
    operation_id="ops_refund_issued",
    responses=_REFUND_ANSWER | _refusals("`transition_not_allowed`: the refund is not due"),
)
def refund_issued(
    refund_id: RefundIdPath, body: Annotated[RefundIssuedRequest, Body(embed=False)]
) -> Response[str]:
    data: dict[str, Any] = {
        "method": body.method,
        "reference": body.reference,
        "issued_at": body.issued_at,
    }
    return _settle(
        refund_id,
        body,
        lambda request, checked, locale: returns_service().issue_refund(
            request, checked, data, locale
        ),
    )


@app.post(
    "/ops/refunds/<refund_id>/failed",
    summary="Record a refund that failed",
    description="Why, in words the customer reads on their case. The refund leaves the due list "
    "and waits in the failed one until it is retried.",
    tags=["ops", "refunds"],
    operation_id="ops_refund_failed",
    responses=_REFUND_ANSWER | _refusals("`transition_not_allowed`: the refund is not due"),
)
def refund_failed(
    refund_id: RefundIdPath, body: Annotated[RefundFailedRequest, Body(embed=False)]
) -> Response[str]:
    return _settle(
        refund_id,
        body,
        lambda request, checked, locale: returns_service().fail_refund(
            request, checked, body.reason, locale
        ),
    )


@app.post(
    "/ops/refunds/<refund_id>/retry",
    summary="Put a failed refund back on the due list",
    tags=["ops", "refunds"],
    operation_id="ops_refund_retry",
    responses=_REFUND_ANSWER | _refusals("`transition_not_allowed`: the refund has not failed"),
)
def refund_retry(
    refund_id: RefundIdPath,
    body: Annotated[RefundRetryRequest | None, Body(embed=False)] = None,
) -> Response[str]:
    return _settle(
        refund_id,
        body or RefundRetryRequest(),
        lambda request, checked, locale: returns_service().retry_refund(request, checked, locale),
    )


def _settle(refund_id: str, body: BaseModel, work: Any) -> Response[str]:
    locale = request_locale(app)
    checked = checked_record_id(refund_id, RefundNotFound)

    def run(request: RequestContext) -> Answer:
        return Answer(HTTPStatus.OK, work(request, checked, locale))

    return answer_once(app, ActorKind.OPS, body, run)


class QueuedRefundStatus(StrEnum):
    """The payment system's lists: refunds to make, and refunds that failed."""

    DUE = RefundStatus.DUE.value
    FAILED = RefundStatus.FAILED.value


@app.get(
    "/ops/refunds",
    summary="The payment system's work list: refunds due (or failed), oldest first",
    description="From a sparse index of the refunds to work (never a scan), a page at a time.",
    tags=["ops", "refunds"],
    operation_id="ops_list_refunds",
    response_description="A page of refunds",
)
def list_refunds(
    status: Annotated[
        QueuedRefundStatus, Query(description="Which list.")
    ] = QueuedRefundStatus.DUE,
    limit: PageLimit = 20,
    cursor: PageCursor = None,
) -> RefundPage:
    return returns_service().refunds(RefundStatus(status.value), limit, cursor, request_locale(app))


handler = lambda_entry(app, authorize=require_ops)
