"""`orderhelp invoke LOGICAL_ID --event FILE`, like `sam local invoke -e`: over every file in
`events/` (or, while `events/` holds none, over events built here), against the running stack."""

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from orderhelp.local.apigw import Authorization, HttpRequest, build_event
from orderhelp.local.lambda_runtime import match_route
from orderhelp.local.template import functions
from tests.e2e.stack import ROOT, LocalStack

EVENTS = ROOT / "events"
SCHEDULE_TYPES = ("Schedule", "ScheduleV2")


def invoke(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "orderhelp.cli", "invoke", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )


def function_of(path: Path, root: Path, event: Any) -> str:
    """The function an event file is for: named by its folder or file name, else found from the
    event itself (an API event's route, or a scheduled event)."""
    known = functions()
    for name in [*path.relative_to(root).parent.parts, path.stem.split("-")[0], path.stem]:
        if name in known:
            return name
    if isinstance(event, dict) and " " in str(event.get("routeKey", "")):
        method, _, route = event["routeKey"].partition(" ")
        match = match_route(method, event.get("rawPath") or route)
        if match is not None:
            return match.route.function
    if isinstance(event, dict) and event.get("detail-type") == "Scheduled Event":
        scheduled = [
            spec.logical_id
            for spec in known.values()
            if any(e.get("Type") in SCHEDULE_TYPES for e in spec.events.values())
        ]
        if len(scheduled) == 1:
            return scheduled[0]
    raise AssertionError(f"cannot tell which function {path} is for")


def api_event(method: str, path: str, claims: dict[str, Any], scopes: list[str] | None) -> Any:
    match = match_route(method, path)
    assert match is not None
    return build_event(
        HttpRequest(method, path, headers=[("content-type", "application/json")]),
        route_key=match.route_key,
        path_parameters=match.path_parameters,
        authorization=Authorization(claims, scopes),
    )


def built_events(folder: Path) -> list[Path]:
    """Used while `events/` holds no event: one per function, as API Gateway would send them."""
    lucia = {"sub": "cust-lucia", "client_id": "WebClient", "token_use": "access"}
    shop = {"sub": "ShopSystemsClient", "client_id": "ShopSystemsClient", "scope": "orders/ops"}
    events = {
        "CustomerApiFunction-list-orders.json": api_event("GET", "/orders", lucia, None),
        "CustomerApiFunction-order-details.json": api_event("GET", "/orders/ORD-1003", lucia, None),
        "OpsApiFunction-read-order.json": api_event(
            "GET", "/ops/orders/ORD-1003", shop, ["orders/ops"]
        ),
    }
    folder.mkdir()
    for name, event in events.items():
        (folder / name).write_text(json.dumps(event))
    return sorted(folder.iterdir())


def event_files(tmp_path: Path) -> tuple[Path, list[Path]]:
    found = sorted(EVENTS.rglob("*.json")) if EVENTS.is_dir() else []
    if found:
        return EVENTS, found
    return tmp_path / "events", built_events(tmp_path / "events")


def test_every_event_replays_against_the_running_stack(stack: LocalStack, tmp_path: Path) -> None:
    root, files = event_files(tmp_path)
    jobs = [(path, function_of(path, root, json.loads(path.read_text("utf-8")))) for path in files]

    def run(job: tuple[Path, str]) -> tuple[Path, subprocess.CompletedProcess[str]]:
        path, function = job
        port = ["--port", str(stack.port), "--state-dir", str(stack.state_root)]
        return path, invoke(function, "--event", str(path), *port)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run, jobs))
    for path, result in results:
        assert result.returncode == 0, (path, result.stdout, result.stderr)
        output = json.loads(result.stdout)  # the result JSON alone on stdout
        if isinstance(output, dict) and "statusCode" in output:
            assert output["statusCode"] < 500, (path, output)
    if root != EVENTS:  # the built events read the demo data of the running stack
        details = dict(results)[root / "CustomerApiFunction-order-details.json"]
        reply = json.loads(details.stdout)
        assert reply["statusCode"] == 200
        assert json.loads(reply["body"])["order_id"] == "ORD-1003"


def test_invoke_with_an_embedded_database_and_a_failing_handler(tmp_path: Path) -> None:
    lucia = {"sub": "cust-lucia", "client_id": "WebClient"}
    listing = tmp_path / "list.json"
    listing.write_text(json.dumps(api_event("GET", "/orders", lucia, None)))
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps("not an event"))

    with ThreadPoolExecutor(2) as pool:
        fresh, failed = pool.map(
            lambda path: invoke("CustomerApiFunction", "--event", str(path), "--embedded"),
            [listing, broken],
        )
    assert fresh.returncode == 0, fresh.stderr
    reply = json.loads(fresh.stdout)
    assert reply["statusCode"] == 200
    assert json.loads(reply["body"]) == {"orders": [], "next_cursor": None}

    # A handler that raises: Lambda's error document on stdout and a failing exit status
    assert failed.returncode == 1
    error = json.loads(failed.stdout)
    assert error["errorType"] == "AttributeError"
    assert error["stackTrace"]


def test_invoke_says_what_is_wrong(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text("{}")
    unknown = invoke("NoSuchFunction", "--event", str(event), "--embedded")
    assert unknown.returncode == 2
    assert "CustomerApiFunction" in unknown.stderr
    no_stack = invoke(
        "CustomerApiFunction", "--event", str(event), "--state-dir", str(tmp_path / "none")
    )
    assert no_stack.returncode == 2
    assert "--embedded" in no_stack.stderr
