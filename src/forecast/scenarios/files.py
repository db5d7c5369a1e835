"""Scenario files in TOML: strict loading and exact round-trip writing.

The format (see ``docs/scenarios.md`` for the full reference)::

    [[scenario]]
    name = "my_friction"
    description = "Friction with an uncertain levy"
    probability = 0.4                       # optional; all scenarios or none

    [[scenario.assumption]]
    type = "level_shift"                    # level_shift, growth_shift, adoption,
    name = "levy"                           # escalation, volatility, group
    start = {dist = "discrete_uniform", low = 2027, high = 2029}
    size = {dist = "uniform", low = -0.08, high = -0.02}
    phase_in = 2
    probability = 0.5

    [[scenario.assumption]]
    preset = "trade_friction"               # a domain assumption from forecast.presets
    severity = "mild"

Every error is a :class:`~forecast.errors.ConfigError` naming the key path (tables
counted from 1 in file order, e.g. ``scenario[2].assumption[1].half_life``), the value and
the fix. The key comes from the ``field`` an error of the constructors carries, never from
its text. Assumption types are the classes :func:`~forecast.scenarios.register` made
known. Files over 1 MB are refused before they are read.

Examples
--------
>>> import tempfile, pathlib
>>> from forecast import presets
>>> path = pathlib.Path(tempfile.mkdtemp()) / "s.toml"
>>> _ = dump_scenarios(presets.scenario_set(), path)
>>> load_scenarios(path) == presets.scenario_set()
True
"""

from __future__ import annotations

import dataclasses
import inspect
import numbers
import os
import tomllib
from pathlib import Path
from typing import Any

from .._io.seals import LineSeal, check_own_file, write_own
from .._keywords import checked_keywords
from .._validation import check_bool
from ..errors import ConfigError, ForecastError, ForecastTypeError
from ..records.schema import suggest
from . import presets as _presets
from ._distribution_base import _file_problem
from .assumption import Assumption, registered
from .distributions import DiscreteUniform, Distribution, Fixed
from .diversion import Diversion
from .group import Group
from .scenario import Scenario, ScenarioSet

__all__ = ["MAX_BYTES", "dump_scenarios", "dumps_scenarios", "load_scenarios", "loads_scenarios"]

MAX_BYTES = 1_048_576  # 1 MB: a scenario file is a few KB; anything larger is a mistake

_TOP = ("scenario",)
_SCENARIO = ("name", "description", "probability", "preset", "assumption")


def _err(path: str, msg: str) -> ConfigError:
    return ConfigError(f"{path}: {msg}")


def _reraise(path: str, e: ForecastError, keys: dict[str, str] | None = None) -> ConfigError:
    """`e` as a ConfigError at `path`, plus the key its ``field`` names (mapped by `keys`)."""
    key = (keys or {}).get(e.field, e.field) if e.field else None
    return _err(f"{path}.{key}" if key else path, str(e))


def _keys(path: str, table: dict, allowed: tuple[str, ...] | list[str]) -> None:
    for key, value in table.items():
        if key not in allowed:
            raise _err(f"{path}.{key}", f"unknown key {key!r} (value {_short(value)})."
                       f"{suggest(key, allowed)} Allowed keys: {', '.join(allowed)}. Remove it "
                       "or fix its spelling.")


def _short(v: object, width: int = 80) -> str:
    text = repr(v)
    return text if len(text) <= width else text[: width - 3] + "..."


def _string(path: str, v: object, fix: str) -> str:
    if not isinstance(v, str):
        raise _err(path, f"must be a string; got {v!r} ({type(v).__name__}). {fix}")
    return v


def _is_num(v: object) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _dist(path: str, v: dict) -> Distribution:
    try:
        return Distribution.from_dict(v)
    except ForecastError as e:
        raise _reraise(path, e) from None


