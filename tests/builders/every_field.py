"""Records with every field set to a value other than its default, generated from the domain models.

Round-trip tests (storage, case files, the editor) build their records here, so a field added to a model
later is covered without anyone remembering to add it: its type tells the generator what to put in it.
A field whose type the generator does not know fails loudly (UnknownFieldType, naming the field), and a
field whose value must come from a catalog or agree with another field gets a rule in SPECIAL below.

Fields left at their default on purpose (ids and row versions that storage assigns, the signature and
addenda that only signing writes) are listed with their reason in exemptions(); unexplained_defaults()
reports any other field left at its default, so a record that silently stopped covering a field fails.
"""

from __future__ import annotations

import types
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from facetdesk.domain.catalog import Catalog, Joint, get_catalog
from facetdesk.domain.enums import ExclusionAnswer, Intent, Sex, Technique, VolumeBasis
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import BotoxSite, Procedure
from facetdesk.domain.radiofrequency import Lesioning

# ---- what is deliberately left at its default ----------------------------------------------------------

BOOKKEEPING: dict[str, str] = {
    "Patient.id": "the row id storage assigns on insert; a new record has none",
    "Procedure.id": "the row id storage assigns on insert; a new record has none",
    "Procedure.version": "the row version storage moves on at every save; a new record is at 0",
    "Patient.version": "the row version storage moves on at every save; a new record is at 0",
}
SIGNING_ONLY: dict[str, str] = {
    "Procedure.signature": "written only by signing (sign_procedure); saving refuses it. full_procedure(signed=True)",
    "Procedure.addenda": "written only to a signed procedure (add_addendum). full_procedure(signed=True) sets it",
}


# Fields that only some kinds of record hold: the variants cover both kinds (variant 0 is an ablation).
NOT_THIS_KIND: dict[str, str] = {
    "Procedure.radiofrequency": "lesioning details are an ablation's only; variant 1 is a medial branch block",
}


def exemptions(signed: bool = False, record: BaseModel | None = None) -> dict[str, str]:
    """The fields a full record leaves at their default on purpose ("Model.field" -> why)."""
    kind = (
        NOT_THIS_KIND if isinstance(record, Procedure) and record.technique != Technique.RADIOFREQUENCY_ABLATION else {}
    )
    return {**BOOKKEEPING, **kind} if signed else {**BOOKKEEPING, **SIGNING_ONLY, **kind}


class UnknownFieldType(TypeError):
    """The generator met a field type it cannot fill: teach it one (see _value)."""


# ---- values that depend on the catalog or on other fields ----------------------------------------------


class _Build:
    """One generated record: its variant (0 and 1 differ in every required field), the catalog, a counter."""

    def __init__(
        self, variant: int, skip: Mapping[str, str], overrides: Mapping[str, Any], minimal: bool, longest: bool = False
    ):
        self.variant = variant
        self.longest = longest
        self.catalog: Catalog = get_catalog()
        self.skip = skip
        self.overrides = dict(overrides)
        self.minimal = minimal
        self._leaves = 0

    def tick(self) -> int:
        """A number that differs from leaf to leaf, so two fields never hold the same value by accident."""
        self._leaves += 1
        return self._leaves

    def pick(self, choices: list | tuple, what: str) -> Any:
        if not choices:
            raise UnknownFieldType(f"{what}: the catalog offers no value to choose from")
        return choices[self.variant % len(choices)]

    def joint(self) -> Joint:
        """The facet joint every part of the record agrees on (targets, muscles, vertebrae, diagnoses)."""
        joints = self.catalog.joints
        return joints[-1 - self.variant % len(joints)]

    def instance(self, model: type[BaseModel], overrides: Mapping[str, Any] | None = None) -> BaseModel:
        saved = self.overrides
        self.overrides = {**saved, **(overrides or {})}
        try:
            return _instance(self, model)
        finally:
            self.overrides = saved


