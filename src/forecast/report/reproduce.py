"""What the report's "Reproduce" block shows: versions, the command, the code, the settings.

Examples
--------
>>> sorted(versions())[:3]
['forecast', 'matplotlib', 'numpy']
"""

from __future__ import annotations

import datetime as _dt
import inspect
import json
import os
import re
import shlex
import textwrap
from collections.abc import Mapping
from importlib import metadata

import numpy as np
import pandas as pd

from .._seeds import seed_json, seed_source
from .._version import __version__
from ..errors import ForecastError
from ..projection.engine import project

__all__ = ["markets_python_code", "python_code", "settings_json", "settings_of",
           "shell_word", "utf8_text", "versions"]

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


#: A lone surrogate: what Python makes of the bytes of a file name (or an argument) that
#: are not UTF-8 (``surrogateescape``), and what UTF-8 cannot encode.
_SURROGATE = re.compile("[\ud800-\udfff]")


def utf8_text(text: str) -> str:
    r"""`text` as UTF-8 can hold it: a byte that is not UTF-8 in a file name or an
    argument (``--out $'bad\xffdir'``, which Linux allows) shown as ``\xff``, any other
    lone surrogate as ``\udXXX``; other text unchanged.

    Python keeps such a byte as a lone surrogate, which the report's page, its settings
    table (via pyarrow) and ``settings.json`` cannot encode: the run failed after all its
    work. A command line is quoted with :func:`shell_word` instead.

    >>> utf8_text("bad\udcffdir"), utf8_text("café")
    ('bad\\xffdir', 'café')
    """
    return _SURROGATE.sub(_escaped, text)


def shell_word(arg: str) -> str:
    r"""`arg` quoted for a POSIX shell (``shlex.quote``), as UTF-8 text: an argument
    holding bytes that are not UTF-8 is written ``$'...'`` with them as ``\xff``, so
    that the recorded command still repeats the run.

    >>> print(shell_word("bad\udcffdir"), shell_word("it's \\ \udcff"), shell_word("a b"))
    $'bad\xffdir' $'it\'s \\ \xff' 'a b'
    """
    if not _SURROGATE.search(arg):
        return shlex.quote(arg)
    return "$'" + utf8_text(arg.replace("\\", "\\\\").replace("'", "\\'")) + "'"


def _escaped(found: re.Match) -> str:
    code = ord(found.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def _plain(v):
    if isinstance(v, str):
        return utf8_text(v)
    if isinstance(v, int | float | bool | type(None)):
        return v
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, Mapping):
        return {utf8_text(str(k)): _plain(x) for k, x in v.items()}
    if isinstance(v, np.generic):
        return v.item()
    return utf8_text(str(v))


def settings_json(settings: Mapping) -> str:
    r"""The text of a run's ``settings.json``: its settings with their JSON types, text
    that UTF-8 cannot hold shown as the report shows it (:func:`utf8_text`).

    >>> print(settings_json({"data": "bad\udcff.csv", "seed": 1}))
    {
      "data": "bad\\xff.csv",
      "seed": 1
    }
    <BLANKLINE>
    """
    return json.dumps(_plain(settings), indent=2) + "\n"


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
    """The Python calls that reproduce the projection, from the recorded settings.

    The data: the records and the reconstruction (its market, flow, segment and currency
    from the command's settings or the fitted History's ``fit_source``), or, for a fit
    made on a series, that series written out. The scenarios: the presets or the file
    the command read, or else the projection's own definitions written out as TOML, with
    their probabilities. Then ``project`` with the run's ``n_paths``, ``chunk_size`` and
    seed.
    """
    seed = _seed_code(conf.get("seed"), conf.get("spawn_key") or (), conf.get("pool_size", 4))
    fit_seed = (_seed_code(conf["fit_seed"]) if conf.get("fit_seed") is not None
                else _seed_code(conf.get("seed")))
    spec = str(conf.get("model_spec", "Auto()"))
    path = spec if "." in spec.split("(")[0] else f"forecast.{spec}"  # an outside family
    if conf.get("fit_data") == "series":  # fitted on a series: write it out, no draws
        data = [f"series = {_series_code(projection.history)}",
                f"fit = {path}.fit(series)"]
    else:
        data = [*_records_code(conf), f"history = forecast.reconstruct(records"
                f"{_reconstruct_kw(conf)})", f"fit = {path}.fit(history, seed={fit_seed})"]
    scen = _scenarios_code(conf, projection)
    chunk, n = conf.get("chunk_size"), int(conf.get("n_paths") or 0)
    default = inspect.signature(project).parameters["chunk_size"].default
    # the chunks (and so their seeds) differ from the default's unless both hold every path
    chunk_kw = (f", chunk_size={int(chunk)}" if isinstance(chunk, int)
                and min(chunk, n) != min(default, n) else "")
    body = [*data, *scen,
            f"proj = forecast.project(fit, scenarios, to={int(projection.years[-1])}, "
            f"n_paths={conf.get('n_paths')}{chunk_kw}, seed={seed})"]
    text = "\n".join(body)
    head = ["import numpy"] if "numpy." in text else []
    module = spec.split("(")[0].rpartition(".")[0]  # a family from outside the library
    head += [f"import {module}"] if module and module != "forecast" else []
    head += ["import forecast"] + (["from forecast import presets"] if "presets." in text
                                    else [])
    return "\n".join([*head, "", text])


