"""The built-in model families: Naive, Drift, LogLinearTrend, DampedTrend, ARIMA,
LocalLinearTrend and Theta.

Each is a frozen spec (:class:`~forecast.models.base.ModelSpec`) whose
``estimate_batch`` calls a vectorised estimator of :mod:`forecast.models.estimation`
or :mod:`forecast.models.filtered`; everything else (working scale, history draws,
calibration, pooling) is shared. The equations are in each docstring and in
``docs/models.md``; they hold on the working scale ``z`` (the Box-Cox transform of the
level, see :mod:`forecast.models.scale`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .._keywords import checked_init, checked_methods
from .._seeds import SeedLike
from .._validation import check_bool, check_int
from ..errors import ForecastTypeError
from . import arima, filtered, theta
from . import estimation as est
from ._args import as_data
from .base import Fit, ModelSpec, history_draws, imputation_note, make_fit, working_draws

if TYPE_CHECKING:
    from ..history import History
    from ..series import AnnualSeries

__all__ = ["ARIMA", "DampedTrend", "Drift", "LocalLinearTrend", "LogLinearTrend", "Naive",
           "Theta"]


@checked_init
@dataclass(frozen=True)
class Naive(ModelSpec):
    """Random walk without drift: ``z_t = z_(t-1) + e_t``.

    The last value carried forward; the benchmark every evaluation includes
    (``forecast.evaluation.compare``). ``sigma`` is the root mean square of the changes
    (maximum likelihood, no mean removed).

    Parameters
    ----------
    scale : {"auto", "log", "level"} or float, default "auto"
        Working scale, keyword-only as the three below (every family takes them, from
        :class:`~forecast.models.base.ModelSpec`): a Box-Cox lambda in [0, 1] (0 = "log",
        1 = "level"), or "auto" to choose it from the data.
    param_uncertainty : bool, default True
        Carry the estimation error into the forecast distribution: of the variances
        and of the parameters. False gives the plug-in distribution.
    calibrate : bool, default True
        Rescale the variance by the mean squared standardised error of the model's own
        out-of-sample forecasts within the sample.
    imputations : int, default 20
        History draws fitted and pooled when ``fit`` receives a History (1 to 1000).

    Examples
    --------
    >>> import forecast
    >>> values = [10 * 1.1**i * (1 + 0.03 * (-1)**i) for i in range(14)]
    >>> s = forecast.AnnualSeries(range(2012, 2026), values)
    >>> forecast.Naive().fit(s).forecast(2)["median"].round(1).tolist()  # the last value
    [33.5, 33.5]
    """

    min_length = 2
    param_units = {"sigma": "change"}
    likelihood_lost = 1  # the changes'

    batch_rows = True

    def estimate_batch(self, Y):
        return est.fit_naive(Y)


@checked_init
@dataclass(frozen=True)
class Drift(ModelSpec):
    """Random walk with drift: ``z_t = z_(t-1) + mu + e_t``.

    ``mu`` and ``sigma`` are the mean and standard deviation of the changes; with
    parameter uncertainty the drift's standard error widens the bands exactly as R's
    ``rwf(drift = TRUE)``.

    Parameters
    ----------
    scale : {"auto", "log", "level"} or float, default "auto"
        Working scale, keyword-only as the three below (every family takes them, from
        :class:`~forecast.models.base.ModelSpec`): a Box-Cox lambda in [0, 1] (0 = "log",
        1 = "level"), or "auto" to choose it from the data.
    param_uncertainty : bool, default True
        Carry the estimation error into the forecast distribution: of the variances
        and of the parameters (the drift). False gives the plug-in distribution.
    calibrate : bool, default True
        Rescale the variance by the mean squared standardised error of the model's own
        out-of-sample forecasts within the sample.
    imputations : int, default 20
        History draws fitted and pooled when ``fit`` receives a History (1 to 1000).

    Examples
    --------
    >>> import forecast
    >>> values = [10 * 1.1**i * (1 + 0.03 * (-1)**i) for i in range(14)]
    >>> s = forecast.AnnualSeries(range(2012, 2026), values)
    >>> fit = forecast.Drift(scale="log").fit(s)
    >>> round(fit.params["drift"], 3)  # the mean yearly change of the log level
    0.091
    """

    min_length = 3
    param_units = {"drift": "change", "sigma": "change"}
    likelihood_lost = 1  # the changes'

    batch_rows = True

    def estimate_batch(self, Y):
        return est.fit_drift(Y, self.param_uncertainty)


@checked_init
@dataclass(frozen=True)
class LogLinearTrend(ModelSpec):
    """Deterministic linear trend ``z_t = a + b t + u_t``, u iid or AR(1) (``ar1=True``).

    The name is historical: the trend is linear on the working scale (log by default
    before scale selection existed). Exact Gaussian ML (Prais-Winsten) over the AR
    coefficient; intercept and slope by GLS with their sampling uncertainty.

    Parameters
    ----------
    ar1 : bool, default False
        AR(1) errors instead of independent ones (needs 6 years instead of 4).
    scale : {"auto", "log", "level"} or float, default "auto"
        Working scale, keyword-only as the three below (every family takes them, from
        :class:`~forecast.models.base.ModelSpec`): a Box-Cox lambda in [0, 1] (0 = "log",
        1 = "level"), or "auto" to choose it from the data.
    param_uncertainty : bool, default True
        Carry the estimation error into the forecast distribution: of the variances
        and of the parameters (intercept, slope). False gives the plug-in distribution.
    calibrate : bool, default True
        Rescale the variance by the mean squared standardised error of the model's own
        out-of-sample forecasts within the sample.
    imputations : int, default 20
        History draws fitted and pooled when ``fit`` receives a History (1 to 1000).

    Examples
    --------
    >>> import forecast
    >>> values = [10 * 1.1**i * (1 + 0.03 * (-1)**i) for i in range(14)]
    >>> s = forecast.AnnualSeries(range(2012, 2026), values)
    >>> fit = forecast.LogLinearTrend(ar1=True).fit(s)
    >>> "ar1" in fit.params, fit.forecast(2)["median"].round(0).tolist()
    (True, [36.0, 39.0])
    """

    ar1: bool = False
    param_units = {"intercept": "level", "slope": "change", "sigma": "change"}
    likelihood_lost = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        check_bool("ar1", self.ar1)

    @property
    def min_length(self) -> int:  # type: ignore[override]
        return 6 if self.ar1 else 4

    batch_rows = True

    def estimate_batch(self, Y):
        return est.fit_trend(Y, self.ar1, self.param_uncertainty)


@checked_init
@dataclass(frozen=True)
class DampedTrend(ModelSpec):
    """ETS(A,Ad,N): ``z_t = l + phi b + e``, ``l' = l + phi b + alpha e``, ``b' = phi b + beta e``.

    Restricted maximum likelihood over alpha, beta <= alpha and phi in R's ``ets()``
    bounds: the initial level and trend integrated out as diffuse (the likelihood of the
    n - 2 error contrasts free of them; docs/models.md, "The damped trend's restricted
    likelihood"), and integrated into the forecast as diffuse states when
    ``param_uncertainty``.

    Parameters
    ----------
    scale : {"auto", "log", "level"} or float, default "auto"
        Working scale, keyword-only as the three below (every family takes them, from
        :class:`~forecast.models.base.ModelSpec`): a Box-Cox lambda in [0, 1] (0 = "log",
        1 = "level"), or "auto" to choose it from the data.
    param_uncertainty : bool, default True
        Carry the estimation error into the forecast distribution: of the variances
        and of the parameters (the initial level and trend). False gives the plug-in distribution.
    calibrate : bool, default True
        Rescale the variance by the mean squared standardised error of the model's own
        out-of-sample forecasts within the sample.
    imputations : int, default 20
        History draws fitted and pooled when ``fit`` receives a History (1 to 1000).

    Examples
    --------
    >>> import forecast
    >>> values = [10 * 1.1**i * (1 + 0.03 * (-1)**i) for i in range(14)]
    >>> s = forecast.AnnualSeries(range(2012, 2026), values)
    >>> fit = forecast.DampedTrend().fit(s)  # needs 8 years or more
    >>> 0 < fit.params["phi"] <= 0.98  # the damping, within R's ets() bounds
    True
    """

    min_length = 8
    param_units = {"level0": "level", "trend0": "change", "sigma": "change"}
    likelihood_lost = 0

    batch_rows = True

    def estimate_batch(self, Y):
        return filtered.fit_damped(Y, self.param_uncertainty)


@checked_init
@dataclass(frozen=True)
class LocalLinearTrend(ModelSpec):
    """Local linear trend: ``z = mu + eps``, ``mu' = mu + beta + eta``, ``beta' = beta + zeta``.

    Exact maximum likelihood of the three variances through the MA(2) form of the
    second differences; level and slope filtered from a diffuse start.

    Parameters
    ----------
    scale : {"auto", "log", "level"} or float, default "auto"
        Working scale, keyword-only as the three below (every family takes them, from
        :class:`~forecast.models.base.ModelSpec`): a Box-Cox lambda in [0, 1] (0 = "log",
        1 = "level"), or "auto" to choose it from the data.
    param_uncertainty : bool, default True
        Carry the estimation error into the forecast distribution: of the variances
        and of the parameters (the initial level and slope). False gives the plug-in distribution.
    calibrate : bool, default True
        Rescale the variance by the mean squared standardised error of the model's own
        out-of-sample forecasts within the sample.
    imputations : int, default 20
        History draws fitted and pooled when ``fit`` receives a History (1 to 1000).

    Examples
    --------
    >>> import forecast
    >>> values = [10 * 1.1**i * (1 + 0.03 * (-1)**i) for i in range(14)]
    >>> s = forecast.AnnualSeries(range(2012, 2026), values)
    >>> fit = forecast.LocalLinearTrend().fit(s)
    >>> sorted(k for k in fit.params if k.startswith("sigma2"))
    ['sigma2_irregular', 'sigma2_level', 'sigma2_trend']
    """

    min_length = 6
    param_units = {"sigma2_irregular": "variance", "sigma2_level": "variance",
                   "sigma2_trend": "variance"}
    likelihood_lost = 2  # the second differences'

    batch_rows = True

    def estimate_batch(self, Y):
        return filtered.fit_llt(Y)


@checked_init
@dataclass(frozen=True)
class Theta(ModelSpec):
    """The theta method (theta = 2) as R's ``thetaf``: SES plus half the OLS trend.

    Parameters
    ----------
    scale : {"auto", "log", "level"} or float, default "auto"
        Working scale, keyword-only as the three below (every family takes them, from
        :class:`~forecast.models.base.ModelSpec`): a Box-Cox lambda in [0, 1] (0 = "log",
        1 = "level"), or "auto" to choose it from the data.
    param_uncertainty : bool, default True
        Carry the estimation error into the forecast distribution: of the variances
        and of the parameters (the trend). False gives the plug-in distribution.
    calibrate : bool, default True
        Rescale the variance by the mean squared standardised error of the model's own
        out-of-sample forecasts within the sample.
    imputations : int, default 20
        History draws fitted and pooled when ``fit`` receives a History (1 to 1000).

    Examples
    --------
    >>> import forecast
    >>> values = [10 * 1.1**i * (1 + 0.03 * (-1)**i) for i in range(14)]
    >>> s = forecast.AnnualSeries(range(2012, 2026), values)
    >>> forecast.Theta().fit(s).forecast(2)["median"].round(0).tolist()
    [35.0, 36.0]
    """

    min_length = 4
    param_units = {"b0": "change", "sigma": "change"}
    likelihood_lost = 0

    batch_rows = True

    def estimate_batch(self, Y):
        return theta.fit_theta(Y, self.param_uncertainty)


@checked_methods
@checked_init
@dataclass(frozen=True)
class ARIMA(ModelSpec):
    """ARIMA(p, 1, q) with drift; ``order=None`` searches p, q in 0..2 by AICc.

    Parameters
    ----------
    order : tuple (p, q) or None, default None
        The AR and MA orders, each in 0..3 (the differencing order is always 1:
        ``order=(1, 1)`` is ARIMA(1,1,1)); None chooses them by AICc, on the median
        history when ``fit`` receives a History. Needs ``p + q + 6`` years (6 for None).
    scale : {"auto", "log", "level"} or float, default "auto"
        Working scale, keyword-only as the three below (every family takes them, from
        :class:`~forecast.models.base.ModelSpec`): a Box-Cox lambda in [0, 1] (0 = "log",
        1 = "level"), or "auto" to choose it from the data.
    param_uncertainty : bool, default True
        Carry the estimation error into the forecast distribution: of the variances
        and of the parameters (the drift and coefficients). False gives the plug-in distribution.
    calibrate : bool, default True
        Rescale the variance by the mean squared standardised error of the model's own
        out-of-sample forecasts within the sample.
    imputations : int, default 20
        History draws fitted and pooled when ``fit`` receives a History (1 to 1000).

    Examples
    --------
    >>> import forecast
    >>> values = [10 * 1.1**i * (1 + 0.03 * (-1)**i) for i in range(14)]
    >>> s = forecast.AnnualSeries(range(2012, 2026), values)
    >>> fit = forecast.ARIMA(order=(1, 0)).fit(s)
    >>> fit.name, fit.params["p"], fit.params["q"]
    ('ARIMA(1,1,0)', 1.0, 0.0)
    """

    order: tuple[int, int] | None = None
    param_units = {"drift": "change", "sigma": "change"}
    likelihood_lost = 1  # the changes' (an exactly linear row: Drift's, the same)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.order is not None:
            if not isinstance(self.order, tuple | list) or len(self.order) != 2:
                raise ForecastTypeError(
                    f"`order` must be (p, q) or None; got {self.order!r}. The differencing "
                    "order is always 1, e.g. ARIMA(order=(1, 1)) for ARIMA(1,1,1)."
                )
            p, q = (check_int(f"order[{i}]", v, 0, 3,
                              "Pass p and q in 0..3, e.g. order=(1, 1).")
                    for i, v in enumerate(self.order))
            object.__setattr__(self, "order", (p, q))

    @property
    def name(self) -> str:
        return "ARIMA" if self.order is None else f"ARIMA({self.order[0]},1,{self.order[1]})"

    @property
    def min_length(self) -> int:  # type: ignore[override]
        return 6 if self.order is None else sum(self.order) + 6

    @property
    def batch_rows(self) -> bool:  # type: ignore[override]
        return self.order is not None  # a searched order is chosen on the first row

    def estimate_batch(self, Y):
        order = self.order if self.order is not None else arima.select_order(Y[0])
        exact = arima.exactly_linear(Y)
        ests = [None] * Y.shape[0]
        for rows, fit in ((~exact, lambda y: arima.fit_arima(y, order, self.param_uncertainty)),
                          (exact, lambda y: est.fit_drift(y, self.param_uncertainty))):
            if rows.any():
                for i, e in zip(np.flatnonzero(rows), fit(Y[rows]), strict=True):
                    ests[i] = e
        for e in ests:
            # an exactly linear row is ARIMA(0,1,0) with drift: its coefficients are 0
            for k in [f"ar{i + 1}" for i in range(order[0])] + [f"ma{i + 1}" for i in
                                                                range(order[1])]:
                e.params.setdefault(k, 0.0)
            e.params["p"], e.params["q"] = float(order[0]), float(order[1])
        return ests

    def fit(self, data: AnnualSeries | History, *, seed: SeedLike = None) -> Fit:
        series, history = as_data(data, self.name)
        if history is None or self.order is not None:
            return super().fit(data, seed=seed)
        # choose the order once, on the median, then fit it on every history draw
        self.check_length(series)
        from . import scale

        ref, u = scale.normalised(series.values, series.years)
        lam = scale.resolve(self.scale, u)
        order = arima.select_order(scale.transform(u, lam))
        fixed = dataclasses.replace(self, order=order, scale=lam)
        draws, entropy = history_draws(history, series, self.imputations, seed)
        ests = fixed.safe_estimates(working_draws(draws, ref, lam, series.years))
        return make_fit(self, series, ests, lam, (
            imputation_note(len(ests), entropy),
            f"order ({order[0]},1,{order[1]}) chosen on the median by AICc"), seed=entropy,
            history=history, ref=ref)


#: every family by name (Auto's `families` argument)
FAMILIES: dict[str, type[ModelSpec]] = {
    "Naive": Naive, "Drift": Drift, "LogLinearTrend": LogLinearTrend,
    "DampedTrend": DampedTrend, "ARIMA": ARIMA, "LocalLinearTrend": LocalLinearTrend,
    "Theta": Theta}
