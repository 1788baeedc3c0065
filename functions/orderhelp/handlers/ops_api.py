"""OpsApiFunction: the shop's payment and warehouse systems create orders and move them along."""

from dataclasses import dataclass
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
    Answer,
    OrderIdPath,
    answer_once,
    checked_order_id,
    create_resolver,
    lambda_entry,
)
from orderhelp.auth import require_ops
from orderhelp.changes import RequestContext
from orderhelp.models import CreateOrderRequest, OrderView
from orderhelp.models import ErrorBody as ErrorBodyModel
from orderhelp.records import ActorKind
from orderhelp.wiring import order_service

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


handler = lambda_entry(app, authorize=require_ops)
