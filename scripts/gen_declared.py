"""Write src/scenarios/spec/declared.py: the scenario's lever, driver and parameter fields, from the registries.

The scenario types are static pydantic classes so that mypy and editors know every field; their
field lists are generated from ``spec/data/*.yaml`` by this script and a test checks that the file is
current. Bounds, units and descriptions are not copied: each field's ``Registered`` marker reads them
from the registry when it validates. Run ``python scripts/gen_declared.py`` after adding a lever,
driver or parameter.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "src" / "scenarios" / "spec" / "declared.py"

HEADER = '''"""The fields of a scenario's levers, aid allocation, drivers and parameters (generated: do not edit).

Generated from ``spec/data/*.yaml`` by ``python scripts/gen_declared.py``; ``tests/test_generate.py``
fails when this file is stale. Bounds, units and descriptions are read from the registry by each
field's :class:`~scenarios.spec.fields.Registered` marker.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from scenarios.spec.fields import LeverSchedules, Registered, Schedule, Shares, Values
'''


def class_name(state: str) -> str:
    return state.title() if state != "sco" else "Sco"


def source() -> str:
    from scenarios.spec import registry

    parts = [HEADER]
    for state in registry.STATES:
        names = registry.levers_of(state)
        if not names:
            continue
        parts.append(f"\n\nclass {class_name(state)}Levers(LeverSchedules):")
        parts.append(f'    """The levers {state} supplies: each a schedule in the lever\'s unit (unset: 0)."""\n')
        parts += [f'    {n}: Annotated[Schedule | None, Registered("lever", "{n}")] = None' for n in names]
    parts.append("\n\nclass AidAllocation(Shares):")
    parts.append('    """Shares of the financial aid Tajikistan receives spent on each Tajik lever (normalised)."""\n')
    parts += [f"    {n}: Annotated[float, Field(ge=0, le=1)] | None = None" for n in registry.levers_of("tajikistan")]
    parts.append("\n\nclass Drivers(Values):")
    parts.append('    """Exogenous drivers: each a schedule (unset: the registry default)."""\n')
    parts += [f'    {n}: Annotated[Schedule | None, Registered("driver", "{n}")] = None' for n in registry.drivers()]
    parts.append("\n\nclass Parameters(Values):")
    parts.append(
        '    """Model parameters: each a number within the registry\'s range (unset: the registry value)."""\n'
    )
    parts += [f'    {n}: Annotated[float | None, Registered("parameter", "{n}")] = None' for n in registry.parameters()]
    text = "\n".join(parts) + "\n"
    ruff = Path(sys.executable).with_name("ruff")
    done = subprocess.run(
        [str(ruff), "format", "--stdin-filename", str(TARGET), "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def documents() -> dict[Path, str]:
    """The file this script generates and its current content."""
    return {TARGET: source()}


def main() -> None:
    for path, text in documents().items():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
