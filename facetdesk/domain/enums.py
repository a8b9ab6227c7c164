"""Enumerations of the procedure record, with the labels people read."""

from __future__ import annotations

from enum import Enum


class LabelledEnum(str, Enum):
    """A string enum whose members carry a human label (value, label)."""

    label: str

    def __new__(cls, value: str, label: str = ""):  # a lookup by value, Side("left"), passes no label
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        return obj


class Sex(LabelledEnum):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class Side(LabelledEnum):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"


class Technique(LabelledEnum):
    INTRA_ARTICULAR = "intra_articular", "Intra-articular facet injection"
    MEDIAL_BRANCH_BLOCK = "medial_branch_block", "Medial branch block"
    RADIOFREQUENCY_ABLATION = "radiofrequency_ablation", "Radiofrequency ablation"
    # A visit for paraspinal botulinum toxin alone: no facet joint or nerve is treated.
    TOXIN_ONLY = "toxin_only", "Botulinum toxin only (no facet joint)"

    @property
    def treats_joints(self) -> bool:
        """Treats facet joints or their nerves, so the record names its joints (all but a toxin-only visit)."""
        return self is not Technique.TOXIN_ONLY

    @property
    def on_nerves(self) -> bool:
        """Acts on the medial branches (a block or their ablation), whose nerves follow from the joints."""
        return self in (Technique.MEDIAL_BRANCH_BLOCK, Technique.RADIOFREQUENCY_ABLATION)

    @property
    def is_injection(self) -> bool:
        """A facet injection (intra-articular or medial branch block), as the LCD's injection rules mean it."""
        return self in (Technique.INTRA_ARTICULAR, Technique.MEDIAL_BRANCH_BLOCK)


class RfMethod(LabelledEnum):
    """How the medial branches were lesioned. The LCD covers thermal lesioning only (clinical-facts.md §1)."""

    CONVENTIONAL = "conventional", "Conventional (thermal)"
    COOLED = "cooled", "Cooled"
    PULSED = "pulsed", "Pulsed"


class Intent(LabelledEnum):
    DIAGNOSTIC_FIRST = "diagnostic_first", "Diagnostic, first block"
    DIAGNOSTIC_CONFIRMATORY = "diagnostic_confirmatory", "Diagnostic, confirmatory block"
    THERAPEUTIC = "therapeutic", "Therapeutic"

    @property
    def diagnostic(self) -> bool:
        """A diagnostic block, first or confirmatory (its response is judged by domain.block_response)."""
        return self is not Intent.THERAPEUTIC


class Guidance(LabelledEnum):
    FLUOROSCOPY = "fluoroscopy", "Fluoroscopy"
    CT = "ct", "CT"
    ULTRASOUND = "ultrasound", "Ultrasound"
    NONE = "none", "None"


class Sedation(LabelledEnum):
    NONE = "none", "None (local anaesthesia only)"
    MINIMAL = "minimal", "Minimal (anxiolysis)"
    MODERATE = "moderate", "Moderate (conscious sedation)"
    DEEP = "deep", "Deep sedation"
    GENERAL = "general", "General anaesthesia"


class PainScale(LabelledEnum):
    NRS = "NRS", "NRS 0-10"
    VAS = "VAS", "VAS 0-10"


class DisabilityScale(LabelledEnum):
    ODI = "ODI", "Oswestry Disability Index (%)"
    NDI = "NDI", "Neck Disability Index (%)"


class ConservativeCare(LabelledEnum):
    NSAIDS = "nsaids", "NSAIDs"
    ACETAMINOPHEN = "acetaminophen", "Acetaminophen"
    PHYSICAL_THERAPY = "physical_therapy", "Physical therapy"
    HOME_EXERCISE = "home_exercise", "Home exercise programme"
    CHIROPRACTIC = "chiropractic", "Chiropractic / manipulation"
    ACUPUNCTURE = "acupuncture", "Acupuncture"
    ACTIVITY_MODIFICATION = "activity_modification", "Activity modification"


class VolumeBasis(LabelledEnum):
    TOTAL = "total", "total"
    PER_JOINT = "per_joint", "per joint"
    PER_NERVE = "per_nerve", "per nerve"


class MedicationSite(LabelledEnum):
    """Where a syringe went: the targets (joint or nerves) or skin and needle-track infiltration."""

    TARGET = "target", "at the targets"
    SKIN = "skin", "skin and needle track"


