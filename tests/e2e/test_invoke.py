"""`orderhelp invoke LOGICAL_ID --event FILE`, like `sam local invoke -e`: every file in `events/`
against a running stack seeded with the orders and cases it needs, with the status (an API event)
or the run's figures (a scheduled event) its manifest expects."""

import json
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from orderhelp_dev.local.apigw import Authorization, HttpRequest, build_event
from orderhelp_dev.local.lambda_runtime import match_route
from orderhelp_dev.local.sample_events import (
    SampleEvent,
    sample_events,
    seed_calls,
    stage_seed_cases,
)
from tests.e2e.stack import ROOT, LocalStack

EVENTS = ROOT / "events"


def invoke(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "orderhelp_dev.cli", "invoke", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )


STATUS_CHANGES = frozenset(
    {"pay", "ship", "deliver", "cancel", "cancel_order"}
    | {"approve", "reject", "received", "issued", "failed", "retry"}
)
"""The last path segment of the routes whose success moves an order, or one of its returns or
refunds, to another state (a refund issued and the same refund failed need a stack each)."""


def is_scheduled(event: SampleEvent) -> bool:
    return event.status is None


def changes_status(event: SampleEvent) -> bool:
    path = str(event.load().get("rawPath", ""))
    return (event.status or 0) < 400 and path.rsplit("/", 1)[-1] in STATUS_CHANGES


def changes_data(event: SampleEvent) -> bool:
    route = str(event.load().get("routeKey", ""))
    return (event.status or 0) < 400 and route.startswith("POST ")


def waves(events: Sequence[SampleEvent]) -> list[list[SampleEvent]]:
    """Events grouped so that no two events of a group move the same seed order to another
    state: each group replays on a freshly seeded stack, so every event meets its order in the
    state the manifest expects."""
    groups: list[list[SampleEvent]] = [[]]
    moved: list[set[str]] = [set()]
    for event in events:
        if is_scheduled(event):
            continue  # a scheduled run sees every order of its stack: it gets a stack of its own
        if not changes_status(event):
            groups[0].append(event)
            continue
        wave = next(
            (i for i, spent in enumerate(moved) if not spent & set(event.orders)), len(groups)
        )
        if wave == len(groups):
            groups.append([])
            moved.append(set())
        groups[wave].append(event)
        moved[wave] |= set(event.orders)
    return groups


def seed(stack: LocalStack, order_ids: set[str]) -> None:
    tokens = stack.tokens()
    for call in seed_calls(sorted(order_ids), datetime.now(UTC)):
        token = tokens.customer(call.as_customer) if call.as_customer else tokens.ops()
        reply = stack.http.call(call.method, call.path, call.body, token=token)
        assert reply.status in (200, 201), (call, reply.status, reply.body)


def seed_case_states(stack: LocalStack, case_ids: set[str]) -> None:
    """The seed's cases, put in their state straight in the stack's embedded DynamoDB."""
    stage_seed_cases(stack.store(), sorted(case_ids), datetime.now(UTC))


def replay(events: Sequence[SampleEvent], *where: str) -> list[dict[str, Any]]:
    """One `orderhelp invoke` of events of one function (`where`: the stack's port and state
    directory, or `--embedded`): one warm environment runs them in turn, printing one result
    per line."""
    (function,) = {event.function for event in events}
    files = [arg for event in events for arg in ("--event", str(event.path))]
    result = invoke(function, *files, *where)
    assert result.returncode == 0, ([e.file for e in events], result.stdout, result.stderr)
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(outputs) == len(events), result.stdout
    return outputs


def on(stack: LocalStack) -> tuple[str, ...]:
    return ("--port", str(stack.port), "--state-dir", str(stack.state_root))


def in_runs_of_one_function(events: Sequence[SampleEvent]) -> list[list[SampleEvent]]:
    runs: list[list[SampleEvent]] = []
    for event in events:
        if runs and runs[-1][0].function == event.function:
            runs[-1].append(event)
        else:
            runs.append([event])
    return runs


