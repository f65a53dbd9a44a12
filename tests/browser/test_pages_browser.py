"""Every state of the consumer page, and the pages around it, in headless Chromium (issue 14).

A registry is served from a fresh data directory, labels are issued, suspended and revoked through its
API, a grading catalogue is published, and each page is opened at a phone (390x844) and a desktop
(1280x800) size, in Chinese and English, light and dark (``page.emulate_media(color_scheme=...)``).
The registry's clock is the app's ``ServiceContext.clock``, replaced here by one the test sets: an
expired label is shown by moving the clock past its expiry, never by waiting.

Each page is checked for its content (verdict text, grade, scale, ``lang``), not its pixels, and by
axe-core in the browser: no violation of serious or critical impact, in either colour scheme. axe-core
comes bundled in the PyPI package ``axe-playwright-python`` (axe-core is MPL-2.0, Deque Systems; the
Python wrapper is MIT). Screenshots are kept in ``artifacts_dir()``.

The "out of scope" state (the certifier was not accredited for the label on its issue date) is one the
registry never serves (it refuses to issue outside an accreditation); the offline verifier gives it, and
shows it with the same renderer, so that page is rendered from a real label's claims and opened with
``set_content``.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from browser_support import artifacts_dir

from issuance import LabelClaims, LabelPageView, Verification, VerifyStatus, render_label_page
from issuance.i18n import TEXTS
from registry.api.app import build_context, create_app
from registry.catalogues import Catalogue, sign_catalogue
from registry.packs.catalog import Catalog
from registry.packs.signing import load_private_key
from registry.service.bootstrap import DEMO_CERTIFIER, EXAMPLE_BODY, init_data_dir, signing_key_path
from registry.storage.settings import StorageSettings

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
LANGS = ("en", "zh")
SCHEMES = ("light", "dark")
HTML_LANG = {"en": "en", "zh": "zh-Hans"}
# What one page may weigh, uncompressed (no script, no asset: this is all a phone loads). About half is the
# shared style sheet (light and dark); the consumer page of an illustrative grade carries the pack's basis.
BUDGET = 8 * 1024
CATALOGUE_ID = f"{EXAMPLE_BODY}/browser-test-grades"
# TEST DATA: a made-up catalogue for these tests, sourced from nothing (no catalogue is shipped).
CATALOGUE = {
    "format": "pcf-registry/gradingcatalogue/1.0",
    "id": CATALOGUE_ID,
    "version": "1.0.0",
    "title": {"en": "Test grades", "zh": "测试等级"},
    "publisher": {"id": EXAMPLE_BODY, "name": {"en": "Example body", "zh": "示例机构"}, "role": "scheme-owner"},
    "effective": {"from": "2026-01-01"},
    "transition": {"policy": "keep-until-expiry"},
    "categories": [
        {
            "id": "aluminium-ingot",
            "title": {"en": "Primary aluminium ingot", "zh": "原铝锭"},
            "match": {"packs": [f"{EXAMPLE_BODY}/aluminium-ingot"]},
            "metric": "pcfExcludingBiogenicUptake",
            "declaredUnit": {"amount": "1000", "unit": "kilogram"},
            "unit": "kg CO2e per tonne",
            "basis": {
                "kind": "fixed",
                "source": {"title": "TEST DATA: a made-up regulation for the tests", "locator": "Table 1 (test)"},
                "bands": [{"grade": "1", "max": "5000"}, {"grade": "2", "max": "15000"}, {"grade": "3"}],
            },
        }
    ],
}

# TEST DATA: the demo certifier's public contact (made up; .example is reserved for examples, RFC 2606).
CONTACT = {
    "email": "labels@demo-certifier.example",
    "url": "https://demo-certifier.example/contact",
    "phone": "+86 10 6532 1234",
    "address": "北京市示例区\n示例路 1 号",
}


@cache
def _bundled() -> Catalog:
    """The bundled packs, read once (their examples are the declarations labelled here)."""
    return Catalog.bundled()


class Clock:
    """The registry's clock in these tests: real time, or a moment the test sets."""

    def __init__(self) -> None:
        self.fixed: datetime | None = None

    def __call__(self) -> datetime:
        return self.fixed or datetime.now(UTC)


