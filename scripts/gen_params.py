"""Regenerate ``src/scenarios/spec/params.py`` (the typed parameter object) from the registry.

Run after adding or renaming a parameter in ``spec/data/parameters.yaml``:
``.venv/bin/python scripts/gen_params.py`` (or ``make generate``). ``tests/test_generate.py`` fails while the file is stale.
"""

from __future__ import annotations

from pathlib import Path

from scenarios.spec import registry

TARGET = Path(__file__).resolve().parents[1] / "src" / "scenarios" / "spec" / "params.py"

HEADER = '''"""The model's parameters as a typed, frozen object: ``params.severity_alpha`` instead of ``p["severity_alpha"]``.

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

'''

FOOTER = '''
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
'''


def source() -> str:
    lines = [HEADER]
    for p in registry.parameters().values():
        lines.append(f"    {p.name}: float\n")
        lines.append(f'    """{p.unit} ({p.kind})."""\n')
    return "".join(lines) + FOOTER


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
