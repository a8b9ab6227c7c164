"""FHIR export of one procedure: a collection Bundle holding what the printed note holds.

Built and validated with ``fhir.resources``' R4B models (FHIR 4.3.0): fhir.resources 8 ships no
R4 (4.0.1) package, and the resources used here (Patient, Practitioner, Encounter, Condition,
Procedure, MedicationAdministration, MedicationStatement, AllergyIntolerance, Observation,
DetectedIssue, Provenance) are the same in R4 and R4B. Pure: no I/O, no Qt, no SQL; the caller
passes the decision-support findings and the catalog in.

What goes where, and what is deliberately text only:

- Every id is a UUID derived from the procedure's uid (same procedure, same ids); entries are
  addressed by ``urn:uuid:`` full URLs and refer to each other by them.
- The MRN and procedure identifier systems are the clinic's settings (Clinic settings → EHR interface); until
  it names them, ``urn:facetdesk:mrn`` and ``urn:facetdesk:procedure-uid`` stand in. The rule code system
  ``urn:facetdesk:decision-support-rule`` is FacetDesk's own.
- A signed procedure's note goes as a DocumentReference (LOINC 28570-0, resources/interchange.json) with the
  signed PDF attached, in the bundle and on its own (document.py).
- Codes only where the reference (clinical-facts.md §7, §8) or the catalog holds them: ICD-10-CM,
  CPT (derive_codes), LOINC 72514-3 for NRS pain scores (resources/codes.json), UCUM units.
  Body sites, routes, drugs (the catalog holds no RxNorm codes), the disability scales (their LOINC
  codes are unconfirmed) and the risk facts are text: no SNOMED CT or RxNorm code is invented.
- Relief (% and how long) is Procedure.outcome text: there is no LOINC code for % relief.
- A DetectedIssue per finding that is not met (or not evaluated); met checks are a Procedure note.
- Botulinum toxin units are UCUM ``[arb'U]`` (product-specific units), not international units.
- Every string is written in FHIR's characters (common.fhir_text): a pasted line break (U+000B, U+000C,
  U+2028) as a line break, a no-break or ideographic space as a space, any other control character as U+FFFD.
"""

from facetdesk.interop.fhir.bundle import build_bundle, bundle_json
from facetdesk.interop.fhir.common import NoteProse

__all__ = ["NoteProse", "build_bundle", "bundle_json"]
