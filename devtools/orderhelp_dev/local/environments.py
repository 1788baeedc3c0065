"""Lambda's concurrency model, locally: each function gets a pool of execution environments.

An environment is a worker process (`orderhelp_dev.local.worker`) that imports the handler once and
serves one invocation at a time. A request takes an idle environment (the most recently used, as
Lambda reuses warm ones) or, when none is idle, starts a new one — a cold start — up to the
function's concurrency limit. Requests to one function therefore really run in parallel, while no
process ever runs two invocations at once (Powertools' resolver keeps the current request on a
module-level object). A handler that raises leaves its environment usable; one that crashes or
times out loses it, and the next request starts a fresh one.

Past the limit, requests wait for an environment instead of being throttled: on a laptop the limit
is a resource cap, not the behaviour under test."""

import json
import os
import socket
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass
from typing import IO, Any

from orderhelp_dev.local.lambda_runtime import FunctionRuntime

DEFAULT_MAX_CONCURRENCY = min(16, 2 * (os.cpu_count() or 1))
"""Execution environments per function. Lambda allows far more, but here every environment shares
the machine's CPUs with the embedded DynamoDB, which applies one request at a time: beyond about
two per CPU, more environments only make a burst of requests to one order slower."""

INIT_TIMEOUT_SECONDS = 10.0
"""Lambda's limit on the Init phase (importing the handler)."""


@dataclass(frozen=True)
class Invocation:
    """The outcome of one invocation: the handler's result, or the error Lambda reports."""

    request_id: str
    result: Any = None
    error: dict[str, Any] | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


class EnvironmentFailed(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("errorMessage", "the execution environment failed"))
        self.error = error


def lambda_variables(runtime: FunctionRuntime, region: str) -> dict[str, str]:
    """The variables Lambda itself sets in every execution environment."""
    return {
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_LAMBDA_FUNCTION_NAME": runtime.logical_id,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(runtime.memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{runtime.logical_id}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "local",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_python{sys.version_info.major}.{sys.version_info.minor}",
        "LAMBDA_TASK_ROOT": str(runtime.code_paths[0]) if runtime.code_paths else os.getcwd(),
        "_HANDLER": runtime.handler,
        "TZ": "UTC",
        # No X-Ray daemon runs locally; Powertools' tracer would only complain.
        "POWERTOOLS_TRACE_DISABLED": "true",
    }


