"""Who is calling: OAuth2 client-credentials JWTs and long-lived API keys.

Tokens are short-lived JWTs (PyJWT, HS256 with the service's secret) carrying the
organisation and its role. Pure functions: the clock is passed in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from registry.api.problems import Unauthorized
from registry.errors import InputError
from registry.secretfiles import MIN_JWT_SECRET_BYTES as MIN_SECRET_BYTES
from registry.service.principal import ROLE_OF_KIND, Principal

ISSUER = "pcf-registry"
AUDIENCE = "pcf-registry-api"
ALGORITHM = "HS256"


@dataclass(frozen=True)
class TokenIssuer:
    secret: bytes
    ttl_seconds: int = 900

    def __post_init__(self) -> None:
        if len(self.secret) < MIN_SECRET_BYTES:
            raise InputError(
                f"the JWT secret has {len(self.secret)} bytes; it must be at least {MIN_SECRET_BYTES} (RFC 7518 3.2)"
            )

    def issue(self, principal: Principal, now: datetime) -> tuple[str, int]:
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": principal.client_id,
            "org": principal.org_id,
            "kind": principal.kind,
            "role": principal.role,
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int((now + timedelta(seconds=self.ttl_seconds)).timestamp()),
            "jti": secrets.token_urlsafe(12),
        }
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM), self.ttl_seconds

    def expiry_of(self, token: str) -> float:
        """The ``exp`` of a token already verified (read without checking the signature again)."""
        claims = jwt.decode(token, options={"verify_signature": False})
        return float(claims["exp"])

    def verify(self, token: str, now: datetime) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "org", "kind"], "verify_exp": False, "verify_nbf": False},
            )
        except jwt.PyJWTError as e:
            raise Unauthorized(f"invalid access token: {e}") from e
        ts = now.timestamp()
        if claims["exp"] <= ts:
            raise Unauthorized("access token expired", code="token-expired")
        if claims.get("nbf", 0) > ts + 60:
            raise Unauthorized("access token not yet valid")
        if claims["kind"] not in ROLE_OF_KIND:
            raise Unauthorized("access token names an unknown organisation kind")
        return Principal(org_id=claims["org"], kind=claims["kind"], client_id=claims["sub"], via="token")
