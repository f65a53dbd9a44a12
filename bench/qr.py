"""Time the people-facing renderers: QR symbols, the printable label, the consumer page.

Run: python bench/qr.py  (prints milliseconds per call; no assertions)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from issuance.label_pdf import render_label_pdf
from issuance.label_svg import render_label_artwork, render_label_svg
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


def first_call_ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    url = label_url("https://cl.example.org", CLAIMS.label_id)
    long_url = offline_url("https://cl.example.org", CLAIMS.label_id, bytes(range(250)))
    view = LabelPageView(
        verification=Verification(status=VerifyStatus.VALID, claims=CLAIMS, checked_at=datetime.now(UTC)),
        certifier_name="China Quality Certification Centre",
        pack_title="Core PCF rules",
        scheme_title="GB/T 24067",
    )
    zh = {"certifier_name": "中国质量认证中心", "pack_title": "电解（原铝）铝锭，每吨，从摇篮到大门", "lang": "zh"}
    first = first_call_ms(lambda: render_label_svg(CLAIMS, qr_url=url, **zh))  # type: ignore[arg-type]
    print(f"{'printable label, first call (font load)':40s} {first:8.3f} ms")
    art = render_label_artwork(CLAIMS, qr_url=long_url, **zh)  # type: ignore[arg-type]
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
        ("printable label SVG zh (URL QR)", lambda: render_label_svg(CLAIMS, qr_url=url, **zh), 100),  # type: ignore[arg-type]
        ("printable label SVG small", lambda: render_label_svg(CLAIMS, qr_url=url, **zh, variant="small"), 100),  # type: ignore[arg-type]
        ("printable label PDF zh (offline QR)", lambda: render_label_pdf(art), 10),
        ("consumer page HTML", lambda: render_label_page(view, lang="zh"), 2000),
    ]
    for name, fn, repeat in cases:
        print(f"{name:40s} {per_call_ms(fn, repeat):8.3f} ms")


if __name__ == "__main__":
    main()
