"""Auto: fit every eligible family, then combine them (a linear pool) or select one by AICc.

Also the combination weights (equal or Akaike) and the pooling of the members' fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import as_seed_sequence
from ..errors import ModelError, ParameterError
from ._args import as_data
from .base import _TOKEN, Fit, _Spec
from .families import ARIMA, DampedTrend, Drift, LocalLinearTrend, LogLinearTrend, Naive, Theta

__all__ = ["DEFAULT_FAMILIES", "Auto"]

#: families `Auto` uses by default: the candidate set that met the synthetic calibration
#: target with the best backtest on the US series (docs/models.md, "Auto: which families")
DEFAULT_FAMILIES = ("DampedTrend", "LocalLinearTrend", "Theta")
_FAMILIES = {"Naive": Naive, "Drift": Drift, "LogLinearTrend": LogLinearTrend,
             "DampedTrend": DampedTrend, "ARIMA": ARIMA, "LocalLinearTrend": LocalLinearTrend,
             "Theta": Theta}


@dataclass(frozen=True)
class Auto(_Spec):
    """Fit every eligible family, then combine them (default) or select one by AICc.

    Parameters
    ----------
    method : {"combine", "select"}
        ``"combine"``: a linear pool of the families' forecast distributions (each path
        follows one family, drawn with the combination weights); the point forecast is
        the weighted mean of the families' point forecasts, as in M4's combinations.
        ``"select"``: the family with the smallest AICc.
    families : tuple of str
        Candidate families, by name (default: DampedTrend, LocalLinearTrend, Theta;
        also available: Drift, ARIMA, LogLinearTrend).
    weights : {"equal", "aicc"}
        Combination weights: equal (default) or Akaike weights.

    Notes
    -----
    Families too long for the series, or whose estimation fails, are skipped and the
    reason recorded in ``Fit.notes``; a ModelError is raised when none remains.
    """

    method: str = "combine"
    families: tuple[str, ...] = DEFAULT_FAMILIES
    weights: str = "equal"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.method not in ("combine", "select"):
            raise ParameterError(
                f'`method` must be "combine" or "select"; got {self.method!r}.')
        if self.weights not in ("equal", "aicc"):
            raise ParameterError(f'`weights` must be "equal" or "aicc"; got {self.weights!r}.')
        fams = (self.families,) if isinstance(self.families, str) else tuple(self.families)
        bad = [f for f in fams if f not in _FAMILIES]
        if bad or not fams:
            raise ParameterError(
                f"`families` must be non-empty names among {sorted(_FAMILIES)}; got "
                f"{list(self.families)!r}.")
        object.__setattr__(self, "families", fams)

    @property
    def name(self) -> str:
        return f"Auto({self.method})"

    @property
    def min_length(self) -> int:  # type: ignore[override]
        return min(self._member(f).min_length for f in self.families)

    def _member(self, family: str) -> _Spec:
        return _FAMILIES[family](param_uncertainty=self.param_uncertainty,
                                 imputations=self.imputations)

    def fit(self, data: Any, *, seed: Any = None) -> Fit:
        series, _ = as_data(data, self.name)
        self._check_length(series)
        ss = as_seed_sequence(seed)  # every member sees the same history draws
        fits, notes = [], []
        for fname in self.families:
            member = self._member(fname)
            if len(series) < member.min_length:
                notes.append(f"skipped {fname}: needs {member.min_length} years, "
                             f"got {len(series)}")
                continue
            try:
                fits.append(member.fit(data, seed=np.random.SeedSequence(
                    ss.entropy, spawn_key=ss.spawn_key)))
            except ModelError as exc:
                notes.append(f"skipped {fname}: {exc}")
        if not fits:
            raise ModelError(
                f"Auto found no family that fits this series ({len(series)} years): "
                + "; ".join(notes) + ". Pass a longer series or families=('Drift',).")
        comps, cw, params, res, aicc, more = pool_fits(fits, self.method, self.weights)
        return Fit(self, series, params, aicc, res, (*notes, *more), comps, cw, _TOKEN)


def combination_weights(aiccs: np.ndarray, weights: str) -> np.ndarray:
    """Equal weights, or Akaike weights exp(-d/2) from AICc differences d."""
    if weights == "equal":
        return np.full(aiccs.size, 1.0 / aiccs.size)
    finite = np.isfinite(aiccs)
    if not finite.any():
        return np.full(aiccs.size, 1.0 / aiccs.size)
    d = np.where(finite, aiccs - np.min(aiccs[finite]), np.inf)
    w = np.exp(-0.5 * d)
    return w / w.sum()


def pool_fits(fits: list, method: str, weights: str):
    """Members, weights, params, residuals, AICc and notes of an Auto fit.

    ``select`` keeps the member with the smallest AICc; ``combine`` weights every
    member (equal or Akaike weights); a member's own members (history imputations)
    share its weight equally.
    """
    aiccs = np.array([f.aicc for f in fits])
    notes = []
    if method == "select":
        best = int(np.argmin(np.where(np.isfinite(aiccs), aiccs, np.inf)))
        w = np.zeros(len(fits))
        w[best] = 1.0
        notes.append(f"selected {fits[best].name} by AICc")
    else:
        w = combination_weights(aiccs, weights)
    keep = [i for i in range(len(fits)) if w[i] > 0]
    comps = tuple(c for i in keep for c in fits[i].components)
    cw = np.concatenate([w[i] * np.asarray(fits[i].weights) for i in keep])
    params = {f"weight.{f.name}": float(w[i]) for i, f in enumerate(fits)}
    params.update({f"aicc.{f.name}": float(f.aicc) for f in fits})
    n_res = min(fits[i].residuals.size for i in keep)
    res = sum(w[i] * fits[i].residuals[-n_res:] for i in keep)
    aicc = float(fits[keep[0]].aicc) if method == "select" else float("nan")
    for i in keep:
        notes.extend(f"{fits[i].name}: {n}" for n in fits[i].notes)
    return comps, cw / cw.sum(), params, res, aicc, notes