def _param(path: str, v: object) -> float | Distribution:
    # nan and inf pass: the assumption refuses them naming its own parameter and that
    # parameter's fix (a fixed example here would be wrong for some: -0.05 is no half-life)
    if _is_num(v):
        return float(v)  # type: ignore[arg-type]
    if isinstance(v, dict):
        return _dist(path, v)
    raise _err(path, f"must be a number or a distribution table; got {v!r} "
               f"({type(v).__name__}). Write e.g. 0.02 or {{dist = \"uniform\", low = 0.01, "
               "high = 0.03}.")


def _year(path: str, v: object) -> int | Distribution:
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    if isinstance(v, float) and v.is_integer():  # 2027.0, as the Python API accepts it
        return int(v)
    if isinstance(v, float):
        raise _err(path, f"must be a whole year; got {v!r}, which is not a whole number "
                   f"(years are calendar years). Write e.g. {_example_year(v)}.")
    if isinstance(v, dict):
        d = _dist(path, v)
        if isinstance(d, DiscreteUniform | Fixed):
            return d
    raise _err(path, f"must be a year (integer) or {{dist = \"discrete_uniform\", low = ..., "
               f"high = ...}}; got {v!r}. Write e.g. 2027.")


def _example_year(v: float) -> int:
    """A whole year near `v` for the advice (2028 for 2028.5; 2027 for nan, inf or 20.5)."""
    return int(v) if 1900 <= v <= 2200 else 2027


def _assumption(path: str, table: object) -> Assumption:
    if not isinstance(table, dict):
        raise _err(path, f"must be a table; got {table!r}. Write [[scenario.assumption]].")
    if "preset" in table:
        return _preset_assumption(path, table)
    kinds = registered()
    if "type" not in table:
        raise _err(f"{path}.type", "missing; every assumption needs `type` (one of "
                   f"{', '.join(kinds)}) or `preset` (one of "
                   f"{', '.join(_presets.ASSUMPTIONS)}). Add type = \"level_shift\", say.")
    kind = table["type"]
    cls: type[Assumption] | None = kinds.get(kind) if isinstance(kind, str) else None
    if cls is None:
        hint = suggest(kind, kinds) if isinstance(kind, str) else ""
        raise _err(f"{path}.type", f"unknown assumption type {kind!r}.{hint} Use one of "
                   f"{', '.join(kinds)}, or register your class with "
                   "forecast.scenarios.register.")
    if cls is Group:
        return _group(path, table)
    if cls is Diversion:
        return _diversion(path, table)
    fields = [f for f in inspect.signature(cls).parameters]
    _keys(path, table, ["type", *fields])
    kwargs: dict[str, Any] = {}
    for key, v in table.items():
        if key == "type":
            continue
        if key == "name":
            kwargs[key] = _string(f"{path}.name", v, "Write name = \"tariff_step\".")
            if not v.strip():
                raise _err(f"{path}.name", f"must be a non-empty name; got {v!r}. Write "
                           "name = \"tariff_step\", or leave it out to use the type.")
        elif key in cls.year_fields:
            kwargs[key] = _year(f"{path}.{key}", v)
        else:
            kwargs[key] = _param(f"{path}.{key}", v)
    need = [p.name for p in inspect.signature(cls).parameters.values()
            if p.default is inspect.Parameter.empty and p.name not in kwargs]
    if need:
        raise _err(f"{path}.{need[0]}", f"missing; type {kind!r} needs `{need[0]}`. Add "
                   f"{need[0]} = <number or distribution table>.")
    try:
        return cls(**kwargs)
    except ForecastError as e:  # before TypeError: ForecastTypeError is one too
        raise _reraise(path, e) from None


