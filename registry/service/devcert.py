"""A development TLS certificate for ``pcfreg serve --dev-cert``: self-signed, for localhost only.

Made on first use under the data directory (``tls/dev-cert.pem``, the key ``tls/dev-key.pem`` readable
by its owner only) and reused until it nears its end; its SHA-256 fingerprint is printed so that a
client can pin or trust it (``pcfreg pact pull --ca-file DATA/tls/dev-cert.pem``, ``curl --cacert``).
It is for loopback development: PACT partners need a certificate of a real certificate authority.
"""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from registry.errors import InputError, Location
from registry.secretfiles import read_private, write_private

DEV_NAMES = ("localhost",)
DEV_ADDRESSES = ("127.0.0.1", "::1")
DEV_VALIDITY = timedelta(days=365)  # a development certificate's lifetime (our choice, no standard's number)
RENEW_BEFORE = timedelta(days=7)  # made again when it has less than this left


@dataclass(frozen=True)
class ServerCertificate:
    cert_path: Path
    key_path: Path
    fingerprint: str  # SHA-256 of the certificate (DER), colon-separated hex as openssl prints it
    created: bool = False


def sha256_fingerprint(der: bytes) -> str:
    import hashlib

    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def dev_certificate(data_dir: Path, *, now: datetime) -> ServerCertificate:
    """The data directory's development certificate, made (or made again, when it nears its end) as needed."""
    from cryptography import x509

    folder = data_dir / "tls"
    cert_path, key_path = folder / "dev-cert.pem", folder / "dev-key.pem"
    if cert_path.is_file() and key_path.is_file():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if cert.not_valid_after_utc - RENEW_BEFORE > now:
            read_private(key_path, "TLS key")  # refuses a key others can read
            return ServerCertificate(cert_path, key_path, _fingerprint(cert))
        cert_path.unlink()
        key_path.unlink()
    cert_pem, key_pem = _make(now)
    write_private(key_path, key_pem)
    cert_path.write_bytes(cert_pem)
    return ServerCertificate(cert_path, key_path, _fingerprint(x509.load_pem_x509_certificate(cert_pem)), created=True)


def _fingerprint(cert: object) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    assert isinstance(cert, x509.Certificate)
    return sha256_fingerprint(cert.public_bytes(Encoding.DER))


def _make(now: datetime) -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pcfreg development certificate (localhost)")])
    alt_names: list[x509.GeneralName] = [x509.DNSName(n) for n in DEV_NAMES]
    alt_names += [x509.IPAddress(ipaddress.ip_address(a)) for a in DEV_ADDRESSES]
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + DEV_VALIDITY)
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def server_certificate(cert_file: str, key_file: str) -> ServerCertificate:
    """A certificate and key given with ``--tls-cert`` and ``--tls-key``, checked to load and to match."""
    from cryptography import x509

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(cert_file, key_file)
    except FileNotFoundError as e:
        raise InputError(f"TLS file not found: {e.filename}", Location(str(e.filename))) from e
    except (OSError, ssl.SSLError) as e:
        raise InputError(
            f"--tls-cert {cert_file} and --tls-key {key_file} are not a PEM certificate and its private key ({e})"
        ) from e
    cert = x509.load_pem_x509_certificate(Path(cert_file).read_bytes())
    return ServerCertificate(Path(cert_file), Path(key_file), _fingerprint(cert))
