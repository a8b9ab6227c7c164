"""A physician's key pairs, kept encrypted under a key derived from their password (Argon2id + AES-GCM).

Two key pairs per physician: Ed25519 signs FacetDesk's versioned content (docs/signatures.md); an
ECDSA P-256 key signs the PDF (PAdES), because the PDF readers' libraries verify P-256 everywhere while
Ed25519 in PDF signatures is not yet widely supported (poppler's pdfsig on Debian 12 cannot check it).
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from facetdesk.domain.signed_content import sha256_hex


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost; the defaults are RFC 9106's second recommendation (64 MiB, 3 passes)."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 4


# Tests replace this with the cheapest parameters (tests/conftest.py): the same code, without 64 MiB a key.
DEFAULT_KDF = KdfParams()


class WrongPassword(Exception):
    """The password does not open the key (or the stored key was altered)."""


@dataclass(frozen=True)
class PrivateKeys:
    """A physician's two private keys, in memory only while signing."""

    content: ed25519.Ed25519PrivateKey
    pdf: ec.EllipticCurvePrivateKey

    @classmethod
    def generate(cls) -> PrivateKeys:
        return cls(ed25519.Ed25519PrivateKey.generate(), ec.generate_private_key(ec.SECP256R1()))

    def content_public(self) -> bytes:
        return raw_public(self.content.public_key())

    def to_bytes(self) -> bytes:
        der = serialization.Encoding.DER
        pkcs8 = serialization.PrivateFormat.PKCS8
        none = serialization.NoEncryption()
        return json.dumps(
            {
                "content": _b64(self.content.private_bytes(der, pkcs8, none)),
                "pdf": _b64(self.pdf.private_bytes(der, pkcs8, none)),
            }
        ).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> PrivateKeys:
        parts = json.loads(data)
        content = serialization.load_der_private_key(_unb64(parts["content"]), None)
        pdf = serialization.load_der_private_key(_unb64(parts["pdf"]), None)
        assert isinstance(content, ed25519.Ed25519PrivateKey) and isinstance(pdf, ec.EllipticCurvePrivateKey)
        return cls(content, pdf)


def raw_public(key: ed25519.Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def content_public_key(public_raw: bytes) -> ed25519.Ed25519PublicKey:
    return ed25519.Ed25519PublicKey.from_public_bytes(public_raw)


def pdf_public_der(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_pdf_public(der: bytes) -> ec.EllipticCurvePublicKey:
    key = serialization.load_der_public_key(der)
    assert isinstance(key, ec.EllipticCurvePublicKey)
    return key


def fingerprint(public_raw: bytes) -> str:
    """SHA-256 of the raw Ed25519 public key, hex: the key's name everywhere it is shown or printed."""
    return sha256_hex(public_raw)


def short_fingerprint(full: str) -> str:
    """The first 128 bits in groups of four, upper case: enough to compare by eye, short enough to print."""
    head = full[:32].upper()
    return " ".join(head[i : i + 4] for i in range(0, len(head), 4))


def sign(key: ed25519.Ed25519PrivateKey, message: bytes) -> bytes:
    return key.sign(message)


def verify(public_raw: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is the Ed25519 signature of ``message`` by the key ``public_raw``."""
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def wrap(secret: bytes, password: str, params: KdfParams | None = None) -> bytes:
    """``secret`` encrypted under a key derived from ``password``; the salt and costs travel with it."""
    params = params or DEFAULT_KDF
    salt, nonce = os.urandom(16), os.urandom(12)
    key = _derive(password, salt, params)
    sealed = AESGCM(key).encrypt(nonce, secret, b"facetdesk-key-v1")
    return json.dumps(
        {
            "v": 1,
            "kdf": "argon2id",
            "t": params.time_cost,
            "m": params.memory_kib,
            "p": params.parallelism,
            "salt": _b64(salt),
            "nonce": _b64(nonce),
            "sealed": _b64(sealed),
        },
        sort_keys=True,
    ).encode()


def unwrap(blob: bytes, password: str) -> bytes:
    """The secret ``wrap`` sealed; WrongPassword when the password (or the blob) is not the one sealed."""
    try:
        box = json.loads(blob)
        params = KdfParams(int(box["t"]), int(box["m"]), int(box["p"]))
        key = _derive(password, _unb64(box["salt"]), params)
        return AESGCM(key).decrypt(_unb64(box["nonce"]), _unb64(box["sealed"]), b"facetdesk-key-v1")
    except (InvalidTag, KeyError, ValueError, TypeError) as exc:
        raise WrongPassword() from exc


def _derive(password: str, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(
        password.encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)
