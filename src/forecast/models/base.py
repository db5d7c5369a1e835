"""The model contract: :class:`ModelSpec` and :class:`Estimate` (:class:`Fit` and
:class:`FitLike` live in :mod:`.fit` and are re-exported here).

A spec is a frozen dataclass of constructor arguments. ``spec.fit(data)`` resolves the
working scale (:mod:`forecast.models.scale`), estimates the family on the series or on
history draws (``estimate_batch``), calibrates each member and pools them into the
Fit's Gaussian forecast distribution (:mod:`forecast.models.gaussian`). A new family
subclasses :class:`ModelSpec` and implements ``estimate(y) -> Estimate`` for one
series on its working scale (``docs/extending.md``); the built-in families override
``estimate_batch`` to estimate all history draws at once.

Examples
--------
>>> import forecast
>>> spec = forecast.Drift()
>>> isinstance(spec, ModelSpec), spec.min_length, spec.imputations
(True, 3, 20)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from .._keywords import checked_init, checked_methods
from .._seeds import SeedLike, as_seed_sequence, repeatable, seed_source
from .._threads import single_blas_thread
from .._validation import check_bool, check_int
from ..errors import ForecastError, ModelError
from ..series import AnnualSeries
from . import scale
from ._args import as_data
from ._estimates import checked_estimate, short
from .fit import MAX_H, Fit, FitLike, SpecLike, make_fit
from .linear import Estimate

if TYPE_CHECKING:
    from ..history import History

__all__ = ["DEFAULT_IMPUTATIONS", "MAX_H", "Estimate", "Fit", "FitLike", "ModelSpec", "SpecLike",
           "make_fit"]

#: number of history draws a spec fits on when given a History (multiple imputation)
DEFAULT_IMPUTATIONS = 20
#: working-scale magnitude above which a failed estimation is blamed on the data's range
#: (squares and variances of such values overflow float64, ~1.8e308); the working series
#: is divided by its geometric mean, so only a series spanning ~100 orders of magnitude on
#: a near-level scale reaches it (never one on the log scale, whose values stay < ~1400)
_HUGE = 1e100


@checked_methods
@checked_init
@dataclass(frozen=True)
class ModelSpec:
    """Base class of every model spec: shared arguments, validation and ``fit``.

    A family subclasses it, sets ``min_length`` and implements :meth:`estimate` (one
    series) or :meth:`estimate_batch` (many). Every spec accepts these keyword
    arguments besides its own.

    Parameters
    ----------
    scale : {"auto", "log", "level"} or float, default "auto"
        Working scale: the Box-Cox lambda in [0, 1] (0 = log, 1 = level), or "auto"
        to choose it from the data (:mod:`forecast.models.scale`).
    param_uncertainty : bool, default True
        Integrate the linear parameters (drift, trend, initial states) and the
        estimation error of the variances into the forecast distribution; False gives
        the textbook plug-in distribution.
    calibrate : bool, default True
        Rescale the model's variance by the mean squared standardised error of its own
        out-of-sample forecasts within the sample (:mod:`forecast.models.gaussian`).
    imputations : int, default 20
        Number of history draws fitted and pooled when ``fit`` receives a History.
    """

    scale: Any = field(default="auto", kw_only=True)
    param_uncertainty: bool = field(default=True, kw_only=True)
    calibrate: bool = field(default=True, kw_only=True)
    imputations: int = field(default=DEFAULT_IMPUTATIONS, kw_only=True)
    min_length: ClassVar[int] = 3
    #: The unit of each estimate in ``Estimate.params`` that is not unit-free, so that
    #: ``Fit.params`` gives it in the series' own working scale: ``"level"`` (a value of
    #: the working series, such as an intercept), ``"change"`` (a difference, slope or
    #: standard deviation) or ``"variance"``. The estimator sees the series divided by its
    #: geometric mean (:mod:`forecast.models.scale`); unlisted estimates are reported as
    #: estimated, i.e. unit-free or on that normalised scale.
    param_units: ClassVar[Mapping[str, str]] = {}
    #: Years of a series that the family's likelihood does not count (1 for a likelihood
    #: of the changes), so that ``Fit.aicc`` is given on the series' own working scale:
    #: the normalised series' AICc plus ``2 (n - likelihood_lost) lambda log(m)``, the
    #: Jacobian of the reference ``m``. None (an outside family that does not say):
    #: ``Fit.aicc`` is that of the normalised series.
    likelihood_lost: ClassVar[int | None] = None
    #: True when :meth:`estimate_batch` treats its rows as unrelated series and does not
    #: read ``scale``: :func:`forecast.models.fit_many` may then estimate many series of
    #: one length in one batch. False (safe) for outside families unless they say so.
    batch_rows: ClassVar[bool] = False

    def __post_init__(self) -> None:
        for arg in ("param_uncertainty", "calibrate"):
            check_bool(arg, getattr(self, arg))
        object.__setattr__(self, "scale", scale.check_scale(self.scale))
        check_int("imputations", self.imputations, 1, 1000, "Pass e.g. imputations=20.")

    @property
    def name(self) -> str:
        """The family's name, e.g. ``"Drift"``."""
        return type(self).__name__

    def call_text(self) -> str:
        """The call that makes this spec, with the arguments that differ from the defaults.

        The HTML report's reproduction code uses it (``forecast.<call>.fit(...)``).

        Returns
        -------
        str
            E.g. ``"Drift(scale='log')"``; the library's own classes by name, others by
            module path. Spec instances among the arguments are written in full
            (``forecast.Theta()``).

        Examples
        --------
        >>> import forecast
        >>> forecast.Drift(scale="log").call_text()
        "Drift(scale='log')"
        >>> forecast.Auto(families=("Drift", forecast.Theta()), center="mean").call_text()
        "Auto(families=('Drift', forecast.Theta()), center='mean')"
        """
        args = []
        for f in dataclasses.fields(self):
            if not f.init or f.name.startswith("_"):
                continue
            value = getattr(self, f.name)
            default = (f.default if f.default is not dataclasses.MISSING else
                       f.default_factory() if f.default_factory is not dataclasses.MISSING
                       else dataclasses.MISSING)
            if default is dataclasses.MISSING or not _same(value, default):
                args.append(f"{f.name}={_argument(value)}")
        return f"{_class_path(type(self), short=True)}({', '.join(args)})"

    # ------------------------------------------------------------------ hooks
    def estimate(self, y: np.ndarray) -> Estimate:
        """Estimate the family on one series `y` (1-D, working scale); override this."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement estimate(y) or estimate_batch(Y).")

    def estimate_batch(self, Y: np.ndarray) -> list[Estimate]:
        """Estimate on each row of `Y` (B, n); the default calls :meth:`estimate` per row."""
        return [self.estimate(np.array(y)) for y in Y]

    # ------------------------------------------------------------------- fitting
    def check_length(self, series: AnnualSeries) -> None:
        """Raise ModelError when `series` is shorter than ``min_length``.

        Parameters
        ----------
        series : AnnualSeries
            The series about to be fitted.

        Examples
        --------
        >>> import forecast
        >>> forecast.Drift().check_length(forecast.AnnualSeries([2023, 2024], [1.0, 2.0]))
        Traceback (most recent call last):
        ...
        forecast.errors.ModelError: Drift needs a series of at least 3 years; got 2 \
