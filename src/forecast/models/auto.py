"""``Auto``: fit several families on one working scale and combine (or select) them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._keywords import checked_init, checked_methods
from .._seeds import SeedLike
from ..errors import ForecastTypeError, ModelError, ParameterError
from . import scale
from ._args import as_data
from .arima import select_order
from .base import (
    Fit,
    ModelSpec,
    check_seed,
    history_draws,
    imputation_note,
    make_fit,
    working_draws,
)
from .families import ARIMA, FAMILIES

if TYPE_CHECKING:
    from ..history import History
    from ..series import AnnualSeries

__all__ = ["DEFAULT_FAMILIES", "Auto"]

#: families `Auto` combines by default (docs/models.md, "Auto: which families")
DEFAULT_FAMILIES = ("Drift", "LocalLinearTrend", "Theta")


@checked_methods
@checked_init
@dataclass(frozen=True)
class Auto(ModelSpec):
    """Fit every eligible family, then combine them (default) or select one by AICc.

    Parameters
    ----------
    method : {"combine", "select"}, default "combine"
        ``"combine"``: one Gaussian from the families (each family's members calibrated
        first), centred as `center` says, with bands that include the families'
        disagreement. ``"select"``: the family with the smallest AICc.
    families : tuple of str or ModelSpec, default ("Drift", "LocalLinearTrend", "Theta")
        Candidate families, by name (default: Drift, LocalLinearTrend and Theta: a
        persistent, an evolving and a halved trend; also available: Naive, DampedTrend,
        ARIMA, LogLinearTrend) or as spec instances, including outside families
        (``docs/extending.md``).
    weights : {"equal", "aicc"}, default "equal"
        Combination weights: equal or Akaike weights.
    center : {"median", "mean"}, default "median"
        Centre of a combination, year by year: the (weighted) median of the families'
        means (default; with three families, the one in the middle), or their mean.
        The covariance is the families' mean covariance plus their means' second
        moment about the centre, so either way the bands hold their disagreement; the
        median is not pulled by one family that extrapolates far from the others
        (docs/models.md, "How the forecast distribution is built").
    scale : {"auto", "log", "level"} or float, default "auto"
        Working scale of every member, keyword-only as the three below (the settings of
        every :class:`~forecast.models.base.ModelSpec`): a Box-Cox lambda in [0, 1]
        (0 = "log", 1 = "level"), or "auto" to choose it from the data.
    param_uncertainty : bool, default True
        Carry the estimation error into the forecast distribution: of the variances
        and of the members' parameters. False gives the plug-in distribution.
    calibrate : bool, default True
        Rescale each member's variance by the mean squared standardised error of its own
        out-of-sample forecasts within the sample.
    imputations : int, default 20
        History draws fitted and pooled when ``fit`` receives a History (1 to 1000).

    Notes
    -----
    One working scale is chosen for all members (``scale``), so that they can be
    pooled. The selection and the Akaike weights compare the families' AICc on it, i.e.
    of the series divided by its geometric mean (:mod:`forecast.models.scale`), so that
    they do not depend on the series' unit; ``Fit.params["aicc.<family>"]`` reports
    those values (a family's own fit reports its AICc in the series' unit, which differs
    from them on a Box-Cox scale other than the log). Families too long for the series,
    or whose estimation fails, are skipped and the reason recorded in ``Fit.notes``; a
    ModelError is raised when none remains.

    Auto's own settings (``scale``, ``param_uncertainty``, ``calibrate``,
    ``imputations``) apply to every member: the members are pooled into one distribution,
    on one working scale, from the same history draws. A member given as an instance
    with these settings at its defaults takes Auto's (``Auto(calibrate=False,
    families=(forecast.Theta(), "Drift"))`` fits an uncalibrated Theta); one that sets
    them otherwise than Auto (``forecast.Theta(calibrate=False)`` in a calibrated
    ``Auto()``) is refused with a ParameterError, rather than silently overridden: set
    the setting on Auto, where it holds for every member. The member's own arguments
    (``ARIMA(order=...)``, ``LogLinearTrend(ar1=True)``) are kept.

    Examples
    --------
    >>> import forecast
    >>> values = [10 * 1.1**i * (1 + 0.03 * (-1)**i) for i in range(14)]
    >>> s = forecast.AnnualSeries(range(2012, 2026), values)
    >>> fit = forecast.Auto().fit(s)
    >>> fit.name, [round(fit.params[f"weight.{f}"], 2) for f in forecast.Auto().families]
    ('Auto(combine)', [0.33, 0.33, 0.33])
    >>> forecast.Auto(method="select").fit(s).params["weight.Drift"]  # the smallest AICc
    1.0
    """

    method: str = "combine"
    families: tuple[Any, ...] = DEFAULT_FAMILIES
    weights: str = "equal"
    center: str = "median"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.method not in ("combine", "select"):
            raise ParameterError(
                f'`method` must be "combine" or "select"; got {self.method!r}.')
        if self.weights not in ("equal", "aicc"):
            raise ParameterError(f'`weights` must be "equal" or "aicc"; got {self.weights!r}.')
        if self.center not in ("median", "mean"):
            raise ParameterError(f'`center` must be "median" or "mean"; got {self.center!r}.')
        fix = ("Pass family names or instances, e.g. families=('Drift', 'Theta') or "
               "families=(forecast.Drift(), forecast.Theta()).")
        if isinstance(self.families, str | ModelSpec):
            fams = (self.families,)
        elif isinstance(self.families, Iterable):
            fams = tuple(self.families)
        else:  # None, a number: not a collection of families
            raise ForecastTypeError(
                f"`families` must be a family name, a ModelSpec or a sequence of them; got "
                f"{self.families!r} ({type(self.families).__name__}). {fix}",
                field="families")
        classes = [f for f in fams if isinstance(f, type) and issubclass(f, ModelSpec)]
        if classes:  # forecast.Drift instead of forecast.Drift()
            raise ForecastTypeError(
                f"`families` takes model instances or names; got the class "
                f"{classes[0].__name__}. Did you mean {classes[0].__name__}()?",
                field="families")
        if any(isinstance(f, Auto) for f in fams):
            raise ParameterError(
                "`families` cannot contain an Auto: a combination's members are single "
                "families. List its families instead, e.g. families=('Drift', 'Theta').")
        bad = [f for f in fams if not (isinstance(f, ModelSpec)
                                       or (isinstance(f, str) and f in FAMILIES))]
        if bad or not fams:
            raise ParameterError(
                f"`families` must be non-empty names among {sorted(FAMILIES)} or ModelSpec "
                f"instances; got {list(fams)!r}. {fix}", field="families")
        names = [f if isinstance(f, str) else f.name for f in fams]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:  # one weight per family name: a repeat would be pooled under one key
            raise ParameterError(
                f"`families` must name each family once; got {', '.join(twice)} more than "
                f"once in {names}. Drop the repeat: the pool keeps one weight per family "
                f"name (weight.{twice[0]}), so two members of one family would share it.",
                field="families")
        for f in fams:
            if isinstance(f, ModelSpec):
                self._check_member_settings(f)
        object.__setattr__(self, "families", fams)

    @property
    def name(self) -> str:
        """``"Auto(combine)"`` or ``"Auto(select)"``, plus the settings that differ from the
        defaults, e.g. ``"Auto(combine, center=mean)"``, so that two configurations can
        sit side by side in a backtest."""
        parts = [self.method]
        if self.families != DEFAULT_FAMILIES:
            parts.append("families=" + "+".join(f if isinstance(f, str) else f.name
                                                for f in self.families))
        if self.method == "combine":
            parts += [f"{k}={v}" for k, v, default in (("weights", self.weights, "equal"),
                                                      ("center", self.center, "median"))
                      if v != default]
        return f"Auto({', '.join(parts)})"

    @property
    def min_length(self) -> int:  # type: ignore[override]
        return min(m.min_length for m in self._members())

    def _check_member_settings(self, member: ModelSpec) -> None:
        """Refuse a member instance whose shared settings differ from its defaults and
        from Auto's: Auto would override them (see the class's Notes)."""
        for key, default in _shared_defaults(member).items():
            mine, theirs = getattr(self, key), getattr(member, key)
            if theirs in (default, mine):
                continue
            raise ParameterError(
                f"`families` member {member.call_text()} sets {key}={theirs!r}, but Auto "
                f"applies its own {key} ({key}={mine!r}) to every member: the members are "
                "pooled into one distribution, on one working scale, from the same history "
                f"draws. Set it on Auto instead (Auto({key}={theirs!r}, families=...)), where "
                f"it holds for every member, or drop {key}= from the member.",
                field="families")

    def _members(self) -> list[ModelSpec]:
        out = []
        for f in self.families:
            if isinstance(f, ModelSpec):
                # its shared settings are its defaults or Auto's (checked): take Auto's
                changes = {k: getattr(self, k) for k in _shared_defaults(f)
                           if k != "scale" and getattr(f, k) != getattr(self, k)}
                out.append(dataclasses.replace(f, **changes) if changes else f)
            else:
                out.append(FAMILIES[f](param_uncertainty=self.param_uncertainty,
                                       calibrate=self.calibrate, imputations=self.imputations))
        return out

    def fit(self, data: AnnualSeries | History, *, seed: SeedLike = None) -> Fit:
        series, history = as_data(data, self.name)
        check_seed(seed)
        self.check_length(series)
        ref, u = scale.normalised(series.values, series.years)
        lam = scale.resolve(self.scale, u)
        z = scale.transform(u, lam)
        if history is None:
            Y, entropy, notes = z[None, :], None, []
        else:
            draws, entropy = history_draws(history, series, self.imputations, seed)
            Y = working_draws(draws, ref, lam, series.years)
            notes = [imputation_note(len(Y), entropy)]
        fitted, skipped = [], []
        for member in self._members():
            try:
                fitted.append((member, self._member(member, z, lam).safe_estimates(Y)))
            except ModelError as exc:
                skipped.append(f"skipped {member.name}: {exc}")
        return self._combine(series, lam, fitted, skipped, notes, entropy, history, ref)

    def fit_group(self, group: list[Any]) -> list[Fit | ModelError]:
        """Fit each AnnualSeries of `group` (all of one length) as :meth:`fit` would.

        Each family whose ``batch_rows`` is true is estimated once for the whole group
        (one row per series, each on its own working scale); the others, and a batch
        that fails, series by series. Used by :func:`forecast.models.fit_many`.
        """
        try:
            lams, refs, Y = scale.rows(self.scale, [s.values for s in group])
        except ModelError:  # a series no float64 scale holds: each with its own message
            return [_fit_or_error(self, s) for s in group]
        fitted: list[list] = [[] for _ in group]
        skipped: list[list[str]] = [[] for _ in group]
        for member in self._members():
            batch = None
            if member.batch_rows and len(group[0]) >= member.min_length:
                try:
                    batch = member.safe_estimates(Y)
                except ModelError:
                    batch = None  # a series the batch cannot take: each on its own below
            for k in range(len(group)):
                try:
                    ests = [batch[k]] if batch is not None else \
                        self._member(member, Y[k], lams[k]).safe_estimates(Y[k:k + 1])
                    fitted[k].append((member, ests))
                except ModelError as exc:
                    skipped[k].append(f"skipped {member.name}: {exc}")
        out: list[Fit | ModelError] = []
        for k, series in enumerate(group):
            try:
                out.append(self._combine(series, lams[k], fitted[k], skipped[k], [], None,
                                         ref=refs[k]))
            except ModelError as exc:
                out.append(exc)
        return out

    @staticmethod
    def _member(member: ModelSpec, z: np.ndarray, lam: float) -> ModelSpec:
        """The member's spec on the shared scale (ModelError when the series is too short).

        `z` is the series (the median of a History) on the working scale.
        """
        if z.size < member.min_length:
            raise ModelError(f"needs {member.min_length} years, got {z.size}")
        spec = member.with_scale(lam)
        if isinstance(spec, ARIMA) and spec.order is None:  # the order chosen on the median
            spec = dataclasses.replace(spec, order=select_order(np.asarray(z)))
        return spec

    def _combine(self, series: Any, lam: float, fitted: list, skipped: list[str],
                 notes: list[str], entropy: Any, history: Any = None,
                 ref: float = 1.0) -> Fit:
        """The members' estimates pooled (or one selected) into the Fit (`history`, the
        History fitted, if any, gives ``Fit.source``; `ref`, the series' reference).

        The selection and the Akaike weights compare the members' AICc of the series
        divided by `ref`, which do not depend on the series' unit, and ``aicc.<family>``
        (and a selection's ``Fit.aicc``) report those: on a Box-Cox scale other than the
        log, the AICc of the series in its own unit differ from them by ``2 N lambda
        log(ref)``, which moves the families' differences where their likelihoods count
        different numbers ``N`` of years (``likelihood_lost``), i.e. would make the choice
        depend on the unit.
        """
        if not fitted:  # each reason carries its own advice; a short series gets this one
            short = all(" years, got " in r for r in skipped)
            raise ModelError(
                f"Auto found no family that fits this series ({len(series)} years): "
                + "; ".join(r.rstrip(".") for r in skipped) + "."
                + (" Pass a longer series or families=('Drift',)." if short else ""))
        aiccs = np.array([np.mean([e.aicc for e in ests]) for _, ests in fitted])
        w = _family_weights(aiccs, self.method, self.weights)
        keep = [i for i in range(len(fitted)) if w[i] > 0]
        ests = [e for i in keep for e in fitted[i][1]]
        comp_w = np.concatenate([np.full(len(fitted[i][1]), w[i] / len(fitted[i][1]))
                                 for i in keep])
        extra = {f"weight.{m.name}": float(w[i]) for i, (m, _) in enumerate(fitted)}
        extra.update({f"aicc.{m.name}": float(aiccs[i]) for i, (m, _) in enumerate(fitted)})
        notes = list(notes)
        if self.method == "select":
            notes.append(f"selected {fitted[keep[0]][0].name} by AICc")
        aicc = float(aiccs[keep[0]]) if self.method == "select" else float("nan")
        groups = [k for k, i in enumerate(keep) for _ in fitted[i][1]]
        return make_fit(self, series, ests, lam, (*notes, *skipped), seed=entropy,
                        weights=comp_w / comp_w.sum(), extra=extra, aicc=aicc, average=False,
                        groups=tuple(groups), history=history, ref=ref)


def _fit_or_error(spec: ModelSpec, series: Any) -> Fit | ModelError:
    try:
        return spec.fit(series)
    except ModelError as exc:
        return exc


#: the settings of every spec that Auto applies to its members (its own)
SHARED_SETTINGS = ("scale", "param_uncertainty", "calibrate", "imputations")


def _shared_defaults(member: ModelSpec) -> dict[str, Any]:
    """The defaults of `member`'s class for :data:`SHARED_SETTINGS` (an outside family
    may declare its own)."""
    fields = {f.name: f for f in dataclasses.fields(member)}
    out = {}
    for key in SHARED_SETTINGS:
        f = fields.get(key)
        if f is not None and f.default is not dataclasses.MISSING:
            out[key] = f.default
    return out


def _family_weights(aiccs: np.ndarray, method: str, weights: str) -> np.ndarray:
    """Equal, Akaike or selection (one-hot on the smallest AICc) weights."""
    finite = np.isfinite(aiccs)
    if method == "select":
        w = np.zeros(aiccs.size)
        w[int(np.argmin(np.where(finite, aiccs, np.inf)))] = 1.0
        return w
    if weights == "equal" or not finite.any():
        return np.full(aiccs.size, 1.0 / aiccs.size)
    d = np.where(finite, aiccs - np.min(aiccs[finite]), np.inf)
    w = np.exp(-0.5 * d)
    return w / w.sum()
