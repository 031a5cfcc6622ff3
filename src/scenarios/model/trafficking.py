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
while active routes do not fall and value per seizure drops.

**Its network opens and closes routes** (NarcoLogic's network expansion, ``expandmax``: facts.yaml
model.narcologic.expandmax). An organisation ships only over the combinations it has open: at
first the ``initial_routes`` with the best access and cost. While its losses exceed its tolerance
it opens the best closed combination with chance ``route_expansion`` a week; it abandons an open
combination once its perceived risk (segment and route) passes ``route_abandon_risk``, keeping at
least one. Volume an organisation does not send (the risks-and-prices response below) goes by the
Balkan or Southern route, out of this model's world, rather than waiting at the border.

**Volume shifts between drugs under pressure.** An organisation whose losses exceed its tolerance
also switches part of its opiate volume to methamphetamine, a more potent and compact product that
carries the same value in less weight (the "iron law of prohibition": Cowan 1986; Thornton 1991):
a share ``drug_substitution x pi / (1 + pi)`` of its opiates, ``pi = loss / loss_tolerance - 1``
its pressure, ships as ``substitution_weight_ratio`` times its weight in methamphetamine.

A shipment is stopped at the border
with the segment's interdiction chance, then on each region it crosses with that region's transit
chance (both from the capacities the levers build; see :mod:`.model`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import CellAgent
from numpy.typing import NDArray

from scenarios.model.beliefs import RiskBeliefs

if TYPE_CHECKING:
    from scenarios.model.border import Conditions
    from scenarios.model.state import ModelState, Tables

DRUGS = ("opiates", "meth")
OPIATES, METH = DRUGS.index("opiates"), DRUGS.index("meth")


class TraffickingOrganisation(CellAgent):  # type: ignore[misc]  # Mesa ships no type information: its CellAgent is Any
    """One trafficking organisation: its risk beliefs, recent losses and this week's shipments.

    Args:
        model: the :class:`~scenarios.model.model.SecurityModel`.
        share: its share of the northbound supply.
    """

    model: ModelState  # set by CellAgent.__init__; typed here as the stages see the model

    def __init__(self, model: ModelState, share: float):
        super().__init__(model)
        p = model.p
        self.share = share
        # its beliefs are its row of the trafficking system's (one array operation a week for all)
        self.row = model.trafficking.enrol()
        self.segment_risk = model.trafficking.segment_beliefs.row(self.row)
        self.route_risk = model.trafficking.route_beliefs.row(self.row)
        self.loss = 0.0  # smoothed share of volume lost to seizures
        self.open = initial_network(model, int(p.initial_routes))  # combinations it ships over

    @property
    def open(self) -> NDArray[np.bool_]:
        """The (segment, route) combinations it ships over: its row of the trafficking system's networks."""
        row: NDArray[np.bool_] = self.model.trafficking.networks[self.row]
        return row

    @open.setter
    def open(self, mask: NDArray[np.bool_]) -> None:
        self.model.trafficking.networks[self.row] = mask

    def choice_probabilities(self) -> np.ndarray:
        """Probability of each (segment, route) combination for the next shipment."""
        row: np.ndarray = choice_probabilities([self])[0]
        return row

    def adapt_network(self) -> None:
        """Open the best closed combination under losses, abandon risky ones (:meth:`Trafficking.adapt_networks`)."""
        self.model.trafficking.adapt_networks([self])

    def volume_factor(self, road_factor: float) -> float:
        """Share of its potential supply the organisation sends through Tajikistan this week.

        Risks and prices (Reuter & Kleiman 1986): seizures act as a tax on the route, so the
        volume sent falls with the organisation's recent loss share ``l`` relative to the loss
        at which the route carries its usual share (``loss_reference``):
        ``((1 - l) / (1 - loss_reference)) ^ route_loss_elasticity``; the rest goes by other routes
        or waits in stock. Roads cut the cost of the route and raise the volume:
        ``road_factor ^ -roads_volume_elasticity``.
        """
        p = self.model.p
        risk = ((1.0 - self.loss) / (1.0 - p.loss_reference)) ** p.route_loss_elasticity
        return float(risk * road_factor ** (-p.roads_volume_elasticity))

    def substitution(self) -> float:
        """Share of its opiate volume switched to methamphetamine (:func:`substitutions`)."""
        return float(substitutions([self])[0])

    def plan(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """This week's shipping plan: the cumulative choice probabilities over combinations, and per
        drug the volume (t) and the number of shipments it is split into (0 when nothing ships)."""
        return (np.cumsum(self.choice_probabilities()), *self.volumes())

    def volumes(self) -> tuple[np.ndarray, np.ndarray]:
        """Per drug, this week's volume (t) and the number of shipments it is split into (0 when nothing ships)."""
        volume, n = volumes([self])
        return volume[0], n[0]

    def learn_loss(self, lost_share: float | None) -> None:
        """Update the smoothed share of volume lost (``None``: nothing shipped, nothing to learn)."""
        if lost_share is not None:
            self.loss += self.model.p.loss_learning * (lost_share - self.loss)


def pressures(orgs: list[TraffickingOrganisation]) -> NDArray[np.float64]:
    """Per organisation, how far its recent losses exceed the tolerance: ``max(0, loss / loss_tolerance - 1)``."""
    tolerance = orgs[0].model.p.loss_tolerance
    out: NDArray[np.float64] = np.maximum(0.0, np.array([o.loss for o in orgs]) / tolerance - 1.0)
    return out


def spreads(orgs: list[TraffickingOrganisation], pi: NDArray[np.float64] | None = None) -> NDArray[np.float64]:
    """Per organisation, the logit temperature and shipment-splitting factor: ``1 + spread_gain x pressure``
    (1 within tolerance; higher losses spread the flow over more combinations and smaller shipments).
    ``pi``: the organisations' :func:`pressures`, when already computed this week."""
    pi = pressures(orgs) if pi is None else pi
    out: NDArray[np.float64] = 1.0 + orgs[0].model.p.spread_gain * pi
    return out


def substitutions(orgs: list[TraffickingOrganisation], pi: NDArray[np.float64] | None = None) -> NDArray[np.float64]:
    """Per organisation, the share of its opiate volume switched to methamphetamine: ``drug_substitution x pi / (1 + pi)``
    at pressure ``pi`` (the iron law of prohibition: Cowan 1986; Thornton 1991); ``pi`` as for :func:`spreads`."""
    pi = pressures(orgs) if pi is None else pi
    out: NDArray[np.float64] = orgs[0].model.p.drug_substitution * pi / (1.0 + pi)
    return out


def choice_probabilities(
    orgs: list[TraffickingOrganisation], pi: NDArray[np.float64] | None = None
) -> NDArray[np.float64]:
    """Each organisation's probability of each (segment, route) combination for its next shipment
    (rows: organisations): a logit on access, perceived risk and cost, at the organisation's
    temperature (:func:`spreads`), over its open combinations only.

    One array operation for all organisations: each row is computed as it would be alone (the
    same operations element by element, the row's maximum and sum), so the result does not
    depend on how many organisations are stacked. ``pi`` as for :func:`spreads`.
    """
    m = orgs[0].model
    rows = [o.row for o in orgs]
    is_open = m.trafficking.networks[rows]
    utility = m.trafficking.utility(m.trafficking.combination_risk(rows)) / spreads(orgs, pi)[:, None]
    top = np.where(is_open, utility, -np.inf).max(axis=1, keepdims=True)
    w: NDArray[np.float64] = np.exp(utility - top) * is_open
    return w / w.sum(axis=1, keepdims=True)


def volumes(
    orgs: list[TraffickingOrganisation], pi: NDArray[np.float64] | None = None
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Per organisation (rows) and drug, this week's volume (t) and the number of shipments it is
    split into (0 when nothing ships): its share of the supply times its volume factor (risks,
    prices, roads), part of its opiates switched to methamphetamine under pressure, split into
    shipments of ``shipment_size_t / spread``. The volume factors are computed organisation by
    organisation (:meth:`TraffickingOrganisation.volume_factor`), the rest in one array operation.
    ``pi`` as for :func:`spreads`."""
    m = orgs[0].model
    p = m.p
    road = m.trafficking.road_factor
    shares = np.array([o.share for o in orgs])
    factor = np.array([o.volume_factor(road) for o in orgs])
    pi = pressures(orgs) if pi is None else pi
    size = p.shipment_size_t / spreads(orgs, pi)
    substitution = substitutions(orgs, pi)
    volume: NDArray[np.float64] = m.trafficking.supply[None, :] * shares[:, None] * factor[:, None]
    switched = volume[:, OPIATES] * substitution
    moved = switched > 0
    volume[moved, OPIATES] -= switched[moved]
    volume[moved, METH] += switched[moved] * p.substitution_weight_ratio
    n = np.where(volume > 0, np.maximum(1, np.round(volume / size[:, None])), 0).astype(np.int64)
    return volume, n


def initial_network(model: ModelState, n: int) -> np.ndarray:
    """The ``n`` combinations with the best access and cost (no risk learned yet): where an organisation starts."""
    ix = model.index
    p = model.p
    access = ix.supply_share @ (ix.province_segment / ix.province_segment.sum(axis=1, keepdims=True))
    cost = ix.segment_difficulty[ix.combo_segment] + ix.route_length[ix.combo_route] / 1000.0
    utility = np.log(np.maximum(access, 1e-12))[ix.combo_segment] - p.cost_sensitivity * cost
    best = np.argsort(-utility, kind="stable")[: max(1, min(n, utility.size))]
    mask = np.zeros(utility.size, dtype=bool)
    mask[best] = True
    return mask


class Trafficking:
    """The trafficking system: supply, interdiction chances, and this week's tallies.

    The model sets ``supply``, ``p_border``, ``p_transit`` and ``cost`` each week, steps the
    organisations, then reads the tallies (per segment, region and combination).
    """

    def __init__(self, model: ModelState, n_orgs: int):
        ix = model.index
        p = model.p
        self.model = model
        # every organisation's risk beliefs, one row each (:meth:`enrol`)
        self.segment_beliefs = RiskBeliefs(n_orgs, len(ix.segments), p.risk_prior_a, p.risk_prior_b, p.risk_memory)
        self.route_beliefs = RiskBeliefs(n_orgs, len(ix.routes), p.risk_prior_a, p.risk_prior_b, p.risk_memory)
        self.n_orgs = 0
        # each organisation's open combinations, one row each (its ``open``)
        self.networks = np.zeros((n_orgs, ix.combo_segment.size), dtype=bool)
        self._group_keys: NDArray[np.int64] | None = None
        access = ix.supply_share @ (ix.province_segment / ix.province_segment.sum(axis=1, keepdims=True))
        self.log_access = np.log(np.maximum(access, 1e-12))
        self.supply = np.zeros(len(DRUGS))
        self.p_border = np.zeros(len(ix.segments))
        self.p_transit = np.zeros(len(ix.regions))
        self.p_route = np.zeros(len(ix.routes))
        self.hazard_share = np.zeros((len(ix.routes), len(ix.regions)))
        self.cost = np.zeros(ix.combo_segment.size)
        self.recent = np.zeros((4, ix.combo_segment.size))  # tonnes per combination, last 4 weeks
        self.road_factor = 1.0
        self.revenue_musd = 0.0  # drug revenue captured along the route, USD M/yr (smoothed)
        self.reset()

    def enrol(self) -> int:
        """The row of the next organisation in the beliefs (organisations are made in row order)."""
        if self.n_orgs >= self.segment_beliefs.trials.shape[0]:
            raise ValueError(f"the trafficking system holds beliefs for {self.n_orgs} organisations, no more")
        self.n_orgs += 1
        return self.n_orgs - 1

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
        self.road_factor = road_factor
        self.cost = ix.segment_difficulty[ix.combo_segment] + road_factor * ix.route_length[ix.combo_route] / 1000.0

    def step(self, cond: Conditions) -> None:
        """The trafficking stage of a week: set conditions, let every organisation ship."""
        m = self.model
        self.reset()
        self.set_conditions(m.supply[m.t], cond.p_border, cond.p_transit, cond.road_factor)
        self.ship(list(m.traffickers))
        weekly = self.delivered.sum() * m.p.transit_value_musd_per_t * 52.0
        self.revenue_musd += (weekly - self.revenue_musd) / 52.0

    def ship(self, orgs: list[TraffickingOrganisation]) -> None:
        """Every organisation ships its volume of each drug, suffers seizures and learns from them.

        Each shipment has its own keyed uniforms (combination, border, transit), so a change on one
        segment only changes the shipments that meet it (common random numbers). The shipments of
        all organisations and drugs are drawn in one pass (one group per organisation and drug);
        organisations do not interact within a week, and the tallies are added group by group in
        the order of shipping them one by one, so the result is the same to the last bit.
        """
        if [o.row for o in orgs] != list(range(self.n_orgs)):
            raise ValueError("every organisation ships each week, in the order they were made")
        m = self.model
        ix = m.index
        n_drugs, n_combo = len(DRUGS), ix.combo_segment.size
        pi = pressures(orgs)  # this week's, read by the volumes and the choice alike
        volume, n = volumes(orgs, pi)  # (orgs, drugs)
        cdf = np.cumsum(choice_probabilities(orgs, pi), axis=1)  # (orgs, combinations)
        tonnes = np.divide(volume, n, out=np.zeros_like(volume), where=n > 0).ravel()  # per group
        groups = np.repeat(np.arange(n.size), n.ravel())  # group = org * drugs + drug, per shipment
        first = np.cumsum(n.ravel()) - n.ravel()
        ids = (np.arange(groups.size) - first[groups]) + self.group_keys(orgs)[groups] * (1 << 32)
        u = m.draws.uniforms_for(("shipment-route", "shipment-border", "shipment-transit"), m.week, ids)
        combo = np.minimum((cdf[groups // n_drugs] <= u[0][:, None]).sum(axis=1), n_combo - 1)
        border = u[1] < self.p_border[ix.combo_segment[combo]]
        transit = ~border & (u[2] < self.p_route[ix.combo_route[combo]])
        key = groups * n_combo + combo
        shape = (len(orgs), n_drugs, n_combo)
        counts = np.bincount(key, minlength=n.size * n_combo).reshape(shape).astype(float)
        b = np.bincount(key[border], minlength=n.size * n_combo).reshape(shape).astype(float)
        tr = np.bincount(key[transit], minlength=n.size * n_combo).reshape(shape).astype(float)
        w = tonnes.reshape(len(orgs), n_drugs, 1)
        self.record_all(counts * w, b * w, tr * w, (counts - b - tr) * w)
        per_org = counts.sum(axis=1), b.sum(axis=1), tr.sum(axis=1)  # (orgs, combinations), drugs added
        through = per_org[0] - per_org[1]
        lost = ((b.sum(axis=2) + tr.sum(axis=2)) * w[:, :, 0]).sum(axis=1)
        shipped = volume.sum(axis=1)
        # per organisation and segment / route: one keyed bincount each (the sums of one per organisation)
        n_s, n_r = len(ix.segments), len(ix.routes)
        rows = np.arange(len(orgs))[:, None]
        seg_key, route_key = (rows * n_s + ix.combo_segment).ravel(), (rows * n_r + ix.combo_route).ravel()
        trials_seg = np.bincount(seg_key, per_org[0].ravel(), len(orgs) * n_s).reshape(-1, n_s)
        seized_seg = np.bincount(seg_key, per_org[1].ravel(), len(orgs) * n_s).reshape(-1, n_s)
        trials_route = np.bincount(route_key, through.ravel(), len(orgs) * n_r).reshape(-1, n_r)
        seized_route = np.bincount(route_key, per_org[2].ravel(), len(orgs) * n_r).reshape(-1, n_r)
        # every organisation's beliefs in one operation, then its own loss and network
        self.segment_beliefs.update(trials_seg, seized_seg)
        self.route_beliefs.update(trials_route, seized_route)
        for i, org in enumerate(orgs):
            org.learn_loss(lost[i] / shipped[i] if shipped[i] > 0 else None)
        self.adapt_networks(orgs)

    def combination_risk(self, rows: list[int]) -> NDArray[np.float64]:
        """Perceived risk of each (segment, route) combination for the organisations of ``rows``: the
        segment's and the route's beliefs added."""
        ix = self.model.index
        segment, route = self.segment_beliefs.risk[rows], self.route_beliefs.risk[rows]
        risk: NDArray[np.float64] = segment[:, ix.combo_segment] + route[:, ix.combo_route]
        return risk

    def utility(self, risk: NDArray[np.float64]) -> NDArray[np.float64]:
        """Utility of each combination at perceived ``risk`` (rows: organisations): access, less risk and cost."""
        p, ix = self.model.p, self.model.index
        out: NDArray[np.float64] = (
            self.log_access[ix.combo_segment] - p.risk_sensitivity * risk - p.cost_sensitivity * self.cost
        )
        return out

    def adapt_networks(self, orgs: list[TraffickingOrganisation]) -> None:
        """Each organisation opens the best closed combination under losses (chance ``route_expansion``)
        and abandons risky ones, all organisations in one array operation (each row as it would be alone).

        Opened: when its loss exceeds ``loss_tolerance`` and a combination is closed, with chance
        ``route_expansion`` (a keyed uniform per organisation), the closed combination of highest
        utility at its current beliefs and costs. Abandoned: open combinations whose perceived risk
        exceeds ``route_abandon_risk``; the least risky open combination is always kept.
        """
        m = self.model
        p = m.p
        rows = [o.row for o in orgs]
        risk = self.combination_risk(rows)
        is_open = self.networks[rows]
        loss = np.array([o.loss for o in orgs])
        eligible = np.flatnonzero(~is_open.all(axis=1) & (loss > p.loss_tolerance))
        if eligible.size:
            uid = np.array([orgs[i].unique_id for i in eligible])
            opening = eligible[m.draws.uniforms("route-open", m.week, uid) < p.route_expansion]
            if opening.size:
                utility = self.utility(risk[opening])
                best = np.where(is_open[opening], -np.inf, utility).argmax(axis=1)  # the first best closed one
                is_open[opening, best] = True
        risky = is_open & (risk > p.route_abandon_risk)
        if risky.any():
            keep = np.where(is_open, risk, np.inf).argmin(axis=1)  # the first least risky open one
            risky[np.arange(len(rows)), keep] = False
            is_open &= ~risky
        self.networks[rows] = is_open

    def group_keys(self, orgs: list[TraffickingOrganisation]) -> NDArray[np.int64]:
        """Per (organisation, drug) group, the key of its shipments' draws: ``unique_id x drugs + drug``
        (made once: the organisations are the system's rows, in order, and keep their ids)."""
        if self._group_keys is None or self._group_keys.size != len(orgs) * len(DRUGS):
            uid = np.array([o.unique_id for o in orgs], dtype=np.int64)
            self._group_keys = (uid[:, None] * len(DRUGS) + np.arange(len(DRUGS))).ravel()
        return self._group_keys

    def reset(self) -> None:
        """Zero this week's tallies."""
        ix = self.model.index
        n_d, n_s, n_r = len(DRUGS), len(ix.segments), len(ix.regions)
        self.inflow_seg = np.zeros((n_d, n_s))
        self.seized_seg = np.zeros((n_d, n_s))
        self.seized_region = np.zeros((n_d, n_r))
        self.delivered = np.zeros(n_d)
        self.shipped_combo = np.zeros(ix.combo_segment.size)

    def record_all(self, shipped: np.ndarray, border: np.ndarray, transit: np.ndarray, delivered: np.ndarray) -> None:
        """Add every organisation's tallies (arrays (organisations, drugs, combinations), in tonnes).

        The same sums as adding group by group in shipping order (organisation, then drug): each
        group's per-segment and per-route sums come from one keyed ``bincount`` (which adds in
        combination order, as a bincount per group would); the groups' tallies are added along the
        first axis, which numpy reduces one row after another when that axis is not the contiguous
        one (a world of several segments or routes; checked on the shipped world, to the last bit,
        with ``scripts/same_runs.py``).
        """
        ix = self.model.index
        n_orgs, n_drugs, _ = shipped.shape
        n_s, n_routes = len(ix.segments), len(ix.routes)
        groups = np.arange(n_orgs * n_drugs)[:, None]
        seg_key = (groups * n_s + ix.combo_segment).ravel()
        route_key = (groups * n_routes + ix.combo_route).ravel()
        size = n_orgs * n_drugs
        inflow = np.bincount(seg_key, shipped.ravel(), size * n_s).reshape(n_orgs, n_drugs, n_s)
        seized = np.bincount(seg_key, border.ravel(), size * n_s).reshape(n_orgs, n_drugs, n_s)
        by_route = np.bincount(route_key, transit.ravel(), size * n_routes).reshape(n_orgs, n_drugs, n_routes)
        self.inflow_seg += inflow.sum(axis=0)
        self.seized_seg += seized.sum(axis=0)
        self.shipped_combo += shipped.reshape(size, -1).sum(axis=0)
        self.delivered += delivered.sum(axis=2).sum(axis=0)
        for i in range(n_orgs):  # one product per group, as when shipping them one by one
            for d in range(n_drugs):
                self.seized_region[d] += by_route[i, d] @ self.hazard_share

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


def step(state: ModelState) -> None:
    """The trafficking stage: every organisation ships under this week's border conditions."""
    state.trafficking.step(state.conditions)


def record(state: ModelState, tables: Tables) -> None:
    """Write the trafficking stage's outcomes of week ``state.t`` (tonnes, routes, revenue)."""
    t, ix, tr = state.t, state.index, state.trafficking
    ts, rg, sg = tables.ts, tables.rg, tables.sg
    inflow = tr.inflow_seg.sum()
    seized_region = tr.seized_region.sum(axis=0) + np.bincount(
        ix.segment_region, tr.seized_seg.sum(axis=0), len(ix.regions)
    )
    seized = seized_region.sum()
    ts["drug_inflow_t"][t] = inflow
    ts["seizures_t"][t] = seized
    ts["seizures_opiates_t"][t] = tr.seized_seg[0].sum() + tr.seized_region[0].sum()
    ts["seizures_meth_t"][t] = tr.seized_seg[1].sum() + tr.seized_region[1].sum()
    ts["delivered_t"][t] = tr.delivered.sum()
    ts["seizure_rate"][t] = seized / inflow if inflow > 0 else 0.0
    ts["meth_share"][t] = tr.inflow_seg[1].sum() / inflow if inflow > 0 else 0.0
    ts["active_routes"][t] = tr.active_routes(t)
    ts["drug_revenue_musd"][t] = tr.revenue_musd
    rg["inflow_t"][t] = np.bincount(ix.segment_region, tr.inflow_seg.sum(axis=0), len(ix.regions))
    rg["seizures_t"][t] = seized_region
    sg["inflow_t"][t] = tr.inflow_seg.sum(axis=0)
    sg["seizures_t"][t] = tr.seized_seg.sum(axis=0)
    risk = tr.segment_beliefs.risk  # the mean over organisations: their sum (added row by row) over their number
    sg["perceived_risk"][t] = np.add.reduce(risk, axis=0) / risk.shape[0]
