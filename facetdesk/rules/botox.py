"""Botulinum toxin rules: unit cap per window, re-treatment interval, neuromuscular disease, products, off-label."""

from __future__ import annotations

from facetdesk.domain.enums import BotoxProduct
from facetdesk.domain.procedure import BotoxTreatment, Procedure
from facetdesk.rules.context import RuleCase
from facetdesk.rules.definition import rule
from facetdesk.rules.doses import exceeds, months_before, priors_since
from facetdesk.rules.finding import Finding, Severity, Status

_FIELD = ("botulinum_toxin",)
_ONA = BotoxProduct.ONABOTULINUMTOXINA
_NONE = "not applicable: no botulinum toxin recorded"


def _toxin(procedure: Procedure) -> BotoxTreatment:
    """The toxin of a procedure the caller chose for having one."""
    assert procedure.botulinum_toxin is not None
    return procedure.botulinum_toxin


def _window_priors(case: RuleCase) -> list[Procedure]:
    """Earlier procedures with botulinum toxin inside the botox.window_months calendar window."""
    start = months_before(case.when, case.value("botox.window_months"))
    return [p for p in priors_since(case, start) if p.botulinum_toxin is not None]


def _not_applicable(case: RuleCase, rule_id: str) -> list[Finding]:
    return [case.finding(rule_id, Severity.INFO, Status.NOT_APPLICABLE, _NONE, field=_FIELD)]


@rule(
    "botox.units_window",
    title="Botulinum toxin total in the window",
    category="botox",
    checks="OnabotulinumtoxinA units this session plus earlier sessions in the window against the cumulative cap.",
    thresholds=("botox.max_units_window", "botox.window_months"),
)
def check_units_window(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    bt = case.procedure.botulinum_toxin
    if bt is None:
        return _not_applicable(case, rid)
    cap = case.value("botox.max_units_window")
    months = case.value("botox.window_months")
    if bt.product != _ONA:
        msg = (
            f"not evaluated: this session's product is {bt.product.label}; the {cap:g} U limit is for "
            "onabotulinumtoxinA; units of other products are not converted"
        )
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field=_FIELD)]
    prior = [p for p in _window_priors(case) if _toxin(p).product == _ONA]
    prior_units = sum(_toxin(p).total_units for p in prior)
    total = bt.total_units + prior_units
    msg = f"{bt.total_units:g} U onabotulinumtoxinA this session"
    if prior:
        dates = ", ".join(f"{p.performed_at:%Y-%m-%d}" for p in prior)
        msg += f" plus {prior_units:g} U earlier ({dates})"
    over = exceeds(total, cap)
    relation = "above" if over else "within"
    msg += f" = {total:g} U in {months:g} months, {relation} the {cap:g} U maximum"
    if over:
        return [case.finding(rid, Severity.CRITICAL, Status.NOT_MET, msg, field=_FIELD)]
    return [case.finding(rid, Severity.INFO, Status.MET, msg, field=_FIELD)]


