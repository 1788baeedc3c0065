"""Local identities: a signing key made when the stack starts, access tokens shaped like Cognito's,
and the checks API Gateway's JWT authorizer makes before a request reaches a function.

What the authorizer accepts (issuer, audiences) and what the clients are (which one uses client
credentials, its scopes, token lifetimes, the agents' group) are read from the template."""

import base64
import hashlib
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from orderhelp_dev.local.apigw import Authorization
from orderhelp_dev.local.template import resolve, resources

ALGORITHM = "RS256"
USER_SCOPES = "openid email"
"""What a customer's or agent's access token carries after hosted sign-in (the web client's
`AllowedOAuthScopes`)."""

_VALIDITY_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


@dataclass(frozen=True)
class JwtAuthorizerConfig:
    name: str
    issuer: str
    audience: tuple[str, ...]
    identity_source: str


def jwt_authorizers(
    template: Mapping[str, Any], refs: Mapping[str, Any]
) -> dict[str, JwtAuthorizerConfig]:
    """The JWT authorizers of the template's HTTP APIs, with issuer and audience resolved."""
    found = {}
    for api in resources("AWS::Serverless::HttpApi", template).values():
        for name, spec in api["Properties"].get("Auth", {}).get("Authorizers", {}).items():
            settings = spec.get("JwtConfiguration")
            if settings is None:
                continue
            found[name] = JwtAuthorizerConfig(
                name=name,
                issuer=str(resolve(settings["issuer"], refs)),
                audience=tuple(str(a) for a in resolve(settings.get("audience", []), refs)),
                identity_source=spec.get("IdentitySource", "$request.header.Authorization"),
            )
    return found


@dataclass(frozen=True)
class IdentityProvider:
    """The local stand-in for the user pool: who issues tokens, to which clients, for how long."""

    issuer: str
    user_client: str
    """The app client customers and agents sign in through."""
    machine_client: str
    """The app client of the shop's systems (client-credentials grant)."""
    machine_scopes: tuple[str, ...]
    agents_group: str
    user_token_seconds: int
    machine_token_seconds: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "IdentityProvider":
        fields = dict(data)
        fields["machine_scopes"] = tuple(fields["machine_scopes"])
        return cls(**fields)


def identity_provider(
    template: Mapping[str, Any], authorizer: JwtAuthorizerConfig
) -> IdentityProvider:
    """The user pool behind `authorizer`, from its app clients and groups in the template (the
    local stack names every resource by its logical id, so audiences are client logical ids)."""
    clients = resources("AWS::Cognito::UserPoolClient", template)
    ours = [aud for aud in authorizer.audience if aud in clients] or list(authorizer.audience)
    if not ours:
        raise ValueError(f"the JWT authorizer {authorizer.name} accepts no audience")

    def properties(client: str) -> dict[str, Any]:
        props: dict[str, Any] = clients.get(client, {}).get("Properties", {})
        return props

    machines = [
        c for c in ours if "client_credentials" in properties(c).get("AllowedOAuthFlows", [])
    ]
    users = [c for c in ours if c not in machines]
    machine = (machines or ours)[0]
    user = (users or ours)[0]
    groups = [
        group["Properties"].get("GroupName", logical_id)
        for logical_id, group in resources("AWS::Cognito::UserPoolGroup", template).items()
    ]
    return IdentityProvider(
        issuer=authorizer.issuer,
        user_client=user,
        machine_client=machine,
        machine_scopes=tuple(properties(machine).get("AllowedOAuthScopes", [])),
        agents_group=groups[0] if groups else "agents",
        user_token_seconds=_access_token_seconds(properties(user)),
        machine_token_seconds=_access_token_seconds(properties(machine)),
    )


def _access_token_seconds(client: Mapping[str, Any]) -> int:
    # Cognito's default: an access token lives one hour.
    validity = int(client.get("AccessTokenValidity", 1))
    unit = client.get("TokenValidityUnits", {}).get("AccessToken", "hours")
    return validity * _VALIDITY_UNITS[unit]


class SigningKey:
    """An RSA key pair; its `kid` is derived from the public key, as a JWKS would list it."""

    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        self.private_key = private_key
        public = private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        digest = hashlib.sha256(public).digest()
        self.kid = base64.urlsafe_b64encode(digest).decode().rstrip("=")[:22]

    @classmethod
    def generate(cls) -> "SigningKey":
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def from_pem(cls, pem: bytes) -> "SigningKey":
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the stack's signing key is not an RSA key")
        return cls(key)

    def to_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


