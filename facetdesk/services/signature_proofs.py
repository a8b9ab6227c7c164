"""Signatures carried by case files: written by export-case, checked by import-case before anything is stored.

A case file's "signed by" is only words; what makes it a signature is the proof beside it: the signed texts,
the Ed25519 signature, the signer's certificate and the signed PDF. import-case stores a procedure as signed
(elsewhere) only when every part checks out against a certificate authority this database trusts.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from facetdesk.domain.case import SignatureProof
from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.procedure import Procedure
from facetdesk.domain.signed_content import (
    UnknownFormat,
    addendum_content,
    canonical_bytes,
    gives_signed_content,
    sha256_hex,
)
from facetdesk.storage import signatures as sigstore
from facetdesk.storage import trust as key_store
from facetdesk.trust import ca as ca_mod
from facetdesk.trust import keys, pades


def proofs_of(session: Session, procedure_id: int, uid: str) -> list[SignatureProof]:
    """The proofs of a stored procedure's signatures (empty for an unsigned or legacy-signed one)."""
    parts = sigstore.signatures_of(session, procedure_id)
    out = []
    for index, part in enumerate(parts):
        certificate = part.signer_certificate
        if part.key_id is not None:
            key = key_store.key_by_id(session, part.key_id)
            certificate = key.content_certificate if key else None
        if certificate is None:
            return []  # nothing another database could check
        out.append(
            SignatureProof(
                procedure_uid=uid,
                part=part.part,
                content_format=part.content_format,
                content=part.content,
                envelope=part.envelope,
                signature=_b64(part.signature),
                certificate=_b64(certificate),
                pdf_bytes=len(part.pdf),
                pdf=_b64(part.pdf) if index == len(parts) - 1 else "",
            )
        )
    return out


@dataclass(frozen=True)
class CheckedPart:
    """A part whose proof held, ready to store: the signed PDF as it stood after it."""

    proof: SignatureProof
    signature: bytes
    certificate: bytes
    pdf: bytes
    fingerprint: str


def check(
    label: tuple[str | int, ...],
    procedure: Procedure,
    proofs: Sequence[SignatureProof],
    trusted: Sequence[ca_mod.x509.Certificate],
) -> list[CheckedPart]:
    """Every part of the procedure's signatures checked; InvalidRecord naming the first that does not hold."""
    where = label + ("signature",)
    by_part = {p.part: p for p in proofs}
    wanted = range(len(procedure.addenda) + 1)
    if set(by_part) != set(wanted):
        raise _refused(
            where,
            "the case file says this procedure was signed, but does not carry the proof of "
            f"{'its signature' if not by_part else 'every signature (note and each addendum)'}: a signature "
            "cannot be imported from words in a file",
        )
    if not trusted:
        raise _refused(where, "this database has no certificate authority to check signatures against")
    newest = by_part[len(procedure.addenda)]
    pdf = _unb64(newest.pdf, where, "the signed PDF")
    out: list[CheckedPart] = []
    previous: SignatureProof | None = None
    for number in wanted:
        proof = by_part[number]
        name = "the signature" if number == 0 else f"addendum {number}'s signature"
        certificate_der = _unb64(proof.certificate, where, "the signer's certificate")
        try:
            certificate = ca_mod.load_der(certificate_der)
        except ValueError:
            raise _refused(where, f"{name}: the signer's certificate cannot be read") from None
        public = ca_mod.content_key_of(certificate)
        if public is None or not any(ca_mod.issued_by(certificate, ca) for ca in trusted):
            raise _refused(
                where,
                f"{name} is by {ca_mod.common_name(certificate)}, certified by "
                f"{certificate.issuer.rfc4514_string()}, which this database does not trust "
                "(an administrator adds a clinic's CA with 'facetdesk trust-ca FILE.pem')",
            )
        signature = _unb64(proof.signature, where, "the signature")
        envelope_bytes = proof.envelope.encode("utf-8")
        try:
            envelope = json.loads(proof.envelope)
        except ValueError:
            raise _refused(where, f"{name}: its envelope cannot be read") from None
        if canonical_bytes(envelope) != envelope_bytes or not keys.verify(public, envelope_bytes, signature):
            raise _refused(where, f"{name} is not a valid signature by the certificate's key")
        expected = {
            "procedure_uid": procedure.uid,
            "part": str(number),
            "content_format": str(proof.content_format),
            "key_fingerprint": keys.fingerprint(public),
            "previous_envelope_sha256": None if previous is None else sha256_hex(previous.envelope.encode("utf-8")),
            "content_sha256": sha256_hex(proof.content.encode("utf-8")),
        }
        wrong = [k for k, v in expected.items() if envelope.get(k) != v]
        if wrong:
            raise _refused(where, f"{name} was made for other content ({', '.join(wrong)})")
        if not certificate_valid(certificate, envelope):
            raise _refused(where, f"{name} was made outside its certificate's validity")
        _check_content(where, name, procedure, number, proof)
        if proof.pdf_bytes > len(pdf) or sha256_hex(pdf[: proof.pdf_bytes]) != envelope.get("pdf_sha256"):
            raise _refused(where, f"{name}: the signed PDF in the file is not the one signed")
        out.append(CheckedPart(proof, signature, certificate_der, pdf[: proof.pdf_bytes], keys.fingerprint(public)))
        previous = proof
    checks = pades.check_pdf(pdf, list(trusted))
    if len(checks) != len(out) or not all(c.ok for c in checks):
        raise _refused(where, "the signed PDF's embedded signatures do not all validate against a trusted CA")
    return out


def certificate_valid(certificate: ca_mod.x509.Certificate, envelope: dict) -> bool:
    from datetime import datetime, timezone

    try:
        moment = datetime.strptime(str(envelope.get("signed_at")), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return False
    return ca_mod.valid_at(certificate, moment)


def _check_content(where: tuple, name: str, procedure: Procedure, number: int, proof: SignatureProof) -> None:
    try:
        if number == 0:
            same = gives_signed_content(procedure, proof.content, proof.content_format)
        else:
            expected = addendum_content(procedure.uid, number - 1, procedure.addenda[number - 1], proof.content_format)
            same = canonical_bytes(expected) == proof.content.encode("utf-8")
    except (ValueError, KeyError, TypeError, UnknownFormat) as exc:
        raise _refused(where, f"{name}: its signed content cannot be checked ({exc})") from None
    if not same:
        raise _refused(where, f"{name}: the procedure in the file differs from what was signed")


def _refused(path: tuple, message: str) -> InvalidRecord:
    return InvalidRecord([FieldError(path, f"{message}; nothing was imported")])


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, where: tuple, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _refused(where, f"{what} is not base64") from None