def _diagnoses(b: _Build, offset: int) -> list[str]:
    region = b.joint().region
    codes = [d.code for d in b.catalog.diagnoses if d.region == region] or [d.code for d in b.catalog.diagnoses]
    return [codes[(b.variant + offset) % len(codes)]]


def _strength(b: _Build, values: dict) -> float:
    agent = b.catalog.agent(values["agent"])
    assert agent is not None
    return b.pick([s.mg_per_ml for s in agent.strengths], "MedicationAdministration.concentration_mg_per_ml")


def _vertebra(b: _Build) -> str:
    upper = b.joint().level.split("-")[0]
    return upper if upper in b.catalog.vertebrae else b.pick(b.catalog.vertebrae, "BotoxSite.level")


def _exclusion_answer(b: _Build, has_exception: bool) -> ExclusionAnswer:
    answers = list(ExclusionAnswer) if has_exception else [a for a in ExclusionAnswer if a != ExclusionAnswer.EXCEPTED]
    return answers[(b.variant + b.tick()) % len(answers)]


# "Model.field" -> value(build, the fields of the model made so far, in declaration order).
SPECIAL: dict[str, Callable[[_Build, dict], Any]] = {
    "Patient.mrn": lambda b, v: f"EVERY-FIELD-{b.variant}".ljust(32 if b.longest else 0, "9"),
    # Not male: the record is also pregnant (Patient._pregnancy_needs_sex).
    "Patient.sex": lambda b, v: b.pick([s for s in Sex if s not in (Sex.UNKNOWN, Sex.MALE)], "Patient.sex"),
    # Agents are listed, so the patient takes one (Patient._takes_listed): No would contradict the list.
    "Patient.takes_anticoagulants": lambda b, v: True if v.get("anticoagulants") else b.pick([False, True], "takes"),
    "Patient.had_toxin_elsewhere": lambda b, v: True if v.get("toxin_elsewhere") else b.pick([False, True], "had"),
    "AnticoagulantUse.agent": lambda b, v: b.pick([a.key for a in b.catalog.anticoagulants], "AnticoagulantUse.agent"),
    "Target.level": lambda b, v: b.joint().level,
    # A local anaesthetic is valid whether or not contrast was used (a contrast agent needs contrast=True).
    "MedicationAdministration.agent": lambda b, v: b.pick(
        [a.key for a in b.catalog.agents if a.drug_class == "local_anesthetic"], "MedicationAdministration.agent"
    ),
    "MedicationAdministration.concentration_mg_per_ml": _strength,
    # 'Per nerve' needs a medial branch block, and the procedure's technique is not known here.
    "MedicationAdministration.volume_basis": lambda b, v: b.pick(
        [m for m in VolumeBasis if m not in (VolumeBasis.TOTAL, VolumeBasis.PER_NERVE)], "volume_basis"
    ),
    # A site may name its product only when it is the treatment's (BotoxTreatment._one_product).
    "BotoxTreatment.sites": lambda b, v: [b.instance(BotoxSite, {"BotoxSite.product": v["product"]})],
    "BotoxSite.muscle": lambda b, v: b.pick(
        [m.key for m in b.catalog.muscles_for(b.joint().region)] or [m.key for m in b.catalog.muscles], "muscle"
    ),
    "BotoxSite.level": lambda b, v: _vertebra(b),
    "Procedure.uid": lambda b, v: str(uuid.uuid5(uuid.NAMESPACE_URL, f"facetdesk-tests/every-field/{b.variant}")).ljust(
        64 if b.longest else 0, "x"
    ),
    # Every exclusion answered, so the whole list round-trips (the radiculopathy one under its exception).
    "Indication.exclusions": lambda b, v: [
        {"key": e.key, "answer": _exclusion_answer(b, e.exception is not None)} for e in b.catalog.exclusions
    ],
    # Variant 0 an ablation (therapeutic, with its lesioning), variant 1 a diagnostic medial branch block.
    "Procedure.technique": lambda b, v: (Technique.RADIOFREQUENCY_ABLATION, Technique.MEDIAL_BRANCH_BLOCK)[
        b.variant % 2
    ],
    "Procedure.intent": lambda b, v: (
        Intent.THERAPEUTIC if v["technique"] == Technique.RADIOFREQUENCY_ABLATION else Intent.DIAGNOSTIC_CONFIRMATORY
    ),
    "Procedure.radiofrequency": lambda b, v: (
        b.instance(Lesioning) if v["technique"] == Technique.RADIOFREQUENCY_ABLATION else None
    ),
    "Procedure.diagnoses": lambda b, v: _diagnoses(b, 0),
    # Another code than the pre-procedure one, so swapping the two lists is noticed.
    "Procedure.post_procedure_diagnoses": lambda b, v: _diagnoses(b, 1),
}


