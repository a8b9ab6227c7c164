"""Botulinum toxin given elsewhere (neurology, a cosmetic clinic...): part of the patient's toxin exposure.

A record of the patient's history, kept with the patient like their anticoagulants: when, which product, how many
of that product's units, for what and who gave it. The toxin rules count it with the toxin given here; units of
different products are never added or converted (Botox label, clinical-facts.md §6).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints, ValidationInfo, field_validator

from facetdesk.domain.base import Model, date_not_in_future, is_stored
from facetdesk.domain.enums import BotoxProduct
from facetdesk.domain.procedure_form import FormField

# What may be typed as one visit's units (not a clinical limit): rimabotulinumtoxinB is dosed in thousands of its
# units, so the bound is the largest vial the toxin editor accepts; beyond it a number is a typing slip.
MAX_VISIT_UNITS = 10000

Said = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ToxinElsewhere(Model):
    given_on: date
    product: BotoxProduct
    # In the product's own units: never converted into another product's.
    units: float = Field(gt=0, le=MAX_VISIT_UNITS)
    indication: Said
    # Who gave it or where, and how the clinic knows (a letter, the patient's account).
    source: Said

    @field_validator("given_on")
    @classmethod
    def _past(cls, v: date, info: ValidationInfo) -> date:
        return v if is_stored(info) else date_not_in_future(v)

    def summary(self) -> str:
        """One line, as the patient page, the note and the findings say it."""
        return (
            f"{self.units:g} U {self.product.value} on {self.given_on:%Y-%m-%d} elsewhere "
            f"({self.indication}; {self.source})"
        )


# The entry form, described once (as the follow-up's): the dialog builds its widgets from it.
FIELDS: tuple[FormField, ...] = (
    FormField(("product",), "Product", "Toxin elsewhere", "choice"),
    FormField(("units",), "Units", "Toxin elsewhere", "number",
              "In this product's own units: units of different products are never converted", unit=" U",
              decimals=1),
    FormField(("indication",), "Indication", "Toxin elsewhere", "text", placeholder="chronic migraine"),
    FormField(("source",), "Given by / source", "Toxin elsewhere", "text",
              "Who gave it, and how you know (letter, the patient's account)",
              placeholder="neurology clinic, per the patient"),
)  # fmt: skip
