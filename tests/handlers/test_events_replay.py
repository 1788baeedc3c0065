"""The sample events of `events/`: each is shaped as API Gateway (or the scheduler) sends it,
belongs to the function the manifest names, and, replayed through that function's handler against
the orders of the seed (in moto), gets the status (or the run's figures) the manifest expects."""

import copy
import json
import re
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote

import pytest

from lifecycle.actions import HelpAction
from orderhelp_dev.local.apigw import (
    Authorization,
    HttpRequest,
    build_event,
    response_from_result,
)
from orderhelp_dev.local.lambda_runtime import LocalLambdaContext, load_handler, match_route
from orderhelp_dev.local.sample_events import (
    EVENTS_DIR,
    MANIFEST,
    SEED,
    SampleEvent,
    sample_events,
    seed_cases,
    seed_orders,
)
from orderhelp_dev.local.template import (
    LOCAL_REGION,
    functions,
    http_routes,
    load_template,
    local_references,
    resolve,
)
from tests.handlers.conftest import SeedCases, SeedOrders

EVENTS = sample_events()
SCHEDULE_TYPES = ("Schedule", "ScheduleV2")


def _triggered_by(sample: SampleEvent) -> set[str]:
    spec = functions().get(sample.function)
    return {event["Type"] for event in spec.events.values()} if spec else set()


API_EVENTS = tuple(sample for sample in EVENTS if "HttpApi" in _triggered_by(sample))
SCHEDULED_EVENTS = tuple(sample for sample in EVENTS if _triggered_by(sample) & set(SCHEDULE_TYPES))

# The keys of an HTTP API payload 2.0 event (AWS's reference event has them all).
EVENT_KEYS = {
    "version",
    "routeKey",
    "rawPath",
    "rawQueryString",
    "cookies",
    "headers",
    "queryStringParameters",
    "requestContext",
    "body",
    "pathParameters",
    "isBase64Encoded",
    "stageVariables",
}
ALWAYS = {"version", "routeKey", "rawPath", "rawQueryString", "headers", "requestContext"}
CONTEXT_KEYS = {
    "accountId",
    "apiId",
    "authentication",
    "authorizer",
    "domainName",
    "domainPrefix",
    "http",
    "requestId",
    "routeKey",
    "stage",
    "time",
    "timeEpoch",
}
HTTP_KEYS = {"method", "path", "protocol", "sourceIp", "userAgent"}


def by_file(sample: SampleEvent) -> str:
    return sample.file


# --- the manifest ---------------------------------------------------------------------------------


def test_the_manifest_lists_every_event_file_once() -> None:
    files = {
        str(path.relative_to(EVENTS_DIR))
        for path in EVENTS_DIR.rglob("*.json")
        if path not in (MANIFEST, SEED)
    }
    listed = [sample.file for sample in EVENTS]
    assert len(listed) == len(set(listed)), "a file is listed twice"
    assert set(listed) == files


def test_every_entry_names_a_function_what_it_gets_and_known_orders() -> None:
    known = seed_orders()
    triggered = [sample.file for sample in (*API_EVENTS, *SCHEDULED_EVENTS)]
    assert sorted(triggered) == sorted(sample.file for sample in EVENTS), "an event for no trigger"
    cases = seed_cases()
    for sample in EVENTS:
        assert sample.function in functions(), sample.file
        assert set(sample.orders) <= set(known), sample.file
        # A case needs its order in the store first.
        assert set(sample.cases) <= set(cases), sample.file
        assert {cases[case_id].order_id for case_id in sample.cases} <= set(sample.orders)
    for sample in API_EVENTS:
        assert sample.status is not None and sample.result is None, sample.file
        HTTPStatus(sample.status)
        # A refusal says which one: a 404 for a missing order is not a 404 for a missing route.
        assert (sample.error is not None) == (sample.status >= 400), sample.file
    for sample in SCHEDULED_EVENTS:
        assert sample.status is None and sample.error is None, sample.file
        assert sample.result, sample.file  # the replay compares each figure named


