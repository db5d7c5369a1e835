"""What the report's "Reproduce" block shows: versions, the command, the code, the settings.

Examples
--------
>>> sorted(versions())[:3]
['forecast', 'matplotlib', 'numpy']
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping
from importlib import metadata

import numpy as np
import pandas as pd

from .._seeds import seed_json, seed_source
from .._version import __version__

__all__ = ["python_code", "settings_of", "versions"]

#: Libraries whose versions decide the numbers (and the charts) of a run.
LIBRARIES = ("numpy", "pandas", "statsmodels", "scipy", "matplotlib")


def stamp() -> str:
    """When the report was written, to the minute (UTC), as its header shows it.

    ``SOURCE_DATE_EPOCH`` (seconds since 1970, the reproducible-builds convention), when
    set, replaces the clock (the settings still record the command and its run time).
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    when = (_dt.datetime.fromtimestamp(int(epoch), _dt.UTC) if epoch.isdigit()
            else _dt.datetime.now(_dt.UTC))
    return when.strftime("%Y-%m-%d %H:%M UTC")


def versions() -> dict[str, str]:
    """forecast's version and those of the libraries in :data:`LIBRARIES` ("not installed")."""
    out = {"forecast": __version__}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _plain(v):
    if isinstance(v, str | int | float | bool | type(None)):
        return v
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, np.generic):
        return v.item()
    return str(v)


def settings_of(projection, settings: Mapping | None, fit=None) -> dict:
    """The run's settings once: the projection's own, the fit's seed, then `settings`.

    ``versions`` are left out (they have their own table); ``fit_seed`` is the entropy
    the fit drew when it was given no seed (``Fit.seed``, where the model records it).
    """
    merged: dict = {}
    own = getattr(projection, "settings", None)
    if isinstance(own, Mapping):
        merged.update({k: v for k, v in own.items() if k != "versions"})
    for key in ("seed", "model"):
        value = getattr(projection, key, None)
        if value is not None and key not in merged:
            merged[key] = value
    fit_seed = getattr(fit, "seed", None)
    if fit_seed is not None:
        merged.setdefault("fit_seed", seed_json(fit_seed))
    merged.setdefault("n_paths", int(np.shape(projection.samples)[1]))
    merged.setdefault("years", f"{int(projection.years[0])}-{int(projection.years[-1])}")
    merged.setdefault("scenarios", list(projection.scenario_names))
    if getattr(projection, "probabilities", None) is not None:
        merged.setdefault("probabilities", list(projection.probabilities))
    merged.update({k: v for k, v in (settings or {}).items() if k != "versions"})
    return {k: _plain(v) for k, v in merged.items()}


def python_code(conf: Mapping, projection) -> str:
    """The Python calls that reproduce the projection, from the recorded settings."""
    seed = _seed_code(conf.get("seed"), conf.get("spawn_key") or (), conf.get("pool_size", 4))
    fit_seed = (_seed_code(conf["fit_seed"]) if conf.get("fit_seed") is not None
                else _seed_code(conf.get("seed")))
    data = conf.get("data", "embedded")
    numpy = ["import numpy"] if "numpy." in seed + fit_seed else []
    lines = [*numpy, "import forecast", "from forecast import presets", "",
             "records = forecast.load_releases()" if data in ("embedded", None)
             else f"records = forecast.Records.from_csv({data!r})"]
    lines += [f"records = records + forecast.Records.from_csv({a!r})"
              for a in conf.get("added") or []]
    if conf.get("as_of"):
        lines.append(f"records = records.filter(as_of={conf['as_of']!r})")
    kw = "".join(f", {k}={conf[k]!r}" for k in ("market", "flow", "segment", "currency")
                 if k in conf)
    lines.append(f"history = forecast.reconstruct(records{kw})")
    spec = str(conf.get("model_spec", "Auto()"))
    path = spec if "." in spec.split("(")[0] else f"forecast.{spec}"  # an outside family
    if conf.get("fit_data") == "series":  # fitted on the median series: no draws, no seed
        lines.append(f"fit = {path}.fit(history.series)")
    else:
        lines.append(f"fit = {path}.fit(history, seed={fit_seed})")
    src = conf.get("scenario_file", "presets")
    lines.append("scenarios = presets.scenario_set()" if src in ("presets", None)
                 else f"scenarios = forecast.load_scenarios({src!r})")
    names = list(projection.scenario_names)
    lines.append(f"scenarios = [scenarios[name] for name in {names!r}]")
    lines.append(f"proj = forecast.project(fit, scenarios, to={int(projection.years[-1])}, "
                 f"n_paths={conf.get('n_paths')}, seed={seed})")
    return "\n".join(lines)


def _seed_code(seed, spawn_key=(), pool_size=4) -> str:
    """The source of a recorded seed (None stays None: the run drew fresh entropy)."""
    if seed is None:
        return "None"
    try:
        return seed_source(seed, spawn_key, pool_size)
    except (TypeError, ValueError):  # a hand-edited settings file: show it as recorded
        return repr(seed)


def settings_frame(conf: Mapping) -> pd.DataFrame:
    """Two text columns, ``setting`` and ``value``."""
    return pd.DataFrame({"setting": list(conf), "value": [str(v) for v in conf.values()]})