class TokenIssuer:
    """Access tokens with the claims Cognito puts in them."""

    def __init__(
        self, key: SigningKey, provider: IdentityProvider, clock: Callable[[], float] = time.time
    ) -> None:
        self._key = key
        self.provider = provider
        self._clock = clock

    def customer(self, customer_id: str) -> str:
        return self._user_token(customer_id, groups=())

    def agent(self, agent_id: str) -> str:
        return self._user_token(agent_id, groups=(self.provider.agents_group,))

    def ops(self) -> str:
        client = self.provider.machine_client
        claims = {
            "sub": client,
            "client_id": client,
            "token_use": "access",
            "scope": " ".join(self.provider.machine_scopes),
            "version": 2,
        }
        return self._sign(claims, self.provider.machine_token_seconds)

    def _user_token(self, subject: str, groups: tuple[str, ...]) -> str:
        claims: dict[str, Any] = {
            "sub": subject,
            "client_id": self.provider.user_client,
            "token_use": "access",
            "scope": USER_SCOPES,
            "username": subject,
        }
        if groups:
            claims["cognito:groups"] = list(groups)
        return self._sign(claims, self.provider.user_token_seconds)

    def _sign(self, claims: dict[str, Any], lifetime: int) -> str:
        issued = int(self._clock())
        claims = {
            **claims,
            "iss": self.provider.issuer,
            "auth_time": issued,
            "iat": issued,
            "exp": issued + lifetime,
            "jti": str(uuid.uuid4()),
        }
        return jwt.encode(
            claims, self._key.private_key, algorithm=ALGORITHM, headers={"kid": self._key.kid}
        )


@dataclass(frozen=True)
class Refusal:
    """API Gateway's own answer when the authorizer refuses a request."""

    status: int
    message: str
    www_authenticate: str


class JwtAuthorizer:
    """API Gateway's JWT authorizer: find the token in the identity source, check its key and
    algorithm, issuer, audience (or `client_id` when there is no `aud`), expiry and not-before
    times, then the route's scopes (at least one of them)."""

    def __init__(self, config: JwtAuthorizerConfig, keys: Mapping[str, SigningKey]) -> None:
        self.config = config
        self._keys = dict(keys)
        prefix = "$request.header."
        if not config.identity_source.lower().startswith(prefix):
            raise ValueError(f"unsupported identity source {config.identity_source}")
        self._header = config.identity_source[len(prefix) :].lower()

    def authorize(
        self, headers: Mapping[str, str], route_scopes: tuple[str, ...]
    ) -> Authorization | Refusal:
        """`headers` with lower-cased names."""
        token = headers.get(self._header, "").strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        if not token:
            return Refusal(401, "Unauthorized", "Bearer")
        claims = self._verified_claims(token)
        if isinstance(claims, Refusal):
            return claims
        scopes = _token_scopes(claims)
        if route_scopes and not set(route_scopes) & set(scopes):
            wanted = " ".join(route_scopes)
            return Refusal(
                403,
                "Forbidden",
                f'Bearer scope="{wanted}" error="insufficient_scope" '
                f'error_description="expected scopes: [{wanted}]"',
            )
        # API Gateway passes the token's scopes only to routes that require scopes.
        return Authorization(claims=claims, scopes=scopes if route_scopes else None)

    def _verified_claims(self, token: str) -> dict[str, Any] | Refusal:
        try:
            return self._checked(token)
        except _Rejected as rejected:
            return Refusal(
                401,
                "Unauthorized",
                f'Bearer scope="" error="invalid_token" error_description="{rejected}"',
            )

    def _checked(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError:
            raise _Rejected("the token is not a valid JWT") from None
        if header.get("alg") != ALGORITHM:
            raise _Rejected(f"the token's algorithm must be {ALGORITHM}")
        key = self._keys.get(str(header.get("kid")))
        if key is None:
            raise _Rejected("the token was not signed by a known key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.private_key.public_key(),
                algorithms=[ALGORITHM],
                issuer=self.config.issuer,
                options={"verify_aud": False, "require": ["exp", "iss"]},
            )
        except jwt.InvalidTokenError as invalid:
            description = _DESCRIPTIONS.get(type(invalid), f"the token is not valid: {invalid}")
            raise _Rejected(description) from None
        audience = claims.get("aud")
        presented = ([audience] if isinstance(audience, str) else list(audience or [])) or [
            claims.get("client_id")
        ]
        if not set(self.config.audience) & set(presented):
            raise _Rejected("the token does not have a valid audience")
        return claims


class _Rejected(Exception):
    """Why the token is refused, in the words of API Gateway's `www-authenticate` header."""


_DESCRIPTIONS: dict[type[Exception], str] = {
    jwt.ExpiredSignatureError: "the token has expired",
    jwt.ImmatureSignatureError: "the token is not valid yet",
    jwt.InvalidIssuerError: "the token does not have a valid issuer",
}


def _token_scopes(claims: Mapping[str, Any]) -> list[str]:
    raw = claims.get("scope", claims.get("scp", ""))
    if isinstance(raw, list):
        return [str(scope) for scope in raw]
    return str(raw).split()
