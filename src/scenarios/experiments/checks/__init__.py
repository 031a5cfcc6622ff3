"""The model's validation suite: every check, its source and its expected sign or range, in one table.

Families (docs/validation.md explains each), one module each:

- :mod:`.facts`: stylized facts F1-F10 (docs/model.md section 1);
- :mod:`.calibration`: calibration targets C1-C5, magnitudes against sourced ranges M1-M3 and
  held-out years H1;
- :mod:`.levers`: the full model's lever effects at strong doses (L:lever@state, one per lever and
  supplier), surveillance in a backlash and a benign parameter region (R1-R2) and Chinese presence (P1);
- :mod:`.stresses`: the stress scenarios and their combinations (S1-S3, with the ordering under
  +/-50% index weights) and the adaptive baseline (A1);
- :mod:`.robustness`: a Morris screening of the coupling parameters for the main lever conclusions;
- :mod:`.core`: what they share (:class:`Design`, :class:`Check`, :class:`CheckResult`, the
  summary of a run and the :class:`RunCache` a design holds); :mod:`.suite`: :data:`CHECKS` in
  table order, :func:`run_checks` and :func:`suite_tables`.

Each check returns the measured value with a 95% confidence interval, pass/fail (or None: report
only) and a detail line; the full-model checks pair replicate seeds across scenarios (common random
numbers) and run on ``Design.workers`` processes. ``scenarios check-model`` prints the table;
``tests/test_checks.py`` runs small-seed smoke versions.

The names below are re-exported for importers; a test that replaces a module constant (``STRESS``,
``UNCERTAIN``, ...) sets it on the module that defines it.
"""

from scenarios.experiments.checks.calibration import HELD_OUT, fact
from scenarios.experiments.checks.core import (
    BASELINE,
    LIBRARY,
    MEASURED,
    Check,
    CheckResult,
    Design,
    Ensemble,
    Row,
    RunCache,
    ensembles,
    index_components,
    summarise_run,
    wilson,
)
from scenarios.experiments.checks.facts import society_run
from scenarios.experiments.checks.levers import (
    BACKLASH_REGION,
    BENIGN_REGION,
    EXPECTED_SIGN,
    STRONG_DOSE,
    Dose,
    Expectation,
    LeverEffect,
    lever_effect_table,
    lever_variants,
)
from scenarios.experiments.checks.robustness import CONCLUSIONS, UNCERTAIN, Robustness, morris_robustness
from scenarios.experiments.checks.stresses import (
    ADAPTIVE_STRESS,
    PARTS,
    STRESS,
    STRESS_FROM,
    adaptive,
    adaptive_comparison,
    stress_index,
    stress_ordering,
    stress_runs,
    weight_sensitivity,
)
from scenarios.experiments.checks.suite import CHECKS, SuiteTables, prefetch, run_checks, suite_tables

__all__ = [
    "ADAPTIVE_STRESS",
    "BACKLASH_REGION",
    "BASELINE",
    "BENIGN_REGION",
    "CHECKS",
    "CONCLUSIONS",
    "EXPECTED_SIGN",
    "HELD_OUT",
    "LIBRARY",
    "MEASURED",
    "PARTS",
    "STRESS",
    "STRESS_FROM",
    "STRONG_DOSE",
    "UNCERTAIN",
    "Check",
    "CheckResult",
    "Design",
    "Dose",
    "Ensemble",
    "Expectation",
    "LeverEffect",
    "Robustness",
    "Row",
    "RunCache",
    "SuiteTables",
    "adaptive",
    "adaptive_comparison",
    "ensembles",
    "fact",
    "index_components",
    "lever_effect_table",
    "lever_variants",
    "morris_robustness",
    "prefetch",
    "run_checks",
    "society_run",
    "stress_index",
    "stress_ordering",
    "stress_runs",
    "suite_tables",
    "summarise_run",
    "weight_sensitivity",
    "wilson",
]