class BotoxProduct(LabelledEnum):
    ONABOTULINUMTOXINA = "onabotulinumtoxinA", "onabotulinumtoxinA (Botox)"
    ABOBOTULINUMTOXINA = "abobotulinumtoxinA", "abobotulinumtoxinA (Dysport)"
    INCOBOTULINUMTOXINA = "incobotulinumtoxinA", "incobotulinumtoxinA (Xeomin)"
    # The reference's other botulinum toxins (clinical-facts.md §10): mostly given elsewhere (neurology, cosmetic
    # clinics); recorded so their doses are counted, never converted. The reference gives them no drug code.
    RIMABOTULINUMTOXINB = "rimabotulinumtoxinB", "rimabotulinumtoxinB (Myobloc)"
    DAXIBOTULINUMTOXINA = "daxibotulinumtoxinA", "daxibotulinumtoxinA (Daxxify)"
    PRABOTULINUMTOXINA = "prabotulinumtoxinA", "prabotulinumtoxinA (Jeuveau)"

    @property
    def brand(self) -> str:
        """The proprietary name, as in the label's brackets (Botox): for a narrow column."""
        return self.label[self.label.index("(") + 1 : -1]


class Complication(LabelledEnum):
    VASOVAGAL = "vasovagal", "Vasovagal reaction"
    INCREASED_PAIN = "increased_pain", "Increased pain"
    HEMATOMA = "hematoma", "Bleeding / hematoma"
    INTRAVASCULAR = "intravascular", "Intravascular uptake of contrast"
    DURAL_PUNCTURE = "dural_puncture", "Dural puncture"
    NUMBNESS_WEAKNESS = "numbness_weakness", "Transient numbness or weakness"
    ALLERGIC_REACTION = "allergic_reaction", "Allergic reaction"
    OTHER = "other", "Other (see details)"


class Disposition(LabelledEnum):
    HOME_STABLE = "home_stable", "Discharged home in stable condition"
    HOME_WITH_ESCORT = "home_with_escort", "Discharged home with escort"
    OBSERVATION = "observation", "Kept for observation"
    TRANSFERRED = "transferred", "Transferred / admitted"


class Position(LabelledEnum):
    PRONE = "prone", "Prone"
    SITTING = "sitting", "Sitting"
    LATERAL = "lateral", "Lateral decubitus"
    SUPINE = "supine", "Supine"


class SkinPrep(LabelledEnum):
    CHLORHEXIDINE = "chlorhexidine", "Chlorhexidine"
    POVIDONE_IODINE = "povidone_iodine", "Povidone-iodine"


class FluoroView(LabelledEnum):
    """A projection of the image guidance (also the view of a saved image)."""

    AP = "ap", "AP"
    OBLIQUE = "oblique", "Oblique"
    LATERAL = "lateral", "Lateral"
    CONTRALATERAL_OBLIQUE = "contralateral_oblique", "Contralateral oblique"


class NeedleApproach(LabelledEnum):
    POSTERIOR = "posterior", "Posterior (AP)"
    POSTERIOR_OBLIQUE = "posterior_oblique", "Posterior oblique (down the beam)"
    LATERAL = "lateral", "Lateral"


class Aspiration(LabelledEnum):
    NEGATIVE = "negative", "Negative for blood and CSF"
    BLOOD_REPOSITIONED = "blood_repositioned", "Blood on aspiration; needle repositioned, then negative"
    NOT_PERFORMED = "not_performed", "Not performed"


class DoseUnit(LabelledEnum):
    """The units a C-arm or CT console reports its radiation dose in."""

    AIR_KERMA_MGY = "air_kerma_mgy", "mGy (reference air kerma)"
    DAP_MGY_CM2 = "dap_mgy_cm2", "mGy·cm² (dose-area product)"
    DAP_UGY_M2 = "dap_ugy_m2", "µGy·m² (dose-area product)"
    DAP_GY_CM2 = "dap_gy_cm2", "Gy·cm² (dose-area product)"
    DLP_MGY_CM = "dlp_mgy_cm", "mGy·cm (CT dose-length product)"


class Monitoring(LabelledEnum):
    PULSE_OXIMETRY = "pulse_oximetry", "Pulse oximetry"
    BLOOD_PRESSURE = "blood_pressure", "Blood pressure (NIBP)"
    ECG = "ecg", "ECG"
    CAPNOGRAPHY = "capnography", "Capnography"


class NeuroCheck(LabelledEnum):
    AT_BASELINE = "at_baseline", "Unchanged from baseline"
    CHANGED = "changed", "Changed from baseline (see complication details)"


class Tolerance(LabelledEnum):
    WELL = "well", "Tolerated well"
    DISCOMFORT = "discomfort", "Tolerated with discomfort"
    POORLY = "poorly", "Tolerated poorly"


class PageSize(LabelledEnum):
    LETTER = "letter", "US Letter"
    A4 = "a4", "A4"


class ExclusionAnswer(LabelledEnum):
    """The physician's answer to one LCD exclusion question (resources/lcd_exclusions.json)."""

    ABSENT = "absent", "No"
    PRESENT = "present", "Yes"
    # Present, but under the exception the LCD itself names for it (e.g. radiculopathy from a synovial cyst).
    EXCEPTED = "excepted", "Yes, under the LCD's exception"
