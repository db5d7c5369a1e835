"""Fit one model to many series at once: every source market and China's total.

``forecast.fit_many(spec, series)`` returns the Fit that ``spec.fit(s)`` gives for each
series, but estimates all series of one length in a single batch, which pays when there
are many short series (``Auto()`` on the 181 M1 yearly series: 2.5 times faster;
docs/models.md, "Many series"). Each series gets its own working scale. Here the series
are the medians of each market's own reconstruction, in USD bn; for a coherent split of
the total between markets use ``forecast.reconstruct_markets`` (examples/09_markets.py).

Run: ``python examples/10_many_series.py`` (writes ``many_series.csv``).
"""

import pandas as pd

import forecast

markets = ["ALL", "US", "EU", "HK", "JP"]
series = [forecast.reconstruct(market=m).series for m in markets]
fits = forecast.fit_many(forecast.Auto(), series)

rows = []
for market, s, fit in zip(markets, series, fits, strict=True):
    f = fit.forecast(2030 - fit.last_year, levels=(80,)).iloc[-1]
    rows.append({"market": market, "years": f"{s.first_year}-{s.last_year}",
                 "last": round(float(s.values[-1]), 2), "median_2030": round(f["median"], 2),
                 "lower_80": round(f["lower_80"], 2), "upper_80": round(f["upper_80"], 2)})
table = pd.DataFrame(rows)
print("Auto() on each series, fitted in one call of forecast.fit_many (USD bn):")
print(table.to_string(index=False))
table.to_csv("many_series.csv", index=False)
print("wrote many_series.csv")
