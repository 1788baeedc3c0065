"""`orderhelp invoke LOGICAL_ID --event FILE`: one function of the template, one event, like
`sam local invoke -e` — against the DynamoDB of the stack running on `--port`, or a fresh
embedded one. The result goes to stdout; the handler's logs go to stderr.

Several `--event` files run one after the other in the same execution environment (one cold
start, then warm invocations, as Lambda reuses an environment); each result is one line of
stdout, in the order of the files."""

import json
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orderhelp_dev.local.environments import EnvironmentFailed, ExecutionEnvironment, Invocation
from orderhelp_dev.local.lambda_runtime import FunctionRuntime, function_runtimes
from orderhelp_dev.local.sdk_endpoints import use_local_aws
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
        use_local_aws(endpoint, LOCAL_REGION)
        failed = False
        for outcome in _run_in_one_environment(runtime, events):
            failed = failed or outcome.failed
            document = outcome.error if outcome.failed else outcome.result
            print(json.dumps(document, ensure_ascii=False), flush=True)
    finally:
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
