"""The joint models: China's total and the shares of its markets projected together.

Two designs fit one model spec (default :class:`forecast.Auto`) to each coordinate of a
:class:`~forecast.history.MarketHistory`:

- :class:`SplitModel`: the log total and each named market's additive log ratio
  ``r_k = log(s_k / s_ROW)`` to the rest of the world (the reconstruction's own state);
- :class:`BottomUpModel`: the log level of every named market and of ROW (bottom-up:
  each market projected by the model one would fit to it alone), the total their sum.

Each coordinate is fitted on draws of the joint history (multiple imputation, as a
History is), all with the same seed, so that imputation ``j`` of every coordinate comes
from the same joint draw. Paths are simulated with common random numbers: one
standard-normal shock per path, year and coordinate, correlated across coordinates by the
correlation of the fits' one-step residuals, shrunk towards independence. Both designs
return a :class:`SplitFit` whose paths are the log total ``x`` and the log ratios ``r``
(part log levels are converted), and levels are ``exp(x) * softmax(r, 0)``, so shares
stay in (0, 1) and sum to 1 and the markets sum to the total in every path.

The correlation is estimated from at most ~16 annual residuals: it is shrunk as
``R = (n R_hat + n0 I) / (n + n0)`` with ``n0 = 5`` pseudo-observations of independence
(a judgement that keeps a handful of years from implying near-perfect co-movement).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from .._keywords import checked_init, checked_methods
from .._seeds import as_seed_sequence, child, repeatable
from .._validation import check_int, check_spec, readonly
from ..errors import ForecastTypeError, ParameterError
from ..history import MarketHistory
from ..history.markets import ROW, softmax_levels
from ..models import Auto

__all__ = ["DESIGNS", "SHRINK_PSEUDO_OBS", "BottomUpModel", "SplitFit", "SplitModel", "base_of",
           "joint_model"]

#: Pseudo-observations of independence the residual correlation is shrunk with.
SHRINK_PSEUDO_OBS = 5.0
MIN_RESIDUALS = 4


def residual_correlation(fits: tuple[Any, ...]) -> np.ndarray:
    """Shrunk correlation of the fits' one-step residuals (identity when too few)."""
    res = [np.asarray(getattr(f, "residuals", ()), dtype=float) for f in fits]
    n = min((r.size for r in res), default=0)
    c = len(fits)
    if n < MIN_RESIDUALS:
        return np.eye(c)
    mat = np.stack([r[-n:] for r in res])
    sd = mat.std(axis=1)
    if np.any(~np.isfinite(sd)) or np.any(sd <= 0):
        return np.eye(c)
    raw = np.corrcoef(mat)
    return (n * raw + SHRINK_PSEUDO_OBS * np.eye(c)) / (n + SHRINK_PSEUDO_OBS)


def coordinates_of_parts(y: np.ndarray) -> np.ndarray:
    """Log total and log ratios to ROW, (..., 1 + K, h), from part log levels (..., K + 1, h).

    ``x = log sum_p exp(y_p)`` (shifted, so that ``exp`` never overflows) and
    ``r_k = y_k - y_ROW``: the parametrisation every projection uses, whatever was fitted.
    """
    top = y.max(axis=-2, keepdims=True)
    x = top + np.log(np.exp(y - top).sum(axis=-2, keepdims=True))
    return np.concatenate([x, y[..., :-1, :] - y[..., -1:, :]], axis=-2)


def _check_spec(name: str, spec: Any) -> Any:
    """`spec` (a model spec instance), Auto() for None, else ForecastTypeError naming `name`.

    As :func:`forecast.backtest` checks its specs: a class (``forecast.Drift`` for
    ``forecast.Drift()``) is refused when the model is made, not at its first fit.
    """
    if spec is None:
        return Auto()
    check_one_series_spec(name, spec)
    return check_spec(spec, name, ", or None for forecast.Auto()")


