"""Every printed output shown in the docs, produced by running the code that prints it.

Each function decorated with ``@output("key")`` returns the text of one block of the docs,
which marks it with ``<!-- output: key -->`` ... ``<!-- /output -->``. ``refresh.py``
writes the texts into the docs; ``tests/test_docs.py`` checks that the docs hold exactly
what these functions print today, so the docs cannot show numbers the code does not
print. After a change to the models: ``python docs/scripts/refresh.py``.

Keys whose function takes more than a few seconds are listed in ``SLOW`` (the test marks
them slow; CI still runs them).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import pathlib
import tempfile
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")

from _markdown import table

import forecast

OUTPUTS: dict[str, Callable[[], str]] = {}
SLOW = {"cli-run-seed-1", "history-table", "history-published", "history-loo",
        "history-nowcast", "evaluation-backtests", "evaluation-sensitivity", "models-seeds",
        "markets-loo", "markets-example", "markets-example-repr", "markets-censoring",
        "markets-linearisation", "markets-backtest", "markets-backtest-specs"}

#: Keys whose figures rest on maximum-likelihood estimates of the joint market model at 12
#: vintages, on flat likelihoods: statsmodels 0.14 and 0.15 reach optima a little apart
#: (MAPE 5.999 against 6.208 at one horizon). ``tests/test_docs.py`` compares their text
#: exactly and their decimal numbers within APPROX_RTOL, so that the minimum versions CI
#: tests pass on the docs made with the newest ones.
APPROXIMATE = {"markets-backtest", "markets-backtest-specs"}
APPROX_RTOL = 0.05


def output(key: str):
    def register(func: Callable[[], str]) -> Callable[[], str]:
        OUTPUTS[key] = func
        return func

    return register


@contextlib.contextmanager
def _in_tmp():
    old = pathlib.Path.cwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            yield pathlib.Path(tmp)
        finally:
            os.chdir(old)


def _cli(argv: list[str]) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = forecast.cli.main(argv)
    return out.getvalue(), err.getvalue(), code


@output("cli-run-seed-1")
def cli_run() -> str:
    """``forecast run --seed 1`` as docs/index.md shows it."""
    with _in_tmp():
        out, _, _ = _cli(["run", "--seed", "1", "--quiet"])
    return "$ forecast run --seed 1\n" + out.rstrip() + "\n"


@output("cli-bad-scenario")
def cli_bad_scenario() -> str:
    with _in_tmp():
        _, err, code = _cli(["run", "--scenario", "tarif_shock"])
    return f"$ forecast run --scenario tarif_shock\n{err.rstrip()}\n$ echo $?\n{code}\n"


@output("data-bad-rows")
def data_bad_rows() -> str:
    """Two bad rows in a user's file: months 13, segment 'ito'."""
    import pandas as pd

    with _in_tmp():
        forecast.load_releases().filter(market="US").to_csv("my_releases.csv")
        frame = pd.read_csv("my_releases.csv", dtype=str, keep_default_na=False)
        frame.loc[10, "months"] = "13"
        frame.loc[38, "segment"] = "ito"
        frame.to_csv("my_releases.csv", index=False)
        try:
            forecast.Records.from_csv("my_releases.csv")
        except forecast.DataError as exc:
            return str(exc).rstrip() + "\n"
    raise AssertionError("the bad rows were accepted")


@output("level-error")
def level_error() -> str:
    values = [10 * 1.08**i * (1 + 0.03 * (-1)**i) for i in range(10)]
    s = forecast.AnnualSeries(range(2015, 2025), values)
    proj = forecast.project(forecast.Drift().fit(s), forecast.Scenario("baseline"),
                            horizon=3, n_paths=100, seed=1)
    try:
        proj.interval(0.8)
    except forecast.ForecastError as exc:
        return str(exc) + "\n"
    raise AssertionError("level=0.8 was accepted")


@output("toml-error")
def toml_error() -> str:
    text = """
[[scenario]]
name = "baseline"

[[scenario]]
name = "slowdown"

[[scenario.assumption]]
type = "growth_shift"
name = "drift"
start = 2027
delta = -0.01
half_life = -3.0
"""
    try:
        forecast.loads_scenarios(text)
    except forecast.ConfigError as exc:
        return str(exc) + "\n"
    raise AssertionError("a negative half-life was accepted")


def _md(frame, fmt: str = "{:.2f}") -> str:
    return table(frame, fmt) + "\n"


_HISTORY: list = []


