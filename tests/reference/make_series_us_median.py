"""Write tests/reference/series_us_median.csv: the reconstructed US median, a frozen input.

The file is the median of ``forecast.reconstruct(forecast.load_releases())`` (US,
offshore execution, all segments, USD bn; the defaults, no seed: the reconstruction is
deterministic) as the library computed it at commit 6421f3b (2026-11-26), the commit that
added the file, from the releases embedded then. Run there, this script reproduces it to
1e-8 relative (checked)::

    git worktree add /tmp/at-6421f3b 6421f3b
    PYTHONPATH=/tmp/at-6421f3b/src python tests/reference/make_series_us_median.py --check

It is kept frozen on purpose. It is a fixed model input, not a statement about today's
reconstruction: tests/reference/make_reference.R fits R's models to it
(r_forecast.json), tests/models/test_models_reference.py fits ours to the same numbers,
and benchmarks/calibration.py (Part 2) backtests on it. Today's reconstruction differs by
up to 0.78% (later releases and model changes), so the comparison with R would stay valid
if it moved, but R's reference values would have to be regenerated with it. To move the
fixture deliberately: run this script without ``--check`` on the current code, then
``Rscript tests/reference/make_reference.R``, and commit the three files together.

Options: ``--check`` compares the current code's reconstruction with the stored file and
prints the largest relative difference instead of writing; ``--out PATH`` writes elsewhere.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

import forecast

HERE = Path(__file__).resolve().parent
PATH = HERE / "series_us_median.csv"


def us_median() -> tuple[list[int], list[float]]:
    """Years and median levels (USD bn) of the default reconstruction."""
    series = forecast.reconstruct(forecast.load_releases()).series
    return [int(y) for y in series.years], [float(v) for v in series.values]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with the stored file instead of writing")
    parser.add_argument("--out", type=Path, default=PATH)
    args = parser.parse_args()
    years, values = us_median()
    if args.check:
        with PATH.open(newline="") as fh:
            rows = list(csv.DictReader(fh))
        stored_years = [int(r["year"]) for r in rows]
        stored = np.array([float(r["value"]) for r in rows])
        if stored_years != years:
            print(f"years differ: stored {stored_years[0]}-{stored_years[-1]}, "
                  f"now {years[0]}-{years[-1]}")
            raise SystemExit(1)
        print(f"max relative difference: {np.max(np.abs(np.array(values) / stored - 1)):.3g}")
        return
    with args.out.open("w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["year", "value"])
        w.writerows((y, repr(v)) for y, v in zip(years, values, strict=True))
    print(f"wrote {args.out} ({years[0]}-{years[-1]}, forecast {forecast.__version__})")


if __name__ == "__main__":
    main()
