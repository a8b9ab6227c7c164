"""PDF signatures (PAdES, via pyHanko): sign a note, append signed addendum pages, check a signed PDF.

Each addendum is appended as an incremental update (new pages, then a new signature), so the note's
own signature and every earlier addendum's stay valid in any PDF reader: each covers its revision.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

with warnings.catch_warnings():
    # pyHanko imports DSA support that cryptography marks deprecated; FacetDesk never uses DSA.
    warnings.simplefilter("ignore")
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.signers.pdf_cms import SimpleSigner
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.registry import SimpleCertificateStore

# pyHanko logs every validation detail at INFO/WARNING; the verdict comes back as data.
logging.getLogger("pyhanko").setLevel(logging.ERROR)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.ERROR)


def _asn1_cert(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _signer(key: ec.EllipticCurvePrivateKey, certificate: x509.Certificate, ca: x509.Certificate) -> SimpleSigner:
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return SimpleSigner(
        signing_cert=_asn1_cert(certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(der),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(ca)]),
    )


def sign_pdf(
    pdf: bytes,
    key: ec.EllipticCurvePrivateKey,
    certificate: x509.Certificate,
    ca: x509.Certificate,
    *,
    field_name: str,
    reason: str,
) -> bytes:
    """``pdf`` with an embedded PAdES signature (an incremental update: the original bytes are kept)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(field_name=field_name, reason=reason, subfilter=SigSeedSubFilter.PADES)
    return signers.sign_pdf(writer, meta, signer=_signer(key, certificate, ca)).getvalue()


def append_signed_pages(
    signed_pdf: bytes,
    pages_pdf: bytes,
    key: ec.EllipticCurvePrivateKey,
    certificate: x509.Certificate,
    ca: x509.Certificate,
    *,
    field_name: str,
    reason: str,
) -> bytes:
    """``signed_pdf`` with the pages of ``pages_pdf`` appended and signed, as one incremental update."""
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf), strict=False)
    source = PdfFileReader(io.BytesIO(pages_pdf), strict=False)
    for index in range(int(source.root["/Pages"]["/Count"])):
        page = source.find_page_for_modification(index)[0].get_object()
        drawing = writer.import_page_as_xobject(source, page_ix=index)
        contents = writer.add_object(generic.StreamObject(stream_data=b"q /P0 Do Q"))
        writer.insert_page(
            generic.DictionaryObject(
                {
                    pdf_name("/Type"): pdf_name("/Page"),
                    pdf_name("/MediaBox"): page["/MediaBox"],
                    pdf_name("/Resources"): generic.DictionaryObject(
                        {pdf_name("/XObject"): generic.DictionaryObject({pdf_name("/P0"): drawing})}
                    ),
                    pdf_name("/Contents"): contents,
                }
            )
        )
    meta = signers.PdfSignatureMetadata(field_name=field_name, reason=reason, subfilter=SigSeedSubFilter.PADES)
    return signers.sign_pdf(writer, meta, signer=_signer(key, certificate, ca)).getvalue()


@dataclass(frozen=True)
class PdfSignatureCheck:
    """One embedded signature as a validator sees it."""

    field: str
    signer: str
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the cryptographic signature holds
    trusted: bool  # the signer's certificate chains to a trusted clinic CA

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted


def check_pdf(pdf: bytes, trusted: list[x509.Certificate]) -> list[PdfSignatureCheck]:
    """Every embedded signature of ``pdf``, validated against the clinic CAs in ``trusted`` (no network)."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    out = []
    for embedded in reader.embedded_signatures:
        context = ValidationContext(
            trust_roots=[_asn1_cert(c) for c in trusted], allow_fetching=False, revocation_mode="soft-fail"
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            status = validate_pdf_signature(embedded, signer_validation_context=context)
        signer = status.signing_cert.subject.human_friendly if status.signing_cert is not None else "(unknown)"
        out.append(
            PdfSignatureCheck(
                embedded.field_name, signer, bool(status.intact), bool(status.valid), bool(status.trusted)
            )
        )
    return out
