"""Save and load a :class:`forecast.Projection` (Parquet or CSV plus JSON; no pickle).

Layout of a projection directory::

    metadata.json      format, years, scenario names, probabilities, seed, model, unit,
                       settings, history, point forecast, file names, and the SHA-256
                       of every data file ("checksums")
    samples.parquet    columns scenario, path, then one column per year ("2026", ...):
                       one row per (scenario, path), levels; or samples.csv
    base_log.parquet   columns path, then one column per year: baseline log paths
    scenarios.toml     scenario definitions (forecast.dump_scenarios), when the
                       scenarios can be written as TOML
    .forecast-output.json  the marker of a folder written by forecast

Floats are written exactly (Parquet float64; CSV with shortest round-trip repr), so a
loaded projection has bit-identical samples. Names come back exactly too: a CSV's name
columns are read as text, so a scenario named ``NA``, ``None`` or ``2030`` stays that
string (:func:`parse_csv`).

Saving is atomic (:mod:`forecast._io.folders`): the folder is staged beside the target and
swapped in whole, so a failed or interrupted save leaves the previous folder as it was.
Loading trusts nothing (``docs/reliability.md``): ``metadata.json`` is checked key by key
(:mod:`forecast.projection._meta`), only the files of the format are read, never
through a symbolic link, and each must match its checksum before it is parsed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import stat
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._io.cells import unneutralise
from .._io.folders import OutputFolder, atomic_folder
from .._io.oserror import input_error
from .._resources import check_memory, format_bytes
from .._validation import check_bool, hand_over, user_stacklevel
from ..errors import (
    DataError,
    ForecastError,
    ForecastTypeError,
    OutputError,
    ParameterError,
    ResourceError,
)
from ..scenarios import ScenarioSet, dumps_scenarios, loads_scenarios
from ._meta import FORMAT, FORMAT_VERSION, SCENARIO_FILE, check_metadata

#: Largest metadata.json read (history, settings and a point forecast fit in a few kB).
MAX_METADATA_BYTES = 10_000_000

#: The columns of the data files that hold names (text), not numbers.
NAME_COLUMNS = ("scenario", "market")


def _has_pyarrow() -> bool:
    return importlib.util.find_spec("pyarrow") is not None


def _dir(directory: Any, error: type[ForecastError] = OutputError) -> Path:
    """`directory` as a Path; an empty one is `error` (it would be the current folder)."""
    if not isinstance(directory, str | os.PathLike):
        raise ForecastTypeError(
            f"`directory` must be a path (str or os.PathLike); got {type(directory).__name__}. "
            "Pass e.g. 'my_run'."
        )
    if not os.fspath(directory):  # Path("") is "." (an unset variable, not a request)
        raise error(f"the `directory` path is empty; got {directory!r}. Pass a folder name, "
                    "e.g. 'my_run' (an unset variable?).")
    return Path(os.path.expanduser(directory))  # '~/runs', as pandas reads it


#: Suffixes of single data files: a `directory` named with one (``p.parquet``) is taken
#: for the file it reads as, and refused by :func:`folder_path`.
FILE_SUFFIXES = frozenset({".parquet", ".pq", ".csv", ".tsv", ".json", ".xlsx", ".xls",
                           ".pkl", ".pickle", ".h5", ".hdf5", ".nc", ".feather", ".arrow",
                           ".npy", ".npz", ".zip", ".gz", ".bz2", ".xz", ".zst", ".tar"})


def folder_path(directory: Any, what: str = "Projection") -> Path:
    """`directory` for ``save``: a path whose suffix names a data file is refused.

    A projection is saved as a folder of files; ``proj.save("p.parquet")`` made a
    folder named ``p.parquet`` where a user coming from ``DataFrame.to_parquet`` expects
    one file. ``load`` reads a folder of any name (one saved before this check too).
    """
    path = _dir(directory)
    suffix = path.suffix.lower()
    if suffix in FILE_SUFFIXES:
        stem = path.with_suffix("")
        raise ParameterError(
            f"`directory` must name a folder: {what}.save writes a folder of files "
            f"(samples.parquet, base_log.parquet, metadata.json, ...), not one file; got "
            f"{os.fspath(directory)!r}, whose {path.suffix} suffix names a file. Pass a "
            f"folder name without it, e.g. {os.fspath(stem)!r} ({what}.load("
            f"{os.fspath(stem)!r}) reads it back); format='csv' or 'parquet' sets the "
            "format of the files inside.", field="directory")
    return path


def _write(out: OutputFolder, name: str, df: pd.DataFrame) -> None:
    if name.endswith(".parquet"):
        with out.open(name) as fh:
            df.to_parquet(fh, index=False)
    else:
        out.write_csv(name, df)  # the scenario column is neutralised, numbers are not


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


def extension(format: Any, force: Any) -> str:
    """The data files' extension for `format` ("csv" without pyarrow); checks `force`."""
    if format not in ("parquet", "csv"):
        raise ParameterError(f'`format` must be "parquet" or "csv"; got {format!r}.')
    check_bool("force", force)
    return "parquet" if format == "parquet" and _has_pyarrow() else "csv"


