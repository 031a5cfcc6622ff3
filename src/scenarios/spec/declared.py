"""The fields of a scenario's levers, aid allocation, drivers and parameters (generated: do not edit).

Generated from ``spec/data/*.yaml`` by ``python scripts/gen_declared.py``; ``tests/test_generate.py``
fails when this file is stale. Bounds, units and descriptions are read from the registry by each
field's :class:`~scenarios.spec.fields.Registered` marker.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from scenarios.spec.fields import LeverSchedules, Registered, Schedule, Shares, Values


class TajikistanLevers(LeverSchedules):
    """The levers tajikistan supplies: each a schedule in the lever's unit (unset: 0)."""

    military_training: Annotated[Schedule | None, Registered("lever", "military_training")] = None
    joint_border_patrols: Annotated[Schedule | None, Registered("lever", "joint_border_patrols")] = None
    military_equipment: Annotated[Schedule | None, Registered("lever", "military_equipment")] = None
    surveillance_systems: Annotated[Schedule | None, Registered("lever", "surveillance_systems")] = None
    infrastructure_investment: Annotated[Schedule | None, Registered("lever", "infrastructure_investment")] = None
    economic_initiatives: Annotated[Schedule | None, Registered("lever", "economic_initiatives")] = None
    diplomatic_engagement: Annotated[Schedule | None, Registered("lever", "diplomatic_engagement")] = None
    cultural_exchanges: Annotated[Schedule | None, Registered("lever", "cultural_exchanges")] = None
    cybersecurity: Annotated[Schedule | None, Registered("lever", "cybersecurity")] = None


class ChinaLevers(LeverSchedules):
    """The levers china supplies: each a schedule in the lever's unit (unset: 0)."""

    military_training: Annotated[Schedule | None, Registered("lever", "military_training")] = None
    intelligence_sharing: Annotated[Schedule | None, Registered("lever", "intelligence_sharing")] = None
    joint_exercises: Annotated[Schedule | None, Registered("lever", "joint_exercises")] = None
    joint_border_patrols: Annotated[Schedule | None, Registered("lever", "joint_border_patrols")] = None
    military_equipment: Annotated[Schedule | None, Registered("lever", "military_equipment")] = None
    financial_aid: Annotated[Schedule | None, Registered("lever", "financial_aid")] = None
    surveillance_systems: Annotated[Schedule | None, Registered("lever", "surveillance_systems")] = None
    infrastructure_investment: Annotated[Schedule | None, Registered("lever", "infrastructure_investment")] = None
    economic_initiatives: Annotated[Schedule | None, Registered("lever", "economic_initiatives")] = None
    diplomatic_engagement: Annotated[Schedule | None, Registered("lever", "diplomatic_engagement")] = None
    sco_engagement: Annotated[Schedule | None, Registered("lever", "sco_engagement")] = None
    cultural_exchanges: Annotated[Schedule | None, Registered("lever", "cultural_exchanges")] = None
    cybersecurity: Annotated[Schedule | None, Registered("lever", "cybersecurity")] = None


class RussiaLevers(LeverSchedules):
    """The levers russia supplies: each a schedule in the lever's unit (unset: 0)."""

    military_training: Annotated[Schedule | None, Registered("lever", "military_training")] = None
    intelligence_sharing: Annotated[Schedule | None, Registered("lever", "intelligence_sharing")] = None
    joint_exercises: Annotated[Schedule | None, Registered("lever", "joint_exercises")] = None
    joint_border_patrols: Annotated[Schedule | None, Registered("lever", "joint_border_patrols")] = None
    military_equipment: Annotated[Schedule | None, Registered("lever", "military_equipment")] = None
    financial_aid: Annotated[Schedule | None, Registered("lever", "financial_aid")] = None
    infrastructure_investment: Annotated[Schedule | None, Registered("lever", "infrastructure_investment")] = None
    economic_initiatives: Annotated[Schedule | None, Registered("lever", "economic_initiatives")] = None
    diplomatic_engagement: Annotated[Schedule | None, Registered("lever", "diplomatic_engagement")] = None
    sco_engagement: Annotated[Schedule | None, Registered("lever", "sco_engagement")] = None
    cultural_exchanges: Annotated[Schedule | None, Registered("lever", "cultural_exchanges")] = None
    cybersecurity: Annotated[Schedule | None, Registered("lever", "cybersecurity")] = None


class ScoLevers(LeverSchedules):
    """The levers sco supplies: each a schedule in the lever's unit (unset: 0)."""

    joint_exercises: Annotated[Schedule | None, Registered("lever", "joint_exercises")] = None
    sco_engagement: Annotated[Schedule | None, Registered("lever", "sco_engagement")] = None