def check_one_series_spec(name: str, spec: Any, fix: str = "") -> None:
    """ForecastTypeError naming `name` when `spec` is a joint model (SplitModel or
    BottomUpModel: it has a ``design``) where the model of one series is wanted.

    `fix` ends the message (how the caller chooses the joint design), e.g. ``' and
    design="split"'``.

    Examples
    --------
    >>> import forecast
    >>> check_one_series_spec("spec", forecast.Drift())  # one series' model: fine
    >>> check_one_series_spec("spec", SplitModel(forecast.Drift(), forecast.Drift()))
    Traceback (most recent call last):
    ...
    forecast.errors.ForecastTypeError: `spec` must be the model of one series, such as \
forecast.Drift(); got the joint model Split(Drift; Drift). Pass spec=forecast.Drift() (its \
own spec).
    """
    design = getattr(type(spec), "design", None)
    if not isinstance(design, str):
        return
    inner = getattr(spec, "spec", None) or getattr(spec, "total", None)
    call = getattr(inner, "call_text", None)
    own = f"forecast.{call()}" if callable(call) else "forecast.Auto()"
    raise ForecastTypeError(
        f"`{name}` must be the model of one series, such as forecast.Drift(); got the joint "
        f"model {spec.name}. Pass {name}={own} (its own spec){fix}.", field=name)


def _check_correlation(correlation: str) -> None:
    if correlation not in ("residuals", "independent"):
        raise ParameterError(f'`correlation` must be "residuals" or "independent"; got '
                             f"{correlation!r}.", field="correlation")


def _fit_coordinates(model: Any, history: Any, specs: Any, coordinates: str,
                     seed: Any) -> SplitFit:
    if not isinstance(history, MarketHistory):
        raise ForecastTypeError(f"`history` must be a MarketHistory; got "
                                f"{type(history).__name__}. Build it with "
                                "forecast.reconstruct_markets().")
    ss = as_seed_sequence(seed)
    comps = history.components(coordinates)
    # the same SeedSequence for every coordinate: imputation j is one joint draw
    fits = tuple(specs(c).fit(comp, seed=ss) for c, comp in enumerate(comps))
    corr = np.eye(len(fits)) if model.correlation == "independent" else \
        residual_correlation(fits)
    return SplitFit(model=model, history=history, fits=fits, correlation=corr,
                    seed=repeatable(ss), coordinates=coordinates)


def base_of(logs: np.ndarray) -> np.ndarray:
    """Levels of every part, (P, n, h), from coordinate log paths (C, n, h)."""
    return np.ascontiguousarray(softmax_levels(logs[0], np.moveaxis(logs[1:], 0, 1))
                                .transpose(1, 0, 2))


@checked_methods
@checked_init
@dataclass(frozen=True)
class SplitModel:
    """Model the total and the market shares together (see the module docstring).

    Parameters
    ----------
    total : ModelSpec, optional
        Spec of the log total; default ``forecast.Auto()``.
    shares : ModelSpec, optional
        Spec of every log ratio ``log(s_k / s_ROW)``; default ``forecast.Auto()``.
    correlation : {"residuals", "independent"}, default "residuals"
        Cross-coordinate correlation of the shocks: estimated from the residuals
        (shrunk), or none.

    Examples
    --------
    >>> import forecast
    >>> mh = forecast.reconstruct_markets(markets=("US", "EU"))
    >>> fit = SplitModel(forecast.Drift(), forecast.Drift()).fit(mh, seed=1)
    >>> fit.parts, fit.simulate_levels(5, 100, seed=2).shape
    (('US', 'EU', 'ROW'), (100, 3, 5))
    """

    total: Any = None
    shares: Any = None
    correlation: str = "residuals"
    #: The design's name in :data:`DESIGNS` (``joint_model("split", spec)``).
    design: ClassVar[str] = "split"

    def __post_init__(self) -> None:
        for name in ("total", "shares"):
            object.__setattr__(self, name, _check_spec(name, getattr(self, name)))
        _check_correlation(self.correlation)

    @property
    def name(self) -> str:
        return f"Split({self.total.name}; {self.shares.name})"

    def fit(self, history: MarketHistory, *, seed: Any = None) -> SplitFit:
        """Fit the total and every log ratio on draws of `history` (one seed for all)."""
        return _fit_coordinates(self, history, lambda c: self.total if c == 0 else self.shares,
                                "ratios", seed)


