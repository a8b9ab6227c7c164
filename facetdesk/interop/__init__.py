"""Interchange formats: JSON case files, FHIR R4 bundles for the EHR, outcome rows (CSV) for registries."""
