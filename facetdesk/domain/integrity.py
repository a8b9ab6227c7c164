"""Content hashes of signed procedures and addenda: what a signature covers, spelled one way."""

from __future__ import annotations

from facetdesk.domain.audit import canonical_json, sha256_text
from facetdesk.domain.procedure import Addendum, Procedure

# Bookkeeping that changes without changing what was signed: the row id, the optimistic version
# (an addendum moves it on), and the addenda, which carry their own hashes.
_NOT_SIGNED_CONTENT = {"id", "version", "addenda"}


def procedure_content_hash(procedure: Procedure, patient_id: int) -> str:
    """SHA-256 of the signed procedure as stored, bound to its patient (moving it changes the hash)."""
    content = procedure.model_dump(mode="json", exclude=_NOT_SIGNED_CONTENT)
    return sha256_text(canonical_json({"patient_id": patient_id, "procedure": content}))


def addendum_content_hash(addendum: Addendum, procedure_uid: str, position: int) -> str:
    """SHA-256 of one addendum, bound to its procedure and its place among the addenda."""
    content = addendum.model_dump(mode="json")
    return sha256_text(canonical_json({"procedure_uid": procedure_uid, "position": position, "addendum": content}))
