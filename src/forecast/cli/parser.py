"""The ``forecast`` command line's parser: a thin argparse layer over the Python API.

Every command calls public functions (``reconstruct``, ``Auto().fit``, ``project``,
``backtest``, ``tornado``, ``load_scenarios``, ``forecast.plotting``,
``forecast.report``); nothing here computes anything the API cannot. The program that
runs a parsed command and maps its outcome to an exit code is :mod:`forecast.cli.entry`.

This module imports only the standard library (and the library's own version and option
tables, which need nothing else) at import time, so that ``forecast --help`` starts
fast; numpy, pandas, statsmodels and matplotlib load when a command runs.

Examples
--------
>>> parser = build_parser()
>>> args = parser.parse_args(["run", "--paths", "500", "--seed", "1"])
>>> args.command, args.paths, args.seed, args.to
('run', 500, 1, 2035)
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from .._version import __version__
from ._options import (
    BACKTEST_PATHS,
    DEFAULT_IMPUTATIONS,
    DEFAULT_PATHS,
    MODELS,
    PRESET_NAMES,
    SCHEDULER_TIMEOUT,
    SOBOL_N,
    TORNADO_PATHS,
)
from ._types import int_arg as _int_arg
from ._types import path_arg as _path
from ._types import seconds as _seconds
from ._types import year_month as _year_month

__all__ = ["build_parser"]

#: Fewest Monte Carlo paths of ``run`` and ``report`` (``--paths``): as ``backtest --paths``,
#: ``sensitivity --paths`` and the tornado's ``n_paths``; fewer give degenerate 80%/95%
#: bands and 0%/100% chances.
MIN_PATHS = 10

_EPILOG = """\
exit codes: 0 success; 2 bad usage, bad data, bad scenario file or an output that cannot
be written (one-line message); 130 interrupted (Ctrl-C; 143 for SIGTERM: outputs are
complete or unchanged); 1 unexpected error (a bug: please report it with the traceback).
Documentation: docs/cli.md. Python API: every command is a few calls of `forecast.*`."""


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors are one line naming the problem and the fix."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}. See `{self.prog} --help`.\n")

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        """Parse as argparse does, but refuse unknown options in the subcommand's words.

        argparse reports them from the top-level parser (``See `forecast --help```), whose
        help does not list a subcommand's options: ``forecast report --no-plot`` points at
        ``forecast report --help``.
        """
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            self._parser_of(parsed).error(f"unrecognized arguments: {' '.join(extra)}")
        return parsed

    def _parser_of(self, parsed: argparse.Namespace) -> argparse.ArgumentParser:
        """The subcommand's parser of `parsed` (this parser when there is none)."""
        command = getattr(parsed, "command", None)
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction) and command in action.choices:
                return action.choices[command]
        return self


def _add_force(p: argparse.ArgumentParser) -> None:
    p.add_argument("--force", action="store_true",
                   help="replace existing output files, and output folders forecast did not "
                        "write (without it they are refused; outputs are always written "
                        "atomically and never through symbolic links)")


def _add_data_options(p: argparse.ArgumentParser, *, series: bool = True) -> None:
    g = p.add_argument_group("data")
    g.add_argument("--data", metavar="CSV", type=_path("--data", "releases.csv"),
                   help="use this releases CSV (same schema as the embedded data) "
                        "instead of the embedded releases")
    g.add_argument("--add", metavar="CSV", action="append", default=[],
                   type=_path("--add", "new.csv"),
                   help="append newer releases from CSV to the data (repeatable)")
    g.add_argument("--as-of", metavar="YYYY-MM", type=_year_month,
                   help="use only releases published by this date (pseudo-real time)")
    if series:
        g.add_argument("--market", default="US", help="source market (default: %(default)s)")
        g.add_argument("--flow", default="offshore_execution",
                       help="flow to reconstruct (default: %(default)s)")
        g.add_argument("--segment", default="all", help="segment (default: %(default)s)")
        g.add_argument("--currency", default="USD", choices=["USD", "CNY"],
                       help="currency of the annual series (default: %(default)s)")
        g.add_argument("--fx", metavar="CSV", type=_path("--fx", "fx.csv"),
                       help="use this table of CNY-per-USD rates (the columns of the "
                            "embedded fx.csv) instead of the embedded one, e.g. with a "
                            "newer year's rate; docs/cli.md shows how to start from a copy")


