"""Trafficking organisations on the Northern Route (after NarcoLogic, Magliocca et al. 2019, 2024).

Afghan supply (opiates and methamphetamine, exogenous drivers) is split among a few trafficking
organisations (Mesa agents). Each week an organisation ships its volume as shipments; each
shipment takes a *combination* of a border segment and a route north (a chain of Tajik regions
and an exit to Uzbekistan or Kyrgyzstan). Choice is a logit on:

- access: how much of the supply is staged in the Afghan provinces the segment faces;
- perceived risk of the segment and of the route, each a time-weighted Beta-Bernoulli posterior
  learned from the organisation's own seizures (:mod:`.beliefs`);
- cost: terrain difficulty and distance (roads built by infrastructure investment cut it).

An organisation whose recent losses exceed its loss tolerance (NarcoLogic's ``losslim``) splits
its volume into smaller shipments and spreads them over more combinations (a higher logit
temperature): Magliocca et al. (2024) find interdiction spreads trafficking out, so seizures rise
while active routes do not fall and value per seizure drops. A shipment is stopped at the border
with the segment's interdiction chance, then on each region it crosses with that region's transit
chance (both from the capacities the levers build; see :mod:`.model`).
"""

from __future__ import annotations

import mesa
import numpy as np
from mesa.discrete_space import CellAgent

from scenarios.model.beliefs import RiskBelief

DRUGS = ("opiates", "meth")


class TraffickingOrganisation(CellAgent):
    """One trafficking organisation: its risk beliefs, recent losses and this week's shipments.

    Args:
        model: the :class:`~scenarios.model.model.SecurityModel`.
        share: its share of the northbound supply.
    """

    def __init__(self, model: mesa.Model, share: float):
        super().__init__(model)
        p = model.p
        ix = model.index
        self.share = share
        self.segment_risk = RiskBelief((len(ix.segments),), p["risk_prior_a"], p["risk_prior_b"], p["risk_memory"])
        self.route_risk = RiskBelief((len(ix.routes),), p["risk_prior_a"], p["risk_prior_b"], p["risk_memory"])
        self.loss = 0.0  # smoothed share of volume lost to seizures
        self.stream = model.streams["trafficking"]

    def spread(self) -> float:
        """Logit temperature and shipment-splitting factor: 1, or more when losses exceed tolerance."""
        p = self.model.p
        return 1.0 + p["spread_gain"] * max(0.0, self.loss / p["loss_tolerance"] - 1.0)

    def choice_probabilities(self) -> np.ndarray:
        """Probability of each (segment, route) combination for the next shipment."""
        m = self.model
        ix = m.index
        p = m.p
        risk = self.segment_risk.risk[ix.combo_segment] + self.route_risk.risk[ix.combo_route]
        utility = (
            m.trafficking.log_access[ix.combo_segment]
            - p["risk_sensitivity"] * risk
            - p["cost_sensitivity"] * m.trafficking.cost
        )
        utility = utility / self.spread()
        w = np.exp(utility - utility.max())
        return w / w.sum()

    def step(self) -> None:
        """Ship this week's volume of each drug, suffer seizures, learn from them."""
        m = self.model
        t = m.trafficking
        ix = m.index
        probs = self.choice_probabilities()
        size = m.p["shipment_size_t"] / self.spread()
        shipped_total = 0.0
        lost_total = 0.0
        seg_trials = np.zeros(len(ix.segments))
        seg_events = np.zeros(len(ix.segments))
        route_trials = np.zeros(len(ix.routes))
        route_events = np.zeros(len(ix.routes))
        for d in range(len(DRUGS)):
            volume = t.supply[d] * self.share
            if volume <= 0:
                continue
            n = max(1, round(volume / size))
            tonnes = volume / n
            counts = self.stream.multinomial(n, probs)
            border = self.stream.binomial(counts, t.p_border[ix.combo_segment])
            through = counts - border
            transit = self.stream.binomial(through, t.p_route[ix.combo_route])
            delivered = through - transit
            t.record(d, counts * tonnes, border * tonnes, transit * tonnes, delivered * tonnes)
            seg_trials += np.bincount(ix.combo_segment, counts, len(ix.segments))
            seg_events += np.bincount(ix.combo_segment, border, len(ix.segments))
            route_trials += np.bincount(ix.combo_route, through, len(ix.routes))
            route_events += np.bincount(ix.combo_route, transit, len(ix.routes))
            shipped_total += volume
            lost_total += (border.sum() + transit.sum()) * tonnes
        self.segment_risk.update(seg_trials, seg_events)
        self.route_risk.update(route_trials, route_events)
        if shipped_total > 0:
            self.loss = 0.9 * self.loss + 0.1 * lost_total / shipped_total


