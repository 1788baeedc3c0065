"""A local stack in a subprocess, on a free port, and an HTTP client for it."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import boto3

from orderhelp.config import StoreSettings
from orderhelp.store import DynamoOrderStore
from orderhelp.wiring import store_on
from orderhelp_dev.local.identities import IdentityProvider, SigningKey, TokenIssuer
from orderhelp_dev.local.state import StackState
from orderhelp_dev.local.template import function_environment, functions, parameter_defaults

ROOT = Path(__file__).resolve().parents[2]
START_DEADLINE_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any
    raw: bytes

    @property
    def error(self) -> dict[str, Any]:
        error: dict[str, Any] = self.body["error"]
        return error


class Http:
    """One connection per call, so any number of threads can share it."""

    def __init__(self, port: int) -> None:
        self.port = port

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Reply:
        sent = {"content-type": "application/json"} | (headers or {})
        if token is not None:
            sent["authorization"] = f"Bearer {token}"
        payload = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=payload, headers=sent)
            response = connection.getresponse()
            data = response.read()
            received = {name.lower(): value for name, value in response.getheaders()}
        finally:
            connection.close()
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return Reply(response.status, received, parsed, data)


class LocalStack:
    """`orderhelp serve` as a newcomer runs it, in a subprocess; stopped with Ctrl-C (SIGINT)."""

    def __init__(self, state_root: Path, *extra: str) -> None:
        self.state_root = state_root
        self.extra = extra
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = state_root / "stack.log"
        self._log: IO[bytes] | None = None

    def start(self) -> "LocalStack":
        for _ in range(3):  # a free port can be taken between probing and binding
            self.port = free_port()
            self._log = self.log_path.open("wb")
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "orderhelp_dev.cli",
                    "serve",
                    "--port",
                    str(self.port),
                    "--state-dir",
                    str(self.state_root),
                    *self.extra,
                ],
                stdout=self._log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
            if self._wait_until_ready():
                return self
            self._log.close()
            if "already in use" not in self.output():
                break
        raise AssertionError(f"the stack did not start:\n{self.output()}")

    def _wait_until_ready(self) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + START_DEADLINE_SECONDS
        state = self.state
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if state.info_file.exists() and state.read_info().get("ready"):
                # The state says ready; the API must also answer (401: no token).
                return Http(self.port).call("GET", "/orders").status in (401, 404)
            time.sleep(0.05)  # polling, not timing: the deadline bounds it
        raise AssertionError(f"the stack was not ready within {START_DEADLINE_SECONDS} s")

    @property
    def state(self) -> StackState:
        return StackState.for_port(self.port, self.state_root)

    @property
    def http(self) -> Http:
        return Http(self.port)

    def tokens(self) -> TokenIssuer:
        info = self.state.read_info()
        key = SigningKey.from_pem(self.state.read_key())
        return TokenIssuer(key, IdentityProvider.from_json(info["identity_provider"]))

    def store(self) -> DynamoOrderStore:
        """The stack's store, straight in its embedded DynamoDB (to stage cases in any state)."""
        info = self.state.read_info()
        client = boto3.client(
            "dynamodb",
            endpoint_url=info["dynamodb_endpoint"],
            region_name=info["region"],
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        assert "OrdersTable" in info["tables"]  # the stack names its tables by logical id
        tables = {name: name for name in info["tables"]}
        spec = functions()["CustomerApiFunction"]
        environment = function_environment(spec, parameter_defaults() | tables)
        settings = {
            name: environment[name.upper()]
            for name in StoreSettings.model_fields
            if name.upper() in environment
        }
        return store_on(client, StoreSettings(**settings))

    def output(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")

    def stop(self) -> int:
        """Ctrl-C, as a user stops it; the exit status."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
        return self.process.returncode


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@contextmanager
def running_stack(state_root: Path, *extra: str) -> Iterator[LocalStack]:
    """A stack for a whole test session or module, which must stop cleanly at the end."""
    running = LocalStack(state_root, *extra).start()
    try:
        yield running
    finally:
        status = running.stop()  # also when the test failed: no stack outlives its tests
    assert status == 0, running.output()