def _group(path: str, table: dict) -> Group:
    _keys(path, table, ["type", "name", "probability", "part"])
    if "name" not in table:
        raise _err(f"{path}.name", "missing; a group needs a name. Add name = \"my_group\".")
    name = _string(f"{path}.name", table["name"], "Write name = \"my_group\".")
    parts = table.get("part", [])
    if not isinstance(parts, list) or not parts:
        raise _err(f"{path}.part", f"a group needs at least one [[...part]] table; got "
                   f"{parts!r}. Add its parts as [[scenario.assumption.part]] tables.")
    items = tuple(_assumption(f"{path}.part[{k}]", p) for k, p in enumerate(parts, 1))
    try:
        return Group(name, items, _param(f"{path}.probability", table.get("probability", 1.0)))
    except ForecastError as e:
        raise _reraise(path, e) from None


def _diversion(path: str, table: dict) -> Diversion:
    _keys(path, table, ["type", "name", "market", "to", "rate", "part"])
    parts = table.get("part", [])
    if not isinstance(parts, list) or len(parts) != 1:
        raise _err(f"{path}.part", f"a diversion needs exactly one [[...part]] table, its "
                   f"source; got {parts!r}. Add it as [[scenario.assumption.part]].")
    source = _assumption(f"{path}.part[1]", parts[0])
    if "rate" not in table:
        raise _err(f"{path}.rate", "a diversion needs `rate`, the fraction of the source's "
                   "loss that moves to other markets; got none. Add e.g. rate = 0.5, or "
                   "rate = 0 for none.")
    kwargs: dict[str, Any] = {"rate": _param(f"{path}.rate", table["rate"])}
    for key in ("name", "market", "to"):
        if key in table:
            kwargs[key] = _string(f"{path}.{key}", table[key], f'Write {key} = "EU", say.')
    try:
        return Diversion(source, **kwargs)
    except ForecastError as e:
        raise _reraise(path, e) from None


def _preset_assumption(path: str, table: dict) -> Assumption:
    key = table["preset"]
    fn = _presets.ASSUMPTIONS.get(key) if isinstance(key, str) else None
    if fn is None:
        hint = suggest(key, _presets.ASSUMPTIONS) if isinstance(key, str) else ""
        raise _err(f"{path}.preset", f"unknown preset {key!r}.{hint} Use one of "
                   f"{', '.join(_presets.ASSUMPTIONS)}.")
    params = inspect.signature(fn).parameters
    _keys(path, table, ["preset", *params])
    kwargs: dict[str, Any] = {}
    for k, v in table.items():
        if k == "preset":
            continue
        if k in ("severity", "name"):
            example = "moderate" if k == "severity" else "my_friction"
            kwargs[k] = _string(f"{path}.{k}", v, f'Write {k} = "{example}".')
        elif k == "start":
            kwargs[k] = _year(f"{path}.{k}", v)
        else:
            kwargs[k] = _param(f"{path}.{k}", v)
    try:
        return fn(**kwargs)
    except ForecastError as e:
        # blame the key the error names when the file gave it, else the preset itself
        raise _err(f"{path}.{e.field if e.field in kwargs else 'preset'}", str(e)) from None


