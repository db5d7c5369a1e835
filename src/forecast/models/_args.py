"""Argument helpers of :mod:`forecast.models` (private)."""

from __future__ import annotations

from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from .._validation import FrozenDict
from ..errors import ForecastTypeError, ParameterError
from ..series import AnnualSeries


class Params(FrozenDict):
    """A read-only dict of parameter estimates."""

    what = "Fit.params"
    fix = "refit the model to change it."


def check_innovations(innovations: Any, n: int, h: int) -> np.ndarray:
    try:
        e = np.asarray(innovations, dtype=float)
    except (TypeError, ValueError):
        raise ForecastTypeError(
            f"`innovations` must be a float array of shape ({n}, {h}); got "
            f"{type(innovations).__name__}. Pass rng.standard_normal(({n}, {h}))."
        ) from None
    if e.shape != (n, h):
        raise ParameterError(
            f"`innovations` must have shape (n_paths, h) = ({n}, {h}); got {e.shape}. "
            "Draw one standard normal per path and year."
        )
    if not np.all(np.isfinite(e)):
        raise ParameterError("`innovations` must be finite; got NaN or inf. Redraw them.")
    return e


def as_data(data: Any, name: str) -> tuple[AnnualSeries, Any]:
    if isinstance(data, AnnualSeries):
        return data, None
    if hasattr(data, "series") and hasattr(data, "draws"):
        return data.series, data
    raise ForecastTypeError(
        f"{name}.fit needs an AnnualSeries or a History; got {type(data).__name__}. "
        "Wrap your values with forecast.AnnualSeries(years, values)."
    )


def forecast_frame(fit: Any, h: int, lv: tuple[float, ...], log: bool, n_paths: int,
                   seed: int) -> pd.DataFrame:
    """The body of ``Fit.forecast`` (arguments already checked)."""
    out = {"year": fit.years(h)}
    single = len(fit.components) == 1 and not fit.spec.param_uncertainty
    if single:
        rep = fit.components[0]
        mu, sd = rep.mean(h), np.sqrt(np.diag(rep.covariance(h)))
        out["mean"] = mu if log else np.exp(mu + 0.5 * sd**2)
        out["median"] = mu
        for L in lv:
            z = NormalDist().inv_cdf(0.5 + L / 200)
            out[f"lower_{L:g}"], out[f"upper_{L:g}"] = mu - z * sd, mu + z * sd
    else:
        paths = fit.simulate(h, n_paths, seed=seed)
        out["mean"] = paths.mean(axis=0) if log else np.exp(paths).mean(axis=0)
        qs = [0.5] + [q for L in lv for q in (0.5 - L / 200, 0.5 + L / 200)]
        qv = np.quantile(paths, qs, axis=0)
        out["median"] = qv[0]
        for i, L in enumerate(lv):
            out[f"lower_{L:g}"], out[f"upper_{L:g}"] = qv[1 + 2 * i], qv[2 + 2 * i]
    frame = pd.DataFrame(out)
    if not log:
        cols = [c for c in frame.columns if c not in ("year", "mean")]
        frame[cols] = np.exp(frame[cols])
    return frame
