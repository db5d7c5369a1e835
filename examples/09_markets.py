"""China's total and its source markets together: does friction with the US divert work?

Reconstructs the US, EU, Hong Kong, Japan and the rest of the world jointly, fits the split
model (the total and each market's log ratio to the rest of the world), projects the
market presets (the seven presets plus two diversion scenarios) and shows how much of the
US loss moves elsewhere, the probability that the US share falls below 15% by 2030, and
the stacked shares.

Run: ``python examples/09_markets.py``; the test suite shrinks it
with ``FORECAST_EXAMPLE_PATHS`` and ``FORECAST_EXAMPLE_IMPUTATIONS``.
"""

import os

import forecast
from forecast import market_presets, plotting

n_paths = int(os.environ.get("FORECAST_EXAMPLE_PATHS", "10000"))
imputations = int(os.environ.get("FORECAST_EXAMPLE_IMPUTATIONS", "20"))

history = forecast.reconstruct_markets(markets=("US", "EU", "HK", "JP"))
print(history.to_frame(share=True).query("year == 2024")[["market", "median"]])

spec = forecast.Auto(imputations=imputations)
fit = forecast.SplitModel(spec, spec).fit(history, seed=1)
mp = forecast.project_markets(fit, market_presets.scenario_set(), to=2035, n_paths=n_paths, seed=1)

# the diversion alone: friction_diversion against escalation (same friction draws)
d = mp.decompose("friction_diversion", "escalation")
print(d[d["year"] == 2035][["market", "level"]].to_string(index=False))
print("P(US share < 15% in 2030):")
print(mp.prob_below(15, 2030, market="US", share=True).round(3).to_string())

ax = plotting.share_chart(mp, "fragmentation_diversion")
ax.figure.savefig("market_shares.png", dpi=100)