def check(event: SampleEvent, output: dict[str, Any]) -> None:
    if is_scheduled(event):
        assert event.result is not None
        assert {name: output[name] for name in event.result} == event.result, (event.file, output)
        return
    assert output["statusCode"] == event.status, (event.file, output)
    if event.error:
        assert json.loads(output["body"])["error"]["code"] == event.error, (event.file, output)


def run_wave(stack: LocalStack, wave: list[SampleEvent]) -> None:
    seed(stack, {order for event in wave for order in event.orders})
    seed_case_states(stack, {case for event in wave for case in event.cases})
    # Reads and refusals first, side by side (none of them changes anything); then the changes in
    # turn, those that keep the order's state before those that move it, each function's together
    # (one `orderhelp invoke` for them all) in the order the functions first appear, so that a
    # function's events keep their order, and a customer writes on a case before an agent takes it
    unchanging = sorted((e for e in wave if not changes_data(e)), key=lambda e: e.function)
    functions = list(dict.fromkeys(e.function for e in wave if changes_data(e)))
    changing = sorted(
        (e for e in wave if changes_data(e)),
        key=lambda e: (changes_status(e), functions.index(e.function)),
    )
    with ThreadPoolExecutor(2) as pool:
        runs = in_runs_of_one_function(unchanging)
        for run, outputs in zip(runs, pool.map(lambda r: replay(r, *on(stack)), runs), strict=True):
            for event, output in zip(run, outputs, strict=True):
                check(event, output)
    for run in in_runs_of_one_function(changing):
        for event, output in zip(run, replay(run, *on(stack)), strict=True):
            check(event, output)


def test_every_event_file_is_in_the_manifest() -> None:
    listed = {event.file for event in sample_events()}
    on_disk = {str(path.relative_to(EVENTS)) for path in EVENTS.rglob("*.json")}
    assert on_disk - {"manifest.json", "seed.json"} == listed


def test_every_event_replays_with_orderhelp_invoke(stack: LocalStack) -> None:
    # Given the seed orders each event needs, in a stack where no other event moved them
    first, *others = waves(sample_events())
    run_wave(stack, first)
    # The events that would meet an order another event moved, and each scheduled run (which
    # sees every order of its database), each group on a fresh embedded database seeded with
    # what the group needs alone
    alone = [*others, *([event] for event in sample_events() if is_scheduled(event))]
    with ThreadPoolExecutor(2) as pool:
        for wave, outputs in zip(alone, pool.map(replay_embedded, alone), strict=True):
            for event, output in zip(wave, outputs, strict=True):
                check(event, output)


def replay_embedded(wave: Sequence[SampleEvent]) -> list[dict[str, Any]]:
    """A wave of events that all change data, of one function, in `run_wave`'s order."""
    assert all(map(changes_data, wave)) or all(map(is_scheduled, wave)), wave
    return replay(sorted(wave, key=changes_status), "--embedded")


def api_event(method: str, path: str, claims: dict[str, Any], scopes: list[str] | None) -> Any:
    match = match_route(method, path)
    assert match is not None
    return build_event(
        HttpRequest(method, path, headers=[("content-type", "application/json")]),
        route_key=match.route_key,
        path_parameters=match.path_parameters,
        authorization=Authorization(claims, scopes),
    )


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


BY_HAND = ("customer/get-order.json", "ops/pay.json", "customer/get-case.json")
"""The README's examples, and one that needs a case: each run alone with `--embedded`."""


def test_an_event_run_by_hand_with_an_embedded_database_gets_its_manifest_status() -> None:
    samples = {event.file: event for event in sample_events()}

    def run(file: str) -> tuple[SampleEvent, subprocess.CompletedProcess[str]]:
        sample = samples[file]
        return sample, invoke(sample.function, "--event", str(EVENTS / file), "--embedded")

    with ThreadPoolExecutor(2) as pool:
        for sample, result in pool.map(run, BY_HAND):
            assert result.returncode == 0, result.stderr
            assert json.loads(result.stdout)["statusCode"] == sample.status, sample.file
