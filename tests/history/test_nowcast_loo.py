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

    The 80% bands cover 15 of the 18 (the bands use the Student-t predictive variance of
    a spread estimated from the other pairs; with the plug-in normal variance they covered
    14; docs/history.md). The mean absolute error (5.3%;
    4.4% without that figure) is what the data allow: the fitted year-to-year spread of
    the shares (s = 0.05) alone implies about 2.7% at ten months and more earlier in the
    year, and a first quarter runs high against the smooth profile (21% for the US in
    2023), so the 1.5% sought in issue 9 is out of reach with one profile for all years.
    """
    table = loo_profile(forecast.load_releases())
    assert len(table) == 18
    assert table["covered_80"].mean() >= 0.8
    assert np.abs(table["error_pct"]).mean() < 5.5
    worst = table.loc[np.abs(table["error_pct"]).idxmax()]
    assert (worst["market"], worst["year"], worst["months"]) == ("US", 2023, 3)
    # later months are better guides to the year than early ones
    late = table["months"] >= 9
    assert table.loc[late, "log_sd"].max() < table.loc[~late, "log_sd"].max()


def test_band_is_the_t_predictive_variance_of_an_estimated_spread():
    """An estimated profile carries dof = pairs - 2 + 2 prior pseudo-observations and its
    variances are the normal plug-in ones times dof / (dof - 2); a profile given by hand
    (dof infinite) keeps the plug-in variance."""
    from forecast.history.profile import IntraYearProfile

    prof = forecast.reconstruct().profile
    assert prof.dof == len(prof.pairs)
    known = IntraYearProfile(prof.log_c11, prof.exponent, prof.scale, prof.cov)
    assert known.t_factor == 1.0
    m = np.arange(1, 12)
    np.testing.assert_allclose(prof.log_var(m), known.log_var(m) * prof.dof / (prof.dof - 2))
    np.testing.assert_allclose(prof.variation_var(m),
                               known.variation_var(m) * prof.dof / (prof.dof - 2))
    assert prof.log_var(12)[0] == 0.0
