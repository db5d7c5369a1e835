"""The check of what a family's estimator returns: every Estimate field, once.

:meth:`forecast.models.base.ModelSpec.safe_estimates` calls :func:`checked_estimate` on
each Estimate, so a user's family (docs/extending.md) that returns a malformed one gets a
ModelError naming the field, the value and what to return, not a numpy error later.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import ModelError
from .linear import Estimate, Linear

__all__ = ["checked_estimate", "short"]


def checked_estimate(spec: Any, e: Any, Y: np.ndarray, hook: str) -> Estimate:
    """`e` with its fields normalised, or a ModelError naming the field that is wrong.

    `spec` is the family whose `hook` (``"estimate"`` or ``"estimate_batch"``) returned
    `e` for the rows `Y` (B, n) on the working scale.

    Sequences are accepted where arrays are documented (a tuple or list of numbers
    for ``residuals``). Non-finite values in ``rep`` or ``residuals`` are a failure
    of the estimation on this data, reported with :meth:`_failure_advice`; anything
    else malformed is a fault of the estimator, reported with what to return
    instead. Non-finite ``calib`` sums are kept: :func:`gaussian.calibration`
    ignores them.
    """
    def bad(name: str, got: str, must: str, fix: str) -> ModelError:
        return ModelError(f"`{name}` of the Estimate from {spec.name}.{hook} must be "
                          f"{must}; got {got}. {fix}", field=name)

    if not isinstance(e, Estimate):
        raise ModelError(
            f"{spec.name}.{hook} must return a forecast.models.Estimate; got "
            f"{short(e)}. Return Estimate(rep, params, aicc, residuals, dof, calib) "
            f"(docs/extending.md).")
    rep = e.rep
    if not isinstance(rep, Linear):
        raise bad("rep", short(rep),
                  "a forecast.models.Linear, the fitted state-space form at the origin",
                  "Build it with Linear(Z, T, Rf, cf, a, P), or "
                  "Linear.random_walk(last, sigma, drift, drift_sd).")
    m, r = rep.Z.size, rep.cf.size
    shapes = {"Z": (m,), "T": (m, m), "Rf": (m, r), "cf": (r,), "a": (m,), "P": (m, m)}
    if any(getattr(rep, k).shape != v for k, v in shapes.items()):
        raise bad("rep", ", ".join(f"{k} {getattr(rep, k).shape}" for k in shapes),
                  "a Linear of matching shapes: Z (m,), T (m, m), Rf (m, r), cf (r,), "
                  "a (m,), P (m, m) for m states and r shocks",
                  "Give each matrix the shape its state and shock counts imply.")
    if not rep.is_finite():
        raise ModelError(f"{spec.name} produced non-finite estimates on this series. "
                         f"{spec._failure_advice(Y)}", field="rep")
    params = e.params
    if not isinstance(params, Mapping):
        raise bad("params", short(params), "a dict of str to float",
                  "Return the estimates by name, e.g. {'drift': 0.05, 'sigma': 0.1}, "
                  "or {} for none.")
    for k, v in params.items():
        if not isinstance(k, str) or not _real(v):
            raise bad(f"params[{k!r}]", short(v), "a float under a str name",
                      "Return each estimate as a number, e.g. float(sigma).")
    if not _real(e.aicc):
        raise bad("aicc", short(e.aicc), "a float",
                  "Pass a number, or leave the default (NaN: the family has no "
                  "likelihood).")
    n = Y.shape[1]
    res = _real_array(e.residuals)
    if res is None or res.ndim != 1 or res.size > n:
        raise bad("residuals", short(e.residuals), f"a 1-D array of at most {n} numbers "
                  "(the one-step in-sample errors on the working scale)",
                  "Pass e.g. residuals=np.diff(y) - drift, or leave the default (none).")
    if not np.isfinite(res).all():
        raise ModelError(
            f"{spec.name} produced non-finite estimates on this series (`residuals`: "
            f"{short(res)}). {spec._failure_advice(Y)}", field="residuals")
    if not _real(e.dof) or e.dof != e.dof:
        raise bad("dof", short(e.dof), "a number: observations minus estimated "
                  "parameters (inf for no estimated variance)",
                  "Pass e.g. dof=len(y) - 2, or leave the default inf.")
    calib = e.calib
    if calib is not None:
        pair = _pair(calib)
        if pair is None or any(c is None or c.ndim != 1 for c in pair) \
                or pair[0].shape != pair[1].shape \
                or not (np.isfinite(pair[1]).all() and (pair[1] >= 0).all()):
            raise bad("calib", short(calib), "None or a pair (sums, counts) of 1-D "
                      "arrays of one length, with counts finite and >= 0",
                      "Pass per horizon the sum of squared standardised errors and "
                      "their number, or None (the model is not calibrated).")
        calib = pair
    return Estimate(rep, {k: float(v) for k, v in params.items()}, float(e.aicc), res,
                    float(e.dof), calib)


def short(value: Any) -> str:
    """`value` for an error message: its repr on one line cut to 60 characters, its type."""
    text = " ".join(repr(value).split())  # a 2-D array's repr spans lines
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _real(value: Any) -> bool:
    """True for a real number (a Python or numpy int or float; not a bool)."""
    return type(value) is float or (isinstance(value, numbers.Real)
                                    and not isinstance(value, bool | np.bool_))


def _real_array(value: Any) -> np.ndarray | None:
    """`value` as an array of floats when it holds real numbers (of any shape), else None."""
    if type(value) is np.ndarray and value.dtype == np.float64:  # the built-ins' arrays
        return value
    if isinstance(value, str | bytes | Mapping):
        return None
    try:
        a = np.asarray(value)
    except (ValueError, TypeError):  # ragged nested sequences
        return None
    return np.asarray(a, dtype=float) if a.dtype.kind in "iuf" else None


def _pair(value: Any) -> tuple[np.ndarray | None, np.ndarray | None] | None:
    """Two arrays from a tuple or list of two, or a (2, H) array (see :func:`_real_array`)."""
    two = isinstance(value, tuple | list) or (isinstance(value, np.ndarray) and value.ndim == 2)
    return (_real_array(value[0]), _real_array(value[1])) if two and len(value) == 2 else None