@dataclass
class Site:
    base: str
    clock: Clock
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _headers(base: str, cred: Any) -> dict[str, str]:
    if cred.kind == "api-key":
        return {"X-API-Key": f"{cred.client_id}.{cred.secret}"}
    form = {"grant_type": "client_credentials"}
    token = httpx.post(f"{base}/v1/auth/token", data=form, auth=(cred.client_id, cred.secret)).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def gtin(serial: int) -> str:
    """A GTIN-14 with a valid check digit (GS1 General Specifications 7.9.1: weights 3 and 1 from the right)."""
    body = f"0950600013{serial:03d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def _issue(base: str, headers: dict[str, str], pack: str) -> dict[str, Any]:
    """A new label for the pack's example declaration, on a product (GTIN) of its own: issuing the same
    declaration for the same product again answers the label already issued."""
    example = _bundled().resolve(f"{EXAMPLE_BODY}/{pack}").example
    _issue.serial += 1  # type: ignore[attr-defined]
    body = {"declaration": example, "gtin": gtin(_issue.serial)}  # type: ignore[attr-defined]
    r = httpx.post(f"{base}/v1/labels", json=body, headers=headers, timeout=60)
    assert r.status_code == 201, r.text
    return dict(r.json())


_issue.serial = 0  # type: ignore[attr-defined]


def _populate(site: Site, data: Path, creds: dict[str, Any]) -> None:
    certifier = _headers(site.base, creds[DEMO_CERTIFIER])
    labels = site.labels
    labels["illustrative"] = _issue(site.base, certifier, "aluminium-ingot")  # before any catalogue
    contact = httpx.put(f"{site.base}/v1/orgs/{DEMO_CERTIFIER}/contact", json=CONTACT, headers=certifier)
    assert contact.status_code == 200, contact.text
    labels["ungraded"] = _issue(site.base, certifier, "ev-traction-battery")
    for state, action in (("suspended", "suspend"), ("revoked", "revoke"), ("expired", None)):
        labels[state] = _issue(site.base, certifier, "passenger-car-tyre")
        if action:
            url = f"{site.base}/v1/labels/{labels[state]['id']}/{action}"
            assert httpx.post(url, json={"reason": "audit under review"}, headers=certifier).status_code == 200
    key = load_private_key(Path(signing_key_path(data)).read_bytes())
    envelope = sign_catalogue(Catalogue(CATALOGUE), key, EXAMPLE_BODY)
    body = _headers(site.base, creds[EXAMPLE_BODY])
    assert httpx.post(f"{site.base}/v1/catalogues", json=envelope, headers=body).status_code == 201
    labels["catalogue"] = _issue(site.base, certifier, "aluminium-ingot")
    assert labels["catalogue"]["verification"]["label"]["catalogue"] == f"{CATALOGUE_ID}@1.0.0"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data = tmp_path_factory.mktemp("pages") / "data"
    report = init_data_dir(StorageSettings(data_dir=data), now=datetime.now(UTC))
    creds = {c.org_id: c for c in report.credentials}
    ctx = build_context(data)
    clock = Clock()
    ctx.clock = clock  # the app's clock dependency, replaced for the test
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline, "the registry did not start"
        time.sleep(0.05)
    out = Site(base=f"http://127.0.0.1:{port}", clock=clock)
    try:
        _populate(out, data, creds)
        yield out
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    return Axe()


# ------------------------------------------------------------------ what each page must show


def _t(lang: str, key: str, **values: str) -> str:
    template = TEXTS[lang][key]  # type: ignore[index]
    return template.format(**values) if values else template


def _text(page: Any) -> str:
    return " ".join(page.inner_text("body").split())


def _verdict(page: Any, lang: str, status: str) -> None:
    assert page.inner_text("header h1") == _t(lang, f"status.{status}")
    assert page.locator("body > header").count() == 1 and page.locator("body > main").count() == 1


