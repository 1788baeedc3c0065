"""`orderhelp invoke LOGICAL_ID --event FILE`: one function of the template, one event, like
`sam local invoke -e` — against the DynamoDB of the stack running on `--port`, or a fresh
embedded one. The result goes to stdout; the handler's logs go to stderr."""

import json
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orderhelp.local.dynamodb import EmbeddedDynamoDB, use_local_aws
from orderhelp.local.environments import EnvironmentFailed, ExecutionEnvironment, Invocation
from orderhelp.local.lambda_runtime import FunctionRuntime, function_runtimes
from orderhelp.local.state import DEFAULT_STATE_ROOT, NoStackError, StackState
from orderhelp.local.template import (
    LOCAL_REGION,
    TEMPLATE,
    load_template,
    local_references,
    resources,
)


@dataclass(frozen=True)
class InvokeOptions:
    function: str
    event_file: Path
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
    try:
        event = json.loads(options.event_file.read_text("utf-8"))
    except (OSError, ValueError) as unreadable:
        print(f"orderhelp invoke: cannot read the event: {unreadable}", file=sys.stderr)
        return 2
    database = EmbeddedDynamoDB() if options.embedded else None
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
        outcome = _run_once(runtime, event)
    finally:
        if database is not None:
            database.stop()
    if outcome.failed:
        print(json.dumps(outcome.error, ensure_ascii=False))
        return 1
    print(json.dumps(outcome.result, ensure_ascii=False))
    return 0


def _run_once(runtime: FunctionRuntime, event: Any) -> Invocation:
    """One cold start, one invocation, as `sam local invoke` runs one container."""
    request_id = str(uuid.uuid4())
    try:
        environment = ExecutionEnvironment(runtime, LOCAL_REGION, log_stream=sys.stderr)
    except EnvironmentFailed as failed:
        return Invocation(request_id, error=failed.error)
    try:
        return environment.invoke(event, request_id)
    finally:
        environment.close()
