"""The leave-one-year-out study of the intra-year profile quoted in docs/history.md."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import forecast

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs" / "scripts"))
from nowcast_loo import loo_profile


def test_profile_bands_cover_four_in_five_left_out_years():
    """Every January-to-month figure is predicted with its year left out of the profile.

    The 80% bands cover 14 of the 18 (14 of 17 before the US first-quarter 2023 level,
    CNY 42.5 bn from CRI, was added; docs/history.md). The mean absolute error (5.3%;
    4.4% without that figure) is what the data allow: the fitted year-to-year spread of
    the shares (s = 0.05) alone implies about 2.7% at ten months and more earlier in the
    year, and a first quarter runs high against the smooth profile (21% for the US in
    2023), so the 1.5% sought in issue 9 is out of reach with one profile for all years.
    """
    table = loo_profile(forecast.load_releases())
    assert len(table) == 18
    assert table["covered_80"].mean() >= 0.75
    assert np.abs(table["error_pct"]).mean() < 5.5
    worst = table.loc[np.abs(table["error_pct"]).idxmax()]
    assert (worst["market"], worst["year"], worst["months"]) == ("US", 2023, 3)
    # later months are better guides to the year than early ones
    late = table["months"] >= 9
    assert table.loc[late, "log_sd"].max() < table.loc[~late, "log_sd"].max()