# Optional by type, yet a minimal record needs them: a facet procedure names at least one joint (only a toxin-only
# visit has none, and the generated techniques are not that).
NEEDED_EVEN_IF_OPTIONAL = {"Procedure.targets"}


# ---- the generator --------------------------------------------------------------------------------------

_NO_DEFAULT = object()
_BOUNDS = ("gt", "ge", "lt", "le", "min_length", "max_length", "pattern")


def _constraints(metadata: list) -> dict[str, Any]:
    """gt/ge/lt/le/min_length/max_length/pattern from a field's metadata (annotated-types, StringConstraints)."""
    out: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, FieldInfo):
            out.update(_constraints(item.metadata))
            continue
        for name in _BOUNDS:
            value = getattr(item, name, None)
            if value is not None:
                out[name] = value
    return out


def _instance(b: _Build, model: type[BaseModel]) -> BaseModel:
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = field_key(model, name)
        if key in b.overrides:
            values[name] = b.overrides[key]
        elif key in b.skip or (b.minimal and not info.is_required() and key not in NEEDED_EVEN_IF_OPTIONAL):
            continue
        elif key in SPECIAL:
            values[name] = SPECIAL[key](b, values)
        else:
            default = _NO_DEFAULT if info.is_required() else info.get_default(call_default_factory=True)
            values[name] = _value(b, key, info.annotation, _constraints(info.metadata), default)
    try:
        return model(**values)
    except ValidationError as exc:
        raise AssertionError(
            f"tests/builders/every_field.py made an invalid {model.__name__}; teach it valid values (SPECIAL):\n{exc}"
        ) from None


def _unknown(where: str, tp: object) -> UnknownFieldType:
    return UnknownFieldType(
        f"{where}: tests/builders/every_field.py does not know how to make a value of type {tp!r}; "
        "teach it one (_value, or a rule in SPECIAL)"
    )


def _value(b: _Build, where: str, tp: Any, constraints: dict[str, Any], default: Any) -> Any:
    origin = get_origin(tp)
    if origin is Annotated:
        base, *meta = get_args(tp)
        return _value(b, where, base, {**constraints, **_constraints(meta)}, default)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(tp) if a is not type(None)]
        if len(members) != 1:
            raise _unknown(where, tp)
        return _value(b, where, members[0], constraints, default)
    if origin is list:
        (item,) = get_args(tp)
        if constraints.get("min_length", 0) > 1:
            raise _unknown(where, tp)  # several distinct items need a rule in SPECIAL
        return [_value(b, f"{where}[0]", item, {}, _NO_DEFAULT)]
    if origin is not None or not isinstance(tp, type):
        raise _unknown(where, tp)
    if issubclass(tp, BaseModel):
        return b.instance(tp)
    if issubclass(tp, Enum):
        choices = [m for m in tp if m != default]
        return b.pick(choices, where)
    if tp is bool:
        return (not default) if isinstance(default, bool) else (True, False)[b.variant % 2]
    if tp is int:
        return _int(b, constraints, default)
    if tp is float:
        return _float(b, constraints, default)
    if tp is str:
        return _text(b, where, constraints)
    n = b.tick()
    if tp is datetime:  # before date: a datetime is a date
        # Whole minutes in the past, local wall-clock time (what every backend and the editor keep).
        return datetime(2015 + b.variant, 1, 1, 8, 0) + timedelta(days=11 * n, minutes=7 * n)
    if tp is date:
        # After 1900, before any generated procedure: a date of birth fits.
        return date(1950 + 5 * b.variant, 1, 1) + timedelta(days=97 * n)
    raise _unknown(where, tp)


