"""Who is calling: OAuth2 client-credentials JWTs and long-lived API keys.

Tokens are short-lived JWTs (PyJWT, HS256 with the service's secret) carrying the
organisation and its role. Pure functions: the clock is passed in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from registry.api.problems import Forbidden, Unauthorized

ISSUER = "pcf-registry"
AUDIENCE = "pcf-registry-api"
ALGORITHM = "HS256"

ROLE_OF_KIND = {
    "standards-body": "publisher",
    "certifier": "certifier",
    "platform": "platform",
    "admin": "admin",
}


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: an organisation acting in its role."""

    org_id: str
    kind: str
    client_id: str
    via: str  # "token" | "api-key"

    @property
    def role(self) -> str:
        return ROLE_OF_KIND[self.kind]

    def require(self, *roles: str) -> Principal:
        """The caller must have one of ``roles`` (admin always may)."""
        if self.role not in roles and self.role != "admin":
            raise Forbidden(f"this needs the role {' or '.join(roles)}; {self.org_id} is a {self.kind}")
        return self

    def require_org(self, org_id: str) -> Principal:
        if self.org_id != org_id and self.role != "admin":
            raise Forbidden(f"{self.org_id} may not act for {org_id}")
        return self


@dataclass(frozen=True)
class TokenIssuer:
    secret: bytes
    ttl_seconds: int = 900

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
