"""End-to-end tests: the local stack in a subprocess, driven over real HTTP.

One stack with the real template and its demo data serves the whole session; the emulator's own
tests use a second stack running a test-only template (`echo/template.yaml`)."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from orderhelp_dev.local.identities import TokenIssuer
from tests.e2e.stack import Http, LocalStack, running_stack

ECHO_TEMPLATE = Path(__file__).parent / "echo" / "template.yaml"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with running_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running


@pytest.fixture(scope="session")
def http(stack: LocalStack) -> Http:
    return stack.http


@pytest.fixture(scope="session")
def tokens(stack: LocalStack) -> TokenIssuer:
    return stack.tokens()


@pytest.fixture
def customer_id() -> str:
    """A customer of this test alone: the session's stack is shared."""
    return f"cust-{uuid.uuid4().hex[:12]}"
