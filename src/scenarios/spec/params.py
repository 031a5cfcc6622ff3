"""The model's parameters as a typed, frozen object: ``params.severity_alpha`` instead of ``p["severity_alpha"]``.

GENERATED from ``spec/data/parameters.yaml`` by ``scripts/gen_params.py``; do not edit by hand
(a test fails when this file and the registry disagree). Units, ranges and sources are in the
registry and in docs/model.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class Params:
    """One value per registry parameter (the registry's value unless a scenario overrides it)."""

    tajik_share_of_opiates: float
    """share (sourced)."""
    opiate_product_per_opium_t: float
    """t product per t opium (calibrated)."""
    meth_share_north: float
    """share (assumption)."""
    supply_stock_weeks: float
    """weeks (assumption)."""
    trafficking_orgs: float
    """organisations (assumption)."""
    shipment_size_t: float
    """t (assumption)."""
    risk_prior_a: float
    """pseudo-events (sourced)."""
    risk_prior_b: float
    """pseudo-trials (assumption)."""
    risk_memory: float
    """weight per week (assumption)."""
    risk_sensitivity: float
    """utility per unit risk (assumption)."""
    cost_sensitivity: float
    """utility per unit cost (assumption)."""
    loss_tolerance: float
    """share lost (sourced)."""
    initial_routes: float
    """segment-route combinations (assumption)."""
    route_expansion: float
    """chance per week while losses exceed tolerance (assumption)."""
    route_abandon_risk: float
    """perceived risk (segment + route) (assumption)."""
    drug_substitution: float
    """largest share of opiate volume switched to methamphetamine (assumption)."""
    substitution_weight_ratio: float
    """t methamphetamine per t opiates replaced (assumption)."""
    spread_gain: float
    """factor (assumption)."""
    interdiction_max: float
    """chance per crossing (calibrated)."""
    base_interdiction: float
    """chance per crossing (calibrated)."""
    base_transit_seizure: float
    """chance per region crossed (calibrated)."""
    transit_max: float
    """chance per region crossed (assumption)."""
    roads_help_smugglers: float
    """share of route cost removed at full roads capacity (assumption)."""
    loss_learning: float
    """weight per week (assumption)."""
    terrain_effect: float
    """share of interdiction lost at difficulty 1 (assumption)."""
    taliban_border_effect: float
    """border capacity at full Taliban cooperation (assumption)."""
    interdiction_ceiling: float
    """chance per crossing (assumption)."""
    militant_groups: float
    """groups (assumption)."""
    afghan_recruitment_rate: float
    """recruits per pool member per week at instability 1 (assumption)."""
    tajik_recruitment_rate: float
    """recruits per recruiter per week (assumption)."""
    militant_attrition: float
    """per week (assumption)."""
    infiltration_rate: float
    """attempts per member per week (calibrated)."""
    cell_attack_rate: float
    """per cell per week (assumption)."""
    cell_disruption_base: float
    """per cell per week (assumption)."""
    cell_disruption_gain: float
    """per cell per week at full counterterrorism (assumption)."""
    target_hardening: float
    """share of attacks foiled at full counterterrorism (assumption)."""
    severity_alpha: float
    """power-law exponent (sourced)."""
    soft_target_protection: float
    """share of target hardening that protects civilian targets (assumption)."""
    civilian_severity: float
    """factor on severity_xmin (assumption)."""
    plot_detection: float
    """share of complex plots uncovered per unit of pre-emption (assumption)."""
    complex_severity: float
    """factor on severity_xmin (assumption)."""
    severity_xmin: float
    """casualties (assumption)."""
    mass_casualty_threshold: float
    """casualties (assumption)."""
    chinese_target_base: float
    """share of attacks (assumption)."""
    chinese_exposure_per_busd: float
    """share of attacks per USD bn invested (assumption)."""
    onward_to_capital: float
    """share of successful infiltrators (assumption)."""
    counterterrorism_attrition: float
    """per week at full counterterrorism (assumption)."""
    chinese_share_cap: float
    """share of attacks (assumption)."""
    arrest_constant_k: float
    """constant (sourced)."""
    activation_threshold: float
    """grievance units (sourced)."""
    neighbourhood_size: float
    """citizens (assumption)."""
    police_per_citizen: float
    """police per citizen in model units (assumption)."""
    max_jail_weeks: float
    """weeks (assumption)."""
    legitimacy_initial: float
    """index 0-1 (calibrated)."""
    autonomy_legitimacy_gap: float
    """index 0-1 (calibrated)."""
    protest_incident_rate: float
    """incidents per year in a region with an autonomy movement (sourced)."""
    incident_legitimacy_drop: float
    """index 0-1 (calibrated)."""
    incident_weeks: float
    """weeks (assumption)."""
    protest_detained_share: float
    """share of a dispersed group's persons (sourced)."""
    min_region_share: float
    """share of simulated citizens (assumption)."""
    legitimacy_recovery: float
    """per week (assumption)."""
    repression_sensitivity: float
    """legitimacy loss per arrest share (assumption)."""
    surveillance_backlash: float
    """legitimacy loss per week at full domestic surveillance (assumption)."""
    surveillance_arrest_gain: float
    """extra police presence at full domestic surveillance (assumption)."""
    economy_hardship_relief: float
    """share of hardship removed at full economy capacity (assumption)."""
    remittance_hardship: float
    """hardship change per unit remittance share change (assumption)."""
    economy_legitimacy_gain: float
    """legitimacy target gain at full economy (assumption)."""
    soft_legitimacy_gain: float
    """legitimacy target gain at full soft legitimacy (assumption)."""
    radicalisation_contact: float
    """new extremists per recruiter per week (assumption)."""
    online_propaganda: float
    """per susceptible person per week (calibrated)."""
    extremist_to_recruiter: float
    """per week (assumption)."""
    prevention_rate: float
    """per week (extremist back to susceptible) (assumption)."""
    treatment_rate: float
    """per week (recruiter leaves) (assumption)."""
    radicalisation_initial: float
    """share extremist before settling (assumption)."""
    cell_recruiters: float
    """recruiter-equivalents per militant cell (assumption)."""
    economy_radicalisation_damping: float
    """share of contact removed at full economy (assumption)."""
    remittance_pivot: float
    """share of GDP (assumption)."""
    russia_base_counterterrorism: float
    """counterterrorism capacity at engagement 1 (assumption)."""
    russia_base_interdiction: float
    """interdiction capacity at engagement 1 (assumption)."""
    russia_security_spending: float
    """USD M/yr equivalent at engagement 1 (assumption)."""
    sco_multiplier: float
    """extra effect at full SCO engagement (assumption)."""
    tajik_threat_response: float
    """extra demand per unit threat (assumption)."""
    china_threat_response: float
    """extra supply per unit Tajik demand (assumption)."""
    threat_memory_weeks: float
    """weeks (assumption)."""
    threat_casualty_scale: float
    """casualties/yr (assumption)."""
    threat_infiltration_scale: float
    """infiltrations/yr (assumption)."""
    threat_unrest_scale: float
    """share in unrest (assumption)."""
    event_collapse_instability: float
    """instability added per unit magnitude (assumption)."""
    event_collapse_pool: float
    """militant pool growth per unit magnitude (assumption)."""
    event_drawdown_share: float
    """share of engagement withdrawn per unit magnitude (assumption)."""
    burn_in_weeks: float
    """weeks (assumption)."""
    transit_value_musd_per_t: float
    """USD M per t delivered (assumption)."""
    drug_revenue_half: float
    """USD M/yr (assumption)."""
    drug_corruption_gain: float
    """corruption at saturating drug revenue (assumption)."""
    corruption_adjust_weeks: float
    """weeks (assumption)."""
    drug_militant_gain: float
    """extra recruitment at saturating drug revenue (assumption)."""
    unrest_recruitment: float
    """recruiter-equivalents per person in active unrest (assumption)."""
    anti_china_recruitment: float
    """extra recruitment at full Chinese visibility (assumption)."""
    visibility_investment_busd: float
    """USD bn invested per unit of visibility (assumption)."""
    chinese_resentment: float
    """legitimacy target lost at full Chinese visibility (assumption)."""
    xinjiang_attempts_per_year: float
    """attempts/yr at instability 1 (assumption)."""
    china_side_interdiction: float
    """chance per crossing (assumption)."""
    loss_reference: float
    """share lost (sourced)."""
    route_loss_elasticity: float
    """elasticity (assumption)."""
    roads_volume_elasticity: float
    """elasticity (assumption)."""
    interdiction_reallocation: float
    """per week (assumption)."""
    reallocation_share: float
    """share of border effort (assumption)."""
    repression_threat_response: float
    """extra police presence at threat 1 (assumption)."""
    attack_legitimacy_per_casualty: float
    """legitimacy per casualty (assumption)."""
    extremism_arrest_base: float
    """per radicalised person at liberty per week (calibrated)."""
    extremism_arrest_gain: float
    """per radicalised person at liberty per week at full domestic surveillance (assumption)."""
    extremism_sentence_weeks: float
    """weeks (calibrated)."""
    prison_recruiter_share: float
    """share of released extremism convicts (assumption)."""
    index_weight_security: float
    """weight (assumption)."""
    index_weight_order: float
    """weight (assumption)."""
    index_weight_radicalisation: float
    """weight (assumption)."""
    index_weight_legitimacy: float
    """weight (assumption)."""
    index_weight_narcotics: float
    """weight (assumption)."""
    protest_threshold_share: float
    """share of a region's citizens (assumption)."""

    @classmethod
    def from_values(cls, values: Mapping[str, float]) -> Params:
        """Build from a complete mapping name -> value (extra or missing names are an error)."""
        names = {f.name for f in fields(cls)}
        if set(values) != names:
            raise KeyError(f"parameters differ from the registry: {sorted(set(values) ^ names)}")
        return cls(**{k: float(v) for k, v in values.items()})

    @classmethod
    def defaults(cls, **overrides: float) -> Params:
        """The registry's values, with ``overrides`` by name (for tests and submodel experiments)."""
        from scenarios.spec import registry

        values = {name: par.value for name, par in registry.parameters().items()}
        unknown = set(overrides) - set(values)
        if unknown:
            raise KeyError(f"unknown parameters: {sorted(unknown)}")
        values.update(overrides)
        return cls.from_values(values)
