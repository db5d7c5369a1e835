"""Implementations of the ``forecast`` subcommands (private; see :mod:`forecast.cli`).

Each ``cmd_<name>(args)`` is a few calls of the public API. :func:`forecast.cli.main`
imports this module only when a command runs, never for ``forecast --help``. ``run`` and
``report`` live in :mod:`forecast.cli.run_report` (and the multi-market run in
:mod:`forecast.cli.markets`); they are imported here, so every command is found here.
"""

from __future__ import annotations

import argparse
import re
import warnings

import pandas as pd

from .._io.seals import check_own_file
from ..errors import DataError, ParameterError, ScenarioError
from ..evaluation import compare, sobol, tornado
from ..evaluation._inputs import FIRST_DEFAULT_ORIGIN
from ..evaluation.sensitivity import check_sobol_n
from ..history.history import series_name
from ..history.nowcast import period_words
from ..plotting import history_chart, nowcast_chart, tornado_chart
from ..plotting._shapes import unit_label
from ..records import Records, load_releases
from ..records.releases import CSV_SEAL as RECORDS_SEAL
from ..scenarios import dump_scenarios
from ..scenarios.scenario import check_starts
from ._options import MODELS, SOBOL_N, TORNADO_PATHS
from ._util import (
    build_history,
    chart_bytes,
    check_center,
    csv_bytes,
    csv_path,
    done,
    draw_seed,
    executor,
    existing_file,
    interactive,
    load_fx,
    load_records,
    make_folder,
    make_spec,
    new_file,
    plot_format,
    print_frame,
    save_axes_png,
    scenario_set,
    seed_line,
    status,
    toml_path,
    write_csv,
    write_outputs,
)
from .run_report import cmd_report, cmd_run  # noqa: F401  (every cmd_<name> is found here)


def cmd_history(args) -> int:
    _check_outputs(args, out=args.out, plot=args.plot)
    history = build_history(args, load_records(args))
    frame = history.to_frame()
    # the files first: a reader that closes stdout early (`| head`) must not cost them;
    # both made in memory, then written together (never a new table beside an old chart)
    outputs = []
    if args.out:  # no settings.json beside it: the file names its unit in a last column,
        # as backtest's --out ends with its seed (USD_bn, CNY_bn with --currency CNY)
        outputs.append((args.out, csv_bytes(frame.assign(unit=history.unit)), "--out"))
    if args.plot:
        outputs.append((args.plot, chart_bytes(history_chart, args.plot, history), "--plot"))
    write_outputs(args, outputs)
    # the series and its unit above the table, as `forecast run` titles its table
    print(series_title(history.name or args.market, history.unit))
    print_frame(frame)
    return 0


def cmd_nowcast(args) -> int:
    _check_outputs(args, plot=args.plot)
    history = build_history(args, load_records(args))
    now = history.nowcast(args.year)
    rows = [now.summary()]
    other = "CNY" if now.currency == "USD" else "USD"
    if now.fx_rate == now.fx_rate:  # a rate exists (not NaN): show both currencies
        rows.append(now.in_currency(other).summary())
    if args.plot:  # before printing: see cmd_history
        save_axes_png(args, nowcast_chart, args.plot, now, size=(6.5, 3.6))
    # titled as `history` and `run` title their tables, in the unit of the first row
    print(f"Nowcast of full-year {now.year} from {period_words(now.months)} figures, "
          f"{series_title(history.name or args.market, now.unit)}")
    print_frame(pd.DataFrame(rows).drop(columns=["year", "months"]))
    if len(rows) > 1:
        print(f"(CNY per USD: {now.fx_rate:.4f}, {now.fx_method} rate)")
    return 0


_BACKTEST_COLUMNS = ["model", "target", "horizon", "n", "mase", "mape", "crps", "crps_log",
                     "coverage_80", "coverage_95"]