def save(p: Any, directory: Any, format: str = "parquet", force: bool = False) -> Path:
    """Write `p` to `directory` atomically; see the module docstring for the layout."""
    path = folder_path(directory)
    ext = extension(format, force)
    cols = [str(y) for y in p.years.tolist()]
    s, n, h = p.samples.shape
    samples = pd.DataFrame(p.samples.reshape(s * n, h), columns=cols)
    samples.insert(0, "path", np.tile(np.arange(n, dtype=np.int64), s))
    samples.insert(0, "scenario", np.repeat(np.array(p.scenario_names, dtype=object), n))
    base = pd.DataFrame(p.base_log, columns=cols)
    base.insert(0, "path", np.arange(n, dtype=np.int64))
    with atomic_folder(path, kind="projection", force=force, what="projection folder",
                       again="call save again") as out:
        _write(out, f"samples.{ext}", samples)
        _write(out, f"base_log.{ext}", base)
        scenarios = _dump_scenarios(p, out)
        files = [f"samples.{ext}", f"base_log.{ext}"] + (
            [SCENARIO_FILE] if scenarios.get("file") else [])
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
            "history": {"years": p.history.years.tolist(),
                        "values": p.history.values.tolist(),
                        "unit": p.history.unit, "name": p.history.name},
            "scenarios": scenarios,
            "checksums": {name: out.sha256(name) for name in files},
        }
        out.write_text("metadata.json", json.dumps(meta, indent=2, default=_jsonable))
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


def _dump_scenarios(p: Any, out: OutputFolder) -> dict[str, Any]:
    if p.scenarios is None:
        why = p.settings.get("scenarios_unavailable", "the scenario definitions are missing")
        return {"file": None, "unavailable": why}
    try:
        text = dumps_scenarios(ScenarioSet(p.scenarios, probabilities=p.probabilities))
    except (ImportError, ForecastError, TypeError, ValueError, NotImplementedError,
            AttributeError) as exc:
        return {"file": None, "json": [_describe(s) for s in p.scenarios],
                "unavailable": f"the scenarios could not be written as TOML: {exc}"}
    out.write_text(SCENARIO_FILE, text)
    return {"file": SCENARIO_FILE}


# ----------------------------------------------------------------------------- load
def _member(path: Path, name: str, limit: int | None = None) -> bytes:
    """The bytes of file `name` inside `path`: a plain file, never through a link."""
    file = path / name
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        if file.is_symlink():
            raise DataError(f"{file} is a symbolic link; a projection folder holds plain "
                            "files only, and load() never follows links. Replace the link "
                            "with the file, or save the projection again.")
        fd = os.open(file, flags)
    except FileNotFoundError:
        raise DataError(f"projection file {file} must exist; it is missing. Save the "
                        "projection again with its save(directory).") from None
    except OSError as exc:
        raise input_error(exc, file, "projection file") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DataError(f"{file} must be a plain file; it is not. Save the projection "
                            "again.")
        if limit is not None and info.st_size > limit:
            raise DataError(f"{file} must be at most {limit:,} bytes; it has "
                            f"{info.st_size:,}. It is not the metadata of a saved projection.")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    except OSError as exc:
        raise input_error(exc, file, "projection file") from None
    finally:
        os.close(fd)


def _verify(data: bytes, name: str, path: Path, sums: dict[str, str] | None) -> None:
    if sums is None:
        return
    if hashlib.sha256(data).hexdigest() != sums[name]:
        raise DataError(
            f"{path / name} does not match the SHA-256 checksum in metadata.json: the file was "
            "changed, truncated or replaced after it was saved. Restore it from a copy, "
            "or save the projection again.")