def _int(b: _Build, c: dict[str, Any], default: Any) -> int:
    n = b.tick()
    low = c["ge"] if "ge" in c else c["gt"] + 1 if "gt" in c else 0
    high = c["le"] if "le" in c else c["lt"] - 1 if "lt" in c else low + 1000
    if b.longest and ("le" in c or "lt" in c) and high != default:
        return high
    span = max(1, high - low)
    value = low + 1 + (n + 3 * b.variant) % span
    if value == default:
        value = low + 1 + (n + 3 * b.variant + 1) % span
    return value


def _float(b: _Build, c: dict[str, Any], default: Any) -> float:
    # x.5: a fraction that binary floating point and every backend keep exactly.
    n = b.tick()
    low = float(c.get("ge", c.get("gt", 0.0)))
    high = float(c.get("le", c.get("lt", low + 100)))
    if b.longest and "le" in c and high != default:
        return high
    span = max(1, int(high - low) - 1)
    value = low + 0.5 + (n + 3 * b.variant) % span
    if value == default:
        value = low + 0.5 + (n + 3 * b.variant + 1) % span
    return value


def _text(b: _Build, where: str, c: dict[str, Any]) -> str:
    if "pattern" in c:
        raise UnknownFieldType(f"{where}: text must match {c['pattern']!r}; teach builders/every_field.py a value")
    # Names the field (a swapped column shows), varies by variant, and is not ASCII-only.
    text = f"{where} #{b.variant} ü"
    longest = c.get("max_length")
    if longest is None or longest >= 1000:
        text += "\nsecond line ✓"  # long text keeps its line breaks
    if longest is not None and b.longest:
        text = text.ljust(longest, "ü")  # as long as allowed, in characters that take two bytes
    if longest is not None and len(text) > longest:
        text = text[:longest].rstrip()
    return text.ljust(c.get("min_length", 0), "x")


# ---- public API -----------------------------------------------------------------------------------------


def full_instance(
    model: type[BaseModel],
    *,
    variant: int = 0,
    skip: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    longest: bool = False,
) -> BaseModel:
    """A valid ``model`` with every field not in ``skip`` ("Model.field") set to a non-default value.

    Nested models are filled the same way; lists get one element. ``variant`` 0 and 1 give different
    values in every required field (a bool has only one value other than its default). ``overrides``
    ("Model.field" -> value) replace generated values anywhere. ``longest``: text as long as the field
    allows and bounded numbers at their maximum.
    """
    return _Build(variant, skip or {}, overrides or {}, minimal=False, longest=longest).instance(model)


def minimal_instance(model: type[BaseModel], *, variant: int = 1, overrides: Mapping[str, Any] | None = None):
    """A valid ``model`` with only its required fields set (generated as by full_instance), the rest default."""
    return _Build(variant, {}, overrides or {}, minimal=True).instance(model)


def full_patient(variant: int = 0, *, longest: bool = False, **fields: Any) -> Patient:
    overrides = {f"Patient.{k}": v for k, v in fields.items()}
    patient = full_instance(Patient, variant=variant, skip=exemptions(), overrides=overrides, longest=longest)
    assert isinstance(patient, Patient)
    return patient


def full_procedure(variant: int = 0, *, signed: bool = False, longest: bool = False, **fields: Any) -> Procedure:
    """Every field set; unsigned (what the save path accepts) unless ``signed``, which adds signature and addenda."""
    overrides = {f"Procedure.{k}": v for k, v in fields.items()}
    procedure = full_instance(Procedure, variant=variant, skip=exemptions(signed), overrides=overrides, longest=longest)
    assert isinstance(procedure, Procedure)
    return procedure


