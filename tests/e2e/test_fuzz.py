"""The fuzz: schemathesis generates requests from docs/openapi.json, valid and invalid, for every
operation, and sends them to a local stack over HTTP with a customer's, an agent's or the shop's
token (mostly the one the operation is for, sometimes another, sometimes none). Every answer must
be no 5xx, a status, content type, headers and body the document declares for it.

Over HTTP rather than in-process: API Gateway's own answers (the JWT authorizer's 401 and 403,
the emulator's framing) are part of what the document promises, and only the local stack gives
them. Bounded and repeatable: a fixed number of cases per operation, derandomized, no example
database; the stack is this module's own, seeded with orders and a case the customer owns so
that part of the cases reach real resources instead of 404s."""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from orderhelp_dev.local.identities import TokenIssuer
from tests.e2e.stack import ROOT, LocalStack, running_stack

DOCUMENT = ROOT / "docs" / "openapi.json"
DEFAULT_CASES_PER_OPERATION = 8
CASES_PER_OPERATION = int(os.environ.get("FUZZ_CASES", DEFAULT_CASES_PER_OPERATION))
"""About 375 cases in all over the document's 47 operations: enough to find a 5xx or a schema the
answers do not keep, bounded for `make test`. `FUZZ_CASES=200` fuzzes deeper by hand."""

CUSTOMER = "cust-fuzz"
AGENT = "agent-fuzz"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_path(DOCUMENT)


@dataclass(frozen=True)
class World:
    base_url: str
    tokens: dict[str, str]
    path_ids: dict[str, list[str]]
    """Ids of resources that exist, by path parameter: the customer's orders, and their case."""


def _seed(stack: LocalStack, tokens: TokenIssuer) -> dict[str, list[str]]:
    """Orders of the fuzzing customer in three states, and a case on one of them."""
    http, ops = stack.http, tokens.ops()
    now = datetime.now(UTC)

    def at(hours: float) -> str:
        return (now + timedelta(hours=hours)).isoformat().replace("+00:00", "Z")

    orders = []
    for index, steps in enumerate((("pay",), ("pay", "ship"), ())):
        order_id = f"ORD-FUZZ-{index}"
        created = http.call(
            "POST",
            "/ops/orders",
            {
                "order_id": order_id,
                "customer_id": CUSTOMER,
                "currency": "EUR",
                "items": [
                    {"sku": "LAMP-01", "name": "Lámpara", "quantity": 2, "unit_price": "9.90"}
                ],
                "shipping": "3.90",
                "shipping_address": {
                    "name": "Fuzz",
                    "line1": "Gran Vía 1",
                    "city": "Madrid",
                    "postal_code": "28013",
                    "country": "ES",
                },
                "placed_at": at(-2),
            },
            token=ops,
        )
        assert created.status == 201, created.body
        bodies = {
            "pay": {"payment_ref": "P-1", "paid_at": at(-1), "estimated_ship_by": at(48)},
            "ship": {"carrier": "SEUR", "tracking_number": "T-1", "estimated_delivery_by": at(96)},
        }
        for step in steps:
            moved = http.call("POST", f"/ops/orders/{order_id}/{step}", bodies[step], token=ops)
            assert moved.status == 200, moved.body
        orders.append(order_id)
    opened = http.call(
        "POST",
        f"/orders/{orders[0]}/help/payment_issue",
        {"message": "¿Se ha cobrado dos veces?"},
        token=tokens.customer(CUSTOMER),
    )
    assert opened.status == 201, opened.body
    return {"order_id": orders, "case_id": [opened.body["case"]["case_id"]]}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with running_stack(tmp_path_factory.mktemp("fuzz"), "--no-demo", "--no-web") as stack:
        tokens = stack.tokens()
        yield World(
            base_url=f"http://127.0.0.1:{stack.port}",
            tokens={
                "customer": tokens.customer(CUSTOMER),
                "agent": tokens.agent(AGENT),
                "ops": tokens.ops(),
            },
            path_ids=_seed(stack, tokens),
        )


def _callers_for(path: str) -> list[str | None]:
    """Who calls: the operation's own kind of caller first (most cases), then the others."""
    own = (
        "ops" if path.startswith("/ops/") else "agent" if path.startswith("/agent/") else "customer"
    )
    return [own] * 5 + [k for k in ("customer", "agent", "ops") if k != own] + [None]


def _operations() -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


OPERATIONS = _operations()


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_the_document_holds_for_generated_requests(world: World, operation: Any) -> None:
    parameters = [name for name in ("order_id", "case_id") if "{" + name + "}" in operation.path]
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    if parameters:
        existing = st.fixed_dictionaries(
            {name: st.sampled_from(world.path_ids[name]) for name in parameters}
        )
        on_existing = [
            existing.flatmap(
                lambda ids, mode=mode: operation.as_strategy(mode, path_parameters=ids)
            )
            for mode in (GenerationMode.POSITIVE, GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        ]
        strategies += on_existing

    @settings(
        max_examples=CASES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies), caller=st.sampled_from(_callers_for(operation.path)))
    def sent(case: Any, caller: str | None) -> None:
        headers = {} if caller is None else {"Authorization": f"Bearer {world.tokens[caller]}"}
        response = case.call(base_url=world.base_url, headers=headers, timeout=30)
        case.validate_response(response, checks=CHECKS, headers=headers)

    sent()


def test_every_operation_is_fuzzed() -> None:
    documented = {
        (method.upper(), path)
        for path, item in schema.raw_schema["paths"].items()
        for method in item
    }
    assert {(op.method.upper(), op.path) for op in OPERATIONS} == documented
    assert len(OPERATIONS) * DEFAULT_CASES_PER_OPERATION <= 400  # a few hundred in all
