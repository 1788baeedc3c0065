"""CustomerApiFunction: customers list their orders, open one, and use its help actions; they
read their cases with customer service and write on them."""

import base64
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from lifecycle.actions import HelpAction
from lifecycle.errors import ActionUnavailable
from lifecycle.help import CATALOGUE, HelpActionSpec, HelpRequest
from lifecycle.i18n import translate
from lifecycle.order import OrderStatus
from orderhelp.api import (
    Answer,
    CaseIdPath,
    OrderIdPath,
    PageCursor,
    PageLimit,
    answer_once,
    checked_case_id,
    checked_order_id,
    checked_record_id,
    create_resolver,
    current_caller,
    lambda_entry,
    request_locale,
)
from orderhelp.changes import RequestContext
from orderhelp.errors import ReturnNotFound, UnknownAction
from orderhelp.models import (
    CaseConversation,
    CaseMessageRequest,
    CasePage,
    CaseReply,
    HelpOutcome,
    OrderDetails,
    OrderPage,
    RateRequest,
)
from orderhelp.models import ErrorBody as ErrorBodyModel
from orderhelp.observability import count
from orderhelp.records import ActorKind
from orderhelp.store import ACTIVITY_PAGE
from orderhelp.wiring import case_service, order_service, returns_service

app = create_resolver()


@app.get(
    "/orders",
    summary="My orders, newest first: all, those in one status, or one searched by number",
    tags=["orders"],
    operation_id="list_orders",
    response_description="A page of the caller's orders",
)
def list_orders(
    limit: PageLimit = 20,
    cursor: PageCursor = None,
    status: Annotated[
        OrderStatus | None,
        Query(description="Only the orders in this status; `next_cursor` keeps to it."),
    ] = None,
    order_id: Annotated[
        str | None,
        Query(
            max_length=64,
            description="Search by order number: that order alone if it is the caller's (as "
            "typed, or in capitals), else no order at all. One page: no cursor.",
        ),
    ] = None,
) -> OrderPage:
    return order_service().list_orders(
        current_caller(app).subject, limit, cursor, status=status, order_id=order_id
    )


@app.get(
    "/orders/<order_id>",
    summary="Order details: the order, its help links, cases and history",
    tags=["orders"],
    operation_id="get_order",
    response_description="The order with its help links, cases and history",
)
def get_order(order_id: OrderIdPath) -> OrderDetails:
    customer = current_caller(app).subject
    return order_service().order_details(customer, checked_order_id(order_id), request_locale(app))


def _use_help_action(spec: HelpActionSpec, order_id: str, body: HelpRequest) -> Response[str]:
    locale = request_locale(app)
    checked_id = checked_order_id(order_id)

    def work(request: RequestContext) -> Answer:
        try:
            outcome, opened = order_service().use_help_action(
                request, checked_id, spec.action, body, locale
            )
        except ActionUnavailable as refused:
            count("ActionRefused", Reason=refused.availability.reason)
            raise
        if opened:
            count("CaseOpened", Action=spec.action)
        return Answer(HTTPStatus.CREATED if opened else HTTPStatus.OK, outcome)

    return answer_once(app, ActorKind.CUSTOMER, body, work)


def _register_help_route(spec: HelpActionSpec) -> None:
    """One route per help action, so each documents and validates its own body."""
    model = spec.request_model

    def use_action(
        order_id: OrderIdPath,
        request: Annotated[model, Body(embed=False)],  # type: ignore[valid-type]
    ) -> Response[str]:
        return _use_help_action(spec, order_id, request)

    use_action.__name__ = f"use_{spec.action}"
    app.post(
        f"/orders/<order_id>/help/{spec.action}",
        summary=translate("en", "actions", spec.action),
        description=f"Help action `{spec.action}`: opens a case with customer service, or joins "
        "the order's open case for the same action."
        + (" It also changes the order." if spec.changes_order else ""),
        tags=["help"],
        operation_id=f"use_{spec.action}",
        responses={
            201: {
                "description": "A case was opened",
                "content": {"application/json": {"model": HelpOutcome}},
            },
            200: {
                "description": "The order's open case for this action was joined",
                "content": {"application/json": {"model": HelpOutcome}},
            },
            409: {
                "description": "The action is not available now (reason and dates given)",
                "content": {"application/json": {"model": ErrorBodyModel}},
            },
        },
    )(use_action)


for _spec in CATALOGUE.values():
    _register_help_route(_spec)


@app.post("/orders/<order_id>/help/<action>", include_in_schema=False)
def unknown_help_action(order_id: OrderIdPath, action: str) -> Response[str]:
    current_caller(app)
    raise UnknownAction(action, [str(a) for a in HelpAction])


# --- cases ----------------------------------------------------------------------------------------


