"""Fixes of a new-user audit of the command line (and of one Python seed check).

In process (``cli.main``), with the fast Drift model on few paths and one imputation;
the bad inputs must fail with exit 2 and one line before any slow work.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest

import forecast
from forecast import cli
from forecast.errors import ForecastError

FAST = ["--model", "drift", "--imputations", "1"]


#: The slow stages of the commands, as the CLI modules call them: a refusal must come
#: before any of them runs (checked by making them fail, not by timing).
SLOW_STAGES = ("forecast.cli._util.reconstruct", "forecast.cli.run_report.project",
               "forecast.cli.run_report.tornado", "forecast.cli.commands.compare",
               "forecast.cli.commands.tornado", "forecast.cli.commands.sobol",
               "forecast.cli.markets.reconstruct_markets",
               "forecast.cli.markets.project_markets")


def _slow_stage(*args, **kwargs):
    raise AssertionError("a slow stage ran before the command refused its input")


def _fails(capsys, argv, *needles) -> str:
    with pytest.MonkeyPatch.context() as mp:
        for target in SLOW_STAGES:
            mp.setattr(target, _slow_stage)
        code = cli.main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2, (argv, err)
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"forecast {argv[0]}: error: "), err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


def _ok(capsys, argv) -> str:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def _rows(path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


# ----------------------------------------------------------------------------- 1: seeds


@pytest.mark.parametrize("command", ["backtest", "sensitivity"])
def test_a_drawn_seed_is_printed_and_written_and_repeats_the_run(command, tmp_path, capsys):
    argv = {"backtest": ["backtest", *FAST[:2], "--horizon", "2", "--paths", "20", "-q"],
            "sensitivity": ["sensitivity", *FAST, "--paths", "16", "--year", "2030",
                            "-q"]}[command]
    out = _ok(capsys, [*argv, "--out", str(tmp_path / "a.csv")])
    first = _rows(tmp_path / "a.csv")
    seed = first[0]["seed"]
    assert seed.isdigit()
    assert {r["seed"] for r in first} == {seed}
    assert f"seed {seed} (pass --seed {seed} to reproduce)" in out  # printed, even with -q
    _ok(capsys, [*argv, "--seed", seed, "--out", str(tmp_path / "b.csv")])
    assert (tmp_path / "b.csv").read_text() == (tmp_path / "a.csv").read_text()


# ----------------------------------------------------------------------------- 2: --markets


def test_an_empty_markets_list_is_refused(tmp_path, capsys):
    _fails(capsys, ["run", "--markets", "", "--out", str(tmp_path / "o")],
           "--markets", "''", "--markets US,EU,HK,JP")
    _fails(capsys, ["run", "--markets", " , ", "--out", str(tmp_path / "o")], "--markets")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("value", ["US,", ",US", "US,,EU", "US, ,EU"])
def test_an_empty_item_in_the_markets_list_is_refused(value, tmp_path, capsys):
    """A stray comma is a code left out (or a typo), not a request: refused, not dropped."""
    _fails(capsys, ["run", "--markets", value, "--out", str(tmp_path / "o")],
           "--markets", "empty item", repr(value), "--markets US")
    assert not (tmp_path / "o").exists()


def test_a_joint_design_without_markets_is_refused(tmp_path, capsys):
    _fails(capsys, ["run", "--design", "split", "--out", str(tmp_path / "o")],
           "--design split", "add --markets", "leave --design out")
    assert not (tmp_path / "o").exists()


def test_markets_without_the_us_refuse_us_scenarios_up_front(tmp_path, capsys):
    _fails(capsys, ["run", "--markets", "EU,HK", *FAST, "--no-plot", "-q",
                    "--out", str(tmp_path / "o")],
           "--markets EU,HK leaves out US", "'managed_friction'", "--markets US,EU,HK",
           "--scenario baseline")
    assert not (tmp_path / "o").exists()


def test_markets_without_the_us_run_scenarios_that_need_no_target(tmp_path, capsys):
    out = _ok(capsys, ["run", "--markets", "EU,HK", "--scenario", "baseline", *FAST,
                       "--paths", "20", "--seed", "1", "--to", "2027", "--no-plot", "-q",
                       "--out", str(tmp_path / "o")])
    assert out.startswith("EU (")  # the first market named, then China's total
    assert "\nALL (" in out
    assert (tmp_path / "o" / "summary.csv").exists()


# ----------------------------------------------------------------------------- 3: names


@pytest.mark.parametrize(("body", "needles"), [
    ('[[scenario]]\nname = "a/b"\n', ("'a/b'", "'fan_a/b.png'", "name = 'a_b'")),
    ('[[scenario]]\nname = "a\\\\b"\n', ("'a\\\\b'", "name = 'a_b'")),
    ('[[scenario]]\nname = "CON"\n[[scenario]]\nname = "con"\n',
     ("'CON' and 'con'", "differ only by case", "Rename one")),
    # too long for decomposition_<name>.png (255 bytes): it failed after all the work
    (f'[[scenario]]\nname = "{"x" * 238}"\n',
     ("is too long", "would be 256 bytes", "at most 237 bytes", "takes 238")),
    (f'[[scenario]]\nname = "{"贸" * 80}"\n', ("is too long", "takes 240", "Shorten it")),
])
def test_scenario_names_that_cannot_name_files_fail_up_front(body, needles, tmp_path,
                                                             capsys):
    toml = tmp_path / "s.toml"
    toml.write_text(body)
    _fails(capsys, ["scenarios", str(toml)], "s.toml", *needles)
    _fails(capsys, ["run", str(toml), *FAST, "--no-plot", "-q", "--out", str(tmp_path / "o")],
           *needles)
    _fails(capsys, ["report", str(toml), *FAST, "--out", str(tmp_path / "r.html")], *needles)
    assert not (tmp_path / "o").exists()
    assert not (tmp_path / "r.html").exists()


# ----------------------------------------------------------------------------- 4: formats


def test_plot_format_follows_the_extension(tmp_path, capsys):
    _ok(capsys, ["history", "-q", "--plot", str(tmp_path / "h.svg")])
    data = (tmp_path / "h.svg").read_bytes()
    assert b"<svg" in data[:400]
    assert not data.startswith(b"\x89PNG")
    _ok(capsys, ["history", "-q", "--plot", str(tmp_path / "h.PNG")])
    assert (tmp_path / "h.PNG").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("argv", [
    ["history", "--plot", "{tmp}/h.pdf"],
    ["history", "--plot", "{tmp}/h.txt"],
    ["history", "--plot", "{tmp}/h"],
    ["nowcast", "--plot", "{tmp}/h.jpg"],
    ["sensitivity", "--plot", "{tmp}/h.pdf", "--model", "drift"],
])
def test_an_unsupported_plot_extension_is_refused(argv, tmp_path, capsys):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    _fails(capsys, argv, "--plot must be a .png or .svg file", repr(argv[2]))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["s.txt", "s.json", "s"])
def test_a_scenario_dump_must_be_toml(name, tmp_path, capsys):
    """`scenarios --dump s.txt` wrote TOML under a name that says otherwise."""
    _fails(capsys, ["scenarios", "--dump", str(tmp_path / name)],
           "--dump must be a .toml file (scenario files are TOML)", repr(str(tmp_path / name)),
           "Pass e.g. --dump")
    assert list(tmp_path.iterdir()) == []


def test_the_report_must_be_html(tmp_path, capsys):
    _fails(capsys, ["report", *FAST, "--out", str(tmp_path / "r.pdf")],
           "--out must be an .html file", "r.pdf", "r.html")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", [".html", ".HTM", ".pdf"])
def test_a_hidden_report_name_is_not_told_to_add_html_again(name, tmp_path, capsys):
    """`.html` is a hidden file without a suffix: suggest a real name, not `.html.html`."""
    err = _fails(capsys, ["report", *FAST, "--out", str(tmp_path / name)],
                 "--out must be an .html file", repr(str(tmp_path / name)),
                 "Pass e.g. --out forecast-report.html,")
    assert f"{name}.html" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("argv", "suggested"), [
    (["nowcast", "--plot", "{tmp}/.png"], "nowcast.png"),
    (["history", "--plot", "{tmp}/.SVG"], "history.svg"),
    (["history", "--plot", "{tmp}/.jpg"], "history.png"),
    (["history", "--out", "{tmp}/.csv"], "history.csv"),
    (["backtest", "--out", "{tmp}/.txt"], "backtest.csv"),
    (["scenarios", "--dump", "{tmp}/.toml"], "scenarios.toml"),  # wrote a hidden '.toml'
])
def test_a_name_that_is_only_an_extension_gets_a_real_name(argv, suggested, tmp_path, capsys):
    """`--plot .png` is a hidden file without a suffix: suggest `nowcast.png`, not `.png.png`."""
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    err = _fails(capsys, argv, "must be a", f"got {argv[2]!r}, a name that is only an "
                 f"extension. Pass e.g. {argv[1]} {suggested}")
    name = argv[2].rsplit("/", 1)[-1]
    assert f" {name}" not in err.split("Pass e.g.")[1]  # no `.png.png`, no `.csv.csv`
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- 5: --paths


@pytest.mark.parametrize("command", ["run", "report"])
def test_too_few_paths_are_refused(command, capsys):
    _fails(capsys, [command, "--paths", "1"], "--paths", ">= 10", "got 1")
    _fails(capsys, [command, "--paths", "9"], "--paths", ">= 10", "got 9")
    assert cli.build_parser().parse_args([command, "--paths", "10"]).paths == 10


# ----------------------------------------------------------------------------- 6: Python seed


SERIES = forecast.AnnualSeries(range(2015, 2025), [float(i + 10) for i in range(10)])


@pytest.mark.parametrize("seed", ["abc", 1.5, -1, True])
@pytest.mark.parametrize("spec", [forecast.Drift(), forecast.Theta(), forecast.ARIMA(),
                                  forecast.Auto()])
def test_fit_on_a_series_checks_the_seed_as_every_other_path(spec, seed):
    with pytest.raises(ForecastError) as on_series:
        spec.fit(SERIES, seed=seed)
    fit = forecast.Drift().fit(SERIES)
    with pytest.raises(ForecastError) as in_project:
        forecast.project(fit, forecast.Scenario("baseline"), to=2026, n_paths=10, seed=seed)
    assert type(on_series.value) is type(in_project.value)
    assert "`seed`" in str(on_series.value)


def test_fit_on_a_series_accepts_every_seed_and_leaves_a_generator_alone():
    rng = np.random.default_rng(5)
    state = rng.bit_generator.state
    for seed in (None, 0, 7, np.int64(3), rng, np.random.SeedSequence(1)):
        forecast.Drift().fit(SERIES, seed=seed)
    assert rng.bit_generator.state == state


# ----------------------------------------------------------------------------- 7: revisions


def test_a_revised_figure_says_how_to_drop_the_embedded_row(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _ok(capsys, ["data", "--out", "all.csv"])
    lines = (tmp_path / "all.csv").read_text().splitlines(keepends=True)
    head = lines[0]
    old = next(ln for ln in lines if ln.startswith("US,all,offshore_execution,2024,12,level,")
               and ",USD," in ln)
    (tmp_path / "conflict.csv").write_text(
        head + "US,all,offshore_execution,2024,12,level,320.5,USD_1e8,USD,2026-02,revision,,"
        "read,\n")
    err = _fails(capsys, ["history", "--add", "conflict.csv"], "conflict.csv row 1",
                 "drop the superseded row", "`forecast data --out all.csv`",
                 "`--data all.csv`")
    assert "embedded" in err
    # the hint works as written: drop the embedded row, then --data all.csv --add ...
    (tmp_path / "all.csv").write_text("".join(ln for ln in lines if ln != old))
    out = _ok(capsys, ["history", "--data", "all.csv", "--add", "conflict.csv"])
    assert "\n 2024" in out


# ----------------------------------------------------------------------------- 8: hints


@pytest.mark.parametrize(("argv", "needles"), [
    (["history", "--market", "us"], ("--market", "'us'", "Did you mean 'US'?")),
    (["nowcast", "--market", "Us"], ("--market", "'Us'", "Did you mean 'US'?")),
    (["run", "--markets", "us,eu", "--out", "{tmp}/o"],
     ("--markets", "'us'", "Did you mean 'US'?", "Choose among:")),
    (["run", "--scenario", "Baseline", "--out", "{tmp}/o"],
     ("--scenario", "'Baseline'", "Did you mean 'baseline'?", "Choose among: baseline")),
    (["run", "--markets", "US", "--scenario", "fragmentation_divertion", "--out", "{tmp}/o"],
     ("'fragmentation_divertion'", "Did you mean 'fragmentation_diversion'?")),
    (["sensitivity", "--scenario", "Escalation"], ("Did you mean 'escalation'?",)),
    (["data", "--market", "us"], ("Did you mean 'US'?",)),
])
def test_names_get_the_same_did_you_mean_hint(argv, needles, tmp_path, capsys):
    _fails(capsys, [a.replace("{tmp}", str(tmp_path)) for a in argv], *needles)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("command", [["history"], ["nowcast"], ["run", "--out", "{tmp}/o"]])
def test_an_unknown_market_names_the_option_once(command, tmp_path, capsys):
    """It read '--market: `market` (--market) must be a market present ...'."""
    argv = [a.replace("{tmp}", str(tmp_path)) for a in command] + ["--market", "USA"]
    err = _fails(capsys, argv, "Did you mean 'US'?")
    assert err == (f"forecast {command[0]}: error: --market must be a market present in the "
                   "records; got 'USA'. Did you mean 'US'? Markets present: "
                   + err.split("Markets present: ")[1])
    assert "`market`" not in err
    assert err.count("--market") == 1


# ----------------------------------------------------------------------------- 9: empty paths


@pytest.mark.parametrize(("argv", "option"), [
    (["run", "--out", ""], "--out"),
    (["report", "--out", ""], "--out"),
    (["history", "--out", ""], "--out"),
    (["history", "--plot", ""], "--plot"),
    (["backtest", "--out", ""], "--out"),
    (["sensitivity", "--plot", ""], "--plot"),
    (["scenarios", "--dump", ""], "--dump"),
    (["data", "--out", ""], "--out"),
    (["history", "--data", ""], "--data"),
    (["history", "--add", ""], "--add"),
    (["run", ""], "FILE.toml"),
    (["data", ""], "FILE.csv"),
])
def test_an_empty_path_is_refused(argv, option, capsys):
    _fails(capsys, argv, f"the {option} path is empty")


def test_a_repeated_warning_is_shown_once(capsys):
    import warnings as _warnings

    from forecast.cli._warnings import one_line_warnings

    with one_line_warnings("run"), _warnings.catch_warnings():
        _warnings.simplefilter("always")
        for _ in range(3):  # e.g. one missing glyph met in every chart
            _warnings.warn("Glyph 36152 missing from font(s) DejaVu Sans.", UserWarning,
                           stacklevel=1)
        _warnings.warn("another", UserWarning, stacklevel=1)
    err = capsys.readouterr().err.splitlines()
    assert err == ["forecast run: warning: Glyph 36152 missing from font(s) DejaVu Sans.",
                   "forecast run: warning: another"]


def test_chinese_scenario_names_are_drawn_with_an_installed_cjk_font():
    import warnings as _warnings

    from forecast.plotting._base import CJK_FONTS, chart_fonts, fonts_for
    from forecast.report import render_figure_sets

    fonts = chart_fonts()
    assert fonts[0] == "DejaVu Sans"
    assert set(fonts[1:]) <= set(CJK_FONTS)
    # Latin text (accents, dashes, the euro sign included) is drawn with DejaVu Sans alone
    assert fonts_for(["Baseline", "Café – 5 €", "US → EU"]) == ("DejaVu Sans",)
    if len(fonts) == 1:
        pytest.skip("no CJK font installed (Debian: fonts-noto-cjk or fonts-droid-fallback)")
    assert fonts_for(["Baseline", "贸易 摩擦"]) == fonts
    fit = forecast.Drift().fit(SERIES)
    proj = forecast.project(fit, [forecast.Scenario("baseline"), forecast.Scenario("贸易 摩擦")],
                            to=2030, n_paths=200, seed=1)
    with _warnings.catch_warnings():
        _warnings.simplefilter("error")  # a missing glyph is a warning: fail on it
        sets = render_figure_sets(proj, formats=("png",), skip=("history",))
    assert sets["png"]["fan_贸易 摩擦"].startswith(b"\x89PNG")
    # a Chinese assumption name: the decomposition's legend is measured while the chart
    # is built (kept clear of the bars), which warned of missing glyphs under the Latin
    # font tried first, and placed the legend by the wrong widths
    levy = forecast.Scenario("levy", [forecast.LevelShift(2027, -0.1, name="外包征税"),
                                      forecast.LevelShift(2028, 0.05, name="opening")])
    proj = forecast.project(fit, [forecast.Scenario("baseline"), levy], to=2030,
                            n_paths=200, seed=1)
    with _warnings.catch_warnings():
        _warnings.simplefilter("error")
        sets = render_figure_sets(proj, formats=("svg",), skip=("history",),
                                  decompositions={"levy": proj.decompose("levy")})
    assert "外包征税" in sets["svg"]["decomposition_levy"].decode()


def test_the_us_presets_on_another_market_are_flagged(tmp_path, capsys):
    argv = ["run", *FAST, "--paths", "20", "--seed", "1", "--no-plot", "-q"]
    assert cli.main([*argv, "--market", "HK", "--out", str(tmp_path / "hk")]) == 0
    err = capsys.readouterr().err
    assert "forecast run: warning: the preset scenarios are calibrated on the US" in err
    assert "--market HK" in err
    assert cli.main([*argv, "--out", str(tmp_path / "us")]) == 0  # the US: nothing to say
    assert "calibrated" not in capsys.readouterr().err


def test_scenarios_checks_starts_against_the_embedded_history(tmp_path, capsys):
    toml = ('[[scenario]]\nname = "early"\n[[scenario.assumption]]\ntype = "level_shift"\n'
            'start = {start}\nsize = -0.1\n')
    (tmp_path / "bad.toml").write_text(toml.format(start=2020))
    err = _fails(capsys, ["scenarios", str(tmp_path / "bad.toml")], "earliest start is 2020",
                 "in 2026 or later", "embedded releases",
                 f"edit their start years in {tmp_path / 'bad.toml'}.")
    assert "start=" not in err  # the library's advice is Python's
    (tmp_path / "good.toml").write_text(toml.format(start=2027))
    assert "valid, 1 scenario(s)" in _ok(capsys, ["scenarios", str(tmp_path / "good.toml")])


def test_data_year_filter_takes_the_years_a_record_may_have(capsys):
    from forecast.cli.parser import RECORD_YEARS
    from forecast.records.schema import YEAR_RANGE

    assert RECORD_YEARS == YEAR_RANGE
    _fails(capsys, ["data", "--year", "1800"], "--year", "1980", "2100")


def test_data_lists_figures_as_published_and_names_a_device(tmp_path, capsys):
    """`forecast data` prints 0.005 as 0.005 (not 0.01) and refuses /dev/null by its kind."""
    frame = forecast.load_releases().frame.head(1).copy()
    frame["value"] = [0.005]
    forecast.Records.from_frame(frame).to_csv(tmp_path / "small.csv")
    listing = _ok(capsys, ["data", str(tmp_path / "small.csv")])
    assert " 0.005 " in listing, listing
    assert "0.01" not in listing, listing
    _fails(capsys, ["data", "/dev/null"], "'/dev/null'", "(a character device)")


def test_a_mount_point_as_out_is_refused_with_the_reason(tmp_path, capsys, monkeypatch):
    """A mount point cannot be swapped for the new folder (it failed with EBUSY)."""
    import os

    out = tmp_path / "mnt"
    out.mkdir()
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: os.fspath(p) == str(out) or real(p))
    _fails(capsys, ["run", "--out", str(out)], "is a mount point",
           str(out / "forecast-output"))


def test_the_working_scale_can_be_chosen_on_the_command_line(tmp_path, capsys):
    import json

    from forecast.cli._util import make_spec

    assert make_spec("auto", 20, "log") == forecast.Auto(imputations=20, scale="log")
    assert make_spec("drift", None) == forecast.Drift()
    argv = ["run", "--model", "auto", "--paths", "20", "--seed", "1", "--no-plot", "-q",
            "--to", "2065"]
    assert cli.main([*argv, "--out", str(tmp_path / "auto")]) == 0
    assert "fall below the boundary" in capsys.readouterr().err  # near-level: paths hit zero
    assert cli.main([*argv, "--scale", "log", "--out", str(tmp_path / "log")]) == 0
    assert "boundary" not in capsys.readouterr().err  # the log scale has none
    settings = json.loads((tmp_path / "log" / "settings.json").read_text())
    assert settings["model_spec"] == "Auto(imputations=20, scale='log')"
    _fails(capsys, ["run", "--scale", "sqrt"], "--scale", "sqrt")


def test_the_centre_of_auto_can_be_chosen_on_the_command_line(tmp_path, capsys):
    import json

    from forecast.cli._util import make_spec

    assert make_spec("auto", 20, "auto", "mean") == forecast.Auto(imputations=20,
                                                                   center="mean")
    argv = ["run", "--paths", "20", "--seed", "1", "--no-plot", "-q", "--imputations", "2"]
    assert cli.main([*argv, "--center", "mean", "--out", str(tmp_path / "mean")]) == 0
    settings = json.loads((tmp_path / "mean" / "settings.json").read_text())
    assert settings["model_spec"] == "Auto(imputations=2, center='mean')"
    assert "--center mean" in settings["command"]
    _fails(capsys, ["run", "--center", "middle"], "--center", "middle")


@pytest.mark.parametrize("argv", [
    ["run", "--model", "drift", "--center", "mean"],
    ["report", "--model", "theta", "--center", "median"],
    ["sensitivity", "--model", "drift", "--center", "mean"],
    ["backtest", "--model", "drift", "--model", "theta", "--center", "mean"],
    ["run", "--markets", "US,EU", "--model", "drift", "--center", "mean"],
])
def test_center_without_auto_is_refused_before_any_work(argv, capsys):
    _fails(capsys, argv, "--center sets the centre of --model auto", "Drop --center")


@pytest.mark.parametrize("year", ["2020", "2200"])
def test_sensitivity_years_are_checked_in_the_commands_words_before_the_fit(year, capsys,
                                                                            monkeypatch):
    """Not the Python hint 'years=range(...)', and before any model is fitted."""
    from forecast.cli import commands

    def no_fit(*args, **kwargs):
        raise AssertionError("a model was fitted before --year was checked")

    monkeypatch.setattr(commands, "make_spec", no_fit)
    assert cli.main(["sensitivity", "--year", year, "--paths", "64"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"forecast sensitivity: error: --year must be after the history's last "
                   f"year (2025) and at most 2125; got {year}. Pass e.g. --year 2030 --year "
                   "2035.")


@pytest.mark.parametrize(("argv", "prog", "unknown"), [
    (["report", "--no-plot"], "forecast report", "--no-plot"),
    (["sensitivity", "--bogus", "--method", "sobol", "--nope"], "forecast sensitivity",
     "--bogus --nope"),
    (["--bogus"], "forecast", "--bogus"),
])
def test_an_unknown_option_points_at_its_commands_help(argv, prog, unknown, capsys):
    """The subcommand's own --help lists its options; `forecast --help` does not."""
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"{prog}: error: unrecognized arguments: {unknown}. See `{prog} --help`."


