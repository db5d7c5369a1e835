"""Save and load a :class:`forecast.MarketProjection` (Parquet or CSV plus JSON; no pickle).

Layout of a market projection folder, beside that of a single-market one
(:mod:`forecast.projection.files`, whose reading rules it shares)::

    metadata.json      format "forecast.MarketProjection", years, parts, scenario names,
                       probabilities, seed, model, unit, settings, the parts' point
                       forecasts ("centers"), the joint reconstruction ("history": its
                       mean, the map from standard normals to its deviations, unit,
                       currency, flow, segment and parameters), file names and the
                       SHA-256 of every data file ("checksums")
    samples.parquet    columns scenario, market, path, then one column per year: one row
                       per (scenario, part, path), levels; or samples.csv
    base_log.parquet   columns coordinate (0 = log total, k = log ratio of market k to ROW),
                       path, then one column per year; or base_log.csv
    scenarios.toml     scenario definitions, when they can be written as TOML

Floats are written exactly, so a loaded projection has bit-identical samples, and its
history gives the same bands, draws and shares. The history keeps what its summaries use,
including what ``to_frame()`` says of the records (``n_records``, ``evidence``, ``basis``:
"records" in "history"); its per-record diagnostics need the records themselves
(``observations()`` is empty): rebuild them with :func:`forecast.reconstruct_markets`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._io.folders import atomic_folder
from ..errors import DataError, ForecastError
from ..history import MarketHistory
from ..history.markets import BASES
from ..projection._meta import (
    BASE_FILES,
    SAMPLES_FILES,
    SCENARIO_FILE,
    _Checker,
    check_checksums,
    check_probabilities,
    check_scenarios,
    check_seed,
    check_years,
    short,
)
from ..projection.files import (
    _dump_scenarios,
    _frame_array,
    _jsonable,
    _load_scenarios,
    _write,
    check_load_memory,
    extension,
    folder_path,
    out_of_memory,
    read_frame,
    read_metadata,
)

__all__ = ["FORMAT", "FORMAT_VERSION", "load", "save"]

FORMAT = "forecast.MarketProjection"
FORMAT_VERSION = 1
_KEYS = ("format", "format_version", "samples_file", "base_log_file", "years", "parts",
         "scenario_names", "probabilities", "seed", "model", "unit", "settings", "centers",
         "history", "scenarios", "checksums")
_HISTORY_KEYS = ("years", "markets", "mean", "map", "unit", "currency", "flow", "segment",
                 "params")
#: optional: what the history's summaries say of its records (files from 2026-11 on)
_RECORDS_KEY = "records"


def save(p: Any, directory: Any, format: str = "parquet", force: bool = False) -> Path:
    """Write MarketProjection `p` to `directory` atomically (layout in the module docstring)."""
    path = folder_path(directory, "MarketProjection")
    ext = extension(format, force)
    cols = [str(y) for y in p.years.tolist()]
    s, k, n, h = p.samples.shape
    samples = pd.DataFrame(p.samples.reshape(s * k * n, h), columns=cols)
    samples.insert(0, "path", np.tile(np.arange(n, dtype=np.int64), s * k))
    samples.insert(0, "market", np.tile(np.repeat(np.array(p.parts, dtype=object), n), s))
    samples.insert(0, "scenario", np.repeat(np.array(p.scenario_names, dtype=object), k * n))
    c = p.base_log.shape[0]
    base = pd.DataFrame(p.base_log.reshape(c * n, h), columns=cols)
    base.insert(0, "path", np.tile(np.arange(n, dtype=np.int64), c))
    base.insert(0, "coordinate", np.repeat(np.arange(c, dtype=np.int64), n))
    mh = p.history
    history = {"years": mh.years.tolist(), "markets": list(mh.markets),
               "mean": mh.mean.tolist(), "map": mh._map.tolist(), "unit": mh.unit,
               "currency": mh.currency, "flow": mh.flow, "segment": mh.segment,
               "params": dict(mh.params), "records": mh.record_summary()}
    with atomic_folder(path, kind="market_projection", force=force,
                       what="market projection folder", again="call save again") as out:
        names = [f"samples.{ext}", f"base_log.{ext}"]
        _write(out, names[0], samples)
        _write(out, names[1], base)
        scenarios = _dump_scenarios(p, out)
        if scenarios.get("file"):
            names.append(SCENARIO_FILE)
        meta = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "samples_file": names[0], "base_log_file": names[1],
            "years": p.years.tolist(), "parts": list(p.parts),
            "scenario_names": list(p.scenario_names),
            "probabilities": None if p.probabilities is None else list(p.probabilities),
            "seed": p.seed if isinstance(p.seed, int) else list(p.seed),
            "model": p.model, "unit": p.unit, "settings": dict(p.settings),
            "centers": p.centers.tolist(), "history": history, "scenarios": scenarios,
            "checksums": {name: out.sha256(name) for name in names},
        }
        out.write_text("metadata.json", json.dumps(meta, indent=1, default=_jsonable))
    return path


def load(directory: Any) -> dict[str, Any]:
    """The keyword arguments of ``MarketProjection`` read from a folder written by :func:`save`.

    Every file is checked as for a single-market projection (plain files only, never
    through a link, each matching its checksum); a DataError names what is wrong.
    """
    path, meta = read_metadata(directory, "MarketProjection")
    m = _check(meta, path / "metadata.json")
    c = len(m["history"]["markets"]) + 1
    check_load_memory(path, m["samples_file"], len(m["scenario_names"]) * len(m["parts"]) + c,
                      m["settings"], len(m["years"]),
                      f"{len(m['scenario_names'])} scenarios x {len(m['parts'])} parts and "
                      f"{c} baseline coordinates x")
    frames = {key: read_frame(path, m[key], m["checksums"])
              for key in ("samples_file", "base_log_file")}
    years, parts, names = m["years"], m["parts"], m["scenario_names"]
    cols = [str(y) for y in years]
    with out_of_memory(path):
        flat = _frame_array(frames["samples_file"], cols, ["scenario", "market", "path"],
                            m["samples_file"])
        base = _frame_array(frames["base_log_file"], cols, ["coordinate", "path"],
                            m["base_log_file"])
        n, rest = divmod(base.shape[0], c)
        df = frames["samples_file"]
        ordered = not rest and n >= 1 and flat.shape[0] == len(names) * len(parts) * n and (
            _column_is(df["scenario"], np.repeat(np.array(names, dtype=object), len(parts) * n))
            and _column_is(df["market"], np.tile(np.repeat(np.array(parts, dtype=object), n),
                                                 len(names)))
            and _column_is(df["path"], np.tile(np.arange(n), len(names) * len(parts)))
            and _column_is(frames["base_log_file"]["coordinate"], np.repeat(np.arange(c), n))
            and _column_is(frames["base_log_file"]["path"], np.tile(np.arange(n), c)))
    if not ordered:
        raise DataError(
            f"{path}: {m['samples_file']} must hold the same number of paths of each scenario "
            f"{names} and part {parts} in order, and {m['base_log_file']} as many of each of "
            f"its {c} coordinates; they do not. Save the projection again.")
    scenarios, why = _load_scenarios(meta, path, tuple(names), m["checksums"])
    settings = m["settings"]
    if why is not None:
        settings["scenarios_unavailable"] = why
    h = m["history"]
    try:
        history = MarketHistory(years=h["years"], markets=tuple(h["markets"]),
                                mean=h["mean"], unit=h["unit"], currency=h["currency"],
                                flow=h["flow"], segment=h["segment"], params=h["params"],
                                _map=h["map"], _summary=h.get("records"))
    except ForecastError as exc:
        raise DataError(f"{path / 'metadata.json'}: `history` must describe a joint "
                        f"reconstruction; {exc} Save the projection again.") from None
    return dict(years=np.asarray(years, dtype=np.int64), parts=tuple(parts),
                scenario_names=tuple(names),
                samples=flat.reshape(len(names), len(parts), n, len(years)),
                base_log=base.reshape(c, n, len(years)), centers=np.asarray(m["centers"]),
                history=history, seed=m["seed"], model=m["model"], unit=m["unit"],
                probabilities=m["probabilities"], scenarios=scenarios, settings=settings)


def _column_is(column: pd.Series, expected: np.ndarray) -> bool:
    values = column.to_numpy()  # names as saved: read_frame undid the CSV formula guard
    return values.shape == expected.shape and bool(np.all(values == expected))


def _check(meta: Any, where: Path) -> dict[str, Any]:
    """Check `meta` (parsed metadata.json) key by key; return the normalised fields."""
    c = _Checker(where)
    if not isinstance(meta, dict) or meta.get("format") != FORMAT \
            or meta.get("format_version") != FORMAT_VERSION:
        got = (f"format {short(meta.get('format'))}, format_version "
               f"{short(meta.get('format_version'))}" if isinstance(meta, dict)
               else f"a JSON {type(meta).__name__}")
        raise DataError(f"{where} must describe a {FORMAT} (format_version {FORMAT_VERSION}); "
                        f"got {got}. Pass a folder written by MarketProjection.save (a "
                        "single-market projection is read by forecast.Projection.load).")
    missing = [k for k in _KEYS if k not in meta]
    if missing:
        raise DataError(f"{where} must have the keys {', '.join(_KEYS)}; "
                        f"{', '.join(map(repr, missing))} missing. Save the projection again.")
    c.only(meta, _KEYS)
    out: dict[str, Any] = {
        "samples_file": c.str_("samples_file", meta["samples_file"], SAMPLES_FILES),
        "base_log_file": c.str_("base_log_file", meta["base_log_file"], BASE_FILES),
        "model": c.str_("model", meta["model"]), "unit": c.text("unit", meta["unit"]),
        "settings": dict(c.dict_("settings", meta["settings"])),
    }
    out["years"] = years = check_years(c, "years", meta["years"])
    out["parts"] = _names(c, "parts", meta["parts"])
    out["scenario_names"] = names = _names(c, "scenario_names", meta["scenario_names"])
    out["probabilities"] = check_probabilities(c, meta["probabilities"], len(names))
    out["seed"] = check_seed(c, meta["seed"])
    hist = c.dict_("history", meta["history"])
    if sorted(set(hist) - {_RECORDS_KEY}) != sorted(_HISTORY_KEYS):
        raise c.fail("history", f"an object with exactly the keys {', '.join(_HISTORY_KEYS)} "
                     f"(and optionally {_RECORDS_KEY})", sorted(hist))
    markets = _names(c, "history.markets", hist["markets"])
    if out["parts"] != [*markets, "ROW"]:
        raise c.fail("parts", f"the history's markets then 'ROW' ({[*markets, 'ROW']})",
                     out["parts"])
    h_years = check_years(c, "history.years", hist["years"])
    out["history"] = {
        "years": h_years, "markets": markets,
        "mean": _matrix(c, "history.mean", hist["mean"], len(h_years), len(markets) + 1),
        "map": _matrix(c, "history.map", hist["map"], len(h_years) * (len(markets) + 1)),
        "params": _params(c, hist["params"]),
        **{k: c.str_(f"history.{k}", hist[k]) for k in ("unit", "currency", "flow", "segment")},
    }
    if _RECORDS_KEY in hist:
        out["history"][_RECORDS_KEY] = _records(c, hist[_RECORDS_KEY], [*markets, "ROW", "ALL"],
                                                len(h_years))
    out["centers"] = _matrix(c, "centers", meta["centers"], len(out["parts"]), len(years))
    out["scenarios"] = check_scenarios(c, meta["scenarios"])
    out["checksums"] = check_checksums(c, meta["checksums"], out)
    return out


def _names(c: _Checker, key: str, value: Any) -> list[str]:
    names = [c.str_(f"{key}[{i}]", v) for i, v in enumerate(c.list_(key, value, 1))]
    if len(set(names)) != len(names) or not all(n.strip() and n.isprintable() for n in names):
        raise c.fail(key, "unique, non-empty, printable names", value)
    return names


def _matrix(c: _Checker, key: str, value: Any, height: int,
            width: int | None = None) -> list[list[float]]:
    """`height` equally long lists of finite numbers (`width` of them when given)."""
    rows = c.list_(key, value, 1)
    if len(rows) != height:
        raise c.fail(key, f"a list of {height} rows", value)
    first = c.list_(f"{key}[0]", rows[0], 1)
    want = len(first) if width is None else width
    out = []
    for i, row in enumerate(rows):
        row = c.list_(f"{key}[{i}]", row, want)
        if len(row) != want:
            raise c.fail(f"{key}[{i}]", f"a list of {want} numbers", row)
        out.append([c.num(f"{key}[{i}][{j}]", v) for j, v in enumerate(row)])
    return out


def _records(c: _Checker, value: Any, parts: list[str], n: int) -> dict[str, dict]:
    """history.records: basis, n_records and evidence of every part and ALL, per year."""
    key = f"history.{_RECORDS_KEY}"
    rec = c.dict_(key, value)
    if sorted(rec) != ["basis", "evidence", "n_records"]:
        raise c.fail(key, "an object with exactly the keys basis, n_records, evidence",
                     sorted(rec))
    out: dict[str, dict] = {}
    for name in ("basis", "n_records", "evidence"):
        per = c.dict_(f"{key}.{name}", rec[name])
        if sorted(per) != sorted(parts):
            raise c.fail(f"{key}.{name}", f"an object with one list per part ({parts})",
                         sorted(per))
        out[name] = {}
        for part in parts:
            where = f"{key}.{name}[{part!r}]"
            values = c.list_(where, per[part], n)
            if len(values) != n:
                raise c.fail(where, f"a list of {n} values (one per history year)", values)
            if name == "n_records":
                if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                           for v in values):
                    raise c.fail(where, "counts (ints >= 0)", values)
            elif not all(isinstance(v, str) for v in values) or (
                    name == "basis" and not set(values) <= {*BASES, ""}):
                raise c.fail(where, "strings" if name == "evidence" else
                             f"one of {', '.join(BASES)} per year", values)
            out[name][part] = list(values)
    return out


def _params(c: _Checker, value: Any) -> dict[str, Any]:
    params = c.dict_("history.params", value)
    for k, v in params.items():
        if not (isinstance(v, bool | int | float | str) or v is None):
            raise c.fail(f"history.params[{k!r}]", "a number, a string, true/false or null", v)
    return dict(params)
