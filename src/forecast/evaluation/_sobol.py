"""Saltelli sampling and Sobol' index estimators in numpy (private).

Why numpy and not SALib: the estimators are a few lines of vectorised arithmetic, SALib
would be one more dependency (it pulls in matplotlib and multiprocess) for them, and
here the bootstrap reuses the same model evaluations through a multinomial weight
matrix, so confidence intervals cost one matrix product per index instead of re-running
the estimator hundreds of times.

Design (Saltelli et al. 2010, "Variance based sensitivity analysis of model output"):
two independent ``(n, d)`` matrices ``A`` and ``B`` of inputs; for each input (or group
of inputs) ``i`` the matrix ``A_B^i`` is ``A`` with the columns of ``i`` taken from
``B``. With ``V`` the output variance,

- total effect (Jansen 1999): ``V_Ti = mean((f(A) - f(A_B^i))^2) / 2``;
- first order (Saltelli 2010): ``V_i = mean(f(B) (f(A_B^i) - f(A)))``, computed on
  outputs centred by their overall mean, which removes the estimator's sensitivity to
  the output's offset.

The Jansen form of the first-order index, ``V - mean((f(B) - f(A_B^i))^2) / 2``, has a
larger variance for small indices (Saltelli et al. 2010, table 3), so the Saltelli form
is used there; both need the same ``n (d + 2)`` evaluations.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from .. import _resources
from .._seeds import as_generator, rebuild, seed_parts
from .._validation import check_int, check_level, user_stacklevel
from ..errors import ForecastTypeError, ParameterError
from ..scenarios import Distribution

__all__: list[str] = []

SOBOL_COLUMNS = [
    "output", "parameter", "kind", "first_order", "first_order_lower",
    "first_order_upper", "total", "total_lower", "total_upper", "variance",
]

_EPS = 1e-12
#: The fewest bootstrap replicates an interval is computed from (0 means no intervals).
MIN_BOOTSTRAP = 20


def as_problem(problem: object) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """Map name -> inverse CDF, from Distributions or ``(low, high)`` bounds."""
    if not isinstance(problem, Mapping) or not problem:
        raise ForecastTypeError(
            f"`problem` must be a non-empty dict of name -> Distribution or (low, high); got "
            f"{problem!r}. Pass e.g. {{'x1': (-3.14, 3.14), 'x2': Uniform(0, 1)}}."
        )
    out: dict[str, Callable[[np.ndarray], np.ndarray]] = {}
    for name, spec in problem.items():
        if isinstance(spec, Distribution):
            out[str(name)] = lambda u, d=spec: np.asarray(d.quantile(u), dtype=float)
            continue
        ok = isinstance(spec, Sequence) and not isinstance(spec, str) and len(spec) == 2
        lo, hi = (spec if ok else (None, None))
        try:
            lo, hi = float(lo), float(hi)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            ok = False
        if not ok or not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ParameterError(
                f"`problem[{name!r}]` must be a Distribution or finite bounds (low, high) "
                f"with low < high; got {spec!r}. Pass e.g. (0.0, 1.0)."
            )
        out[str(name)] = lambda u, lo=lo, hi=hi: lo + u * (hi - lo)
    return out


def base_uniforms(n: int, d: int, rng: np.random.Generator, sampling: str) -> np.ndarray:
    """``(n, 2d)`` uniforms in (0, 1): scrambled Sobol' points or plain random numbers."""
    if sampling == "random":
        u = rng.random((n, 2 * d))
    elif sampling == "sobol":
        from scipy.stats import qmc  # lazy: scipy.stats is heavy

        if n & (n - 1):  # our message, not scipy's: it names the fix
            up = 1 << (n - 1).bit_length()
            warnings.warn(f"`n` should be a power of two with Sobol' points (they are "
                          f"balanced only then); got {n}, so the indices are less accurate "
                          f"than n suggests. Pass n={up // 2} or n={up}, or sampling='random'.",
                          UserWarning, stacklevel=user_stacklevel())

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # balance warning when n is not a power of 2
            try:
                engine = qmc.Sobol(d=2 * d, scramble=True, rng=rng)
            except TypeError:  # scipy < 1.15
                engine = qmc.Sobol(d=2 * d, scramble=True, seed=rng)
            u = engine.random(n)
    else:
        raise ParameterError(
            f"`sampling` must be 'sobol' or 'random'; got {sampling!r}. Use 'sobol' "
            "(scrambled quasi-random points, more accurate) unless you need plain Monte Carlo."
        )
    return np.clip(u, _EPS, 1.0 - _EPS)


