"""Procedure record: targets, medications, botulinum toxin, pain scores and outcome."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from facetdesk.domain.base import (
    MAX_ROW_ID,
    LongText,
    Model,
    Name,
    RowId,
    ShortText,
    duplicates,
    is_stored,
    local_naive,
    not_in_future,
)
from facetdesk.domain.catalog import Agent, Catalog, get_catalog
from facetdesk.domain.documentation import ProcedureDocumentation
from facetdesk.domain.documentation_items import Item, applies
from facetdesk.domain.enums import (
    BotoxProduct,
    Complication,
    ConservativeCare,
    DisabilityScale,
    Disposition,
    ExclusionAnswer,
    Guidance,
    Intent,
    MedicationSite,
    NeuroCheck,
    PainScale,
    Position,
    Sedation,
    Side,
    SkinPrep,
    Technique,
    VolumeBasis,
)
from facetdesk.domain.radiofrequency import Lesioning
from facetdesk.domain.text import shown

Nrs = Annotated[int, Field(ge=0, le=10)]


class Target(Model):
    """One facet joint on one side."""

    model_config = Model.model_config | {"frozen": True}

    level: str
    side: Side

    @field_validator("level")
    @classmethod
    def _known_level(cls, v: str) -> str:
        catalog = get_catalog()
        if catalog.joint(v) is None:
            raise ValueError(
                f"{shown(v)} is not a facet joint; allowed: {catalog.joints[0].level} to {catalog.joints[-1].level}"
            )
        return v

    def __str__(self) -> str:
        return f"{self.level} {self.side.label.lower()}"


class ExclusionCheck(Model):
    """The physician's answer to one LCD exclusion (resources/lcd_exclusions.json) for this procedure."""

    key: str
    answer: ExclusionAnswer

    @field_validator("key")
    @classmethod
    def _known(cls, v: str, info: ValidationInfo) -> str:
        catalog = get_catalog()
        # A stored answer stays readable after a clinic drops the exclusion from its resources.
        if catalog.exclusion(v) is None and not is_stored(info):
            allowed = ", ".join(e.key for e in catalog.exclusions) or "none (no lcd_exclusions.json)"
            raise ValueError(f"{shown(v)} is not an LCD exclusion; allowed: {allowed}")
        return v

    @field_validator("answer")
    @classmethod
    def _exception_exists(cls, v: ExclusionAnswer, info: ValidationInfo) -> ExclusionAnswer:
        exclusion = get_catalog().exclusion(info.data.get("key", ""))
        if v == ExclusionAnswer.EXCEPTED and exclusion is not None and exclusion.exception is None:
            raise ValueError(f"the LCD names no exception to '{exclusion.question}': answer yes or no")
        return v


class Indication(Model):
    pain_duration_months: int | None = Field(default=None, ge=0, le=1200)
    conservative_care: list[ConservativeCare] = Field(default_factory=list)
    conservative_care_details: ShortText = ""
    pain_scale: PainScale = PainScale.NRS
    baseline_pain: Nrs | None = None
    disability_scale: DisabilityScale | None = None
    disability_score: float | None = Field(default=None, ge=0, le=100)
    # LCD exclusions answered for this procedure; an exclusion not listed is not recorded.
    exclusions: list[ExclusionCheck] = Field(default_factory=list)

    @field_validator("exclusions")
    @classmethod
    def _one_answer_each(cls, v: list[ExclusionCheck]) -> list[ExclusionCheck]:
        dup = duplicates(e.key for e in v)
        if dup:
            raise ValueError(f"{', '.join(dup)} answered more than once")
        order = {e.key: i for i, e in enumerate(get_catalog().exclusions)}
        return sorted(v, key=lambda e: order.get(e.key, len(order)))

    def exclusion_answer(self, key: str) -> ExclusionAnswer | None:
        """The recorded answer to one exclusion, or None when it was not recorded."""
        return next((e.answer for e in self.exclusions if e.key == key), None)

    @field_validator("disability_score")
    @classmethod
    def _scale_named(cls, v: float | None, info: ValidationInfo) -> float | None:
        if v is not None and info.data.get("disability_scale") is None:
            raise ValueError("name the disability scale (ODI or NDI) the score was measured on")
        return v


