"""China's economic presence in Tajikistan: the stock of Chinese investment and how visible it is.

- **Visibility** (stage ``presence``, early in the week): ``1 - exp(-investment stock /
  visibility_investment_busd)``. The public grievances it stands for are debt and land
  (facts.yaml debt.china_exim), not security cooperation, which is low-profile (outposts in remote
  GBAO): so China's security levers do not move it, and the same security lever has the same sign
  whoever supplies it. Visibility raises anti-China militants' recruitment (:mod:`.militants`) and
  public resentment, which lowers legitimacy (:mod:`.society`).
- **Investment** (stage ``investment``, last in the week): the stock grows by China's spending on
  the levers flagged ``raises_exposure`` in levers.yaml (USD M per year, so a week adds 1/52 of it);
  the exposure of Chinese targets (:mod:`.militants`) reads the stock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scenarios.schedule import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from scenarios.model.state import ModelState, Tables

CHINA_INVESTMENT_BEFORE_MUSD = 4000.0
"""Chinese investment stock at the start (facts.yaml investment.china_cumulative, >USD 4bn 2007-2023)."""


def visibility(state: ModelState) -> float:
    """How visible China's economic presence is (0-1), from the investment stock."""
    return float(1.0 - np.exp(-state.china_investment_musd / 1000.0 / state.p.visibility_investment_busd))


def step(state: ModelState) -> None:
    """The presence stage: this week's visibility of China's presence."""
    state.chinese_visibility = visibility(state)


def invest(state: ModelState) -> None:
    """The investment stage: China's spending this week on levers that raise exposure joins the stock."""
    china = state.states["china"]
    state.china_investment_musd += float(china.effort[state.exposure_levers].sum()) / WEEKS_PER_YEAR


def record(state: ModelState, tables: Tables) -> None:
    """Write the presence stage's outcome of week ``state.t``."""
    tables.ts["chinese_visibility"][state.t] = state.chinese_visibility
