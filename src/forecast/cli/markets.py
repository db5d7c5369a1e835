"""``forecast run --markets US,EU,HK,JP``: the multi-market run (private; see cli.run_report).

The same steps as a single-market ``forecast run``, through the public API:
:func:`forecast.reconstruct_markets`, :class:`forecast.BottomUpModel` (``--design
bottom-up``, the default) or :class:`forecast.SplitModel` (``--design split``),
:func:`forecast.project_markets`, the markets charts and
:func:`forecast.report.write_markets_report`. A scenario file's probabilities give the
probability-weighted mixture (:meth:`forecast.markets.MarketProjection.mixture`) rows of
the printed tables, ``summary.csv`` and ``shares.csv``, as ``proj.mixture()`` does for one
market.
"""

from __future__ import annotations

import pathlib
import time

import pandas as pd

from .._io.folders import atomic_folder, check_folder, entries, hold
from ..errors import ParameterError
from ..history import reconstruct_markets
from ..history.markets import ROW, TOTAL
from ..markets import project_markets
from ..markets.split import DESIGNS, joint_model
from ..plotting._shapes import unit_label
from ..report import market_figures, write_markets_report
from ..report.formats import percent
from ..report.report import compact_years
from ..report.reproduce import settings_json, shell_word
from ..report.reproduce import versions as report_versions
from ..scenarios import ScenarioSet, market_presets
from ..scenarios.diversion import Diversion
from ._util import (
    again_words,
    check_center,
    check_name,
    check_scenario_starts,
    check_to,
    done,
    draw_seed,
    executor,
    fill,
    format_compact,
    interactive,
    interrupted_yet,
    load_fx,
    load_records,
    make_spec,
    projection_settings,
    scenario_set,
    seed_line,
    spec_text,
    status,
)

__all__ = ["cmd_run_markets"]

#: The market the plain assumptions of the scenarios act on (the presets are calibrated
#: on the US channel); a run without it takes only scenarios that need no target.
US = "US"


def design_of(args) -> str:
    """The joint model of --design (default bottom-up: each market's own model)."""
    return getattr(args, "design", None) or DESIGNS[0]


def _scenarios(args) -> ScenarioSet:
    return scenario_set(args, market_presets, "the market presets")


def _markets(args) -> tuple[str, ...]:
    """The codes of --markets; an empty list is refused (it is not the single-market run),
    and so is an empty item (``US,`` or ``US,,EU``: a code left out by mistake?)."""
    items = [m.strip() for m in args.markets.split(",")]
    markets = tuple(m for m in items if m)
    if not markets:
        raise ParameterError(f"--markets must list at least one market code; got "
                             f"{args.markets!r}. Pass e.g. --markets US,EU,HK,JP, or leave "
                             "--markets out for the single-market run.")
    if len(markets) < len(items):
        raise ParameterError(f"--markets has an empty item (a stray comma); got "
                             f"{args.markets!r}. List the codes separated by single commas, "
                             f"e.g. --markets {','.join(markets)}, or add the code that is "
                             "missing.")
    repeated = sorted({m for m in markets if markets.count(m) > 1})
    if repeated:
        raise ParameterError(f"--markets must list each market once; got {args.markets!r} "
                             f"({', '.join(repeated)} repeated). Drop the repeats.")
    if getattr(args, "market", "US") != US:  # its default; any other value would be ignored
        raise ParameterError(f"--market {args.market} is the series of the single-market run; "
                             "with --markets, list every market there (e.g. --markets "
                             f"{','.join(dict.fromkeys((*markets, args.market)))}) and drop "
                             "--market.")
    return markets


