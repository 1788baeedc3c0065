"""The local stack points its host process's SDK at itself while it runs, and only then: once it
stops, a client the process makes goes where it went before (`make bench` starts stacks and then
measures in moto in-process, in the same process)."""

import io
import os
from pathlib import Path

import pytest

from orderhelp_dev.local.sdk_endpoints import SDK_ENDPOINT_PREFIX, ProcessEnvironment
from orderhelp_dev.local.serve import LocalStack, ServeOptions
from tests.e2e.conftest import ECHO_TEMPLATE
from tests.e2e.stack import free_port


def sdk_settings() -> dict[str, str]:
    return {
        name: value
        for name, value in os.environ.items()
        if name.startswith((SDK_ENDPOINT_PREFIX, "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_REGION"))
    }


def test_what_was_changed_is_put_back_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERHELP_TEST_KEPT", "before")
    monkeypatch.setenv("ORDERHELP_TEST_REMOVED", "before")
    monkeypatch.delenv("ORDERHELP_TEST_ADDED", raising=False)
    environment = ProcessEnvironment()

    environment.set("ORDERHELP_TEST_KEPT", "first")
    environment.set("ORDERHELP_TEST_KEPT", "second")
    environment.remove("ORDERHELP_TEST_REMOVED")
    environment.set("ORDERHELP_TEST_ADDED", "new")
    assert os.environ["ORDERHELP_TEST_KEPT"] == "second"
    assert "ORDERHELP_TEST_REMOVED" not in os.environ

    environment.restore()
    assert os.environ["ORDERHELP_TEST_KEPT"] == "before"
    assert os.environ["ORDERHELP_TEST_REMOVED"] == "before"
    assert "ORDERHELP_TEST_ADDED" not in os.environ


def test_a_stopped_stack_leaves_no_endpoint_in_its_host_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "someone")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")
    before = sdk_settings()
    options = ServeOptions(
        port=free_port(), template=ECHO_TEMPLATE, state_root=tmp_path, demo=False, web_root=None
    )
    stack = LocalStack(options, out=io.StringIO())
    stack.start()
    try:
        # While it runs, every client of the process reaches the stack, with moto's credentials
        assert os.environ["AWS_ENDPOINT_URL_DYNAMODB"].startswith("http://127.0.0.1:")
        assert os.environ["AWS_ENDPOINT_URL_S3"] != "http://127.0.0.1:9"
        assert os.environ["AWS_ENDPOINT_URL_EVENTBRIDGE"].startswith("http://127.0.0.1:")
        assert "AWS_PROFILE" not in os.environ
    finally:
        stack.stop()

    assert sdk_settings() == before
