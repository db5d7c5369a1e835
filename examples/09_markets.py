"""China's total and its source markets together: does friction with the US divert work?

Reconstructs the US, EU, Hong Kong, Japan and the rest of the world jointly, fits the
bottom-up model (every market's and the rest of the world's own log level, China's total
their sum; forecast.SplitModel projects the total and the log ratios instead), projects the
market presets (the seven presets plus two diversion scenarios) and shows how much of the
US loss moves elsewhere, the probability that the US share is below 15% in 2030, and
the stacked shares. The markets report (an HTML page: key message, charts, tables) says
all of this at once.

Run: ``python examples/09_markets.py`` (writes ``market_shares.png`` and
``markets_report.html``); the test suite shrinks it
with ``FORECAST_EXAMPLE_PATHS`` and ``FORECAST_EXAMPLE_IMPUTATIONS``.
"""

import os

import matplotlib.pyplot as plt

import forecast
from forecast import market_presets, plotting, report

n_paths = int(os.environ.get("FORECAST_EXAMPLE_PATHS", "10000"))
imputations = int(os.environ.get("FORECAST_EXAMPLE_IMPUTATIONS", "20"))

history = forecast.reconstruct_markets(markets=("US", "EU", "HK", "JP"))
shares = history.to_frame(share=True).query("year == 2024")
print("Shares of China's offshore execution in 2024, percent (median and 80% band):")
print(shares[["market", "median", "lower_80", "upper_80"]].round(1).to_string(index=False))

spec = forecast.Auto(imputations=imputations)
fit = forecast.BottomUpModel(spec).fit(history, seed=1)
mp = forecast.project_markets(fit, market_presets.scenario_set(), to=2035, n_paths=n_paths, seed=1)

# The escalation's friction with the US; a share of the US loss (Triangular(0.2, 0.5, 0.8))
# moves to the EU and the rest of the world, the rest is lost from China's total
d = mp.decompose("friction_diversion")
print("\nfriction_diversion against the baseline in 2035, USD bn (ALL: China's total):")
print(d[d["year"] == 2035][["market", "assumption", "level"]].round(2).to_string(index=False))
print("\nP(US share < 15% in 2030), percent:")
print((100 * mp.prob_below(15, 2030, market="US", share=True)).round().astype(int).to_string())

plotting.share_chart(mp, "fragmentation_diversion")
plt.savefig("market_shares.png", dpi=100, bbox_inches="tight")
report.write_markets_report(mp, "markets_report.html")
print("wrote market_shares.png and markets_report.html")
