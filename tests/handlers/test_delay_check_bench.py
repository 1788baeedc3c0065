"""The delay check's benchmark (`tests/bench/bench_delay_check.py`) still runs, and at a small
size its run reads one item per late order: the figure it exists to show (its times are only
printed, never asserted)."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_runs_and_reads_one_item_per_late_order() -> None:
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench.bench_delay_check",
            "--orders",
            "600",
            "--late",
            "0.05",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=300,
    )

    row = next(line for line in finished.stdout.splitlines() if line.startswith("600 "))
    late, read = re.split(r"\s{2,}", row)[2:4]
    assert (late, read) == ("30", "30"), finished.stdout
    assert "1.000 PASS" in row
    assert "WARNING" not in finished.stdout
