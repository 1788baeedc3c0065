"""mutmut's test command under `make mutation`: `python tests/mutation/client.py PYTEST-ARGS`.

Hands the arguments and this process's output to the fork server named by
$MUTATION_FORKSERVER and exits with its run's exit code; without a server, runs pytest itself.
Kept to the standard library so it starts in milliseconds.
"""

import json
import os
import socket
import sys


def main() -> int:
    args = sys.argv[1:]
    path = os.environ.get("MUTATION_FORKSERVER")
    if not path:
        os.execv(sys.executable, [sys.executable, "-m", "pytest", *args])
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(path)
        socket.send_fds(conn, [json.dumps(args).encode()], [sys.stdout.fileno()])
        answer = conn.recv(16)
    return int(answer) if answer else 1


if __name__ == "__main__":
    sys.exit(main())