@rule(
    "botox.interval",
    title="Time since the last botulinum toxin",
    category="botox",
    checks="Time since the most recent earlier botulinum toxin (any product) against the minimum interval.",
    thresholds=("botox.min_interval_weeks",),
)
def check_interval(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    if case.procedure.botulinum_toxin is None:
        return _not_applicable(case, rid)
    weeks = case.value("botox.min_interval_weeks")
    earlier = [p for p in case.earlier() if p.botulinum_toxin is not None]
    if not earlier:
        msg = "no earlier botulinum toxin recorded"
        return [case.finding(rid, Severity.INFO, Status.MET, msg, field=_FIELD)]
    last = earlier[-1]
    days = (case.when.date() - last.performed_at.date()).days
    product = _toxin(last).product.label
    since = f"{days / 7:.1f} weeks ({days} days) since {product} on {last.performed_at:%Y-%m-%d}"
    if days < weeks * 7:
        msg = f"{since}: less than the {weeks:g}-week minimum interval"
        return [case.finding(rid, Severity.WARNING, Status.NOT_MET, msg, field=_FIELD)]
    msg = f"{since}: at least the {weeks:g}-week minimum interval"
    return [case.finding(rid, Severity.INFO, Status.MET, msg, field=_FIELD)]


@rule(
    "botox.neuromuscular_disease",
    title="Botulinum toxin with a neuromuscular disease",
    category="botox",
    checks="Botulinum toxin in a patient with a neuromuscular disorder (distant spread warning).",
)
def check_neuromuscular_disease(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    source = "BOTOX prescribing information highlights (S38); BOTOX monograph (S36)"
    if case.procedure.botulinum_toxin is None:
        return [case.finding(rid, Severity.INFO, Status.NOT_APPLICABLE, _NONE, field=_FIELD, source=source)]
    nmd = case.patient.neuromuscular_disease
    field = ("patient", "neuromuscular_disease")
    if nmd is None:
        msg = "not evaluated: whether the patient has a neuromuscular disease is not recorded"
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field=field, source=source)]
    if nmd:
        msg = (
            "botulinum toxin in a patient with a neuromuscular disease (e.g. ALS, myasthenia gravis, "
            "Lambert-Eaton): raises the risk of distant spread: dysphagia, breathing problems"
        )
        return [case.finding(rid, Severity.CRITICAL, Status.NOT_MET, msg, field=field, source=source)]
    msg = "no neuromuscular disease recorded"
    return [case.finding(rid, Severity.INFO, Status.MET, msg, field=field, source=source)]


@rule(
    "botox.product_units",
    title="Botulinum toxin units kept per product",
    category="botox",
    checks="Units are never summed across botulinum toxin products; names the products when the window mixes them.",
    thresholds=("botox.window_months",),
)
def check_product_units(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    bt = case.procedure.botulinum_toxin
    if bt is None:
        return _not_applicable(case, rid)
    months = case.value("botox.window_months")
    source = (
        "BOTOX prescribing information (S37, S38): Botox units cannot be compared to or converted into units "
        f"of other toxins; window: {case.th('botox.window_months').source}"
    )
    others = [p for p in _window_priors(case) if _toxin(p).product != bt.product]
    if others:
        products = ", ".join(dict.fromkeys(_toxin(p).product.label for p in others))
        units = ", ".join(
            f"{_toxin(p).total_units:g} U {_toxin(p).product.value} on {p.performed_at:%Y-%m-%d}" for p in others
        )
        msg = (
            f"this session is {bt.product.label}; earlier {products} in the last {months:g} months ({units}): "
            "those units were NOT added, units of different products cannot be converted"
        )
    else:
        msg = f"units of one product only ({bt.product.label}) in the last {months:g} months"
    return [case.finding(rid, Severity.INFO, Status.MET, msg, field=_FIELD, source=source)]


@rule(
    "botox.off_label",
    title="Botulinum toxin for back pain is off-label",
    category="botox",
    checks="Paraspinal botulinum toxin for back pain is off-label; coverage depends on the MAC's LCD.",
)
def check_off_label(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    source = "S41; coverage [U]"
    if case.procedure.botulinum_toxin is None:
        return [case.finding(rid, Severity.INFO, Status.NOT_APPLICABLE, _NONE, field=_FIELD, source=source)]
    msg = (
        "paraspinal botulinum toxin for back pain is off-label (not an FDA indication); Medicare coverage "
        "depends on the MAC's botulinum toxin LCD [coverage unconfirmed: review before relying on it]"
    )
    finding = case.finding(rid, Severity.INFO, Status.ADVISORY, msg, field=_FIELD, source=source)
    # No threshold carries this statement, so mark it unconfirmed here (the coverage part is [U]).
    return [finding.model_copy(update={"unconfirmed": True})]
