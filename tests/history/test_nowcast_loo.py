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

    The 80% bands cover 14 of the 17 (at least 4 in 5, as docs/history.md says). The mean
    absolute error (4.4%) is what the data allow: the fitted year-to-year spread of the
    shares (s = 0.048) alone implies about 2.7% at ten months and more earlier in the
    year, so the 1.5% sought in issue 9 is out of reach with one profile for all years.
    """
    table = loo_profile(forecast.load_releases())
    assert len(table) == 17
    assert table["covered_80"].mean() >= 0.8
    assert np.abs(table["error_pct"]).mean() < 5.0
    # later months are better guides to the year than early ones
    late = table["months"] >= 9
    assert table.loc[late, "log_sd"].max() < table.loc[~late, "log_sd"].max()