@checked_methods
@checked_init
@dataclass(frozen=True)
class BottomUpModel:
    """Model every part's log level, the named markets' and ROW's; the total is their sum.

    The bottom-up design of hierarchical forecasting: each market is projected by the
    model one would fit to it alone (on its series from the joint reconstruction), so its
    band is as wide as that model's and no wider; the total and the shares follow from
    the parts, so shares stay in (0, 1), sum to 1, and the markets sum to the total in
    every path. The parts' shocks are correlated as in :class:`SplitModel` (residual
    correlation, shrunk). A part's history is its log level linearised at the mode of the
    reconstruction (:meth:`MarketHistory.components` with ``coordinates="parts"``).

    Parameters
    ----------
    spec : ModelSpec, optional
        Spec of every part's log level; default ``forecast.Auto()``.
    correlation : {"residuals", "independent"}, default "residuals"

    Examples
    --------
    >>> import forecast
    >>> mh = forecast.reconstruct_markets(markets=("US", "EU"))
    >>> fit = BottomUpModel(forecast.Drift()).fit(mh, seed=1)
    >>> fit.name, fit.simulate_levels(5, 100, seed=2).shape
    ('BottomUp(Drift)', (100, 3, 5))
    """

    spec: Any = None
    correlation: str = "residuals"
    #: The design's name in :data:`DESIGNS` (``joint_model("bottom-up", spec)``).
    design: ClassVar[str] = "bottom-up"

    def __post_init__(self) -> None:
        object.__setattr__(self, "spec", _check_spec("spec", self.spec))
        _check_correlation(self.correlation)

    @property
    def name(self) -> str:
        return f"BottomUp({self.spec.name})"

    def fit(self, history: MarketHistory, *, seed: Any = None) -> SplitFit:
        """Fit every part's log level on draws of `history` (one seed for all)."""
        return _fit_coordinates(self, history, lambda c: self.spec, "parts", seed)


#: The joint designs by name, the default first (``forecast run --markets --design``).
DESIGNS = ("bottom-up", "split")


def joint_model(design: str, spec: Any = None) -> SplitModel | BottomUpModel:
    """The joint model of `design` with `spec` on every coordinate (ParameterError if unknown)."""
    if design == "bottom-up":
        return BottomUpModel(spec)
    if design == "split":
        return SplitModel(spec, spec)
    raise ParameterError(f'`design` must be "bottom-up" or "split"; got {design!r}.',
                         field="design")


