"""An order's contact: where its emails go and the language they are written in."""

import pytest
from pydantic import ValidationError

from lifecycle.order import Contact


def refusal(**changes: str) -> list[tuple[str, tuple[str | int, ...], str]]:
    with pytest.raises(ValidationError) as invalid:
        Contact.model_validate({"email": "lucia@example.com", "locale": "es"} | changes)
    return [(e["type"], e["loc"], e["msg"]) for e in invalid.value.errors()]


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("lucia@example.com", "lucia@example.com"),
        # the domain is case-insensitive and is kept in lower case; the local part is the
        # recipient's own and is kept as written
        ("Lucia.Fernandez+pedidos@Correo.Example.ES", "Lucia.Fernandez+pedidos@correo.example.es"),
        ("  lucia@example.com \n", "lucia@example.com"),
    ],
)
def test_an_email_address_is_kept_as_its_recipient_wrote_it(written: str, kept: str) -> None:
    assert Contact.model_validate({"email": written, "locale": "es"}).email == kept


@pytest.mark.parametrize(
    "email", ["lucia", "lucia@", "@example.com", "lucia@localhost", "lucía@example.com", "a b@c.es"]
)
def test_what_is_not_an_email_address_is_refused_with_an_example(email: str) -> None:
    assert refusal(email=email) == [
        ("email_format", ("email",), "not an email address such as ana@example.com")
    ]


@pytest.mark.parametrize("locale", ["es", "en"])
def test_the_contact_reads_spanish_or_english(locale: str) -> None:
    assert Contact.model_validate({"email": "lucia@example.com", "locale": locale}).locale == locale


@pytest.mark.parametrize("locale", ["fr", "ES", "es-ES", ""])
def test_no_other_language_is_taken(locale: str) -> None:
    assert [kind for kind, _, _ in refusal(locale=locale)] == ["literal_error"]


def test_a_contact_is_replaced_whole_never_changed_in_place() -> None:
    contact = Contact.model_validate({"email": "lucia@example.com", "locale": "es"})
    with pytest.raises(ValidationError) as frozen:
        contact.email = "otra@example.com"  # type: ignore[misc]
    assert [e["type"] for e in frozen.value.errors()] == ["frozen_instance"]
    assert contact.email == "lucia@example.com"