(2023-2024). Use a longer series or Naive() (2 years; --model naive).
        """
        if len(series) < self.min_length:
            # suggest only a model that needs fewer years than this one and can be
            # fitted to the years given
            n = len(series)
            fix = ("Use a longer series or a simpler model such as Drift() (3 years; "
                   "--model drift on the command line)." if self.min_length > 3 and n >= 3
                   else "Use a longer series or Naive() (2 years; --model naive)."
                   if self.min_length > 2 and n >= 2 else
                   "Use a longer series: no model can be fitted to fewer than 2 years."
                   if self.min_length <= 2 else
                   "Use a longer series: even the simplest model, Naive, needs 2 years.")
            raise ModelError(
                f"{self.name} needs a series of at least {self.min_length} years; got "
                f"{len(series)} ({series.first_year}-{series.last_year}). {fix}"
            )

    def fit(self, data: AnnualSeries | History, *, seed: SeedLike = None) -> Fit:
        """Estimate the model on an AnnualSeries, or on History draws.

        Parameters
        ----------
        data : AnnualSeries or History
            The series. With a History the model is fitted to ``imputations`` draws of
            the whole history and the draws' forecasts are pooled as their equal-weight
            mixture (not by Rubin's rules: docs/models.md, "Pooling the draws").
        seed : int, Generator, SeedSequence or None
            Seeds the history draws (unused for an AnnualSeries). With None, fresh
            entropy is drawn and recorded in ``Fit.seed``: ``fit(history, seed=fit.seed)``
            repeats the fit.

        Returns
        -------
        Fit

        Examples
        --------
        >>> import forecast
        >>> s = forecast.AnnualSeries(range(2015, 2025), [10, 11, 12, 13, 15, 16, 18, 20, 21, 24])
        >>> forecast.Theta().fit(s).name
        'Theta'
        >>> h = forecast.History(range(2015, 2025), np.log(s.values), [0.05] * 10)
        >>> forecast.Drift(imputations=5).fit(h, seed=1).notes
        ('multiple imputation over 5 history draws (seed 1)',)
        """
        series, history = as_data(data, self.name)
        check_seed(seed)  # every path, though a series alone needs no seed
        self.check_length(series)
        ref, u = scale.normalised(series.values, series.years)
        lam = scale.resolve(self.scale, u)
        if history is None:
            ests = self.safe_estimates(scale.transform(u, lam)[None, :])
            return make_fit(self, series, ests, lam, (), ref=ref)
        draws, entropy = history_draws(history, series, self.imputations, seed)
        ests = self.safe_estimates(working_draws(draws, ref, lam, series.years))
        return make_fit(self, series, ests, lam, (
            imputation_note(len(ests), entropy),),
            seed=entropy, history=history, ref=ref)

    @single_blas_thread()
    def safe_estimates(self, Y: np.ndarray) -> list[Estimate]:
        """:meth:`estimate_batch` on `Y`, with every failure or bad result as a ModelError.

        Working-scale values above 1e100 are refused first, with the advice to use the
        log scale: the variances of such values overflow float64 (near 1e300 on the level
        scale, in numpy's arithmetic, as warnings), whatever the family. The working
        values are those of the series divided by its geometric mean, so only a series
        spanning about a hundred orders of magnitude on a near-level scale reaches them;
        no unit does. An exception raised
        inside the family's estimator becomes a ModelError naming the family and the
        failure, chained to it (``from``), with advice on what to try. A
        ForecastError raised on purpose passes unchanged, and MemoryError, warnings
        turned into errors, KeyboardInterrupt and SystemExit are never wrapped. Each
        Estimate returned is then checked and normalised
        (:func:`forecast.models._estimates.checked_estimate`).

        Parameters
        ----------
        Y : numpy.ndarray
            The series (or history draws) on the working scale, one per row, (B, n).

        Returns
        -------
        list of Estimate
            One per row of `Y`, with numeric fields as floats and arrays of floats.
        """
        hook = "estimate" if type(self).estimate_batch is ModelSpec.estimate_batch \
            else "estimate_batch"
        big = float(np.max(np.abs(Y), initial=0.0, where=np.isfinite(Y)))
        if big > _HUGE:  # its variances would overflow float64 in any family
            raise ModelError(f"{self.name} cannot be estimated on this series. "
                             f"{self._failure_advice(Y)}")
        # read-only: Auto hands the same rows to every member, so a family that changed
        # them in place would change what the next member sees (its error names it)
        Y = np.asarray(Y).view()
        Y.flags.writeable = False
        try:
            with np.errstate(all="ignore"):
                out = self.estimate_batch(Y)
                # a lone Estimate is a tuple too: listing it would give its six fields
                ests = list(out) if isinstance(out, Iterable) and not isinstance(
                    out, (Estimate, str)) else out
        except (ForecastError, MemoryError, Warning):
            # a Warning here is one a filter turned into an error (numpy's are silenced
            # above): wrapped, Auto would skip the family and hide it from that filter
            raise
        except Exception as exc:
            raise ModelError(
                f"{self.name} could not be estimated on this series ({type(exc).__name__}: "
                f"{exc}). {self._failure_advice(Y)}"
            ) from exc
        if not isinstance(ests, list) or len(ests) != Y.shape[0]:
            got = f"{len(ests)} for {Y.shape[0]} series" if isinstance(ests, list) \
                else short(ests)
            raise ModelError(
                f"{self.name}.estimate_batch must return a list of one Estimate per series "
                f"(row of Y); got {got}. Fix the family's estimator.")
        return [checked_estimate(self, e, Y, hook) for e in ests]

    def _failure_advice(self, Y: np.ndarray) -> str:
        """What to do when estimation failed on the working-scale values `Y` (B, n).

        Values too large for float64 arithmetic (squares and variances overflow) are the
        cause whatever the family, so the advice is the log scale, on which the working
        values of any float64 series stay below about 1400 (the working series is
        unit-free, so a smaller unit changes nothing); otherwise it names
        a simpler family than this one that fits a series of this length, never this
        family itself.

        Parameters
        ----------
        Y : numpy.ndarray
            The series (or history draws) on the working scale, one per row.

        Returns
        -------
        str
            One or two sentences of advice, ending in a full stop.

        Examples
        --------
        >>> import forecast
        >>> forecast.Drift()._failure_advice(np.array([[1e300, 1e300, 1e300]]))[:72]
        'The series spans too wide a range for floating-point arithmetic on its w'
        >>> forecast.Drift()._failure_advice(np.ones((1, 5)))
        'Try the simpler Naive().'
        >>> forecast.Theta()._failure_advice(np.ones((1, 5)))
        'Try a simpler model such as Drift().'
        """
        Y = np.asarray(Y, dtype=float)
        big = float(np.max(np.abs(Y), initial=0.0, where=np.isfinite(Y)))
        if big > _HUGE:
            return ("The series spans too wide a range for floating-point arithmetic on its "
                    f"working scale (up to {big:.3g} relative to its geometric mean, on a "
                    f'near-level Box-Cox scale, where variances overflow): pass scale="log", '
                    "on which any series of float64 values fits (a smaller unit changes "
                    "nothing: the models work on the series divided by its geometric mean).")
        n = Y.shape[-1] if Y.ndim else 0
        if self.name == "Naive":
            return ("Naive is the simplest model: check the series for extreme or "
                    "degenerate values.")
        if self.name == "Drift" or n < 3:
            return "Try the simpler Naive()."
        return "Try a simpler model such as Drift()."

    def with_scale(self, lam: float) -> ModelSpec:
        """This spec with a fixed working scale (used by Auto to share one scale).

        Parameters
        ----------
        lam : float
            Box-Cox lambda in [0, 1].

        Returns
        -------
        ModelSpec
            A copy with ``scale=lam`` (0 and 1 are spelled "log" and "level", so that
            equal specs compare equal).

        Examples
        --------
        >>> import forecast
        >>> forecast.Drift().with_scale(0.25).scale, forecast.Drift().with_scale(0).scale
        (0.25, 'log')
        >>> forecast.Drift(scale=0) == forecast.Drift(scale="log")
        True
        """
        return dataclasses.replace(self, scale=float(lam))


def check_seed(seed: Any, name: str = "seed") -> None:
    """Refuse what is not a seed, as ``as_seed_sequence`` does (a Generator is not drawn).

    A seed is an int >= 0, a Generator, a SeedSequence or None. ``fit(series, seed=...)``
    ignores the seed, but a seed that ``fit(history, ...)`` and ``project(...)`` refuse
    must not pass silently there either.
    """
    if seed is not None and not isinstance(seed, np.random.Generator):
        as_seed_sequence(seed, name)


def history_draws(history: Any, series: AnnualSeries, k: int, seed: Any):
    """`k` whole-history draws (k, n) and the seed that repeats them (``Fit.seed``).

    The seed is the int entropy for an int seed or none (fresh entropy), else a copy of
    the SeedSequence given (see :func:`forecast._seeds.repeatable`).
    """
    ss = as_seed_sequence(seed)
    entropy = repeatable(ss)
    draws = np.asarray(history.draws(k, seed=ss), dtype=float)
    if draws.shape != (k, len(series)) or not np.all(np.isfinite(draws)) \
            or not np.all(draws > 0):
        raise ModelError(
            f"History.draws must return positive finite levels of shape ({k}, "
            f"{len(series)}); got shape {draws.shape}.")
    return draws, entropy


def working_draws(draws: np.ndarray, ref: float, lam: float, years: Any) -> np.ndarray:
    """History draws (k, n) on the working scale of a series of reference `ref`.

    The draws share the series' reference (and lambda), so that they are pooled on one
    scale; a draw that leaves the float range on it is refused like the series itself
    (:func:`forecast.models.scale.normalised`).
    """
    with np.errstate(over="ignore", under="ignore"):
        u = draws / ref
    ok = np.isfinite(u) & (u >= scale.TINY)
    if not ok.all():
        k, j = (int(i[0]) for i in np.nonzero(~ok))
        raise ModelError(
            f"history draw {k} has {draws[k, j]:.3g} in {years[j]}, beyond the float range "
            f"around the series' geometric mean ({ref:.3g}): check the History's "
            f"uncertainty (a log sd far above 1 is not a measurement error).", field="draws")
    return scale.transform(u, lam)


def imputation_note(n: int, seed: Any) -> str:
    """The Fit note of a History fit: how many draws, and the seed that repeats them."""
    return f"multiple imputation over {n} history draws (seed {seed_source(seed)})"


def _class_path(cls: type, short: bool = False) -> str:
    """``Theta`` (short) or ``forecast.Theta`` for the library's classes; else its path."""
    if cls.__module__.split(".")[0] == "forecast":
        return cls.__name__ if short else f"forecast.{cls.__name__}"
    return f"{cls.__module__}.{cls.__qualname__}"


def _argument(value: Any) -> str:
    """An argument of :meth:`ModelSpec.call_text` as Python (specs in full, tuples of them)."""
    if isinstance(value, ModelSpec):
        text = value.call_text()
        return f"{_class_path(type(value))}{text[text.index('('):]}"
    if isinstance(value, tuple):
        inner = ", ".join(_argument(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # e.g. arrays: compared element-wise, never "equal" here
        return False