def _scale(page: Any, lang: str, grade: str, grades: list[str], category: str, illustrative: bool) -> None:
    bands = page.locator(".scale li")
    assert [b.inner_text().split()[0] for b in bands.all()] == grades
    here = page.locator(".scale li.here")
    assert here.count() == 1 and here.inner_text().split()[0] == grade
    assert _t(lang, "scale.here") in here.inner_text()  # the place in words, not by colour alone
    heading = page.inner_text(".scale h2")
    assert heading == _t(lang, "scale.illustrative" if illustrative else "scale")
    text = _text(page)
    assert " ".join(_t(lang, "scale.compared", category=category).split()) in text
    assert ("kg CO₂e per tonne" if lang == "en" else "kg CO₂e 每吨") in text
    if illustrative:  # "illustrative" as large as the grades on the scale
        size = "getComputedStyle(document.querySelector('{}')).fontSize"
        assert page.evaluate(size.format(".scale h2")) == page.evaluate(size.format(".scale .g"))


def _links_human_pages(page: Any) -> None:
    hrefs = [a.get_attribute("href") or "" for a in page.locator("footer a").all()]
    assert any("/page" in h or h.endswith("/grading") for h in hrefs), hrefs
    assert not any(h.startswith(("/v1/trust-list", "/v1/rulepacks/")) and "/grading" not in h for h in hrefs)


def check_illustrative(page: Any, lang: str, site: Site) -> None:
    _verdict(page, lang, "valid")
    pack = _bundled().get(f"{EXAMPLE_BODY}/aluminium-ingot").data["title"][lang]
    _scale(page, lang, site.labels["illustrative"]["verification"]["label"]["grade"], list("ABCDE"), pack, True)
    _links_human_pages(page)
    assert _t(lang, "product.compare") in _text(page)
    assert "每吨" in _text(page) if lang == "zh" else "per tonne" in _text(page)
    assert _t(lang, "log", index="0", size="1").split()[0] in _text(page)  # the log line is shown


def check_catalogue(page: Any, lang: str, site: Site) -> None:
    _verdict(page, lang, "valid")
    _scale(page, lang, "2", ["1", "2", "3"], {"en": "Primary aluminium ingot", "zh": "原铝锭"}[lang], False)
    hrefs = [a.get_attribute("href") for a in page.locator("footer a").all()]
    assert f"/v1/catalogues/{CATALOGUE_ID}/versions/1.0.0/page" in hrefs


def check_ungraded(page: Any, lang: str, site: Site) -> None:
    _verdict(page, lang, "valid")
    assert page.locator(".scale").count() == 0
    assert _t(lang, "scale.none", why="").strip() in _text(page)


def _stale(status: str) -> Callable[[Any, str, Site], None]:
    def check(page: Any, lang: str, site: Site) -> None:
        _verdict(page, lang, status)
        text = _text(page)
        assert _t(lang, "claims.past") in text and _t(lang, f"reason.key.{status}") in text
        assert page.locator(".scale.stale").count() == 1  # what it stated, the scale too, marked not current

    return check


def check_out_of_scope(page: Any, lang: str, site: Site) -> None:
    _verdict(page, lang, "out_of_scope")
    assert _t(lang, "reason.key.not_accredited") in _text(page)


def check_unknown(page: Any, lang: str, site: Site) -> None:
    _verdict(page, lang, "unknown")
    assert _t(lang, "status.unknown.help") in _text(page)


def check_landing(page: Any, lang: str, site: Site) -> None:
    assert page.locator("form[role=search] input[name=q]").count() == 1
    assert page.inner_text("h1") == {"en": "Carbon label registry", "zh": "碳标签登记平台"}[lang]


def check_grading(page: Any, lang: str, site: Site) -> None:
    assert page.inner_text("h1") == _t(lang, "grading.title")
    assert page.locator("table tbody tr").count() == 5
    assert _t(lang, "grading.illustrative") in _text(page)


def check_certifier(page: Any, lang: str, site: Site) -> None:
    assert page.inner_text("h1") == "Demo Certifier" or page.inner_text("h1").strip()
    text = _text(page)
    assert _t(lang, "certifier.accreditations") in text and _t(lang, "accreditation.active") in text
    assert _t(lang, "certifier.contact") in text
    for part in ("email", "url", "phone", "address"):  # the contact the certifier published
        assert _t(lang, f"certifier.contact.{part}") in text
    hrefs = [a.get_attribute("href") for a in page.locator("main a").all()]
    assert f"mailto:{CONTACT['email']}" in hrefs and CONTACT["url"] in hrefs
    assert "示例路 1 号" in text


