"""Names that a reader could take for something else, for the round-trip tests of every
file the library writes (tests/projection/test_names_in_files.py, tests/markets).

Each is a name :class:`forecast.Scenario` accepts: non-empty, printable, without
surrounding spaces (it refuses the empty name, line breaks and surrounding spaces, so
those cannot reach a file).
"""

from __future__ import annotations

#: pandas' default missing-value markers (``read_csv``'s ``na_values``; ``""`` aside).
MISSING_LIKE = ("NA", "None", "N/A", "n/a", "null", "NULL", "nan", "NaN", "-nan", "-NaN",
                "#N/A", "#NA", "#N/A N/A", "<NA>", "1.#IND", "-1.#IND", "1.#QNAN",
                "-1.#QNAN")

#: Text a spreadsheet would run (or openpyxl store as a formula or an error value), and the
#: formula guard of the CSV files itself (a leading apostrophe).
FORMULA_LIKE = ("=1+1", '=HYPERLINK("http://x","click")', "+1", "-x", "@SUM(1)", "'=x",
                "''=x", "'plain")

#: Numbers, booleans, CSV syntax and text outside ASCII.
OTHER = ("2030", "1e3", "007", "-1", "0.5", "TRUE", 'a,"b"', '"', "it's", "a;b", "x  y",
         "情景", "café")

AWKWARD = (*MISSING_LIKE, *FORMULA_LIKE, *OTHER)

#: Market names of the same kinds (a MarketHistory's markets renamed; the first is the
#: target of the scenarios).
MARKETS = ("NA", "2030", "=x", 'a,"b"')


def awkward_projection():
    """A small Projection with a scenario of every name of :data:`AWKWARD`."""
    import numpy as np

    import forecast

    s = forecast.AnnualSeries(range(2012, 2025), np.geomspace(10, 30, 13), name="mine")
    return forecast.project(forecast.Drift().fit(s), _scenarios(), to=2028, n_paths=20,
                            seed=1)


def awkward_markets(market_history):
    """A small MarketProjection of `market_history` with its markets renamed
    :data:`MARKETS` and a scenario of every name of :data:`AWKWARD`."""
    import dataclasses

    import forecast
    from forecast.markets import BottomUpModel, project_markets

    history = dataclasses.replace(market_history, markets=MARKETS)
    fit = BottomUpModel(forecast.Drift()).fit(history, seed=3)
    return project_markets(fit, _scenarios(), to=2028, n_paths=20, seed=5,
                           target=MARKETS[0])


def _scenarios():
    from forecast import LevelShift, Scenario

    return [Scenario("baseline"), *[Scenario(n, (LevelShift(2026, -0.01 * (i + 1)),))
                                    for i, n in enumerate(AWKWARD)]]