def _history():
    if not _HISTORY:
        _HISTORY.append(forecast.reconstruct())
    return _HISTORY[0]


@output("history-published")
def history_published() -> str:
    """Medians against the published full-year USD levels."""
    import pandas as pd

    h = _history()
    rec = forecast.load_releases().frame
    pub = rec[(rec.market == "US") & (rec.flow == "offshore_execution") & (rec.months == 12)
              & (rec.measure == "level") & (rec.unit == "USD_1e8") & (rec.segment == "all")]
    frame = h.to_frame().set_index("year")
    rows = [{"year": int(r.year), "published": r.value / 10,
             "median": frame.loc[int(r.year), "median"],
             "error %": 100 * (frame.loc[int(r.year), "median"] / (r.value / 10) - 1)}
            for r in pub.drop_duplicates("year").itertuples()]
    return _md(pd.DataFrame(rows))


@output("history-table")
def history_table() -> str:
    return _md(_history().to_frame())


def _text_of(module: str, name: str) -> Callable[[], str]:
    """An output made by `name()` of a script of this folder, imported when asked for (the
    scripts are slow to import for nothing)."""
    return lambda: getattr(_script(module), name)()


for _key, _module, _name in (
        ("history-loo", "history_figures", "loo_text"),
        ("history-nowcast", "history_figures", "nowcast_text"),
        ("history-profile", "history_figures", "profile_text"),
        ("history-pairs", "history_figures", "pairs_text"),
        ("history-nowcast-loo", "nowcast_loo", "table_text"),
        ("history-widths", "history_figures", "widths_text"),
        ("models-censoring", "model_figures", "censoring_text"),
        ("models-seeds", "model_figures", "seeds_text"),
        ("models-pooling", "model_figures", "pooling_text")):
    OUTPUTS[_key] = _text_of(_module, _name)


@output("evaluation-backtests")
def evaluation_backtests() -> str:
    """The backtest tables of every family (a few seconds to a minute)."""
    import evaluation_figures

    return evaluation_figures.backtest_text(workers=1)


@output("evaluation-sensitivity")
def evaluation_sensitivity() -> str:
    import evaluation_figures

    return evaluation_figures.sensitivity_text()


@output("scenario-effects")
def scenario_effects_table() -> str:
    import scenario_effects

    return scenario_effects.table_text()


@output("scenario-data-check")
def scenario_data_check() -> str:
    import scenario_effects

    return scenario_effects.data_check_text()


@output("results-currency")
def results_currency() -> str:
    """One run in USD, one in CNY (docs/results.md): what the reporting currency changes."""
    import currency_figures

    return currency_figures.table_text()


# docs/markets.md: the joint reconstruction and the worked example (markets_figures.py)
for _key, _name in (("markets-params", "params_text"), ("markets-levels", "levels_text"),
                    ("markets-shares", "shares_text"), ("markets-agreement", "agreement_text"),
                    ("markets-censoring", "censoring_text"),
                    ("markets-linearisation", "linearisation_text"),
                    ("markets-loo", "loo_text"), ("markets-example-repr", "example_repr_text"),
                    ("markets-example", "example_text"), ("markets-backtest", "backtest_text"),
                    ("markets-backtest-specs", "backtest_specs_text")):
    OUTPUTS[_key] = _text_of("markets_figures", _name)


# The docs' images. A PNG is not byte-stable across matplotlib versions, so each script
# writes beside its image a record of the figures it shows (docs/img/NAME.txt,
# ``_images.py``): refresh.py redraws an image whose record is stale, and its --check and
# tests/test_docs.py compare the record with what the script would draw today.
#: image file name -> (the record it should have today, draw it and return its record)
IMAGES: dict[str, tuple[Callable[[], str], Callable[[], str]]] = {
    "readme_headline.png": (lambda: _script("readme_figure").record_text(),
                            lambda: _script("readme_figure").draw()),
    "preset_effects.png": (lambda: _script("scenario_effects").record_text(),
                           lambda: _script("scenario_effects").draw()),
    "markets_fans.png": (lambda: _script("markets_figures").record_text("markets_fans.png"),
                         lambda: _script("markets_figures").charts()["markets_fans.png"]),
    "markets_shares.png": (
        lambda: _script("markets_figures").record_text("markets_shares.png"),
        lambda: _script("markets_figures").charts()["markets_shares.png"]),
}


def _script(name: str):
    """A script of this folder, imported when an output or an image needs it."""
    return importlib.import_module(name)
