"""Interchange formats: JSON case files (FHIR later)."""