def _scenario(path: str, table: object) -> tuple[Scenario, float | None]:
    if not isinstance(table, dict):
        raise _err(path, f"must be a table; got {table!r}. Write [[scenario]].")
    _keys(path, table, _SCENARIO)
    base: Scenario | None = None
    if "preset" in table:
        pname = table["preset"]
        if not isinstance(pname, str) or pname not in _presets.names():
            hint = suggest(pname, _presets.names()) if isinstance(pname, str) else ""
            raise _err(f"{path}.preset", f"unknown named scenario {pname!r}.{hint} Use one "
                       f"of {', '.join(_presets.names())}.")
        base = _presets.get(pname)
    if "name" not in table and base is None:
        raise _err(f"{path}.name", "missing; every scenario needs a name. Add name = \"...\".")
    name = _string(f"{path}.name", table.get("name", base.name if base is not None else ""),
                   "Write name = \"my_scenario\".")
    desc = _string(f"{path}.description",
                   table.get("description", base.description if base is not None else ""),
                   "Write description = \"...\" or leave it out.")
    prob = table.get("probability")
    if prob is not None and (not _is_num(prob) or not 0 <= prob <= 1):
        raise _err(f"{path}.probability", f"must be a number in [0, 1]; got {prob!r}. Give "
                   "each scenario's probability, summing to 1 over the file.")
    raw = table.get("assumption", [])
    if not isinstance(raw, list):
        raise _err(f"{path}.assumption", f"must be an array of tables; got {raw!r}. Write "
                   "[[scenario.assumption]] sections.")
    items = tuple(_assumption(f"{path}.assumption[{k}]", a) for k, a in enumerate(raw, 1))
    if base is not None:
        items = base.assumptions + items
    try:
        return Scenario(name, items, desc), (None if prob is None else float(prob))
    except ForecastError as e:  # a bad scenario name, or two assumptions with one name
        raise _reraise(path, e, {"assumptions": "assumption"}) from None


@checked_keywords
def loads_scenarios(text: str, source: str = "<string>") -> ScenarioSet:
    """Parse scenario TOML text (see :func:`load_scenarios`)."""
    if isinstance(text, bytes | bytearray):
        raise ForecastTypeError(f"`text` must be a str of TOML; got {type(text).__name__}. "
                                "Decode it first: loads_scenarios(data.decode('utf-8')).")
    if not isinstance(text, str):
        raise ForecastTypeError(f"`text` must be a str of TOML; got {type(text).__name__}. "
                                "Pass the file's text, or use load_scenarios(path).")
    if len(text) > MAX_BYTES:
        raise ConfigError(f"{source}: scenario text must be at most {MAX_BYTES} characters; "
                          f"got {len(text)}. Split it or remove generated content.")
    if text.startswith("\ufeff"):  # a byte-order mark, as Windows editors write: not content
        text = text[1:]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{source}: not valid TOML: {e}. Fix the syntax there.") from None
    except RecursionError:  # arrays or tables nested thousands deep
        raise ConfigError(f"{source}: TOML nested too deeply to read; a scenario file needs "
                          "at most a few levels ([[scenario]], [[scenario.assumption]], "
                          "inline tables). Flatten it.") from None
    _keys("<top>", data, _TOP)
    if "scenario" not in data:
        raise _err("scenario", "missing; a scenario file needs at least one [[scenario]] "
                   "table. Add one.")
    raw = data["scenario"]
    if not isinstance(raw, list) or not raw:
        raise _err("scenario", f"must be an array of [[scenario]] tables; got {raw!r}. Write "
                   "[[scenario]] sections.")
    parsed = [_scenario(f"scenario[{i}]", t) for i, t in enumerate(raw, 1)]
    probs = [p for _, p in parsed]
    if any(p is None for p in probs) and not all(p is None for p in probs):
        k = next(i for i, p in enumerate(probs, 1) if p is None)
        raise _err(f"scenario[{k}].probability", "missing while other scenarios have one. "
                   "Give every scenario a probability, or none.")
    names = [s.name for s, _ in parsed]
    for i, nm in enumerate(names, 1):
        if nm in names[: i - 1]:
            raise _err(f"scenario[{i}].name", f"duplicate scenario name {nm!r} (also "
                       f"scenario[{names.index(nm) + 1}]). Give each scenario its own name.")
    try:
        return ScenarioSet(tuple(s for s, _ in parsed),
                           None if probs[0] is None else tuple(probs))  # type: ignore[arg-type]
    except ForecastError as e:
        raise _err("scenario[*].probability", str(e)) from None