def _add_model_option(p: argparse.ArgumentParser, default: str = "auto") -> None:
    p.add_argument("--model", default=default, choices=list(MODELS),
                   help="baseline model family (default: %(default)s)")
    p.add_argument("--imputations", type=_int_arg(1, 1000), default=DEFAULT_IMPUTATIONS,
                   metavar="K",
                   help="fit the model on K draws of the reconstructed history, so that its "
                        "uncertainty carries into the projection (default: %(default)s, the "
                        "same as the Python API's; fewer draws are faster)")
    _add_scale_option(p)
    _add_center_option(p)


def _add_scale_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scale", default="auto", choices=["auto", "log", "level"],
                   help="working scale of the model: chosen from the data (Box-Cox, default), "
                        "the log (growth rates; no lower boundary, for long horizons) or the "
                        "level")


def _add_center_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--center", default=None, choices=["median", "mean"],
                   help="centre of --model auto's combination, year by year: the median of "
                        "the families' forecasts (the default) or their mean; their "
                        "disagreement widens the bands either way")


def _add_projection_options(p: argparse.ArgumentParser, paths: int) -> None:
    p.add_argument("--to", type=_int_arg(1900, 2200, "a year"), default=2035, metavar="YEAR",
                   help="last projected year (default: %(default)s)")
    p.add_argument("--paths", type=_int_arg(MIN_PATHS), default=paths, metavar="N",
                   help=f"Monte Carlo paths per scenario, at least {MIN_PATHS} (default: "
                        "%(default)s)")
    p.add_argument("--seed", type=_int_arg(0), default=None, metavar="S",
                   help="random seed (default: fresh entropy; the seed used is printed "
                        "and stored in the outputs so the run can be reproduced)")


def _add_scenario_options(p: argparse.ArgumentParser, one: bool = False) -> None:
    p.add_argument("file", nargs="?", metavar="FILE.toml",
                   type=_path("FILE.toml", "my_scenarios.toml"),
                   help="scenario file (TOML); default: the preset scenarios")
    if one:  # sensitivity analyses one scenario
        p.add_argument("--scenario", action="append", metavar="NAME", dest="scenarios",
                       help="the scenario to analyse (default: the last one of FILE or of "
                            "the presets, " + PRESET_NAMES[-1] + "); presets: "
                            + ", ".join(PRESET_NAMES))
        return
    p.add_argument("--scenario", action="append", metavar="NAME", dest="scenarios",
                   help="run only this scenario (repeatable); presets: "
                        + ", ".join(PRESET_NAMES))


def _add_execution_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("execution").add_mutually_exclusive_group()
    g.add_argument("--workers", type=_int_arg(1, 256), metavar="N",
                   help="run chunks in N threads (backtest: processes); results identical "
                        "to serial")
    g.add_argument("--scheduler", metavar="ADDRESS",
                   help="run chunks on a dask.distributed scheduler, e.g. tcp://host:8786")
    p.add_argument("--scheduler-timeout", type=_seconds, default=None, metavar="SECONDS",
                   help="give up connecting to --scheduler after this long (default: "
                        f"{SCHEDULER_TIMEOUT:g}; only with --scheduler)")


