"""The prior of a calibration: independent uniforms on each calibrated parameter's declared [min, max]."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scenarios.errors import ScenarioError
from scenarios.spec import registry


@dataclass(frozen=True)
class UniformPrior:
    """Independent uniform priors on a box.

    Attributes:
        names: parameter names, in the column order of every particle array.
        low: lower bounds.
        high: upper bounds (each above its lower bound).
    """

    names: tuple[str, ...]
    low: NDArray[np.float64]
    high: NDArray[np.float64]

    def __post_init__(self) -> None:
        if not (len(self.names) == self.low.size == self.high.size) or not np.all(self.high > self.low):
            raise ValueError("a uniform prior needs one low < high per name")

    @classmethod
    def from_registry(cls, names: Sequence[str]) -> UniformPrior:
        """Uniform on each parameter's [min, max] of ``parameters.yaml``.

        Raises:
            ScenarioError: a name is not a parameter, or its range is a single value.
        """
        params = registry.parameters()
        unknown = [n for n in names if n not in params]
        if unknown:
            raise ScenarioError(f"not parameters of parameters.yaml: {unknown}")
        fixed = [n for n in names if params[n].min >= params[n].max]
        if fixed:
            raise ScenarioError(f"parameters without a range cannot be calibrated: {fixed}")
        return cls(
            tuple(names),
            np.array([params[n].min for n in names], dtype=float),
            np.array([params[n].max for n in names], dtype=float),
        )

    @property
    def dim(self) -> int:
        """Number of parameters."""
        return len(self.names)

    def sample(self, rng: np.random.Generator, n: int) -> NDArray[np.float64]:
        """``n`` draws, shape (n, dim)."""
        return self.low + (self.high - self.low) * rng.random((n, self.dim))

    def contains(self, theta: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Whether each row of ``theta`` (shape (n, dim) or (dim,)) lies in the box."""
        t = np.atleast_2d(theta)
        return np.all((t >= self.low) & (t <= self.high), axis=1)

    def variance(self) -> NDArray[np.float64]:
        """Prior variance of each parameter, (high - low)^2 / 12."""
        return (self.high - self.low) ** 2 / 12.0
