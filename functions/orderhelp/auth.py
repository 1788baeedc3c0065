"""Who is calling, read from the JWT authorizer's context that API Gateway puts on the event.

API Gateway has already checked the token's signature, issuer, audience, expiry and the route's
scopes; the handlers only decide what this caller may see."""

import json
import re
from dataclasses import dataclass
from typing import Any

from orderhelp.errors import Forbidden, Unauthorized

OPS_SCOPE = "orders/ops"
AGENTS_GROUP = "agents"


@dataclass(frozen=True)
class Caller:
    subject: str
    scopes: frozenset[str]
    groups: frozenset[str]

    @property
    def is_ops(self) -> bool:
        return OPS_SCOPE in self.scopes

    @property
    def is_agent(self) -> bool:
        return AGENTS_GROUP in self.groups


def caller_from(event: dict[str, Any]) -> Caller:
    """The caller of an API Gateway HTTP API (v2) event; `Unauthorized` without an identity."""
    jwt = ((event.get("requestContext") or {}).get("authorizer") or {}).get("jwt") or {}
    claims = jwt.get("claims") or {}
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise Unauthorized("This request carries no identity.")
    scopes = jwt.get("scopes") or claims.get("scope", "")
    return Caller(
        subject=subject,
        scopes=frozenset(scopes.split() if isinstance(scopes, str) else scopes),
        groups=frozenset(parse_list_claim(claims.get("cognito:groups"))),
    )


def parse_list_claim(value: Any) -> list[str]:
    """A list-valued claim as API Gateway passes it: a JSON array, the string `[a b]` (how the JWT
    authorizer flattens arrays), `a,b`, or a plain value."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    text = str(value).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return [str(item) for item in parsed]
        text = text.strip("[]")
    return [part for part in re.split(r"[\s,]+", text) if part]


def require_ops(caller: Caller) -> Caller:
    if not caller.is_ops:
        raise Forbidden(
            f"This route needs the '{OPS_SCOPE}' scope.",
            text_key="forbidden_scope",
            values={"scope": OPS_SCOPE},
        )
    return caller


def require_agent(caller: Caller) -> Caller:
    if not caller.is_agent:
        raise Forbidden("This route is for customer service agents.", text_key="forbidden_agents")
    return caller
