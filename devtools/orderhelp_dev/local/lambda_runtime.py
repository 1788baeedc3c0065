"""Running the template's functions in-process: find the route, load the handler, give it a
Lambda context — what the Lambda service does, minus the container."""

import importlib
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from orderhelp_dev.local.apigw import route_key_matches
from orderhelp_dev.local.template import (
    Route,
    function_environment,
    functions,
    http_routes,
    load_template,
    resolve,
    resources,
)

Handler = Callable[[dict[str, Any], Any], Any]


class LocalLambdaContext:
    """The parts of `LambdaContext` handlers and Powertools read."""

    def __init__(
        self,
        function_name: str,
        timeout_seconds: float,
        memory_mb: int = 256,
        *,
        request_id: str | None = None,
        region: str = "us-east-1",
        account_id: str = "123456789012",
    ) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory_mb
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{account_id}:function:{function_name}"
        self.aws_request_id = request_id or str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass(frozen=True)
class RouteMatch:
    route: Route
    path_parameters: dict[str, str]

    @property
    def route_key(self) -> str:
        return f"{self.route.method} {self.route.path}"


def most_specific_first(routes: Iterable[Route]) -> list[Route]:
    """API Gateway prefers the route with the most literal segments (`/a/b` over `/a/{x}`), then a
    route for the request's own method over `ANY`."""

    def specificity(route: Route) -> tuple[int, bool]:
        literal = sum(1 for part in route.path.split("/") if part and not part.startswith("{"))
        return literal, route.method != "ANY"

    return sorted(routes, key=specificity, reverse=True)


@cache
def _template_routes() -> list[Route]:
    return most_specific_first(http_routes())


def match_route(
    method: str, raw_path: str, routes: Sequence[Route] | None = None
) -> RouteMatch | None:
    """The route of `routes` (sorted by `most_specific_first`; default: the template's) that
    answers `method raw_path`, with its path parameters."""
    for route in _template_routes() if routes is None else routes:
        if route.method not in (method.upper(), "ANY"):
            continue
        parameters = route_key_matches(route.path, raw_path)
        if parameters is not None:
            return RouteMatch(route, parameters)
    return None


@cache
def load_handler(handler: str) -> Handler:
    """`package.module.function` as the template's `Handler` names it."""
    module_name, _, function_name = handler.rpartition(".")
    function: Handler = getattr(importlib.import_module(module_name), function_name)
    return function


@dataclass(frozen=True)
class FunctionRuntime:
    """What Lambda knows of one of the template's functions, resolved for the local stack."""

    logical_id: str
    handler: str
    environment: dict[str, str]
    code_paths: tuple[Path, ...]
    """`CodeUri` (Lambda's /var/task) first, then each layer's content (Lambda's /opt/python)."""
    timeout: int
    memory_mb: int
    reserved_concurrency: int | None


def function_runtimes(template_path: Path, refs: Mapping[str, Any]) -> dict[str, FunctionRuntime]:
    """Every function of the template at `template_path`, with its environment resolved."""
    template = load_template(template_path)
    layers = resources("AWS::Serverless::LayerVersion", template)
    base = template_path.parent
    runtimes = {}
    for spec in functions(template).values():
        paths = [] if spec.code_uri is None else [base / str(resolve(spec.code_uri, refs))]
        for layer in spec.layers:
            layer_id = layer.get("Ref") if isinstance(layer, dict) else None
            if layer_id in layers:
                paths.append(base / str(layers[layer_id]["Properties"]["ContentUri"]))
        runtimes[spec.logical_id] = FunctionRuntime(
            logical_id=spec.logical_id,
            handler=spec.handler,
            environment=function_environment(spec, refs),
            # The dependencies layer is built from functions/ (its lock): one path is enough.
            code_paths=tuple(dict.fromkeys(path.resolve() for path in paths)),
            timeout=spec.timeout,
            memory_mb=spec.memory_mb,
            reserved_concurrency=spec.reserved_concurrency,
        )
    return runtimes
