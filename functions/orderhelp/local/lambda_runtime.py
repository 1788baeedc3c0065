"""Running the template's functions in-process: find the route, load the handler, give it a
Lambda context — what the Lambda service does, minus the container."""

import importlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from orderhelp.local.apigw import route_key_matches
from orderhelp.local.template import Route, http_routes

Handler = Callable[[dict[str, Any], Any], Any]


class LocalLambdaContext:
    """The parts of `LambdaContext` handlers and Powertools read."""

    def __init__(self, function_name: str, timeout_seconds: int, memory_mb: int = 256) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory_mb
        self.invoked_function_arn = (
            f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        )
        self.aws_request_id = str(uuid.uuid4())
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


@cache
def _routes_most_specific_first() -> list[Route]:
    # API Gateway prefers the route with the most literal segments, as for `/a/b` over `/a/{x}`.
    def literal_segments(route: Route) -> int:
        return sum(1 for part in route.path.split("/") if part and not part.startswith("{"))

    return sorted(http_routes(), key=literal_segments, reverse=True)


def match_route(method: str, raw_path: str) -> RouteMatch | None:
    for route in _routes_most_specific_first():
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
