"""The agents' console routes of AgentApiFunction: search, views, saved replies, profiles, a
customer's side panel and customer service's figures (registered on the agents' resolver)."""

from enum import IntEnum
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from lifecycle.actions import CaseAction
from orderhelp.api import (
    Answer,
    CaseIdPath,
    PageCursor,
    PageLimit,
    answer_once,
    checked_case_id,
    current_caller,
    request_locale,
)
from orderhelp.changes import RequestContext
from orderhelp.console_models import (
    CustomerPanel,
    ProfileList,
    ProfileRequest,
    ProfileView,
    SavedReplyList,
    SavedReplyRequest,
    SavedReplyView,
    SearchResult,
    Stats,
    SuggestedReplies,
    ViewCounts,
    ViewName,
)
from orderhelp.errors import CaseNotFound, SavedReplyNotFound
from orderhelp.models import AgentCasePage
from orderhelp.models import ErrorBody as ErrorBodyModel
from orderhelp.records import ActorKind
from orderhelp.wiring import console_service, stats_service

ReplyIdPath = Annotated[str, Path(min_length=1, description="The saved reply's id.")]
VersionQuery = Annotated[
    int | None,
    Query(ge=1, description="Change it only if it is still at this version (else 409)."),
]


class StatsPeriod(IntEnum):
    WEEK = 7
    MONTH = 30


def _refusals(description: str) -> dict[int, Any]:
    return {
        409: {
            "description": description,
            "content": {"application/json": {"model": ErrorBodyModel}},
        }
    }


def _reply_answer(status: int) -> dict[int, Any]:
    return {
        status: {
            "description": "The saved reply",
            "content": {"application/json": {"model": SavedReplyView}},
        },
        404: {
            "description": "`saved_reply_not_found`: no such reply (or it was deleted)",
            "content": {"application/json": {"model": ErrorBodyModel}},
        },
        **_refusals("`saved_reply_changed`: the reply is no longer at `version`"),
    }


def _checked_reply_id(raw: str) -> str:
    try:
        return checked_case_id(raw)
    except CaseNotFound as missing:
        raise SavedReplyNotFound(raw[:64]) from missing


