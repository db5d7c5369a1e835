"""Key message wording and the compact years (new-user audit)."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.errors import ForecastTypeError
from forecast.projection import Projection
from forecast.report import compact_years, key_message
from forecast.series import AnnualSeries


def _proj(names):
    rng = np.random.default_rng(1)
    base = np.log(30.0) + np.cumsum(rng.normal(0.03, 0.1, (1000, 10)), axis=1)
    samples = np.exp(np.stack([base, base + np.log(0.8), base + np.log(1.05)]))
    return Projection(
        years=np.arange(2026, 2036), scenario_names=names, samples=samples, base_log=base,
        center=base.mean(axis=0),
        history=AnnualSeries(np.arange(2022, 2026), [25, 28, 31.6, 32.0], name="US"),
        seed=1, model="Drift", settings={"n_paths": 1000, "chunk_size": 1000})


def test_dotted_scenario_names_appear_verbatim():
    text = str(key_message(_proj(("baseline", "v2.0", "a.b"))))
    assert "The largest gap is v2.0 (-20%)" in text
    assert ", a.b " in text
    assert "V2: 0" not in text
    assert "A: b" not in text


@pytest.mark.parametrize(("baseline", "phrase"), [
    ("escalation", "against escalation, whose 80% band is "),
    ("baseline", "against baseline, whose 80% band is "),
    ("a", "against a, whose 80% band is "),  # no article guessed from a name ("an a")
    ("uniform", "against uniform, whose 80% band is "),
])
def test_the_baseline_name_needs_no_article(baseline, phrase):
    names = (baseline, "down", "up")
    assert phrase in key_message(_proj(names), baseline=baseline).headline()


def test_key_message_year_must_be_an_int():
    with pytest.raises(ForecastTypeError, match=r"`year` must be an int.*'2030x'"):
        key_message(_proj(("baseline", "down", "up")), year="2030x")


@pytest.mark.parametrize(("last", "expected"), [
    (2031, [2026, 2030, 2031]),
    (2040, [2026, 2030, 2035, 2040]),
    (2045, [2026, 2030, 2040, 2045]),
    (2050, [2026, 2035, 2040, 2050]),
    (2100, [2026, 2050, 2075, 2100]),
])
def test_compact_years_first_fives_last_evenly_capped(last, expected):
    years = compact_years(range(2026, last + 1))
    assert years == expected
    assert all(y % 5 == 0 for y in years[1:-1])


def test_the_probability_compares_with_a_year_a_release_speaks_for():
    """Korea's releases skip 2017-2019: the comparison year is 2016, not the bridged 2019."""
    import forecast

    history = forecast.reconstruct(market="KR")
    frame = history.to_frame().set_index("year")
    assert (frame.loc[2017:2019, "n_records"] == 0).all()
    proj = forecast.project(forecast.Drift().fit(history.series), forecast.Scenario("baseline"),
                            to=2030, n_paths=200, seed=1)
    msg = key_message(proj, history)
    assert msg.base_year == 2016
    assert frame.loc[2016, "n_records"] > 0
    us = forecast.reconstruct()
    proj_us = forecast.project(forecast.Drift().fit(us.series), forecast.Scenario("baseline"),
                               to=2030, n_paths=200, seed=1)
    assert key_message(proj_us, us).base_year == 2024  # the year before the nowcast year


def test_the_report_states_the_censoring_at_long_horizons():
    """What project() warns on the command line, the report's reader reads too."""
    import forecast
    from forecast.report import _sections

    history = forecast.reconstruct()
    fit = forecast.Auto().fit(history, seed=1)
    share = fit.censored_share(35)
    first = 2026 + int(np.flatnonzero(share > 0.01)[0])
    long_years = np.arange(2026, 2061)
    note = _sections.censoring_note(fit, long_years)
    assert "Caution, long horizon" in note
    assert f"from {first} more than 1%" in note
    assert f"({100 * share[-1]:.1f}% by 2060)" in note
    assert _sections.censoring_note(fit, np.arange(2026, 2036)) == ""  # 0.02% by 2035
    once = _sections.censoring_note(fit, np.arange(2026, first + 1))  # first year = last
    assert f"in {first}, {100 * share[first - 2026]:.1f}% of the baseline paths fall" in once
    assert once.count(str(first)) == 1
    assert _sections.censoring_note(forecast.Auto(scale="log").fit(history, seed=1),
                                    long_years) == ""


@pytest.mark.parametrize(("path", "words"), [(3, "must be a path .* got 3. Pass e.g. "
                                                  "'report.html'"),
                                             ("", "must be a path"), (".", "is a folder")])
def test_a_bad_report_path_fails_before_any_chart(path, words, monkeypatch):
    """write_report checks its path first: no chart is drawn for a report it cannot write."""
    from forecast.errors import OutputError
    from forecast.report import report

    def no_charts(*args, **kwargs):
        raise AssertionError("charts drawn before the path was checked")

    monkeypatch.setattr(report, "render_figures", no_charts)
    with pytest.raises(OutputError, match=words):
        report.write_report(_proj(("baseline", "low", "high")), path)