def cmd_backtest(args) -> int:
    _check_outputs(args, out=args.out)
    if args.imputations is not None and not args.pseudo_real_time:
        raise ParameterError(
            f"--imputations sets the history draws each model is fitted on in a "
            f"--pseudo-real-time backtest; got --imputations {args.imputations} without it "
            "(a rolling-origin backtest fits the median history's years up to each origin, "
            "so the option would change nothing). Drop --imputations, or add "
            "--pseudo-real-time.")
    names = args.models or ["drift", "damped", "theta"]
    check_center(args.center, names)
    specs = [make_spec(n, args.imputations, args.scale,
                       args.center if MODELS[n] == "Auto" else None)
             for n in dict.fromkeys(names)]
    records = load_records(args)
    if args.pseudo_real_time:
        data, kw = records, {"market": args.market, "flow": args.flow, "segment": args.segment,
                             "currency": args.currency}
        if args.fx:
            kw["fx"] = load_fx(args, records)
    else:
        data, kw = build_history(args, records), {}
    status(args, f"backtesting {', '.join(names)} (+ naive and drift benchmarks) ...")
    how = "pseudo-real-time" if args.pseudo_real_time else "rolling-origin"
    try:
        with executor(args, threads=False) as ex, warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            table = compare(specs, data, horizon=args.horizon, n_paths=args.paths,
                            seed=draw_seed(args), executor=ex, progress=interactive(args),
                            **kw)
    except ParameterError as exc:
        if getattr(exc, "field", None) != "series":
            raise
        raise ParameterError(_too_short(args, list(dict.fromkeys(names)), specs, data)
                             ) from None
    except DataError as exc:
        if getattr(exc, "field", None) != "origins":
            raise
        # the default origins (the command line has no other): say it with --as-of
        latest = records.frame["published_date"].max().date()
        raise DataError(f"--pseudo-real-time backtests from June of each year from "
                        f"{FIRST_DEFAULT_ORIGIN}, but the releases kept end on {latest}. Pass "
                        f"--as-of {FIRST_DEFAULT_ORIGIN + 2} or later, or drop --as-of."
                        ) from None
    finally:
        done(args)
    if len(table) == 0:  # one line saying why, not an empty table and exit status 0
        raise DataError(_nothing_scored(how, table, args))
    for w in said:  # the library's warnings, shown once it is clear there is a table
        warnings.warn_explicit(_leave_out_words(str(w.message), names), w.category,
                               w.filename, w.lineno)
    if args.out:  # before printing (see cmd_history); the seed as a last column: the
        write_csv(args, table.assign(seed=args.seed), args.out)  # table alone repeats the run
    title = series_title(series_name(args.market, args.flow, args.segment),
                         f"{args.currency}_bn")
    print(f"{how} backtest of {title}; metrics averaged over origins")
    print_frame(table[[c for c in _BACKTEST_COLUMNS if c in table.columns]], "{:,.3f}")
    print("crps_log: CRPS of the log level, scale-free (about a relative error); lower is "
          "better.")
    print(f"\n{args.paths:,} paths per forecast, {seed_line(args.seed)}."
          + (f" Wrote {args.out}." if args.out else ""))
    return 0


def _leave_out_words(text: str, names: list[str]) -> str:
    """The library's "... or leave DampedTrend out." (the models whose history cut the
    scored horizons) in the command's words: the --model choices that leave it out."""
    found = re.search(r"Pass a smaller horizon or earlier origins, or leave (.+) out\.$",
                      text)
    if found is None:
        return text
    left = set(found.group(1).split(" and "))
    keep = [n for n in dict.fromkeys(names) if MODELS[n] not in left] or ["drift"]
    out = [n for n, cls in MODELS.items() if cls in left]
    return (text[:found.start()] + f"Pass a smaller --horizon, or leave {' and '.join(out)} "
            f"out of --model ({' '.join('--model ' + n for n in keep)}).")


def _too_short(args, names, specs, history) -> str:
    """A rolling-origin backtest's history too short for a model, said with the options
    that lengthen it (--as-of, --market) or ask less of it (--model)."""
    from ..evaluation._inputs import MIN_TRAIN
    from ..evaluation._tasks import min_length

    def need(spec) -> int:  # training years at the first origin, then a year to score
        return max(min_length(spec), MIN_TRAIN) + 1

    series = getattr(history, "series", history)
    n = len(series)
    worst = max(specs, key=need)
    cut = f" (--as-of {args.as_of})" if getattr(args, "as_of", None) else ""
    fixes = ["pass a later --as-of or drop it" if cut else "pass a --market with a longer "
             "history"]
    too_long = [name for name, spec in zip(names, specs, strict=True) if need(spec) > n]
    if n >= MIN_TRAIN + 1 and len(too_long) < len(specs):  # the others and the benchmarks fit
        fixes.append(f"leave {', '.join(too_long)} out of --model")
    return (f"the history{cut} holds {series.first_year}-{series.last_year}, {n} year"
            f"{'' if n == 1 else 's'}: too short for a rolling-origin backtest of "
            f"{worst.name}, which needs {need(worst)} (a training window of "
            f"{need(worst) - 1} years ending at the first origin, then a year to score). "
            f"{(text := '; or '.join(fixes))[0].upper()}{text[1:]}.")


