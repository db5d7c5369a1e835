"""``forecast run`` and ``forecast report``: reconstruct, fit, project, write (private).

The single-market run; ``forecast run --markets`` is :mod:`forecast.cli.markets`. Both
commands share :func:`_project` (reconstruct -> fit -> project, as a user would in
Python). :mod:`forecast.cli.commands` re-exports :func:`cmd_run` and :func:`cmd_report`,
so that every subcommand is found there.
"""

from __future__ import annotations

import pathlib
import time
import warnings

import pandas as pd

from .. import report
from .._io.folders import atomic_folder, check_folder, entries, hold
from ..errors import ParameterError
from ..evaluation import tornado
from ..plotting._shapes import unit_label
from ..projection import project
from ..report._html import check_html_path
from ..report.reproduce import settings_json, shell_word
from ..report.reproduce import versions as report_versions
from ._options import TORNADO_PATHS
from ._util import (
    again_words,
    build_history,
    check_center,
    check_scenario_starts,
    check_to,
    done,
    draw_seed,
    executor,
    fill,
    format_compact,
    interactive,
    interrupted_yet,
    load_records,
    make_spec,
    new_file,
    projection_settings,
    scenario_set,
    seed_line,
    spec_text,
    status,
)

__all__ = ["cmd_report", "cmd_run"]


def _project(args):
    """reconstruct -> fit -> project, exactly as a user would in Python."""
    t0 = time.perf_counter()
    check_center(args.center, [args.model])  # a misplaced option fails at once
    sset = scenario_set(args)  # first: a misspelt scenario fails before any slow work
    # the executor next: an unreachable scheduler fails before the slow work too
    with executor(args) as ex:
        records = load_records(args)
        status(args, "reconstructing the history ...")
        history = build_history(args, records)
        _note_preset_market(args, sset)  # after the market is known to exist
        check_to(args, history.series.last_year)  # before the fit
        check_scenario_starts(args, sset, history.series.last_year)
        draw_seed(args)  # one seed for the whole run, so that it can be printed
        status(args, f"fitting {spec_text(args)} ...")
        fit = make_spec(args.model, args.imputations, args.scale,
                        args.center).fit(history, seed=args.seed)
        status(args, f"projecting {len(sset.scenarios)} scenario(s) x {args.paths:,} paths ...")
        proj = project(fit, sset, to=args.to, n_paths=args.paths, seed=args.seed, executor=ex)
    argv = list(getattr(args, "argv", []))
    if not any(a == "--seed" or a.startswith("--seed=") for a in argv):
        argv += ["--seed", str(args.seed)]  # the seed drawn for this run: the command repeats it
    settings = {
        "command": "forecast " + " ".join(shell_word(a) for a in argv),
        "model_spec": spec_text(args),
        "data": args.data or "embedded", "added": list(args.add), "as_of": args.as_of,
        "fx": args.fx or "embedded",
        "market": args.market, "flow": args.flow, "segment": args.segment,
        "currency": args.currency, "unit": proj.unit,  # of every figure in the CSV files
        "scenario_file": args.file or "presets",
        **projection_settings(proj),
        "versions": report_versions(),
    }
    args.t0 = t0  # cmd_run and cmd_report record the whole run time, up to the report
    return records, history, fit, sset, proj, settings


def _note_preset_market(args, sset) -> None:
    """Say so when the US-calibrated presets are applied to another market's series."""
    if args.file or args.market == "US" or all(not s.assumptions for s in sset.scenarios):
        return
    warnings.warn(
        f"the preset scenarios are calibrated on the US channel (docs/scenarios.md, "
        f"SOURCES.md); --market {args.market} applies their assumptions to {args.market}'s "
        "series as written. Write a scenario file for this market to change them.",
        UserWarning, stacklevel=2)


def _tornado_of(args, fit, proj):
    """Tornado of the projected scenario with the most uncertain parameters, or None."""
    scenarios = [s for s in (proj.scenarios or ()) if s.parameters()]
    if not scenarios:
        return None
    scenario = max(reversed(scenarios), key=lambda s: len(s.parameters()))
    years = sorted({y for y in (2030, int(proj.years[-1])) if y in set(proj.years.tolist())})
    # tornado's own default number of paths (fewer with a smaller --paths), so that
    # `forecast sensitivity` and `forecast.tornado` with the defaults repeat this table
    # tornado names the scenario in table.attrs["scenario"], which the report shows
    return tornado(fit, scenario, years, n_paths=min(args.paths, TORNADO_PATHS),
                   seed=args.seed, progress=interactive(args))


def _seed_of(proj, fallback):
    seed = getattr(proj, "seed", None)
    return fallback if seed is None else seed