@checked_keywords
def load_scenarios(path: str | os.PathLike[str]) -> ScenarioSet:
    """Load a TOML scenario file into a ScenarioSet, validating it strictly.

    Raises
    ------
    ConfigError
        For a missing, oversized or non-UTF-8 file, a TOML syntax error (with its line) or
        any invalid entry (naming the key path, the value and the fix). Every message
        starts with the file's path.
    """
    if not isinstance(path, str | os.PathLike):
        raise ForecastTypeError(f"`path` must be a str or os.PathLike naming a TOML file; got "
                                f"{path!r} ({type(path).__name__}). Pass e.g. "
                                "'scenarios.toml', or use loads_scenarios(text) for text.")
    p = Path(os.path.expanduser(path))
    if not p.is_file():
        raise ConfigError(f"{p}: scenario file not found"
                          + (" (it is a folder)" if p.is_dir() else "")
                          + f". Check the path (cwd is {Path.cwd()}).")
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise ConfigError(f"{p}: a scenario file must be at most {MAX_BYTES} bytes (1 MB); got "
                          f"{size} bytes. Split it or remove generated content.")
    try:
        text = p.read_bytes().decode("utf-8")
    except OSError as e:
        raise ConfigError(f"{p}: cannot read the scenario file: {e.strerror or e}. Check its "
                          "permissions.") from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"{p}: must be UTF-8 text; byte {e.start} is not. Save the file as "
                          "UTF-8.") from None
    try:
        return loads_scenarios(text, str(p))
    except ForecastError as e:  # a key path ("scenario[2].start: ...") names no file
        if str(e).startswith(f"{p}: "):
            raise
        raise type(e)(f"{p}: {e}", field=e.field) from None


# ---------------------------------------------------------------------------- writing


def _str(s: str) -> str:
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        return _str(v)
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {_value(x)}" for k, x in v.items()) + "}"
    raise ConfigError(f"cannot write {v!r} ({type(v).__name__}) to TOML. Use numbers, strings "
                      "or distributions.")  # pragma: no cover - to_dict only makes those


def _write_assumption(lines: list[str], header: str, d: dict[str, Any]) -> None:
    lines += ["", f"[[{header}]]"]
    for k, v in d.items():
        if k != "part":
            lines.append(f"{k} = {_value(v)}")
    for part in d.get("part", []):
        _write_assumption(lines, f"{header}.part", part)


def _unregistered(a: Assumption) -> str | None:
    """Why a file could not give back `a`'s class (its ``type``), or None when it could.

    A file names the class by ``kind``; :func:`load_scenarios` builds the class registered
    under it. The same module and qualified name count as the same class, as in
    :func:`~forecast.scenarios.register` (a notebook cell run twice).
    """
    cls = type(a)
    name, full = cls.__qualname__, f"{cls.__module__}.{cls.__qualname__}"
    register = (f"decorate it with @forecast.scenarios.register (or call "
                f"forecast.scenarios.register({name})) before writing; nothing was written.")
    own = f"Give {name} a kind of its own (kind: ClassVar[str] = \"my_assumption\") and "
    kind = getattr(cls, "kind", "")
    if not isinstance(kind, str) or not kind.strip():
        return f"its class {full} has no `kind`, so a file cannot name it. {own}{register}"
    holder = registered().get(kind)
    if holder is None:
        return (f"its class {full} (kind {kind!r}) is not registered, so load_scenarios "
                f"could not read it back. Register it: {register}")
    if (holder.__module__, holder.__qualname__) != (cls.__module__, cls.__qualname__):
        return (f"its class {full} has kind {kind!r}, which is registered to "
                f"{holder.__module__}.{holder.__qualname__}: load_scenarios would read it "
                f"back as that class. {own}{register}")
    return None


