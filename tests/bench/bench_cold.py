"""Cold init and memory of each function, from the artefacts `make build` made, each
measurement in a fresh process.

Cold init: importing the handler module and creating its first DynamoDB client, with the
function's environment from the template and tracing on (as `Tracing: Active` deploys it), next
to `import boto3; boto3.client("dynamodb")` timed the same way from the same artefact in a fresh
process of the same run, and next to the same handler from a copy of its artefact without any
bytecode (what Lambda compiles on every cold start when none is shipped). They alternate, and
the medians are compared. Each process sees only the artefact, laid out as Lambda lays it out
(`python -I -S -B` on /var/task and /opt/python; see `tests.lambda_process.artefacts`), so
nothing else in .venv is imported or patched, and nothing is written into the artefact.
Memory: the peak RSS of that process (VmHWM; see `child.peak_rss_kb`) after its first call, a help
action or an order's creation, against moto's DynamoDB server on the loopback interface."""

import os
import statistics
import sys
from contextlib import ExitStack
from typing import Any

from orderhelp_dev.local.sample_events import sample_events
from orderhelp_dev.local.template import functions
from tests.bench.report import Figure, print_table, summary
from tests.handlers.attachment_calls import s3_event
from tests.handlers.client import START, Identity, api_event
from tests.lambda_process import (
    FIRST_CLIENT,
    dynamodb_server,
    lambda_environment,
    run_child,
)
from tests.lambda_process.artefacts import BUILD_DIR, built_artefacts, lambda_paths
from tests.support.events import bus_event, outbox_batch, paid_event

# What the handlers need from libraries, without any code of ours: the floor of their cold init.
LIBRARIES_ONLY = """
import gc
gc.disable()
import boto3
boto3.client("dynamodb")
import statemachine
from pydantic import BaseModel
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer, IdempotencyConfig, idempotent_function)
Logger(); Metrics(); Tracer(patch_modules=("botocore",))
APIGatewayHttpResolver(enable_validation=True)
"""
RUNS = int(os.environ.get("BENCH_COLD_RUNS", "7"))
INIT_GOAL = 1.6  # × the bare client's cold init
MEMORY_GOAL_MB = 128.0
CUSTOMER = "cust-cold"


def _first_call(function: str, run: int, variant: str = "built") -> dict[str, Any]:
    """The cold call of `function` in run `run` of `variant`: the ops function creates this run's
    order, the customer function then opens a help case on it (both with an Idempotency-Key), the
    agents' function reads the queue that case is in, and a scheduled function runs on its sample
    event."""
    order_id = f"ORD-COLD-{variant}-{run}"
    scheduled = [e for e in sample_events() if e.function == function and e.status is None]
    if scheduled:
        return scheduled[0].load()
    if function == "AttachmentProcessingFunction":
        # S3's event for an object no upload grant names: the handler's imports (Pillow,
        # pillow-heif, pypdf) and its store, without a bucket to read.
        return s3_event(f"uploads/cold/{variant}-{run}", 1)
    if function == "AttachmentsApiFunction":
        # An upload asked for: the attachment recorded pending, the presigned POST signed.
        spec, event = api_event(
            "POST",
            "/attachments",
            {"filename": "caja.jpg", "content_type": "image/jpeg", "size": 250_000},
            identity=Identity.customer(CUSTOMER),
            headers={"Idempotency-Key": f"cold-{variant}-{run}"},
        )
    elif function == "AgentApiFunction":
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
            headers={"Idempotency-Key": f"cold-{variant}-{run}"},
        )
    elif function == "CustomerApiFunction":
        spec, event = api_event(
            "POST",
            f"/orders/{order_id}/help/payment_issue",
            {"message": "Pagué y no tengo confirmación."},
            identity=Identity.customer(CUSTOMER),
            headers={"Idempotency-Key": f"cold-{variant}-{run}"},
        )
    elif function == "StatsFunction":
        # A rating from the bus: counted into the day's figures (one claim, one day item).
        return bus_event(
            "CaseRated",
            {
                "event_id": f"cold-{variant}-{run}",
                "order_id": order_id,
                "case_id": f"CS-COLD-{variant}-{run}",
                "version": 3,
                "occurred_at": START.isoformat().replace("+00:00", "Z"),
                "rating": "good",
            },
        )
    elif function == "PublisherFunction":
        return outbox_batch(order_id)
    elif function == "NotifyFunction":
        return paid_event(order_id)
    else:
        raise SystemExit(f"no cold call for {function}: add one to bench_cold._first_call")
    assert spec.logical_id == function
    return event


