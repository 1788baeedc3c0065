"""The web page beside the API, and the local-only sign-in.

The emulator asks this site only about requests that match no API route: it serves the files of
`web/` for GET and HEAD, the page's `/config.json`, and `/__local/…`, a sign-in that mints tokens
with the stack's own identity provider. None of this is in the template: deployed, CloudFront
serves `web/` from S3 and the page signs in with Cognito's hosted sign-in (see the README)."""

import hashlib
import ipaddress
import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal
from urllib.parse import parse_qs, unquote

from orderhelp_dev.local.apigw import HttpRequest, HttpResponse
from orderhelp_dev.local.bus import LocalBus
from orderhelp_dev.local.identities import TokenIssuer
from orderhelp_dev.local.mail import MAILBOX_CSS, LocalMail, mailbox_page

WEB_ROOT = Path(__file__).resolve().parents[3] / "web"
LOCAL_PREFIX = "/__local/"
"""Paths the local stack answers itself. API Gateway has no such routes, and the template none."""

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain; charset=utf-8",
    ".woff2": "font/woff2",
}
"""What the page is made of. A file of any other kind is not served."""

NOT_SERVED = frozenset({"node_modules", "package.json", "package-lock.json", "config.json"})
"""Build-time files beside the page, and a deploy-time config left in `web/` (locally the stack
writes the page's config itself)."""

VENDORED = {"vendor/chart.umd.min.js": "node_modules/chart.js/dist/chart.umd.min.js"}
"""Libraries the page uses, installed from npm (`web/package.json`) and served at `vendor/`, as
the README's upload puts them beside the page: the dashboard's charting library."""