def field_key(model: type[BaseModel], name: str) -> str:
    """ "Model.field", named after the class that declares the field (a subclass keeps its base's names)."""
    for cls in model.__mro__:
        if name in cls.__dict__.get("__annotations__", {}):
            return f"{cls.__name__}.{name}"
    return f"{model.__name__}.{name}"


def left_at_default(record: BaseModel) -> list[str]:
    """Every field ("Model.field") of ``record`` and its nested records that holds its default value."""
    return list(dict.fromkeys(key for key, at_default in _fields(record) if at_default))


def _fields(record: BaseModel) -> Iterator[tuple[str, bool]]:
    """("Model.field", whether it holds its default) for the record and every record nested in it."""
    model = type(record)
    for name, info in model.model_fields.items():
        value = getattr(record, name)
        default = _NO_DEFAULT if info.is_required() else info.get_default(call_default_factory=True)
        at_default = default is not _NO_DEFAULT and value == default
        yield field_key(model, name), at_default
        if at_default:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, BaseModel):
                yield from _fields(item)


def unexplained_defaults(record: BaseModel, signed: bool = False) -> list[str]:
    """What differs from exemptions(signed): fields left at their default without a reason, and stale reasons."""
    expected = exemptions(signed, record)
    seen: dict[str, bool] = {}  # a field of several list items counts as set when any one of them is
    for key, at_default in _fields(record):
        seen[key] = seen.get(key, True) and at_default
    problems = [
        f"{key} is left at its default: teach tests/builders/every_field.py a value for it"
        for key, at_default in seen.items()
        if at_default and key not in expected
    ]
    problems += [
        f"{key} is exempt ({why}) but was set: remove it from the exemptions in tests/builders/every_field.py"
        for key, why in expected.items()
        if key in seen and not seen[key]
    ]
    return problems


def differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Where two records (or their dumps) differ, leaf by leaf: "indication.disability_score: 12.5 != None"."""
    if isinstance(expected, BaseModel):
        expected = expected.model_dump()
    if isinstance(actual, BaseModel):
        actual = actual.model_dump()
    if isinstance(expected, dict) and isinstance(actual, dict):
        out: list[str] = []
        for key in [*expected, *(k for k in actual if k not in expected)]:
            where = f"{path}.{key}" if path else str(key)
            if key not in actual:
                out.append(f"{where}: {expected[key]!r} is missing")
            elif key not in expected:
                out.append(f"{where}: unexpected {actual[key]!r}")
            else:
                out += differences(expected[key], actual[key], where)
        return out
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        pairs = enumerate(zip(expected, actual, strict=True))
        return [d for i, (e, a) in pairs for d in differences(e, a, f"{path}[{i}]")]
    return [] if expected == actual else [f"{path or 'record'}: {expected!r} != {actual!r}"]


def model_fields_tree(model: type[BaseModel], skip: Mapping[str, str] | None = None) -> Iterator[tuple[str, str]]:
    """("Model.field", field name) for every field of ``model`` and of the models nested in it.

    The models under a field in ``skip`` ("Model.field") are not entered.
    """
    seen: set[type] = set()

    def walk(m: type[BaseModel]) -> Iterator[tuple[str, str]]:
        if m in seen:
            return
        seen.add(m)
        for name, info in m.model_fields.items():
            yield field_key(m, name), name
            if field_key(m, name) not in (skip or {}):
                for nested in nested_models(info.annotation):
                    yield from walk(nested)

    yield from walk(model)


def nested_models(tp: Any) -> Iterator[type[BaseModel]]:
    """The models in a field's annotation (``BotoxTreatment | None`` -> BotoxTreatment; list[X] -> X)."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        yield tp
    for arg in get_args(tp):
        yield from nested_models(arg)