@checked_init
@dataclass(frozen=True, eq=False, repr=False)
class SplitFit:
    """A fitted split model: one Fit per coordinate and the shocks' correlation.

    Attributes
    ----------
    model : SplitModel or BottomUpModel
    history : MarketHistory
    fits : tuple of Fit
        ``coordinates="ratios"``: the total's fit, then one per named market's log ratio;
        ``"parts"``: one per part's log level (named markets, then ROW).
    correlation : ndarray, shape (1 + K, 1 + K)
        Of the fitted coordinates' shocks.
    seed : int or SeedSequence
        The seed of the history draws, so that ``model.fit(history, seed=fit.seed)``
        repeats the fit: the int entropy for an int seed or none (fresh entropy), else a
        copy of the SeedSequence given.
    coordinates : {"ratios", "parts"}
        What was fitted. :meth:`simulate` and :meth:`point_forecast` return the log total
        and log ratios either way.

    Examples
    --------
    Its repr is one line: the design and model, the parts, the years, the member
    families and the seed (``fit.correlation`` and ``fit.fits`` hold the rest).

    >>> import forecast
    >>> mh = forecast.reconstruct_markets(markets=("US", "EU"))
    >>> BottomUpModel(forecast.Drift()).fit(mh, seed=1)  # doctest: +ELLIPSIS
    SplitFit(bottom-up BottomUp(Drift), US, EU + ROW, 2009-... USD_bn, families Drift, seed=1)
    """

    model: Any
    history: MarketHistory
    fits: tuple[Any, ...]
    correlation: np.ndarray
    seed: Any = None
    coordinates: str = "ratios"
    _chol: np.ndarray = field(default=None, repr=False)

    def __post_init__(self) -> None:
        corr = np.asarray(self.correlation, dtype=float)
        object.__setattr__(self, "correlation", readonly(corr))
        object.__setattr__(self, "_chol", readonly(np.linalg.cholesky(corr)))

    def __repr__(self) -> str:
        # one line, as Fit's: the dataclass repr would print every coordinate's Fit, the
        # history and the correlation matrix
        h = self.history
        return (f"SplitFit({self.design} {self.name}, {', '.join(self.markets)} + {ROW}, "
                f"{h.years[0]}-{h.years[-1]} {self.unit}, "
                f"families {'/'.join(self.families)}, seed={self.seed!r})")

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def design(self) -> str:
        """The joint design: ``"bottom-up"`` or ``"split"`` (:data:`DESIGNS`)."""
        return str(getattr(self.model, "design", type(self.model).__name__))

    @property
    def families(self) -> tuple[str, ...]:
        """The model families of the fits' members, in order of first appearance.

        An ``Auto`` combination's are its weighted families (``weight.<family>`` in its
        params); a single family's, its name.
        """
        names: dict[str, None] = {}
        for f in self.fits:
            params = getattr(f, "params", {})
            weighted = [k.removeprefix("weight.") for k in params if k.startswith("weight.")]
            names.update(dict.fromkeys(weighted or [str(f.name)]))
        return tuple(names)

    @property
    def markets(self) -> tuple[str, ...]:
        return self.history.markets

    @property
    def parts(self) -> tuple[str, ...]:
        """Named markets and ROW."""
        return (*self.history.markets, ROW)

    @property
    def last_year(self) -> int:
        return int(self.history.years[-1])

    @property
    def unit(self) -> str:
        return self.history.unit

    @property
    def coordinate_names(self) -> tuple[str, ...]:
        """Names of the fitted coordinates: ``"total"`` and the markets (their log ratios),
        or every part (their log levels)."""
        return self.parts if self.coordinates == "parts" else ("total", *self.markets)

    def as_ratios(self, logs: np.ndarray) -> np.ndarray:
        """Fitted-coordinate paths (..., 1 + K, h) as the log total and the log ratios."""
        return coordinates_of_parts(logs) if self.coordinates == "parts" else logs

    def point_forecast(self, h: int) -> np.ndarray:
        """Point paths of the coordinates, (1 + K, h): log total, then log ratios."""
        return self.as_ratios(np.stack([np.asarray(f.point_forecast(h), dtype=float)
                                        for f in self.fits]))

    def simulate(self, h: int, n_paths: int, seed: Any = None) -> np.ndarray:
        """Log paths of the log total and the log ratios, shape (n_paths, 1 + K, h).

        The shocks of fitted coordinate ``c`` are column ``c`` of ``z @ chol.T`` with ``z``
        drawn from the first child of `seed`; the fits' own draws (parameters, members)
        from child ``c + 1``. Part log levels (``coordinates="parts"``) are converted.
        """
        return self.as_ratios(self.simulate_fitted(h, n_paths, seed))

    def simulate_fitted(self, h: int, n_paths: int, seed: Any = None) -> np.ndarray:
        """Paths of the fitted coordinates (:attr:`coordinate_names`), (n_paths, 1 + K, h)."""
        h = check_int("h", h, 1, 200, "Pass a horizon of 1 to 200 years.")
        n = check_int("n_paths", n_paths, 1, 50_000_000, "Pass e.g. n_paths=10_000.")
        ss = as_seed_sequence(seed)
        c = len(self.fits)
        z = np.random.default_rng(child(ss, 0)).standard_normal((n, h, c))
        shocks = z @ self._chol.T
        out = np.empty((n, c, h))
        for k, fit in enumerate(self.fits):
            out[:, k] = fit.simulate(h, n, seed=child(ss, k + 1),
                                     innovations=np.ascontiguousarray(shocks[:, :, k]))
        return out

    def simulate_levels(self, h: int, n_paths: int, seed: Any = None) -> np.ndarray:
        """Levels of every part (named markets, then ROW), shape (n_paths, K + 1, h)."""
        logs = self.simulate(h, n_paths, seed)
        return softmax_levels(logs[:, 0], logs[:, 1:])

    def simulate_log_levels(self, h: int, n_paths: int, seed: Any = None) -> np.ndarray:
        """Log levels of every part, (n_paths, K + 1, h), computed without under/overflow.

        ``log L_p = x + r_p - log(1 + sum_k exp r_k)`` (``r_ROW = 0``): finite even where
        ``exp`` of a far tail would underflow to 0 (what a backtest scores on the log scale).
        """
        logs = self.simulate(h, n_paths, seed)
        r = np.concatenate([logs[:, 1:], np.zeros_like(logs[:, :1])], axis=1)
        top = r.max(axis=1, keepdims=True)
        lse = top + np.log(np.exp(r - top).sum(axis=1, keepdims=True))
        return logs[:, :1] + r - lse
