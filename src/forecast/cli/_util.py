"""Helpers of the ``forecast`` subcommands (private): inputs, progress, output.

Imported with :mod:`forecast.cli.commands`, only when a command runs (never by
``forecast --help``); statsmodels and matplotlib still load only inside the API calls
that need them.
"""

from __future__ import annotations

import os
import pathlib
import re
import secrets
import shlex
import sys
import unicodedata
import warnings
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pandas as pd

from .. import models
from .._io.atomic import atomic_files
from .._io.cells import neutralise
from .._io.folders import is_plain_name
from .._io.paths import check_new_file, make_dirs
from .._optional import require
from ..errors import DataError, ParameterError, ScenarioError
from ..history import reconstruct
from ..projection.engine import MAX_HORIZON
from ..projection.summaries import mixture_counts
from ..records import ExchangeRates, Records, load_releases
from ..records.csvfile import path_kind
from ..records.schema import suggest
from ..report._html import image_bytes, png_bytes
from ..report._sections import compact_wide
from ..scenarios import ScenarioSet, load_scenarios, presets
from ..scenarios.scenario import check_starts
from ._options import MODELS, SCHEDULER_TIMEOUT
from ._pool import process_pool
from ._scheduler import connect


def interactive(args) -> bool:
    """Whether progress goes to stderr: not --quiet, and stderr is a terminal (not closed)."""
    err = sys.stderr  # None when closed (2>&-) and not run through the entry
    return not getattr(args, "quiet", False) and err is not None and err.isatty()


