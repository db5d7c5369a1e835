"""A duck-typed History for the model tests."""

from __future__ import annotations

import numpy as np

from forecast.series import AnnualSeries


class FakeHistory:
    """Duck-typed History: a median series and whole-history draws around it."""

    def __init__(self, series: AnnualSeries, sd: float = 0.05):
        self.series = series
        self._sd = sd
        self.calls = 0

    def draws(self, n, seed=None):
        self.calls += 1
        rng = np.random.default_rng(seed)
        noise = np.cumsum(rng.standard_normal((n, len(self.series))), axis=1) * self._sd / 3
        return self.series.values * np.exp(noise - noise.mean(axis=1, keepdims=True))
