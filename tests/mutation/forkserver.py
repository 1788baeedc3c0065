"""A pytest fork server for the mutation run: one process imports the test tools once, and each
mutant's test run is a fork of it that imports the (mutated) rules afresh from disk.

Starting Python, pytest, pydantic and hypothesis anew for each of hundreds of mutants costs more
than most of the tests that kill them. mutmut 2 runs a command per mutant; that command is
`client.py`, which hands its arguments and its output to this server and exits with the forked
run's exit code. A client killed by mutmut's timeout takes its run down with it.
"""

import contextlib
import importlib
import json
import os
import select
import signal
import socket
import sys
from importlib import metadata

PREIMPORTED = (
    "pytest",
    "hypothesis",
    "pydantic",
    "pydantic_settings",
    "statemachine",
    "yaml",
    # What the unit tests of the events' and API's code (orderhelp) load besides the rules.
    "boto3",
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.logging",
    "aws_lambda_powertools.metrics",
    "aws_lambda_powertools.tracing",
    "aws_lambda_powertools.utilities.idempotency",
)
"""Third-party only: nothing that imports the rules, which each run must read from disk."""
OURS = ("lifecycle", "orderhelp", "orderhelp_dev")


def preimport() -> None:
    for name in PREIMPORTED:
        importlib.import_module(name)
    # pytest's plugins too (schemathesis, xdist, cov...): imported anew, pytest would rewrite
    # the asserts of every module of theirs, which cost a run more than most mutants' tests.
    for plugin in metadata.entry_points(group="pytest11"):
        importlib.import_module(plugin.module)
    loaded = [m for m in sys.modules if m.split(".")[0] in OURS]
    if loaded:
        raise SystemExit(f"the fork server must not hold the project's modules: {loaded}")


def run_pytest(args: list[str], output_fd: int) -> int:
    import pytest

    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    try:
        return int(pytest.main(args))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


def wait_for(pid: int, conn: socket.socket) -> int:
    """The run's exit code; if the client hangs up first (mutmut's timeout), stop the run."""
    pidfd = os.pidfd_open(pid)
    try:
        while True:
            ready, _, _ = select.select([conn, pidfd], [], [])
            if pidfd in ready:
                return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
            if not conn.recv(1):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return -signal.SIGKILL
    finally:
        os.close(pidfd)


def serve(path: str) -> None:
    preimport()
    sys.dont_write_bytecode = True  # a stale .pyc would test an earlier mutant
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen()
        while True:
            conn, _ = server.accept()
            with conn:
                message, fds, _, _ = socket.recv_fds(conn, 1 << 16, 1)
                args = json.loads(message)
                pid = os.fork()
                if pid == 0:
                    server.close()
                    code = 1
                    try:
                        code = run_pytest(args, fds[0])
                    finally:
                        os._exit(code)
                for fd in fds:
                    os.close(fd)
                code = wait_for(pid, conn)
                with contextlib.suppress(OSError):  # the client may be gone
                    conn.sendall(str(code).encode())


if __name__ == "__main__":
    serve(sys.argv[1])