def test_sobol_n_not_a_power_of_two_is_advised_in_the_commands_words(capsys):
    """--n 100: "--n 64 or --n 128", not the Python "n=64 ... or sampling='random'"."""
    def argv(n):
        return ["sensitivity", *FAST, "--method", "sobol", "--n", n, "--year", "2030",
                "--seed", "1", "-q"]

    assert cli.main(argv("100")) == 0
    err = capsys.readouterr().err.strip()
    assert err == ("forecast sensitivity: warning: --n should be a power of two with --method "
                   "sobol (Sobol' points are balanced only then); got --n 100, so the indices "
                   "are less accurate than --n suggests. Pass --n 64 or --n 128.")
    assert cli.main(argv("128")) == 0
    assert capsys.readouterr().err == ""


def test_sobol_keeps_its_python_advice_for_python_callers():
    s = forecast.AnnualSeries(range(2012, 2026), [10 * 1.1**i for i in range(14)])
    sc = forecast.Scenario("s", [forecast.LevelShift(2027, forecast.Uniform(-0.2, 0.0))])
    with pytest.warns(UserWarning, match=r"got 100, .* Pass n=64 or n=128, or "
                      r"sampling='random'\.$"):
        forecast.evaluation.sobol(forecast.Drift().fit(s), sc, 2030, n=100, seed=1,
                                  n_bootstrap=0)