#: start of the library's warning for a Sobol' `n` that is not a power of two (its advice,
#: ``n=64 or n=128, or sampling='random'``, is Python: the command says it with --n)
_SOBOL_N_WARNING = r"`n` should be a power of two with Sobol' points"


def _warn_sobol_n(n: int) -> None:
    """Warn, as ``sobol`` does, that `n` (``--n``) is not a power of two, in CLI words.

    Called after :func:`check_sobol_n`: both powers of two suggested are within its
    limit (a power of two itself)."""
    if n & (n - 1):
        up = 1 << (n - 1).bit_length()
        warnings.warn(f"--n should be a power of two with --method sobol (Sobol' points are "
                      f"balanced only then); got --n {n}, so the indices are less accurate "
                      f"than --n suggests. Pass --n {up // 2} or --n {up}.", UserWarning,
                      stacklevel=2)


def _nothing_scored(how: str, table: pd.DataFrame, args) -> str:
    """Why a backtest scored no forecast, in command-line words."""
    skipped = table.attrs.get("skipped") or []
    unscored = table.attrs.get("unscored") or []
    why = []
    if unscored:
        why.append(f"no truth lies within --horizon {args.horizon} after origin(s) "
                   f"{', '.join(unscored)}")
    if skipped:
        why.append(f"{len(skipped)} fit(s) skipped, e.g. {skipped[0]}")
    fix = ("Pass a later --as-of or more releases (--add), or a longer history"
           if args.pseudo_real_time else "Pass a longer history or a smaller --horizon")
    return (f"the {how} backtest scored no forecast ({'; '.join(why) or 'no origin'}). "
            f"{fix}.")


def series_title(name: str, unit: str) -> str:
    """A table's title: the series and its unit, ``"US offshore execution (USD bn)"``, as
    ``history``, ``nowcast``, ``backtest`` and ``run`` print it."""
    return f"{name.replace('_', ' ')} ({unit_label(unit)})"


def cmd_sensitivity(args) -> int:
    _check_outputs(args, out=args.out, plot=args.plot)
    check_center(args.center, [args.model])
    if args.plot and args.method != "tornado":  # refused before the slow work
        raise ParameterError("--plot draws a tornado chart; got --method sobol. "
                             "Use --method tornado with --plot, or --out for Sobol indices.")
    count = _sensitivity_count(args)  # --paths of a tornado, --n of Sobol
    if args.method == "sobol":  # the parser's limit (10,000,000) is tornado's: sobol's
        check_sobol_n(count)  # is checked before the slow work (--n 1024 in CLI_WORDS)
    if args.scenarios and len(set(args.scenarios)) > 1:
        raise ParameterError(
            f"sensitivity analyses one scenario; got --scenario {', '.join(args.scenarios)}. "
            "Run the command once per scenario.")
    sset = scenario_set(args, output=False)  # no file is named after the scenario
    scenarios = list(sset.scenarios)
    scenario = scenarios[-1] if not args.scenarios else scenarios[0]
    if not scenario.parameters():  # in the command's words, before the fit
        every = scenario_set(argparse.Namespace(**{**vars(args), "scenarios": None}),
                             output=False)
        varied = [s.name for s in every if s.parameters()]
        which = (f"--scenario {scenario.name}" if args.scenarios else
                 f"scenario {scenario.name!r} (the last one, the default)")
        fix = (f"Pass --scenario with one that has: {', '.join(varied)}." if varied else
               "Give some assumption parameters a distribution in the scenario file, e.g. "
               'size = {dist = "uniform", low = -0.1, high = 0.0}.')
        raise ParameterError(f"{which} has no uncertain parameter to vary. {fix}")
    history = build_history(args, load_records(args))
    years = args.years or [2030, 2035]
    last = history.series.last_year
    outside = [y for y in years if not last < y <= last + 100]
    if outside:  # in the command's words, before the fit
        raise ParameterError(f"--year must be after the history's last year ({last}) and at "
                             f"most {last + 100}; got {', '.join(map(str, outside))}. Pass "
                             f"e.g. --year {last + 5} --year {last + 10}.")
    if args.method == "sobol":  # in the command's words, before the fit
        _warn_sobol_n(count)
    fit = make_spec(args.model, args.imputations, args.scale,
                    args.center).fit(history, seed=draw_seed(args))
    bar = interactive(args)
    if args.method == "tornado":
        table = tornado(fit, scenario, years, n_paths=count, seed=args.seed, progress=bar)
    else:
        with warnings.catch_warnings():  # said above, with the options of this command
            warnings.filterwarnings("ignore", _SOBOL_N_WARNING, UserWarning)
            table = sobol(fit, scenario, years, n=count, seed=args.seed, progress=bar)
    # before printing, together (see cmd_history); the scenario and the seed as the last
    # columns: the table alone says what it analyses and repeats the run
    outputs = []
    if args.out:
        outputs.append((args.out, csv_bytes(table.assign(scenario=scenario.name,
                                                         seed=args.seed)), "--out"))
    if args.plot:
        outputs.append((args.plot, chart_bytes(tornado_chart, args.plot, table), "--plot"))
    write_outputs(args, outputs)
    print(f"Sensitivity ({args.method}) of scenario {scenario.name!r}")
    print_frame(table, "{:,.3f}")
    what = "paths" if args.method == "tornado" else "base samples"
    print(f"\n{count:,} {what}, {seed_line(args.seed)}.")
    return 0


