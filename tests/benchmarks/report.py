"""One figure of a benchmark, as ``python -m tests.benchmarks --json FILE`` writes it: a JSON line
{"name", "value", "unit", "target", "ok"}. Each benchmark's main() returns its figures under
"figures"."""

from __future__ import annotations

from typing import Any


def figure(name: str, value: float | None, unit: str, target: str, ok: bool) -> dict[str, Any]:
    return {"name": name, "value": None if value is None else round(float(value), 3), "unit": unit,
            "target": target, "ok": bool(ok)}
