"""CORS as API Gateway HTTP APIs answer it, from the template's `CorsConfiguration`.

With CORS configured, API Gateway answers a preflight (`OPTIONS` with `Origin` and
`Access-Control-Request-Method`) itself, whatever the routes, and adds the CORS headers to the
answers of the integrations, ignoring any the function returned. An origin the configuration
does not allow gets no CORS header at all, so the browser keeps the answer from its page."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from orderhelp_dev.local.apigw import HttpResponse
from orderhelp_dev.local.template import resolve, resources


@dataclass(frozen=True)
class CorsConfiguration:
    allow_origins: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False

    def allows(self, origin: str) -> bool:
        origin = origin.lower()
        for allowed in (o.lower() for o in self.allow_origins):
            if allowed in ("*", origin):
                return True
            # `https://*` allows any origin of that scheme, as API Gateway reads it.
            if allowed.endswith("://*") and origin.startswith(allowed[:-1]):
                return True
        return False

    def preflight(self, headers: Mapping[str, str]) -> HttpResponse | None:
        """API Gateway's answer to a preflight, or None when the request is not one."""
        origin = headers.get("origin")
        if origin is None or "access-control-request-method" not in headers:
            return None
        cors: list[tuple[str, str]] = []
        if self.allows(origin):
            cors = [
                ("access-control-allow-origin", self._echoed(origin)),
                ("access-control-allow-methods", ",".join(self.allow_methods)),
            ]
            if self.allow_headers:
                cors.append(("access-control-allow-headers", ",".join(self.allow_headers)))
            if self.max_age is not None:
                cors.append(("access-control-max-age", str(self.max_age)))
            if self.allow_credentials:
                cors.append(("access-control-allow-credentials", "true"))
        return HttpResponse(204, cors, b"")

    def on_answer(self, headers: Mapping[str, str], response: HttpResponse) -> HttpResponse:
        """`response` with the CORS headers API Gateway gives it, and none of the function's."""
        kept = [(n, v) for n, v in response.headers if not n.startswith("access-control-")]
        origin = headers.get("origin")
        if origin is not None and self.allows(origin):
            kept.append(("access-control-allow-origin", self._echoed(origin)))
            if self.expose_headers:
                kept.append(("access-control-expose-headers", ",".join(self.expose_headers)))
            if self.allow_credentials:
                kept.append(("access-control-allow-credentials", "true"))
        return HttpResponse(response.status, kept, response.body)

    def _echoed(self, origin: str) -> str:
        # A wildcard is answered as `*` unless credentials are allowed, which needs the origin.
        if "*" in self.allow_origins and not self.allow_credentials:
            return "*"
        return origin


def cors_configuration(
    template: Mapping[str, Any], refs: Mapping[str, Any]
) -> CorsConfiguration | None:
    """The CORS configuration of the template's HTTP API, its references resolved locally."""
    for api in resources("AWS::Serverless::HttpApi", template).values():
        config = api.get("Properties", {}).get("CorsConfiguration")
        if config is None:
            continue
        if config is True:
            return CorsConfiguration(allow_origins=("*",), allow_methods=("*",))
        values = resolve(config, refs)
        return CorsConfiguration(
            allow_origins=_strings(values.get("AllowOrigins")),
            allow_methods=_strings(values.get("AllowMethods")),
            allow_headers=_strings(values.get("AllowHeaders")),
            expose_headers=_strings(values.get("ExposeHeaders")),
            max_age=int(values["MaxAge"]) if "MaxAge" in values else None,
            allow_credentials=bool(values.get("AllowCredentials", False)),
        )
    return None


def _strings(values: Sequence[Any] | None) -> tuple[str, ...]:
    return tuple(str(value) for value in values or ())
