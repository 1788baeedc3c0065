"""The state folder of a running local stack: `.state/<port>/` (git-ignored).

`orderhelp serve` writes it at start and removes it when it stops; `orderhelp token` and
`orderhelp invoke --port` read it to find the stack's signing key and its embedded DynamoDB."""

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orderhelp_dev.local.template import TEMPLATE

DEFAULT_PORT = 3000
DEFAULT_STATE_ROOT = TEMPLATE.parents[1] / ".state"
SIGNING_KEY = "signing-key.pem"
STACK_INFO = "stack.json"


class NoStackError(Exception):
    """No local stack has left its state for that port."""


@dataclass(frozen=True)
class StackState:
    folder: Path

    @classmethod
    def for_port(cls, port: int, root: Path | None = None) -> "StackState":
        return cls((root or DEFAULT_STATE_ROOT) / str(port))

    @property
    def key_file(self) -> Path:
        return self.folder / SIGNING_KEY

    @property
    def info_file(self) -> Path:
        return self.folder / STACK_INFO

    def create(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for stale in (self.key_file, self.info_file):
            stale.unlink(missing_ok=True)

    def write_key(self, pem: bytes) -> None:
        # Readable by this user only, like any private key.
        descriptor = os.open(self.key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)

    def read_key(self) -> bytes:
        self._require()
        return self.key_file.read_bytes()

    def write_info(self, info: dict[str, Any]) -> None:
        # Written whole and renamed, so a reader never sees half a file.
        partial = self.info_file.with_suffix(".tmp")
        partial.write_text(json.dumps(info, indent=2), "utf-8")
        partial.replace(self.info_file)

    def read_info(self) -> dict[str, Any]:
        self._require()
        info: dict[str, Any] = json.loads(self.info_file.read_text("utf-8"))
        return info

    def remove(self) -> None:
        for name in (SIGNING_KEY, STACK_INFO, STACK_INFO.replace(".json", ".tmp")):
            (self.folder / name).unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # something else lives there; leave it
            self.folder.rmdir()

    def _require(self) -> None:
        if not self.info_file.exists() or not self.key_file.exists():
            raise NoStackError(
                f"no local stack is running with its state in {self.folder} "
                "(start one with `make run`, or pass the --port it runs on)"
            )
