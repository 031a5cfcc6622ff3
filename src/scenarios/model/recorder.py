"""The recorder: every declared outcome, every week, into preallocated arrays (plain data out).

Outcomes are declared in :mod:`scenarios.spec.outcomes`; this module computes each from the
model's state once per week. The tables start as NaN, so an outcome never written shows as NaN:
``tests/test_couplings.py`` checks that every declared outcome is written every week.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from scenarios.schedule import WEEKS_PER_YEAR
from scenarios.spec import outcomes

if TYPE_CHECKING:
    from scenarios.model.border import Conditions
    from scenarios.model.model import SecurityModel


@dataclass
class RunData:
    """What one run produced: weekly tables as column arrays (plain data, no live model)."""

    timeseries: dict[str, np.ndarray]
    regions: dict[str, np.ndarray]
    segments: dict[str, np.ndarray]
    severities: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)


class Recorder:
    """Preallocated weekly tables at three levels (national, region, segment)."""

    def __init__(self, n_steps: int, n_regions: int, n_segments: int, index_weights: dict[str, float]):
        self.index_weights = index_weights  # the parameters are fixed for the run
        self.ts = {name: np.full(n_steps, np.nan) for name in outcomes.national()}
        self.rg = {name: np.full((n_steps, n_regions), np.nan) for name in outcomes.regional()}
        self.sg = {name: np.full((n_steps, n_segments), np.nan) for name in outcomes.per_segment()}
        self.china_cum = 0.0
        self.china_security_cum = 0.0
        self.russia_security_cum = 0.0

    def record(self, m: SecurityModel, cond: Conditions) -> None:
        """Write week ``m.t`` of every outcome."""
        t = m.t
        ix = m.index
        tr, mil, soc, cap = m.trafficking, m.militants, m.society, m.capacities
        ts, rg, sg = self.ts, self.rg, self.sg
        lo = max(0, t - WEEKS_PER_YEAR + 1)

        inflow = tr.inflow_seg.sum()
        seized_region = tr.seized_region.sum(axis=0) + np.bincount(
            ix.segment_region, tr.seized_seg.sum(axis=0), len(ix.regions)
        )
        seized = seized_region.sum()
        ts["attacks"][t] = mil.attacks.sum()
        ts["casualties"][t] = mil.casualties.sum()
        ts["attacks_on_chinese"][t] = mil.attacks_chinese
        ts["attacks_on_civilians"][t] = mil.attacks_civilian
        ts["casualties_chinese"][t] = mil.casualties_chinese
        ts["mass_casualty_attacks"][t] = mil.mass_casualty
        ts["infiltration_attempts"][t] = mil.attempts
        ts["infiltration_preempted"][t] = mil.preempted
        ts["infiltration_successes"][t] = mil.successes
        ts["militant_members"][t] = sum(g.members for g in m.groups)
        ts["active_cells"][t] = mil.cells
        ts["drug_inflow_t"][t] = inflow
        ts["seizures_t"][t] = seized
        ts["seizures_opiates_t"][t] = tr.seized_seg[0].sum() + tr.seized_region[0].sum()
        ts["seizures_meth_t"][t] = tr.seized_seg[1].sum() + tr.seized_region[1].sum()
        ts["delivered_t"][t] = tr.delivered.sum()
        ts["seizure_rate"][t] = seized / inflow if inflow > 0 else 0.0
        ts["meth_share"][t] = tr.inflow_seg[1].sum() / inflow if inflow > 0 else 0.0
        ts["active_routes"][t] = tr.active_routes(t)

        pop_w = ix.pop_weights
        rg["unrest_active_share"][t] = soc.active_count / soc.counts
        rg["jailed_share"][t] = soc.jailed_persons() / soc.population
        rg["radicalised_share"][t] = soc.radicalised_share()
        rg["mean_grievance"][t] = soc.mean_by_region(soc.grievance)
        rg["legitimacy"][t] = soc.legitimacy
        rg["inflow_t"][t] = np.bincount(ix.segment_region, tr.inflow_seg.sum(axis=0), len(ix.regions))
        rg["seizures_t"][t] = seized_region
        rg["attacks"][t] = mil.attacks
        rg["casualties"][t] = mil.casualties
        rg["capacity_economy"][t] = cap["economy"]
        rg["capacity_transit_policing"][t] = cap["transit_policing"]
        rg["capacity_domestic_surveillance"][t] = cap["domestic_surveillance"]
        for name in ("unrest_active_share", "jailed_share", "radicalised_share", "mean_grievance", "legitimacy"):
            ts[name][t] = rg[name][t] @ pop_w
        ts["recruiter_share"][t] = soc.recruiters_persons() / soc.population.sum()
        ts["protest_incidents"][t] = soc.incidents.sum()
        ts["protest_detentions"][t] = soc.protest_detentions().sum()
        ts["extremism_arrests"][t] = soc.radicalisation.arrests.sum()
        ts["extremism_prisoners"][t] = soc.radicalisation.prisoners.sum()
        ts["prison_population"][t] = soc.jailed_persons().sum()
        ts["protest_region_weeks"][t] = np.count_nonzero(rg["unrest_active_share"][t] >= m.p.protest_threshold_share)
        ts["xinjiang_attempts"][t] = mil.xinjiang_attempts
        ts["xinjiang_crossings"][t] = mil.xinjiang_crossings
        ts["chinese_visibility"][t] = m.chinese_visibility
        ts["drug_revenue_musd"][t] = tr.revenue_musd
        ts["corruption_level"][t] = m.corruption
        ts["taliban_cooperation"][t] = cond.taliban
        ts["chinese_exposure"][t] = mil.chinese_share

        casualties_52w = rg["casualties"][lo : t + 1].sum(axis=0)
        weights = self.index_weights
        rg["stability_index"][t] = outcomes.stability_index(
            weights,
            casualties_52w=casualties_52w / np.maximum(pop_w, 1e-9),
            active_share=rg["unrest_active_share"][t],
            jailed_share=rg["jailed_share"][t],
            radicalised_share=rg["radicalised_share"][t],
            legitimacy=rg["legitimacy"][t],
        )
        ts["stability_index"][t] = outcomes.stability_index(
            weights,
            casualties_52w=casualties_52w.sum(),
            active_share=ts["unrest_active_share"][t],
            jailed_share=ts["jailed_share"][t],
            radicalised_share=ts["radicalised_share"][t],
            legitimacy=ts["legitimacy"][t],
            delivered_52w=ts["delivered_t"][lo : t + 1].sum(),
        )

        sg["inflow_t"][t] = tr.inflow_seg.sum(axis=0)
        sg["seizures_t"][t] = tr.seized_seg.sum(axis=0)
        sg["interdiction_probability"][t] = cond.p_border
        sg["perceived_risk"][t] = np.mean([o.segment_risk.risk for o in m.traffickers], axis=0)
        sg["capacity_detection"][t] = cap["detection"]
        sg["capacity_interdiction"][t] = cap["interdiction"]

        seg_w = ix.length_weights
        for ch, level in zip(cap.channel_names, cap.channel_level, strict=True):
            v = cap[ch]
            ts[f"capacity_{ch}"][t] = v @ seg_w if level == "segment" else (v @ pop_w if level == "region" else v[0])
        for name, series in m.drivers.items():
            ts[name][t] = series[t]
        self._money(m, t, lo)
        ts["threat_index"][t] = m.threat.index

    def _money(self, m: SecurityModel, t: int, lo: int) -> None:
        """Spending per state and category (per year), influence shares, the cumulative cost to China."""
        ts = self.ts
        st = m.states
        base = m.p.russia_security_spending * m.driver("russia_engagement")
        for name in ("china", "russia", "tajikistan"):
            split = st[name].spending_by_category()
            if name == "russia":
                split["security"] += base
            for category, value in split.items():
                ts[f"{category}_spending_{name}"][t] = value
        china = st["china"].spending
        ts["spending_china"][t] = china
        ts["spending_russia"][t] = st["russia"].spending + base
        ts["spending_tajikistan"][t] = st["tajikistan"].spending
        ts["spending_sco"][t] = st["sco"].spending
        if t >= m.burn_in:
            self.china_cum += china / WEEKS_PER_YEAR
            self.china_security_cum += ts["security_spending_china"][t] / WEEKS_PER_YEAR
            self.russia_security_cum += ts["security_spending_russia"][t] / WEEKS_PER_YEAR
        ts["cost_to_china_cumulative"][t] = self.china_cum
        c52 = ts["security_spending_china"][lo : t + 1].sum()
        r52 = ts["security_spending_russia"][lo : t + 1].sum()
        ts["china_influence_share"][t] = c52 / (c52 + r52) if c52 + r52 > 0 else 0.0
        total = self.china_security_cum + self.russia_security_cum
        ts["dependence_on_china"][t] = self.china_security_cum / total if total > 0 else 0.0

    def data(self, m: SecurityModel) -> RunData:
        """The recorded tables of the weeks run so far after the burn-in, as plain column arrays."""
        b = m.burn_in
        n = max(0, m.t - b)
        ix = m.index
        n_r, n_s = len(ix.regions), len(ix.segments)
        steps = np.arange(n)
        timeseries = {"step": steps, "year": m.years[:n]}
        timeseries.update({k: v[b : b + n].copy() for k, v in self.ts.items()})
        regions = {"step": np.repeat(steps, n_r), "region": np.tile(np.array(ix.regions), n)}
        regions.update({k: v[b : b + n].reshape(-1) for k, v in self.rg.items()})
        segments = {"step": np.repeat(steps, n_s), "segment": np.tile(np.array(ix.segments), n)}
        segments.update({k: v[b : b + n].reshape(-1) for k, v in self.sg.items()})
        recorded = [s for w, s in m.militants.severities if w >= 0]
        sev = np.concatenate(recorded) if recorded else np.zeros(0)
        return RunData(timeseries, regions, segments, sev, {"seed": m.seed, "steps": n, "burn_in_weeks": b})