@app.get(
    "/cases",
    summary="My cases with customer service, newest activity first",
    tags=["cases"],
    operation_id="list_cases",
    response_description="A page of the caller's cases",
)
def list_cases(
    limit: PageLimit = 20,
    cursor: PageCursor = None,
) -> CasePage:
    customer = current_caller(app).subject
    return case_service().customer_cases(customer, limit, cursor, request_locale(app))


@app.get(
    "/cases/<case_id>",
    summary="A case with its conversation",
    description="The case with its latest messages; `older_messages` is the cursor for the "
    "ones before them.",
    tags=["cases"],
    operation_id="get_case",
    response_description="The case and its messages (customer service's internal notes left out)",
)
def get_case(
    case_id: CaseIdPath, limit: PageLimit = ACTIVITY_PAGE, cursor: PageCursor = None
) -> CaseConversation:
    customer = current_caller(app).subject
    return case_service().customer_case(
        customer, checked_case_id(case_id), request_locale(app), limit=limit, cursor=cursor
    )


@app.post(
    "/cases/<case_id>/messages",
    summary="Write to customer service on a case",
    description="Adds the message to the case (a solved case opens again). A closed case is "
    "never an error: the message opens a follow-up case that links back to it, or joins the "
    "order's case already open for the same action; `case` says which case got it.",
    tags=["cases"],
    operation_id="post_case_message",
    responses={
        200: {
            "description": "The message was added to an open case: this one or, if this one "
            "is closed, the order's open case for the same action",
            "content": {"application/json": {"model": CaseReply}},
        },
        201: {
            "description": "This case was closed: the message opened a follow-up case",
            "content": {"application/json": {"model": CaseReply}},
        },
    },
)
def post_case_message(
    case_id: CaseIdPath, body: Annotated[CaseMessageRequest, Body(embed=False)]
) -> Response[str]:
    locale = request_locale(app)
    checked_id = checked_case_id(case_id)

    def work(request: RequestContext) -> Answer:
        reply, opened = case_service().customer_message(
            request, checked_id, body.body, locale, body.attachment_ids
        )
        if opened:
            count("FollowUpCaseOpened")
        return Answer(HTTPStatus.CREATED if opened else HTTPStatus.OK, reply)

    return answer_once(app, ActorKind.CUSTOMER, body, work)


@app.post(
    "/cases/<case_id>/rating",
    summary="Rate how customer service solved the case",
    description="Once per solve, by the case's customer: `rating_requested` says when. The "
    "rating is kept on the case (`rating`) and shown to customer service.",
    tags=["cases"],
    operation_id="rate_case",
    responses={
        200: {
            "description": "The case with its rating",
            "content": {"application/json": {"model": CaseConversation}},
        },
        409: {
            "description": "The case is not solved (`case_not_solved`), or its solve was "
            "already rated (`already_rated`)",
            "content": {"application/json": {"model": ErrorBodyModel}},
        },
    },
)
def rate_case(
    case_id: CaseIdPath, body: Annotated[RateRequest, Body(embed=False)]
) -> Response[str]:
    locale = request_locale(app)
    checked_id = checked_case_id(case_id)

    def work(request: RequestContext) -> Answer:
        rated = case_service().rate(request, checked_id, body.rating, body.comment, locale)
        count("CaseRated", Rating=str(body.rating))
        return Answer(HTTPStatus.OK, rated)

    return answer_once(app, ActorKind.CUSTOMER, body, work)


# --- returns --------------------------------------------------------------------------------------


@app.get(
    "/orders/<order_id>/returns/<return_id>/label",
    summary="A return's printable label (PDF)",
    description="Once the return is approved: an A6 PDF with the RMA, the addresses, the items, "
    "the drop-off deadline and a QR code of the RMA.",
    tags=["returns"],
    operation_id="get_return_label",
    responses={
        200: {
            "description": "The label",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        },
        409: {
            "description": "`no_label_yet`: the return is not approved yet",
            "content": {"application/json": {"model": ErrorBodyModel}},
        },
    },
)
def get_return_label(
    order_id: OrderIdPath,
    return_id: Annotated[str, Path(min_length=1, description="The return's id.")],
) -> Response[str]:
    customer = current_caller(app).subject
    checked_order = checked_order_id(order_id)
    checked_return = checked_record_id(return_id, ReturnNotFound)
    pdf = returns_service().label(customer, checked_order, checked_return, request_locale(app))
    # Binary, as API Gateway takes it: base64 with isBase64Encoded (the response validation
    # only ever sees text).
    response = Response(
        status_code=HTTPStatus.OK,
        content_type="application/pdf",
        body=base64.b64encode(pdf).decode("ascii"),
        headers={"Content-Disposition": f'inline; filename="{checked_return}.pdf"'},
    )
    response.base64_encoded = True
    return response


handler = lambda_entry(app, authorize=lambda caller: caller)