class ExecutionEnvironment:
    """One worker process running one function, one invocation at a time."""

    def __init__(
        self, runtime: FunctionRuntime, region: str, log_stream: IO[Any] | None = None
    ) -> None:
        self.runtime = runtime
        ours, theirs = socket.socketpair()
        environment = os.environ | runtime.environment | lambda_variables(runtime, region)
        code_paths = [str(path) for path in runtime.code_paths]
        environment["PYTHONPATH"] = os.pathsep.join(
            [*code_paths, *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        with theirs:
            self._process = subprocess.Popen(  # noqa: S603 — our own interpreter and module
                [
                    sys.executable,
                    "-m",
                    "orderhelp_dev.local.worker",
                    f"--fd={theirs.fileno()}",
                    f"--handler={runtime.handler}",
                    f"--function-name={runtime.logical_id}",
                    f"--timeout={runtime.timeout}",
                    f"--memory={runtime.memory_mb}",
                    f"--region={region}",
                ],
                pass_fds=[theirs.fileno()],
                env=environment,
                cwd=code_paths[0] if code_paths else None,
                stdin=subprocess.DEVNULL,
                stdout=log_stream,
                # Ctrl-C reaches the stack, which then stops its environments in order.
                start_new_session=True,
            )
        self._socket = ours
        self._reader = ours.makefile("rb")
        self.alive = True
        ready = self._receive(INIT_TIMEOUT_SECONDS, "Init")
        if ready.get("type") != "ready":
            self.close()
            raise EnvironmentFailed(ready.get("error") or {"errorMessage": str(ready)})

    @property
    def pid(self) -> int:
        return self._process.pid

    def invoke(self, event: Any, request_id: str) -> Invocation:
        message = json.dumps({"request_id": request_id, "event": event}).encode("utf-8")
        try:
            self._socket.sendall(message + b"\n")
            reply = self._receive(self.runtime.timeout, "Task", request_id)
        except EnvironmentFailed as failure:
            return Invocation(request_id, error=failure.error)
        except (OSError, ValueError) as broken:  # ValueError: the stack closed the socket
            self.kill()
            return Invocation(request_id, error=self._exit_error(broken))
        if reply.get("type") == "result":
            return Invocation(request_id, result=reply.get("result"))
        return Invocation(request_id, error=reply.get("error") or {"errorMessage": str(reply)})

    def _receive(self, timeout: float, phase: str, request_id: str = "") -> dict[str, Any]:
        self._socket.settimeout(timeout)
        try:
            line = self._reader.readline()
        except TimeoutError:
            self.kill()
            prefix = f"RequestId: {request_id} " if request_id else ""
            raise EnvironmentFailed(
                {
                    "errorMessage": f"{prefix}{phase} timed out after {timeout:.2f} seconds",
                    "errorType": "Sandbox.Timedout",
                }
            ) from None
        if not line:
            self.kill()
            raise EnvironmentFailed(self._exit_error(None))
        reply: dict[str, Any] = json.loads(line)
        return reply

    def _exit_error(self, cause: BaseException | None) -> dict[str, Any]:
        status = self._process.poll()
        detail = f"exit status {status}" if status is not None else str(cause or "no reply")
        return {
            "errorMessage": f"Runtime exited with error: {detail}",
            "errorType": "Runtime.ExitError",
        }

    def kill(self) -> None:
        self.alive = False
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._close_socket()

    def close(self, grace_seconds: float = 2.0) -> None:
        """Stop the worker: closing the socket ends its loop; a stuck worker is killed."""
        self.begin_close()
        self.finish_close(grace_seconds)

    def begin_close(self) -> None:
        self.alive = False
        self._close_socket()

    def finish_close(self, grace_seconds: float = 2.0) -> None:
        try:
            self._process.wait(grace_seconds)
        except subprocess.TimeoutExpired:
            self.kill()

    def _close_socket(self) -> None:
        self._reader.close()
        self._socket.close()


class PoolClosed(Exception):
    pass


class FunctionPool:
    """The execution environments of one function, scaled on demand up to `max_concurrency`."""

    def __init__(
        self,
        runtime: FunctionRuntime,
        region: str,
        max_concurrency: int,
        log_stream: IO[Any] | None = None,
    ) -> None:
        self.runtime = runtime
        self.max_concurrency = max(1, max_concurrency)
        self._region = region
        self._log_stream = log_stream
        self._idle: list[ExecutionEnvironment] = []
        self._everyone: set[ExecutionEnvironment] = set()
        self._starting = 0
        self._closed = False
        self._changed = threading.Condition()
        self.cold_starts = 0

    @property
    def size(self) -> int:
        with self._changed:
            return len(self._everyone) + self._starting

    def invoke(self, event: Any, request_id: str | None = None) -> Invocation:
        request_id = request_id or str(uuid.uuid4())
        try:
            environment = self._acquire()
        except EnvironmentFailed as failure:
            return Invocation(request_id, error=failure.error)
        except PoolClosed:
            error = {"errorMessage": "the local stack is stopping", "errorType": "Stopping"}
            return Invocation(request_id, error=error)
        try:
            return environment.invoke(event, request_id)
        finally:
            self._release(environment)

    def _acquire(self) -> ExecutionEnvironment:
        with self._changed:
            while True:
                if self._closed:
                    raise PoolClosed(self.runtime.logical_id)
                if self._idle:
                    return self._idle.pop()
                if len(self._everyone) + self._starting < self.max_concurrency:
                    self._starting += 1
                    break
                self._changed.wait()
        environment: ExecutionEnvironment | None = None
        try:
            environment = ExecutionEnvironment(self.runtime, self._region, self._log_stream)
            return environment
        finally:
            with self._changed:
                self._starting -= 1
                if environment is not None:
                    self.cold_starts += 1
                    self._everyone.add(environment)
                self._changed.notify()

    def _release(self, environment: ExecutionEnvironment) -> None:
        with self._changed:
            if environment.alive and not self._closed:
                self._idle.append(environment)
            else:
                self._everyone.discard(environment)
            self._changed.notify()
        if not environment.alive or self._closed:
            environment.close()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            everyone = list(self._everyone)
            self._everyone.clear()
            self._idle.clear()
            self._changed.notify_all()
        # All at once: each worker takes a moment to wind down its interpreter.
        for environment in everyone:
            environment.begin_close()
        for environment in everyone:
            environment.finish_close()