class MedicationAdministration(Model):
    """A syringe's worth of one agent: strength x volume, given per joint, per nerve or in total."""

    agent: str
    concentration_mg_per_ml: float
    volume_ml: float = Field(gt=0, le=100)
    volume_basis: VolumeBasis = VolumeBasis.TOTAL
    # Skin infiltration counts toward the anaesthetic dose but not toward joint or nerve volumes.
    site: MedicationSite = MedicationSite.TARGET

    @field_validator("agent")
    @classmethod
    def _known_agent(cls, v: str) -> str:
        catalog = get_catalog()
        if catalog.agent(v) is None:
            raise ValueError(
                f"{shown(v)} is not in the drug catalog; allowed: {', '.join(a.key for a in catalog.agents)}"
            )
        return v

    @field_validator("concentration_mg_per_ml")
    @classmethod
    def _available_strength(cls, v: float, info: ValidationInfo) -> float:
        agent = get_catalog().agent(info.data.get("agent", ""))
        if agent is not None and agent.strength(v) is None and not is_stored(info):
            offered = ", ".join(s.label for s in agent.strengths)
            raise ValueError(f"{agent.name} comes in {offered}; {v:g} {agent.concentration_unit} is not one of them")
        return v

    def catalog_agent(self, catalog: Catalog | None = None) -> Agent:
        agent = (catalog or get_catalog()).agent(self.agent)
        assert agent is not None  # validated on construction
        return agent

    def multiplier(self, procedure: Procedure) -> int:
        if self.volume_basis == VolumeBasis.PER_JOINT:
            return len(procedure.targets)
        if self.volume_basis == VolumeBasis.PER_NERVE:
            return len(procedure.nerves())
        return 1

    def total_volume_ml(self, procedure: Procedure) -> float:
        return round(self.volume_ml * self.multiplier(procedure), 4)

    def total_dose_mg(self, procedure: Procedure) -> float:
        return round(self.concentration_mg_per_ml * self.total_volume_ml(procedure), 4)

    def describe(self) -> str:
        agent = self.catalog_agent()
        strength = agent.strength(self.concentration_mg_per_ml)
        label = strength.label if strength else f"{self.concentration_mg_per_ml:g} {agent.concentration_unit}"
        basis = "" if self.volume_basis == VolumeBasis.TOTAL else f" {self.volume_basis.label}"
        where = " (skin and needle track)" if self.site == MedicationSite.SKIN else ""
        return f"{agent.name} {label}, {self.volume_ml:g} mL{basis}{where}"


class BotoxSite(Model):
    muscle: str
    level: str
    side: Side
    units: float | None = Field(default=None, gt=0, validate_default=True)
    # Only for case files: a site may name its product, which must be the treatment's.
    product: BotoxProduct | None = None

    @field_validator("muscle")
    @classmethod
    def _known_muscle(cls, v: str) -> str:
        if get_catalog().muscle(v) is None:
            raise ValueError(f"{shown(v)} is not in the muscle catalog (resources/muscles.json)")
        return v

    @field_validator("level")
    @classmethod
    def _known_vertebra(cls, v: str) -> str:
        vertebrae = get_catalog().vertebrae
        if v not in vertebrae:
            raise ValueError(f"{shown(v)} is not a vertebral level; allowed: {vertebrae[0]} to {vertebrae[-1]}")
        return v

    @field_validator("units")
    @classmethod
    def _units_required(cls, v: float | None, info: ValidationInfo) -> float:
        if v is None:
            raise ValueError("each injection site needs its units (greater than 0)")
        return _within_input_range(v, "units", info)


# The botulinum toxin editor's input ranges (ui/editor/botox_panel.py): beyond them a number is a typing slip
# or a damaged file, and infinity would reach the dilution, the totals and the note. Checked on input
# only, so a record stored before these limits still opens.
_BOTOX_INPUT_RANGE = {"vial_units": (0, 10000, "U"), "diluent_ml": (0.1, 100, "mL"), "units": (0, 1000, "U")}


def _within_input_range(v: float, field: str, info: ValidationInfo) -> float:
    low, high, unit = _BOTOX_INPUT_RANGE[field]
    if is_stored(info):
        return v
    if v > high:  # infinity included; NaN is refused by gt=0 before this runs
        raise ValueError(f"must be at most {high:g} {unit}")
    if v < low:
        raise ValueError(f"must be at least {low:g} {unit}")
    return v


