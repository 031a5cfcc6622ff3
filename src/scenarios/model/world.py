"""The world as a network: regions, Afghan border segments, Afghan provinces, exits, routes.

Built from a :class:`scenarios.spec.registry.World` (data file), as a networkx graph placed in Mesa's
:class:`mesa.discrete_space.Network` so that agents (trafficking organisations, militant groups)
sit in cells of the places they operate from. Index arrays (segment -> region, route incidence)
are what the vectorised submodels use.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from scenarios.spec.registry import World


@dataclass(frozen=True)
class WorldIndex:
    """Integer indexes and matrices over the world's places (built once per model)."""

    regions: tuple[str, ...]
    segments: tuple[str, ...]
    routes: tuple[str, ...]
    provinces: tuple[str, ...]
    population: NDArray[np.float64]  # per region, persons (2020 census)
    autonomy: NDArray[np.bool_]  # per region, whether it has an autonomy movement (episodic protest)
    susceptibility: NDArray[np.float64]  # per region, relative susceptibility to jihadist recruitment
    segment_region: NDArray[np.int64]  # region index of each segment
    segment_length: NDArray[np.float64]  # km
    segment_difficulty: NDArray[np.float64]  # 0-1
    province_segment: NDArray[np.float64]  # (provinces, segments): 1 where the segment faces the province
    route_regions: NDArray[np.float64]  # (routes, regions): 1 where the route crosses the region after entry
    route_entry: NDArray[np.int64]  # region index where each route starts
    route_length: NDArray[np.float64]  # km
    combo_segment: NDArray[np.int64]  # each (segment, route) pair a shipment can take: its segment
    combo_route: NDArray[np.int64]  # ... and its route
    supply_share: NDArray[np.float64]  # per province
    militant_share: NDArray[np.float64]  # per province

    @cached_property
    def pop_weights(self) -> NDArray[np.float64]:
        """Each region's share of the population (computed once; read-only)."""
        return _read_only(self.population / self.population.sum())

    @cached_property
    def length_weights(self) -> NDArray[np.float64]:
        """Each border segment's share of the border's length (computed once; read-only)."""
        return _read_only(self.segment_length / self.segment_length.sum())


def _read_only(a: NDArray[np.float64]) -> NDArray[np.float64]:
    a.setflags(write=False)
    return a


def build_index(world: World) -> WorldIndex:
    """Index arrays for ``world``."""
    regions = world.region_names
    segments = world.segment_names
    provinces = tuple(p.name for p in world.afghan_provinces)
    r_of = {r: i for i, r in enumerate(regions)}
    seg_region = np.array([r_of[s.region] for s in world.segments])
    prov_seg = np.array([[1.0 if p in s.faces else 0.0 for s in world.segments] for p in provinces])
    route_regions = np.zeros((len(world.routes), len(regions)))
    for i, route in enumerate(world.routes):
        for region in route.path[1:]:
            route_regions[i, r_of[region]] = 1.0
    route_entry = np.array([r_of[route.path[0]] for route in world.routes])
    combos = [(s, r) for s in range(len(segments)) for r in range(len(world.routes)) if route_entry[r] == seg_region[s]]
    return WorldIndex(
        regions=regions,
        segments=segments,
        routes=tuple(r.name for r in world.routes),
        provinces=provinces,
        population=np.array([r.population for r in world.regions], dtype=float),
        autonomy=np.array([r.autonomy_movement for r in world.regions], dtype=bool),
        susceptibility=np.array([r.jihadist_susceptibility for r in world.regions], dtype=float),
        segment_region=seg_region,
        segment_length=np.array([s.length_km for s in world.segments]),
        segment_difficulty=np.array([s.difficulty for s in world.segments]),
        province_segment=prov_seg,
        route_regions=route_regions,
        route_entry=route_entry,
        route_length=np.array([r.length_km for r in world.routes], dtype=float),
        combo_segment=np.array([c[0] for c in combos]),
        combo_route=np.array([c[1] for c in combos]),
        supply_share=np.array([p.supply_share for p in world.afghan_provinces]),
        militant_share=np.array([p.militant_share for p in world.afghan_provinces]),
    )


def build_graph(world: World) -> nx.Graph:
    """The world's places as a graph; nodes carry ``kind`` and ``pos`` (lon, lat)."""
    g = nx.Graph()
    for r in world.regions:
        g.add_node(r.name, kind="region", pos=r.coords, label=r.label)
    for p in world.afghan_provinces:
        g.add_node(p.name, kind="province", pos=p.coords, label=p.label)
    for e in world.exits:
        g.add_node(e.name, kind="exit", pos=e.coords, label=e.label)
    cb = world.china_border
    g.add_node(cb.name, kind="china", pos=cb.coords, label=cb.label)
    g.add_edge(cb.region, cb.name, kind="china_border", length_km=cb.length_km)
    for s in world.segments:
        g.add_node(s.name, kind="segment", pos=s.coords, label=s.label)
        g.add_edge(s.name, s.region, kind="border")
        for province in s.faces:
            g.add_edge(s.name, province, kind="faces")
    for route in world.routes:
        hops = [*route.path, route.exit]
        for a, b in itertools.pairwise(hops):
            if a != b:
                g.add_edge(a, b, kind="road")
    return g