def parse_csv(data: bytes) -> pd.DataFrame:
    """A data file written as CSV by :func:`save`, with every name exactly as saved.

    The name columns (:data:`NAME_COLUMNS`) are text whatever they hold: pandas would
    read a scenario named ``NA``, ``None``, ``null`` or ``#N/A`` as a missing value, and
    one named ``2030`` as a number. The formula guard of the save (a leading apostrophe
    before ``=``, ``+``, ``-`` or ``@``) is undone. The year columns are floats, parsed
    exactly.

    Parameters
    ----------
    data : bytes
        The file's content (UTF-8 CSV with a header row).

    Returns
    -------
    DataFrame
        The file's columns in order: the name columns present as str, the others as
        pandas parses them (a cell that is not a number, even an empty one, leaves its
        column text, for the caller to refuse).

    Examples
    --------
    >>> parse_csv(b"scenario,path,2026\\nNA,0,1.5\\n'=x,0,2.5\\n")["scenario"].tolist()
    ['NA', '=x']
    """
    # na_filter=False: no cell is a missing value. A saved projection holds only finite
    # numbers, so this changes nothing for them, and a name is never lost.
    kwargs: dict[str, Any] = {"dtype": dict.fromkeys(NAME_COLUMNS, str), "na_filter": False}
    if int(pd.__version__.split(".")[0]) < 3:  # pandas 3 parses floats exactly by default
        kwargs["float_precision"] = "round_trip"
    frame = pd.read_csv(io.BytesIO(data), **kwargs)
    for col in NAME_COLUMNS:
        if col in frame.columns:  # a few names repeated over many rows: map each once
            frame[col] = frame[col].map({v: unneutralise(v) for v in frame[col].unique()})
    return frame


#: Peak memory of a load per byte of the arrays it returns (samples and base_log), by
#: format: the file's bytes, the Arrow table or parsed text, the DataFrame, its numpy
#: copy and the name checks. Measured as the rise of the peak RSS of a fresh process
#: loading 7 scenarios x 300,000 paths x 10 years (192 MB of arrays): 3.55 to 3.99
#: from Parquet (it varies from run to run), 4.53 from CSV.
LOAD_FACTOR = {"parquet": 4.0, "csv": 4.6}


def check_load_memory(path: Path, data_file: str, rows: int, settings: dict[str, Any],
                      years: int, shape: str) -> None:
    """Refuse, before reading, a load that cannot fit in memory (as project refuses a run).

    `rows` arrays of `years` floats per path (every scenario's samples and the baseline's
    coordinates); the number of paths is the ``n_paths`` metadata.json records. Without
    it (a folder written by hand) the check is skipped and an out-of-memory is still
    reported by :func:`out_of_memory`.
    """
    n = settings.get("n_paths")
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        return
    kind = "parquet" if data_file.endswith(".parquet") else "csv"
    arrays = 8.0 * rows * n * years
    check_memory(LOAD_FACTOR[kind] * arrays,
                 f"loading {path} ({shape} {n:,} paths x {years} years: "
                 f"{format_bytes(arrays)} of arrays, read from {kind.upper()} files)",
                 "The files are not damaged: load them where more memory is free (a load "
                 f"needs about {LOAD_FACTOR[kind]:g} times the arrays)")


@contextmanager
def out_of_memory(path: Path) -> Iterator[None]:
    """Report running out of memory while loading `path` as such, never as a bad file."""
    try:
        yield
    except ResourceError:
        raise
    except MemoryError:
        raise ResourceError(
            f"loading {path} ran out of memory. That says nothing about its files (do not "
            "replace them): load them where more memory is free. A "
            f"load needs about {LOAD_FACTOR['parquet']:g} times the size of the arrays from "
            f"Parquet and {LOAD_FACTOR['csv']:g} times from CSV (8 bytes per path, year, and "
            "scenario or baseline coordinate).") from None


def _parse(data: bytes, name: str, path: Path) -> pd.DataFrame:
    try:
        if name.endswith(".parquet"):  # written as they are: nothing to undo
            return pd.read_parquet(io.BytesIO(data))
        return parse_csv(data)
    except MemoryError:  # not the file's fault: out_of_memory says so
        raise
    except Exception:  # pyarrow and pandas raise many types for a bad file
        kind = "Parquet" if name.endswith(".parquet") else "CSV"
        raise DataError(f"{path / name} cannot be read as {kind} (corrupt or not written by "
                        "save()). Restore it from a copy, or save the projection "
                        "again.") from None


def _frame_array(df: pd.DataFrame, cols: list[str], lead: list[str], file: str) -> np.ndarray:
    if list(df.columns) != lead + cols:
        raise DataError(
            f"{file} must have the columns {', '.join(lead)}, then one per year "
            f"{cols[0]}-{cols[-1]}; it has {len(df.columns)} columns that differ. The file was "
            "changed after it was saved; save the projection again."
        )
    try:
        return df[cols].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise DataError(f"{file} must hold numbers in the year columns; it does not.") from None


