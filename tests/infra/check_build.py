"""After `sam build`: do the built artefacts hold what Lambda runs, all of it precompiled, and
nothing else? Run as `python -m tests.infra.check_build .aws-sam/build` (`make build` does).

1. Each function's code is the Lambda code alone (`orderhelp`); its layers hold exactly the
   distributions of the lock (functions/requirements.txt) and the rules with their data files;
   no developer tooling (orderhelp_dev, moto, PyYAML, …) anywhere.
2. Every module has CPython 3.11 bytecode in `unchecked-hash` mode, compiled from the very source
   beside it (Lambda's /var/task and /opt are read-only: a module without it is compiled again on
   every cold start).
3. Each function then serves its routes from the artefacts alone: a fresh `python -I -S -B` (no
   site-packages, no bytecode written) whose only third-party paths are /var/task and /opt/python
   as Lambda lays them out, against moto's DynamoDB. The build is for arm64; compiled extensions
   (pydantic-core, wrapt) cannot load here, so only those packages are taken from this machine's
   environment, at the version the artefact holds. Afterwards the artefact must be unchanged."""

import json
import sys
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from orderhelp_dev.local.sample_events import EVENTS_DIR
from tests.handlers.client import START, Identity, api_event
from tests.infra.packaging import read_lock
from tests.lambda_process import (
    FIRST_CLIENT,
    ChildFailed,
    dynamodb_server,
    lambda_environment,
    run_child,
)
from tests.lambda_process.artefacts import (
    Artefact,
    built_artefacts,
    lambda_paths,
    missing_bytecode,
    snapshot,
)

LAMBDA_CODE = {"orderhelp"}
RULES_DATA = ("lifecycle/locales/es.json", "lifecycle/locales/en.json", "lifecycle/data")
DEV_ONLY = {"orderhelp_dev", "tests", "devtools", "moto", "yaml", "jwt", "mypy_boto3_dynamodb"}


def _dist_versions(directory: Path) -> dict[str, str]:
    found = {}
    for info in directory.glob("*.dist-info"):
        name, _, version = info.name.removesuffix(".dist-info").rpartition("-")
        found[canonicalize_name(name)] = version
    return found


def check_contents(artefact: Artefact) -> list[str]:
    problems = []
    code = {entry.name for entry in artefact.code.iterdir()}
    if code != LAMBDA_CODE:
        problems.append(f"the code holds {sorted(code)}, not only {sorted(LAMBDA_CODE)}")
    module = artefact.handler.rpartition(".")[0].replace(".", "/") + ".py"
    if not (artefact.code / module).is_file():
        problems.append(f"missing handler module {module}")
    deployed: dict[str, str] = {}
    for layer in artefact.layers:
        deployed |= _dist_versions(layer)
    lock = read_lock()
    for name in sorted(set(lock) | set(deployed)):
        if lock.get(name) != deployed.get(name):
            problems.append(
                f"{name}: {deployed.get(name, 'absent')} in the layers, "
                f"{lock.get(name, 'absent')} in the lock"
            )
    for data in RULES_DATA:
        if not any((layer / data).exists() for layer in artefact.layers):
            problems.append(f"the layers lack {data}")
    for directory in [artefact.code, *artefact.layers]:
        dev = sorted(entry.name for entry in directory.iterdir() if entry.name in DEV_ONLY)
        problems += [f"developer tooling in {directory.name}: {name}" for name in dev]
    return problems


def check_bytecode(found: list[Artefact]) -> list[str]:
    problems = []
    for directory in sorted({d for a in found for d in (a.code, *a.layers)}):
        missing = missing_bytecode(directory)
        modules = sum(1 for _ in directory.rglob("*.py"))
        print(f"  {directory}: {modules - len(missing)} of {modules} modules precompiled")
        problems += [f"{directory.name}/{problem}" for problem in missing[:20]]
        if len(missing) > 20:
            problems.append(f"{directory}: and {len(missing) - 20} more modules without bytecode")
    return problems


def _iso(moment: Any) -> str:
    return moment.isoformat().replace("+00:00", "Z")


ORDER = "ORD-BUILD-1"
CUSTOMER = "cust-build"
SHOP, LUCIA, OTHER = Identity.shop(), Identity.customer(CUSTOMER), Identity.customer("cust-other")

SCHEDULED = "RUN"
"""A scheduled function's call: its sample event from events/, answered with figures (no status)."""
BUS = "BUS"
"""An event from the bus (issue 11's shape), given inline."""

RATED = {
    "version": "0",
    "id": "build-rated-1",
    "detail-type": "CaseRated",
    "source": "order-help",
    "time": "2026-05-04T09:00:00Z",
    "detail": {
        "event_id": "build-rated-1",  # stable on every delivery: what the figures claim
        "order_id": ORDER,
        "case_id": "CS-BUILD-1",
        "version": 3,
        "occurred_at": "2026-05-04T09:00:00Z",
        "rating": "good",
    },
}