def _add_quiet(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress bars or status messages (results still printed)")


#: adds one subcommand's parser: ``add(name, help, description)`` -> its parser
_Add = Callable[[str, str, str], argparse.ArgumentParser]


def _run_command(add: _Add) -> None:
    """``forecast run``."""
    p = add("run", "project scenarios; write tables, fan charts and report.html (the main job)",
            "Reconstruct the history, fit the baseline model, project every scenario with "
            "common random numbers, print the median and 80% band at a few years, and write "
            "tables, fan charts and a self-contained report.html into --out.")
    _add_scenario_options(p)
    _add_projection_options(p, DEFAULT_PATHS)
    _add_model_option(p)
    p.add_argument("--out", default="forecast-output", metavar="DIR",
                   type=_path("--out", "forecast-output"),
                   help="output folder, created if needed and replaced as a whole when the "
                        "run is complete (default: %(default)s)")
    p.add_argument("--format", default="long", choices=["long", "wide", "iamc"],
                   help="layout of the projection table (default: %(default)s)")
    p.add_argument("--no-plot", action="store_true",
                   help="write no PNG charts (the report then has tables only)")
    p.add_argument("--markets", metavar="CODES",
                   help="project these source markets and China's total together, e.g. "
                        "US,EU,HK,JP (joint reconstruction, joint model, diversion "
                        "scenarios; default scenarios: the presets plus "
                        "fragmentation_diversion and friction_diversion)")
    p.add_argument("--design", choices=["bottom-up", "split"], default=None,
                   help="with --markets, the joint model: bottom-up (every market's own "
                        "log level, the total their sum; the default) or split (the total "
                        "and each market's log ratio to the rest of the world)")
    _add_data_options(p)
    _add_execution_options(p)
    _add_force(p)
    _add_quiet(p)


def _history_command(add: _Add) -> None:
    """``forecast history``."""
    p = add("history", "reconstruct the annual history with its uncertainty band",
            "Reconstruct the annual series from every usable release (state-space model) "
            "and print the median with 80% and 95% bands and the evidence per year.")
    _add_data_options(p)
    p.add_argument("--out", metavar="CSV", type=_path("--out", "history.csv"),
                   help="also write the table to this CSV file")
    p.add_argument("--plot", metavar="PNG", type=_path("--plot", "history.png"),
                   help="also draw the history with its records (.png or .svg, chosen by "
                        "the extension)")
    _add_force(p)
    _add_quiet(p)


#: Years a release row may have: ``forecast.records.schema.YEAR_RANGE`` (not imported
#: here, so that ``forecast --help`` stays light; a test keeps the two equal).
RECORD_YEARS = (1980, 2100)


def _nowcast_command(add: _Add) -> None:
    """``forecast nowcast``."""
    p = add("nowcast", "full-year nowcast of the latest partial year",
            "Estimate the full-year value of the latest (or given) year from its "
            "January-to-month figures, as a distribution.")
    p.add_argument("--year", type=_int_arg(1900, 2200, "a year"), metavar="YEAR",
                   help="year to nowcast (default: the latest partial year)")
    _add_data_options(p)
    p.add_argument("--plot", metavar="PNG", type=_path("--plot", "nowcast.png"),
                   help="also draw the nowcast distribution (.png or .svg, chosen by the "
                        "extension)")
    _add_force(p)
    _add_quiet(p)


def _backtest_command(add: _Add) -> None:
    """``forecast backtest``."""
    p = add("backtest", "rolling-origin backtest of the baseline models",
            "Compare model families by rolling-origin (or pseudo-real-time) backtest: "
            "MASE, CRPS and interval coverage by horizon.")
    p.add_argument("--model", action="append", choices=list(MODELS), dest="models",
                   help="model to evaluate (repeatable; default: drift, damped and theta; "
                        "naive and drift benchmarks are always included; auto combines "
                        "every family, refitted at every origin)")
    p.add_argument("--horizon", type=_int_arg(1, 20), default=5, metavar="H",
                   help="longest horizon in years (default: %(default)s)")
    p.add_argument("--paths", type=_int_arg(MIN_PATHS), default=BACKTEST_PATHS, metavar="N",
                   help="simulated paths per forecast (default: %(default)s, the same as the "
                        "Python API's)")
    p.add_argument("--imputations", type=_int_arg(1, 1000), default=None, metavar="K",
                   help="with --pseudo-real-time, the draws of each origin's rebuilt history "
                        f"each model is fitted on (default: {DEFAULT_IMPUTATIONS}, the same "
                        "as the Python API's); a rolling-origin backtest fits the median "
                        "history's years up to each origin, so it refuses --imputations")
    _add_scale_option(p)
    _add_center_option(p)
    p.add_argument("--seed", type=_int_arg(0), default=None, metavar="S",
                   help="random seed (default: fresh entropy; the seed used is printed "
                        "and written in the --out CSV so the run can be reproduced)")
    p.add_argument("--pseudo-real-time", action="store_true",
                   help="at each origin, rebuild the history from what was published by then")
    p.add_argument("--out", metavar="CSV", type=_path("--out", "backtest.csv"),
                   help="also write the full table to this CSV file")
    _add_data_options(p)
    _add_execution_options(p)
    _add_force(p)
    _add_quiet(p)


def _sensitivity_command(add: _Add) -> None:
    """``forecast sensitivity``."""
    p = add("sensitivity", "which scenario parameters matter (tornado or Sobol)",
            "Sensitivity of the projected median level to each uncertain parameter of a "
            "scenario: one-at-a-time tornado, or variance-based Sobol indices.")
    _add_scenario_options(p, one=True)
    p.add_argument("--method", default="tornado", choices=["tornado", "sobol"],
                   help="sensitivity method (default: %(default)s)")
    p.add_argument("--year", type=_int_arg(1900, 2200, "a year"), action="append",
                   dest="years", metavar="YEAR",
                   help="year to analyse (repeatable; default: 2030 and 2035)")
    p.add_argument("--paths", type=_int_arg(MIN_PATHS, 10_000_000), default=None, metavar="N",
                   help=f"paths of --method tornado, at least {MIN_PATHS} (default: "
                        f"{TORNADO_PATHS}, the same as the Python API's)")
    # the parser's upper limit is the tornado's, for the deprecated --n of a tornado; Sobol's
    # (2**20) is checked by the command before the slow work
    p.add_argument("--n", type=_int_arg(16, 10_000_000), default=None, metavar="N",
                   help=f"base samples of --method sobol, at most 1048576, a power of two "
                        f"(default: {SOBOL_N}, the same as the Python API's). With --method "
                        "tornado, --n still sets the paths but is deprecated: use --paths")
    p.add_argument("--seed", type=_int_arg(0), default=None, metavar="S",
                   help="random seed (default: fresh entropy; the seed used is printed "
                        "and written in the --out CSV so the run can be reproduced)")
    _add_model_option(p)
    p.add_argument("--out", metavar="CSV", type=_path("--out", "sensitivity.csv"),
                   help="also write the table to this CSV file")
    p.add_argument("--plot", metavar="PNG", type=_path("--plot", "tornado.png"),
                   help="also draw the tornado chart (.png or .svg, chosen by the "
                        "extension)")
    _add_data_options(p)
    _add_force(p)
    _add_quiet(p)


def _scenarios_command(add: _Add) -> None:
    """``forecast scenarios``."""
    p = add("scenarios", "list the preset scenarios, or validate a scenario file",
            "Without FILE: list the preset scenarios and their assumptions. With FILE: "
            "validate the TOML scenario file and list what it defines.")
    p.add_argument("file", nargs="?", metavar="FILE.toml",
                   type=_path("FILE.toml", "my_scenarios.toml"), help="scenario file to validate")
    p.add_argument("--dump", metavar="FILE.toml", type=_path("--dump", "my_scenarios.toml"),
                   help="write the scenarios as TOML (a starting point for your own)")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="also list every uncertain parameter and its distribution")
    _add_force(p)