class AidAllocation(Shares):
    """Shares of the financial aid Tajikistan receives spent on each Tajik lever (normalised)."""

    military_training: Annotated[float, Field(ge=0, le=1)] | None = None
    joint_border_patrols: Annotated[float, Field(ge=0, le=1)] | None = None
    military_equipment: Annotated[float, Field(ge=0, le=1)] | None = None
    surveillance_systems: Annotated[float, Field(ge=0, le=1)] | None = None
    infrastructure_investment: Annotated[float, Field(ge=0, le=1)] | None = None
    economic_initiatives: Annotated[float, Field(ge=0, le=1)] | None = None
    diplomatic_engagement: Annotated[float, Field(ge=0, le=1)] | None = None
    cultural_exchanges: Annotated[float, Field(ge=0, le=1)] | None = None
    cybersecurity: Annotated[float, Field(ge=0, le=1)] | None = None


class Drivers(Values):
    """Exogenous drivers: each a schedule (unset: the registry default)."""

    afghan_instability: Annotated[Schedule | None, Registered("driver", "afghan_instability")] = None
    afghan_militant_pool: Annotated[Schedule | None, Registered("driver", "afghan_militant_pool")] = None
    opium_production: Annotated[Schedule | None, Registered("driver", "opium_production")] = None
    meth_production: Annotated[Schedule | None, Registered("driver", "meth_production")] = None
    taliban_border_cooperation: Annotated[Schedule | None, Registered("driver", "taliban_border_cooperation")] = None
    russia_engagement: Annotated[Schedule | None, Registered("driver", "russia_engagement")] = None
    remittances: Annotated[Schedule | None, Registered("driver", "remittances")] = None
    corruption: Annotated[Schedule | None, Registered("driver", "corruption")] = None


