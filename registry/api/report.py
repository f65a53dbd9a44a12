"""Signed, expiring links to a stored validation's HTML report, for people without a bearer token (an
auditor's colleague, a client): ``/v1/validations/{id}/report?expires=<unix seconds>&sig=<hex>``.

``sig`` is HMAC-SHA256 under a key derived from the registry secret over the validation id and the expiry,
compared in constant time; an expired or altered link is refused with a 403 page that says which.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

DEFAULT_TTL = timedelta(days=7)
MAX_TTL = timedelta(days=90)


@dataclass(frozen=True)
class ReportLinks:
    key: bytes

    @classmethod
    def derived_from(cls, secret: bytes) -> ReportLinks:
        return cls(hmac.new(secret, b"pcf-registry validation report link v1", hashlib.sha256).digest())

    def _sig(self, validation_id: str, expires: int) -> str:
        return hmac.new(self.key, f"{validation_id}\x00{expires}".encode(), hashlib.sha256).hexdigest()

    def path(self, validation_id: str, expires_at: datetime) -> str:
        expires = int(expires_at.timestamp())
        return f"/v1/validations/{validation_id}/report?expires={expires}&sig={self._sig(validation_id, expires)}"

    def refusal(self, validation_id: str, expires: int, sig: str, now: datetime) -> str | None:
        """None when the link holds; else "forged" (the signature does not fit) or "expired"."""
        if not hmac.compare_digest(sig.encode(), self._sig(validation_id, expires).encode()):
            return "forged"
        if now.timestamp() >= expires:
            return "expired"
        return None


_WHY = {
    "forged": (
        "This report link is not valid: it was altered or was not issued by this registry.",
        "此报告链接无效：链接已被改动，或并非本登记系统签发。",
    ),
    "expired": (
        "This report link has expired. Ask the certifier who sent it for a new link.",
        "此报告链接已过期。请向发送链接的认证机构索取新链接。",
    ),
}


def refusal_page(why: str) -> str:
    en, zh = _WHY[why]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Report link refused</title><style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;
padding:0 1rem;color:#1b1b1b}} h1{{color:#b42318}}</style></head><body><main>
<h1>Report link refused / 报告链接被拒绝</h1><p>{escape(en)}</p><p lang="zh">{escape(zh)}</p>
</main></body></html>"""
