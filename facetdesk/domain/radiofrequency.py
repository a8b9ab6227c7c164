"""Radiofrequency ablation of the medial branches: how the nerves were tested and lesioned.

The bounds below refuse typing slips (a needle of 220 gauge, a lesion at 800 °C); they are not clinical limits.
Which lesions the LCD covers is decided by rules with their sources (rules/radiofrequency.py).
"""

from __future__ import annotations

from pydantic import Field

from facetdesk.domain.base import Model
from facetdesk.domain.enums import LabelledEnum, RfMethod


class MotorTest(LabelledEnum):
    """Motor stimulation before lesioning: a limb or radicular response means the cannula is near a nerve root."""

    NO_RADICULAR_RESPONSE = "no_radicular_response", "No limb or radicular response"
    RADICULAR_RESPONSE = "radicular_response", "Limb or radicular response"
    NOT_DONE = "not_done", "Not done"


class Lesioning(Model):
    """One RF session's lesioning, the same at every nerve (differences go in the notes)."""

    method: RfMethod | None = None
    cannula_gauge: int | None = Field(default=None, ge=10, le=30)
    active_tip_mm: float | None = Field(default=None, gt=0, le=50)
    sensory_threshold_v: float | None = Field(default=None, ge=0, le=20)
    motor_test: MotorTest | None = None
    temperature_c: int | None = Field(default=None, gt=0, le=100)
    seconds_per_lesion: int | None = Field(default=None, gt=0, le=1800)
    lesions_per_nerve: int | None = Field(default=None, ge=1, le=10)
