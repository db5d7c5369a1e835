"""Statistics of sample arrays behind the Projection methods (private).

Quantiles: ``np.quantile(samples, q, axis=1)`` copies the whole (scenarios, paths, years)
array and then partitions strided columns. Here each scenario's years are transposed in
blocks into a contiguous copy that is partitioned in place (``overwrite_input=True``): the
transient copy is at most ``max(budget, COPY_FLOOR)`` bytes (or one year column), where
the budget is a quarter of the array summarised, or of the stored samples when one
scenario is summarised; the results are identical to ``np.quantile``.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._validation import (
    band_probs,
    check_extra_quantiles,
    check_levels,
    check_unique,
    level_label,
    readonly,
)
from ..errors import ForecastTypeError, ParameterError
from ..history.history import parse_series_name
from ..series import AnnualSeries

#: Bytes a quantile copy may always take: below it, copying a whole scenario at once (one
#: pass over memory) beats strided blocks, and the transient memory does not matter.
COPY_FLOOR = 16 * 2**20


def column_quantiles(x: np.ndarray, probs: Any, budget: int | None = None) -> np.ndarray:
    """Quantiles over axis -2 of `x` (..., n, h): returns shape (n_probs, ..., h).

    `budget` bounds the transient copy in bytes (default a quarter of `x`); it is raised to
    ``COPY_FLOOR``, and a copy always holds at least one year column.
    """
    probs = np.asarray(probs, dtype=float)
    lead, (n, h) = x.shape[:-2], x.shape[-2:]
    flat = x.reshape(-1, n, h)
    out = np.empty((probs.size, flat.shape[0], h))
    budget = max(x.size * x.itemsize // 4 if budget is None else budget, COPY_FLOOR)
    block = min(h, max(1, budget // max(1, n * x.itemsize)))  # years per copy
    for k in range(flat.shape[0]):
        for j in range(0, h, block):
            part = np.array(flat[k, :, j:j + block].T, order="C")  # (years, n): own copy
            out[:, k, j:j + block] = np.quantile(part, probs, axis=1, overwrite_input=True)
            del part  # free the block before the next one is copied
    return out.reshape((probs.size, *lead, h))


def summary_row(x: np.ndarray, levels: Sequence[float]) -> dict[str, float]:
    """mean, median, lower_<level>, upper_<level> of the 1-d sample `x`."""
    probs = [0.5] + [p for lv in levels for p in band_probs(lv)]
    qs = np.quantile(x, probs)
    row = {"mean": float(x.mean()), "median": float(qs[0])}
    for k, lv in enumerate(levels):
        lab = level_label(lv)
        row[f"lower_{lab}"], row[f"upper_{lab}"] = float(qs[1 + 2 * k]), float(qs[2 + 2 * k])
    return row


def mixture_counts(probabilities: Sequence[float], names: Sequence[str],
                   n: int) -> np.ndarray:
    """Paths each scenario gives a mixture of `n`: ``round(p_s * n)`` by largest
    remainders, ties going to the scenarios in the order of their `names`; they sum to n.

    Examples
    --------
    >>> mixture_counts([0.5, 0.25, 0.25], ["c", "a", "b"], 10).tolist()
    [5, 3, 2]
    """
    p = np.asarray(probabilities, dtype=float)
    rank = np.argsort(np.asarray(names, dtype=object), kind="stable")
    counts = np.floor(p * n).astype(int)
    remainder = (p * n - counts)[rank]
    counts[rank[np.argsort(-remainder, kind="stable")[: n - counts.sum()]]] += 1
    return counts


def mixture_samples(samples: np.ndarray, probabilities: Sequence[float],
                    names: Sequence[str]):
    """Pool ``round(p_s * n)`` consecutive paths of each scenario (largest remainders).

    The blocks of path numbers (and ties between remainders) go to the scenarios in the
    order of their `names`, so the pool does not depend on the order the scenarios were
    listed in (each scenario's own paths do not either). `samples` is (S, n, ...): a path
    is everything after its number (its years; a market projection's parts and years), so
    the pool, (1, n, ...), moves whole paths.
    """
    n = samples.shape[1]
    counts = mixture_counts(probabilities, names, n)
    rank = np.argsort(np.asarray(names, dtype=object), kind="stable")
    pooled = np.empty((1, *samples.shape[1:]))
    lo = 0
    for s in rank:
        k = counts[s]
        pooled[0, lo:lo + k] = samples[s, lo:lo + k]
        lo += k
    return pooled, counts


def first_year_frame(p: Any, idx: Sequence[int], value: float) -> pd.DataFrame:
    """Distribution of the first year each path reaches `value` (see year_reaching)."""
    frames = []
    for i in idx:
        reached = p.samples[i] >= value
        ever = reached.any(axis=1)
        share = np.bincount(reached.argmax(axis=1)[ever], minlength=p.horizon) / p.n_paths
        frames.append(pd.DataFrame({
            "scenario": p.scenario_names[i],
            "first_year": pd.array([*p.years.tolist(), None], dtype="Int64"),
            "share": [*share, 1.0 - ever.mean()],
            "cumulative": [*np.cumsum(share), 1.0],
        }))
    return pd.concat(frames, ignore_index=True)


#: market code (forecast.records) -> IAMC region name; a sum such as "US+HK" joins names
IAMC_REGIONS = {
    "US": "United States", "ALL": "World", "HK": "Hong Kong", "EU": "European Union",
    "JP": "Japan", "KR": "South Korea", "SG": "Singapore", "RCEP": "RCEP",
    "BRI": "Belt and Road countries", "ROW": "Rest of the World",
}
#: flow -> IAMC variable (China is the supplier; the region is the client market)
IAMC_VARIABLES = {
    "offshore_execution": "Service Outsourcing|Offshore Execution|China",
    "offshore_contract": "Service Outsourcing|Offshore Contract|China",
    "so_execution": "Service Outsourcing|Execution|China",
    "so_contract": "Service Outsourcing|Contract|China",
}


def iamc_labels(series: AnnualSeries, region: str | None, variable: str | None,
                caller: str = "to_iamc") -> tuple[str, str]:
    """IAMC region and variable of a projected series: given, or read from its name.

    A series from :func:`forecast.reconstruct` is named ``"<market> <flow>[ (<segment>)]"``
    (:func:`forecast.history.history.series_name`): the market gives the region
    (:data:`IAMC_REGIONS`; an unknown code stays as it is), the flow the variable
    (:data:`IAMC_VARIABLES`, with ``|<segment>`` appended for a segment). A series named by
    a known market code alone (``"HK"``, ``"US+EU"``) gives the region only.

    Raises
    ------
    ParameterError
        When a label is not given and the name does not tell it, rather than labelling,
        say, a Hong Kong series "United States".
    """
    for arg, value in (("region", region), ("variable", variable)):
        check_label(arg, value, caller)
    parsed = parse_series_name(series.name)
    bare = series.name if set(series.name.split("+")) <= set(IAMC_REGIONS) else None
    market = parsed[0] if parsed else bare
    if region is None and market is not None:
        region = "+".join(IAMC_REGIONS.get(m, m) for m in market.split("+"))
    if variable is None and parsed is not None:
        variable = IAMC_VARIABLES[parsed[1]] + ("" if parsed[2] == "all" else f"|{parsed[2]}")
    missing = [k for k, v in (("region", region), ("variable", variable)) if v is None]
    if missing:
        raise ParameterError(
            f"{caller} needs {' and '.join(f'`{m}`' for m in missing)} for a series named "
            f"{series.name!r}, which does not say which market and flow it measures; pass "
            "e.g. region=\"United States\", variable=\"Service Outsourcing|Offshore "
            "Execution|China\", or fit the model on forecast.reconstruct(market=...).",
            field=missing[0])
    return str(region), str(variable)


_LABEL_EXAMPLES = {"model": 'model="Drift"', "region": 'region="United States"',
                   "variable": 'variable="Service Outsourcing|Offshore Execution|China"',
                   "unit": 'unit="billion USD/yr"'}


def check_label(arg: str, value: object, caller: str = "to_iamc") -> None:
    """An IAMC label (model, region, variable, unit): a non-empty str, or None (default).

    Examples
    --------
    >>> check_label("region", 5)
    Traceback (most recent call last):
    ...
    forecast.errors.ForecastTypeError: `region` must be a str or None; got 5 (int). \
Pass e.g. region="United States", or leave it out for to_iamc's default.
    """
    if value is None:
        return
    fix = f"Pass e.g. {_LABEL_EXAMPLES[arg]}, or leave it out for {caller}'s default."
    if not isinstance(value, str):
        raise ForecastTypeError(f"`{arg}` must be a str or None; got {value!r} "
                                f"({type(value).__name__}). {fix}", field=arg)
    if not value.strip():
        raise ParameterError(f"`{arg}` must be a non-empty str or None; got {value!r}. {fix}",
                             field=arg)


def quantile_labels(name: str, q: Any) -> list[str]:
    """The label ``f"p{100 * q:g}"`` of each quantile; two quantiles sharing one are refused.

    Wide tables (:meth:`Projection.to_wide`, :meth:`Projection.to_iamc`) name a column or a
    variable by it, so a repeated quantile would repeat (or silently overwrite) one.

    Examples
    --------
    >>> quantile_labels("quantiles", [0.05, 0.95])
    ['p5', 'p95']
    >>> quantile_labels("quantiles", [0.05, 0.05])
    Traceback (most recent call last):
    ...
    forecast.errors.ParameterError: the quantiles in `quantiles` (named p<100 q>) must be \
unique; got 'p5' 2 times. Pass each quantile once; got [0.05, 0.05].
    """
    probs = np.asarray(q, dtype=float).tolist()
    labels = [f"p{100 * p:g}" for p in probs]
    check_unique(labels, f"the quantiles in `{name}` (named p<100 q>)",
                 f"Pass each quantile once; got {probs!r}.", field=name)
    for p, label in zip(probs, labels, strict=True):
        # as levels (forecast._validation.check_level_labels): a column p10 holds the 0.1
        # quantile, never the 0.1000001 one; the tolerance only absorbs 100 * q's rounding
        named = float(label[1:])
        if not math.isclose(named, 100 * p, rel_tol=1e-9, abs_tol=1e-12):
            raise ParameterError(
                f"`{name}`: {p!r} would be named {label}, which is the {named / 100:g} "
                "quantile (names keep 6 significant digits of the percentage). Pass the "
                f"quantile with at most 6 significant digits of its percentage, e.g. "
                f"{named / 100:g}.", field=name)
    return labels


#: IAMC words of the scales a unit code ``<CUR>_<scale>`` may carry
IAMC_SCALES = {"1e3": "thousand", "k": "thousand", "1e6": "million", "mn": "million",
               "m": "million", "1e8": "100 million", "1e9": "billion", "bn": "billion",
               "1e12": "trillion", "tn": "trillion"}
_UNIT_CODE = re.compile(r"^([A-Z]{3})_([0-9a-z]+)$")


def iamc_unit(code: str, fix: str) -> str:
    """The IAMC unit of a unit code: ``"USD_bn"`` -> ``"billion USD/yr"``.

    Every code ``<CUR>_<scale>`` (a three-letter currency, a scale of
    :data:`IAMC_SCALES`) maps the same way (``"EUR_mn"`` -> ``"million EUR/yr"``,
    ``"CNY_1e8"`` -> ``"100 million CNY/yr"``), ``"pct"`` to ``"%"``; a code of that
    shape with another scale is a ParameterError ending with `fix`, never passed on as
    an IAMC unit. Any other unit (already in words, such as ``"billion USD/yr"``) is
    kept as it is.

    Examples
    --------
    >>> iamc_unit("EUR_mn", "")
    'million EUR/yr'
    """
    if code == "pct":
        return "%"
    found = _UNIT_CODE.match(code)
    if found is None:
        return code
    currency, scale = found.groups()
    if scale not in IAMC_SCALES:
        raise ParameterError(
            f"`unit`: the unit code {code!r} has no IAMC name (its scale {scale!r} is none "
            f"of {', '.join(IAMC_SCALES)}). {fix}".rstrip(), field="unit")
    return f"{IAMC_SCALES[scale]} {currency}/yr"


def iamc_quantiles(name: str, quantiles: Any) -> np.ndarray:
    """The extra quantiles of an IAMC table: each once, without the median.

    The median is the table's own row (``variable`` itself), so 0.5 among the extras is
    left out rather than repeated as a ``|p50`` row; a quantile given twice counts once,
    as everywhere else, and two that share a row name (``p<100 q>``) are a ParameterError.
    """
    extra = check_extra_quantiles(name, quantiles)
    quantile_labels(name, extra)
    return extra[extra != 0.5]


def iamc_frame(p: Any, model: str, region: str, variable: str, unit: str,
               extra: np.ndarray) -> pd.DataFrame:
    """IAMC wide rows: the median per scenario, then one row per extra quantile."""
    probs = np.concatenate([[0.5], extra])
    names = [variable] + [f"{variable}|{lab}" for lab in quantile_labels("quantiles", extra)]
    vals = column_quantiles(p.samples, probs)  # (nq, S, h)
    rows = []
    for k, var in enumerate(names):
        for s, name in enumerate(p.scenario_names):
            meta = {"model": model, "scenario": name, "region": region, "variable": var,
                    "unit": unit}
            rows.append({**meta, **dict(zip(p.years.tolist(), vals[k, s], strict=True))})
    return pd.DataFrame(rows)


def year_index(p: Any, year: object, arg: str = "year") -> int:
    """Column of a projected `year`, or a clear error."""
    if isinstance(year, numbers.Real) and not isinstance(year, bool | numbers.Integral) \
            and float(year).is_integer():
        year = int(year)  # 2030.0, as check_int takes it for `to` and the other years
    if isinstance(year, bool) or not isinstance(year, numbers.Integral):
        raise ForecastTypeError(
            f"`{arg}` must be an int year; got {year!r} ({type(year).__name__}). Pass a "
            f"projected year such as {int(p.years[-1])}.")
    if not p.years[0] <= year <= p.years[-1]:
        raise ParameterError(
            f"`{arg}` must be a projected year in [{p.years[0]}, {p.years[-1]}]; "
            f"got {year}. Pass a year of the projection."
        )
    return int(year - p.years[0])


def long_frame(p: Any, idx: Sequence[int], stats: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Frame with scenario, year and one column per (n_sel, h) statistic."""
    names = np.array([p.scenario_names[i] for i in idx], dtype=object)
    data: dict[str, Any] = {"scenario": np.repeat(names, p.horizon),
                            "year": np.tile(p.years, len(idx))}
    data.update({k: np.asarray(v).reshape(-1) for k, v in stats.items()})
    return pd.DataFrame(data)


def level_stats(p: Any, i: int, probs: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Mean (h,) and quantiles (n_probs, h) of scenario `i`'s levels, each computed once.

    The samples are read-only, so their summaries are kept on the projection (in a
    private dict outside its fields), one entry per probability: the tables, the key
    message and the report of one ``forecast run`` ask for the same quantiles, in
    several combinations, and each costs a partial sort of ``n_paths`` values per year.
    A quantile depends only on the order statistics, so one computed with others equals
    one computed alone. Objects without that dict are summarised afresh.
    """
    cache = getattr(p, "_summary_cache", None)
    x = p.samples[i]
    if cache is None:
        return x.mean(axis=0), level_quantiles(p, i, probs)
    if (i, "mean") not in cache:
        cache[(i, "mean")] = readonly(x.mean(axis=0))
    return cache[(i, "mean")], level_quantiles(p, i, probs)


def level_quantiles(p: Any, i: int, probs: tuple[float, ...]) -> np.ndarray:
    """Quantiles (n_probs, h) of scenario `i`'s levels, cached as in :func:`level_stats`.

    The copy partitioned may take a quarter of all the stored samples (see
    :func:`column_quantiles`), so a projection of several scenarios copies each whole.
    """
    cache = getattr(p, "_summary_cache", None)
    budget = p.samples.nbytes // 4
    if cache is None:
        return column_quantiles(p.samples[i], probs, budget)
    missing = [q for q in dict.fromkeys(probs) if (i, q) not in cache]
    if missing:
        for q, row in zip(missing, column_quantiles(p.samples[i], missing, budget),
                          strict=True):
            cache[(i, q)] = readonly(row)
    return np.stack([cache[(i, q)] for q in probs])


def summary_stats(p: Any, idx: Sequence[int], levels: Any, transform: Any = None,
                  suffix: str = "") -> pd.DataFrame:
    """mean, median and interval bounds per scenario and year of (transformed) samples."""
    levels = check_levels("levels", levels)
    probs = [0.5] + [q for lv in levels for q in band_probs(lv)]
    means, quants = [], []
    for i in idx:
        if transform is None:
            mean, q = level_stats(p, i, tuple(probs))
        else:
            x = transform(p.samples[i])
            mean, q = x.mean(axis=0), column_quantiles(x, probs)
        means.append(mean)
        quants.append(q)
    qs = np.stack(quants, axis=1)  # (n_probs, n_sel, h)
    stats = {f"mean{suffix}": np.stack(means), f"median{suffix}": qs[0]}
    for k, lv in enumerate(levels):
        stats[f"lower_{level_label(lv)}{suffix}"] = qs[1 + 2 * k]
        stats[f"upper_{level_label(lv)}{suffix}"] = qs[2 + 2 * k]
    return long_frame(p, idx, stats)
