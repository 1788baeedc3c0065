"""The whole story of one order, told over real HTTP against the local stack."""

from lifecycle.actions import HelpAction
from orderhelp_dev.local.identities import TokenIssuer
from tests.e2e.shop import Shop
from tests.e2e.stack import Http

NEW_ADDRESS = {
    "name": "Lucía Fernández",
    "line1": "Calle Mayor 1",
    "city": "Toledo",
    "postal_code": "45001",
    "country": "ES",
}


def help_of(details: dict, action: HelpAction) -> dict:
    return next(entry for entry in details["help"] if entry["action"] == action)


def test_an_order_from_payment_to_return(http: Http, tokens: TokenIssuer, customer_id: str) -> None:
    shop = Shop(http, tokens.ops())
    customer = tokens.customer(customer_id)
    stranger = tokens.customer(customer_id + "-other")

    # Given the shop creates an order and records its payment
    order_id = shop.paid_order(customer_id)

    # When the customer lists their orders, the order is there
    listed = http.call("GET", "/orders", token=customer)
    assert listed.status == 200
    assert [o["order_id"] for o in listed.body["orders"]] == [order_id]
    assert listed.body["orders"][0]["status"] == "paid"

    # And its details offer cancelling and changing the address, and refuse a return, saying why
    details = http.call("GET", f"/orders/{order_id}", token=customer)
    assert details.status == 200
    assert help_of(details.body, HelpAction.CANCEL_ORDER)["available"] is True
    assert help_of(details.body, HelpAction.CHANGE_ADDRESS)["available"] is True
    refused_return = help_of(details.body, HelpAction.RETURN_REQUEST)
    assert refused_return["available"] is False
    assert refused_return["reason"] == "not_yet_shipped"
    assert refused_return["message"]

    # When the customer changes the address, a case is opened and the order carries it
    changed = http.call(
        "POST",
        f"/orders/{order_id}/help/change_address",
        {"address": NEW_ADDRESS},
        token=customer,
    )
    assert changed.status == 201, changed.body
    assert changed.body["order"]["shipping_address"]["city"] == "Toledo"
    assert changed.body["case"]["action"] == "change_address"

    # When the shop ships it
    assert shop.ship(order_id).status == 200

    # Then another address change is refused because it already shipped
    too_late = http.call(
        "POST",
        f"/orders/{order_id}/help/change_address",
        {"address": NEW_ADDRESS | {"city": "Cuenca", "postal_code": "16001"}},
        token=customer,
    )
    assert too_late.status == 409
    assert too_late.error["code"] == "action_unavailable"
    assert too_late.error["reason"] == "already_shipped"

    # When it is delivered, a return can be requested
    assert shop.deliver(order_id).status == 200
    returned = http.call(
        "POST",
        f"/orders/{order_id}/help/return_request",
        {"items": [{"sku": "LAMP-01", "quantity": 1}], "message": "La lámpara no me convence."},
        token=customer,
    )
    assert returned.status == 201, returned.body
    assert returned.body["case"]["action"] == "return_request"
    final = http.call("GET", f"/orders/{order_id}", token=customer).body
    assert final["status"] == "delivered"
    assert final["shipping_address"]["city"] == "Toledo"
    assert {case["action"] for case in final["cases"]} == {"change_address", "return_request"}
    assert [entry["event"] for entry in final["history"]] == [
        "create",
        "pay",
        "change_address",
        "ship",
        "deliver",
        "return_request",
    ]

    # And a second customer sees none of it: the same 404 as for an order that does not exist
    assert http.call("GET", "/orders", token=stranger).body["orders"] == []
    missing = http.call("GET", "/orders/ORD-DOES-NOT-EXIST", token=stranger)
    for method, path, body in [
        ("GET", f"/orders/{order_id}", None),
        (
            "POST",
            f"/orders/{order_id}/help/return_request",
            {"items": [{"sku": "LAMP-01", "quantity": 1}], "message": "mine?"},
        ),
        ("POST", f"/orders/{order_id}/help/payment_issue", {"message": "mine?"}),
        ("POST", f"/orders/{order_id}/help/change_address", {"address": NEW_ADDRESS}),
    ]:
        reply = http.call(method, path, body, token=stranger)
        assert reply.status == 404, (path, reply.body)
        assert reply.error["code"] == missing.error["code"] == "order_not_found"