def register(app: APIGatewayHttpResolver) -> None:
    """Adds the console's routes to the agents' resolver."""

    def agent() -> str:
        return current_caller(app).subject

    @app.get(
        "/agent/search",
        summary="Find an order or a case by what a customer reads out",
        description="Looks the query up, exactly, as each kind of key it may be: an order id, a "
        "case reference (each one request). Case numbers and customers' emails are looked up "
        "as well once cases carry numbers and orders contact emails.",
        tags=["agents"],
        operation_id="agent_search",
        response_description="What the query matched, by kind of key",
    )
    def search(
        q: Annotated[str, Query(min_length=1, max_length=254, description="What to look for.")],
    ) -> SearchResult:
        return console_service().search(q, request_locale(app))

    @app.get(
        "/agent/views",
        summary="The console's views and how many cases each holds",
        description="Mine, unassigned, overdue (the first answer is late) and one per help "
        "action, counted over the cases that are open or pending.",
        tags=["agents"],
        operation_id="agent_view_counts",
        response_description="Each view's count",
    )
    def view_counts() -> ViewCounts:
        return console_service().view_counts(agent())

    @app.get(
        "/agent/views/<view>",
        summary="A page of one view",
        description="Open cases first, by when they are due an answer, then pending ones by how "
        "long they have waited. `view=action` takes the `action`.",
        tags=["agents"],
        operation_id="agent_view",
        response_description="A page of the view",
    )
    def view(
        view: Annotated[ViewName, Path(description="Which view.")],
        action: Annotated[
            CaseAction | None, Query(description="With the `action` view: which action.")
        ] = None,
        limit: PageLimit = 20,
        cursor: PageCursor = None,
    ) -> AgentCasePage:
        chosen = action if view is ViewName.ACTION else None
        return console_service().view(
            agent(), view, action=chosen, limit=limit, cursor=cursor, locale=request_locale(app)
        )

    @app.get(
        "/agent/replies",
        summary="Every saved reply",
        tags=["agents"],
        operation_id="agent_list_replies",
        response_description="The saved replies, by language and title",
    )
    def list_replies() -> SavedReplyList:
        return console_service().replies()

    @app.post(
        "/agent/replies",
        summary="Save a reply for every agent to use",
        tags=["agents"],
        operation_id="agent_create_reply",
        responses={
            201: {
                "description": "The saved reply",
                "content": {"application/json": {"model": SavedReplyView}},
            }
        },
    )
    def create_reply(request: Annotated[SavedReplyRequest, Body(embed=False)]) -> Response[str]:
        def run(writing: RequestContext) -> Answer:
            return Answer(HTTPStatus.CREATED, console_service().create_reply(writing, request))

        return answer_once(app, ActorKind.AGENT, request, run)

    @app.put(
        "/agent/replies/<reply_id>",
        summary="Change a saved reply",
        tags=["agents"],
        operation_id="agent_update_reply",
        responses=_reply_answer(200),
    )
    def update_reply(
        reply_id: ReplyIdPath,
        request: Annotated[SavedReplyRequest, Body(embed=False)],
        version: VersionQuery = None,
    ) -> Response[str]:
        checked = _checked_reply_id(reply_id)

        def run(writing: RequestContext) -> Answer:
            changed = console_service().update_reply(writing, checked, request, version)
            return Answer(HTTPStatus.OK, changed)

        return answer_once(app, ActorKind.AGENT, request, run)

    @app.delete(
        "/agent/replies/<reply_id>",
        summary="Delete a saved reply",
        tags=["agents"],
        operation_id="agent_delete_reply",
        responses=_reply_answer(200),
    )
    def delete_reply(reply_id: ReplyIdPath, version: VersionQuery = None) -> Response[str]:
        checked = _checked_reply_id(reply_id)

        def run(writing: RequestContext) -> Answer:
            return Answer(HTTPStatus.OK, console_service().delete_reply(writing, checked, version))

        return answer_once(app, ActorKind.AGENT, None, run)

    @app.get(
        "/agent/cases/<case_id>/replies",
        summary="Saved replies filled in for a case",
        description="Every saved reply with the case's values in its placeholders; those for "
        "the case's help action in the customer's language first (`suggested`).",
        tags=["agents"],
        operation_id="agent_case_replies",
        response_description="The replies, suggested ones first",
    )
    def case_replies(case_id: CaseIdPath) -> SuggestedReplies:
        return console_service().suggested_replies(
            agent(), checked_case_id(case_id), request_locale(app)
        )

    @app.get(
        "/agent/profiles",
        summary="Every agent's profile",
        tags=["agents"],
        operation_id="agent_profiles",
        response_description="The agents' display names and languages",
    )
    def profiles() -> ProfileList:
        return console_service().profiles()

    @app.put(
        "/agent/profile",
        summary="Set my profile",
        description="The display name customers read on my messages instead of my id, and the "
        "languages I answer in.",
        tags=["agents"],
        operation_id="agent_save_profile",
        responses={
            200: {
                "description": "My profile",
                "content": {"application/json": {"model": ProfileView}},
            }
        },
    )
    def save_profile(request: Annotated[ProfileRequest, Body(embed=False)]) -> Response[str]:
        def run(writing: RequestContext) -> Answer:
            return Answer(HTTPStatus.OK, console_service().save_profile(writing, request))

        return answer_once(app, ActorKind.AGENT, request, run)

    @app.get(
        "/agent/customers/<customer_id>",
        summary="A customer's other orders and cases",
        tags=["agents"],
        operation_id="agent_customer",
        response_description="Their newest orders and cases",
    )
    def customer(
        customer_id: Annotated[str, Path(min_length=1, max_length=64)],
    ) -> CustomerPanel:
        return console_service().customer(customer_id, request_locale(app))

    @app.get(
        "/agent/stats",
        summary="Customer service's figures over the last 7 or 30 days",
        description="Kept from the event stream into one item per day (and shard): one Query "
        "reads the period, one the backlog.",
        tags=["agents"],
        operation_id="agent_stats",
        response_description="The backlog, first-response times, cases opened and ratings",
    )
    def stats(
        days: Annotated[StatsPeriod, Query(description="7 or 30.")] = StatsPeriod.WEEK,
    ) -> Stats:
        return stats_service().stats(int(days))