def _target(args, markets: tuple[str, ...], sset: ScenarioSet) -> str:
    """The market plain assumptions act on: the US; without it, only scenarios needing none.

    Checked before any slow work: every assumption must act on a market of the run.
    """
    parts = (*markets, ROW, TOTAL)
    for s in sset.scenarios:
        for a in s.assumptions:
            plain = not isinstance(a, Diversion)
            acts_on = US if plain else a.market
            if acts_on not in parts:
                why = ("plain assumptions act on the US, on which the presets are calibrated"
                       if plain else f"a Diversion on {acts_on}")
                raise ParameterError(
                    f"--markets {args.markets} leaves out {acts_on}, on which scenario "
                    f"{s.name!r} acts (assumption {a.name!r}: {why}). Add it, e.g. "
                    f"--markets {','.join((acts_on, *markets))}, or choose scenarios that "
                    "act only on the markets listed (e.g. --scenario baseline).")
    return US if US in markets else TOTAL  # no plain assumption: the target is unused


def _check_codes(markets: tuple[str, ...], records) -> None:
    """Every code must be a single market of the records (did-you-mean hint as elsewhere)."""
    have = [m for m in records.markets if "+" not in m and m != TOTAL]
    for m in markets:
        check_name("--markets", m, have, f"market codes present in the records ({TOTAL}, the "
                   f"total, and {ROW}, the rest, are added by the model)")


def _with_mixture(mp, mix, summary) -> pd.DataFrame:
    """``summary(mp)``, then the same rows of the probability-weighted mixture `mix` when
    there is one (as the single-market run's summary.csv and table)."""
    frame = summary(mp)
    return frame if mix is None else pd.concat([frame, summary(mix)], ignore_index=True)


def _mixture(mp):
    """The probability-weighted mixture of the run, None when its scenarios carry none."""
    return None if mp.probabilities is None else mp.mixture()


def _tables(mp, fmt: str) -> dict[str, pd.DataFrame]:
    mix = _mixture(mp)
    tables = {"history.csv": mp.history.to_frame(),
              "summary.csv": _with_mixture(mp, mix, lambda p: p.summary_frame((50, 80, 95))),
              "shares.csv": _with_mixture(mp, mix, lambda p: p.summary_frame((50, 80, 95),
                                                                             share=True)),
              f"projection_{fmt}.csv": {"long": mp.to_frame, "wide": mp.to_wide,
                                        "iamc": lambda: mp.to_iamc(shares=True)}[fmt]()}
    # every scenario that diverts (the presets' and a scenario file's), as the report does
    chosen = [s.name for s in (mp.scenarios or ()) if s.name != "baseline"
              and any(isinstance(a, Diversion) for a in s.assumptions)]
    if chosen and "baseline" in mp.scenario_names:
        tables["decomposition.csv"] = pd.concat(
            [mp.decompose(s).assign(scenario=s) for s in chosen], ignore_index=True)
    return tables


def _print(mp, fit_name: str) -> None:
    years = compact_years(mp.years)
    first = US if US in mp.parts else mp.parts[0]  # a run without the US: its first market
    mix = _mixture(mp)
    for market in (first, TOTAL):
        if market not in mp.markets:
            continue
        f = _with_mixture(mp, mix, lambda p, m=market: p.summary_frame((80,), market=m))
        f = f.loc[f["year"].isin(years), ["scenario", "year", "median", "lower_80", "upper_80"]]
        # the single-market run's table: no pandas index or column names, wide names fit
        print(format_compact(f, f"{market} ({unit_label(mp.unit)}, {fit_name})") + "\n")
    if "US" in mp.parts and 2030 in mp.years.tolist():
        p = mp.prob_below(15, 2030, "US", share=True)  # in percent, as the key message's
        if mix is not None:
            p = pd.concat([p, mix.prob_below(15, 2030, "US", share=True)])
        print(fill("P(US share < 15% in 2030): " + ", ".join(f"{k} {percent(v)}"
                                                              for k, v in p.items())))


