"""Races over real HTTP: the execution environments run requests to one function in parallel,
so only the store's conditional writes keep the rules."""

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from orderhelp_dev.local.identities import TokenIssuer
from tests.e2e.shop import ADDRESS, Shop
from tests.e2e.stack import Http, Reply

ORDERS = 6
ADDRESS_CHANGES = 50
SHIP_ATTEMPTS = 100


def _race_one_order(http: Http, shop: Shop, token: str, order_id: str) -> dict:
    start = threading.Barrier(ADDRESS_CHANGES + 1)

    def change_address(n: int) -> tuple[int, Reply]:
        address = ADDRESS | {"line1": f"Calle Nueva {n}"}
        start.wait()
        path = f"/orders/{order_id}/help/change_address"
        return n, http.call("POST", path, {"address": address}, token=token)

    def ship() -> list[Reply]:
        # The warehouse retries until the shipment is recorded, deciding again on each 409 (and
        # on a 503, as its Retry-After says, though not waiting that long here).
        start.wait()
        attempts = [shop.ship(order_id)]
        while attempts[-1].status in (409, 503) and len(attempts) < SHIP_ATTEMPTS:
            attempts.append(shop.ship(order_id))
        return attempts

    with ThreadPoolExecutor(ADDRESS_CHANGES + 1) as pool:
        shipping = pool.submit(ship)
        changes = [
            f.result() for f in [pool.submit(change_address, n) for n in range(ADDRESS_CHANGES)]
        ]
        shipments = shipping.result()
    return {"changes": changes, "shipments": shipments}


def test_address_changes_racing_a_shipment_never_change_a_shipped_order(
    http: Http, tokens: TokenIssuer, customer_id: str
) -> None:
    shop = Shop(http, tokens.ops())
    token = tokens.customer(customer_id)
    outcomes = Counter()
    for _ in range(ORDERS):
        order_id = shop.paid_order(customer_id)
        race = _race_one_order(http, shop, token, order_id)

        # Every request got an answer the rules allow: a case opened or joined, or a conflict; on a
        # machine too busy for the store to answer in time, the designed 503 with Retry-After
        statuses = Counter(reply.status for _, reply in race["changes"])
        assert set(statuses) <= {200, 201, 409, 503}, [r.body for _, r in race["changes"]]
        unanswered = {n for n, reply in race["changes"] if reply.status == 503}
        for n in unanswered:
            reply = dict(race["changes"])[n]
            assert reply.error["code"] == "temporarily_unavailable", reply.body
            assert int(reply.headers["retry-after"]) > 0, reply.headers
        shipments = [r.status for r in race["shipments"]]
        assert set(shipments) <= {200, 409, 503}, shipments
        # The last attempt recorded it, unless an earlier one that got no answer already had
        assert shipments[-1] == 200 or 503 in shipments, shipments
        outcomes.update(
            "changed" if reply.status in (200, 201) else reply.error.get("reason", "conflict")
            for _, reply in race["changes"]
            if reply.status != 503
        )

        details = http.call("GET", f"/orders/{order_id}", token=token).body
        events = [entry["event"] for entry in details["history"]]  # in version order
        changes = [entry for entry in details["history"] if entry["event"] == "change_address"]
        assert events.count("ship") == 1
        # Every address change that happened, happened before the shipment …
        assert "change_address" not in events[events.index("ship") :]
        # … and each accepted request is exactly one of them (a 503 may or may not have been
        # applied, never twice: the store says so only when it cannot tell).
        accepted = {n for n, reply in race["changes"] if reply.status in (200, 201)}
        recorded = [int(e["data"]["address"]["line1"].rsplit(" ", 1)[1]) for e in changes]
        assert len(recorded) == len(set(recorded)), recorded
        assert accepted <= set(recorded) <= accepted | unanswered, (accepted, recorded)
        # The final address is untouched, or the last change made before the shipment.
        expected = changes[-1]["data"]["address"]["line1"] if changes else ADDRESS["line1"]
        assert details["shipping_address"]["line1"] == expected
        assert details["status"] == "shipped"
    # Over the orders the race really happened: some changes won, some came too late.
    assert outcomes["changed"] > 0 and outcomes["already_shipped"] > 0, outcomes


def test_parallel_identical_posts_with_one_idempotency_key_open_one_case(
    http: Http, tokens: TokenIssuer, customer_id: str
) -> None:
    shop = Shop(http, tokens.ops())
    token = tokens.customer(customer_id)
    order_id = shop.paid_order(customer_id)
    key = str(uuid.uuid4())
    start = threading.Barrier(20)

    def post(_: int) -> Reply:
        start.wait()
        return http.call(
            "POST",
            f"/orders/{order_id}/help/payment_issue",
            {"message": "Me han cobrado dos veces."},
            token=token,
            headers={"Idempotency-Key": key},
        )

    with ThreadPoolExecutor(20) as pool:
        replies = list(pool.map(post, range(20)))

    # Each request either got the one answer or was told the first is still in progress
    assert {r.status for r in replies} <= {201, 409}, [r.body for r in replies]
    answered = [r for r in replies if r.status == 201]
    assert answered
    assert len({r.body["case"]["case_id"] for r in answered}) == 1
    in_progress = [r for r in replies if r.status == 409]
    assert all(r.error["code"] == "request_in_progress" for r in in_progress)
    details = http.call("GET", f"/orders/{order_id}", token=token).body
    assert [case["action"] for case in details["cases"]] == ["payment_issue"]
    assert [e["event"] for e in details["history"]].count("payment_issue") == 1