class Trafficking:
    """The trafficking system: supply, interdiction chances, and this week's tallies.

    The model sets ``supply``, ``p_border``, ``p_transit`` and ``cost`` each week, steps the
    organisations, then reads the tallies (per segment, region and combination).
    """

    def __init__(self, model: mesa.Model):
        ix = model.index
        self.model = model
        access = ix.supply_share @ (ix.province_segment / ix.province_segment.sum(axis=1, keepdims=True))
        self.log_access = np.log(np.maximum(access, 1e-12))
        self.supply = np.zeros(len(DRUGS))
        self.p_border = np.zeros(len(ix.segments))
        self.p_transit = np.zeros(len(ix.regions))
        self.p_route = np.zeros(len(ix.routes))
        self.hazard_share = np.zeros((len(ix.routes), len(ix.regions)))
        self.cost = np.zeros(ix.combo_segment.size)
        self.recent = np.zeros((4, ix.combo_segment.size))  # tonnes per combination, last 4 weeks
        self.reset()

    def set_conditions(
        self, supply: np.ndarray, p_border: np.ndarray, p_transit: np.ndarray, road_factor: float
    ) -> None:
        """This week's supply per drug (t), interdiction chances, and the road cost factor."""
        ix = self.model.index
        self.supply = supply
        self.p_border = p_border
        self.p_transit = p_transit
        hazard = -np.log1p(-np.minimum(p_transit, 0.999999)) * ix.route_regions  # (routes, regions)
        total = hazard.sum(axis=1)
        self.p_route = 1.0 - np.exp(-total)
        self.hazard_share = np.divide(hazard, total[:, None], out=np.zeros_like(hazard), where=total[:, None] > 0)
        self.cost = ix.segment_difficulty[ix.combo_segment] + road_factor * ix.route_length[ix.combo_route] / 1000.0

    def reset(self) -> None:
        """Zero this week's tallies."""
        ix = self.model.index
        n_d, n_s, n_r = len(DRUGS), len(ix.segments), len(ix.regions)
        self.inflow_seg = np.zeros((n_d, n_s))
        self.seized_seg = np.zeros((n_d, n_s))
        self.seized_region = np.zeros((n_d, n_r))
        self.delivered = np.zeros(n_d)
        self.shipped_combo = np.zeros(ix.combo_segment.size)

    def record(
        self, d: int, shipped: np.ndarray, border: np.ndarray, transit: np.ndarray, delivered: np.ndarray
    ) -> None:
        """Add one organisation's tallies for drug ``d`` (arrays over combinations, in tonnes)."""
        ix = self.model.index
        n_s = len(ix.segments)
        self.inflow_seg[d] += np.bincount(ix.combo_segment, shipped, n_s)
        self.seized_seg[d] += np.bincount(ix.combo_segment, border, n_s)
        by_route = np.bincount(ix.combo_route, transit, len(ix.routes))
        self.seized_region[d] += by_route @ self.hazard_share
        self.delivered[d] += delivered.sum()
        self.shipped_combo += shipped

    def active_routes(self, step: int) -> float:
        """Effective number of (segment, route) combinations used over the last 4 weeks.

        The exponential of the Shannon entropy of the flow shares (a Hill number): it equals the
        number of combinations when flow is spread evenly over them and falls toward 1 as flow
        concentrates on one. A plain count is uninformative here, as every combination carries
        some shipments in any month.
        """
        self.recent[step % self.recent.shape[0]] = self.shipped_combo
        flow = self.recent.sum(axis=0)
        total = flow.sum()
        if total <= 0:
            return 0.0
        share = flow[flow > 0] / total
        return float(np.exp(-(share * np.log(share)).sum()))
