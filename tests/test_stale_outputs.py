"""Strict nbval is the guard against stale numbers: in a copy of the report whose data has changed,
the committed outputs no longer match and nbval fails."""

import csv
import shutil
import subprocess
import sys

import pytest

from llmecon.data import report_root

ROOT = report_root()


@pytest.mark.slow
def test_nbval_fails_when_a_price_changes(tmp_path):
    copy = tmp_path / "report"
    for item in ("data", "chapters", "tests", "pyproject.toml"):
        source = ROOT / item
        (shutil.copytree if source.is_dir() else shutil.copy)(source, copy / item)
    prices = copy / "data" / "prices.csv"
    with prices.open(newline="") as f:
        rows = list(csv.DictReader(f))
    minis = [r for r in rows if r["model_id"] == "gpt-4o-mini"]
    assert minis
    for row in minis:
        row["output_usd_per_mtok"] = "0.75"
    with prices.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "chapters/launch.ipynb", "-x", "-q"],
        cwd=copy, capture_output=True, text=True,
    )
    assert result.returncode == 1, result.stdout[-3000:]
    assert "0.75" in result.stdout and "0.60" in result.stdout, result.stdout[-3000:]
