"""Standard patient-facing discharge instructions: plain language, no clinical numbers to configure."""

from __future__ import annotations

from facetdesk.domain.enums import Intent, Sedation
from facetdesk.domain.procedure import Procedure

PAIN_DIARY = (
    "Keep your pain diary: at each time listed on the diary sheet, write down your pain from 0 (no pain) "
    "to 10 (worst pain you can imagine) and what you were doing at the time. Bring the diary to your next visit."
)
DIAGNOSTIC_ACTIVITY = (
    "This injection is a test. For the rest of today, carefully do the things that usually bring on your pain, "
    "so that your diary shows how much the injection helped."
)
SORENESS = (
    "Some soreness, aching or a small bruise where the needles went in is common for a few days. "
    "You may use an ice pack wrapped in a cloth on the sore area."
)
SEDATION = (
    "You were given medicine to help you relax. For the rest of today do not drive, operate machinery, "
    "drink alcohol or sign important papers."
)
EMERGENCY_BOTOX = (
    "You were given botulinum toxin (for example Botox). If you have any trouble swallowing, speaking or "
    "breathing in the hours or weeks after the injection, this is an emergency: call emergency services at once."
)


EMERGENCY_NERVES = (
    "New weakness or numbness in your arms or legs that does not wear off with the numbing medicine, or new "
    "trouble controlling your bladder or bowels, is an emergency: call emergency services at once."
)


def _call_line(phone: str) -> str:
    who = f"Call the clinic at {phone}" if phone.strip() else "Call the clinic"
    return (
        f"{who} if you have a fever or chills, increasing redness, swelling, warmth or discharge where the needles "
        "went in, or a severe headache."
    )


def standard_instructions(procedure: Procedure, *, clinic_phone: str = "") -> tuple[str, ...]:
    """Instructions every patient gets, chosen by what was done (diagnostic intent, sedation, botulinum toxin)."""
    out = [PAIN_DIARY]
    if procedure.intent in (Intent.DIAGNOSTIC_FIRST, Intent.DIAGNOSTIC_CONFIRMATORY):
        out.append(DIAGNOSTIC_ACTIVITY)
    out.append(SORENESS)
    if procedure.sedation != Sedation.NONE:
        out.append(SEDATION)
    out.append(_call_line(clinic_phone))
    out.append(EMERGENCY_NERVES)
    if procedure.botulinum_toxin is not None:
        out.append(EMERGENCY_BOTOX)
    return tuple(out)
