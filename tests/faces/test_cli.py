"""The command line end to end: every command in a subprocess, error paths included.

The subprocesses are few, small (a few hundred paths, the fast Drift model) and run
two at a time; in-process calls of ``main`` cover the remaining error paths cheaply.
"""

from __future__ import annotations

import csv
import json
import os
import pathlib
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from _optional import need

from forecast import cli

ROOT = pathlib.Path(__file__).resolve().parents[2]
SRC = ROOT / "src"


def _env():
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONWARNINGS="ignore")
    # `PYTHONPATH=src pytest` names the tree under test relative to this folder: a command
    # run in a tmp folder would import another copy of forecast (an installed one)
    env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) for p in
                                        env.get("PYTHONPATH", "").split(os.pathsep) if p)
    probe = subprocess.run([sys.executable, "-c", "import forecast"], env=env,
                           capture_output=True, cwd="/")
    if probe.returncode:  # not installed: use the source tree
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    return env


def _commands(tmp: pathlib.Path) -> dict[str, list[str]]:
    (tmp / "bad.csv").write_text(
        "market,segment,flow,year,months,measure,value,unit,basis,published,source,"
        "address,confidence,note\n"
        "US,all,offshore_execution,2013,13,level,117.5,USD_1e8,USD,2014-01-20,src,,read,\n"
        "US,all,offshore_flow,2014,12,level,-3,USD_1e8,USD,2015-01-20,src,,read,\n")
    (tmp / "bad.toml").write_text('[[scenario]]\nname = "x"\nbogus = 1\n')
    small = ["--model", "drift", "--paths", "500", "--seed", "1"]  # Drift: the fastest fit
    return {
        "help": ["--help"],
        "run": ["run", *small, "--scenario", "baseline", "--scenario", "escalation",
                "--format", "wide", "--out", str(tmp / "out"), "--quiet"],
        "run_mix": ["run", str(ROOT / "examples" / "04_custom_scenario.toml"), *small,
                    "--to", "2030", "--out", str(tmp / "mix"), "--quiet"],
        "err_two_scenarios": ["sensitivity", "--scenario", "escalation", "--scenario",
                              "fragmentation", "--model", "drift"],
        "report": ["report", *small, "--to", "2030", "--scenario", "baseline",
                   "--out", str(tmp / "r" / "rep.html")],
        "history": ["history", "--out", str(tmp / "h.csv"), "--plot", str(tmp / "h.png")],
        "nowcast": ["nowcast", "--plot", str(tmp / "n.png")],
        "backtest": ["backtest", "--model", "drift", "--horizon", "2", "--paths", "200",
                     "--seed", "1", "--out", str(tmp / "bt.csv")],
        "sensitivity": ["sensitivity", "--scenario", "escalation", "--model", "drift",
                        "--paths", "100", "--seed", "1", "--year", "2030",
                        "--out", str(tmp / "s.csv"), "--plot", str(tmp / "s.png")],
        "scenarios": ["scenarios", "-v"],
        "scenarios_file": ["scenarios", str(ROOT / "examples" / "04_custom_scenario.toml"),
                           "--dump", str(tmp / "dump.toml")],
        "data": ["data", "--market", "US", "--measure", "level", "--months", "12",
                 "--out", str(tmp / "us.csv")],
        "data_valid": ["data", str(SRC / "forecast" / "data" / "releases.csv"), "--validate"],
        # error paths: exit 2 with one line naming the problem and the fix
        "err_scenario": ["run", "--scenario", "nope", "--paths", "100"],
        "err_toml": ["scenarios", str(tmp / "bad.toml")],
        "err_csv": ["data", str(tmp / "bad.csv"), "--validate"],
        "err_usage": ["run", "--paths", "0"],
        "err_market": ["history", "--market", "XX"],
        "err_missing": ["run", str(tmp / "missing.toml")],
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    env = _env()

    def run(args):
        return subprocess.run([sys.executable, "-m", "forecast", *args], env=env, cwd=tmp,
                              capture_output=True, text=True, timeout=300)

    cmds = _commands(tmp)
    with ThreadPoolExecutor(max_workers=2) as ex:
        results = dict(zip(cmds, ex.map(run, cmds.values()), strict=True))
    results["tmp"] = tmp
    return results


def _ok(r):
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    return r.stdout


def _fails_with_one_line(r, *needles):
    assert r.returncode == 2, (r.stdout, r.stderr)
    err = r.stderr.strip()
    assert "\n" not in err
    assert "Traceback" not in err
    assert err.startswith("forecast")
    for needle in needles:
        assert needle in err
    return err


def test_help_lists_every_command(runs):
    out = _ok(runs["help"])
    for command in ("run", "history", "nowcast", "backtest", "sensitivity", "scenarios",
                    "data", "report"):
        assert f"    {command}" in out
    assert "exit codes" in out


def test_run_prints_table_and_writes_every_output(runs):
    out = _ok(runs["run"])
    assert runs["run"].stderr == ""  # --quiet, and no terminal: nothing on stderr
    lines = out.splitlines()
    assert lines[0].endswith("median [80% band]")
    assert lines[1].split() == ["scenario", "2026", "2030", "2035"]
    assert lines[2].startswith("baseline")
    assert lines[3].startswith("escalation")
    assert "seed 1" in out
    folder = runs["tmp"] / "out"
    names = {p.name for p in folder.iterdir()}
    assert names == {"report.html", "summary.csv", "projection_wide.csv", "history.csv",
                     "settings.json", "sensitivity.csv", "history.png", "headline.png",
                     "fan_escalation.png", "difference_escalation.png",
                     "decomposition_escalation.png", "tornado.png",
                     ".forecast-output.json"}  # the marker: forecast wrote this folder
    assert all((folder / n).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for n in names
               if n.endswith(".png"))
    with open(folder / "projection_wide.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 2 * 10
    assert rows[0]["scenario"] == "baseline"
    settings = json.loads((folder / "settings.json").read_text())
    assert settings["seed"] == 1
    assert (settings["paths"], settings["to"]) == (500, 2035)
    assert settings["scenarios"] == ["baseline", "escalation"]
    assert not {"probabilities", "mixture_paths"} & set(settings)
    assert (settings["unit"], settings["currency"]) == ("USD_bn", "USD")  # the CSVs' unit
    sens = pd.read_csv(folder / "sensitivity.csv")  # names what it analyses, and the seed
    assert list(sens.columns[-2:]) == ["scenario", "seed"]
    assert set(sens["scenario"]) == {"escalation"}
    assert set(sens["seed"]) == {1}
    assert settings["command"].startswith("forecast run --model drift")
    assert settings["model_spec"] == f"Drift(imputations={cli.DEFAULT_IMPUTATIONS})"
    from test_report import check_self_contained

    text = check_self_contained(folder / "report.html", n_images=6)
    assert "Scenario <b>Escalation</b>" in text  # its tornado
    assert "In 2035 the scenarios move" in out  # the key message under the table
    assert f"forecast.Drift(imputations={cli.DEFAULT_IMPUTATIONS}).fit(history, seed=1)" in text


def test_run_is_reproducible_from_python(runs, us_history):
    import numpy as np

    import forecast

    fit = forecast.Drift(imputations=cli.DEFAULT_IMPUTATIONS).fit(us_history, seed=1)
    scenarios = forecast.presets.scenario_set()
    proj = forecast.project(fit, [scenarios["baseline"], scenarios["escalation"]], to=2035,
                            n_paths=500, seed=1)
    with open(runs["tmp"] / "out" / "summary.csv") as fh:
        rows = [r for r in csv.DictReader(fh) if r["scenario"] == "escalation"]
    expected = np.median(proj.samples[1], axis=0)
    assert np.allclose([float(r["median"]) for r in rows], expected)


def test_report_command(runs):
    out = _ok(runs["report"])
    assert "rep.html" in out
    from test_report import check_self_contained

    # headline and history; no scenario section without a second scenario
    text = check_self_contained(runs["tmp"] / "r" / "rep.html", n_images=2)
    assert "to=2030" in text


def test_history_and_nowcast(runs):
    out = _ok(runs["history"])
    assert out.splitlines()[0] == "US offshore execution (USD bn)"  # the unit, as run's title
    assert out.splitlines()[1].split()[:3] == ["year", "median", "lower_80"]
    assert "2025" in out
    header = (runs["tmp"] / "h.csv").read_text().splitlines()[0]
    assert header.startswith("year,median")
    assert header.endswith(",evidence,unit")
    assert (runs["tmp"] / "h.png").read_bytes().startswith(b"\x89PNG")
    out = _ok(runs["nowcast"])
    assert out.startswith("Nowcast of full-year 2025")
    assert "USD_bn" in out
    assert "CNY_bn" in out
    assert (runs["tmp"] / "n.png").stat().st_size > 1000


def test_backtest_and_sensitivity(runs):
    out = _ok(runs["backtest"])
    assert "rolling-origin" in out
    assert "Naive" in out
    assert "Drift" in out
    assert "mase" in (runs["tmp"] / "bt.csv").read_text().splitlines()[0]
    assert "crps_log" in out.splitlines()[1]  # the scale-free CRPS, explained below the table
    assert "crps_log: CRPS of the log level" in out
    out = _ok(runs["sensitivity"])
    assert "escalation" in out
    assert "trade_friction.drift.delta" in out
    assert (runs["tmp"] / "s.png").read_bytes().startswith(b"\x89PNG")
    header = (runs["tmp"] / "s.csv").read_text().splitlines()[0]
    assert "swing" in header
    assert header.endswith(",scenario,seed")


def test_probabilities_of_a_scenario_file_give_the_mixture(runs):
    out = _ok(runs["run_mix"])
    assert "\nmixture " in out  # the probability-weighted row of the printed table
    # the key message is wrapped for the terminal: read it as one line
    assert "Weighting the scenarios by their probabilities" in " ".join(out.split())
    folder = runs["tmp"] / "mix"
    with open(folder / "summary.csv") as fh:
        assert "mixture" in {r["scenario"] for r in csv.DictReader(fh)}
    text = (folder / "report.html").read_text()
    assert ">Probability-weighted mixture</h2>" in text
    assert 'alt="Fan chart of the probability-weighted mixture of the scenarios"' in text
    assert (folder / "mixture.png").stat().st_size > 0
    # the report's code loads the file and keeps its probabilities: the same mixture
    import html

    import numpy as np

    block = html.unescape(text.split('id="reproduce"')[1])
    code = block.split("<h3>Python</h3><pre>")[1].split("</pre>")[0]
    assert "probabilities=(0.5, 0.3, 0.2))" in code
    scope: dict = {}
    exec(compile(code, "reproduce", "exec"), scope)
    with open(folder / "summary.csv") as fh:
        rows = [r for r in csv.DictReader(fh) if r["scenario"] == "mixture"]
    np.testing.assert_allclose([float(r["median"]) for r in rows],
                               np.median(scope["proj"].mixture().samples[0], axis=0),
                               rtol=1e-12)
    # settings.json records the weights and the paths each scenario gave the mixture
    settings = json.loads((folder / "settings.json").read_text())
    mixture = scope["proj"].mixture()
    assert settings["mixture_paths"] == mixture.settings["mixture"]
    assert sum(settings["mixture_paths"].values()) == settings["paths"] == mixture.n_paths
    assert settings["probabilities"] == dict(zip(scope["proj"].scenario_names,
                                                 scope["proj"].probabilities, strict=True))
    assert settings["scenarios"] == list(scope["proj"].scenario_names)


def test_scenario_narrows_a_mixture_only_when_every_scenario_is_named():
    """--scenario with every scenario of a file (any order) keeps its probabilities; a
    subset's do not sum to 1, so it drops them and says so (it dropped them silently)."""
    import argparse
    import warnings

    from forecast.cli._util import scenario_set

    file = str(ROOT / "examples" / "04_custom_scenario.toml")
    order = ["slow_drift", "baseline", "levy_and_opening"]
    every = scenario_set(argparse.Namespace(file=file, scenarios=order), output=False)
    assert every.names == tuple(order)
    assert every.probabilities == (0.2, 0.5, 0.3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        some = scenario_set(argparse.Namespace(file=file, scenarios=order[:2]), output=False)
    assert some.probabilities is None
    assert len(caught) == 1
    assert "chose 2 of the 3 scenarios" in str(caught[0].message)
    assert "Name every scenario, or none" in str(caught[0].message)


def test_sensitivity_analyses_one_scenario(runs):
    _fails_with_one_line(runs["err_two_scenarios"], "one scenario", "escalation")


def test_help_texts_match_the_code():
    from forecast.cli import build_parser
    from forecast.models.base import DEFAULT_IMPUTATIONS

    parser = build_parser()
    sub = parser._subparsers._group_actions[0].choices  # the subcommand parsers
    run_help = sub["run"].format_help()
    assert f"(default: {DEFAULT_IMPUTATIONS}, the same as the Python API's" in " ".join(
        run_help.split())
    sens = " ".join(sub["sensitivity"].format_help().split())
    assert "the scenario to analyse (default: the last one" in sens
    assert "repeatable" not in sens.split("--scenario NAME")[1].split("--method")[0]


def test_loading_the_commands_keeps_the_console_script():
    """`forecast = forecast.cli:run` is a function; no submodule of cli may be named `run`
    (importing it would replace the function on the package)."""
    import importlib

    from forecast.cli import commands, entry

    for name in ("run_report", "markets"):
        importlib.import_module(f"forecast.cli.{name}")
    assert commands.cmd_run.__module__ == "forecast.cli.run_report"
    assert cli.run is entry.run
    assert callable(cli.run)


def test_warnings_reach_the_user_as_one_line(monkeypatch, capsys):
    import logging
    import warnings

    from forecast.cli import commands

    def noisy(args):
        warnings.warn("backtest skipped Drift at 2014 (too short)\nsecond line", UserWarning,
                      stacklevel=1)
        logging.getLogger("forecast").warning("a logged warning")
        logging.getLogger("forecast").info("not shown")
        return 0

    monkeypatch.setattr(commands, "cmd_history", noisy)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        assert cli.main(["history"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == ["forecast history: warning: backtest skipped Drift at 2014 (too short) | "
                   "second line", "forecast history: warning: a logged warning"]


def test_scenarios_lists_and_validates(runs):
    out = _ok(runs["scenarios"])
    for name in cli.PRESET_NAMES:
        assert f"\n{name}" in out
    assert "Triangular" in out  # -v lists the distributions
    # and the fixed chance of a part, which is no parameter: escalation's levy is a coin
    # flip, fragmentation's more likely (it read as certain)
    escalation = out[out.index("\nescalation"):out.index("\ndigital_opening")]
    assert "levy_step.probability: 0.5 (fixed" in escalation
    assert "levy_step.probability: 0.6 (fixed" in out[out.index("\nfragmentation"):]
    out = _ok(runs["scenarios_file"])
    assert "valid, 3 scenario(s)" in out
    assert "levy_and_opening (probability 0.3)" in out
    assert "[[scenario]]" in (runs["tmp"] / "dump.toml").read_text()


def test_data_lists_filters_and_validates(runs):
    out = _ok(runs["data_valid"])
    assert "releases.csv: valid, " in out
    out = _ok(runs["data"])
    assert "2024" in out
    assert out.strip().endswith("match these filters.")
    assert (runs["tmp"] / "us.csv").read_text().startswith("market,")


def test_error_paths_exit_2_with_one_line(runs):
    _fails_with_one_line(runs["err_scenario"], "'nope'", "Choose among: baseline")
    _fails_with_one_line(runs["err_toml"], "bogus", "Remove it")
    err = _fails_with_one_line(runs["err_csv"], "bad.csv")
    assert "row 1" in runs["err_csv"].stdout
    assert "row 2" in runs["err_csv"].stdout
    assert "fix" in err
    _fails_with_one_line(runs["err_usage"], "--paths", ">= 1", "--help")
    _fails_with_one_line(runs["err_market"], "'XX'", "US")
    _fails_with_one_line(runs["err_missing"], "missing.toml", "not found")


# ----------------------------------------------------------------------------- in process


def test_main_without_command_prints_help(capsys):
    assert cli.main([]) == 0
    assert "usage: forecast" in capsys.readouterr().out


def test_version(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("forecast ")


def test_bad_option_values_exit_2(capsys):
    for argv in (["run", "--seed", "-1"], ["run", "--to", "soon"], ["run", "--format", "xls"],
                 ["run", "--workers", "2", "--scheduler", "tcp://x:1"],
                 ["data", "--as-of", "June"]):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert "\n" not in err, argv
        assert "See `forecast" in err, argv


def test_unexpected_error_exits_1_with_traceback(monkeypatch, capsys):
    from forecast.cli import commands

    def boom(args):
        raise RuntimeError("kaput")

    monkeypatch.setattr(commands, "cmd_data", boom)
    assert cli.main(["data"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err
    assert "kaput" in err
    assert "please report it" in err


def test_parser_matches_presets_and_models():
    from forecast import models, presets

    assert tuple(presets.scenario_set().names) == cli.PRESET_NAMES
    assert all(hasattr(models, name) for name in cli.MODELS.values())


@pytest.mark.parametrize(("spec", "years"), [("Drift", 2), ("DampedTrend", 3), ("Auto", 2)])
def test_too_short_advice_names_a_model_the_cli_offers(spec, years):
    """A too-short series advises a simpler model, by its Python name and its --model
    choice; the choice must exist (Naive was advised but not offered)."""
    import re

    from forecast import AnnualSeries, models
    from forecast.errors import ModelError

    short = AnnualSeries(range(2025 - years, 2025), [1.0 + k for k in range(years)])
    with pytest.raises(ModelError) as err:
        getattr(models, spec)().fit(short)
    choice = re.search(r"--model (\w+)", str(err.value))
    assert choice is not None, str(err.value)
    assert choice.group(1) in cli.MODELS
    getattr(models, cli.MODELS[choice.group(1)])().fit(short, seed=1)


@pytest.mark.parametrize("quiet", [False, True])
def test_progress_only_in_a_terminal_and_not_quiet(monkeypatch, capsys, quiet):
    import argparse

    from forecast.cli import _util

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    args = argparse.Namespace(quiet=quiet, steps=2)
    _util.status(args, "reconstructing the history ...")
    _util.status(args, "fitting")
    _util.done(args)
    err = capsys.readouterr().err
    if quiet:
        assert err == ""
    else:
        assert "reconstructing the history" in err
        assert "fitting" in err


def test_cli_default_imputations_match_the_library():
    """`forecast run` fits the same model as `Auto().fit(history)` in Python."""
    from forecast.models.base import DEFAULT_IMPUTATIONS

    assert cli.DEFAULT_IMPUTATIONS == DEFAULT_IMPUTATIONS


@pytest.mark.slow
def test_run_on_a_dask_scheduler_matches_serial(tmp_path):
    """`forecast run --scheduler ADDRESS` uses a real dask scheduler; results equal serial."""
    distributed = need("distributed")
    small = ["run", "--model", "drift", "--paths", "400", "--seed", "5", "--scenario",
             "baseline", "--no-plot", "--quiet", "--format", "long"]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        dask_run = subprocess.run(
            [sys.executable, "-m", "forecast", *small, "--scheduler", cluster.scheduler_address,
             "--out", str(tmp_path / "dask")],
            env=_env(), capture_output=True, text=True, timeout=180)
    assert dask_run.returncode == 0, dask_run.stderr
    serial = subprocess.run(
        [sys.executable, "-m", "forecast", *small, "--out", str(tmp_path / "serial")],
        env=_env(), capture_output=True, text=True, timeout=180)
    assert serial.returncode == 0, serial.stderr
    a = (tmp_path / "dask" / "projection_long.csv").read_text()
    b = (tmp_path / "serial" / "projection_long.csv").read_text()
    assert a == b


@pytest.mark.slow
def test_unreachable_scheduler_is_a_one_line_error(tmp_path):
    need("distributed")
    out = subprocess.run(
        [sys.executable, "-m", "forecast", "run", "--model", "drift", "--paths", "100",
         "--no-plot", "--quiet", "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path)],
        env=_env(), capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "--scheduler" in lines[0]
    assert "dask scheduler" in lines[0]


def test_workers_run_projections_on_threads_and_backtests_on_processes(tmp_path, capsys):
    from concurrent.futures import ProcessPoolExecutor

    from forecast.cli._util import executor

    args = cli.build_parser().parse_args(["run", "--workers", "2"])
    with executor(args) as ex:
        assert isinstance(ex, ThreadPoolExecutor)
        assert ex._max_workers == 2
    with executor(args, threads=False) as ex:
        assert isinstance(ex, ProcessPoolExecutor)
    # the output does not depend on the workers: same summary serially and on 2 threads
    common = ["run", "--model", "drift", "--imputations", "2", "--paths", "25000",
              "--seed", "4", "--no-plot", "--quiet"]  # 3 chunks of 10,000
    frames = []
    for extra, out in (([], "a"), (["--workers", "2"], "b")):
        assert cli.main([*common, *extra, "--out", str(tmp_path / out)]) == 0
        frames.append((tmp_path / out / "summary.csv").read_text())
    assert frames[0] == frames[1]


def test_an_unknown_market_is_an_error_without_a_warning_first(capsys, tmp_path):
    """The note that the presets are calibrated on the US came before the error that the
    market is not in the records; now only the error."""
    assert cli.main(["run", "--market", "XX", "--model", "drift", "--paths", "50",
                     "--no-plot", "--quiet", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert "warning" not in err
    assert "XX" in err
    assert "\n" not in err
    assert not (tmp_path / "out").exists()


def test_scenarios_starting_inside_a_longer_history_get_command_line_advice(
        tmp_path, capsys):
    """A 2026 release makes the history end in 2026, when the presets start: the error
    said "Pass start=2027", which the command line cannot; now it says how, before the
    fit, and --scenario baseline runs."""
    added = tmp_path / "add.csv"
    added.write_text("market,segment,flow,year,months,measure,value,unit,basis,published,"
                     "source,address,confidence,note\nUS,all,offshore_execution,2026,3,level,"
                     "60,USD_1e8,USD,2026-04-20,My source,,read,\n")
    argv = ["run", "--add", str(added), "--model", "drift", "--paths", "50", "--seed", "1",
            "--no-plot", "--quiet"]
    assert cli.main([*argv, "--out", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err.strip()
    assert "which ends in 2026" in err
    assert "forecast scenarios --dump scenarios.toml" in err
    assert "--scenario baseline" in err
    assert "Pass start=" not in err
    assert ".." not in err
    assert not (tmp_path / "a").exists()
    assert cli.main([*argv, "--scenario", "baseline", "--out", str(tmp_path / "b")]) == 0
    # the joint run too, with the way to write its own presets to a file
    markets = ["run", "--markets", "US,EU", *argv[1:]]
    assert cli.main([*markets, "--out", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err.strip()
    assert "which ends in 2026" in err
    assert "forecast.dump_scenarios(forecast.market_presets.scenario_set()" in err
    assert "Pass start=" not in err
    assert not (tmp_path / "m").exists()


def test_a_reader_that_stops_early_costs_no_output_file(tmp_path):
    """`forecast history --out h.csv | head -1`: the commands printed their table first and
    wrote the file after, so the broken pipe (exit 0, nothing on stderr) cost the file. Here
    stdout is closed before the command prints anything: every requested file is written."""
    env = _env()
    toml = str(ROOT / "examples" / "04_custom_scenario.toml")
    small = ["--model", "drift", "--seed", "1"]
    cases = {
        "h.csv": ["history", "--out", "h.csv", "--plot", "h.png"],
        "n.png": ["nowcast", "--plot", "n.png"],
        "bt.csv": ["backtest", *small, "--horizon", "2", "--paths", "100", "--out", "bt.csv"],
        "s.csv": ["sensitivity", "--scenario", "escalation", *small, "--paths", "50",
                  "--year", "2030", "--out", "s.csv", "--plot", "s.png"],
        "dump.toml": ["scenarios", toml, "-v", "--dump", "dump.toml"],
        "r.csv": ["data", "--market", "US", "--out", "r.csv"],
    }

    def run(args):
        proc = subprocess.Popen([sys.executable, "-m", "forecast", *args], env=env,
                                cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        proc.stdout.close()  # the reader has gone before the first line
        err = proc.stderr.read().decode()
        proc.stderr.close()
        return proc.wait(timeout=300), err

    with ThreadPoolExecutor(max_workers=2) as ex:
        results = dict(zip(cases, ex.map(run, cases.values()), strict=True))
    for name, (code, err) in results.items():
        assert code == 0, (name, err)
        assert "Traceback" not in err, (name, err)
        assert (tmp_path / name).stat().st_size > 0, name
    for extra in ("h.png", "s.png"):
        assert (tmp_path / extra).read_bytes()[:4] == b"\x89PNG"


def test_data_out_below_a_file_fails_before_the_listing(tmp_path, capsys):
    """`forecast data --out afile/r.csv` printed every row, then failed with "cannot access
    afile: it already exists (EEXIST). Choose another name": the file in the way is named
    now, before anything is printed."""
    (tmp_path / "afile").write_text("x\n")
    assert cli.main(["data", "--out", str(tmp_path / "afile" / "r.csv")]) == 2
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err == (f"forecast data: error: cannot write the --out file "
                       f"{tmp_path / 'afile' / 'r.csv'}: {tmp_path / 'afile'} is a file, "
                       "where a folder is needed. Fix the path, or move that file away.\n")
    assert (tmp_path / "afile").read_text() == "x\n"


def test_a_run_without_a_baseline_compares_every_chart_with_the_first_scenario(tmp_path):
    """Without a scenario named "baseline" the first one is the reference of the key
    message and the difference charts; the decomposition charts were silently left out."""
    toml = tmp_path / "nobase.toml"
    toml.write_text(
        '[[scenario]]\nname = "high"\n[[scenario.assumption]]\ntype = "level_shift"\n'
        'name = "up"\nstart = 2027\nsize = 0.1\n\n'
        '[[scenario]]\nname = "low"\n[[scenario.assumption]]\ntype = "level_shift"\n'
        'name = "down"\nstart = 2027\nsize = {dist = "uniform", low = -0.2, high = -0.1}\n')
    out = tmp_path / "out"
    assert cli.main(["run", str(toml), "--model", "drift", "--paths", "200", "--seed", "1",
                     "--to", "2030", "--out", str(out), "--quiet"]) == 0
    for chart in ("difference_low.png", "decomposition_low.png"):
        assert (out / chart).read_bytes()[:4] == b"\x89PNG"
    assert not (out / "decomposition_high.png").exists()  # the reference itself
    import forecast
    from forecast import report

    fit = forecast.Drift().fit(forecast.reconstruct(), seed=1)
    p = forecast.project(fit, forecast.load_scenarios(toml), to=2030, n_paths=200, seed=1)
    svg = report.render_figures(p, decompositions={"low": p.decompose("low", baseline="high")},
                                baseline="high", skip=("history",))
    assert b"What drives Low against High" in svg["decomposition_low"]


def test_a_run_in_cny_prints_the_currency_caution_after_the_key_message(capsys, tmp_path):
    """The report cautioned that a CNY run is not the USD projection restated, but the
    terminal's key message, which a user reads first, did not; in USD nothing is added."""
    common = ["run", "--model", "drift", "--paths", "200", "--seed", "1", "--no-plot",
              "--scenario", "baseline"]
    assert cli.main([*common, "--currency", "CNY", "--out", str(tmp_path / "cny")]) == 0
    out = " ".join(capsys.readouterr().out.split())
    message = out.index("Chance that")  # the key message's last sentence
    caution = out.index("Caution, currency: this projection is of the series in CNY, not a "
                        "projection in US dollars restated in yuan.")
    assert message < caution < out.index("paths, seed 1")
    assert "Future exchange rates are not modelled" in out
    assert cli.main([*common, "--out", str(tmp_path / "usd")]) == 0
    assert "Caution, currency" not in capsys.readouterr().out
