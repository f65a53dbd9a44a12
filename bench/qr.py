"""Time the people-facing renderers: QR symbols, the printable label, the consumer page.

Run: python bench/qr.py  (prints milliseconds per call; no assertions)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from issuance.label_svg import render_label_svg
from issuance.model import Boundary, LabelClaims, Verification, VerifyStatus
from issuance.page import LabelPageView, render_label_page
from issuance.qr import label_url, make_qr, offline_url, render_qr

CLAIMS = LabelClaims(
    label_id="MFRGGZDFMZTWQ2LK",
    issuer="cqc",
    kid="0123456789abcdef",
    issued_at=datetime(2026, 6, 1, tzinfo=UTC),
    expires_at=datetime(2027, 6, 1, tzinfo=UTC),
    gtin="09506000134352",
    grade="B",
    value="2.35",
    declared_unit="1 kilogram",
    boundary=Boundary.CRADLE_TO_GRAVE,
    pack="example-standards-body/core@1.2.0",
    pack_digest="ab" * 8,
    scheme="gb-t-24067",
    declaration_digest="cd" * 8,
    status_uri="https://cl.example.org/status/1",
    status_idx=5,
)


def per_call_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat * 1000


def main() -> None:
    url = label_url("https://cl.example.org", CLAIMS.label_id)
    long_url = offline_url("https://cl.example.org", CLAIMS.label_id, bytes(range(250)))
    view = LabelPageView(
        verification=Verification(status=VerifyStatus.VALID, claims=CLAIMS, checked_at=datetime.now(UTC)),
        certifier_name="China Quality Certification Centre",
        pack_title="Core PCF rules",
        scheme_title="GB/T 24067",
    )
    cases: list[tuple[str, Callable[[], object], int]] = [
        (f"URL QR v{make_qr(url).version} SVG", lambda: render_qr(url, fmt="svg"), 200),
        (f"URL QR v{make_qr(url).version} PNG scale 4", lambda: render_qr(url, fmt="png"), 200),
        (
            f"offline QR v{make_qr(long_url, kind='offline').version} SVG",
            lambda: render_qr(long_url, kind="offline", fmt="svg"),
            50,
        ),
        (
            f"offline QR v{make_qr(long_url, kind='offline').version} PNG scale 4",
            lambda: render_qr(long_url, kind="offline", fmt="png"),
            50,
        ),
        (
            "printable label SVG (URL QR)",
            lambda: render_label_svg(CLAIMS, qr_url=url, certifier_name="C", pack_title="P"),
            200,
        ),
        ("consumer page HTML", lambda: render_label_page(view, lang="zh"), 2000),
    ]
    for name, fn, repeat in cases:
        print(f"{name:40s} {per_call_ms(fn, repeat):8.3f} ms")


if __name__ == "__main__":
    main()
