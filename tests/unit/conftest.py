"""The rules' tests do no I/O: any socket a unit test opens is refused (pytest-socket), so a rule
that starts talking to the network, or a test that does, fails here first.

They also run fastest first: the property tests, which take most of the time, run after the
others, so `pytest -x` (and each mutant of `make mutation`) stops at a quick failure first."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_socket import disable_socket, enable_socket

HERE = Path(__file__).parent


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    disable_socket(allow_unix_socket=False)
    yield
    enable_socket()


def is_unit_property_test(item: pytest.Item) -> bool:
    hypothesis = getattr(getattr(item, "obj", None), "is_hypothesis_test", False)
    return bool(hypothesis) and item.path.is_relative_to(HERE)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A stable sort: every other test keeps its place.
    items.sort(key=is_unit_property_test)
