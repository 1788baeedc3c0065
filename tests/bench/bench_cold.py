"""Cold init and memory of each function, each measurement in a fresh process.

Cold init: importing the handler module and creating its first DynamoDB client, with the
function's environment from the template and tracing on (as `Tracing: Active` deploys it), next
to `import boto3; boto3.client("dynamodb")` timed the same way in a fresh process of the same run.
The two alternate, and the medians are compared. Each process sees only what the deployment
holds (`python -I -S` on `deployment_path()`), so nothing else in .venv is imported or patched.
Memory: the peak RSS of that process (VmHWM; see `child.peak_rss_kb`) after its first call, a help
action or an order's creation, against moto's DynamoDB server on the loopback interface."""

import os
import statistics
import sys
from typing import Any

from orderhelp_dev.local.sample_events import sample_events
from orderhelp_dev.local.template import functions
from tests.bench.report import Figure, print_table, summary
from tests.handlers.client import START, Identity, api_event
from tests.lambda_process import (
    FIRST_CLIENT,
    deployment_path,
    dynamodb_server,
    lambda_environment,
    run_child,
)

# What the handlers need from libraries, without any code of ours: the floor of their cold init.
LIBRARIES_ONLY = """
import boto3
boto3.client("dynamodb")
import pydantic_settings, statemachine
from pydantic import BaseModel
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer, IdempotencyConfig, idempotent_function)
Logger(); Metrics(); Tracer()
APIGatewayHttpResolver(enable_validation=True)
"""
RUNS = int(os.environ.get("BENCH_COLD_RUNS", "7"))
INIT_GOAL = 1.15  # × the bare client's cold init
MEMORY_GOAL_MB = 128.0
CUSTOMER = "cust-cold"


def _first_call(function: str, run: int) -> dict[str, Any]:
    """The cold call of `function` in run `run`: the ops function creates this run's order, the
    customer function then opens a help case on it (both with an Idempotency-Key), the agents'
    function reads the queue that case is in, and a scheduled function runs on its sample event."""
    order_id = f"ORD-COLD-{run}"
    scheduled = [e for e in sample_events() if e.function == function and e.status is None]
    if scheduled:
        return scheduled[0].load()
    if function == "AgentApiFunction":
        spec, event = api_event(
            "GET", "/agent/cases?status=open", identity=Identity.agent("agent-cold")
        )
    elif function == "OpsApiFunction":
        body = {
            "order_id": order_id,
            "customer_id": CUSTOMER,
            "currency": "EUR",
            "items": [{"sku": "LAMP-01", "name": "Lámpara", "quantity": 1, "unit_price": "39.90"}],
            "shipping": "4.95",
            "shipping_address": {
                "name": "Lucía",
                "line1": "Calle Mayor 1",
                "city": "Madrid",
                "postal_code": "28013",
                "country": "ES",
            },
            "placed_at": START.isoformat().replace("+00:00", "Z"),
        }
        spec, event = api_event(
            "POST",
            "/ops/orders",
            body,
            identity=Identity.shop(),
            headers={"Idempotency-Key": f"cold-{run}"},
        )
    elif function == "CustomerApiFunction":
        spec, event = api_event(
            "POST",
            f"/orders/{order_id}/help/payment_issue",
            {"message": "Pagué y no tengo confirmación."},
            identity=Identity.customer(CUSTOMER),
            headers={"Idempotency-Key": f"cold-{run}"},
        )
    else:
        raise SystemExit(f"no cold call for {function}: add one to bench_cold._first_call")
    assert spec.logical_id == function
    return event


def run(runs: int = RUNS) -> list[Figure]:
    # Ops first, then customers, then agents: each cold call uses what the one before made.
    order = ["OpsApiFunction", "CustomerApiFunction", "AgentApiFunction"]
    names = sorted(functions(), key=lambda name: order.index(name) if name in order else len(order))
    init: dict[str, list[float]] = {name: [] for name in [*names, "baseline", "libraries"]}
    rss: dict[str, list[float]] = {name: [] for name in [*names, "baseline"]}
    first_call: dict[str, list[float]] = {name: [] for name in names}
    with dynamodb_server() as endpoint, deployment_path() as deployment:
        path = [str(deployment)]
        for attempt in range(runs):
            env = lambda_environment(names[0], endpoint, task_root=str(deployment))
            report = run_child({"path": path, "baseline": True}, env, isolated=True)
            init["baseline"].append(report["init_seconds"])
            rss["baseline"].append(report["max_rss_kb"] / 1024)
            report = run_child({"path": path, "exec": LIBRARIES_ONLY}, env, isolated=True)
            init["libraries"].append(report["init_seconds"])
            for name in names:
                report = run_child(
                    {
                        "path": path,
                        "handler": functions()[name].handler,
                        "first_client": FIRST_CLIENT,
                        "function_name": name,
                        "events": [_first_call(name, attempt)],
                    },
                    lambda_environment(name, endpoint, task_root=str(deployment)),
                    isolated=True,
                )
                (call,) = report["calls"]
                if call["status"] not in (200, 201, None):
                    raise SystemExit(
                        f"{name}'s cold call answered {call['status']}: {call['body']}"
                    )
                init[name].append(report["init_seconds"])
                rss[name].append(report["max_rss_kb"] / 1024)
                first_call[name].append(call["seconds"])

    baseline = statistics.median(init["baseline"])
    found = [
        Figure(
            'import boto3; boto3.client("dynamodb")',
            "cold init (median)",
            baseline * 1000,
            "ms",
            None,
            f"{runs} fresh processes; peak RSS {max(rss['baseline']):.1f} MB",
        )
    ]
    libraries = statistics.median(init["libraries"])
    found.append(
        Figure(
            "the libraries alone (no code of ours)",
            "cold init (median)",
            libraries * 1000,
            "ms",
            None,
            f"{libraries / baseline:.2f}× the bare client: Powertools (validation on), X-Ray, "
            "pydantic, pydantic-settings, python-statemachine",
        )
    )
    for name in names:
        median = statistics.median(init[name])
        found += [
            Figure(
                name, "cold init (median)", median * 1000, "ms", None, f"{runs} fresh processes"
            ),
            Figure(
                name,
                "cold init / bare client",
                median / baseline,
                "×",
                INIT_GOAL,
                "import of the handler module + first client",
            ),
            Figure(
                name,
                "first call (median)",
                statistics.median(first_call[name]) * 1000,
                "ms",
                None,
                "over loopback HTTP to moto's server",
            ),
            Figure(
                name,
                "peak RSS after a cold call",
                max(rss[name]),
                "MB",
                MEMORY_GOAL_MB,
                "largest of the runs; a 128 MB function",
            ),
        ]
    return found


def main() -> None:
    found = run()
    print_table("Cold start, one fresh process per measurement (tracing on, as deployed)", found)
    print(f"\n{summary(found)}")


if __name__ == "__main__":
    sys.exit(main())