def split(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The matrices A and B of the base uniforms ``(n, 2d)``: its two halves (views)."""
    d = u.shape[1] // 2
    return u[:, :d], u[:, d:]


def swapped(a: np.ndarray, b: np.ndarray, cols: Sequence[int]) -> np.ndarray:
    """``A_B^g``: A with the columns `cols` taken from B (one ``(n, d)`` copy).

    Made one group at a time and dropped once evaluated: holding all ``d + g`` of them
    would take ``(d + g) n d`` floats, memory growing with ``d^2``.
    """
    m = a.copy()
    m[:, list(cols)] = b[:, list(cols)]
    return m


def check_rows_memory(n: int, per_row: float, what: str, fix: str) -> None:
    """Refuse a run of `n` base rows of about `per_row` bytes each that cannot fit in
    memory (ResourceError naming `n` and the largest `n` that fits), before sampling.

    Memory is linear in `n` and in the number of inputs: one swapped matrix is made at
    a time (:func:`swapped`), the outputs of all are kept.
    """
    need = n * per_row
    if need < _resources.SMALL_RUN:  # cannot be the mistake the guard is for
        return
    avail = _resources.available_memory()
    largest = int(_resources.SHARE * avail // per_row) if avail else 0
    if largest >= 16:
        pow2 = 1 << (largest.bit_length() - 1)
        fix = f"Pass n <= {largest:,} (e.g. n={pow2:,}, a power of two), {fix}"
    else:
        fix = f"No n fits (at least 16 base rows); {fix}"
    _resources.check_memory(need, f"{what} with n={n:,} base rows", fix, avail=avail)


def bootstrap_row_bytes(n_bootstrap: int) -> int:
    """Bytes per base row of the bootstrap: draws and weights (:func:`bootstrap_weights`)
    and the weight matrix with its point-estimate row (:func:`estimate`)."""
    return 8 * 2 * (n_bootstrap + 1) if n_bootstrap else 0


def check_bootstrap(n_bootstrap: object, level: float) -> int:
    """`n_bootstrap` as an int: 0 (no intervals) or enough replicates for `level`.

    The intervals are percentiles of the replicates (:func:`index_rows`): their ends are
    the ``tail = (100 - level) / 200`` and ``1 - tail`` quantiles, so that each tail holds
    at least one replicate on average, ``n_bootstrap * tail >= 1``, and never fewer than
    :data:`MIN_BOOTSTRAP`. With fewer the interval collapses towards one replicate (with
    one, it has zero width and may exclude the point estimate).

    Examples
    --------
    >>> check_bootstrap(200, 95), check_bootstrap(0, 95)
    (200, 0)
    >>> check_bootstrap(1, 95)
    Traceback (most recent call last):
    ...
    forecast.errors.ParameterError: `n_bootstrap` must be 0 (no intervals) or at least 40 \
for 95% intervals; got 1. Their ends are the 2.5% and 97.5% quantiles of the bootstrap \
replicates, so each tail needs at least one replicate on average (n_bootstrap x 0.025 >= 1); \
with fewer the interval collapses towards a single replicate. Pass e.g. n_bootstrap=200 \
(the default), or n_bootstrap=0 for no intervals.
    """
    b = check_int("n_bootstrap", n_bootstrap, 0, 10_000,
                  "Pass e.g. n_bootstrap=200, or n_bootstrap=0 for no intervals.")
    tail = (100.0 - level) / 200.0
    need = max(MIN_BOOTSTRAP, math.ceil(1.0 / tail - 1e-9))
    if 0 < b < need:
        fix = (f"Pass e.g. n_bootstrap={max(need, 200)}" + (" (the default)" if need <= 200
                                                            else "")
               + ", or n_bootstrap=0 for no intervals." if need <= 10_000 else
               "Pass a lower `level` (at most 10,000 replicates are drawn), or "
               "n_bootstrap=0 for no intervals.")
        raise ParameterError(
            f"`n_bootstrap` must be 0 (no intervals) or at least {need} for {level:g}% "
            f"intervals; got {b}. Their ends are the {100 * tail:g}% and {100 - 100 * tail:g}% "
            f"quantiles of the bootstrap replicates, so each tail needs at least one replicate "
            f"on average (n_bootstrap x {tail:g} >= 1)"
            + (f", and at least {MIN_BOOTSTRAP} in all" if need == MIN_BOOTSTRAP else "")
            + f"; with fewer the interval collapses towards a single replicate. {fix}",
            field="n_bootstrap")
    return b


def bootstrap_weights(n: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """``(n_boot, n)`` resampling counts divided by n (each row sums to 1)."""
    idx = rng.integers(0, n, size=(n_boot, n))
    w = np.empty((n_boot, n))
    for r in range(n_boot):  # row by row: no (n_boot * n) index arrays besides `idx`
        w[r] = np.bincount(idx[r], minlength=n)
    w /= n
    return w


def estimate(
    f_a: np.ndarray,
    f_b: np.ndarray,
    f_ab: Sequence[np.ndarray],
    weights: np.ndarray,
) -> dict[str, np.ndarray]:
    """Point estimates and bootstrap replicates of first-order and total indices.

    Parameters are ``(n, k)`` output arrays (k outputs). Returns arrays shaped
    ``(g, k)`` for the estimates and ``(B, g, k)`` for the replicates, plus the
    variance ``(k,)``. Weights of ``1/n`` each give the point estimate, so both use
    one code path: every estimator is a weighted mean of per-row terms.
    """
    n = f_a.shape[0]
    center = 0.5 * (f_a.mean(axis=0) + f_b.mean(axis=0))
    fa, fb = f_a - center, f_b - center
    w_all = np.vstack([np.full((1, n), 1.0 / n), weights])  # row 0: point estimate
    m1 = w_all @ (0.5 * (fa + fb))
    m2 = w_all @ (0.5 * (fa * fa + fb * fb))
    var = m2 - m1 * m1  # (B+1, k)
    safe = np.where(var > 0, var, np.nan)
    first, total = [], []
    for fab in f_ab:
        fab = fab - center
        first.append((w_all @ (fb * (fab - fa))) / safe)
        total.append((w_all @ (0.5 * (fa - fab) ** 2)) / safe)
    s1 = np.stack(first, axis=1)  # (B+1, g, k)
    st = np.stack(total, axis=1)
    return {"S1": s1[0], "ST": st[0], "S1_boot": s1[1:], "ST_boot": st[1:], "variance": var[0]}


def warn_constant(variance: np.ndarray, outputs: Sequence[object], what: str) -> None:
    """One warning naming the outputs that do not vary (their indices are NaN)."""
    flat = [str(o) for o, v in zip(outputs, variance, strict=True) if not v > 0]
    if flat:
        warnings.warn(f"{what} {', '.join(flat)} does not vary over the sample (variance 0), "
                      "so its Sobol' indices are NaN: nothing there to apportion. Drop it, "
                      "or check that the inputs reach it.", UserWarning,
                      stacklevel=user_stacklevel())


def index_rows(est: Mapping[str, np.ndarray], labels: Sequence[tuple[str, str]],
               outputs: Sequence[object], level: float) -> list[dict[str, object]]:
    """One row per (input or group, output): the indices and their bootstrap intervals.

    Keys: ``output, parameter, kind, first_order, first_order_lower, first_order_upper,
    total, total_lower, total_upper, variance``; rows are grouped by input, outputs in order.
    """
    tail = (100.0 - level) / 200.0
    rows = []
    for gi, (label, kind) in enumerate(labels):
        for j, out in enumerate(outputs):
            row: dict[str, object] = {"output": out, "parameter": label, "kind": kind}
            for key, col in (("S1", "first_order"), ("ST", "total")):
                reps = est[f"{key}_boot"][:, gi, j]
                reps = reps[np.isfinite(reps)]
                lo, hi = (np.quantile(reps, [tail, 1 - tail]) if reps.size else (np.nan, np.nan))
                row[col] = float(est[key][gi, j])
                row[f"{col}_lower"], row[f"{col}_upper"] = float(lo), float(hi)
            row["variance"] = float(est["variance"][j])
            rows.append(row)
    return rows


def _groups(groups: Mapping[str, Sequence[str]] | None, names: list[str]
            ) -> tuple[list[list[int]], list[tuple[str, str]]]:
    """Column groups and labels: each input alone, then each named group."""
    col_groups: list[list[int]] = [[i] for i in range(len(names))]
    labels = [(nm, "parameter") for nm in names]
    if groups is not None and not isinstance(groups, Mapping):
        raise ForecastTypeError(f"`groups` must be a dict of group name -> list of input "
                                f"names; got {groups!r}. Pass e.g. {{'g': {names[:2]}}}.",
                                field="groups")
    for gname, members in (groups or {}).items():
        if isinstance(members, str) or not isinstance(members, Sequence):
            raise ForecastTypeError(f"group {gname!r} must list input names; got {members!r}."
                                    f" Pass a list, e.g. {{{gname!r}: [{members!r}]}}.",
                                    field="groups")
        bad = [m for m in members if m not in names]
        if bad or not members:
            raise ParameterError(
                f"group {gname!r} must list parameters of `problem`; got unknown {bad!r} "
                f"(known: {names}). Fix the group's members."
            )
        col_groups.append([names.index(m) for m in members])
        labels.append((str(gname), "group"))
    return col_groups, labels


def _evaluate(func: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """``func(x)`` as an ``(N, k)`` array of finite values, or a clear error."""
    try:
        y = np.asarray(func(x), dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParameterError(
            f"`func` must map an (N, {x.shape[1]}) array of inputs to N outputs; it raised "
            f"{type(exc).__name__}: {exc}"
        ) from None
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2 or y.shape[0] != x.shape[0]:
        raise ParameterError(
            f"`func` must return shape (N,) or (N, k) for N={x.shape[0]} input rows; got "
            f"{y.shape}. Vectorise it over the rows of its argument."
        )
    if not np.all(np.isfinite(y)):
        raise ParameterError("`func` returned NaN or infinite values; Sobol' indices need finite "
                             "outputs. Check the function over the whole input ranges.")
    return y


def run(
    func: Callable[[np.ndarray], np.ndarray],
    problem: object,
    n: int,
    seed: object,
    *,
    groups: Mapping[str, Sequence[str]] | None = None,
    outputs: Sequence[object] | None = None,
    n_bootstrap: int = 200,
    level: float = 95,
    sampling: str = "sobol",
) -> pd.DataFrame:
    """Shared engine of :func:`forecast.evaluation.sobol_indices`."""
    inv = as_problem(problem)
    names = list(inv)
    n = check_int("n", n, 16, 2**22, "Pass e.g. n=1024 (a power of two suits Sobol' points).")
    lv = check_level("level", level)
    n_bootstrap = check_bootstrap(n_bootstrap, lv)
    if isinstance(seed, np.random.SeedSequence):
        # a copy: scipy's scrambled Sobol' engine spawns from the generator's SeedSequence,
        # which must not be the caller's (SPEC 7: a SeedSequence passed in is not advanced)
        seed = rebuild(*seed_parts(seed))
    rng = as_generator(seed)
    col_groups, labels = _groups(groups, names)
    d = len(names)
    # A and B, one swapped matrix and its inputs, the outputs (one per row, as most
    # functions return), the bootstrap
    check_rows_memory(n, 8 * (5 * d + len(col_groups) + 2) + bootstrap_row_bytes(n_bootstrap),
                      f"sobol_indices of {d} inputs", "or n_bootstrap=0 (no intervals)")
    u = base_uniforms(n, d, rng, sampling)
    # A's and B's inputs, mapped through the inverse CDFs once: a swapped input is A's
    # with the group's columns from B's (the same values, element by element)
    x_a, x_b = (np.column_stack([inv[nm](m[:, j]) for j, nm in enumerate(names)])
                for m in split(u))
    k = None

    def outputs_of(x: np.ndarray) -> np.ndarray:
        # one matrix at a time: func sees (n, d) rows, never all n (d + 2 + g) at once
        nonlocal k
        y = _evaluate(func, x)
        if k is not None and y.shape[1] != k:
            raise ParameterError(f"`func` must return the same number of outputs for every "
                                 f"input; got {k} and then {y.shape[1]}.")
        k = y.shape[1]
        return y

    f_a, f_b = outputs_of(x_a), outputs_of(x_b)
    if outputs is None:
        outputs = list(range(k))
    if len(outputs) != k:
        raise ParameterError(f"`outputs` must label the {k} outputs; got {len(outputs)} labels.")
    f_ab = [outputs_of(swapped(x_a, x_b, cols)) for cols in col_groups]
    w = bootstrap_weights(n, n_bootstrap, rng) if n_bootstrap else np.zeros((0, n))
    est = estimate(f_a, f_b, f_ab, w)
    warn_constant(est["variance"], outputs, "output")
    return pd.DataFrame(index_rows(est, labels, outputs, lv), columns=SOBOL_COLUMNS)