def check_catalogue_page(page: Any, lang: str, site: Site) -> None:
    assert page.inner_text("header h1") == CATALOGUE["title"][lang]  # type: ignore[index]
    assert page.locator("body > header").count() == 1 and page.locator("body > main").count() == 1
    assert page.locator("body > footer").count() == 1
    assert "5,000" in _text(page) or "5000" in _text(page)
    assert {"en": "Grade bands", "zh": "等级划分"}[lang] in _text(page)
    switch = page.locator("header .switch a")
    assert switch.inner_text() == _t(lang, "switch")
    assert switch.get_attribute("hreflang") == HTML_LANG["zh" if lang == "en" else "en"]


def check_directory(page: Any, lang: str, site: Site) -> None:
    assert page.inner_text("h1") == {"en": "Directory of certified products", "zh": "认证产品目录"}[lang]
    assert page.locator("form[role=search]").count() == 1 and page.locator("main table tbody tr").count() >= 1
    certifiers = page.locator(f'main td a[href="/v1/certifiers/{DEMO_CERTIFIER}/page?lang={lang}"]')
    assert certifiers.count() >= 1  # each product links its certifier's page (name, accreditation, contact)


@dataclass(frozen=True)
class Case:
    name: str
    path: Callable[[Site], str]
    check: Callable[[Any, str, Site], None]
    status: int = 200
    at: Callable[[Site], datetime | None] = lambda site: None  # the registry's clock for this page


def _label(kind: str) -> Callable[[Site], str]:
    return lambda site: f"/L/{site.labels[kind]['id']}"


def _expired_at(site: Site) -> datetime:
    expires = site.labels["expired"]["verification"]["label"]["expires_at"]
    return datetime.fromisoformat(expires) + timedelta(days=1)


CASES = [
    Case("genuine-catalogue-grade", _label("catalogue"), check_catalogue),
    Case("genuine-illustrative-grade", _label("illustrative"), check_illustrative),
    Case("genuine-ungraded", _label("ungraded"), check_ungraded),
    Case("suspended", _label("suspended"), _stale("suspended")),
    Case("revoked", _label("revoked"), _stale("revoked")),
    Case("expired", _label("expired"), _stale("expired"), at=_expired_at),
    Case("out-of-scope", lambda site: "", check_out_of_scope),
    Case("unknown-label", lambda site: "/L/AAAAAAAAAAAAAAAA", check_unknown, status=404),
    Case("landing", lambda site: "/", check_landing),
    Case(
        "grading-page",
        lambda site: (
            f"/v1/rulepacks/{EXAMPLE_BODY}/aluminium-ingot/versions/"
            + site.labels["illustrative"]["verification"]["label"]["pack"].split("@")[1]
            + "/grading"
        ),
        check_grading,
    ),
    Case("certifier-page", lambda site: f"/v1/certifiers/{DEMO_CERTIFIER}/page", check_certifier),
    Case("catalogue-page", lambda site: f"/v1/catalogues/{CATALOGUE_ID}/versions/1.0.0/page", check_catalogue_page),
    Case("directory", lambda site: "/directory", check_directory),
]


def _out_of_scope_html(site: Site, lang: str) -> str:
    """The page the offline verifier shows for a label whose certifier was not accredited for it at issue."""
    claims = LabelClaims.model_validate(site.labels["illustrative"]["verification"]["label"])
    v = Verification(
        status=VerifyStatus.OUT_OF_SCOPE,
        reason="not_accredited",
        detail="the accreditation did not cover this product category on the issue date",
        label_id=claims.label_id,
        claims=claims,
        checked_at=datetime.now(UTC),
    )
    return render_label_page(LabelPageView(verification=v, page_path=f"/L/{claims.label_id}"), lang=lang)  # type: ignore[arg-type]