# Each function's calls, in order, with the status each must answer.
CALLS: dict[str, list[tuple[int | None, tuple[Any, ...], dict[str, Any]]]] = {
    "OpsApiFunction": [
        (
            201,
            ("POST", "/ops/orders"),
            {
                "body": {
                    "order_id": ORDER,
                    "customer_id": CUSTOMER,
                    "currency": "EUR",
                    "items": [{"sku": "A", "name": "Á", "quantity": 2, "unit_price": "9.95"}],
                    "shipping": "4.95",
                    "shipping_address": {
                        "name": "Lucía",
                        "line1": "Calle 1",
                        "city": "Madrid",
                        "postal_code": "28014",
                        "country": "ES",
                    },
                    "placed_at": _iso(START),
                },
                "identity": SHOP,
                "headers": {"Idempotency-Key": "build-create-1"},
            },
        ),
        (
            200,
            ("POST", f"/ops/orders/{ORDER}/pay"),
            {
                "body": {"payment_ref": "P-1", "estimated_ship_by": "2099-01-01T00:00:00Z"},
                "identity": SHOP,
            },
        ),
        (200, ("GET", f"/ops/orders/{ORDER}"), {"identity": SHOP}),
        (403, ("GET", f"/ops/orders/{ORDER}"), {"identity": LUCIA}),
        (422, ("POST", f"/ops/orders/{ORDER}/ship"), {"body": {"carrier": 1}, "identity": SHOP}),
    ],
    "CustomerApiFunction": [
        (200, ("GET", "/orders?limit=5"), {"identity": LUCIA}),
        (
            200,
            ("GET", f"/orders/{ORDER}"),
            {"identity": LUCIA, "headers": {"Accept-Language": "es"}},
        ),
        (404, ("GET", f"/orders/{ORDER}"), {"identity": OTHER}),
        (401, ("GET", "/orders"), {"identity": None}),
        (
            201,
            ("POST", f"/orders/{ORDER}/help/payment_issue"),
            {
                "body": {"message": "¿Dónde está mi confirmación? 🙂"},
                "identity": LUCIA,
                "headers": {"Idempotency-Key": "build-help-1"},
            },
        ),
        (
            201,  # a retry answers the first response again
            ("POST", f"/orders/{ORDER}/help/payment_issue"),
            {
                "body": {"message": "¿Dónde está mi confirmación? 🙂"},
                "identity": LUCIA,
                "headers": {"Idempotency-Key": "build-help-1"},
            },
        ),
        (404, ("POST", f"/orders/{ORDER}/help/teleport"), {"body": {}, "identity": LUCIA}),
    ],
    "AgentApiFunction": [
        (200, ("GET", "/agent/cases?status=open"), {"identity": Identity.agent("agent-build")}),
        (403, ("GET", "/agent/cases?status=open"), {"identity": LUCIA}),
    ],
    "HousekeepingFunction": [(None, (SCHEDULED, "schedule/housekeeping.json"), {})],
    "StatsFunction": [(None, (BUS, "CaseRated"), {"event": RATED})],
    "DelayCheckFunction": [
        (None, (SCHEDULED, "schedule/delay-check.json"), {}),
        (None, (SCHEDULED, "schedule/delay-check.classic.json"), {}),
    ],
}


def serve_from_artefacts(found: list[Artefact]) -> list[str]:
    problems = []
    by_function = {artefact.function: artefact for artefact in found}
    with dynamodb_server() as endpoint:
        for function, calls in CALLS.items():
            artefact = by_function[function]
            events = []
            for _, (method, path), options in calls:
                if method == SCHEDULED:
                    events.append(json.loads((EVENTS_DIR / path).read_text("utf-8")))
                    continue
                if method == BUS:
                    events.append(options["event"])
                    continue
                spec, event = api_event(method, path, **options)
                assert spec.logical_id == function, f"{method} {path} is not {function}'s"
                events.append(event)
            before = snapshot(artefact)
            with lambda_paths(artefact) as (path, notes):
                env = lambda_environment(function, endpoint, task_root=path[0])
                try:
                    report = run_child(
                        {
                            "path": path,
                            "handler": artefact.handler,
                            "first_client": FIRST_CLIENT,
                            "function_name": function,
                            "events": events,
                        },
                        env,
                        isolated=True,
                    )
                except ChildFailed as failure:
                    problems.append(f"{function} failed from its artefact alone:\n{failure}")
                    continue
            statuses = [call["status"] for call in report["calls"]]
            expected = [status for status, _, _ in calls]
            print(f"  {function}: served {len(statuses)} calls from the artefact alone")
            for (want, (method, path), _), got in zip(calls, statuses, strict=True):
                mark = "ok" if want == got else f"EXPECTED {want}"
                print(f"    {method:4} {path:45} {'ran' if got is None else got} {mark}")
            for note in notes:
                print(f"    note: {note}")
            outside = [m for m in report["modules"] if m.startswith("!outside:")]
            loaded = [m for m in report["modules"] if not m.startswith("!")]
            print(f"    imported from the artefact: {', '.join(loaded)}")
            if statuses != expected:
                bodies = [call["body"] for call in report["calls"]]
                problems.append(
                    f"{function}: statuses {statuses}, expected {expected}; answers {bodies}"
                )
            if outside:
                problems.append(f"{function} imported from outside the artefact: {outside}")
            if snapshot(artefact) != before:
                problems.append(f"{function}: running it changed its artefact")
    return problems


def _size(directory: Path) -> int:
    return sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())


def main(build_dir: Path) -> int:
    found = built_artefacts(build_dir)
    problems = []
    print(f"Checking the artefacts in {build_dir}:")
    for artefact in found:
        layer_mb = sum(_size(layer) for layer in artefact.layers) / 1e6
        print(
            f"  {artefact.function}: code {_size(artefact.code) / 1e6:.1f} MB + layers "
            f"{layer_mb:.1f} MB unzipped (Lambda's limit: 250 MB)"
        )
        problems += [f"{artefact.function}: {p}" for p in check_contents(artefact)]
    problems += check_bytecode(found)
    if not problems:
        problems += serve_from_artefacts(found)
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    print("artefacts: OK" if not problems else f"artefacts: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".aws-sam/build")))
