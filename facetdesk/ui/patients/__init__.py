"""The patient list, the patient page and the patient form."""
