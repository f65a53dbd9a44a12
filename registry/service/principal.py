"""Who is acting: an organisation in its role. Routes and commands build one; use cases check it."""

from __future__ import annotations

from dataclasses import dataclass

from registry.errors import NotPermitted

ROLE_OF_KIND = {
    "standards-body": "publisher",
    "certifier": "certifier",
    "platform": "platform",
    "admin": "admin",
    "regulator": "regulator",
    "accreditation-body": "accreditation-body",
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
            raise NotPermitted(f"this needs the role {' or '.join(roles)}; {self.org_id} is a {self.kind}")
        return self

    def require_org(self, org_id: str) -> Principal:
        if self.org_id != org_id and self.role != "admin":
            raise NotPermitted(f"{self.org_id} may not act for {org_id}")
        return self