def markets_python_code(conf: Mapping, projection) -> str:
    """The Python calls that reproduce a projection of several markets (``forecast run
    --markets``), from the recorded settings, as :func:`python_code` for one market.

    The records as the command read them; :func:`forecast.reconstruct_markets` of the
    projection's history (its markets, flow, segment and currency); the joint model of
    the command's ``design`` and ``model_spec`` fitted with the fit's seed (a projection
    made in Python records neither: the line says so); the market presets or the file
    the command read, or the projection's definitions written out as TOML; then
    :func:`forecast.project_markets` with the run's paths, chunks, seed and target.
    """
    own = projection.settings if isinstance(projection.settings, Mapping) else {}
    seed = _seed_code(conf.get("seed"), own.get("spawn_key") or (), own.get("pool_size", 4))
    fit_seed = (_seed_code(conf["fit_seed"]) if conf.get("fit_seed") is not None
                else _seed_code(conf.get("seed")))
    h = projection.history
    fx = ", fx=fx" if conf.get("fx") not in ("embedded", None) else ""
    data = [*_records_code(conf),
            f"history = forecast.reconstruct_markets(records, markets={tuple(h.markets)!r}, "
            f"flow={h.flow!r}, segment={h.segment!r}, currency={h.currency!r}{fx})"]
    spec, design = conf.get("model_spec"), conf.get("design")
    if spec and design in ("bottom-up", "split"):
        spec = str(spec) if "." in str(spec).split("(")[0] else f"forecast.{spec}"
        model = (f"forecast.BottomUpModel({spec})" if design == "bottom-up"
                 else f"forecast.SplitModel({spec}, {spec})")
        fit = [f"fit = {model}.fit(history, seed={fit_seed})"]
    else:
        fit = [f"# The joint model ({projection.model}) was fitted in Python: fit it as in the",
               f"# session that ran it, e.g. forecast.BottomUpModel(forecast.Auto()).fit("
               f"history, seed={fit_seed}).",
               "fit = ..."]
    scen = _scenarios_code(conf, projection, markets=True)
    chunk, n = own.get("chunk_size"), int(conf.get("n_paths") or projection.n_paths)
    default = inspect.signature(project).parameters["chunk_size"].default
    chunk_kw = (f", chunk_size={int(chunk)}" if isinstance(chunk, int)
                and min(chunk, n) != min(default, n) else "")
    target = str(own.get("target", "US"))
    body = [*data, *fit, *scen,
            f"proj = forecast.project_markets(fit, scenarios, to={int(projection.years[-1])}, "
            f"n_paths={n}{chunk_kw}, seed={seed}"
            + (f", target={target!r}" if target != "US" else "") + ")"]
    text = "\n".join(body)
    module = str(spec or "").split("(")[0].rpartition(".")[0]
    head = ["import numpy"] if "numpy." in text else []
    head += [f"import {module}"] if module and module != "forecast" else []
    return "\n".join([*head, "import forecast", "", text])


def _records_code(conf: Mapping) -> list[str]:
    data = conf.get("data", "embedded")
    lines = ["records = forecast.load_releases()" if data in ("embedded", None)
             else f"records = forecast.Records.from_csv({data!r})"]
    lines += [f"records = records + forecast.Records.from_csv({a!r})"
              for a in conf.get("added") or []]
    if conf.get("as_of"):
        lines.append(f"records = records.filter(as_of={conf['as_of']!r})")
    if conf.get("fx") not in ("embedded", None):  # --fx: the user's rate table
        lines.append(f"fx = forecast.ExchangeRates.from_csv({conf['fx']!r}, releases=records)")
    return lines


def _reconstruct_kw(conf: Mapping) -> str:
    """``, market='EU', currency='CNY'``: the command's settings, else the fit's source."""
    keys = ("market", "flow", "segment", "currency")
    source = conf.get("fit_source") if isinstance(conf.get("fit_source"), Mapping) else {}
    values = {k: conf[k] if k in conf else source.get(k) for k in keys}
    fx = ", fx=fx" if conf.get("fx") not in ("embedded", None) else ""
    return "".join(f", {k}={v!r}" for k, v in values.items() if v is not None) + fx


