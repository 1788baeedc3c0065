"""Text the customer writes, in any script, is kept exactly as written: read back through the
order's case and the case's conversation as stored."""

import pytest

from lifecycle.text import MESSAGE_MAX_LENGTH
from tests.handlers.client import NEW_ADDRESS, Api

TEXTS = {
    "Spanish": "¿Dónde está mi pedido? Llegó dañado, señor Núñez.",
    "emoji": "The lamp 💡 arrived broken 😢📦",
    "a family emoji (joined code points)": "👩‍👩‍👧‍👦 all waiting",
    "flags": "🇪🇸 → 🇫🇷",
    "combining accents": "Cafe\u0301 au lait",
    "right to left": "الطلب لم يصل بعد",
    "CJK": "荷物がまだ届きません",
    "control characters": "line one\nline two\ttabbed\r\nend",
    "quotes and backslashes": 'He said "it\'s broken" \\ sorry',
    "markup": "<script>alert('x')</script> & <b>bold</b>",
    "a NUL": "before\x00after",
    "emoji up to the limit (it counts characters)": "😀" * MESSAGE_MAX_LENGTH,
}


@pytest.mark.parametrize("name", TEXTS)
def test_a_message_is_kept_exactly_as_written(api: Api, name: str) -> None:
    text = TEXTS[name]
    paid_order = api.order_in("paid")

    reply = api.help(paid_order, "payment_issue", {"message": text})

    assert reply.status == 201
    case_id = reply.body["case"]["case_id"]
    assert reply.body["case"]["details"]["message"] == text
    # Read back through the order's case, and the case's conversation, as stored.
    record = api.stored(paid_order)
    assert record is not None
    assert [case.details["message"] for case in record.cases] == [text]
    assert api.case_messages(case_id) == [text]


def test_an_address_in_any_script_is_kept_exactly(api: Api) -> None:
    paid_order = api.order_in("paid")
    address = NEW_ADDRESS | {
        "name": "Zoë Ñúñez 李小龍",
        "line1": "Carrer d'Aragó 255, 2n 1a",
        "city": "L'Hospitalet",
    }

    reply = api.help(paid_order, "change_address", {"address": address})

    assert reply.status == 201
    shown = api.details(paid_order).body["shipping_address"]
    assert {key: shown[key] for key in address} == address
