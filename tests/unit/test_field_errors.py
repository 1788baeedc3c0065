"""Validation errors said to a customer: `loc` and `type` kept, `msg` in their language."""

from typing import Any

import pytest
from pydantic import ValidationError

from lifecycle.errors import RuleViolation
from lifecycle.field_errors import field_errors, localized
from lifecycle.help import ChangeAddressRequest, ReturnRequest
from lifecycle.order import EstimateRevision
from lifecycle.text import MESSAGE_MAX_LENGTH


def _errors(model: Any, body: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as invalid:
        model.model_validate(body)
    return field_errors(invalid.value.errors())


ADDRESS = {
    "name": "Lucía",
    "line1": "Gran Vía 1",
    "city": "Madrid",
    "postal_code": "28013",
    "country": "ES",
}


def test_the_input_is_never_kept() -> None:
    secret = "hunter2 is my password"
    (error,) = _errors(ChangeAddressRequest, {"address": ADDRESS | {"phone": secret}})

    assert secret not in str(error)
    assert set(error) == {"loc", "msg", "type", "ctx"}


@pytest.mark.parametrize(
    ("body", "loc", "kind", "english", "spanish"),
    [
        (
            {"items": [], "message": "hi"},
            ["items"],
            "too_short",
            "Give at least 1.",
            "Indica al menos 1.",
        ),
        (
            {"items": [{"sku": "A", "quantity": 0}], "message": "hi"},
            ["items", 0, "quantity"],
            "greater_than_equal",
            "This should be at least 1.",
            "Debe ser al menos 1.",
        ),
        (
            {"items": [{"sku": "A", "quantity": 1}], "message": " "},
            ["message"],
            "string_pattern_mismatch",
            "Write a message.",
            "Escribe un mensaje.",
        ),
        (
            {"items": [{"sku": "A/B", "quantity": 1}], "message": "hi"},
            ["items", 0, "sku"],
            "string_pattern_mismatch",
            "Use only letters, digits and . _ : - (no spaces).",
            "Usa solo letras, números y . _ : - (sin espacios).",
        ),
        (
            {"items": [{"sku": "A", "quantity": 1}], "message": "x" * (MESSAGE_MAX_LENGTH + 1)},
            ["message"],
            "string_too_long",
            f"Write at most {MESSAGE_MAX_LENGTH} characters.",
            f"Escribe como máximo {MESSAGE_MAX_LENGTH} caracteres.",
        ),
    ],
)
def test_each_problem_is_said_in_the_callers_language(
    body: dict[str, Any], loc: list[Any], kind: str, english: str, spanish: str
) -> None:
    errors = _errors(ReturnRequest, body)

    assert [(e["loc"], e["type"], e["msg"]) for e in localized(errors, "en")] == [
        (loc, kind, english)
    ]
    assert [(e["loc"], e["type"], e["msg"]) for e in localized(errors, "es")] == [
        (loc, kind, spanish)
    ]


def test_a_rule_of_the_model_keeps_pydantics_type_and_gets_its_own_text() -> None:
    (unknown,) = _errors(ChangeAddressRequest, {"address": ADDRESS | {"country": "XX"}})
    (both,) = _errors(
        EstimateRevision,
        {
            "estimated_ship_by": "2026-06-01T00:00:00Z",
            "estimated_delivery_by": "2026-06-02T00:00:00Z",
        },
    )

    assert (unknown["type"], unknown["ctx"]["rule"]) == ("value_error", "unknown_country")
    assert localized([unknown], "es")[0]["msg"] == "No es un código de país (dos letras, como ES)."
    assert both["type"] == "value_error"
    assert localized([both], "es")[0]["msg"].startswith("Indica solo uno")


def test_an_unknown_kind_of_problem_still_reads_as_words() -> None:
    odd = {"loc": ["x"], "msg": "Something odd", "type": "something_new", "ctx": {}}
    assert localized([odd], "es") == [
        {"loc": ["x"], "msg": "Este valor no es válido.", "type": "something_new"}
    ]


def test_a_text_whose_values_are_missing_falls_back_to_words() -> None:
    # An entry built by hand without its `ctx` must not fail the answer.
    bare = {
        "loc": ["items", 0, "sku"],
        "msg": "sku 'A' is not on this order",
        "type": "unknown_sku",
    }
    assert localized([bare], "en")[0]["msg"] == "This value is not valid."


@pytest.mark.parametrize(
    ("changes", "field", "english", "spanish"),
    [
        (
            {"postal_code": "#28013"},
            "postal_code",
            "This is not a postal code.",
            "No es un código postal.",
        ),
        (
            {"phone": "call me"},
            "phone",
            "This is not a phone number.",
            "No es un número de teléfono.",
        ),
    ],
)
def test_an_address_field_of_the_wrong_shape_is_named_for_what_it_should_be(
    changes: dict[str, str], field: str, english: str, spanish: str
) -> None:
    errors = _errors(ChangeAddressRequest, {"address": ADDRESS | changes})

    assert [(e["loc"], e["type"]) for e in errors] == [
        (["address", field], "string_pattern_mismatch")
    ]
    assert [e["msg"] for e in localized(errors, "en")] == [english]
    assert [e["msg"] for e in localized(errors, "es")] == [spanish]


def test_an_entry_without_a_message_or_a_type_gets_empty_ones_not_made_up_words() -> None:
    assert field_errors([{"loc": ("address",)}]) == [
        {"loc": ["address"], "msg": "", "type": "", "ctx": {}}
    ]


def test_a_rules_values_join_the_rest_of_its_context() -> None:
    cause = RuleViolation("sku_on_two_lines", "sku 'A' appears on more than one line", sku="A")
    error = {
        "loc": ("items",),
        "msg": "Value error, sku 'A' appears on more than one line",
        "type": "value_error",
        "ctx": {"error": cause, "max_length": 200},
    }

    assert field_errors([error]) == [
        {
            "loc": ["items"],
            "msg": "Value error, sku 'A' appears on more than one line",
            "type": "value_error",
            "ctx": {"max_length": 200, "rule": "sku_on_two_lines", "sku": "A"},
        }
    ]