class BotoxPreparation(Model):
    """A botulinum toxin product and its dilution (also a clinic preset's usual preparation)."""

    product: BotoxProduct
    vial_units: float = Field(gt=0)
    diluent_ml: float = Field(gt=0)

    @field_validator("vial_units", "diluent_ml")
    @classmethod
    def _plausible(cls, v: float, info: ValidationInfo) -> float:
        assert info.field_name is not None
        return _within_input_range(v, info.field_name, info)


class BotoxTreatment(BotoxPreparation):
    """Botulinum toxin into paraspinal muscles: one product per session; units never converted."""

    sites: list[BotoxSite] = Field(min_length=1)

    @field_validator("sites")
    @classmethod
    def _one_product(cls, v: list[BotoxSite], info: ValidationInfo) -> list[BotoxSite]:
        product = info.data.get("product")
        for i, site in enumerate(v):
            if site.product is not None and product is not None and site.product != product:
                raise ValueError(
                    f"site {i + 1} is {site.product.value} but the treatment is {product.value}: "
                    "units of different botulinum toxin products cannot be mixed or converted"
                )
        return v

    @property
    def units_per_ml(self) -> float:
        return self.vial_units / self.diluent_ml

    @property
    def total_units(self) -> float:
        return sum(s.units or 0 for s in self.sites)


class PainScore(Model):
    minutes_after: int = Field(ge=0, le=60 * 24 * 366)
    nrs: Nrs
    activity: ShortText = ""


class Override(Model):
    """The physician's documented answer to a warning or critical finding."""

    rule: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=1000)
    acknowledged_by: Name
    acknowledged_at: datetime

    @field_validator("acknowledged_at")
    @classmethod
    def _local(cls, v: datetime) -> datetime:
        # Kept as local wall-clock time, as the database keeps it: what is saved reads back the same.
        return local_naive(v)


def _recorded_time(value: datetime) -> datetime:
    # Whole seconds in local wall-clock time, as the database keeps them.
    return local_naive(value).replace(microsecond=0)


class Signature(Model):
    """Who signed the procedure and when. The signer is a typed name for now; a user id joins it later."""

    signed_by: Name
    signed_at: datetime

    @field_validator("signed_at")
    @classmethod
    def _whole_seconds(cls, v: datetime) -> datetime:
        return _recorded_time(v)


class Addendum(Model):
    """A correction or late entry to a signed procedure: signed when written, never edited afterwards."""

    author: Name
    written_at: datetime
    text: str = Field(min_length=1, max_length=20000)
    signed_by: Name
    signed_at: datetime

    @field_validator("written_at", "signed_at")
    @classmethod
    def _whole_seconds(cls, v: datetime) -> datetime:
        return _recorded_time(v)


def derive_nerves(targets: Iterable[tuple[str, Side]], catalog: Catalog) -> list[tuple[str, Side]]:
    """The medial branches / dorsal rami innervating the joints, left side first, each nerve once per side."""
    chosen = list(targets)
    out: list[tuple[str, Side]] = []
    for side in (Side.LEFT, Side.RIGHT):
        for level in sorted({lv for lv, s in chosen if s == side}, key=catalog.joint_index):
            joint = catalog.joint(level)
            for nerve in joint.nerves if joint else ():
                if (nerve, side) not in out:
                    out.append((nerve, side))
    return out


def _new_uid() -> str:
    return str(uuid.uuid4())


def check_per_nerve(medications: list[MedicationAdministration], technique: Technique | None) -> None:
    """'Per nerve' volumes need nerves: a medial branch block or an ablation (the procedure's and a preset's rule)."""
    for i, med in enumerate(medications):
        if med.volume_basis == VolumeBasis.PER_NERVE and not (technique and Technique(technique).on_nerves):
            raise ValueError(
                f"row {i + 1}: 'per nerve' volumes apply to medial branch blocks and radiofrequency ablation only"
            )


