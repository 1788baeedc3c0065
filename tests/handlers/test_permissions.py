"""Least privilege, checked against what the code does: every DynamoDB request a function makes
on its routes is allowed by that function's policy in the template, and every orders-table
permission a policy grants is used. No wildcard, no Scan."""

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest

from orderhelp import aws, wiring
from orderhelp_dev.local.lambda_runtime import match_route
from orderhelp_dev.local.template import resources
from tests.handlers.case_calls import AGENT, housekeeping
from tests.handlers.client import Api, Identity, Reply
from tests.handlers.stats_calls import case_events, deliver

# TransactWriteItems is authorised item by item, as the action each item performs.
_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
Grant = tuple[str, str, str | None]  # action, table (logical id), index


def requested(operation: str, params: dict[str, Any]) -> list[Grant]:
    if operation == "TransactWriteItems":
        return [
            (f"dynamodb:{_TRANSACT_ACTIONS[kind]}", body["TableName"], None)
            for item in params["TransactItems"]
            for kind, body in item.items()
        ]
    return [(f"dynamodb:{operation}", params["TableName"], params.get("IndexName"))]


def _resource(reference: Any) -> tuple[str, str | None]:
    """`!GetAtt T.Arn` → (T, None); `!Sub ${T.Arn}/index/I` → (T, I)."""
    if "Fn::GetAtt" in reference:
        table, attribute = reference["Fn::GetAtt"]
        assert attribute == "Arn"
        return table, None
    text = reference["Fn::Sub"]
    table, _, rest = text.removeprefix("${").partition(".Arn}")
    index = rest.removeprefix("/index/")
    assert rest.startswith("/index/") and index, f"not a table or index ARN: {text}"
    return table, index


def _statements(function: str) -> Iterator[tuple[str, Any]]:
    for policy in resources("AWS::Serverless::Function")[function]["Properties"]["Policies"]:
        for statement in policy["Statement"]:
            assert statement["Effect"] == "Allow"
            actions = statement["Action"]
            targets = statement["Resource"]
            for action in [actions] if isinstance(actions, str) else actions:
                for target in targets if isinstance(targets, list) else [targets]:
                    yield action, target


def granted(function: str) -> set[Grant]:
    """The DynamoDB grants of `function`'s policy."""
    return {
        (action, *_resource(target))
        for action, target in _statements(function)
        if action.startswith("dynamodb:")
    }


def granted_objects(function: str) -> set[tuple[str, str]]:
    """The S3 grants of `function`'s policy: (action, key prefix) in the attachments bucket,
    named by reference or, for the function the bucket notifies, spelled from its name."""
    found = set()
    for action, target in _statements(function):
        if not action.startswith("s3:"):
            continue
        text = target["Fn::Sub"] if isinstance(target["Fn::Sub"], str) else target["Fn::Sub"][0]
        bucket, _, prefix = text.partition("/")
        assert bucket in (
            "${AttachmentsBucket.Arn}",
            "arn:${AWS::Partition}:s3:::order-help-attachments-${StackUuid}",
        ), text
        assert prefix.endswith("/*") and prefix.count("*") == 1, text
        found.add((action, prefix.removesuffix("*")))
    return found


