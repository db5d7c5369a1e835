"""Strict checks of a saved projection's ``metadata.json`` (private; see ``files``).

``metadata.json`` is read from disk, so nothing in it is trusted: it must be a JSON
object with exactly the expected keys and types, it may name only the files of the
format (``samples.parquet`` or ``samples.csv``, ``base_log.*``, ``scenarios.toml``), and
each error names the key, a short view of the value and the fix. Values are shown
shortened so that an error never echoes a large part of a file.
"""

from __future__ import annotations

import numbers
import re
from pathlib import Path
from typing import Any

from ..errors import DataError, ForecastError
from ..series import AnnualSeries

FORMAT = "forecast.Projection"
#: 2 adds ``checksums`` (SHA-256 of every data file), verified on load.
FORMAT_VERSION = 2
VERSIONS = (1, 2)
SAMPLES_FILES = ("samples.parquet", "samples.csv")
BASE_FILES = ("base_log.parquet", "base_log.csv")
SCENARIO_FILE = "scenarios.toml"
YEARS = (1800, 2400)
_SHA = re.compile(r"^[0-9a-f]{64}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def short(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to `limit` characters, with the type name."""
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"{text} ({type(value).__name__})"


class _Checker:
    def __init__(self, where: Path) -> None:
        self.where = where

    def fail(self, key: str, must: str, value: Any) -> DataError:
        return DataError(
            f"{self.where}: `{key}` must be {must}; got {short(value)}. The file was changed "
            "after it was saved, or the folder is not a saved projection: save the "
            "projection again.")

    def int_(self, key: str, v: Any, lo: int | None = None, hi: int | None = None) -> int:
        ok = isinstance(v, int) and not isinstance(v, bool)
        if not ok or (lo is not None and v < lo) or (hi is not None and v > hi):
            rng = f" in [{lo}, {hi}]" if lo is not None and hi is not None else (
                f" >= {lo}" if lo is not None else "")
            raise self.fail(key, f"an int{rng}", v)
        return v

    def num(self, key: str, v: Any) -> float:
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or v != v or abs(v) == \
                float("inf"):
            raise self.fail(key, "a finite number", v)
        return float(v)

    def str_(self, key: str, v: Any, allowed: tuple[str, ...] | None = None) -> str:
        if not isinstance(v, str) or (allowed is not None and v not in allowed):
            must = "a string" if allowed is None else "one of " + ", ".join(map(repr, allowed))
            raise self.fail(key, must, v)
        return v

    def text(self, key: str, v: Any) -> str:
        """A non-empty string (a unit: what the tables and charts say the levels are in)."""
        if not isinstance(v, str) or not v.strip():
            raise self.fail(key, "a non-empty string", v)
        return v

    def only(self, meta: dict, keys: list[str] | tuple[str, ...], within: str = "") -> None:
        """Refuse a key that a saved file of this format does not have (in `within`)."""
        unknown = [k for k in meta if k not in keys]
        if unknown:
            name = f"{within}.{unknown[0]}" if within else str(unknown[0])
            shown = repr(name) if len(repr(name)) <= 60 else repr(name)[:57] + "..."
            more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
            of = f"its `{within}` has" if within else "a saved projection has"
            raise DataError(
                f"{self.where} has the unknown key {shown}{more}; {of} only the keys "
                f"{', '.join(keys)}. The file was changed after it was saved, or the folder "
                "is not a saved projection: remove the key or save the projection again.")

    def list_(self, key: str, v: Any, min_len: int = 0) -> list:
        if not isinstance(v, list) or len(v) < min_len:
            raise self.fail(key, f"a list of at least {min_len} item(s)", v)
        return v

    def dict_(self, key: str, v: Any) -> dict:
        if not isinstance(v, dict):
            raise self.fail(key, "a JSON object", v)
        return v


def check_metadata(meta: Any, where: Path) -> dict[str, Any]:
    """Check `meta` (parsed metadata.json); return the normalised fields."""
    c = _Checker(where)
    if not isinstance(meta, dict):
        raise DataError(f"{where} must hold a JSON object (the metadata of a saved "
                        f"projection); got a JSON {type(meta).__name__}. Save the projection "
                        "again.")
    fmt, version = meta.get("format"), meta.get("format_version")
    if fmt != FORMAT or version not in VERSIONS or isinstance(version, bool):
        raise DataError(
            f"{where} must describe a {FORMAT} (format_version {' or '.join(map(str, VERSIONS))});"
            f" got format {short(fmt)}, format_version {short(version)}. Pass the folder "
            "written by Projection.save" + (
                " (a multi-market projection is read by forecast.MarketProjection.load)."
                if fmt == "forecast.MarketProjection" else "."))
    need = ["samples_file", "base_log_file", "years", "scenario_names", "probabilities",
            "seed", "model", "unit", "settings", "center", "history", "scenarios"]
    need += ["checksums"] if version >= 2 else []
    missing = [k for k in need if k not in meta]
    if missing:
        raise DataError(f"{where} must have the keys {', '.join(need)}; "
                        f"{', '.join(map(repr, missing))} missing. Save the projection again.")
    c.only(meta, ["format", "format_version", *need])
    out: dict[str, Any] = {"version": version}
    out["samples_file"] = c.str_("samples_file", meta["samples_file"], SAMPLES_FILES)
    out["base_log_file"] = c.str_("base_log_file", meta["base_log_file"], BASE_FILES)
    out["years"] = years = check_years(c, "years", meta["years"])
    names = c.list_("scenario_names", meta["scenario_names"], 1)
    for i, n in enumerate(names):
        if not isinstance(n, str) or not n or _CONTROL.search(n):
            raise c.fail(f"scenario_names[{i}]", "a non-empty name without control "
                         "characters", n)
    if len(set(names)) != len(names):
        raise c.fail("scenario_names", "unique names", names)
    out["scenario_names"] = tuple(names)
    out["probabilities"] = check_probabilities(c, meta["probabilities"], len(names))
    out["seed"] = check_seed(c, meta["seed"])
    out["model"] = c.str_("model", meta["model"])
    out["unit"] = c.text("unit", meta["unit"])
    out["settings"] = dict(c.dict_("settings", meta["settings"]))
    center = [c.num(f"center[{i}]", v) for i, v in enumerate(c.list_("center", meta["center"]))]
    if len(center) != len(years):
        raise c.fail("center", f"a list of {len(years)} numbers (one per year)", meta["center"])
    out["center"] = center
    out["history"] = _history(c, meta["history"])
    out["scenarios"] = check_scenarios(c, meta["scenarios"])
    out["checksums"] = check_checksums(c, meta.get("checksums"), out) if version >= 2 else None
    return out


def check_years(c: _Checker, key: str, value: Any) -> list[int]:
    """A non-empty list of consecutive years in :data:`YEARS`."""
    years = [c.int_(f"{key}[{i}]", y, *YEARS) for i, y in enumerate(c.list_(key, value, 1))]
    if any(b - a != 1 for a, b in zip(years, years[1:], strict=False)):
        raise c.fail(key, "consecutive years", value)
    return years


def check_probabilities(c: _Checker, value: Any, n: int) -> tuple[float, ...] | None:
    """None, or one finite number per scenario."""
    if value is None:
        return None
    return tuple(c.num(f"probabilities[{i}]", p)
                 for i, p in enumerate(c.list_("probabilities", value, n)))


def check_seed(c: _Checker, value: Any) -> int | tuple[int, ...]:
    """A seed as saved: an int >= 0, or a list of them (SeedSequence entropy)."""
    if isinstance(value, list):
        return tuple(c.int_(f"seed[{i}]", s, 0) for i, s in enumerate(value))
    return c.int_("seed", value, 0)


def _history(c: _Checker, hist: Any) -> AnnualSeries:
    hist = c.dict_("history", hist)
    for key in ("years", "values", "unit", "name"):
        if key not in hist:
            raise c.fail("history", "an object with years, values, unit and name", hist)
    c.only(hist, ("years", "values", "unit", "name"), "history")
    years = [c.int_(f"history.years[{i}]", y, *YEARS)
             for i, y in enumerate(c.list_("history.years", hist["years"], 1))]
    values = [c.num(f"history.values[{i}]", v)
              for i, v in enumerate(c.list_("history.values", hist["values"], 1))]
    try:
        return AnnualSeries(years, values, unit=c.str_("history.unit", hist["unit"]),
                            name=c.str_("history.name", hist["name"]))
    except ForecastError as exc:
        raise DataError(f"{c.where}: `history` must be a valid annual series; {exc}") from None


def check_scenarios(c: _Checker, info: Any) -> dict[str, Any]:
    info = c.dict_("scenarios", info)
    c.only(info, ("file", "json", "unavailable"), "scenarios")
    file = info.get("file")
    if file is not None:
        c.str_("scenarios.file", file, (SCENARIO_FILE,))
    why = info.get("unavailable")
    if why is not None and not isinstance(why, str):
        raise c.fail("scenarios.unavailable", "a string", why)
    return {"file": file, "unavailable": why}


def check_checksums(c: _Checker, sums: Any, out: dict[str, Any]) -> dict[str, str]:
    sums = c.dict_("checksums", sums)
    files = [out["samples_file"], out["base_log_file"]]
    if out["scenarios"]["file"]:
        files.append(SCENARIO_FILE)
    c.only(sums, files, "checksums")
    for name in files:
        if not isinstance(sums.get(name), str) or not _SHA.match(sums[name]):
            raise c.fail(f"checksums[{name!r}]", "the 64-digit SHA-256 of that file",
                         sums.get(name))
    return {name: sums[name] for name in files}
