"""What counts as a JSON body: media types in any case; no body where all fields are optional."""

from tests.handlers.client import Api, Identity


def test_a_help_action_whose_fields_are_all_optional_needs_no_body(api: Api) -> None:
    order_id = api.order_in("paid")
    reply = api.call(
        "POST", f"/orders/{order_id}/help/cancel_order", identity=Identity.customer("cust-lucia")
    )
    assert reply.status == 201, reply.body
    assert reply.body["order"]["status"] == "cancelled"


def test_an_empty_body_is_an_empty_object_and_missing_fields_are_named(api: Api) -> None:
    order_id = api.order_in("paid")
    reply = api.call(
        "POST", f"/orders/{order_id}/help/change_address", identity=Identity.customer("cust-lucia")
    )
    assert reply.status == 422
    assert reply.error["errors"][0]["loc"] == ["body", "address"]


def test_the_delivery_time_defaults_to_now_when_the_shop_sends_no_body(api: Api) -> None:
    order_id = api.order_in("shipped")
    reply = api.call("POST", f"/ops/orders/{order_id}/deliver", identity=Identity.shop())
    assert reply.status == 200, reply.body
    assert reply.body["delivered_at"] == api.clock.now.isoformat().replace("+00:00", "Z")


def test_media_types_are_case_insensitive(api: Api) -> None:
    order_id = api.order_in("paid")
    reply = api.call(
        "POST",
        f"/orders/{order_id}/help/payment_issue",
        {"message": "¿Ha llegado mi pago?"},
        identity=Identity.customer("cust-lucia"),
        headers={"content-type": "Application/JSON; charset=UTF-8"},
    )
    assert reply.status == 201, reply.body