def _serious(axe: Any, page: Any) -> list[str]:
    found = axe.run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in found if v.get("impact") in ("serious", "critical")]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_page_in_every_viewport_language_and_scheme(case: Case, browser: Any, site: Site, axe: Any) -> None:
    context = browser.new_context(viewport=VIEWPORTS["phone"], bypass_csp=True)  # axe is injected as a script
    page = context.new_page()
    out = artifacts_dir()
    site.clock.fixed = case.at(site)
    try:
        for lang in LANGS:
            page.set_viewport_size(VIEWPORTS["phone"])
            if case.name == "out-of-scope":
                page.set_content(_out_of_scope_html(site, lang))
            else:
                sep = "&" if "?" in case.path(site) else "?"
                response = page.goto(f"{site.base}{case.path(site)}{sep}lang={lang}")
                assert response is not None and response.status == case.status
                size = len(response.body())
                assert size <= BUDGET, f"{case.name} ({lang}) is {size} bytes, over the {BUDGET}-byte budget"
            assert page.evaluate("document.documentElement.lang") == HTML_LANG[lang]
            assert page.locator("script").count() == 0
            case.check(page, lang, site)
            for scheme in SCHEMES:
                page.emulate_media(color_scheme=scheme)
                assert _serious(axe, page) == [], (case.name, lang, scheme)
                for shape, viewport in VIEWPORTS.items():
                    page.set_viewport_size(viewport)
                    page.screenshot(path=str(out / f"page-{case.name}-{lang}-{scheme}-{shape}.png"), full_page=True)
                page.set_viewport_size(VIEWPORTS["phone"])
    finally:
        site.clock.fixed = None
        context.close()


def test_the_language_switch_keeps_the_label(browser: Any, site: Site) -> None:
    label_id = site.labels["illustrative"]["id"]
    page = browser.new_page(viewport=VIEWPORTS["phone"])
    try:
        page.goto(f"{site.base}/L/{label_id}?lang=en")
        switch = page.locator("header .switch a")
        assert switch.inner_text() == "中文" and switch.get_attribute("lang") == "zh-Hans"
        switch.click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/L/{label_id}?lang=zh")
        assert page.evaluate("document.documentElement.lang") == "zh-Hans"
        assert page.inner_text("header h1") == TEXTS["zh"]["status.valid"]
        assert page.locator("header .switch a").inner_text() == "English"
    finally:
        page.close()


def test_dark_mode_changes_the_colours(browser: Any, site: Site) -> None:
    page = browser.new_page(viewport=VIEWPORTS["phone"])
    try:
        page.goto(f"{site.base}/L/{site.labels['catalogue']['id']}?lang=en")
        ground = "getComputedStyle(document.body).backgroundColor"
        page.emulate_media(color_scheme="light")
        light = page.evaluate(ground)
        page.emulate_media(color_scheme="dark")
        assert page.evaluate(ground) != light and page.evaluate(ground) == "rgb(11, 18, 32)"
    finally:
        page.close()


def test_unknown_pack_and_certifier_pages_say_so(site: Site) -> None:
    pack = httpx.get(f"{site.base}/v1/rulepacks/{EXAMPLE_BODY}/aluminium-ingot/versions/9.9.9/grading")
    assert pack.status_code == 404 and pack.headers["content-type"].startswith("application/problem+json")
    who = httpx.get(f"{site.base}/v1/certifiers/no-such-certifier/page", params={"lang": "zh"})
    assert who.status_code == 404 and TEXTS["zh"]["certifier.unknown"] in who.text
    platform = httpx.get(f"{site.base}/v1/certifiers/demo-platform/page")  # an organisation, not a certifier
    assert platform.status_code == 404


def test_the_catalogue_page_switches_language(browser: Any, site: Site) -> None:
    path = f"/v1/catalogues/{CATALOGUE_ID}/versions/1.0.0/page"
    page = browser.new_page(viewport=VIEWPORTS["phone"])
    try:
        page.goto(f"{site.base}{path}?lang=en")
        switch = page.locator("header .switch a")
        assert switch.inner_text() == "中文" and switch.get_attribute("lang") == "zh-Hans"
        switch.click()
        page.wait_for_load_state()
        assert page.url.endswith(f"{path}?lang=zh")
        assert page.evaluate("document.documentElement.lang") == "zh-Hans"
        assert page.inner_text("header h1") == CATALOGUE["title"]["zh"]  # type: ignore[index]
        page.locator("header .switch a").click()
        page.wait_for_load_state()
        assert page.url.endswith(f"{path}?lang=en") and page.inner_text("header h1") == "Test grades"
    finally:
        page.close()