def cmd_run(args) -> int:
    if getattr(args, "markets", None) is not None:  # several markets and the total together
        from .markets import cmd_run_markets  # lazy: only a multi-market run needs it

        return cmd_run_markets(args)
    if getattr(args, "design", None) is not None:
        raise ParameterError(f"--design {args.design} chooses the joint model of a "
                             "multi-market run; add --markets (e.g. --markets US,EU,HK,JP) "
                             "or leave --design out.", field="--design")
    args.steps = 6
    out = pathlib.Path(args.out)
    what = "--out folder"
    try:
        # checked first, so that a refused folder costs nothing (and changes nothing),
        # and recorded: --force replaces the folder as it is now, nothing added while
        # computing; then locked for the whole run, so that a second run into the same
        # folder fails at once instead of both claiming success
        since = entries(check_folder(out, force=args.force, what=what, kind="run"))
        with hold(out, what=what):
            records, history, fit, sset, proj, settings = _project(args)
            settings["seed"] = _seed_of(proj, args.seed)
            with atomic_folder(out, kind="run", force=args.force, what=what,
                               locked=True, since=since,
                               again=again_words(settings["seed"])) as folder:
                n_files = _write_run(args, folder, records, history, fit, sset, proj,
                                     settings)
                interrupted_yet(args)  # before the folder is swapped in
    finally:
        done(args)
    _print_summary(proj, history, fit, args)
    seed = settings["seed"]
    print(f"\n{args.paths:,} paths, {seed_line(seed)}. Wrote {n_files} files to {out}/ "
          f"(open {out / 'report.html'}).")
    return 0


def _write_run(args, folder, records, history, fit, sset, proj, settings) -> int:
    """Write every output of `forecast run` into the staged `folder`; return the count."""
    status(args, "writing tables")
    written = {"history.csv": history.to_frame(),
               "summary.csv": _summary(proj),
               f"projection_{args.format}.csv": {"long": proj.to_frame, "wide": proj.to_wide,
                                                 "iamc": proj.to_iamc}[args.format]()}
    for name, frame in written.items():
        folder.write_csv(name, frame)
    names = list(proj.scenario_names)
    # the reference of every comparison: "baseline", else the first scenario (as the
    # report and the key message take it), for the difference and decomposition alike
    base = "baseline" if "baseline" in names else names[0]
    decomps = {n: proj.decompose(n, baseline=base) for n in names if n != base}
    sens = _tornado_of(args, fit, proj)
    if sens is not None:  # naming the scenario it analyses and the seed, as the
        # sensitivity command's --out does: the table alone says what it is
        written["sensitivity.csv"] = sens.assign(scenario=sens.attrs["scenario"],
                                                 seed=settings["seed"])
        folder.write_csv("sensitivity.csv", written["sensitivity.csv"])
    svg = None
    if not args.no_plot:  # each chart built once: SVG for the report, PNG files at 150 dpi
        status(args, "drawing charts")
        sets = report.render_figure_sets(proj, history=history, decompositions=decomps,
                                         sensitivity=sens, formats=("svg", "png"), dpi=150,
                                         narrow=True, baseline=base)
        svg = sets["svg"]
        for key, png in sets["png"].items():
            folder.write_bytes(f"{key}.png", png)
            written[f"{key}.png"] = png
    settings["seconds"] = round(time.perf_counter() - args.t0, 2)  # the run, up to here
    folder.write_text("settings.json", settings_json(settings))
    status(args, "writing report.html")
    report.write_report(proj, folder.path("report.html"), history=history, fit=fit,
                        records=records, scenarios=sset, decompose=decomps,
                        sensitivity=sens, settings=settings, figures=svg,
                        plots=not args.no_plot)
    return len(written) + 2


def _summary(proj):
    """summary.csv: every scenario, then the probability-weighted mixture when there is one."""
    frame = proj.summary_frame((50, 80, 95))
    if proj.probabilities is not None:
        frame = pd.concat([frame, proj.mixture().summary_frame((50, 80, 95))],
                          ignore_index=True)
    return frame


def _print_summary(proj, history, fit, args) -> None:
    """The compact table (with the mixture row when there is one), then the key message."""
    table = report.compact_table(proj)
    if proj.probabilities is not None:
        mix = report.compact_table(proj.mixture(), years=sorted(set(table["year"])))
        table = pd.concat([table, mix], ignore_index=True)
    name = (history.name or args.market).replace("_", " ")
    print(format_compact(table, f"{name} ({unit_label(history.unit)}, {fit.name})"))
    message = report.key_message(proj, history)
    print("\n" + fill(str(message), width=100))
    if message.caution():
        print("\n" + fill(message.caution(), width=100))


def cmd_report(args) -> int:
    args.steps = 4
    check_html_path(args.out, "--out")  # an HTML page: r.pdf would hold HTML
    path = new_file(args, args.out)
    try:
        records, history, fit, sset, proj, settings = _project(args)
        settings["seed"] = _seed_of(proj, args.seed)
        settings["seconds"] = round(time.perf_counter() - args.t0, 2)
        status(args, "drawing charts and writing the report")
        path.parent.mkdir(parents=True, exist_ok=True)
        new_file(args, args.out)  # again: the file may have appeared meanwhile
        report.write_report(proj, path, history=history, fit=fit, records=records,
                            scenarios=sset, sensitivity=_tornado_of(args, fit, proj),
                            settings=settings, force=args.force)
    finally:
        done(args)
    print(f"Wrote {path} ({path.stat().st_size / 1e6:.2f} MB); seed {settings['seed']}.")
    return 0


