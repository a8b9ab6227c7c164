"""The procedure form described once: each field's path, label, tab and kind (no pydantic, no Qt here).

From this description come the editor's tabs and its tab map (which tab an error marks), the error labels
(domain/errors.FIELD_LABELS), undo's list of free text restored as typed, and the labels of the note's technique
table. The documentation items (domain/documentation_items.ITEMS) are described the same way and sit on the
Documentation tab; the record's fields themselves are the model's (domain/procedure.Procedure).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from facetdesk.domain.documentation_items import ITEMS as DOCUMENTATION_ITEMS

# The editor's tabs, in order (Qt shows "&&" as "&").
TABS: tuple[str, ...] = (
    "Procedure", "Indication", "Targets", "Medications", "Botulinum toxin", "Pain & relief", "Outcome",
    "Documentation", "RF ablation",
)  # fmt: skip

# text: typed text, restored exactly as typed by undo (validation strips it); choice: a list or an enum;
# yesno: yes / no / not recorded; check: on or off; number; when: a date and time; panel: a table or panel of its own.
Kind = Literal["text", "choice", "yesno", "check", "number", "when", "panel"]


@dataclass(frozen=True)
class FormField:
    """One field of the procedure form: where its value is in the record, what it is called, where it is."""

    path: tuple[str, ...]
    label: str
    tab: str
    kind: Kind
    help: str = ""
    # For typed text: an example shown in the empty field (never a value).
    placeholder: str = ""
    # On a tab laid out in groups (Documentation): the group it belongs to.
    group: str = ""
    # A choice the record defaults that the form still starts unchosen ("— choose —"): a default is not a fact.
    unchosen: bool = False
    # For a number: the unit shown after it, and how many decimals are typed.
    unit: str = ""
    decimals: int = 2
    # For a plain field added after format 3: the signed-content format that first covers it (domain/
    # signed_content makes that format from the descriptions). 0: covered by the formats' own field lists.
    signed_from: int = 0

    @property
    def key(self) -> str:
        return self.path[-1]


def _f(path: str, label: str, tab: str, kind: Kind, help: str = "", placeholder: str = "") -> FormField:
    return FormField(tuple(path.split(".")), label, tab, kind, help, placeholder)


# The procedure's own fields on the Documentation tab, each placed in a group of the documentation items:
# before the group's first item, or right after the item named.
_PLACED: tuple[tuple[FormField, str], ...] = (
    (FormField(("consent_obtained",), "Informed consent", "Documentation", "yesno", group="consent"), ""),
    (FormField(("time_out_performed",), "Time-out", "Documentation", "yesno", group="consent"), ""),
    (FormField(("position",), "Position", "Documentation", "choice", group="technique"), ""),
    (FormField(("skin_prep",), "Skin preparation", "Documentation", "choice", group="technique"), ""),
    (FormField(("needle",), "Needle", "Documentation", "text", "Gauge, length and type",
               "e.g. 22-gauge 3.5-inch spinal needle", group="technique"), "approach"),
)  # fmt: skip


def _documentation_tab() -> list[FormField]:
    out: list[FormField] = []
    seen: set[str] = set()
    for item in DOCUMENTATION_ITEMS:
        if item.group not in seen:
            seen.add(item.group)
            out += [f for f, after in _PLACED if f.group == item.group and not after]
        out.append(FormField(("documentation", item.key), item.label, "Documentation", item.kind, item.help,
                             group=item.group))  # fmt: skip
        out += [f for f, after in _PLACED if after == item.key]
    return out


FIELDS: tuple[FormField, ...] = (
    # Procedure
    _f("performed_at", "Date and time of procedure", "Procedure", "when"),
    _f("physician", "Performing physician", "Procedure", "text"),
    _f("technique", "Technique", "Procedure", "choice"),
    _f("intent", "Intent", "Procedure", "choice"),
    _f("guidance", "Image guidance", "Procedure", "choice"),
    _f("contrast", "Contrast", "Procedure", "check"),
    FormField(("sedation",), "Sedation", "Procedure", "choice", unchosen=True),
    _f("mbb_not_possible_reason", "Why a medial branch block is not possible", "Procedure", "text",
       "Required by the LCD for a diagnostic IA"),
    _f("rfa_not_candidate_reason", "Why not a radiofrequency candidate", "Procedure", "text",
       "Required by the LCD before a therapeutic IA or MBB"),
    _f("diagnoses", "Diagnoses", "Procedure", "choice"),
    # Indication
    _f("indication", "Indication", "Indication", "panel"),
    FormField(("indication", "pain_duration_months"), "Pain duration (months)", "Indication", "number", unit=" months"),
    _f("indication.conservative_care", "Conservative care", "Indication", "choice"),
    _f("indication.conservative_care_details", "Conservative care details", "Indication", "text",
       placeholder="e.g. 12 weeks of physical therapy, naproxen 500 mg BID"),
    _f("indication.pain_scale", "Pain scale", "Indication", "choice"),
    _f("indication.baseline_pain", "Usual pain at evaluation", "Indication", "number"),
    _f("indication.disability_scale", "Disability scale", "Indication", "choice"),
    FormField(("indication", "disability_score"), "Disability score", "Indication", "number", unit=" %", decimals=0),
    _f("indication.exclusions", "LCD exclusions", "Indication", "choice"),
    # Targets, medications, toxin, pain: panels of their own
    _f("targets", "Targets", "Targets", "panel"),
    _f("medications", "Medications", "Medications", "panel"),
    _f("botulinum_toxin", "Botulinum toxin", "Botulinum toxin", "panel"),
    _f("pre_procedure_pain", "Pre-injection pain (NRS)", "Pain & relief", "number"),
    _f("pain_scores", "Pain scores", "Pain & relief", "panel"),
    # Outcome
    _f("contrast_spread", "Contrast spread", "Outcome", "text",
       placeholder="e.g. along the medial branch, no vascular uptake"),
    _f("findings", "Findings", "Outcome", "text"),
    _f("estimated_blood_loss", "Estimated blood loss", "Outcome", "text", placeholder="e.g. minimal"),
    _f("complications", "Complications", "Outcome", "choice"),
    _f("complication_details", "Complication details", "Outcome", "text"),
    _f("post_procedure_diagnoses", "Post-procedure diagnoses", "Outcome", "choice"),
    _f("disposition", "Disposition", "Outcome", "choice"),
    _f("follow_up", "Follow-up", "Outcome", "text", placeholder="e.g. clinic review in 2 weeks with pain diary"),
    _f("notes", "Notes", "Outcome", "text"),
    # Documentation: the record's own fields among the documentation items, in the order the tab shows them
    _f("documentation", "Documentation", "Documentation", "panel"),
    *_documentation_tab(),
    # Radiofrequency ablation (issue 19): signed from format 4 on.
    FormField(("radiofrequency",), "Radiofrequency lesioning", "RF ablation", "panel", signed_from=4),
    FormField(("radiofrequency", "method"), "Lesioning method", "RF ablation", "choice", unchosen=True,
              help="The LCD covers thermal lesioning only", signed_from=4),
    FormField(("radiofrequency", "cannula_gauge"), "Cannula gauge", "RF ablation", "number", unit=" G",
              signed_from=4),
    FormField(("radiofrequency", "active_tip_mm"), "Active tip", "RF ablation", "number", unit=" mm", decimals=1,
              signed_from=4),
    FormField(("radiofrequency", "sensory_threshold_v"), "Sensory stimulation threshold", "RF ablation",
              "number", "Lowest voltage at which the patient felt the stimulation", unit=" V", decimals=1,
              signed_from=4),
    FormField(("radiofrequency", "motor_test"), "Motor stimulation", "RF ablation", "choice",
              "A limb or radicular response means the cannula is near a nerve root", signed_from=4),
    FormField(("radiofrequency", "temperature_c"), "Lesion temperature", "RF ablation", "number", unit=" °C",
              decimals=0, signed_from=4),
    FormField(("radiofrequency", "seconds_per_lesion"), "Time per lesion", "RF ablation", "number", unit=" s",
              signed_from=4),
    FormField(("radiofrequency", "lesions_per_nerve"), "Lesions per nerve", "RF ablation", "number",
              signed_from=4),
)  # fmt: skip
BY_PATH = {f.path: f for f in FIELDS}


def tab_of() -> dict[str, int]:
    """Which tab holds each top-level field (an error anywhere under it marks that tab)."""
    return {f.path[0]: TABS.index(f.tab) for f in FIELDS if len(f.path) == 1}


def text_paths() -> tuple[tuple[str, ...], ...]:
    """Fields of typed text: undo and recovered drafts put them back exactly as typed."""
    return tuple(f.path for f in FIELDS if f.kind == "text")


def labels() -> dict[str, str]:
    """Each field's label by its name, for error messages (domain/errors.FIELD_LABELS)."""
    return {f.key: f.label for f in FIELDS}
