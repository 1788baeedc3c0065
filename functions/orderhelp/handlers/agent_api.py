"""AgentApiFunction: customer service works its queue: reads a case with the order as the
customer sees it, takes the case, answers (or notes for colleagues) and solves it.

Only callers whose token puts them in the `agents` group get past the entry point."""

from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import BaseModel

from lifecycle.case import CaseStatus
from orderhelp.api import (
    Answer,
    CaseIdPath,
    PageCursor,
    PageLimit,
    answer_once,
    checked_case_id,
    create_resolver,
    lambda_entry,
    request_locale,
)
from orderhelp.auth import require_agent
from orderhelp.changes import RequestContext
from orderhelp.handlers import agent_console
from orderhelp.models import (
    AgentCase,
    AgentCaseDetails,
    AgentCasePage,
    AgentMessageRequest,
    AgentRefundRequest,
    ApproveReturnRequest,
    AssignRequest,
    RejectReturnRequest,
    SolveRequest,
)
from orderhelp.models import ErrorBody as ErrorBodyModel
from orderhelp.observability import count
from orderhelp.records import ActorKind
from orderhelp.store import ACTIVITY_PAGE
from orderhelp.wiring import case_service, returns_service

app = create_resolver()

FORBIDDEN_UNLESS = "the caller is not a customer service agent (`cognito:groups` lacks `agents`)."
"""Who gets 403 on every route of this function (`orderhelp_dev.openapi` documents it)."""


class QueueStatus(StrEnum):
    """The queues: closed cases are done and in none."""

    OPEN = CaseStatus.OPEN.value
    PENDING = CaseStatus.PENDING.value
    SOLVED = CaseStatus.SOLVED.value


def _case_answer(description: str, refusals: str) -> dict[int, Any]:
    return {
        200: {"description": description, "content": {"application/json": {"model": AgentCase}}},
        409: {
            "description": refusals,
            "content": {"application/json": {"model": ErrorBodyModel}},
        },
    }


@app.get(
    "/agent/cases",
    summary="The queue: cases in one status, most urgent first",
    description="`open` cases by first-response due time, `pending` ones by oldest activity, "
    "`solved` ones by when they were solved (oldest first).",
    tags=["agents"],
    operation_id="agent_queue",
    response_description="A page of the queue",
)
def queue(
    status: Annotated[QueueStatus, Query(description="Which queue.")] = QueueStatus.OPEN,
    limit: PageLimit = 20,
    cursor: PageCursor = None,
) -> AgentCasePage:
    return case_service().queue(CaseStatus(status.value), limit, cursor, request_locale(app))


@app.get(
    "/agent/cases/<case_id>",
    summary="A case with every message, and its order as the customer sees it",
    tags=["agents"],
    operation_id="agent_get_case",
    response_description="The case (internal notes included) and the order's details page",
)
def get_case(
    case_id: CaseIdPath, limit: PageLimit = ACTIVITY_PAGE, cursor: PageCursor = None
) -> AgentCaseDetails:
    return case_service().agent_case(
        checked_case_id(case_id), request_locale(app), limit=limit, cursor=cursor
    )


@app.post(
    "/agent/cases/<case_id>/assign",
    summary="Take the case",
    description="Assigns the case to the caller. A case another agent has is refused "
    '(409 `case_taken`, with its `assignee`) unless the body is `{"force": true}`.',
    tags=["agents"],
    operation_id="agent_assign_case",
    responses=_case_answer(
        "The case, now the caller's",
        "`case_taken`: another agent has the case (`assignee`); `transition_not_allowed`: the "
        "case is closed; `conflict`: the case changed meanwhile (its `status` and `version`)",
    ),
)
def assign(
    case_id: CaseIdPath,
    request: Annotated[AssignRequest | None, Body(embed=False)] = None,
) -> Response[str]:
    body = request or AssignRequest()
    return _change(
        "assign",
        case_id,
        body,
        lambda writing, checked, locale: case_service().assign(
            writing, checked, force=body.force, locale=locale
        ),
    )


@app.post(
    "/agent/cases/<case_id>/messages",
    summary="Answer the customer, or leave an internal note",
    description="A reply makes it the customer's turn; an internal note (`internal: true`) "
    "changes nothing the customer sees. Two agents writing at once both keep their messages. "
    "A reply on a case another agent has is refused (409 `case_taken`, with its `assignee`) "
    'unless the body says `"force": true`; the case stays theirs.',
    tags=["agents"],
    operation_id="agent_post_message",
    responses=_case_answer(
        "The case with the new message",
        "`case_taken`: another agent has the case (`assignee`); `transition_not_allowed`: the "
        "case's status does not take this message (a closed case, or a reply on a solved one); "
        "`conflict`: the case kept changing",
    ),
)
def post_message(
    case_id: CaseIdPath, request: Annotated[AgentMessageRequest, Body(embed=False)]
) -> Response[str]:
    return _change(
        "internal_note" if request.internal else "agent_reply",
        case_id,
        request,
        lambda writing, checked, locale: case_service().agent_message(
            writing,
            checked,
            request.body,
            internal=request.internal,
            locale=locale,
            attachment_ids=request.attachment_ids,
            force=request.force,
        ),
    )