def _sensitivity_count(args) -> int:
    """The tornado's paths (``--paths``) or Sobol's base samples (``--n``), each with the
    Python function's default (:mod:`forecast._defaults`).

    ``--n`` set the tornado's paths too until ``--paths`` existed: it still does, with a
    warning, until forecast 0.2. An option the method does not read is refused, not
    ignored."""
    if args.method == "sobol":
        if args.paths is not None:
            raise ParameterError(
                f"--paths sets the paths of --method tornado; got --paths {args.paths} with "
                "--method sobol, whose sample is --n base samples. Pass --n instead (e.g. "
                f"--n {SOBOL_N}, the default), or drop --paths.", field="--paths")
        return SOBOL_N if args.n is None else args.n
    if args.n is None:
        return TORNADO_PATHS if args.paths is None else args.paths
    if args.paths is not None:
        raise ParameterError(
            f"--n is the base sample of --method sobol; got --n {args.n} and --paths "
            f"{args.paths} with --method tornado, whose paths are --paths. Drop --n.",
            field="--n")
    warnings.warn(f"--n for the paths of --method tornado is deprecated (--n is the base "
                  f"sample of --method sobol) and stops working in forecast 0.2: pass "
                  f"--paths {args.n} instead.", UserWarning, stacklevel=2)
    return args.n


def cmd_scenarios(args) -> int:
    _check_outputs(args, dump=args.dump)
    args.scenarios = None
    sset = scenario_set(args)
    origin = args.file or "presets"
    if args.file:
        _check_starts_on_embedded_data(sset, args.file)
    if args.dump:  # before the listing: a reader that closes stdout early must not cost it
        new_file(args, args.dump, "--dump")
        dump_scenarios(sset, args.dump, force=args.force)
    if args.file:
        print(f"{args.file}: valid, {len(sset.scenarios)} scenario(s).")
    else:
        print(f"{len(sset.scenarios)} preset scenarios (forecast.presets.scenario_set()); "
              "-v lists their uncertain parameters.")
    probs = sset.probabilities or (None,) * len(sset.scenarios)
    for s, p in zip(sset.scenarios, probs, strict=True):
        desc = getattr(s, "description", "")
        print(f"\n{s.name}" + (f" (probability {p:g})" if p is not None else "")
              + (f": {desc}" if desc else ""))
        if not s.assumptions:
            print("  (no assumption: the baseline model alone)")
        for a in s.assumptions:
            params = a.parameters()
            prob = _fixed(getattr(a, "probability", 1))
            prob = f"probability {prob:g}" if isinstance(prob, int | float) else f"{prob!r}"
            print(f"  - {a.name} [{type(a).__name__}], {prob}, first start {a.first_start}, "
                  f"{len(params)} uncertain parameter(s)")
            if args.verbose:
                for key, dist in params.items():
                    print(f"      {key}: {dist!r}")
                for part in getattr(a, "parts", ()):  # fixed chances are not parameters
                    chance = _fixed(getattr(part, "probability", 1))
                    if isinstance(chance, int | float) and chance < 1:
                        print(f"      {part.name}.probability: {chance:g} (fixed: the share "
                              "of paths on which it happens)")
    if args.dump:
        print(f"\nWrote {len(sset.scenarios)} scenario(s) from {origin} to {args.dump}.")
    return 0