def _load_scenarios(meta: dict[str, Any], path: Path, names: tuple[str, ...],
                    sums: dict[str, str] | None):
    info = meta["scenarios"]
    if not info["file"]:
        return None, info.get("unavailable") or "the file has no scenario definitions"
    data = _member(path, SCENARIO_FILE, 1_048_576)
    _verify(data, SCENARIO_FILE, path, sums)
    try:
        loaded = {s.name: s for s in loads_scenarios(data.decode("utf-8"),
                                                     str(path / SCENARIO_FILE)).scenarios}
        return tuple(loaded[n] for n in names), None
    except (ImportError, ForecastError, KeyError, UnicodeDecodeError) as exc:
        return None, f"{SCENARIO_FILE} could not be read back ({type(exc).__name__})"


def read_metadata(directory: Any, what: str = "Projection") -> tuple[Path, Any]:
    """The folder and its parsed ``metadata.json`` (not yet checked), else DataError."""
    path = _dir(directory, DataError)
    if not path.is_dir():
        raise DataError(f"{path} must be a folder written by {what}.save (with its "
                        "metadata.json); it "
                        f"{'is a file' if path.exists() else 'does not exist'}. Pass the "
                        "directory given to save().")
    if not (path / "metadata.json").exists() and not (path / "metadata.json").is_symlink():
        raise DataError(f"{path} must contain metadata.json written by {what}.save; it "
                        "does not. Pass the directory given to save().")
    raw = _member(path, "metadata.json", MAX_METADATA_BYTES)
    try:
        return path, json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if hasattr(exc, "lineno") else ""
        raise DataError(f"{path / 'metadata.json'} must be valid JSON; it is not{where}. "
                        "Save the projection again.") from None


def read_frame(path: Path, name: str, sums: dict[str, str] | None) -> pd.DataFrame:
    """Data file `name` of the folder: read without following links, verified, parsed."""
    with out_of_memory(path):
        data = _member(path, name)
        _verify(data, name, path, sums)
        return _parse(data, name, path)


def read_fields(directory: Any) -> dict[str, Any]:
    """Read a projection written by :func:`save`: the keyword arguments of ``Projection``.

    Returns the fields rather than the object, so that this module does not import
    :mod:`forecast.projection.projection` (which imports this one).
    """
    path, meta = read_metadata(directory)
    m = check_metadata(meta, path / "metadata.json")
    sums = m["checksums"]
    if sums is None:
        warnings.warn(f"{path} was saved without checksums (format version 1), so its files "
                      "cannot be verified; save it again to add them.", UserWarning,
                      stacklevel=user_stacklevel())
    names = m["scenario_names"]
    check_load_memory(path, m["samples_file"], len(names) + 1, m["settings"], len(m["years"]),
                      f"{len(names)} scenarios and the baseline x")
    frames = {key: read_frame(path, m[key], sums) for key in ("samples_file", "base_log_file")}
    years = np.asarray(m["years"], dtype=np.int64)
    cols = [str(y) for y in m["years"]]
    samples_df = frames["samples_file"]
    with out_of_memory(path):
        flat = _frame_array(samples_df, cols, ["scenario", "path"], m["samples_file"])
        base = _frame_array(frames["base_log_file"], cols, ["path"], m["base_log_file"])
        n = base.shape[0]
        expected = np.repeat(np.array(names, dtype=object), n)
        got = samples_df["scenario"].to_numpy(dtype=object)  # as saved (see parse_csv)
        paths_in_order = np.array_equal(samples_df["path"].to_numpy(),
                                        np.tile(np.arange(n), len(names)))
    if flat.shape[0] != len(names) * n or not (np.array_equal(got, expected)
                                               and paths_in_order):
        raise DataError(
            f"{m['samples_file']} must hold {n} paths of each scenario {list(names)} in "
            "order; it does not. Save the projection again."
        )
    scenarios, why = _load_scenarios(m, path, names, sums)
    settings = m["settings"]
    if why is not None:
        settings["scenarios_unavailable"] = why
    samples = flat.reshape(len(names), n, years.size)
    hand_over(samples, base)  # read here, held by the projection only: kept, not copied
    return dict(
        years=years, scenario_names=names, samples=samples,
        base_log=base, center=np.asarray(m["center"], dtype=float), history=m["history"],
        seed=m["seed"], model=m["model"], unit=m["unit"], probabilities=m["probabilities"],
        scenarios=scenarios, settings=settings,
    )
