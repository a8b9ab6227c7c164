"""Clinical catalogs (spine, drugs, allergy names, diagnoses, muscles, LCD exclusions, thresholds) from resources/."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from facetdesk.domain.allergy import AllergyNames
from facetdesk.domain.enums import BotoxProduct
from facetdesk.resources import resources_dir

Region = Literal["cervical", "thoracic", "lumbar"]
Confidence = Literal["C", "S", "U"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Joint(_Frozen):
    level: str
    region: Region
    nerves: tuple[str, ...]
    confidence: Confidence
    source: str
    note: str | None = None


class Strength(_Frozen):
    mg_per_ml: float
    label: str
    confidence: Confidence
    source: str | None = None


class Agent(_Frozen):
    key: str
    name: str
    drug_class: Literal["local_anesthetic", "corticosteroid", "contrast"]
    strengths: tuple[Strength, ...]
    source: str
    particulate: bool | None = None
    concentration_unit: str = "mg/mL"

    @property
    def dose_unit(self) -> str:
        return "mg iodine" if self.drug_class == "contrast" else "mg"

    def strength(self, mg_per_ml: float) -> Strength | None:
        for s in self.strengths:
            if abs(s.mg_per_ml - mg_per_ml) < 1e-9:
                return s
        return None


class Diagnosis(_Frozen):
    code: str
    title: str
    region: Region | None
    confidence: Confidence


class Muscle(_Frozen):
    key: str
    name: str
    region: Region


class Anticoagulant(_Frozen):
    key: str
    name: str
    drug_class: str


class Exclusion(_Frozen):
    """One LCD patient-selection exclusion: the question the physician answers, its exception, its source."""

    key: str
    question: str
    source: str
    confidence: Confidence
    # The LCD's own exception, as the answer the physician picks ("Yes, radiculopathy from a ... cyst").
    exception: str | None = None
    note: str | None = None


class Threshold(_Frozen):
    """One clinical number (or table of numbers) with its source and confidence tag."""

    key: str
    value: Any
    unit: str
    source: str
    confidence: Confidence
    note: str | None = None

    @property
    def unconfirmed(self) -> bool:
        return self.confidence == "U"


class Catalog(_Frozen):
    """Every catalog FacetDesk reads, loaded once from one resources directory."""

    joints: tuple[Joint, ...]
    vertebrae: tuple[str, ...]
    agents: tuple[Agent, ...]
    diagnoses: tuple[Diagnosis, ...]
    muscles: tuple[Muscle, ...]
    anticoagulants: tuple[Anticoagulant, ...]
    thresholds: tuple[Threshold, ...]
    # Billing codes (resources/codes.json), kept raw; read them through code_entry().
    codes: dict[str, Any] = Field(default_factory=dict)
    # Pain diary time points (resources/pain_diary.json): (minutes after injection, label), in order.
    diary_timepoints: tuple[tuple[int, str], ...] = ()
    # Brand names and classes for allergy matching (resources/allergy_names.json); empty: ingredients only.
    allergy_names: AllergyNames = Field(default_factory=AllergyNames)
    # LCD exclusions asked on every procedure (resources/lcd_exclusions.json); empty: none asked or checked.
    exclusions: tuple[Exclusion, ...] = ()

    @model_validator(mode="after")
    def _allergy_names_cover_the_agents(self) -> Catalog:
        # A clinic's edited copy is checked here, on load: every agent it can record needs its brands and class.
        if self.allergy_names.agents:
            self.allergy_names.check_catalogue(
                {a.key: a.drug_class for a in self.agents}, (p.value for p in BotoxProduct)
            )
        return self

    def joint(self, level: str) -> Joint | None:
        return next((j for j in self.joints if j.level == level), None)

    def joint_index(self, level: str) -> int:
        return [j.level for j in self.joints].index(level)

    def agent(self, key: str) -> Agent | None:
        return next((a for a in self.agents if a.key == key), None)

    def diagnosis(self, code: str) -> Diagnosis | None:
        return next((d for d in self.diagnoses if d.code == code), None)

    def muscle(self, key: str) -> Muscle | None:
        return next((m for m in self.muscles if m.key == key), None)

    def muscles_for(self, region: Region) -> tuple[Muscle, ...]:
        return tuple(m for m in self.muscles if m.region == region)

    def anticoagulant(self, key: str) -> Anticoagulant | None:
        return next((a for a in self.anticoagulants if a.key == key), None)

    def exclusion(self, key: str) -> Exclusion | None:
        return next((e for e in self.exclusions if e.key == key), None)

    def threshold(self, key: str) -> Threshold:
        for t in self.thresholds:
            if t.key == key:
                return t
        raise KeyError(f"threshold {key!r} is missing from resources/thresholds.json")

    def code_entry(self, *path: str) -> Any:
        """One entry of codes.json by its key path, e.g. code_entry("drugs", "wastage")."""
        node: Any = self.codes
        for i, key in enumerate(path):
            if not isinstance(node, dict) or key not in node:
                raise KeyError(f"{'.'.join(path[: i + 1])!r} is missing from resources/codes.json")
            node = node[key]
        return node


def _read(directory: Path, name: str) -> dict:
    with open(directory / name, encoding="utf-8") as fh:
        return json.load(fh)


def load_catalog(directory: Path) -> Catalog:
    spine = _read(directory, "spine.json")
    drugs = _read(directory, "drugs.json")
    dx = _read(directory, "diagnoses.json")
    muscles = _read(directory, "muscles.json")
    anticoag = _read(directory, "anticoagulants.json")
    thresholds = _read(directory, "thresholds.json")
    # A clinic's older copy of resources/ may predate codes.json: no codes are then derived.
    codes = _read(directory, "codes.json") if (directory / "codes.json").is_file() else {}
    # Likewise pain_diary.json: without it the diary offers no standard time points, only "other time".
    diary = _read(directory, "pain_diary.json") if (directory / "pain_diary.json").is_file() else {}
    # Likewise allergy_names.json: without it allergies match ingredient names only, and the rest are shown unmatched.
    allergy = _read(directory, "allergy_names.json") if (directory / "allergy_names.json").is_file() else {}
    # Likewise lcd_exclusions.json: without it no exclusion is asked, and lcd.exclusions says it checked none.
    excl = _read(directory, "lcd_exclusions.json") if (directory / "lcd_exclusions.json").is_file() else {}
    return Catalog(
        joints=tuple(Joint(**j) for j in spine["joints"]),
        vertebrae=tuple(spine["vertebrae"]),
        agents=tuple(
            Agent(drug_class=a["class"], **{k: v for k, v in a.items() if k != "class"}) for a in drugs["agents"]
        ),
        diagnoses=tuple(Diagnosis(**d) for d in dx["codes"]),
        muscles=tuple(Muscle(region=region, **m) for region, items in muscles["regions"].items() for m in items),
        anticoagulants=tuple(
            Anticoagulant(drug_class=a["class"], key=a["key"], name=a["name"]) for a in anticoag["agents"]
        ),
        thresholds=tuple(Threshold(key=k, **v) for k, v in thresholds["thresholds"].items()),
        codes=codes,
        # One row per time: a time listed twice keeps its last label.
        diary_timepoints=tuple(
            sorted({int(t["minutes"]): str(t["label"]) for t in diary.get("timepoints", [])}.items())
        ),
        allergy_names=AllergyNames(
            classes=allergy.get("classes", ()),
            agents=allergy.get("agents", ()),
            none_known=allergy.get("none_known", ()),
        ),
        exclusions=tuple(Exclusion(**e) for e in excl.get("exclusions", ())),
    )


@lru_cache(maxsize=4)
def _cached(directory: str) -> Catalog:
    return load_catalog(Path(directory))


def get_catalog() -> Catalog:
    """The catalog of the resources directory in force (cached per directory)."""
    return _cached(str(resources_dir()))
