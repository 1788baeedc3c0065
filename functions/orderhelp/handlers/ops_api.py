"""OpsApiFunction: the shop's payment and warehouse systems create orders and move them along."""

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel

from lifecycle.order import (
    CancellationDetails,
    DeliveryDetails,
    EstimateRevision,
    PaymentDetails,
    ShipmentDetails,
)
from orderhelp.api import (
    OrderIdPath,
    checked_order_id,
    create_resolver,
    current_caller,
    idempotently,
    json_response,
    lambda_entry,
)
from orderhelp.auth import require_ops
from orderhelp.models import CreateOrderRequest, OrderView
from orderhelp.models import ErrorBody as ErrorBodyModel
from orderhelp.records import Actor, ActorKind
from orderhelp.wiring import order_service

app = create_resolver()


def _shop_system() -> Actor:
    return Actor(kind=ActorKind.OPS, id=current_caller(app).subject)


# Error answers every route shares (401, 404, 422, …) are documented by `orderhelp.openapi`.
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
def create_order(request: Annotated[CreateOrderRequest, Body(embed=False)]) -> Response[str]:
    actor = _shop_system()

    def work() -> dict[str, Any]:
        order = order_service().create_order(request, actor)
        return {"status": int(HTTPStatus.CREATED), "body": order.model_dump(mode="json")}

    result = idempotently(app, current_caller(app), request.model_dump(mode="json"), work)
    return json_response(result["status"], result["body"])


@app.get(
    "/ops/orders/<order_id>",
    summary="Read an order",
    tags=["ops"],
    operation_id="ops_get_order",
    response_description="The order",
)
def get_order(order_id: OrderIdPath) -> OrderView:
    _shop_system()
    return order_service().order_for_ops(checked_order_id(order_id))


def _apply(order_id: str, event: str, details: BaseModel) -> Response[str]:
    actor = _shop_system()

    def work() -> dict[str, Any]:
        order = order_service().apply_lifecycle_event(
            checked_order_id(order_id), event, details, actor
        )
        return {"status": int(HTTPStatus.OK), "body": order.model_dump(mode="json")}

    result = idempotently(app, current_caller(app), details.model_dump(mode="json"), work)
    return json_response(result["status"], result["body"])


_EVENT_RESPONSES = {
    200: {
        "description": "The order after the event",
        "content": {"application/json": {"model": OrderView}},
    }
} | _ORDER_RESPONSES


@app.post(
    "/ops/orders/<order_id>/pay",
    summary="Record the payment",
    tags=["ops"],
    operation_id="ops_pay",
    responses=_EVENT_RESPONSES,
)
def pay(
    order_id: OrderIdPath, details: Annotated[PaymentDetails, Body(embed=False)]
) -> Response[str]:
    return _apply(order_id, "pay", details)


@app.post(
    "/ops/orders/<order_id>/ship",
    summary="Record the shipment",
    tags=["ops"],
    operation_id="ops_ship",
    responses=_EVENT_RESPONSES,
)
def ship(
    order_id: OrderIdPath, details: Annotated[ShipmentDetails, Body(embed=False)]
) -> Response[str]:
    return _apply(order_id, "ship", details)


@app.post(
    "/ops/orders/<order_id>/deliver",
    summary="Record the delivery",
    tags=["ops"],
    operation_id="ops_deliver",
    responses=_EVENT_RESPONSES,
)
def deliver(
    order_id: OrderIdPath, details: Annotated[DeliveryDetails, Body(embed=False)]
) -> Response[str]:
    return _apply(order_id, "deliver", details)


@app.post(
    "/ops/orders/<order_id>/cancel",
    summary="Cancel the order",
    tags=["ops"],
    operation_id="ops_cancel",
    responses=_EVENT_RESPONSES,
)
def cancel(
    order_id: OrderIdPath, details: Annotated[CancellationDetails, Body(embed=False)]
) -> Response[str]:
    return _apply(order_id, "cancel", details)


@app.post(
    "/ops/orders/<order_id>/estimate",
    summary="Set a new estimate",
    description="A new ship-by date for a paid order (`estimated_ship_by`) or a new delivery "
    "date for a shipped one (`estimated_delivery_by`): exactly one of them. A delay recorded "
    "for the old date is cleared, and missing the new date counts as a new delay.",
    tags=["ops"],
    operation_id="ops_revise_estimate",
    responses=_EVENT_RESPONSES,
)
def revise_estimate(
    order_id: OrderIdPath, details: Annotated[EstimateRevision, Body(embed=False)]
) -> Response[str]:
    return _apply(order_id, "revise_estimate", details)


handler = lambda_entry(app, authorize=require_ops)