def _fit_and_project(args, markets: tuple[str, ...]):
    """reconstruct_markets -> BottomUpModel / SplitModel fit -> project_markets, as a user
    would."""
    sset = _scenarios(args)  # first: a misspelt scenario fails before any slow work
    with executor(args) as ex:
        records = load_records(args)
        _check_codes(markets, records)  # then the codes and what the scenarios act on
        target = _target(args, markets, sset)
        status(args, "reconstructing the markets jointly ...")
        mh = reconstruct_markets(records, markets=markets, flow=args.flow,
                                 segment=args.segment, currency=args.currency,
                                 fx=load_fx(args, records))
        check_to(args, int(mh.years[-1]))  # before the fit
        check_scenario_starts(args, sset, int(mh.years[-1]), dump=(
            "in Python: forecast.dump_scenarios(forecast.market_presets.scenario_set(), "
            "'scenarios.toml')"))
        draw_seed(args)
        spec = make_spec(args.model, args.imputations, args.scale, args.center)
        design = design_of(args)
        status(args, f"fitting the {design} model ({spec_text(args)}) ...")
        fit = joint_model(design, spec).fit(mh, seed=args.seed)
        status(args, f"projecting {len(sset.scenarios)} scenario(s) x {args.paths:,} "
                     "paths ...")
        mp = project_markets(fit, sset, to=args.to, n_paths=args.paths, seed=args.seed,
                             executor=ex, target=target, progress=interactive(args))
    return records, fit, mp


def _write(args, folder, records, mp, markets, t0: float) -> int:
    """Write every output into the staged `folder`; return the number of files."""
    status(args, "writing tables")
    written = _tables(mp, args.format)
    for name, frame in written.items():
        folder.write_csv(name, frame)
    figures = None
    if not args.no_plot:
        status(args, "drawing charts")
        figures = market_figures(mp)
        for key, png in figures.items():
            folder.write_bytes(f"{key}.png", png)
    settings = {"command": "forecast " + " ".join(shell_word(a) for a in
                                                  getattr(args, "argv", [])),
                "model_spec": spec_text(args), "design": design_of(args),
                "model": mp.model, "markets": list(markets),
                "flow": args.flow, "segment": args.segment,
                "data": args.data or "embedded", "added": list(args.add),
                "as_of": args.as_of, "fx": args.fx or "embedded",
                "currency": args.currency, "unit": mp.unit, "seed": args.seed,
                "scenario_file": args.file or "market presets", **projection_settings(mp),
                "versions": report_versions(),
                "seconds": round(time.perf_counter() - t0, 2)}
    folder.write_text("settings.json", settings_json(settings))
    status(args, "writing report.html")
    # the report draws its charts as SVG (sharp on any screen); the files above are PNG
    write_markets_report(mp, folder.path("report.html"), records=records, settings=settings,
                         plots=not args.no_plot)
    return len(written) + (len(figures) if figures else 0) + 2


def cmd_run_markets(args) -> int:
    """``forecast run --markets ...``: reconstruct, fit, project and write every output.

    The --out folder is handled as by the single-market run: checked first, locked for
    the whole run and written atomically.
    """
    args.steps = 6
    t0 = time.perf_counter()
    check_center(args.center, [args.model])
    markets = _markets(args)
    out = pathlib.Path(args.out)
    what = "--out folder"
    try:
        # what --force may replace: the folder as it is now, nothing added while computing
        since = entries(check_folder(out, force=args.force, what=what, kind="run"))
        with hold(out, what=what):
            records, fit, mp = _fit_and_project(args, markets)
            with atomic_folder(out, kind="run", force=args.force, what=what,
                               locked=True, since=since,
                               again=again_words(args.seed)) as folder:
                n_files = _write(args, folder, records, mp, markets, t0)
                interrupted_yet(args)  # before the folder is swapped in
    finally:
        done(args)
    _print(mp, fit.name)
    print(f"\n{args.paths:,} paths, {seed_line(args.seed)}. Wrote {n_files} files to "
          f"{out}/ (open {out / 'report.html'}).")
    return 0
