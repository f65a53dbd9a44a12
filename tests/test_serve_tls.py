"""`pcfreg serve` over HTTPS on loopback: a development certificate made on demand, or a given pair."""

from __future__ import annotations

import hashlib
import re
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pact_fake_host import serving_registry

from registry.service.devcert import dev_certificate, sha256_fingerprint


def _fingerprint_of(pem: Path) -> str:
    cert = x509.load_pem_x509_certificate(pem.read_bytes())
    digest = hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, 64, 2))


def test_serve_over_https_with_a_dev_certificate_then_a_given_pair(tmp_path: Path) -> None:
    data = tmp_path / "pcfreg-data"
    cert, key = data / "tls" / "dev-cert.pem", data / "tls" / "dev-key.pem"
    with serving_registry(data, "--dev-cert") as (base, log):
        trusted = ssl.create_default_context(cafile=cert)
        health = httpx.get(f"{base}/healthz", verify=trusted)
        assert health.status_code == 200
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(f"{base}/healthz")  # not trusted without the certificate as CA
        with pytest.raises(httpx.TransportError):
            httpx.get(base.replace("https://", "http://") + "/healthz")  # no plain HTTP on a TLS port
        output = log.read_text()
    assert f"SHA-256 fingerprint {_fingerprint_of(cert)}" in output and "(made now)" in output
    assert f"serving on {base}" in output and "Traceback" not in output
    assert key.stat().st_mode & 0o077 == 0

    with serving_registry(data, "--tls-cert", str(cert), "--tls-key", str(key), ca=cert) as (base, log):
        assert httpx.get(f"{base}/healthz", verify=ssl.create_default_context(cafile=cert)).status_code == 200
        output = log.read_text()
    assert re.search(rf"TLS certificate {re.escape(str(cert))}, SHA-256", output) and "(made now)" not in output


def test_the_dev_certificate_is_reused_and_renewed_near_its_end(tmp_path: Path) -> None:
    now = datetime(2026, 12, 6, tzinfo=UTC)
    first = dev_certificate(tmp_path, now=now)
    again = dev_certificate(tmp_path, now=now + timedelta(days=30))
    assert first.created and not again.created and again.fingerprint == first.fingerprint
    cert = x509.load_pem_x509_certificate(first.cert_path.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert {str(a) for a in names.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "::1"}
    renewed = dev_certificate(tmp_path, now=cert.not_valid_after_utc - timedelta(days=1))
    assert renewed.created and renewed.fingerprint != first.fingerprint
    assert (
        renewed.fingerprint
        == _fingerprint_of(renewed.cert_path)
        == sha256_fingerprint(x509.load_pem_x509_certificate(renewed.cert_path.read_bytes()).public_bytes(Encoding.DER))
    )
