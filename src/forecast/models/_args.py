"""Argument and output helpers of :mod:`forecast.models` (private)."""

from __future__ import annotations

import functools
import warnings
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from .._validation import FrozenDict, band_probs, level_label, user_stacklevel
from ..errors import ForecastTypeError, ModelError, ParameterError
from ..series import AnnualSeries
from . import gaussian


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
    if isinstance(data, pd.Series):
        raise ForecastTypeError(
            f"{name}.fit needs an AnnualSeries or a History; got a pandas Series. Convert "
            "it with forecast.AnnualSeries.from_pandas(series, unit=...).")
    raise ForecastTypeError(
        f"{name}.fit needs an AnnualSeries or a History; got {type(data).__name__}. "
        "Wrap your values with forecast.AnnualSeries(years, values)."
    )


def matmul_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for a tall-skinny `a`, in row blocks small enough for one BLAS thread.

    OpenBLAS runs a product on one thread when rows x k x m is below 64**3; above it,
    a 100,000 x 12 by 12 x 10 product spawned threads for little work, and right after
    a fit (scipy's own OpenBLAS pool still spinning) it took 70-220 ms instead of 2 ms.
    Blocks of about 2,000 rows measured 2-3 ms idle, 8-12 ms contended.
    """
    rows = max(256, 1 << int(np.log2(max(262_144 // max(a.shape[1] * b.shape[1], 1), 1))))
    out = np.empty((a.shape[0], b.shape[1]))
    for i in range(0, a.shape[0], rows):
        np.matmul(a[i:i + rows], b, out=out[i:i + rows])
    return out


@functools.lru_cache(maxsize=64)
def _quantile_z(levels: tuple[float, ...]) -> np.ndarray:
    """Standard normal quantiles of the median, then each level's lower and upper bound
    (read-only; cached: every forecast of a batch asks for the same levels)."""
    probs = [0.5] + [p for lv in levels for p in band_probs(lv)]
    z = np.array([NormalDist().inv_cdf(p) for p in probs])
    z.flags.writeable = False
    return z


def forecast_frame(fit: Any, h: int, levels: tuple[float, ...], log: bool) -> pd.DataFrame:
    """The body of ``Fit.forecast``: quantiles and means of the Gaussian working scale.

    The moments are those of the normalised series (``Fit.moments``); every value is put
    in the series' unit by ``Fit.to_log_level``, which multiplies its reference back.
    """
    mean, L = fit.moments(h)
    sd = np.sqrt(np.einsum("ij,ij->i", L, L))
    out: dict[str, Any] = {"year": fit.years(h)}
    if fit.lam == 0.0:
        log_mean = fit.to_log_level(mean)  # the normalised scale's mean, in the unit
        with np.errstate(over="ignore"):  # an overflow is reported below, as a ModelError
            out["mean"] = log_mean if log else np.exp(log_mean + 0.5 * sd * sd)
    elif log:
        out["mean"] = _log_mean(fit, mean, sd)
    else:
        with np.errstate(over="ignore"):  # reported below
            out["mean"] = gaussian.level_mean(mean, sd, fit.to_log_level)
    z = _quantile_z(levels)
    logq = fit.to_log_level(mean[None, :] + z[:, None] * sd[None, :])
    with np.errstate(over="ignore"):  # reported below
        q = logq if log else np.exp(logq)
    out["median"] = q[0]
    for k, lv in enumerate(levels):
        lab = level_label(lv)
        out[f"lower_{lab}"], out[f"upper_{lab}"] = q[1 + 2 * k], q[2 + 2 * k]
    names = list(out)[1:]
    finite = np.isfinite(np.vstack([out[c] for c in names]))  # columns x years
    bad = ~finite.all(axis=0)
    if bad.any():
        j = int(np.argmax(bad))
        cols = [c for c, ok in zip(names, finite[:, j], strict=True) if not ok]
        # the forecast scales with the series: a larger unit brings every value below the
        # float maximum (the log level's excess over it, in powers of ten, plus one)
        excess = float(np.max(logq[:, j])) / np.log(10.0) - np.log10(np.finfo(float).max)
        unit = (f"express the series in a larger unit (divide it by "
                f"1e{int(np.ceil(max(excess, 0.0))) + 1}; the forecast scales with it), "
                if np.isfinite(excess) and not log else "")
        raise ModelError(
            f"{fit.name}'s forecast is not a finite number from {int(out['year'][j])} "
            f"(h = {j + 1}) on: its {', '.join(cols)} overflow(s) the float range (the log "
            f"level's sd is {sd[j]:.3g} there). "
            + _overflow_fixes(j, unit, fit.lam),
            field="values")
    if not log:
        _warn_floor(fit, out, logq, names)
    return pd.DataFrame(out, copy=False)


def _warn_floor(fit: Any, out: dict[str, Any], logq: np.ndarray, names: list[str]) -> None:
    """Warn when a reported quantile is the censoring floor, not a level.

    On a Box-Cox working scale (lambda > 0) the part of the distribution below the
    boundary ``-1 / lambda`` has no positive level and is censored at ``fit.floor_log``
    (:attr:`Fit.floor_log`); a quantile there is that floor, which reads like a forecast
    of a millionth of the smallest observation. ``forecast.project`` warned of it; a
    forecast table did not (a local linear trend after a 40% fall had its median there).
    """
    floor = float(fit.floor_log)
    if not np.isfinite(floor):
        return
    at_floor = logq <= floor  # (1 + 2 levels) x years: median, then lower/upper pairs
    if not at_floor.any():
        return
    j = int(np.argmax(at_floor.any(axis=0)))
    quantile_cols = [c for c in names if c != "mean"]
    cols = [c for c, hit in zip(quantile_cols, at_floor[:, j], strict=True) if hit]
    share = float(fit.censored_share(j + 1)[j])
    what = f"the {', '.join(cols)} from {int(out['year'][j])} (h = {j + 1})"
    later = "median" not in cols and bool(at_floor[0].any())  # the median follows later
    if later:
        k = int(np.argmax(at_floor[0]))
        what += f" and the median from {int(out['year'][k])} (h = {k + 1})"
    verb = "is" if len(cols) == 1 and not later else "are"
    warnings.warn(
        f"{fit.name}.forecast: {what} {verb} the floor of the model's working scale (Box-Cox "
        f"lambda {fit.lam:.2f}), {np.exp(floor):.3g} {fit.series.unit}, a millionth of the "
        f"smallest observation: {100 * share:.1f}% of the forecast distribution has no "
        f"positive level in {int(out['year'][j])}, and a value at the floor means 'no "
        "positive level', not a figure. On the log scale (scale=\"log\") nothing is censored.",
        UserWarning, stacklevel=user_stacklevel())


def _overflow_fixes(j: int, unit: str, lam: float) -> str:
    """The fixes of a forecast that overflows from horizon ``j + 1``: fewer years, a
    larger `unit` (its text, or ""), and a level-like scale where the fit is on logs."""
    fixes = [f"forecast fewer years (h <= {j})"] if j else []
    if unit:
        fixes.append(unit.rstrip(", "))
    if lam == 0.0:  # on logs the bands grow multiplicatively; a level-like scale does not
        fixes.append("fit on a level-like working scale (scale='auto' or 'level'), whose "
                     "bands grow additively")
    if not fixes:
        return "Check the series for a unit or exponent error."
    text = "; ".join(fixes[:-1]) + (", or " if len(fixes) > 1 else "") + fixes[-1]
    return text[:1].upper() + text[1:] + "."


def _log_mean(fit: Any, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    z = mean[:, None] + sd[:, None] * gaussian._GH_Z[None, :]
    return fit.to_log_level(z) @ gaussian._GH_W
