"""Helpers of the ``forecast`` subcommands (private): inputs, progress, output.

Imported with :mod:`forecast.cli.commands`, only when a command runs (never by
``forecast --help``); statsmodels and matplotlib still load only inside the API calls
that need them.
"""

from __future__ import annotations

import pathlib
import shlex
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager

import pandas as pd

from .. import models
from .._fsio import atomic_file, check_new_file, neutralise, write_bytes
from .._optional import require
from ..errors import DataError, ParameterError, ScenarioError
from ..history import reconstruct
from ..records import Records, load_releases
from ..report._html import png_bytes
from ..report._sections import compact_wide
from ..scenarios import ScenarioSet, load_scenarios, presets
from ._options import MODELS
from ._scheduler import connect


def interactive(args) -> bool:
    return not getattr(args, "quiet", False) and sys.stderr.isatty()


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


def done(args) -> None:
    bar = BARS.pop(id(args), None)
    if bar is not None:
        bar.close()


def existing_file(path: str, what: str) -> pathlib.Path:
    p = pathlib.Path(path)
    if not p.is_file():
        raise ParameterError(
            f"{what} must be an existing file; got {path!r}"
            + (" (a folder)" if p.is_dir() else " (not found)")
            + ". Check the path, e.g. `ls " + shlex.quote(str(p.parent)) + "`."
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
        records = kept
    return records


def build_history(args, records):
    return reconstruct(records, market=args.market, flow=args.flow, segment=args.segment,
                       currency=args.currency)


def make_spec(name: str, imputations: int | None = None):
    cls = getattr(models, MODELS[name])
    return cls() if imputations is None else cls(imputations=imputations)


def spec_text(args) -> str:
    k = getattr(args, "imputations", None)
    return f"{MODELS[args.model]}({'' if k is None else f'imputations={k}'})"


def scenario_set(args):
    if args.file:
        sset = load_scenarios(existing_file(args.file, "the scenario file"))
    else:
        sset = presets.scenario_set()
    if not args.scenarios:
        return sset
    by_name = {s.name: s for s in sset.scenarios}
    unknown = [n for n in args.scenarios if n not in by_name]
    if unknown:
        raise ScenarioError(
            f"--scenario must name a scenario of {args.file or 'the presets'}; got "
            f"{', '.join(map(repr, unknown))}. Choose among: {', '.join(by_name)}."
        )
    return ScenarioSet(tuple(by_name[n] for n in dict.fromkeys(args.scenarios)))


@contextmanager
def executor(args, *, threads: bool = True):
    """The executor chosen by --workers / --scheduler (None: serial).

    `threads` picks threads for --workers, right for projections: numpy releases the GIL
    in the path work and the chunks are written in place, while a process pool pickles
    every chunk back to the parent (measured on 2 cores, 7 presets x 10^6 paths: threads
    2.3x serial, processes 1.1x; docs/results.md). Backtests pass ``threads=False``:
    their tasks are model fits, Python-bound, which only processes run in parallel.
    """
    if getattr(args, "workers", None):
        pool = ThreadPoolExecutor if threads else ProcessPoolExecutor
        with pool(max_workers=args.workers) as ex:
            yield ex
    elif getattr(args, "scheduler", None):
        client = connect(args.scheduler, getattr(args, "scheduler_timeout", 30.0))
        with client:
            yield client.get_executor()
    else:
        yield None


def print_frame(frame, float_format: str = "{:,.2f}") -> None:
    def fmt(v: float) -> str:  # years stored as floats print as years
        return f"{v:.0f}" if float(v).is_integer() and 1000 <= abs(v) < 3000 \
            else float_format.format(v)

    with pd.option_context("display.max_rows", 500, "display.max_columns", 30,
                           "display.width", 160, "display.max_colwidth", 60):
        print(frame.to_string(index=False, float_format=fmt))


def new_file(args, path: str, option: str = "--out") -> pathlib.Path:
    """Check that the output file `path` may be written (refused if it exists, without --force).

    Run before the slow work, so that a refused output costs nothing.
    """
    return check_new_file(path, force=bool(getattr(args, "force", False)),
                          what=f"{option} file")


def write_csv(args, frame, path: str, option: str = "--out") -> None:
    """Write `frame` to `path` atomically (parents created), text cells neutralised."""
    new_file(args, path, option)
    with atomic_file(path, what=f"{option} file", text=True, make_parents=True) as fh:
        neutralise(frame).to_csv(fh, index=False, lineterminator="\n")


def save_axes_png(args, draw, path: str, *fargs, size=(7.5, 4.2), **kwargs) -> None:
    new_file(args, path, "--plot")
    fig = require("matplotlib.figure", "plot", "--plot").Figure(figsize=size)
    draw(*fargs, ax=fig.subplots(), **kwargs)
    write_bytes(path, png_bytes(fig, dpi=100, tight=True), what="--plot file",
                make_parents=True)


def format_compact(table, unit: str) -> str:
    """Text table: one row per scenario, ``median [lower, upper]`` per year."""
    wide = compact_wide(table)  # scenario, then one "median [lower, upper]" column per year
    lo = next(c for c in table.columns if c.startswith("lower_"))
    width = max(len(str(s)) for s in wide["scenario"]) + 2
    colw = max(12, *(len(str(c)) for c in wide.iloc[:, 1:].to_numpy().ravel())) + 2
    head = "scenario".ljust(width) + "".join(str(y).rjust(colw) for y in wide.columns[1:])
    lines = [head] + [str(row[0]).ljust(width) + "".join(str(c).rjust(colw) for c in row[1:])
                      for row in wide.to_numpy()]
    return f"{unit}: median [{lo[6:]}% band]\n" + "\n".join(lines)
