"""The rules' tests do no I/O: any socket a unit test opens is refused (pytest-socket), so a rule
that starts talking to the network, or a test that does, fails here first."""

from collections.abc import Iterator

import pytest
from pytest_socket import disable_socket, enable_socket


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    disable_socket(allow_unix_socket=False)
    yield
    enable_socket()