def _fixed(value):
    """The number inside a ``Fixed`` parameter, else `value` itself."""
    return value.value if type(value).__name__ == "Fixed" else value


def _check_starts_on_embedded_data(sset, file: str) -> None:
    """Starts must follow the history ``forecast run`` builds from the embedded releases."""
    frame = load_releases().frame
    last = int(frame.loc[frame["market"] == "US", "year"].max())
    try:  # the fix in the command line's words, as `forecast run` gives it
        check_starts(sset.scenarios, last, fix=(
            f"The scenarios must start in {last + 1} or later: edit their start years in "
            f"{file}."))
    except ScenarioError as exc:
        raise ScenarioError(f"{exc} (On the embedded releases, whose US history ends in "
                            f"{last}; `forecast run` with other --data may differ.)",
                            field="start") from None


_LIST_COLUMNS = ["row", "market", "segment", "flow", "year", "months", "measure", "value",
                 "unit", "basis", "published", "confidence"]


def cmd_data(args) -> int:
    if args.validate:  # it checks the whole file and writes nothing: say so, not ignore
        given = [f"--{k.replace('_', '-')} {_shown(getattr(args, k))}" for k in
                 ("out", "market", "segment", "flow", "measure", "basis", "confidence",
                  "year", "months", "as_of") if getattr(args, k, None)]
        if given:
            raise ParameterError(
                f"--validate checks every row of the file and writes nothing; got "
                f"{', '.join(given)} with it. Drop --validate to list or write the "
                "(filtered) records, or drop those options.", field="--validate")
    _check_outputs(args, out=args.out)
    if args.out:  # the SHA-256 record beside the CSV too, in the command's words
        check_own_file(args.out, force=bool(args.force), what="--out file", seal=RECORDS_SEAL)
    if args.file:
        path = existing_file(args.file, "the releases file")
        try:
            records = Records.from_csv(path)
        except DataError as exc:
            if not args.validate:
                raise
            print(str(exc))
            raise DataError(f"{args.file} is not valid: see the problems listed on stdout "
                            "and fix those rows.") from None
    else:
        records = load_releases()
    if args.validate:
        frame = records.frame
        print(f"{args.file or 'embedded releases'}: valid, {len(frame)} rows, markets "
              f"{', '.join(sorted(frame['market'].unique()))}, years "
              f"{frame['year'].min()}-{frame['year'].max()}.")
        return 0
    filters = {k: getattr(args, k) for k in ("market", "segment", "flow", "measure", "basis",
                                             "confidence", "year", "months")}
    filters = {k: v for k, v in filters.items() if v}
    if args.as_of:
        filters["as_of"] = args.as_of
    subset = records.filter(**filters) if filters else records
    frame = subset.frame
    if args.out:  # before the listing: a reader that closes stdout early (`| head`)
        # must not cost the file
        new_file(args, args.out)
        make_folder(args.out, "--out file")  # as --out elsewhere
        subset.to_csv(args.out, force=bool(args.force))  # new_file checked --force
    if len(frame):
        # values as published (0.005 stays 0.005), never rounded to two decimals
        print_frame(frame[[c for c in _LIST_COLUMNS if c in frame.columns]], "{:,.15g}")
    print(f"{len(frame)} of {len(records.frame)} rows" + (" match these filters." if filters
                                                          else "."))
    return 0


def _shown(value: object) -> str:
    """An option's value as typed: a repeated option's values space-separated."""
    return " ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


def _check_outputs(args, **paths) -> None:
    """Refuse existing output files (without --force), a --plot that is not .png or .svg,
    and an --out table not named .csv, before slow work."""
    stem = getattr(args, "command", None) or "output"  # --plot .png: e.g. nowcast.png
    for option, path in paths.items():
        if path:
            if option == "plot":
                plot_format(path, stem=stem)
            if option == "dump":
                toml_path(path)
            new_file(args, path, f"--{option}")
            if option == "out":  # every command's --out file is a CSV table
                csv_path(path, stem=stem)