def _serve_the_bus_and_mail(endpoint: str) -> None:
    """The bus the publisher puts events on and the sender the notifier mails from, on moto's
    server beside the tables, as the template names them."""
    import boto3  # (the parent alone needs it)

    publisher = lambda_environment("PublisherFunction", endpoint)
    notify = lambda_environment("NotifyFunction", endpoint)
    options = {
        "endpoint_url": endpoint,
        "region_name": publisher["AWS_REGION"],
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    boto3.client("events", **options).create_event_bus(Name=publisher["EVENT_BUS_NAME"])
    boto3.client("sesv2", **options).create_email_identity(
        EmailIdentity=notify["NOTIFICATION_SENDER"]
    )


TITLE = (
    "Cold start from the built artefacts, one fresh process per measurement (tracing on, as "
    "deployed; ratios of CPU time)"
)
VARIANTS = ("built", "source")  # as built; a copy without any bytecode


def run(runs: int = RUNS) -> list[Figure]:
    if not (BUILD_DIR / "template.yaml").exists():
        raise SystemExit(f"no artefacts in {BUILD_DIR}: run `make build` first")
    # Ops first, then customers, then agents: each cold call uses what the one before made.
    order = ["OpsApiFunction", "CustomerApiFunction", "AgentApiFunction"]
    names = sorted(functions(), key=lambda name: order.index(name) if name in order else len(order))
    by_function = {artefact.function: artefact for artefact in built_artefacts()}
    # CPU time of the init (the goal's measure: it is what the cold start itself spends, however
    # busy the machine is) and its wall time.
    init: dict[tuple[str, str], list[float]] = {}
    wall: dict[tuple[str, str], list[float]] = {}
    rss: dict[str, list[float]] = {}
    first_call: dict[str, list[float]] = {}
    first_call_cpu: dict[str, list[float]] = {}
    with dynamodb_server() as endpoint, ExitStack() as stack:
        paths = {
            (name, variant): stack.enter_context(
                lambda_paths(by_function[name], bytecode=variant == "built")
            )[0]
            for name in names
            for variant in VARIANTS
        }

        _serve_the_bus_and_mail(endpoint)

        def child(name: str, variant: str, spec: dict[str, Any]) -> dict[str, Any]:
            path = paths[name, variant]
            # Every service on the one moto server: the publisher's bus and the notifier's mail too.
            env = lambda_environment(name, endpoint, task_root=path[0]) | {
                "AWS_ENDPOINT_URL": endpoint
            }
            report = run_child({"path": path, **spec}, env, isolated=True)
            key = (spec.get("handler", name), variant)
            init.setdefault(key, []).append(report["init_cpu_seconds"])
            wall.setdefault(key, []).append(report["init_seconds"])
            return report

        for attempt in range(runs):
            for variant in VARIANTS:
                report = child(names[0], variant, {"baseline": True, "handler": "baseline"})
                rss.setdefault("baseline", []).append(report["max_rss_kb"] / 1024)
            child(names[0], "built", {"exec": LIBRARIES_ONLY, "handler": "libraries"})
            for name in names:
                for variant in VARIANTS:
                    report = child(
                        name,
                        variant,
                        {
                            "handler": functions()[name].handler,
                            "first_client": FIRST_CLIENT,
                            "function_name": name,
                            "events": [_first_call(name, attempt, variant)],
                        },
                    )
                    (call,) = report["calls"]
                    if call["status"] not in (200, 201, None):
                        raise SystemExit(
                            f"{name}'s cold call ({variant}) answered {call['status']}: "
                            f"{call['body']}"
                        )
                    if variant == "built":
                        rss.setdefault(name, []).append(report["max_rss_kb"] / 1024)
                        first_call.setdefault(name, []).append(call["seconds"])
                        first_call_cpu.setdefault(name, []).append(call["cpu_seconds"])

    def median(handler: str, variant: str = "built") -> float:
        return statistics.median(init[handler, variant])

    def median_wall(handler: str) -> float:
        return statistics.median(wall[handler, "built"])

    baseline = median("baseline")
    found = [
        Figure(
            'import boto3; boto3.client("dynamodb")',
            "cold init CPU (median)",
            baseline * 1000,
            "ms",
            None,
            f"{runs} fresh processes from the built layer; wall "
            f"{median_wall('baseline') * 1000:.0f} ms; peak RSS {max(rss['baseline']):.1f} MB",
        ),
        Figure(
            'import boto3; boto3.client("dynamodb")',
            "cold init without bytecode",
            median("baseline", "source") * 1000,
            "ms",
            None,
            f"{median('baseline', 'source') / baseline:.2f}× with it",
        ),
    ]
    libraries = median("libraries")
    found.append(
        Figure(
            "the libraries alone (no code of ours)",
            "cold init CPU (median)",
            libraries * 1000,
            "ms",
            None,
            f"{libraries / baseline:.2f}× the bare client (collector paused, as the handlers'): "
            "Powertools (validation on), X-Ray, pydantic, python-statemachine",
        )
    )
    for name in names:
        handler = functions()[name].handler
        built, source_only = median(handler), median(handler, "source")
        found += [
            Figure(
                name,
                "cold init CPU (median)",
                built * 1000,
                "ms",
                None,
                f"{runs} fresh processes from its artefact",
            ),
            Figure(
                name,
                "cold init / bare client",
                built / baseline,
                "×",
                INIT_GOAL,
                "CPU; import of the handler module + first client; wall "
                f"{median_wall(handler) * 1000:.0f} ms, "
                f"{median_wall(handler) / median_wall('baseline'):.2f}×",
            ),
            Figure(
                name,
                "cold init without bytecode",
                source_only * 1000,
                "ms",
                None,
                f"{source_only / built:.2f}× with it, {source_only / baseline:.2f}× bare client",
            ),
            Figure(
                name,
                "first call CPU (median)",
                statistics.median(first_call_cpu[name]) * 1000,
                "ms",
                None,
                "the handler's own CPU in its first call (what is imported or built on first "
                f"use is here); wall {statistics.median(first_call[name]) * 1000:.0f} ms over "
                "loopback HTTP to moto's server",
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
    print_table(TITLE, found)
    print(f"\n{summary(found)}")


if __name__ == "__main__":
    sys.exit(main())