def test_backtest_help_says_what_auto_does_without_calling_it_slow():
    """`--model auto` was called "slow", but its rolling-origin backtest takes about as long
    as the default one of drift, damped and theta (about 2 s each on the embedded data)."""
    from forecast.cli import build_parser

    sub = build_parser()._subparsers._group_actions[0].choices
    text = " ".join(sub["backtest"].format_help().split())
    assert "auto combines every family, refitted at every origin" in text
    assert "slow" not in text


@pytest.mark.parametrize("extra", [[], ["--markets", "US,EU"]])
@pytest.mark.parametrize("to", ["2150", "2025"])
def test_to_outside_the_data_is_refused_in_the_command_lines_words(extra, to, tmp_path,
                                                                   capsys):
    """--to after the data's end + 100 years, or not after it, is refused once the data's
    end is known and before the fit, with command-line advice (the library's is `to=`)."""
    argv = ["run", *extra, "--to", to, *FAST, "--paths", "100", "--seed", "1", "--no-plot",
            "--quiet", "--out", str(tmp_path / "out")]
    with pytest.MonkeyPatch.context() as mp:
        for target in ("forecast.cli.run_report.make_spec", "forecast.cli.markets.make_spec",
                       "forecast.cli.run_report.project",
                       "forecast.cli.markets.project_markets"):
            mp.setattr(target, _slow_stage)
        code = cli.main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert err == (f"forecast run: error: --to must be a year in [2026, 2125] (the data end "
                   f"in 2025); got {to}. Pass e.g. --to 2035.")
    assert not (tmp_path / "out").exists()