class Progress:
    """A stage-by-stage progress bar on stderr: tqdm in a terminal, nothing otherwise.

    Without tqdm (the ``progress`` extra) a terminal gets one status line per stage.
    """

    def __init__(self, args, total: int):
        self.bar = None
        self.on = interactive(args)
        if self.on:
            try:
                from tqdm import tqdm  # lazy: the optional `progress` extra
            except ImportError:
                return
            self.bar = tqdm(total=total, file=sys.stderr, leave=False, unit="step",
                            bar_format="{desc:<42} {bar:20} {n_fmt}/{total_fmt} [{elapsed}]")

    def step(self, message: str) -> None:
        if self.bar is not None:
            if self.bar.desc:
                self.bar.update(1)
            self.bar.set_description_str(message)
        elif self.on:
            print(f"  {message} ...", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


BARS: dict[int, Progress] = {}


def status(args, message: str) -> None:
    """Advance the command's progress bar (made on first use) to `message`."""
    bar = BARS.get(id(args))
    if bar is None:
        bar = BARS[id(args)] = Progress(args, getattr(args, "steps", 1))
    bar.step(message.rstrip(" ."))


def interrupted_yet(args) -> None:
    """Raise if Ctrl-C (or SIGTERM) came while the outputs were written, even when a
    finalizer swallowed the exception the signal raised (``_exit.State.check``): called
    before an output folder is swapped in. A no-op for a command run without the entry's
    signal handlers (tests calling ``cmd_*`` directly)."""
    state = getattr(args, "signals", None)
    if state is not None:
        state.check()


def done(args) -> None:
    bar = BARS.pop(id(args), None)
    if bar is not None:
        bar.close()


def existing_file(path: str, what: str) -> pathlib.Path:
    p = pathlib.Path(path)
    kind = path_kind(p)
    if kind != "a file":  # a folder, a device, a FIFO, a dangling link: say which
        raise ParameterError(
            f"{what} must be an existing file; got {path!r} ({kind}). Check the path, "
            "e.g. `ls " + shlex.quote(str(p.parent)) + "`."
        )
    return p


def load_records(args):
    records = Records.from_csv(existing_file(args.data, "--data")) if args.data \
        else load_releases()
    for extra in args.add:
        records = records + Records.from_csv(existing_file(extra, "--add"))
    if getattr(args, "as_of", None):
        kept = records.filter(as_of=args.as_of)
        if len(kept) == 0:
            first = records.frame["published_date"].min().date() if len(records) else "none"
            raise DataError(f"--as-of {args.as_of} must keep at least one record; it keeps "
                            f"none (the earliest was published {first}). Pass a later date.")
        market = getattr(args, "market", None)
        if isinstance(market, str) and market in records.markets and \
                market not in kept.markets:  # the date, not the market, is the problem
            first = records.filter(market=market).frame["published_date"].min().date()
            raise DataError(f"--as-of {args.as_of} keeps no record of --market {market}: its "
                            f"first was published {first}. Pass --as-of {first:%Y-%m} or "
                            "later, or drop --as-of.")
        records = kept
    return records


def draw_seed(args) -> int:
    """The command's seed: --seed, else one drawn from fresh entropy and kept in `args`.

    Drawn once per command, so that it can be printed and recorded with the outputs and
    the command repeated exactly with ``--seed`` (``run``, ``report``, ``backtest``,
    ``sensitivity``).
    """
    if args.seed is None:
        args.seed = secrets.randbits(32)
    return args.seed


def seed_line(seed: int) -> str:
    """How a command reports its seed (the same words as ``forecast run``)."""
    return f"seed {seed} (pass --seed {seed} to reproduce)"


def again_words(seed: int) -> str:
    """How to repeat a run whose output was refused at the end (the same results)."""
    return f"run the same command with --seed {seed} to get the same results"


def check_name(option: str, value: str, allowed, what: str, error=ParameterError) -> None:
    """Refuse `value` of `option` unless it is one of `allowed`, with a did-you-mean hint.

    The one check of names given on the command line (scenarios, markets), with the hint
    of the records' own checks (:func:`forecast.records.schema.suggest`).
    """
    allowed = list(allowed)
    if value not in allowed:
        raise error(f"{option} must name {what}; got {value!r}.{suggest(value, allowed)} "
                    f"Choose among: {', '.join(allowed)}.")


def check_market(args, records) -> None:
    """--market must be a market of the records (checked here for the did-you-mean hint)."""
    market = getattr(args, "market", None)
    if isinstance(market, str) and market not in records.markets:
        # named once: the option, not the library's `market` (the entry adds no prefix
        # to a message that starts with the option)
        raise ParameterError(f"--market must be a market present in the records; "
                             f"got {market!r}.{suggest(market, records.markets)} Markets "
                             f"present: {', '.join(records.markets)}.")


def load_fx(args, records):
    """The exchange rates of --fx (None: the embedded table), read before the slow work.

    `records` supplies the implied rates the table's gap spread is estimated from.
    """
    path = getattr(args, "fx", None)
    if not path:
        return None
    return ExchangeRates.from_csv(existing_file(path, "--fx"), releases=records)


def build_history(args, records):
    check_market(args, records)
    return reconstruct(records, market=args.market, flow=args.flow, segment=args.segment,
                       currency=args.currency, fx=load_fx(args, records))


def make_spec(name: str, imputations: int | None = None, scale: str = "auto",
              center: str | None = None):
    """The model spec of --model, with --imputations, --scale and --center as given."""
    kwargs: dict = {} if imputations is None else {"imputations": imputations}
    if scale != "auto":
        kwargs["scale"] = scale
    if center is not None:
        check_center(center, [name])
        kwargs["center"] = center
    return getattr(models, MODELS[name])(**kwargs)


def check_center(center: str | None, names) -> None:
    """--center is a setting of --model auto: refuse it when no model is auto."""
    if center is not None and "Auto" not in {MODELS[n] for n in names}:
        got = ", ".join(f"--model {n}" for n in dict.fromkeys(names))
        raise ParameterError(
            f"--center sets the centre of --model auto's combination of families; got "
            f"{got}. Drop --center, or pass --model auto.")


def spec_text(args) -> str:
    """The spec as Python: ``Auto(imputations=20)``, ``Auto(imputations=20, scale='log')``."""
    k = getattr(args, "imputations", None)
    scale = getattr(args, "scale", "auto")
    center = getattr(args, "center", None)
    parts = ([] if k is None else [f"imputations={k}"]) + (
        [] if scale == "auto" else [f"scale={scale!r}"]) + (
        [] if center is None else [f"center={center!r}"])
    return f"{MODELS[args.model]}({', '.join(parts)})"


def projection_settings(proj) -> dict:
    """What settings.json records of a projection (one market's or several): the paths
    per scenario, the last year, the scenarios in order, and, when they carry
    probabilities, those and the paths each gives the probability-weighted mixture
    (:func:`forecast.projection.summaries.mixture_counts`, as ``proj.mixture()`` draws
    them): with the seed, what a reader needs to check the mixture's rows."""
    names = list(proj.scenario_names)
    out = {"paths": int(proj.n_paths), "to": int(proj.years[-1]), "scenarios": names}
    if proj.probabilities is not None:
        counts = mixture_counts(proj.probabilities, names, proj.n_paths)
        out["probabilities"] = dict(zip(names, map(float, proj.probabilities), strict=True))
        out["mixture_paths"] = dict(zip(names, map(int, counts), strict=True))
    return out


def scenario_set(args, default=None, origin: str = "the presets", output: bool = True):
    """The scenarios of FILE (else `default`, the presets), narrowed to --scenario.

    With `output` (``run``, ``report``, ``scenarios``) their names are also checked as
    parts of output file names (:func:`check_output_names`), before any slow work.
    """
    if args.file:
        sset = load_scenarios(existing_file(args.file, "the scenario file"))
    else:
        sset = (default or presets).scenario_set()
    if args.scenarios:
        names = [s.name for s in sset.scenarios]
        for n in args.scenarios:
            check_name("--scenario", n, names, f"a scenario of {args.file or origin}",
                       ScenarioError)
        sset = _chosen(sset, list(dict.fromkeys(args.scenarios)), args.file or origin)
    if output:
        check_output_names(sset, args.file or origin)
    return sset


def _chosen(sset, names: list[str], origin: str):
    """The scenarios of `sset` named by --scenario, in that order.

    Their probabilities are kept when every scenario is named (in any order); a subset's
    do not sum to 1, so the run has no mixture, and a warning says so.
    """
    by_name = {s.name: s for s in sset.scenarios}
    chosen = tuple(by_name[n] for n in names)
    probs = None
    if sset.probabilities is not None:
        if len(chosen) == len(sset.scenarios):
            given = dict(zip(sset.names, sset.probabilities, strict=True))
            probs = tuple(given[n] for n in names)
        else:
            warnings.warn(
                f"--scenario chose {len(chosen)} of the {len(sset.scenarios)} scenarios of "
                f"{origin}, whose probabilities sum to 1 only together: this run has no "
                "probability-weighted mixture. Name every scenario, or none, to keep it.",
                UserWarning, stacklevel=2)
    return ScenarioSet(chosen, probabilities=probs)


def check_to(args, last_year: int) -> None:
    """--to must fall after the data and at most MAX_HORIZON years later, said in the
    command line's words (the library's advice, ``to=...``, is Python's), before the fit."""
    lo, hi = last_year + 1, last_year + MAX_HORIZON
    if not lo <= args.to <= hi:
        raise ParameterError(f"--to must be a year in [{lo}, {hi}] (the data end in "
                             f"{last_year}); got {args.to}. Pass e.g. --to {last_year + 10}.",
                             field="to")


def check_scenario_starts(args, sset, last_year: int,
                          dump: str = "forecast scenarios --dump scenarios.toml") -> None:
    """Every assumption must start after the history, with the advice in the command
    line's words (the library's, ``start=...``, is Python's). `dump` says how to write
    the default scenarios to a file."""
    where = (f"edit their start years in {args.file}" if args.file else
             f"write them to a file ({dump}), set their start years there and pass the "
             "file")
    check_starts(sset.scenarios, last_year, fix=(
        f"The scenarios must start in {last_year + 1} or later: {where}; or pass --scenario "
        f"baseline, or --as-of an earlier date to end the data before {last_year}."))


#: characters no scenario name may hold, since it names files: the folder separators and
#: the others Windows refuses in a file name
_NOT_IN_FILE_NAMES = '/\\<>:"|?*'


#: The longest file name (bytes) of common file systems (ext4, APFS, NTFS: 255).
NAME_MAX = 255


def check_output_names(sset, origin: str) -> None:
    """Scenario names must make output file names (``fan_<name>.png``) on every system.

    The rule of the output folders (a plain name: no folder separator; see
    ``forecast._io.folders``), checked for '/' and '\\' alike and for the other characters
    Windows refuses (``<>:"|?*``) so that a file works on every system, no name too long
    for the longest file it names (``decomposition_<name>.png`` within
    :data:`NAME_MAX` bytes), and no two names that differ only by case (they would write
    the same file on a case-insensitive file system: Windows, macOS).
    """
    seen: dict[str, str] = {}
    for s in sset.scenarios:
        name = s.name
        file = f"fan_{name}.png"
        if not is_plain_name(file) or any(c in _NOT_IN_FILE_NAMES for c in name):
            fixed = "".join("_" if c in _NOT_IN_FILE_NAMES else c for c in name)
            raise ScenarioError(
                f"scenario {name!r} of {origin} cannot name the chart files of `forecast "
                f"run` ({file!r}): a scenario name must not hold any of "
                f"{' '.join(_NOT_IN_FILE_NAMES)} (a folder separator, or a character "
                f"Windows refuses in file names). Rename it in the file, e.g. name = "
                f"{fixed!r}.")
        longest = f"decomposition_{name}.png"
        size = len(longest.encode("utf-8"))
        if size > NAME_MAX:
            room = NAME_MAX - len(longest.encode("utf-8")) + len(name.encode("utf-8"))
            raise ScenarioError(
                f"scenario {name[:40]!r}... of {origin} is too long to name the chart files "
                f"of `forecast run`: {longest[:30]!r}... would be {size} bytes, and file "
                f"systems allow {NAME_MAX}. A scenario name may take at most {room} bytes "
                f"of UTF-8 (this one takes {len(name.encode('utf-8'))}; a Chinese "
                "character takes 3). Shorten it in the file.")
        other = seen.setdefault(name.casefold(), name)
        if other != name:
            raise ScenarioError(
                f"scenarios {other!r} and {name!r} of {origin} differ only by case, so their "
                f"chart files of `forecast run` (fan_{other}.png, fan_{name}.png) would "
                "collide on a case-insensitive file system (Windows, macOS). Rename one of "
                "them in the file.")


def check_execution_options(args) -> None:
    """Refuse --scheduler-timeout without --scheduler: it would be silently ignored."""
    if getattr(args, "scheduler_timeout", None) is not None and not getattr(
            args, "scheduler", None):
        raise ParameterError(
            f"--scheduler-timeout only applies to --scheduler (the time to wait for a dask "
            f"scheduler); got --scheduler-timeout {args.scheduler_timeout:g} without it. "
            "Add --scheduler ADDRESS, or drop --scheduler-timeout.", field="--scheduler-timeout")


@contextmanager
def executor(args, *, threads: bool = True):
    """The executor chosen by --workers / --scheduler (None: serial).

    `threads` picks threads for --workers, right for projections: numpy releases the GIL
    in the path work and the chunks are written in place, with no workers to start and
    no shared-memory file (a process pool writes into one on Linux only, and pickles its
    chunks back elsewhere). On 2 cores, 7 presets x 10^6 paths: threads 1.2-2.5x serial,
    processes 1.2-1.8x (docs/results.md). Backtests pass ``threads=False``: their tasks
    are model fits, Python-bound, which only processes run in parallel; their workers
    leave SIGINT and SIGTERM to this process (:func:`forecast.cli._pool.process_pool`).
    """
    if getattr(args, "workers", None):
        pool = ThreadPoolExecutor(max_workers=args.workers) if threads \
            else process_pool(args.workers)
        with pool as ex:
            yield ex
    elif getattr(args, "scheduler", None):
        timeout = getattr(args, "scheduler_timeout", None)
        client = connect(args.scheduler, SCHEDULER_TIMEOUT if timeout is None else timeout)
        with client:
            yield client.get_executor()
    else:
        yield None


def print_frame(frame, float_format: str = "{:,.2f}") -> None:
    def fmt(v: float) -> str:  # years stored as floats print as years
        return f"{v:.0f}" if float(v).is_integer() and 1000 <= abs(v) < 3000 \
            else float_format.format(v)

    with pd.option_context("display.max_rows", 500, "display.max_columns", 30,
                           "display.width", 160, "display.max_colwidth", 60,
                           "display.unicode.east_asian_width", True):  # Chinese names align
        print(frame.to_string(index=False, float_format=fmt))


def new_file(args, path: str, option: str = "--out") -> pathlib.Path:
    """Check that the output file `path` may be written (refused if it exists, without --force).

    Run before the slow work, so that a refused output costs nothing.
    """
    return check_new_file(path, force=bool(getattr(args, "force", False)),
                          what=f"{option} file")


def make_folder(path: str, what: str) -> None:
    """Create the folders above the output file `path` (a file in the way: OutputError)."""
    make_dirs(pathlib.Path(os.path.abspath(os.path.expanduser(path))).parent, what)


def csv_bytes(frame) -> bytes:
    """`frame` as the CSV an ``--out`` file holds: no index, text cells neutralised."""
    return neutralise(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_outputs(args, outputs) -> None:
    """Write the command's output files together: the old ones stay, or all are new.

    `outputs` holds ``(path, data, option)`` for each file, its bytes already made. Each
    file is staged in full beside its target (folders created), where a full disk or a
    permission fails; only then are they renamed into place, Ctrl-C held back meanwhile
    (:func:`forecast._io.atomic.atomic_files`). So ``sensitivity --out s.csv --plot t.png``
    on a disk with room for the table alone leaves the previous table and chart, not a
    new table beside an old chart.
    """
    for path, _, option in outputs:  # again: a file may have appeared meanwhile
        new_file(args, path, option)
    with atomic_files() as files:
        for path, data, option in outputs:
            files.write_bytes(path, data, what=f"{option} file", make_parents=True)
        interrupted_yet(args)  # a Ctrl-C a finalizer swallowed: publish nothing


def write_csv(args, frame, path: str, option: str = "--out") -> None:
    """Write `frame` to `path` atomically (parents created), text cells neutralised."""
    write_outputs(args, [(path, csv_bytes(frame), option)])


def _extension(path: str, option: str, allowed: tuple[str, ...], why: str,
               stem: str, after: str = "") -> str:
    """The extension of output file `path` (lower case, no dot), one of `allowed`;
    otherwise a ParameterError that says `why` and suggests a name: `path`'s own stem with
    ``allowed[0]``, or, for a name that is only an extension (``.png``, ``out/.csv``:
    a hidden file without a suffix), ``<stem>.<that extension>`` (``nowcast.png``)."""
    pure = pathlib.PurePath(path)
    ext = pure.suffix.lower().lstrip(".")
    if ext not in allowed:
        kinds = " or ".join(f".{a}" for a in allowed)
        bare = pure.name[1:].lower() if pure.name.startswith(".") and not pure.suffix else ""
        if bare:  # ".png" is a hidden file named "png" without an extension
            name = f"{stem}.{bare if bare in allowed else allowed[0]}"
            what = f"{path!r}, a name that is only an extension"
        else:
            name, what = (pure.stem or stem) + "." + allowed[0], repr(path)
        raise ParameterError(
            f"{option} must be a {kinds} file ({why}); got {what}. Pass e.g. {option} "
            f"{shlex.quote(name)}{after}.", field=option)
    return ext


def csv_path(path: str, option: str = "--out", stem: str = "table") -> None:
    """Refuse a CSV output named for another format (``h.xlsx`` would hold CSV text).

    `stem` names the file suggested for a name that is only an extension (``.csv``).
    """
    _extension(path, option, ("csv",), "the table is written as CSV", stem,
               "; spreadsheets open CSV files")


def toml_path(path: str, option: str = "--dump", stem: str = "scenarios") -> None:
    """Refuse a scenario file named for another format (``--dump .toml`` would write a
    hidden file named ``.toml``, ``--dump s.txt`` TOML under another extension)."""
    _extension(path, option, ("toml",), "scenario files are TOML", stem)


#: Chart formats of --plot, chosen by the file's extension.
PLOT_FORMATS = ("png", "svg")


def plot_format(path: str, option: str = "--plot", stem: str = "chart") -> str:
    """The format of chart file `path` from its extension; refused before any work.

    `stem` names the file suggested for a name that is only an extension (``.png``).
    """
    return _extension(path, option, PLOT_FORMATS, "the format follows the extension", stem)


def chart_bytes(draw, path: str, *fargs, size=(7.5, 4.2), **kwargs) -> bytes:
    """Draw a chart for the file `path`: PNG or SVG bytes, as its extension says."""
    fmt = plot_format(path)
    fig = require("matplotlib.figure", "plot", "--plot").Figure(figsize=size)
    draw(*fargs, ax=fig.subplots(), **kwargs)
    if fmt == "png":
        return png_bytes(fig, dpi=100, tight=True)
    # the report's SVG (text kept as text, reproducible); tight as the PNG
    fig.set_layout_engine("tight")
    return image_bytes(fig, "svg", dpi=100)


def save_axes_png(args, draw, path: str, *fargs, size=(7.5, 4.2), **kwargs) -> None:
    """Draw a chart into `path`: PNG or SVG, as its extension says."""
    new_file(args, path, "--plot")
    write_outputs(args, [(path, chart_bytes(draw, path, *fargs, size=size, **kwargs),
                          "--plot")])


def format_compact(table, unit: str) -> str:
    """Text table: one row per scenario, ``median [lower, upper]`` per year."""
    wide = compact_wide(table)  # scenario, then one "median [lower, upper]" column per year
    lo = next(c for c in table.columns if c.startswith("lower_"))
    width = max(cells(str(s)) for s in wide["scenario"]) + 2
    colw = max(12, *(len(str(c)) for c in wide.iloc[:, 1:].to_numpy().ravel())) + 2
    head = "scenario".ljust(width) + "".join(str(y).rjust(colw) for y in wide.columns[1:])
    lines = [head] + [pad(str(row[0]), width) + "".join(str(c).rjust(colw) for c in row[1:])
                      for row in wide.to_numpy()]
    return f"{unit}: median [{lo[6:]}% band]\n" + "\n".join(lines)


def cells(text: str) -> int:
    """Terminal columns `text` takes: two for a wide character (Chinese, Japanese, Korean;
    Unicode East Asian Width W or F), none for a combining mark, one for the rest.

    >>> cells("baseline"), cells("贸易摩擦")
    (8, 8)
    """
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    """`text` left-aligned in `width` terminal columns (:func:`cells`), as ``str.ljust``
    for text without wide characters."""
    return text + " " * max(0, width - cells(text))


def fill(text: str, width: int = 100) -> str:
    """`text` wrapped at spaces into lines of at most `width` terminal columns
    (:func:`cells`); a word wider than a line is broken between characters, as Chinese
    is written. ``textwrap.fill`` counts characters, so lines with Chinese names ran
    to nearly twice the width.

    >>> print(fill("The largest gap is 贸易摩擦与数据本地化情景 (-12%).", 24))
    The largest gap is
    贸易摩擦与数据本地化情景
    (-12%).
    >>> fill("abcdefgh", 3).splitlines()
    ['abc', 'def', 'gh']

    Only a line break replaces spaces: a run of spaces inside a line (a scenario named
    ``levy, then  opening``) and any other character stay as given, and each line of
    `text` is wrapped on its own.

    >>> fill("Gap: levy, then  opening (-3%).", 100)
    'Gap: levy, then  opening (-3%).'
    """
    return "\n".join(_fill_line(part, width) for part in text.split("\n"))


def _fill_line(text: str, width: int) -> str:
    """:func:`fill` of one line: break at spaces (dropped there), keep the other spaces."""
    lines: list[str] = []
    line = ""
    for gap, word in re.findall(r"( *)([^ ]+)", text):
        candidate = f"{line}{gap}{word}" if line else word
        if cells(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:  # the word starts a line, broken where it is wider than one
            if cells(line + char) > width and line:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    return "\n".join(lines)