def other_grants(function: str) -> list[tuple[str, Any]]:
    """The grants beyond DynamoDB (EventBridge, SES, SQS), with their resources as written."""
    return [
        (action, statement["Resource"])
        for policy in resources("AWS::Serverless::Function")[function]["Properties"]["Policies"]
        for statement in policy["Statement"]
        for action in (
            [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        )
        if not action.startswith("dynamodb:")
    ]


def test_no_policy_beyond_dynamodb_grants_a_wildcard_action_or_resource() -> None:
    for function in resources("AWS::Serverless::Function"):
        for action, resource in other_grants(function):
            assert "*" not in action, (function, action)
            assert resource != "*", (function, action)


def test_no_policy_grants_a_wildcard_or_scan() -> None:
    for function in resources("AWS::Serverless::Function"):
        for action, _ in _statements(function):
            assert "*" not in action, (function, action)
        for action, table, _ in granted(function):
            assert action != "dynamodb:Scan", function
            assert table in resources("AWS::DynamoDB::Table"), (function, table)


def test_only_the_attachment_functions_touch_the_bucket_each_under_its_own_prefixes() -> None:
    touching = {f for f in resources("AWS::Serverless::Function") if granted_objects(f)}
    assert touching == {"AttachmentsApiFunction", "AttachmentProcessingFunction"}
    # The API signs uploads into uploads/ and links to processed files only
    assert granted_objects("AttachmentsApiFunction") == {
        ("s3:PutObject", "uploads/"),
        ("s3:GetObject", "files/"),
    }
    # The processing reads and removes uploads, and writes processed files, nothing else
    assert granted_objects("AttachmentProcessingFunction") == {
        ("s3:GetObject", "uploads/"),
        ("s3:DeleteObject", "uploads/"),
        ("s3:PutObject", "files/"),
    }


class RecordingApi:
    """Calls the API and records, per function, the DynamoDB requests each call made."""

    def __init__(self, api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
        self.api = api
        self.used: dict[str, set[Grant]] = defaultdict(set)
        self._function = ""
        self._call = api.call
        monkeypatch.setattr(api, "call", self._routed_call)  # the one-line helpers too
        aws.dynamodb().meta.events.register(
            "before-parameter-build.dynamodb.*", self._record, unique_id="permissions-test"
        )

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.used[self._function].update(requested(model.name, params))

    def _routed_call(self, method: str, path: str, body: Any = None, **options: Any) -> Reply:
        match = match_route(method, path.partition("?")[0])
        assert match is not None
        # A call made while another function runs (a race staged by a test) is its own.
        outer, self._function = self._function, match.route.function
        try:
            return self._call(method, path, body, **options)
        finally:
            self._function = outer

    def run_job(self, function: str, job: Any) -> Any:
        outer, self._function = self._function, function
        try:
            return job()
        finally:
            self._function = outer

    def __call__(self, method: str, path: str, body: Any = None, **options: Any) -> int:
        return self.api.call(method, path, body, **options).status


@pytest.fixture
def calls(api: Api, monkeypatch: pytest.MonkeyPatch) -> RecordingApi:
    return RecordingApi(api, monkeypatch)


def test_each_function_requests_only_what_its_policy_grants(calls: RecordingApi) -> None:
    shop, lucia = Identity.shop(), Identity.customer("cust-lucia")
    address = {
        "name": "L",
        "line1": "Calle 2",
        "city": "Madrid",
        "postal_code": "28013",
        "country": "ES",
    }
    key = {"Idempotency-Key": "k-1"}
    order = "ORD-1"
    calls.api.create_order("cust-lucia", order)
    calls.api.create_order("cust-lucia", "ORD-2")
    calls.api.create_order("cust-lucia", "ORD-3")
    assert calls("POST", "/ops/orders/ORD-3/cancel", {"reason": "stock"}, identity=shop) == 200
    assert calls.api.pay(order).status == 200
    assert calls("GET", f"/ops/orders/{order}", identity=shop) == 200
    assert calls("GET", "/orders?limit=1", identity=lucia) == 200
    assert calls("GET", "/orders?status=paid&limit=1", identity=lucia) == 200
    assert calls("GET", f"/orders?order_id={order.lower()}", identity=lucia) == 200
    assert calls("GET", f"/orders/{order}", identity=lucia) == 200
    help_path = f"/orders/{order}/help/payment_issue"
    assert calls("POST", help_path, {"message": "?"}, identity=lucia, headers=key) == 201
    assert calls("POST", help_path, {"message": "?"}, identity=lucia, headers=key) == 201
    assert calls("POST", help_path, {"message": "again"}, identity=lucia) == 200
    body = {"address": address}
    assert calls("POST", f"/orders/{order}/help/change_address", body, identity=lucia) == 201
    assert calls("POST", "/orders/ORD-2/help/cancel_order", {}, identity=lucia) == 201
    unavailable = {"items": [{"sku": "LAMP-01", "quantity": 1}], "message": "broken"}
    refused = calls(
        "POST",
        help_path.replace("payment_issue", "return_request"),
        unavailable,
        identity=lucia,
        headers={"Idempotency-Key": "k-2"},
    )
    assert refused == 409
    assert calls.api.ship(order).status == 200
    assert calls.api.deliver(order).status == 200
    # Returns and refunds: the customer's label, the agent's and the shop's steps, the work list
    ret = {"items": [{"sku": "BULB-E27", "quantity": 1}], "message": "x"}
    returned = calls.api.call("POST", f"/orders/{order}/help/return_request", ret, identity=lucia)
    return_case = returned.body["case"]["case_id"]
    ana_ = Identity.agent(AGENT)
    approve = f"/agent/cases/{return_case}/return/approve"
    assert calls("POST", approve, {}, identity=ana_) == 200
    assert calls("GET", f"/orders/{order}/returns/{order}-R1/label", identity=lucia) == 200
    arrived = {"items": [{"sku": "BULB-E27", "quantity": 1, "condition": "ok"}]}
    assert calls("POST", f"/ops/returns/{order}-R1/received", arrived, identity=shop) == 200
    assert calls("GET", "/ops/refunds?status=due", identity=shop) == 200
    paid_back = {"method": "card", "reference": "R-1"}
    assert calls("POST", f"/ops/refunds/{order}-RF1/issued", paid_back, identity=shop) == 200
    goodwill = {"amount": "1.00", "reason": "Sorry."}
    assert calls("POST", f"/agent/cases/{return_case}/refund", goodwill, identity=ana_) == 200

    # Cases: the customer's routes, the agents' routes, and housekeeping (one case closes, the
    # other is reopened by its customer after housekeeping found it, so it is read again; the
    # address change's and the cancellation's cases, solved by the system, close too)
    case_id = next(
        case["case_id"]
        for case in calls.api.call("GET", "/cases", identity=lucia).body["cases"]
        if case["action"] == "payment_issue"
    )
    assert calls("GET", f"/cases/{case_id}", identity=lucia) == 200
    assert calls("POST", f"/cases/{case_id}/messages", {"body": "?"}, identity=lucia) == 200
    # A message with a photo reads the attachment it names, by key
    with_photo = {"body": "!", "attachment_ids": [_ready_attachment(calls, lucia)]}
    assert calls("POST", f"/cases/{case_id}/messages", with_photo, identity=lucia) == 200
    ana = Identity.agent(AGENT)
    assert calls("GET", "/agent/cases?status=open", identity=ana) == 200
    assert calls("GET", f"/agent/cases/{case_id}", identity=ana) == 200
    agent_key = {"Idempotency-Key": "k-3"}
    assert calls("POST", f"/agent/cases/{case_id}/assign", {}, identity=ana) == 200
    reply = {"body": "!", "internal": False}
    assert (
        calls("POST", f"/agent/cases/{case_id}/messages", reply, identity=ana, headers=agent_key)
        == 200
    )
    with_file = {"body": "!", "attachment_ids": [_ready_attachment(calls, ana)]}
    assert calls("POST", f"/agent/cases/{case_id}/messages", with_file, identity=ana) == 200
    assert calls("POST", f"/agent/cases/{case_id}/solve", {"resolution": "ok"}, identity=ana) == 200
    assert calls("POST", f"/cases/{case_id}/rating", {"rating": "good"}, identity=lucia) == 200
    reopened = return_case
    assert calls("POST", f"/agent/cases/{reopened}/assign", {}, identity=ana) == 200
    assert (
        calls("POST", f"/agent/cases/{reopened}/solve", {"resolution": "ok"}, identity=ana) == 200
    )
    # The console: search, views, saved replies, profiles, a customer's panel, the figures
    assert calls("GET", f"/agent/search?q={case_id}", identity=ana) == 200
    assert calls("GET", "/agent/search?q=lucia@example.com", identity=ana) == 200
    assert calls("GET", "/agent/views", identity=ana) == 200
    assert calls("GET", "/agent/views/mine", identity=ana) == 200
    saved = {"title": "Hi", "locale": "en", "body": "Hello {customer_name}"}
    reply_id = calls.api.call("POST", "/agent/replies", saved, identity=ana).body["reply_id"]
    assert calls("GET", "/agent/replies", identity=ana) == 200
    assert calls("PUT", f"/agent/replies/{reply_id}", saved, identity=ana) == 200
    assert calls("GET", f"/agent/cases/{case_id}/replies", identity=ana) == 200
    assert calls("DELETE", f"/agent/replies/{reply_id}", identity=ana) == 200
    profile = {"display_name": "Ana", "languages": ["es"]}
    assert calls("PUT", "/agent/profile", profile, identity=ana) == 200
    assert calls("GET", "/agent/profiles", identity=ana) == 200
    assert calls("GET", "/agent/customers/cust-lucia", identity=ana) == 200
    assert calls("GET", "/agent/stats?days=30", identity=ana) == 200
    for event in case_events(calls.api, case_id):
        calls.run_job("StatsFunction", lambda event=event: deliver(event))

    calls.api.clock.advance(days=30)
    wiring.case_service()._store = StaleSolvedQueue(  # type: ignore[assignment]
        wiring.case_service()._store,
        lambda: calls.api.call(
            "POST", f"/cases/{reopened}/messages", {"body": "not yet"}, identity=lucia
        ),
    )
    report = calls.run_job("HousekeepingFunction", housekeeping)
    assert (report["closed"], report["skipped"]) == (3, 1), report

    for function in (
        "CustomerApiFunction",
        "OpsApiFunction",
        "AgentApiFunction",
        "HousekeepingFunction",
        "StatsFunction",
    ):
        used, allowed = calls.used[function], granted(function)
        assert used, f"{function} made no DynamoDB request"
        assert used <= allowed, f"{function} needs {sorted(used - allowed, key=str)}"
        idempotency_table = "IdempotencyTable"
        unused = {grant for grant in allowed - used if grant[1] != idempotency_table}
        assert not unused, f"{function} is granted {sorted(unused, key=str)} but never uses it"


class StaleSolvedQueue:
    """The case service's store, whose solved queue is read before `meanwhile` runs: the index
    lists a case that changed since (GSIs are eventually consistent), so it is read again."""

    def __init__(self, inner: Any, meanwhile: Callable[[], Any]) -> None:
        self._inner = inner
        self._meanwhile = meanwhile

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def cases_solved_before(self, cutoff: datetime, page_size: int) -> Iterator[list[Any]]:
        pages = list(self._inner.cases_solved_before(cutoff, page_size))
        self._meanwhile()
        yield from pages


def test_the_attachment_functions_request_only_what_their_policies_grant(
    calls: RecordingApi,
) -> None:
    lucia = Identity.customer("cust-lucia")
    calls.api.order_in("delivered")
    attachment_id = _ready_attachment(calls, lucia, retried=True)
    body = {
        "problem": "damaged",
        "items": [{"sku": "LAMP-01", "quantity": 1}],
        "message": "Broken",
        "attachment_ids": [attachment_id],
    }
    assert calls("POST", "/orders/ORD-1/help/item_problem", body, identity=lucia) == 201

    for function in ("AttachmentsApiFunction", "AttachmentProcessingFunction"):
        used, allowed = calls.used[function], granted(function)
        assert used, f"{function} made no DynamoDB request"
        assert used <= allowed, f"{function} needs {sorted(used - allowed, key=str)}"
        unused = {grant for grant in allowed - used if grant[1] != "IdempotencyTable"}
        assert not unused, f"{function} is granted {sorted(unused, key=str)} but never uses it"
    assert ("dynamodb:GetItem", "OrdersTable", None) in calls.used["CustomerApiFunction"]


def _ready_attachment(calls: RecordingApi, owner: Identity, *, retried: bool = False) -> str:
    """An upload asked for (and, `retried`, asked for again under a key), posted and processed."""
    from tests.handlers.attachment_calls import attachment, post_form, process, request_upload
    from tests.support import files

    picture = files.png()
    grant = request_upload(calls.api, owner, "p.png", "image/png", len(picture))
    assert grant.status == 201
    if retried:
        key = {"Idempotency-Key": "u-1"}
        again = request_upload(calls.api, owner, "p.png", "image/png", len(picture), headers=key)
        assert again.status == 201
    posted = post_form(grant.body, picture)
    assert isinstance(posted, str)
    calls.run_job("AttachmentProcessingFunction", lambda: process(posted, len(picture)))
    attachment_id = str(grant.body["attachment_id"])
    assert attachment(calls.api, owner, attachment_id).body["status"] == "ready"
    return attachment_id
