"""One set of synthetic test records for every test layer (no real patient data).

- ``records``: patients and procedures, as raw form data (what a user types) or validated models, from the
  smallest complete record to a fully documented one, plus the small parts tests vary (targets, medications,
  pain scores, toxin).
- ``cases``: case files for the note, the exports and the command line.
- ``every_field``: records with every field of the domain models set, generated from the models.
"""