def _series_code(series) -> str:
    """An ``AnnualSeries(...)`` call that rebuilds `series` exactly (floats by repr)."""
    years = [int(y) for y in series.years]
    values = ", ".join(repr(float(v)) for v in series.values)
    extra = "".join(f", {k}={getattr(series, k)!r}" for k in ("unit", "name")
                    if getattr(series, k, None))
    return f"forecast.AnnualSeries({years!r}, [{values}]{extra})"


def _scenarios_code(conf: Mapping, projection, markets: bool = False) -> list[str]:
    """Lines that set ``scenarios`` to what the projection ran, probabilities included;
    with `markets`, the presets are the market presets (``forecast run --markets``)."""
    names = list(projection.scenario_names)
    probs = projection.probabilities
    src = conf.get("scenario_file")
    defs = getattr(projection, "scenarios", None)
    presets_name = "market presets" if markets else "presets"
    if src is None and defs is not None and _all_presets(defs, markets):
        src = presets_name
    if src is None:  # built in Python: write the definitions out
        text, why = _toml(defs, probs)
        if text is None:
            reason = [f"# {line}" for line in textwrap.wrap(why, 86)] if why else []
            return ["# The scenarios were built in Python and cannot be written as TOML:",
                    *reason,
                    f"# define `scenarios` ({names!r}) as in the session that ran it.",
                    "scenarios = ..."]
        return [f"scenarios = forecast.loads_scenarios({text})"]
    lines = ["scenarios = presets.scenario_set()" if src == "presets"
             else "scenarios = forecast.market_presets.scenario_set()" if src == "market presets"
             else f"scenarios = forecast.load_scenarios({src!r})"]
    chosen = f"tuple(scenarios[name] for name in {names!r})"
    if probs is not None:  # the set's probabilities, in the projection's order
        lines.append(f"scenarios = forecast.ScenarioSet({chosen}, probabilities="
                     f"{tuple(float(p) for p in probs)!r})")
    else:
        lines.append(f"scenarios = list({chosen})")
    return lines


def _all_presets(defs, markets: bool = False) -> bool:
    from ..scenarios import market_presets, presets  # lazy: it builds every preset on import

    known = {s.name: s for s in (market_presets if markets else presets).scenario_set().scenarios}
    return all(known.get(s.name) == s for s in defs)


def _toml(defs, probs) -> tuple[str | None, str]:
    """(the scenarios as a Python string literal of TOML text, "") or (None, why not)."""
    from ..scenarios.files import dumps_scenarios, loads_scenarios  # lazy: Python-built only
    from ..scenarios.scenario import ScenarioSet

    if defs is None:
        return None, "the projection does not hold their definitions."
    try:  # a custom assumption may have no TOML form, or one that loads as another type
        text = dumps_scenarios(ScenarioSet(tuple(defs), probabilities=probs))
        back = loads_scenarios(text)
    except (ForecastError, TypeError, ValueError) as exc:
        return None, " ".join(str(exc).split())  # e.g. a distribution with no kind
    if back.scenarios != tuple(defs):
        return None, ("written as TOML they load back as other objects (a custom class "
                      "that inherits a built-in's kind).")
    quote = "'" * 3
    if quote in text or "\\" in text:
        return repr(text), ""
    return f"r{quote}\n{text}{quote}", ""


def _seed_code(seed, spawn_key=(), pool_size=4) -> str:
    """The source of a recorded seed (None stays None: the run drew fresh entropy)."""
    if seed is None:
        return "None"
    try:
        return seed_source(seed, spawn_key, pool_size)
    except (TypeError, ValueError):  # a hand-edited settings file: show it as recorded
        return repr(seed)


def setting_text(value) -> str:
    """A setting's value as a user would type it: a list as ``US, EU, HK, JP`` (not
    Python's ``['US', 'EU', 'HK', 'JP']``), a mapping as ``key: value`` pairs, nothing
    (None, an empty list) as ``none``; anything else as its text.

    >>> setting_text(["US", "EU"]), setting_text([]), setting_text({"market": "US"})
    ('US, EU', 'none', 'market: US')
    """
    if value is None:
        return "none"
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {setting_text(v)}" for k, v in value.items()) or "none"
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return ", ".join(setting_text(v) for v in items) or "none"
    return utf8_text(str(value))


def settings_frame(conf: Mapping) -> pd.DataFrame:
    """Two text columns, ``setting`` and ``value`` (:func:`setting_text`); the settings'
    JSON (``settings.json``) keeps their types."""
    return pd.DataFrame({"setting": [utf8_text(str(k)) for k in conf],
                         "value": [setting_text(v) for v in conf.values()]})
