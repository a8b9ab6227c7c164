"""The clinic's own certificate authority: made at first start, it certifies each physician's keys.

Its private key is kept encrypted under the administrators' passwords (storage.trust); its certificate
is what a clinic imports into its PDF readers to trust FacetDesk's signed notes, and what ``verify``
checks every signing key against.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from facetdesk.domain.signed_content import sha256_hex
from facetdesk.trust.keys import raw_public

# A clinic CA outlives its physicians' keys; a key's certificate lasts as long as a career's records need.
CA_YEARS = 30
KEY_YEARS = 25
# Clocks on clinic workstations drift; a certificate is valid from a little before it was made.
_BACKDATE = timedelta(hours=1)


@dataclass(frozen=True)
class ClinicCa:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


def _name(common_name: str, organisation: str) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64] or "FacetDesk")]
    if organisation:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]))
    return x509.Name(attrs)


def create_ca(clinic_name: str, now: datetime | None = None) -> ClinicCa:
    now = now or datetime.now(timezone.utc)
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(f"{clinic_name or 'Clinic'} FacetDesk signing CA", clinic_name)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return ClinicCa(key, certificate)


def issue(
    ca: ClinicCa,
    display_name: str,
    username: str,
    public_key: ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey,
    now: datetime | None = None,
) -> x509.Certificate:
    """A certificate for one of a physician's keys, signed by the clinic CA."""
    now = now or datetime.now(timezone.utc)
    organisation = _organisation(ca.certificate)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, display_name[:64]),
            x509.NameAttribute(NameOID.USER_ID, username[:64]),
            *([x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation)] if organisation else []),
        ]
    )
    ski = ca.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + timedelta(days=365 * KEY_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .sign(ca.key, hashes.SHA256())
    )


def _usage(cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=not cert_sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _organisation(certificate: x509.Certificate) -> str:
    found = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return str(found[0].value) if found else ""


def issued_by(certificate: x509.Certificate, ca_certificate: x509.Certificate) -> bool:
    """Whether the CA signed this certificate (signature and issuer name checked)."""
    if certificate.issuer != ca_certificate.subject:
        return False
    try:
        certificate.verify_directly_issued_by(ca_certificate)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def valid_at(certificate: x509.Certificate, moment: datetime) -> bool:
    return certificate.not_valid_before_utc <= moment <= certificate.not_valid_after_utc


def content_key_of(certificate: x509.Certificate) -> bytes | None:
    """The raw Ed25519 public key a content certificate certifies, or None for any other key."""
    key = certificate.public_key()
    return raw_public(key) if isinstance(key, ed25519.Ed25519PublicKey) else None


def common_name(certificate: x509.Certificate) -> str:
    found = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(found[0].value) if found else "(no name)"


def der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def load_der(data: bytes) -> x509.Certificate:
    return x509.load_der_x509_certificate(data)


def load_pem(data: bytes) -> x509.Certificate:
    return x509.load_pem_x509_certificate(data)


def certificate_fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER bytes, hex (what PDF readers and certutil show, without colons)."""
    return sha256_hex(der(certificate))


def ca_key_bytes(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def ca_key_from_bytes(data: bytes) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_der_private_key(data, None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key