def _check_writable(path: str, where: str, a: Assumption) -> None:
    """Refuse `a` (or a part) whose class or distribution a file could not give back."""
    why = _unregistered(a)
    if why:
        raise ConfigError(f"{path}.type: cannot write {where}: {why}", field="type")
    if not dataclasses.is_dataclass(a):
        return
    for f in dataclasses.fields(a):
        v = getattr(a, f.name, None)
        why = _file_problem(v) if isinstance(v, Distribution) else None
        if why:
            raise ConfigError(f"{path}.{f.name}: cannot write {where}, parameter `{f.name}` = "
                              f"{_short(v)}: {why}", field=f.name)
        parts = (v,) if isinstance(v, Assumption) else v if isinstance(v, tuple) else ()
        for k, part in enumerate((x for x in parts if isinstance(x, Assumption)), 1):
            _check_writable(f"{path}.part[{k}]", f"{where}, part {part.name!r}", part)


@checked_keywords
def dumps_scenarios(scenarios: ScenarioSet | Scenario | list[Scenario]) -> str:
    """TOML text for `scenarios`; :func:`loads_scenarios` gives back an equal set.

    Raises
    ------
    ConfigError
        If an assumption's class is not registered under its ``kind`` (see
        :func:`~forecast.scenarios.register`), so :func:`loads_scenarios` could not build
        it back; or if a parameter holds a distribution a file cannot name (a custom class
        without a ``kind`` of its own). The message gives the key path, the scenario, the
        assumption, the class and the fix. Nothing is written.
    """
    ss = ScenarioSet.coerce(scenarios)
    lines = [HEADER]
    probs = ss.probabilities or (None,) * len(ss)
    for i, s in enumerate(ss, 1):
        for j, a in enumerate(s.assumptions, 1):
            _check_writable(f"scenario[{i}].assumption[{j}]",
                            f"scenario {s.name!r}, assumption {a.name!r}", a)
    for s, p in zip(ss, probs, strict=True):
        lines += ["", "[[scenario]]", f"name = {_str(s.name)}"]
        if s.description:
            lines.append(f"description = {_str(s.description)}")
        if p is not None:
            lines.append(f"probability = {_value(float(p))}")
        for a in s.assumptions:
            _write_assumption(lines, "scenario.assumption", a.to_dict())
    return "\n".join(lines) + "\n"


#: the first line of every scenario file forecast writes: how it knows its own files
HEADER = "# Scenario file for forecast (see docs/scenarios.md for the format)."


#: how a scenario file forecast wrote is known, unchanged: the line after :data:`HEADER`
#: holds the SHA-256 of the file without that line
_SEAL = LineSeal(HEADER, "# forecast-sha256: ", " (of this file without this line, as "
                 "forecast wrote it)", within=0, mark="forecast's header line " + repr(HEADER),
                 record="the line after its header")


@checked_keywords
def dump_scenarios(scenarios: ScenarioSet | Scenario | list[Scenario],
                   path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Write `scenarios` to a TOML file at `path` (UTF-8); return the path.

    The file is written atomically and never through a symbolic link (OutputError). It
    starts with forecast's header line and a comment holding the SHA-256 of the file as
    written; :func:`loads_scenarios` reads it as any TOML. An existing file is replaced
    only when forecast wrote it and it has not changed since (its content still has the
    recorded SHA-256), or with ``force=True``: a hand-written file, or one forecast wrote
    and someone edited (a scenario added, a comment), is never lost silently, as
    :meth:`forecast.Projection.save` treats a folder. A file an older version wrote (the
    header without the digest) counts as one that may have changed.

    Parameters
    ----------
    scenarios : ScenarioSet, Scenario or list of Scenario
    path : str or os.PathLike
        The ``.toml`` file; its folder must exist.
    force : bool, default False
        Replace an existing file that forecast did not write, or that changed since.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    OutputError
        For a link, a folder, a missing folder, or an existing file forecast did not write
        or that changed since (without `force`), before anything is written; the message
        names the file and the fix.
    """
    force = check_bool("force", force)
    check_own_file(path, force=force, what="scenario file", seal=_SEAL)
    text = dumps_scenarios(scenarios)
    return write_own(path, text.encode("utf-8"), force=force, what="scenario file",
                     seal=_SEAL)
