"""`orderhelp invoke LOGICAL_ID --event FILE`: one function of the template, one event, like
`sam local invoke -e` — against the DynamoDB of the stack running on `--port`, or a fresh
embedded one. The result goes to stdout; the handler's logs go to stderr.

Several `--event` files run one after the other in the same execution environment (one cold
start, then warm invocations, as Lambda reuses an environment); each result is one line of
stdout, in the order of the files.

With `--embedded`, the orders and cases of `events/seed.json` that the events need (as
`events/manifest.json` says) are put in the fresh DynamoDB first, through the functions' own
handlers, so that each sample event gets the status its manifest entry gives."""

import json
import os
import sys
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from orderhelp_dev.local.apigw import Authorization, HttpRequest, build_event
from orderhelp_dev.local.environments import EnvironmentFailed, ExecutionEnvironment, Invocation
from orderhelp_dev.local.lambda_runtime import FunctionRuntime, function_runtimes, match_route
from orderhelp_dev.local.sample_events import (
    EVENTS_DIR,
    sample_events,
    seed_calls,
    stage_seed_cases,
)
from orderhelp_dev.local.sdk_endpoints import ProcessEnvironment, tooling_dynamodb, use_local_aws
from orderhelp_dev.local.state import DEFAULT_STATE_ROOT, NoStackError, StackState
from orderhelp_dev.local.template import (
    LOCAL_REGION,
    TEMPLATE,
    load_template,
    local_references,
    resources,
)


@dataclass(frozen=True)
class InvokeOptions:
    function: str
    event_files: tuple[Path, ...]
    port: int = 3000
    embedded: bool = False
    template: Path = TEMPLATE
    state_root: Path = DEFAULT_STATE_ROOT


def invoke(options: InvokeOptions) -> int:
    template_path = options.template.resolve()
    template = load_template(template_path)
    runtimes = function_runtimes(template_path, local_references(template, LOCAL_REGION))
    runtime = runtimes.get(options.function)
    if runtime is None:
        known = ", ".join(sorted(runtimes))
        print(
            f"orderhelp invoke: no function {options.function} in the template ({known})",
            file=sys.stderr,
        )
        return 2
    events = []
    for event_file in options.event_files:
        try:
            events.append(json.loads(event_file.read_text("utf-8")))
        except (OSError, ValueError) as unreadable:
            print(f"orderhelp invoke: cannot read the event: {unreadable}", file=sys.stderr)
            return 2
    database = None
    if options.embedded:
        # Only now: the embedded server (moto) is the heaviest import of the local stack.
        from orderhelp_dev.local.dynamodb import EmbeddedDynamoDB  # noqa: PLC0415

        database = EmbeddedDynamoDB()
    sdk = ProcessEnvironment()
    try:
        if database is not None:
            endpoint = database.start()
            tables = {name: name for name in resources("AWS::DynamoDB::Table", template)}
            database.create_tables(template, tables, LOCAL_REGION)
        else:
            try:
                info = StackState.for_port(options.port, options.state_root).read_info()
            except NoStackError as missing:
                print(f"orderhelp invoke: {missing}; or use --embedded", file=sys.stderr)
                return 2
            endpoint = info["dynamodb_endpoint"]
        use_local_aws(sdk, endpoint, LOCAL_REGION)
        if database is not None:
            problem = seed_for(options.event_files, runtimes)
            if problem:
                print(f"orderhelp invoke: seeding failed: {problem}", file=sys.stderr)
                return 1
        failed = False
        for outcome in _run_in_one_environment(runtime, events):
            failed = failed or outcome.failed
            document = outcome.error if outcome.failed else outcome.result
            print(json.dumps(document, ensure_ascii=False), flush=True)
    finally:
        sdk.restore()
        if database is not None:
            database.stop()
    return 1 if failed else 0


