"""Rebuild the annual history of China's offshore service outsourcing to the US.

MOFCOM's releases mix USD and CNY, full years and January-to-month figures, levels,
growth rates and shares. `forecast.reconstruct` turns all of them into one annual series
with an honest uncertainty band, and nowcasts the latest partial year.

Run: ``python examples/01_history.py`` (writes ``history.png`` and ``history.csv`` into
the current folder).
"""

import calendar

import matplotlib.pyplot as plt

import forecast
from forecast import plotting

records = forecast.load_releases()
print(records)                       # every published figure, with its source
history = forecast.reconstruct(records, market="US", currency="USD")

table = history.to_frame()           # year, median, 80% / 95% bands, evidence
print("\nUS offshore service outsourcing execution, USD bn (n_records: figures for that year)")
print(table.round(2).to_string(index=False))
table.to_csv("history.csv", index=False)

# Full-year 2025 from January-October. Its band comes from 10,000 draws of the smoothed
# history, so it can differ from the table's last row in the second decimal.
nowcast = history.nowcast()
lo, hi = nowcast.interval(80)
print(f"\nNowcast {nowcast.year} (from January-{calendar.month_name[nowcast.months]} figures): "
      f"median {nowcast.median:.2f} USD bn, 80% interval [{lo:.2f}, {hi:.2f}]; "
      f"in CNY: {nowcast.in_currency('CNY').median:.1f} bn")

plotting.history_chart(history)  # median, bands, each record as a point
plt.savefig("history.png", dpi=100, bbox_inches="tight")
print("wrote history.png and history.csv")
