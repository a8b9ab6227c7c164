"""The documentation items a procedure note must carry beyond the technique, each described once (no pydantic here).

Each item is described once (key, label, group, whether it is how the clinic usually works, which procedures it
concerns); the editor's Documentation tab, the error labels, presets, copy-forward and the note are built from
it, and the record's model (domain/documentation.py) has one field per item. Nothing is ever filled in by
FacetDesk: an item not recorded prints as "not documented".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Group = Literal["consent", "technique", "radiation", "after"]
# Which procedures an item applies to: every one, those with botulinum toxin, those under fluoroscopy,
# those under fluoroscopy or CT (a radiation dose), those under any image guidance.
AppliesTo = Literal["all", "toxin", "fluoroscopy", "radiation", "imaging"]


@dataclass(frozen=True)
class Item:
    """One documentation item: its field, the words people read, and where it belongs."""

    key: str
    label: str
    group: Group
    # How the clinic usually works (a preset may fill it; a copied procedure carries it), as opposed to
    # what was said, seen or measured on the day, which is only ever entered for that procedure.
    usual: bool = False
    applies_to: AppliesTo = "all"
    help: str = ""
    # For a yes/no item: the words for yes and for no.
    yes_no: tuple[str, str] = ("Yes", "No")
    # False for an item printed as part of another (the dose unit, with the dose).
    printed: bool = True
    # How it is entered (domain/procedure_form.Kind): a yes/no, a choice (or several), a number.
    kind: Literal["yesno", "choice", "number"] = "choice"
    # The signed-content format that first covers it (domain/signed_content): an item added later names the
    # next format number here, on purpose, and that format is made from the descriptions.
    signed_from: int = 3


ITEMS: tuple[Item, ...] = (
    Item("risks_discussed", "Risks, benefits and alternatives", "consent", yes_no=("Discussed", "Not discussed"),
         help="Discussed with the patient before consent", kind="yesno"),
    Item("off_label_discussed", "Off-label use of botulinum toxin", "consent", applies_to="toxin",
         yes_no=("Discussed", "Not discussed"), help="Botulinum toxin for back or neck pain is off-label",
         kind="yesno"),
    Item("sterile_drape", "Sterile preparation and draping", "technique", usual=True, yes_no=("Done", "Not done"),
         kind="yesno"),
    Item("monitoring", "Monitoring", "technique", usual=True),
    Item("views", "Fluoroscopic views", "technique", usual=True, applies_to="fluoroscopy"),
    Item("approach", "Needle approach", "technique", usual=True, applies_to="imaging"),
    Item("aspiration", "Aspiration before injection", "technique"),
    Item("fluoroscopy_seconds", "Fluoroscopy time", "radiation", applies_to="fluoroscopy",
         help="As the C-arm reports it, in seconds", kind="number"),
    Item("radiation_dose", "Radiation dose", "radiation", applies_to="radiation",
         help="As the C-arm or CT console reports it", kind="number"),
    Item("radiation_dose_unit", "Dose unit", "radiation", usual=True, applies_to="radiation",
         help="The unit your C-arm or CT console reports", printed=False),
    Item("images_saved", "Images saved", "radiation", applies_to="imaging", yes_no=("Saved", "Not saved"),
         kind="yesno"),
    Item("neuro_check", "Post-procedure neurological check", "after"),
    Item("tolerance", "Tolerance", "after"),
)  # fmt: skip
ITEM_BY_KEY = {item.key: item for item in ITEMS}
GROUP_TITLES: dict[Group, str] = {
    "consent": "Consent",
    "technique": "Technique",
    "radiation": "Radiation and images",
    "after": "After the procedure",
}
USUAL_KEYS = tuple(item.key for item in ITEMS if item.usual)

# Bounds of what can be typed; they refuse typing slips, they are not clinical limits.
MAX_FLUOROSCOPY_SECONDS = 3600
MAX_RADIATION_DOSE = 1_000_000


def applies(applies_to: AppliesTo, guidance: str | None, toxin_given: bool) -> bool:
    """Whether an item concerns a procedure with this image guidance (a Guidance value) and toxin or not."""
    return {
        "all": True,
        "toxin": toxin_given,
        "fluoroscopy": guidance == "fluoroscopy",
        "radiation": guidance in ("fluoroscopy", "ct"),
        "imaging": guidance not in (None, "none"),
    }[applies_to]


APPLIES_WORDS: dict[AppliesTo, str] = {
    "all": "",
    "toxin": "applies when botulinum toxin is given",
    "fluoroscopy": "applies under fluoroscopic guidance",
    "radiation": "applies under fluoroscopic or CT guidance",
    "imaging": "applies under image guidance",
}
