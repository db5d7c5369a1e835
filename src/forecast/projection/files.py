"""Save and load a :class:`forecast.Projection` (Parquet or CSV plus JSON; no pickle).

Layout of a projection directory::

    metadata.json      format, years, scenario names, probabilities, seed, model, unit,
                       settings, history, point forecast, file names
    samples.parquet    columns scenario, path, then one column per year ("2026", ...):
                       one row per (scenario, path), levels; or samples.csv
    base_log.parquet   columns path, then one column per year: baseline log paths
    scenarios.toml     scenario definitions (forecast.dump_scenarios), when the
                       scenarios can be written as TOML

Floats are written exactly (Parquet float64; CSV with shortest round-trip repr), so a
loaded projection has bit-identical samples.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, ForecastError, ForecastTypeError, ParameterError
from ..scenarios import ScenarioSet, dump_scenarios, load_scenarios
from ..series import AnnualSeries

FORMAT = "forecast.Projection"
FORMAT_VERSION = 1


def _has_pyarrow() -> bool:
    return importlib.util.find_spec("pyarrow") is not None


def _dir(directory: Any) -> Path:
    if not isinstance(directory, str | os.PathLike):
        raise ForecastTypeError(
            f"`directory` must be a path (str or os.PathLike); got {type(directory).__name__}."
        )
    return Path(directory)


def _write(df: pd.DataFrame, file: Path) -> None:
    if file.suffix == ".parquet":
        df.to_parquet(file, index=False)
    else:
        df.to_csv(file, index=False)


def _read(file: Path) -> pd.DataFrame:
    if not file.is_file():
        raise DataError(f"projection file {file} must exist; it is missing. Save the "
                        "projection again with Projection.save(directory).")
    if file.suffix == ".parquet":
        return pd.read_parquet(file)
    kwargs: dict[str, Any] = {"dtype": {"scenario": str}}
    if int(pd.__version__.split(".")[0]) < 3:  # pandas 3 parses floats exactly by default
        kwargs["float_precision"] = "round_trip"
    return pd.read_csv(file, **kwargs)


def _jsonable(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, tuple | set):
        return list(o)
    raise ParameterError(
        f"projection settings must be JSON values; got {type(o).__name__}. Keep settings to "
        "numbers, strings, lists and dicts."
    )


def save(p: Any, directory: Any, format: str = "parquet") -> Path:
    """Write `p` to `directory`; see the module docstring for the layout."""
    if format not in ("parquet", "csv"):
        raise ParameterError(f'`format` must be "parquet" or "csv"; got {format!r}.')
    path = _dir(directory)
    path.mkdir(parents=True, exist_ok=True)
    ext = "parquet" if format == "parquet" and _has_pyarrow() else "csv"
    cols = [str(y) for y in p.years.tolist()]
    s, n, h = p.samples.shape
    samples = pd.DataFrame(p.samples.reshape(s * n, h), columns=cols)
    samples.insert(0, "path", np.tile(np.arange(n, dtype=np.int64), s))
    samples.insert(0, "scenario", np.repeat(np.array(p.scenario_names, dtype=object), n))
    base = pd.DataFrame(p.base_log, columns=cols)
    base.insert(0, "path", np.arange(n, dtype=np.int64))
    _write(samples, path / f"samples.{ext}")
    _write(base, path / f"base_log.{ext}")
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "samples_file": f"samples.{ext}",
        "base_log_file": f"base_log.{ext}",
        "years": p.years.tolist(),
        "scenario_names": list(p.scenario_names),
        "probabilities": None if p.probabilities is None else list(p.probabilities),
        "seed": p.seed if isinstance(p.seed, int) else list(p.seed),
        "model": p.model,
        "unit": p.unit,
        "settings": dict(p.settings),
        "center": p.center.tolist(),
        "history": {"years": p.history.years.tolist(), "values": p.history.values.tolist(),
                    "unit": p.history.unit, "name": p.history.name},
        "scenarios": _dump_scenarios(p, path),
    }
    text = json.dumps(meta, indent=2, default=_jsonable)
    (path / "metadata.json").write_text(text, encoding="utf-8")
    return path


def _describe(scenario: Any) -> dict[str, Any]:
    """A JSON description of a scenario that could not be written as TOML (for reading)."""
    def one(a: Any) -> Any:
        try:
            json.dumps(d := a.to_dict(), default=_jsonable)
            return d
        except (AttributeError, TypeError, ValueError, ForecastError):
            return repr(a)

    return {"name": scenario.name, "description": getattr(scenario, "description", ""),
            "assumptions": [one(a) for a in getattr(scenario, "assumptions", ())]}


def _dump_scenarios(p: Any, path: Path) -> dict[str, Any]:
    if p.scenarios is None:
        why = p.settings.get("scenarios_unavailable", "the scenario definitions are missing")
        return {"file": None, "unavailable": why}
    target = path / "scenarios.toml"
    try:
        dump_scenarios(ScenarioSet(p.scenarios, probabilities=p.probabilities), target)
    except (ImportError, ForecastError, TypeError, ValueError, NotImplementedError,
            AttributeError) as exc:
        target.unlink(missing_ok=True)
        return {"file": None, "json": [_describe(s) for s in p.scenarios],
                "unavailable": f"the scenarios could not be written as TOML: {exc}"}
    return {"file": target.name}


def _load_scenarios(meta: dict[str, Any], path: Path, names: tuple[str, ...]):
    info = meta.get("scenarios") or {}
    if not info.get("file"):
        return None, info.get("unavailable", "the file has no scenario definitions")
    try:
        loaded = {s.name: s for s in load_scenarios(path / info["file"]).scenarios}
        return tuple(loaded[n] for n in names), None
    except (ImportError, ForecastError, KeyError, OSError) as exc:
        return None, f"{info['file']} could not be read back: {exc!r}"


def _frame_array(df: pd.DataFrame, cols: list[str], lead: list[str], file: str) -> np.ndarray:
    if list(df.columns) != lead + cols:
        raise DataError(
            f"{file} must have columns {lead + cols}; got {list(df.columns)}. The file was "
            "changed after Projection.save; save the projection again."
        )
    try:
        return df[cols].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise DataError(f"{file} must hold numbers in the year columns; it does not.") from None


def read_fields(directory: Any) -> dict[str, Any]:
    """Read a projection written by :func:`save`: the keyword arguments of ``Projection``.

    Returns the fields rather than the object, so that this module does not import
    :mod:`forecast.projection.projection` (which imports this one).
    """
    path = _dir(directory)
    try:
        meta = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(
            f"{path} must contain metadata.json written by Projection.save; it does not. "
            "Pass the directory given to save()."
        ) from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path / 'metadata.json'} must be valid JSON; {exc}.") from None
    if meta.get("format") != FORMAT or meta.get("format_version") != FORMAT_VERSION:
        raise DataError(
            f"metadata.json must describe a {FORMAT} (version {FORMAT_VERSION}); got "
            f"{meta.get('format')!r} version {meta.get('format_version')!r}."
        )
    try:
        years = np.asarray(meta["years"], dtype=np.int64)
        names = tuple(meta["scenario_names"])
        cols = [str(y) for y in years.tolist()]
        samples_df = _read(path / meta["samples_file"])
        base_df = _read(path / meta["base_log_file"])
        hist = meta["history"]
        history = AnnualSeries(hist["years"], hist["values"], unit=hist["unit"],
                               name=hist["name"])
        settings = dict(meta["settings"])
        seed, model, unit, center = meta["seed"], meta["model"], meta["unit"], meta["center"]
        probabilities = meta["probabilities"]
    except KeyError as exc:
        raise DataError(f"metadata.json must have the key {exc}; it is missing.") from None
    flat = _frame_array(samples_df, cols, ["scenario", "path"], meta["samples_file"])
    base = _frame_array(base_df, cols, ["path"], meta["base_log_file"])
    n = base.shape[0]
    expected = np.repeat(np.array(names, dtype=object), n)
    if flat.shape[0] != len(names) * n or not (
        np.array_equal(samples_df["scenario"].astype(str).to_numpy(dtype=object), expected)
        and np.array_equal(samples_df["path"].to_numpy(), np.tile(np.arange(n), len(names)))
    ):
        raise DataError(
            f"{meta['samples_file']} must hold {n} paths of each scenario {list(names)} in "
            "order; it does not. Save the projection again."
        )
    scenarios, why = _load_scenarios(meta, path, names)
    if why is not None:
        settings["scenarios_unavailable"] = why
    return dict(
        years=years, scenario_names=names, samples=flat.reshape(len(names), n, years.size),
        base_log=base, center=np.asarray(center, dtype=float), history=history,
        seed=seed if isinstance(seed, int) else tuple(seed), model=model, unit=unit,
        probabilities=None if probabilities is None else tuple(probabilities),
        scenarios=scenarios, settings=settings,
    )
