"""Print pip constraints that pin each of Cabinet's run-time dependencies to the lowest version
pyproject.toml allows (its `>=` floor), so CI can prove the floors true:

    python scripts/lowest_constraints.py > lowest.txt
    pip install -c lowest.txt -e '.[test]'   # then the unit and contract tests

pip has no "lowest" resolution of its own. Only [project.dependencies] are pinned: those are the
ranges users get; the test tools resolve as usual. A floor excluded by a `!=` is skipped to the
next allowed release by pip itself (the constraint would then conflict, so such floors fail loudly).
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def lowest(requirements: list[str]) -> list[str]:
    pins = []
    for text in requirements:
        requirement = Requirement(text)
        floors = [spec.version for spec in requirement.specifier if spec.operator in (">=", "==", "~=")]
        if not floors:
            raise SystemExit(f"{requirement.name} has no floor in pyproject.toml: give it one")
        marker = f"; {requirement.marker}" if requirement.marker else ""
        pins.append(f"{requirement.name}=={max(floors, key=lambda v: [int(p) for p in v.split('.')])}{marker}")
    return pins


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    print("# The lowest versions pyproject.toml allows (scripts/lowest_constraints.py).")
    print("\n".join(lowest(project["dependencies"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