def _data_command(add: _Add) -> None:
    """``forecast data``."""
    p = add("data", "list, filter or validate release records",
            "List the embedded release records (or those of FILE), filtered; with "
            "--validate, only check FILE and report every bad row at once.")
    p.add_argument("file", nargs="?", metavar="FILE.csv", type=_path("FILE.csv", "releases.csv"),
                   help="releases CSV to read")
    p.add_argument("--validate", action="store_true", help="only validate; print a summary")
    for name in ("market", "segment", "flow", "measure", "basis", "confidence"):
        p.add_argument(f"--{name}", action="append", metavar="VALUE",
                       help=f"keep rows with this {name} (repeatable)")
    p.add_argument("--year", type=_int_arg(*RECORD_YEARS, "a year"), action="append",
                   metavar="YEAR", help="keep rows of this year (repeatable)")
    p.add_argument("--months", type=_int_arg(1, 12, "a month count"), action="append",
                   metavar="M", help="keep rows covering January to month M (repeatable)")
    p.add_argument("--as-of", metavar="YYYY-MM", type=_year_month,
                   help="keep rows published by this date")
    p.add_argument("--out", metavar="CSV", type=_path("--out", "records.csv"),
                   help="write the filtered records to this CSV")
    _add_force(p)


def _report_command(add: _Add) -> None:
    """``forecast report``."""
    p = add("report", "write only the self-contained HTML report",
            "Run the same pipeline as `forecast run` and write one self-contained HTML "
            "report (images embedded, no network access needed).")
    _add_scenario_options(p)
    _add_projection_options(p, DEFAULT_PATHS)
    _add_model_option(p)
    p.add_argument("--out", default="forecast-report.html", metavar="FILE.html",
                   type=_path("--out", "forecast-report.html"),
                   help="report file, .html or .htm (default: %(default)s)")
    _add_data_options(p)
    _add_execution_options(p)
    _add_force(p)
    _add_quiet(p)


_COMMANDS = (_run_command, _history_command, _nowcast_command, _backtest_command,
             _sensitivity_command, _scenarios_command, _data_command, _report_command)


def build_parser() -> argparse.ArgumentParser:
    """Build the ``forecast`` argument parser (standard library only, so it is fast)."""
    parser = _Parser(
        prog="forecast",
        description="Scenario forecasts of China's service outsourcing to the United States: "
                    "reconstruct the history from MOFCOM releases, fit a baseline model and "
                    "project scenarios as Monte Carlo fan charts.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"forecast {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, help_: str, description: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_, description=description, epilog=_EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    for command in _COMMANDS:  # in the order `forecast --help` lists them
        command(add)
    return parser