def test_a_backtest_that_scores_nothing_fails_in_one_line_saying_why(capsys):
    """Pseudo-real time with releases up to March 2014: the fits of June 2013 are skipped
    (too few years) and June 2014 has no truth; not an empty table and exit status 0."""
    code = cli.main(["backtest", "--pseudo-real-time", "--as-of", "2014-03", "--model",
                     "drift", "--horizon", "1", "--paths", "20", "--seed", "1", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert out == ""
    line = err.strip()
    assert len(line.splitlines()) == 1, line
    assert line.startswith("forecast backtest: error: the pseudo-real-time backtest scored "
                           "no forecast ("), line
    for needle in ("2014-06", "skipped", "the model needs 3", "a later --as-of"):
        assert needle in line, line


def test_compare_keeps_the_reasons_a_model_or_origin_scored_nothing():
    s = forecast.AnnualSeries(range(2010, 2022), [10 * 1.1**i for i in range(12)])
    with pytest.warns(UserWarning, match="backtest skipped Theta at origin 2011"):
        t = forecast.compare([forecast.Theta()], s, origins=[2011, 2019], horizon=2,
                             n_paths=50, seed=0)
    assert t.attrs["unscored"] == []
    assert t.attrs["skipped"] == ["Theta at origin 2011: 2 years known, the model needs 4",
                                  "Drift at origin 2011: 2 years known, the model needs 3"]


def _fx_without(tmp_path, year: int):
    """The embedded rate table without `year`, as a user's --fx file."""
    full = tmp_path / "fx_full.csv"
    forecast.load_exchange_rates().to_csv(full)
    rows = full.read_text().splitlines(keepends=True)
    path = tmp_path / f"fx_no{year}.csv"
    path.write_text("".join(r for r in rows if not r.startswith(f"{year},")))
    return path


def test_fx_replaces_the_embedded_rates_and_is_repeated_by_the_report(tmp_path, capsys,
                                                                     monkeypatch):
    """--fx is the command line's fx=: without a 2025 rate the CNY partial year cannot be
    converted, the history ends in 2024 and the warning says --fx; the run records the
    file, and the report's Python code loads it and repeats the run."""
    import html as _html
    import json

    fx = _fx_without(tmp_path, 2025)
    assert cli.main(["history", "--fx", str(fx)]) == 0
    listing, err = capsys.readouterr()
    assert listing.splitlines()[-1].split()[0] == "2024"
    assert "forecast history: warning: " in err
    assert "no exchange rate for 2025" in err
    assert "on the command line --fx path" in err
    assert _ok(capsys, ["history"]).splitlines()[-1].split()[0] == "2025"
    out = tmp_path / "run"
    assert cli.main(["run", "--fx", str(fx), *FAST, "--paths", "100", "--scenario",
                     "baseline", "--no-plot", "--seed", "1", "--out", str(out)]) == 0
    assert "--fx path" in capsys.readouterr().err
    assert json.loads((out / "settings.json").read_text())["fx"] == str(fx)
    page = (out / "report.html").read_text()
    code = _html.unescape(page.split('id="reproduce"')[1].split("<h3>Python</h3><pre>")[1]
                          .split("</pre>")[0])
    assert f"fx = forecast.ExchangeRates.from_csv({str(fx)!r}, releases=records)" in code
    assert ", fx=fx)" in code
    scope: dict = {}
    monkeypatch.chdir(tmp_path)
    with pytest.warns(UserWarning, match="no exchange rate for 2025"):
        exec(compile(code, "reproduce", "exec"), scope)
    assert scope["history"].series.last_year == 2024
    written = np.loadtxt(out / "history.csv", delimiter=",", skiprows=1, usecols=0)
    assert int(written[-1]) == 2024


def test_fx_reaches_the_joint_reconstruction_of_markets(tmp_path, capsys):
    """--markets with --fx: the rates reach reconstruct_markets (without 2025 the joint
    history ends in 2024) and settings.json names the file."""
    import json

    fx = _fx_without(tmp_path, 2025)
    out = tmp_path / "m"
    assert cli.main(["run", "--markets", "US,EU", "--fx", str(fx), *FAST, "--paths", "100",
                     "--no-plot", "--seed", "1", "--out", str(out)]) == 0
    assert "--fx path" in capsys.readouterr().err
    settings = json.loads((out / "settings.json").read_text())
    assert settings["fx"] == str(fx)
    assert max(int(r["year"]) for r in _rows(out / "history.csv")) == 2024


def test_fx_that_is_not_a_file_is_refused_before_the_work(tmp_path, capsys):
    _fails(capsys, ["history", "--fx", str(tmp_path / "nope.csv")], "--fx", "nope.csv",
           "(not found)")
    _fails(capsys, ["run", "--fx", str(tmp_path), *FAST, "--out", str(tmp_path / "r")],
           "--fx", "(a folder)")
    _fails(capsys, ["run", "--markets", "US,EU", "--fx", str(tmp_path / "nope.csv"), *FAST,
                    "--out", str(tmp_path / "m")], "--fx", "(not found)")


@pytest.mark.parametrize(("argv", "lead"), [
    (["nowcast", "--year", "2030"], "--year: `year` must be an int in [2009, 2025]"),
    (["data", "--measure", "foo"], "--measure: `measure` must be one of"),
    (["data", "--confidence", "zzz"], "--confidence: `confidence` must be one of"),
    (["history", "--as-of", "0001-01"], "--as-of: `as_of` must be 'YYYY'"),
    (["sensitivity", "--method", "sobol", "--n", "2000000"], "--n: `n` must be an int in"),
    (["data", "--market", "us"], "--market: 'us' is not a market code"),  # led once
])
def test_a_library_message_about_an_option_is_led_by_the_option(capsys, argv, lead):
    """The library's messages name its Python arguments; the command line names the
    option first, so that `year` reads as --year."""
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.split(": error: ", 1)[1].startswith(lead), err


def test_sobol_n_above_its_limit_is_refused_before_the_history_in_cli_words(capsys):
    """--n 2000000 passed the parser (tornado's 10,000,000) and sobol refused it only after
    the history was rebuilt and fitted, advising `n=1024`; the power-of-two warning before
    it suggested --n 2097152, itself refused."""
    err = _fails(capsys, ["sensitivity", "--method", "sobol", "--n", "2000000", "--seed", "1",
                          "-q"],
                 "--n: `n` must be an int in [16, 1048576]; got 2000000.",
                 "Pass e.g. --n 1024 (a power of two, at most 1,048,576).")
    assert "n=" not in err
    assert "2097152" not in err
    # the limit is sobol's: tornado takes the parser's range
    with pytest.raises(forecast.ParameterError, match=r"at most 1,048,576\)\.$"):
        forecast.evaluation.sensitivity.check_sobol_n(2**20 + 1)
    assert forecast.evaluation.sensitivity.check_sobol_n(2**20) == 2**20


def test_sensitivity_n_is_bounded_by_the_parser(capsys):
    _fails(capsys, ["sensitivity", "--n", "99999999999"], "argument --n",
           "[16, 10000000]")


def test_a_backtest_history_too_short_names_the_models_to_leave_out():
    """The library's "Pass a series of 9 years or more" is no advice on the command line:
    the history's length is set by --as-of (or --market), its needs by --model."""
    from types import SimpleNamespace

    from forecast.cli.commands import _too_short

    specs = [forecast.DampedTrend(), forecast.Drift(), forecast.Theta()]
    names = ["damped", "drift", "theta"]
    series = forecast.AnnualSeries(range(2012, 2020), np.linspace(10, 20, 8))  # 8 years
    text = _too_short(SimpleNamespace(as_of="2020-07"), names, specs, series)
    assert text == ("the history (--as-of 2020-07) holds 2012-2019, 8 years: too short for "
                    "a rolling-origin backtest of DampedTrend, which needs 9 (a training "
                    "window of 8 years ending at the first origin, then a year to score). "
                    "Pass a later --as-of or drop it; or leave damped out of --model.")
    # no model fits 5 years (the benchmarks need 7): no --model advice; no --as-of given
    short = forecast.AnnualSeries(range(2012, 2017), np.linspace(10, 20, 5))
    assert _too_short(SimpleNamespace(as_of=None), names, specs, short).endswith(
        "then a year to score). Pass a --market with a longer history.")


def test_the_compact_table_aligns_chinese_scenario_names():
    """A Chinese name takes two terminal columns a character: padded by characters, its
    row was pushed four columns right of the others."""
    import pandas as pd

    from forecast.cli._util import cells, format_compact

    table = pd.DataFrame({"scenario": ["baseline", "贸易摩擦"], "year": [2030, 2030],
                          "median": [38.2, 36.4], "lower_80": [27.8, 26.5],
                          "upper_80": [48.8, 46.5]})
    rows = format_compact(table, "USD bn").splitlines()[2:]
    assert [cells(r) for r in rows] == [cells(rows[0])] * 2
    assert [cells(r[:r.index(" 3")]) for r in rows] == [cells(rows[0][:rows[0].index(" 3")])] * 2


def test_the_key_message_wraps_by_terminal_columns(tmp_path, capsys):
    """The key message was wrapped by textwrap, which counts characters: a paragraph of
    Chinese scenario names ran to nearly twice the 100 columns of every other line."""
    from forecast.cli._util import cells

    names = ["baseline", "贸易摩擦与数据本地化长期化情景", "数字贸易开放与绿色合作情景"]
    blocks = [f'[[scenario]]\nname = "{names[0]}"\n']
    for name, size in zip(names[1:], (-0.2, 0.05), strict=True):
        blocks.append(f'[[scenario]]\nname = "{name}"\n[[scenario.assumption]]\n'
                      f'type = "level_shift"\nname = "{name}冲击"\nstart = 2027\n'
                      f'size = {size}\n')
    path = tmp_path / "cjk.toml"
    path.write_text("\n".join(blocks), encoding="utf-8")
    assert cli.main(["run", str(path), *FAST, "--paths", "200", "--seed", "1", "--no-plot",
                     "-q", "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    message = out[out.index("\n\nIn "):].strip().split("\n\n")[0].splitlines()
    assert any("贸易摩擦" in line for line in message)
    assert max(cells(line) for line in message) <= 100


def test_a_path_without_a_name_is_shown_as_typed(capsys):
    """`--out /` said "got PosixPath('/')": the repr of the library's argument."""
    err = _fails(capsys, ["run", "--out", "/"], "got '/'", "e.g. 'forecast-output'")
    assert "PosixPath" not in err
    import pathlib

    from forecast.errors import OutputError

    proj = forecast.project(forecast.Drift().fit(forecast.AnnualSeries(
        range(2015, 2025), [float(v) for v in range(10, 20)]), seed=1),
        forecast.Scenario("baseline"), to=2027, n_paths=10, seed=1)
    with pytest.raises(OutputError, match=r"got '/', which has no name of its own"):
        proj.save(pathlib.Path("/"))


# ------------------------------------------- the sample counts of the Python functions
def _defaults_of(argv):
    from forecast.cli.commands import _sensitivity_count

    args = cli.build_parser().parse_args(argv)
    return args, (_sensitivity_count(args) if args.command == "sensitivity" else args.paths)


def test_sample_count_defaults_are_the_python_functions_own():
    """`forecast sensitivity` took 512 tornado paths and 512 Sobol base samples and
    `forecast backtest` 1000 paths, while tornado, sobol and compare default to 2000, 1024
    and 2000: a command repeated in Python with the same seed and the defaults gave other
    numbers. Both now read one table (forecast._defaults)."""
    import inspect

    from forecast import evaluation

    def default(func, name):
        return inspect.signature(func).parameters[name].default

    assert _defaults_of(["sensitivity"])[1] == default(evaluation.tornado, "n_paths")
    assert _defaults_of(["sensitivity", "--method", "sobol"])[1] == default(evaluation.sobol,
                                                                             "n")
    assert _defaults_of(["backtest"])[1] == default(evaluation.compare, "n_paths")
    assert _defaults_of(["backtest"])[1] == default(evaluation.backtest, "n_paths")
    assert _defaults_of(["run"])[1] == default(forecast.project, "n_paths")
    assert _defaults_of(["report"])[1] == default(forecast.project, "n_paths")
    assert (default(evaluation.sobol_indices, "n"), default(evaluation.compare_markets,
                                                            "n_paths")) == (1024, 2000)
    sub = cli.build_parser()._subparsers._group_actions[0].choices
    text = " ".join(sub["sensitivity"].format_help().split())
    assert "(default: 2000, the same as the Python API's)" in text  # --paths
    assert "(default: 1024, the same as the Python API's)" in text  # --n
    text = " ".join(sub["backtest"].format_help().split())
    assert "(default: 2000, the same as the Python API's)" in text


def test_sensitivity_paths_and_n_each_belong_to_one_method(capsys):
    """The tornado's paths are --paths, as in run and backtest; --n is Sobol's base sample.
    An option the method does not read is refused; --n for a tornado still works, with a
    warning, until 0.2."""
    assert _defaults_of(["sensitivity", "--paths", "300"])[1] == 300
    assert _defaults_of(["sensitivity", "--method", "sobol", "--n", "256"])[1] == 256
    _fails(capsys, ["sensitivity", "--method", "sobol", "--paths", "500"],
           "--paths sets the paths of --method tornado; got --paths 500 with --method sobol",
           "Pass --n instead (e.g. --n 1024, the default), or drop --paths.")
    _fails(capsys, ["sensitivity", "--n", "64", "--paths", "500"],
           "got --n 64 and --paths 500 with --method tornado", "Drop --n.")
    with pytest.warns(UserWarning, match=r"^--n for the paths of --method tornado is "
                      r"deprecated .* pass --paths 64 instead\.$"):
        assert _defaults_of(["sensitivity", "--n", "64"])[1] == 64


def test_sensitivity_is_the_tornado_of_run_and_of_python(tmp_path, capsys):
    """`forecast run`'s sensitivity.csv, `forecast sensitivity --out` and forecast.tornado
    agree for the same seed, scenario, years and paths (the defaults give 2030 and 2035,
    fragmentation and 2000 paths to all three; fewer paths here, for speed)."""
    from forecast import presets

    common = [*FAST, "--paths", "40", "--seed", "3"]
    _ok(capsys, ["run", *common, "--no-plot", "-q", "--out", str(tmp_path / "run")])
    _ok(capsys, ["sensitivity", *common, "-q", "--out", str(tmp_path / "s.csv")])
    run_table = (tmp_path / "run" / "sensitivity.csv").read_text()
    assert run_table == (tmp_path / "s.csv").read_text()
    fit = forecast.Drift(imputations=1).fit(forecast.reconstruct(), seed=3)
    table = forecast.tornado(fit, presets.fragmentation(), [2030, 2035], n_paths=40, seed=3)
    rows = _rows(tmp_path / "s.csv")
    assert [float(r["swing"]) for r in rows] == table["swing"].tolist()


def test_a_choice_of_a_repeatable_option_is_said_in_command_line_words(capsys):
    """`forecast data --confidence sure` said "must be one of 'read', 'uncertain' (or a list
    of them)", Python's words: on the command line the option is repeated."""
    err = _fails(capsys, ["data", "--confidence", "sure"], "--confidence")
    assert err == ("forecast data: error: --confidence: `confidence` must be one of 'read', "
                   "'uncertain' (repeat --confidence for several); got 'sure'.")
    err = _fails(capsys, ["data", "--measure", "level", "--measure", "levle"], "--measure")
    assert "(repeat --measure for several); got 'levle'." in err
    assert "list of them" not in err
