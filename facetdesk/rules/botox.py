"""Botulinum toxin rules: unit cap per window, re-treatment interval, neuromuscular disease, products, off-label.

Every rule counts the patient's whole exposure (earlier_doses): toxin given here and toxin given elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from facetdesk.domain.enums import BotoxProduct
from facetdesk.domain.months import in_rolling_window
from facetdesk.rules.context import RuleCase
from facetdesk.rules.definition import rule
from facetdesk.rules.doses import exceeds
from facetdesk.rules.finding import Finding, Severity, Status

_FIELD = ("botulinum_toxin",)
_ONA = BotoxProduct.ONABOTULINUMTOXINA
_NONE = "not applicable: no botulinum toxin recorded"


@dataclass(frozen=True)
class ToxinDose:
    """One earlier dose of botulinum toxin, in its product's own units."""

    day: date
    product: BotoxProduct
    units: float
    # "" for a procedure here; else what the record of toxin given elsewhere says (indication; source).
    elsewhere: str = ""

    def said(self) -> str:
        where = f" elsewhere ({self.elsewhere})" if self.elsewhere else ""
        return f"{self.units:g} U {self.product.label} on {self.day:%Y-%m-%d}{where}"


def earlier_doses(case: RuleCase) -> list[ToxinDose]:
    """The patient's botulinum toxin before this session, oldest first: procedures here, and toxin given elsewhere
    up to this session's day (the one definition of the exposure every toxin rule counts)."""
    here = [
        ToxinDose(p.performed_at.date(), p.botulinum_toxin.product, p.botulinum_toxin.total_units)
        for p in case.earlier()
        if p.botulinum_toxin is not None
    ]
    today = case.when.date()
    away = [
        ToxinDose(t.given_on, t.product, t.units, f"{t.indication}; {t.source}")
        for t in case.patient.toxin_elsewhere_until(today)
    ]
    return sorted(here + away, key=lambda d: d.day)


def _window_doses(case: RuleCase) -> list[ToxinDose]:
    """Earlier doses inside the botox.window_months calendar window."""
    months = case.value("botox.window_months")
    return [d for d in earlier_doses(case) if in_rolling_window(d.day, case.when, months)]


def _elsewhere_unknown(case: RuleCase) -> str:
    """Why toxin given elsewhere cannot be counted ("" when it can): never asked about, or answered yes with no
    dose listed. Either way an empty list is not "none elsewhere"."""
    had = case.patient.had_toxin_elsewhere
    if had is None:
        return (
            "whether the patient has had botulinum toxin elsewhere (any indication) is not recorded: ask, and "
            "record the doses or No"
        )
    if had and not case.patient.toxin_elsewhere:
        return (
            "the patient is recorded as having had botulinum toxin elsewhere, but no dose is listed: add its "
            "date, product and units"
        )
    return ""


def _counted_here_only(case: RuleCase, msg: str, why: str) -> Finding:
    """A toxin total or interval that looks fine from this clinic's doses alone, with elsewhere unknown (``why``)."""
    msg = f"not evaluated: {msg} (counting toxin given here only); {why}"
    return case.finding(case.rule_id, Severity.CAUTION, Status.NOT_EVALUATED, msg, ("patient", "had_toxin_elsewhere"))


def _not_applicable(case: RuleCase, rule_id: str) -> list[Finding]:
    return [case.finding(rule_id, Severity.INFO, Status.NOT_APPLICABLE, _NONE, field=_FIELD)]


@rule(
    "botox.units_window",
    title="Botulinum toxin total in the window",
    category="botox",
    checks=(
        "OnabotulinumtoxinA units this session plus earlier doses in the window, here or elsewhere (all indications), "
        "against the cumulative cap. Another product given in the window is not converted: unless the cap is "
        "already passed, the total is left for the physician to check; so is a total when toxin elsewhere was "
        "never asked about, or answered yes with no dose listed."
    ),
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
    in_window = _window_doses(case)
    prior = [d for d in in_window if d.product == _ONA]
    # Another product's units are not onabotulinumtoxinA units: they cannot be added, nor left out unsaid.
    others = [d for d in in_window if d.product != _ONA]
    prior_units = sum(d.units for d in prior)
    total = bt.total_units + prior_units
    msg = f"{bt.total_units:g} U onabotulinumtoxinA this session"
    if prior:
        msg += f" plus {prior_units:g} U earlier"
    over = exceeds(total, cap)
    relation = "above" if over else "within"
    counted = " counting onabotulinumtoxinA only" if others else ""
    msg += f" = {total:g} U in {months:g} months{counted}, {relation} the {cap:g} U maximum"
    if prior:
        msg += f". Earlier: {'; '.join(d.said() for d in prior)}"
    if others:
        msg += (
            f". Also in the window: {'; '.join(d.said() for d in others)}: units of other products are not "
            "converted, so check the total exposure by hand"
        )
    if over:
        return [case.finding(rid, Severity.CRITICAL, Status.NOT_MET, msg, field=_FIELD)]
    if others:
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, f"not evaluated: {msg}", field=_FIELD)]
    why = _elsewhere_unknown(case)
    if why:
        return [_counted_here_only(case, msg, why)]
    return [case.finding(rid, Severity.INFO, Status.MET, msg, field=_FIELD)]


@rule(
    "botox.interval",
    title="Time since the last botulinum toxin",
    category="botox",
    checks=(
        "Time since the last earlier botulinum toxin (any product, here or elsewhere) against the minimum interval; "
        "not evaluated unless too short when toxin elsewhere was never asked about, or answered yes with no dose "
        "listed."
    ),
    thresholds=("botox.min_interval_weeks",),
)
def check_interval(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    if case.procedure.botulinum_toxin is None:
        return _not_applicable(case, rid)
    weeks = case.value("botox.min_interval_weeks")
    earlier = earlier_doses(case)
    why = _elsewhere_unknown(case)
    if not earlier:
        # Doses elsewhere may be listed, all after this session's day (a procedure entered late).
        none_away = (
            " none elsewhere (asked)" if case.patient.had_toxin_elsewhere is False else " none elsewhere before it"
        )
        msg = "no earlier botulinum toxin" + ("" if why else f" here;{none_away}")
    else:
        last = earlier[-1]
        days = (case.when.date() - last.day).days
        since = f"{days / 7:.1f} weeks ({days} days) since {last.said()}"
        if days < weeks * 7:
            msg = f"{since}: less than the {weeks:g}-week minimum interval"
            return [case.finding(rid, Severity.WARNING, Status.NOT_MET, msg, field=_FIELD)]
        msg = f"{since}: at least the {weeks:g}-week minimum interval"
    if why:
        return [_counted_here_only(case, msg, why)]
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
    others = [d for d in _window_doses(case) if d.product != bt.product]
    if others:
        products = ", ".join(dict.fromkeys(d.product.label for d in others))
        units = ", ".join(d.said() for d in others)
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
        "not an FDA indication for paraspinal injection for back pain; Medicare coverage "
        "depends on the MAC's botulinum toxin LCD [coverage unconfirmed: review before relying on it]"
    )
    finding = case.finding(rid, Severity.INFO, Status.ADVISORY, msg, field=_FIELD, source=source)
    # No threshold carries this statement, so mark it unconfirmed here (the coverage part is [U]).
    return [finding.model_copy(update={"unconfirmed": True})]