def content_security_policy(file_origins: Sequence[str] = ()) -> str:
    """The policy CloudFront's response headers give the deployed page, less the API's and the
    sign-in's origins (locally both are this origin); with the embedded S3's origin, which takes
    the uploads and serves the attachments' links (deployed, https: covers the pictures)."""
    files = "".join(f" {origin}" for origin in file_origins)
    return (
        f"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:"
        f"{files}; connect-src 'self'{files}; font-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


CONTENT_SECURITY_POLICY = content_security_policy()

_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")

MAX_PATH_CHARACTERS = 1024
"""No file of the page has a path anywhere near this long."""

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
"""The names a browser on this machine reaches the stack by. The local sign-in answers only
requests addressed to one of them (or to the host the stack was told to serve on), so that a
web page whose own name is made to resolve to 127.0.0.1 (DNS rebinding) cannot mint tokens."""


def is_loopback(host: str) -> bool:
    """`localhost` or a loopback address (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(host_header: str) -> str:
    """The name in a `Host` header, without its port: `[::1]:3000` → `::1`."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


Role = Literal["customer", "agent"]


MAIL_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
"""An email's HTML is shown as it is, with nothing active allowed in it."""

MAILBOX_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


@dataclass(frozen=True)
class LocalOutbox:
    """What the local stack's events and emails path shows: the bus and the mail sent."""

    bus: LocalBus
    mail: LocalMail


@dataclass(frozen=True)
class LocalUser:
    user_id: str
    name: str
    role: Role
    locale: str


def entity_tag(body: bytes) -> str:
    """A strong validator of a file's bytes: the same file, the same tag, across restarts."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def if_none_match(headers: Sequence[tuple[str, str]]) -> set[str]:
    """The entity tags a conditional GET names (a weak `W/` tag compares as its strong one)."""
    tags: set[str] = set()
    for name, value in headers:
        if name.lower() == "if-none-match":
            tags |= {tag.strip().removeprefix("W/") for tag in value.split(",")}
    return tags


class LocalSite:
    def __init__(
        self,
        root: Path = WEB_ROOT,
        users: Sequence[LocalUser] = (),
        tokens: TokenIssuer | None = None,
        served_hosts: Collection[str] | None = LOOPBACK_NAMES,
        outbox: LocalOutbox | None = None,
        *,
        file_origins: Sequence[str] = (),
    ) -> None:
        """`served_hosts`: the names the local sign-in answers for; None for any name (a stack
        told to let the network sign in)."""
        self.root = root.resolve()
        self.users = list(users)
        self.outbox = outbox
        self.content_security_policy = content_security_policy(file_origins)
        self._tokens = tokens
        self._served_hosts = (
            None if served_hosts is None else frozenset(name.lower() for name in served_hosts)
        )

    def answer(self, request: HttpRequest) -> HttpResponse | None:
        """The answer to a request no API route took; None leaves it to API Gateway's 404."""
        if request.raw_path.startswith(LOCAL_PREFIX):
            return self._local(request)
        if request.method not in ("GET", "HEAD"):
            return None
        if request.raw_path == "/config.json":
            return _json(200, {"auth": "local", "api_url": ""})
        path = unquote(request.raw_path)
        if any(ord(char) < 0x20 or ord(char) == 0x7F for char in path):
            return _error(400, "bad_path", "A path holds no control characters.")
        if len(path) > MAX_PATH_CHARACTERS:
            return None
        return self._file(path, request.headers)

    # --- static files ---------------------------------------------------------------------------

    def _file(
        self, decoded_path: str, request_headers: Sequence[tuple[str, str]] = ()
    ) -> HttpResponse | None:
        path = self._path(decoded_path)
        if path is None:
            return None
        body = path.read_bytes()
        tag = entity_tag(body)
        headers = [
            ("content-type", CONTENT_TYPES[path.suffix]),
            # Edits show on the next load (the browser asks again every time, and a file that is
            # still the same is a 304 without its bytes); deployed, CloudFront caches the page.
            ("cache-control", "no-cache"),
            ("etag", tag),
            ("x-content-type-options", "nosniff"),
        ]
        if path.suffix == ".html":
            headers += [
                ("content-security-policy", self.content_security_policy),
                ("referrer-policy", "no-referrer"),
            ]
        if tag in if_none_match(request_headers):
            return HttpResponse(304, headers, b"")
        return HttpResponse(200, headers, body)

    def _path(self, decoded_path: str) -> Path | None:
        """The file `decoded_path` names under the root, or None for anything else."""
        vendored = VENDORED.get(decoded_path.lstrip("/"))
        if vendored is not None:
            path = self.root / vendored
            return path if path.is_file() else None
        relative = PurePosixPath(decoded_path.lstrip("/") or "index.html")
        parts = relative.parts
        if any(part.startswith(".") or part in NOT_SERVED or "\\" in part for part in parts):
            return None
        try:
            path = (self.root / relative).resolve()
            if not path.is_relative_to(self.root) or not path.is_file():
                return None
        except (OSError, ValueError):  # a name too long for the file system, and the like
            return None
        if path.suffix not in CONTENT_TYPES:
            return None
        return path

    # --- the local sign-in ----------------------------------------------------------------------

    def _local(self, request: HttpRequest) -> HttpResponse:
        endpoint = request.raw_path[len(LOCAL_PREFIX) :]
        headers = {name.lower(): value for name, value in request.headers}
        host = host_name(headers.get("host", ""))
        if self._served_hosts is not None and host not in self._served_hosts:
            return _error(
                403,
                "host_not_served",
                "The local sign-in answers only requests to the stack's own address "
                "(such as 127.0.0.1 or localhost).",
            )
        if endpoint == "users" and request.method == "GET":
            return _json(
                200,
                {
                    "users": [
                        {
                            "user_id": user.user_id,
                            "name": user.name,
                            "role": user.role,
                            "locale": user.locale,
                        }
                        for user in self.users
                    ]
                },
            )
        if request.method == "GET" and self.outbox is not None:
            introspection = self._introspection(endpoint, parse_qs(request.raw_query))
            if introspection is not None:
                return introspection
        if endpoint == "sign-in" and request.method == "POST":
            media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
            if media_type != "application/json":
                return _error(415, "unsupported_media_type", "Send the body as application/json.")
            return self._sign_in(request.body)
        return _error(404, "not_found", f"The local stack has no {request.method} {endpoint}.")

    def _introspection(  # noqa: PLR0911 — one answer per local page
        self, endpoint: str, query: dict[str, list[str]]
    ) -> HttpResponse | None:
        """The events that reached the bus and the emails sent (local-only; never deployed)."""
        assert self.outbox is not None
        first = {name: values[0] for name, values in query.items() if values}
        if endpoint == "events":
            return _json(200, {"events": self.outbox.bus.events(first.get("order_id"))})
        if endpoint == "mail":
            messages = self.outbox.mail.messages(first.get("to"))
            return _json(
                200,
                {
                    "messages": [
                        {k: v for k, v in m.to_json().items() if k != "id"} for m in messages
                    ]
                },
            )
        if endpoint == "mailbox":
            page = mailbox_page(self.outbox.mail.messages(first.get("to")), first.get("to"))
            return _page(page, "text/html; charset=utf-8", MAILBOX_CONTENT_SECURITY_POLICY)
        if endpoint == "mailbox.css":
            return _page(MAILBOX_CSS, "text/css; charset=utf-8", None)
        if endpoint.startswith("mail/") and endpoint.endswith(".html"):
            found = self.outbox.mail.find(endpoint.removeprefix("mail/").removesuffix(".html"))
            if found is None:
                return _error(404, "not_found", "There is no such email.")
            return _page(found.html, "text/html; charset=utf-8", MAIL_CONTENT_SECURITY_POLICY)
        return None

    def _sign_in(self, body: bytes) -> HttpResponse:
        """A token for any customer or agent id, as `orderhelp token` mints them."""
        if self._tokens is None:
            return _error(503, "no_identities", "This stack's template has no JWT authorizer.")
        try:
            fields = json.loads(body or b"{}")
        except (ValueError, RecursionError):
            return _error(400, "invalid_json", "The body is not valid JSON.")
        if not isinstance(fields, dict):
            return _error(400, "invalid_json", "The body must be a JSON object.")
        user_id, role = fields.get("user_id"), fields.get("role", "customer")
        if not isinstance(user_id, str) or not _IDENTIFIER.fullmatch(user_id):
            return _error(
                422,
                "validation_error",
                "user_id must be 1 to 64 letters, digits or . _ : - (starting with a letter "
                "or digit).",
            )
        if role not in ("customer", "agent"):
            return _error(422, "validation_error", "role must be 'customer' or 'agent'.")
        token = self._tokens.agent(user_id) if role == "agent" else self._tokens.customer(user_id)
        known = next((u for u in self.users if u.user_id == user_id and u.role == role), None)
        return _json(
            200,
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self._tokens.provider.user_token_seconds,
                "user": {
                    "user_id": user_id,
                    "name": known.name if known else user_id,
                    "role": role,
                    "locale": known.locale if known else None,
                },
            },
        )


def _json(status: int, body: Any) -> HttpResponse:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = [("content-type", "application/json"), ("cache-control", "no-store")]
    return HttpResponse(status, headers, data)


def _page(text: str, content_type: str, policy: str | None) -> HttpResponse:
    headers = [
        ("content-type", content_type),
        ("cache-control", "no-store"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
    ]
    if policy:
        headers.append(("content-security-policy", policy))
    return HttpResponse(200, headers, text.encode("utf-8"))


def _error(status: int, code: str, message: str) -> HttpResponse:
    return _json(status, {"error": {"code": code, "message": message}})