class Parameters(Values):
    """Model parameters: each a number within the registry's range (unset: the registry value)."""

    tajik_share_of_opiates: Annotated[float | None, Registered("parameter", "tajik_share_of_opiates")] = None
    opiate_product_per_opium_t: Annotated[float | None, Registered("parameter", "opiate_product_per_opium_t")] = None
    meth_share_north: Annotated[float | None, Registered("parameter", "meth_share_north")] = None
    supply_stock_weeks: Annotated[float | None, Registered("parameter", "supply_stock_weeks")] = None
    trafficking_orgs: Annotated[float | None, Registered("parameter", "trafficking_orgs")] = None
    shipment_size_t: Annotated[float | None, Registered("parameter", "shipment_size_t")] = None
    risk_prior_a: Annotated[float | None, Registered("parameter", "risk_prior_a")] = None
    risk_prior_b: Annotated[float | None, Registered("parameter", "risk_prior_b")] = None
    risk_memory: Annotated[float | None, Registered("parameter", "risk_memory")] = None
    risk_sensitivity: Annotated[float | None, Registered("parameter", "risk_sensitivity")] = None
    cost_sensitivity: Annotated[float | None, Registered("parameter", "cost_sensitivity")] = None
    loss_tolerance: Annotated[float | None, Registered("parameter", "loss_tolerance")] = None
    initial_routes: Annotated[float | None, Registered("parameter", "initial_routes")] = None
    route_expansion: Annotated[float | None, Registered("parameter", "route_expansion")] = None
    route_abandon_risk: Annotated[float | None, Registered("parameter", "route_abandon_risk")] = None
    drug_substitution: Annotated[float | None, Registered("parameter", "drug_substitution")] = None
    substitution_weight_ratio: Annotated[float | None, Registered("parameter", "substitution_weight_ratio")] = None
    spread_gain: Annotated[float | None, Registered("parameter", "spread_gain")] = None
    interdiction_max: Annotated[float | None, Registered("parameter", "interdiction_max")] = None
    base_interdiction: Annotated[float | None, Registered("parameter", "base_interdiction")] = None
    base_transit_seizure: Annotated[float | None, Registered("parameter", "base_transit_seizure")] = None
    transit_max: Annotated[float | None, Registered("parameter", "transit_max")] = None
    roads_help_smugglers: Annotated[float | None, Registered("parameter", "roads_help_smugglers")] = None
    loss_learning: Annotated[float | None, Registered("parameter", "loss_learning")] = None
    terrain_effect: Annotated[float | None, Registered("parameter", "terrain_effect")] = None
    taliban_border_effect: Annotated[float | None, Registered("parameter", "taliban_border_effect")] = None
    interdiction_ceiling: Annotated[float | None, Registered("parameter", "interdiction_ceiling")] = None
    militant_groups: Annotated[float | None, Registered("parameter", "militant_groups")] = None
    afghan_recruitment_rate: Annotated[float | None, Registered("parameter", "afghan_recruitment_rate")] = None
    tajik_recruitment_rate: Annotated[float | None, Registered("parameter", "tajik_recruitment_rate")] = None
    militant_attrition: Annotated[float | None, Registered("parameter", "militant_attrition")] = None
    infiltration_rate: Annotated[float | None, Registered("parameter", "infiltration_rate")] = None
    cell_attack_rate: Annotated[float | None, Registered("parameter", "cell_attack_rate")] = None
    cell_disruption_base: Annotated[float | None, Registered("parameter", "cell_disruption_base")] = None
    cell_disruption_gain: Annotated[float | None, Registered("parameter", "cell_disruption_gain")] = None
    target_hardening: Annotated[float | None, Registered("parameter", "target_hardening")] = None
    severity_alpha: Annotated[float | None, Registered("parameter", "severity_alpha")] = None
    soft_target_protection: Annotated[float | None, Registered("parameter", "soft_target_protection")] = None
    civilian_severity: Annotated[float | None, Registered("parameter", "civilian_severity")] = None
    plot_detection: Annotated[float | None, Registered("parameter", "plot_detection")] = None
    complex_severity: Annotated[float | None, Registered("parameter", "complex_severity")] = None
    severity_xmin: Annotated[float | None, Registered("parameter", "severity_xmin")] = None
    mass_casualty_threshold: Annotated[float | None, Registered("parameter", "mass_casualty_threshold")] = None
    chinese_target_base: Annotated[float | None, Registered("parameter", "chinese_target_base")] = None
    chinese_exposure_per_busd: Annotated[float | None, Registered("parameter", "chinese_exposure_per_busd")] = None
    onward_to_capital: Annotated[float | None, Registered("parameter", "onward_to_capital")] = None
    counterterrorism_attrition: Annotated[float | None, Registered("parameter", "counterterrorism_attrition")] = None
    chinese_share_cap: Annotated[float | None, Registered("parameter", "chinese_share_cap")] = None
    arrest_constant_k: Annotated[float | None, Registered("parameter", "arrest_constant_k")] = None
    activation_threshold: Annotated[float | None, Registered("parameter", "activation_threshold")] = None
    neighbourhood_size: Annotated[float | None, Registered("parameter", "neighbourhood_size")] = None
    police_per_citizen: Annotated[float | None, Registered("parameter", "police_per_citizen")] = None
    max_jail_weeks: Annotated[float | None, Registered("parameter", "max_jail_weeks")] = None
    legitimacy_initial: Annotated[float | None, Registered("parameter", "legitimacy_initial")] = None
    autonomy_legitimacy_gap: Annotated[float | None, Registered("parameter", "autonomy_legitimacy_gap")] = None
    protest_incident_rate: Annotated[float | None, Registered("parameter", "protest_incident_rate")] = None
    incident_legitimacy_drop: Annotated[float | None, Registered("parameter", "incident_legitimacy_drop")] = None
    incident_weeks: Annotated[float | None, Registered("parameter", "incident_weeks")] = None
    protest_detained_share: Annotated[float | None, Registered("parameter", "protest_detained_share")] = None
    min_region_share: Annotated[float | None, Registered("parameter", "min_region_share")] = None
    legitimacy_recovery: Annotated[float | None, Registered("parameter", "legitimacy_recovery")] = None
    repression_sensitivity: Annotated[float | None, Registered("parameter", "repression_sensitivity")] = None
    surveillance_backlash: Annotated[float | None, Registered("parameter", "surveillance_backlash")] = None
    surveillance_arrest_gain: Annotated[float | None, Registered("parameter", "surveillance_arrest_gain")] = None
    economy_hardship_relief: Annotated[float | None, Registered("parameter", "economy_hardship_relief")] = None
    remittance_hardship: Annotated[float | None, Registered("parameter", "remittance_hardship")] = None
    economy_legitimacy_gain: Annotated[float | None, Registered("parameter", "economy_legitimacy_gain")] = None
    soft_legitimacy_gain: Annotated[float | None, Registered("parameter", "soft_legitimacy_gain")] = None
    radicalisation_contact: Annotated[float | None, Registered("parameter", "radicalisation_contact")] = None
    online_propaganda: Annotated[float | None, Registered("parameter", "online_propaganda")] = None
    extremist_to_recruiter: Annotated[float | None, Registered("parameter", "extremist_to_recruiter")] = None
    prevention_rate: Annotated[float | None, Registered("parameter", "prevention_rate")] = None
    treatment_rate: Annotated[float | None, Registered("parameter", "treatment_rate")] = None
    radicalisation_initial: Annotated[float | None, Registered("parameter", "radicalisation_initial")] = None
    cell_recruiters: Annotated[float | None, Registered("parameter", "cell_recruiters")] = None
    economy_radicalisation_damping: Annotated[
        float | None, Registered("parameter", "economy_radicalisation_damping")
    ] = None
    remittance_pivot: Annotated[float | None, Registered("parameter", "remittance_pivot")] = None
    russia_base_counterterrorism: Annotated[float | None, Registered("parameter", "russia_base_counterterrorism")] = (
        None
    )
    russia_base_interdiction: Annotated[float | None, Registered("parameter", "russia_base_interdiction")] = None
    russia_security_spending: Annotated[float | None, Registered("parameter", "russia_security_spending")] = None
    sco_multiplier: Annotated[float | None, Registered("parameter", "sco_multiplier")] = None
    tajik_threat_response: Annotated[float | None, Registered("parameter", "tajik_threat_response")] = None
    china_threat_response: Annotated[float | None, Registered("parameter", "china_threat_response")] = None
    threat_memory_weeks: Annotated[float | None, Registered("parameter", "threat_memory_weeks")] = None
    threat_casualty_scale: Annotated[float | None, Registered("parameter", "threat_casualty_scale")] = None
    threat_infiltration_scale: Annotated[float | None, Registered("parameter", "threat_infiltration_scale")] = None
    threat_unrest_scale: Annotated[float | None, Registered("parameter", "threat_unrest_scale")] = None
    event_collapse_instability: Annotated[float | None, Registered("parameter", "event_collapse_instability")] = None
    event_collapse_pool: Annotated[float | None, Registered("parameter", "event_collapse_pool")] = None
    event_drawdown_share: Annotated[float | None, Registered("parameter", "event_drawdown_share")] = None
    burn_in_weeks: Annotated[float | None, Registered("parameter", "burn_in_weeks")] = None
    transit_value_musd_per_t: Annotated[float | None, Registered("parameter", "transit_value_musd_per_t")] = None
    drug_revenue_half: Annotated[float | None, Registered("parameter", "drug_revenue_half")] = None
    drug_corruption_gain: Annotated[float | None, Registered("parameter", "drug_corruption_gain")] = None
    corruption_adjust_weeks: Annotated[float | None, Registered("parameter", "corruption_adjust_weeks")] = None
    drug_militant_gain: Annotated[float | None, Registered("parameter", "drug_militant_gain")] = None
    unrest_recruitment: Annotated[float | None, Registered("parameter", "unrest_recruitment")] = None
    anti_china_recruitment: Annotated[float | None, Registered("parameter", "anti_china_recruitment")] = None
    visibility_investment_busd: Annotated[float | None, Registered("parameter", "visibility_investment_busd")] = None
    chinese_resentment: Annotated[float | None, Registered("parameter", "chinese_resentment")] = None
    xinjiang_attempts_per_year: Annotated[float | None, Registered("parameter", "xinjiang_attempts_per_year")] = None
    china_side_interdiction: Annotated[float | None, Registered("parameter", "china_side_interdiction")] = None
    loss_reference: Annotated[float | None, Registered("parameter", "loss_reference")] = None
    route_loss_elasticity: Annotated[float | None, Registered("parameter", "route_loss_elasticity")] = None
    roads_volume_elasticity: Annotated[float | None, Registered("parameter", "roads_volume_elasticity")] = None
    interdiction_reallocation: Annotated[float | None, Registered("parameter", "interdiction_reallocation")] = None
    reallocation_share: Annotated[float | None, Registered("parameter", "reallocation_share")] = None
    repression_threat_response: Annotated[float | None, Registered("parameter", "repression_threat_response")] = None
    attack_legitimacy_per_casualty: Annotated[
        float | None, Registered("parameter", "attack_legitimacy_per_casualty")
    ] = None
    extremism_arrest_base: Annotated[float | None, Registered("parameter", "extremism_arrest_base")] = None
    extremism_arrest_gain: Annotated[float | None, Registered("parameter", "extremism_arrest_gain")] = None
    extremism_sentence_weeks: Annotated[float | None, Registered("parameter", "extremism_sentence_weeks")] = None
    prison_recruiter_share: Annotated[float | None, Registered("parameter", "prison_recruiter_share")] = None
    index_weight_security: Annotated[float | None, Registered("parameter", "index_weight_security")] = None
    index_weight_order: Annotated[float | None, Registered("parameter", "index_weight_order")] = None
    index_weight_radicalisation: Annotated[float | None, Registered("parameter", "index_weight_radicalisation")] = None
    index_weight_legitimacy: Annotated[float | None, Registered("parameter", "index_weight_legitimacy")] = None
    index_weight_narcotics: Annotated[float | None, Registered("parameter", "index_weight_narcotics")] = None
    protest_threshold_share: Annotated[float | None, Registered("parameter", "protest_threshold_share")] = None