def _run_in_one_environment(runtime: FunctionRuntime, events: list[Any]) -> Iterator[Invocation]:
    """A cold start, then each event in turn, as Lambda reuses a warm environment; an
    environment that dies is replaced for the next event."""
    environment: ExecutionEnvironment | None = None
    try:
        for event in events:
            request_id = str(uuid.uuid4())
            if environment is None:
                try:
                    environment = ExecutionEnvironment(runtime, LOCAL_REGION, log_stream=sys.stderr)
                except EnvironmentFailed as failed:
                    yield Invocation(request_id, error=failed.error)
                    continue
            outcome = environment.invoke(event, request_id)
            yield outcome
            if not environment.alive:
                environment.close()
                environment = None
    finally:
        if environment is not None:
            environment.close()


SHOP_CLAIMS = {"sub": "shop-systems-client", "client_id": "shop-systems", "scope": "orders/ops"}


def _needed(event_files: Sequence[Path]) -> tuple[list[str], list[str]]:
    """The seed's orders and cases that the manifest says `event_files` need, in seed order."""
    by_file = {(EVENTS_DIR / sample.file).resolve(): sample for sample in sample_events()}
    orders: dict[str, None] = {}
    cases: dict[str, None] = {}
    for event_file in event_files:
        sample = by_file.get(event_file.resolve())
        if sample is not None:
            orders |= dict.fromkeys(sample.orders)
            cases |= dict.fromkeys(sample.cases)
    return list(orders), list(cases)


def seed_for(event_files: Sequence[Path], runtimes: Mapping[str, FunctionRuntime]) -> str | None:
    """Put what the events need in the store (this process's SDK points at it); a problem, or
    None. Orders go through the shop's and the customers' routes, as the shop would make them;
    cases are staged in their state as the demo's are."""
    order_ids, case_ids = _needed(event_files)
    if not order_ids:
        return None
    now = datetime.now(UTC)
    environments: dict[str, ExecutionEnvironment] = {}
    with open(os.devnull, "w", encoding="utf-8") as quiet:  # the seeding's logs are not news
        try:
            for call in seed_calls(order_ids, now):
                match = match_route(call.method, call.path)
                if match is None:
                    return f"no route for {call.method} {call.path}"
                if call.as_customer:
                    claims: dict[str, Any] = {"sub": call.as_customer, "scope": "openid email"}
                    scopes = ["openid", "email"]
                else:
                    claims, scopes = SHOP_CLAIMS, ["orders/ops"]
                event = build_event(
                    HttpRequest(
                        call.method,
                        call.path,
                        headers=[("content-type", "application/json")],
                        body=json.dumps(call.body).encode(),
                    ),
                    route_key=match.route_key,
                    path_parameters=match.path_parameters,
                    authorization=Authorization(claims, scopes),
                )
                function = match.route.function
                if function not in environments:
                    environments[function] = ExecutionEnvironment(
                        runtimes[function], LOCAL_REGION, log_stream=quiet
                    )
                outcome = environments[function].invoke(event, str(uuid.uuid4()))
                status = (outcome.result or {}).get("statusCode")
                if status not in (200, 201):
                    return f"{call.method} {call.path} answered {status or outcome.error}"
        except EnvironmentFailed as failed:
            return str(failed)
        finally:
            for environment in environments.values():
                environment.close()
    if case_ids:
        _stage_cases(case_ids, now, runtimes)
    return None


def _stage_cases(
    case_ids: Sequence[str], now: datetime, runtimes: Mapping[str, FunctionRuntime]
) -> None:
    # The Lambda code itself, only for `--embedded` with cases: settings as the case functions'.
    from orderhelp.config import CaseSettings, StoreSettings  # noqa: PLC0415
    from orderhelp.wiring import store_on  # noqa: PLC0415

    environment = next(
        runtime.environment
        for runtime in runtimes.values()
        if "CASE_QUEUE_INDEX" in runtime.environment
    )
    settings = StoreSettings.from_environment(environment)
    store = store_on(tooling_dynamodb(), settings)
    stage_seed_cases(store, case_ids, now, CaseSettings.from_environment(environment).case_policy())
