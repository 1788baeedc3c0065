from tests.handlers.client import Api, Identity


def test_a_customer_sees_their_paid_order(api: Api) -> None:
    order_id = api.order_in("paid")
    reply = api.call("GET", f"/orders/{order_id}", identity=Identity.customer("cust-lucia"))
    assert reply.status == 200
    assert reply.body["status"] == "paid"