@app.post(
    "/agent/cases/<case_id>/solve",
    summary="Solve the case",
    description="Needs an assignee (409 `case_not_assigned` otherwise); a case another agent "
    'has is refused (409 `case_taken`) unless the body says `"force": true`. The resolution is '
    "the agent's last message to the customer; a reply from the customer opens the case "
    "again, and housekeeping closes it after some days.",
    tags=["agents"],
    operation_id="agent_solve_case",
    responses=_case_answer(
        "The solved case",
        "`case_not_assigned`: nobody has the case yet; `case_taken`: another agent has it; "
        "`transition_not_allowed`: it is already "
        "solved or closed; `conflict`: the case changed since it was read (say the customer "
        "wrote): read it again",
    ),
)
def solve(
    case_id: CaseIdPath, request: Annotated[SolveRequest, Body(embed=False)]
) -> Response[str]:
    return _change(
        "solve",
        case_id,
        request,
        lambda writing, checked, locale: case_service().solve(
            writing, checked, request.resolution, locale, force=request.force
        ),
    )


def _change(
    name: str,
    case_id: str,
    body: BaseModel,
    work: Callable[[RequestContext, str, str], AgentCase],
) -> Response[str]:
    locale = request_locale(app)
    checked = checked_case_id(case_id)

    def run(request: RequestContext) -> Answer:
        case = work(request, checked, locale)
        count("CaseWorked", Step=name)
        return Answer(HTTPStatus.OK, case)

    return answer_once(app, ActorKind.AGENT, body, run)


# --- returns and refunds -------------------------------------------------------------------------


def _details_answer(description: str, refusals: str) -> dict[int, Any]:
    return {
        200: {
            "description": description,
            "content": {"application/json": {"model": AgentCaseDetails}},
        },
        409: {
            "description": refusals,
            "content": {"application/json": {"model": ErrorBodyModel}},
        },
    }


@app.post(
    "/agent/cases/<case_id>/return/approve",
    summary="Approve the case's requested return",
    description="Each return requested on the case gets its RMA number, its printable label and "
    "a drop-off deadline from the policy the order was paid under; the customer is told on the "
    "case how to send it back.",
    tags=["agents", "returns"],
    operation_id="agent_approve_return",
    responses=_details_answer(
        "The case and the order with its returns, as they are now",
        "`no_return_requested`: the case has no return waiting for a decision; `conflict`: the "
        "case kept changing",
    ),
)
def approve_return(
    case_id: CaseIdPath,
    request: Annotated[ApproveReturnRequest | None, Body(embed=False)] = None,
) -> Response[str]:
    return _returns_change(
        "approve_return",
        case_id,
        request or ApproveReturnRequest(),
        lambda writing, checked, locale: returns_service().approve_return(writing, checked, locale),
    )


@app.post(
    "/agent/cases/<case_id>/return/reject",
    summary="Reject the case's requested return",
    description="The reason is said to the customer on the case, in words.",
    tags=["agents", "returns"],
    operation_id="agent_reject_return",
    responses=_details_answer(
        "The case and the order with its returns, as they are now",
        "`no_return_requested`: the case has no return waiting for a decision",
    ),
)
def reject_return(
    case_id: CaseIdPath, request: Annotated[RejectReturnRequest, Body(embed=False)]
) -> Response[str]:
    return _returns_change(
        "reject_return",
        case_id,
        request,
        lambda writing, checked, locale: returns_service().reject_return(
            writing, checked, request.reason, locale
        ),
    )


@app.post(
    "/agent/cases/<case_id>/refund",
    summary="Refund on the case: an item problem's refund, or goodwill",
    description="A refund of the chosen amount (in the order's currency), due at once, up to "
    "what is left to refund on the order: the order's refunds never exceed what was paid "
    "(items, shipping, tax). On an item-problem case it is the problem's refund, on any other "
    "a goodwill refund. Two agents refunding at once: the second is decided on what the first "
    "left.",
    tags=["agents", "refunds"],
    operation_id="agent_refund",
    responses=_details_answer(
        "The case and the order with its refunds, and what is left to refund",
        "`refund_exceeds_paid`: more than is left to refund (`left` says how much is)",
    ),
)
def refund(
    case_id: CaseIdPath, request: Annotated[AgentRefundRequest, Body(embed=False)]
) -> Response[str]:
    return _returns_change(
        "refund",
        case_id,
        request,
        lambda writing, checked, locale: returns_service().agent_refund(
            writing, checked, Decimal(request.amount), request.reason, locale
        ),
    )


def _returns_change(
    name: str,
    case_id: str,
    body: BaseModel,
    work: Callable[[RequestContext, str, str], AgentCaseDetails],
) -> Response[str]:
    locale = request_locale(app)
    checked = checked_case_id(case_id)

    def run(request: RequestContext) -> Answer:
        details = work(request, checked, locale)
        count("CaseWorked", Step=name)
        return Answer(HTTPStatus.OK, details)

    return answer_once(app, ActorKind.AGENT, body, run)


agent_console.register(app)

handler = lambda_entry(app, authorize=require_agent)
