"""One row format for every bench script, so bench/run_all.py can gather them.

A script calls `emit()` once per figure, beside whatever it prints for
people. When the environment variable BENCH_REPORT names a file (run_all.py
sets it for each script it runs), the row is appended there as one JSON line;
otherwise `emit` prints nothing extra, so a script run by hand looks as it
always did.

A row: the metric (with its unit), the value, the baseline measured in the
same run and what that baseline is, the target as text and whether it was
met (None when there is no target). The ratio is value / baseline, whichever
way round "better" lies: a time above its baseline and a throughput below its
baseline both say "this much dearer than doing nearly nothing".
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

ENV = "BENCH_REPORT"


def emit(metric: str, value: float, baseline: float | None, *, baseline_is: str,
         target: str = "-", met: bool | None = None) -> None:
    """Record one figure for run_all.py (a no-op when BENCH_REPORT is unset)."""
    path = os.environ.get(ENV)
    if not path:
        return
    row = {"metric": metric, "value": float(value), "baseline": None if baseline is None else float(baseline),
           "baseline_is": baseline_is, "target": target, "met": met}
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(row) + "\n")


def read(path: Path) -> list[dict[str, Any]]:
    """The rows a script emitted, in order (none when it wrote no file)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