class Procedure(Model):
    id: RowId | None = None
    uid: str = Field(default_factory=_new_uid, min_length=1, max_length=64)
    # Row version for optimistic concurrency: a save with a stale version is refused.
    version: int = Field(default=0, ge=0, le=MAX_ROW_ID)
    performed_at: datetime
    physician: Name
    indication: Indication = Field(default_factory=Indication)
    diagnoses: list[str] = Field(default_factory=list)
    technique: Technique
    intent: Intent
    # Coverage documentation (LCD L38773): why an MBB is not possible for a diagnostic IA,
    # and why the patient is not a radiofrequency candidate before a therapeutic block.
    mbb_not_possible_reason: ShortText = ""
    rfa_not_candidate_reason: ShortText = ""
    guidance: Guidance
    contrast: bool = False
    sedation: Sedation = Sedation.NONE
    # At least one for a facet procedure; none for a toxin-only visit (checked with the toxin below).
    targets: list[Target] = Field(default_factory=list, validate_default=True)
    medications: list[MedicationAdministration] = Field(default_factory=list)
    botulinum_toxin: BotoxTreatment | None = None
    # Radiofrequency ablation only: how the medial branches were tested and lesioned.
    radiofrequency: Lesioning | None = Field(default=None, validate_default=True)
    pre_procedure_pain: Nrs | None = None
    pain_scores: list[PainScore] = Field(default_factory=list)
    # Documentation of the procedure itself (consent, time-out, technique) for the narrative.
    consent_obtained: bool | None = None
    time_out_performed: bool | None = None
    position: Position | None = None
    skin_prep: SkinPrep | None = None
    needle: ShortText = ""
    contrast_spread: ShortText = ""
    findings: LongText = ""
    estimated_blood_loss: ShortText = ""
    # Consent discussion, asepsis, views, aspiration, radiation, the check after (issue 17; domain/documentation).
    documentation: ProcedureDocumentation = Field(default_factory=ProcedureDocumentation)
    # Empty means the post-procedure diagnoses are the pre-procedure ones.
    post_procedure_diagnoses: list[str] = Field(default_factory=list)
    complications: list[Complication] = Field(default_factory=list)
    complication_details: ShortText = Field(default="", validate_default=True)
    disposition: Disposition | None = None
    follow_up: ShortText = ""
    notes: LongText = ""
    overrides: list[Override] = Field(default_factory=list)
    # Set once by signing (storage.procedures.sign_procedure); a signed procedure is locked.
    signature: Signature | None = None
    # Append-only, oldest first; only a signed procedure has addenda.
    addenda: list[Addendum] = Field(default_factory=list, validate_default=True)

    @field_validator("performed_at")
    @classmethod
    def _past(cls, v: datetime, info: ValidationInfo) -> datetime:
        v = local_naive(v).replace(second=0, microsecond=0)
        # Another workstation's clock may run ahead; a stored time is history, not input.
        return v if is_stored(info) else not_in_future(v)

    @field_validator("diagnoses", "post_procedure_diagnoses")
    @classmethod
    def _known_codes(cls, v: list[str]) -> list[str]:
        catalog = get_catalog()
        seen: set[str] = set()
        for code in v:
            if catalog.diagnosis(code) is None:
                raise ValueError(f"{shown(code)} is not in the ICD-10-CM catalog (resources/diagnoses.json)")
            if code in seen:
                raise ValueError(f"{code} is listed twice")
            seen.add(code)
        return v

    @field_validator("intent")
    @classmethod
    def _toxin_only_is_therapeutic(cls, v: Intent, info: ValidationInfo) -> Intent:
        if info.data.get("technique") == Technique.TOXIN_ONLY and v != Intent.THERAPEUTIC:
            raise ValueError("a toxin-only visit is therapeutic: set Intent to therapeutic")
        return v

    @field_validator("targets")
    @classmethod
    def _unique_targets(cls, v: list[Target], info: ValidationInfo) -> list[Target]:
        technique = info.data.get("technique")
        # No technique chosen yet: joints are asked for, as nearly every visit has them.
        if (technique is None or Technique(technique).treats_joints) and not v:
            raise ValueError("needs at least 1 facet joint (level and side); only a toxin-only visit has none")
        if technique == Technique.TOXIN_ONLY:
            if v:
                raise ValueError("a toxin-only visit treats no facet joint: clear the joints or choose a technique")
        seen: set[Target] = set()
        for t in v:
            if t in seen:
                raise ValueError(f"{t} is listed twice")
            seen.add(t)
        catalog = get_catalog()
        return sorted(v, key=lambda t: (catalog.joint_index(t.level), t.side.value))

    @field_validator("medications")
    @classmethod
    def _consistent_medications(cls, v: list[MedicationAdministration], info: ValidationInfo):
        technique = info.data.get("technique")
        check_per_nerve(v, technique)
        for i, med in enumerate(v):
            if med.catalog_agent().drug_class == "contrast" and info.data.get("contrast") is False:
                raise ValueError(f"row {i + 1}: a contrast agent is listed but Contrast is set to no")
        return v

    @field_validator("botulinum_toxin")
    @classmethod
    def _toxin_only_visit(cls, v: BotoxTreatment | None, info: ValidationInfo) -> BotoxTreatment | None:
        if info.data.get("technique") == Technique.TOXIN_ONLY and v is None:
            raise ValueError("a toxin-only visit needs its botulinum toxin: product, dilution and injection sites")
        return v

    @field_validator("radiofrequency")
    @classmethod
    def _lesioning_for_ablation(cls, v: Lesioning | None, info: ValidationInfo) -> Lesioning | None:
        technique, intent = info.data.get("technique"), info.data.get("intent")
        if technique == Technique.RADIOFREQUENCY_ABLATION:
            if v is None or v.method is None:
                raise ValueError("choose how the nerves were lesioned (conventional, cooled or pulsed)")
            if intent is not None and intent != Intent.THERAPEUTIC:
                raise ValueError("a radiofrequency ablation is therapeutic: set Intent to therapeutic")
        elif v is not None and technique is not None:
            raise ValueError("lesioning details apply to radiofrequency ablation only")
        return v

    @field_validator("pain_scores")
    @classmethod
    def _unique_times(cls, v: list[PainScore]) -> list[PainScore]:
        dup = duplicates(p.minutes_after for p in v)
        if dup:
            raise ValueError(f"more than one score at {', '.join(str(t) for t in dup)} min after injection")
        return sorted(v, key=lambda p: p.minutes_after)

    @field_validator("complication_details")
    @classmethod
    def _other_needs_details(cls, v: str, info: ValidationInfo) -> str:
        if Complication.OTHER in (info.data.get("complications") or []) and not v:
            raise ValueError("describe the complication recorded as 'Other'")
        documentation = info.data.get("documentation")
        if documentation is not None and documentation.neuro_check == NeuroCheck.CHANGED and not v:
            raise ValueError("describe the neurological change found at the post-procedure check")
        return v

    @field_validator("overrides")
    @classmethod
    def _one_override_per_rule(cls, v: list[Override]) -> list[Override]:
        dup = duplicates(o.rule for o in v)
        if dup:
            raise ValueError(f"{', '.join(dup)} acknowledged more than once")
        return v

    @field_validator("addenda")
    @classmethod
    def _addenda_after_signing(cls, v: list[Addendum], info: ValidationInfo) -> list[Addendum]:
        if v and info.data.get("signature") is None:
            raise ValueError("only a signed procedure has addenda; sign it first")
        return v

    @property
    def is_signed(self) -> bool:
        return self.signature is not None

    def documentation_applies(self, item: Item) -> bool:
        """Whether a documentation item concerns this procedure (off-label toxin only when toxin was given...)."""
        return applies(item.applies_to, self.guidance.value, self.botulinum_toxin is not None)

    def override_for(self, rule: str) -> Override | None:
        return next((o for o in self.overrides if o.rule == rule), None)

    # ---- derived values -------------------------------------------------
    def nerves(self, catalog: Catalog | None = None) -> list[tuple[str, Side]]:
        """Nerves blocked or ablated, derived from the joints (shared nerves once); none for a joint injection."""
        if not self.technique.on_nerves:
            return []
        return derive_nerves(((t.level, t.side) for t in self.targets), catalog or get_catalog())

    def levels(self) -> list[str]:
        out: list[str] = []
        for t in self.targets:
            if t.level not in out:
                out.append(t.level)
        return out

    def sides_at(self, level: str) -> list[Side]:
        return [t.side for t in self.targets if t.level == level]

    def laterality(self) -> str:
        sides = {t.side for t in self.targets}
        if not sides:
            return "no facet joint"
        if len(sides) == 2:
            return "bilateral" if all(len(self.sides_at(lv)) == 2 for lv in self.levels()) else "mixed"
        return next(iter(sides)).label.lower()

    def regions(self, catalog: Catalog | None = None) -> list[str]:
        catalog = catalog or get_catalog()
        out: list[str] = []
        for level in self.levels():
            joint = catalog.joint(level)
            assert joint is not None
            if joint.region not in out:
                out.append(joint.region)
        return out

    def doses_by_agent(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for med in self.medications:
            totals[med.agent] = round(totals.get(med.agent, 0.0) + med.total_dose_mg(self), 4)
        return totals