def test_every_route_and_every_help_action_has_events() -> None:
    route_keys = {json.loads(sample.path.read_text())["routeKey"] for sample in API_EVENTS}
    for route in http_routes():
        assert f"{route.method} {route.path}" in route_keys
    used = {
        sample.load()["pathParameters"]["action"]
        for sample in API_EVENTS
        if sample.status in (200, 201) and "/help/" in sample.load()["rawPath"]
    }
    assert used == {str(action) for action in HelpAction}
    refusals = {sample.status for sample in API_EVENTS if (sample.status or 0) >= 400}
    assert {400, 401, 403, 404, 409, 422} <= refusals


def test_every_schedule_has_events_of_both_scheduled_shapes() -> None:
    scheduled = {
        logical_id
        for logical_id, spec in functions().items()
        if any(event["Type"] in SCHEDULE_TYPES for event in spec.events.values())
    }
    assert scheduled == {sample.function for sample in SCHEDULED_EVENTS}
    sources = {sample.load()["source"] for sample in SCHEDULED_EVENTS}
    assert sources == {"aws.scheduler", "aws.events"}


# --- each event's shape ---------------------------------------------------------------------------


@pytest.mark.parametrize("sample", API_EVENTS, ids=by_file)
def test_the_event_is_shaped_as_api_gateway_sends_it(sample: SampleEvent) -> None:
    event = sample.load()
    assert ALWAYS <= set(event) <= EVENT_KEYS
    assert event["version"] == "2.0"
    context = event["requestContext"]
    assert set(context) <= CONTEXT_KEYS
    assert set(context["http"]) == HTTP_KEYS
    method, _, route_path = event["routeKey"].partition(" ")
    assert context["routeKey"] == event["routeKey"]
    assert context["http"]["method"] == method
    assert context["http"]["path"] == event["rawPath"]
    assert context["domainPrefix"] == context["domainName"].split(".")[0]
    moment = datetime.strptime(context["time"], "%d/%b/%Y:%H:%M:%S %z")
    assert context["timeEpoch"] == int(moment.timestamp() * 1000)

    headers = event["headers"]
    assert all(name == name.lower() for name in headers), "API Gateway lower-cases header names"
    assert all(isinstance(value, str) for value in headers.values())
    assert headers["host"] == context["domainName"]
    assert headers["user-agent"] == context["http"]["userAgent"]
    assert isinstance(event["isBase64Encoded"], bool)
    if "body" in event:
        assert isinstance(event["body"], str)
        assert int(headers["content-length"]) == len(event["body"].encode("utf-8"))
    query: dict[str, str] = {}
    for name, value in parse_qsl(event["rawQueryString"], keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    assert event.get("queryStringParameters", {}) == query

    # The template routes it to the manifest's function, with these path parameters.
    match = match_route(method, event["rawPath"])
    assert match is not None, f"no template route for {method} {event['rawPath']}"
    assert match.route.function == sample.function
    assert match.route_key == event["routeKey"]
    assert route_path == match.route.path
    parameters = {name: unquote(value) for name, value in match.path_parameters.items()}
    assert event.get("pathParameters", {}) == parameters

    jwt = context.get("authorizer", {}).get("jwt")
    if jwt is not None:
        assert set(jwt) == {"claims", "scopes"}
        # The JWT authorizer passes every claim as a string.
        assert all(isinstance(value, str) for value in jwt["claims"].values())
        # `scopes` is filled on routes that require scopes, and null on the others.
        if match.route.scopes:
            assert isinstance(jwt["scopes"], list) and jwt["scopes"]
        else:
            assert jwt["scopes"] is None

    # The local stack's event builder makes the very same shape from the same request.
    built = build_event(
        HttpRequest(
            method,
            event["rawPath"],
            event["rawQueryString"],
            list(headers.items()),
            event.get("body", "").encode("utf-8"),
            context["http"]["sourceIp"],
        ),
        route_key=event["routeKey"],
        path_parameters=match.path_parameters,
        authorization=None if jwt is None else Authorization(jwt["claims"], jwt["scopes"]),
    )
    assert set(built) == set(event)
    assert set(built["requestContext"]) == set(context)
    assert built["requestContext"].get("authorizer") == context.get("authorizer")


# The keys of EventBridge's scheduled event (`sam local generate-event cloudwatch scheduled-event`).
SCHEDULED_EVENT_KEYS = {
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
}
SCHEDULER_PLACEHOLDER = re.compile(r"<aws\.scheduler\.[a-z-]+>")


@pytest.mark.parametrize("sample", SCHEDULED_EVENTS, ids=by_file)
def test_the_scheduled_event_is_shaped_as_its_schedule_sends_it(sample: SampleEvent) -> None:
    event = sample.load()
    assert set(event) <= SCHEDULED_EVENT_KEYS
    assert event["detail-type"] == "Scheduled Event"
    assert datetime.fromisoformat(event["time"]).tzinfo is UTC
    assert all(isinstance(arn, str) and arn.startswith("arn:aws:") for arn in event["resources"])
    if event["source"] == "aws.events":
        # An EventBridge rule (`Schedule`) sends the whole envelope.
        assert set(event) == SCHEDULED_EVENT_KEYS
        assert event["detail"] == {}
        return
    # EventBridge Scheduler (`ScheduleV2`) sends the template's Input with its context
    # attributes filled in: the same keys, the same constants, a value for every placeholder.
    schedules = [
        event_spec["Properties"]
        for event_spec in functions()[sample.function].events.values()
        if event_spec["Type"] == "ScheduleV2"
    ]
    assert len(schedules) == 1
    # `!Sub` gives it the stack's account and region (the local stack's: those of the samples).
    refs = local_references(load_template(), LOCAL_REGION)
    template_input = json.loads(resolve(schedules[0]["Input"], refs))
    assert set(event) == set(template_input)
    for key, value in template_input.items():
        if isinstance(value, str) and SCHEDULER_PLACEHOLDER.fullmatch(value):
            assert not SCHEDULER_PLACEHOLDER.search(json.dumps(event[key])), key
        elif key not in ("resources", "detail"):
            assert event[key] == value, key
    assert set(event["detail"]) == set(template_input["detail"])


# --- replay ---------------------------------------------------------------------------------------


def invoke(sample: SampleEvent, event: dict[str, Any]) -> tuple[int, Any]:
    """What `sam local invoke FUNCTION -e FILE` does: the template's handler, a Lambda context."""
    spec = functions()[sample.function]
    result = load_handler(spec.handler)(event, LocalLambdaContext(spec.logical_id, spec.timeout))
    response = response_from_result(result)
    text = response.body.decode("utf-8")
    return response.status, json.loads(text) if text else None


@pytest.mark.parametrize("sample", API_EVENTS, ids=by_file)
def test_the_event_gets_its_expected_status(
    sample: SampleEvent, seed: SeedOrders, seed_case_states: SeedCases
) -> None:
    seed(sample.orders)
    seed_case_states(sample.cases)
    status, body = invoke(sample, copy.deepcopy(sample.load()))
    assert status == sample.status, body
    if sample.error is not None:
        assert body["error"]["code"] == sample.error
        assert body["error"]["message"]
    else:
        assert isinstance(body, dict) and "error" not in body


@pytest.mark.parametrize("sample", SCHEDULED_EVENTS, ids=by_file)
def test_the_scheduled_run_gets_its_expected_result(
    sample: SampleEvent, seed: SeedOrders, seed_case_states: SeedCases
) -> None:
    seed(sample.orders)
    seed_case_states(sample.cases)
    spec = functions()[sample.function]
    handler = load_handler(spec.handler)

    result = handler(
        copy.deepcopy(sample.load()), LocalLambdaContext(spec.logical_id, spec.timeout)
    )

    assert sample.result is not None
    assert {name: result[name] for name in sample.result} == sample.result
