"""The key message of a projection: the few numbers a reader needs, computed, then written.

:func:`key_message` is a pure function of a :class:`~forecast.Projection` (plus, for the
probability statement, the history value it compares with). It reads only the public
API: ``difference`` (paired, common random numbers), ``interval``, ``decompose``,
``prob_above`` and ``mixture``. The report's title block and ``forecast run`` print the
same :class:`KeyMessage`, so the two cannot disagree.

Examples
--------
>>> msg = key_message(_example())
>>> msg.year, msg.baseline, sorted(msg.effects)
(2030, 'baseline', ['escalation'])
>>> msg.headline().startswith("In 2030 the scenarios move")
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._keywords import checked_init, checked_keywords
from .._validation import band_probs, check_int, check_level, level_label
from ..errors import ForecastError, ParameterError
from ..plotting.names import assumption_label, scenario_label, unit_text
from ._sections import check_inputs, check_projection, currency_caution_text, nowcast_year
from .formats import percent

__all__ = ["KeyMessage", "key_message", "nowcast_year"]


@checked_init
@dataclass(frozen=True)
class KeyMessage:
    """The numbers behind the key message (see :func:`key_message`), and its text.

    Attributes
    ----------
    year : int
        The year the effects and the band are read at (default the last projected year).
    baseline : str
    series : str
        What is projected, e.g. ``"US offshore execution"``.
    unit : str
        Unit code of the levels.
    level : float
        Level of the baseline band, percent.
    baseline_median : float
    band : tuple of float
        Lower and upper bound of the baseline band in `year`.
    effects : dict of str to float
        Scenario -> its paired effect on the level in `year`, in percent:
        ``exp(mean log(scenario / baseline)) - 1`` over the paths, the total that the
        decomposition (`driver`) splits by assumption.
    driver : tuple (scenario, assumption, log points, total log points[, others]) or None
        The assumption contributing most to the largest gap, when it can be decomposed;
        `others` (from :func:`key_message`) counts the scenario's other assumptions.
    prob_year, base_year : int or None
        The probability statement compares the level in `prob_year` with the history
        value of `base_year`.
    base_value : float or None
    prob_above : dict of str to float
        Scenario -> P(level in `prob_year` > `base_value`).
    mixture : tuple (median, lower, upper) or None
        The probability-weighted mixture in `year`, when the scenarios carry probabilities.
    """

    year: int
    baseline: str
    series: str
    unit: str
    level: float
    baseline_median: float
    band: tuple[float, float]
    effects: dict[str, float] = field(default_factory=dict)
    driver: tuple[str, str, float, float] | tuple[str, str, float, float, int] | None = None
    prob_year: int | None = None
    base_year: int | None = None
    base_value: float | None = None
    prob_above: dict[str, float] = field(default_factory=dict)
    mixture: tuple[float, float, float] | None = None

    def headline(self) -> str:
        """The first sentence: the range of scenario effects against the baseline band."""
        u = unit_text(self.unit)
        base = scenario_label(self.baseline, in_sentence=True)
        # no article before the name: "a"/"an" cannot be guessed from a user's name
        # ("an a 80% band", "an US base")
        band = (f"{self.band[0]:,.1f}-{self.band[1]:,.1f} {u} "
                f"(median {self.baseline_median:,.1f})")
        if not self.effects:
            return (f"In {self.year} the {level_label(self.level)}% band of {self.series} "
                    f"under {base} is {band}.")
        lo, hi = min(self.effects.values()), max(self.effects.values())
        move = (f"by {_pct(lo)}" if len(self.effects) == 1 or np.isclose(lo, hi)
                else f"by {_pct(lo)} to {_pct(hi)}")
        # the band in percent of its median too: the effects are percentages, and a
        # range of percentages set against a range of levels cannot be compared
        m = self.baseline_median
        spread = (f"; {_pct(100 * (self.band[0] / m - 1))} to "
                  f"{_pct(100 * (self.band[1] / m - 1))} of it" if m > 0 else "")
        # "on average": the effects are not ratios of the medians that the tables beside
        # the message give (sentences() says what they are)
        return (f"In {self.year} the scenarios move {self.series} {move} on average "
                f"against {base}, whose {level_label(self.level)}% band is "
                f"{band[:-1]}{spread}).")

    def sentences(self) -> list[str]:
        """The key message as a few sentences, headline first."""
        out = [self.headline()]
        if self.effects:
            name = max(self.effects, key=lambda n: abs(self.effects[n]))
            text = f"The largest gap is {scenario_label(name)} ({_pct(self.effects[name])})"
            if self.driver is not None and self.driver[0] == name:
                _, part, lp, total, *others = self.driver  # the count, where _driver gave it
                text += _driver_text(assumption_label(part, in_sentence=True), lp, total,
                                     others[0] if others else None)
            out.append(text + ".")
            # exp(mean log ratio) - 1 (_paired_effects), which the decomposition splits
            what, nots = (("The changes are geometric means", "ratios")
                          if len(self.effects) > 1 else ("The change is the geometric mean",
                                                         "the ratio"))
            out.append(f"{what} of each path's ratio to "
                       f"{scenario_label(self.baseline, in_sentence=True)}, not {nots} of the "
                       "medians.")
        if self.prob_above:
            u = unit_text(self.unit)
            probs = ", ".join(f"{scenario_label(n)} {percent(p)}"
                              for n, p in self.prob_above.items())
            out.append(f"Chance that {self.prob_year} is above {self.base_year}'s "
                       f"reconstructed level ({self.base_value:,.1f} {u}): {probs}.")
        if self.mixture is not None:
            m, lo, hi = self.mixture
            out.append(f"Weighting the scenarios by their probabilities: median {m:,.1f}, "
                       f"{level_label(self.level)}% band {lo:,.1f}-{hi:,.1f} "
                       f"{unit_text(self.unit)} in {self.year}.")
        return out

    def caution(self) -> str:
        """What to keep in mind when reading the message ("" when nothing): in CNY, that
        it is not a projection in US dollars restated (exchange rates are not modelled).

        The report shows it in the key-message block, the command line after the message.
        """
        return currency_caution_text(self.unit)

    def __str__(self) -> str:
        return " ".join(self.sentences())

    def __repr__(self) -> str:
        """One short line: the year, the baseline band and the range of effects, rounded.

        The dataclass repr ran to 760 characters of 16-digit floats; ``str(message)`` is
        the text, the fields hold the numbers.

        >>> key_message(_example())  # doctest: +ELLIPSIS, +NORMALIZE_WHITESPACE
        KeyMessage(2030, ...: baseline median ..., 80% band ...; 1 scenario effect ...%;
        str() for the text)
        """
        u = unit_text(self.unit)
        effects = ""
        if self.effects:
            lo, hi = min(self.effects.values()), max(self.effects.values())
            n = len(self.effects)
            effects = (f"; {n} scenario effect{'s' * (n > 1)} "
                       + (_pct(lo) if np.isclose(lo, hi) else f"{_pct(lo)} to {_pct(hi)}"))
        return (f"KeyMessage({self.year}, {self.series}: {self.baseline} median "
                f"{self.baseline_median:,.1f} {u}, {level_label(self.level)}% band "
                f"{self.band[0]:,.1f}-{self.band[1]:,.1f}{effects}; str() for the text)")


def _paired_effects(projection, base: str, j: int) -> dict[str, float]:
    """Scenario -> its paired effect on the level in year index `j`, in percent.

    ``exp(mean log(scenario / baseline)) - 1`` over the paths: the total that
    :meth:`~forecast.projection.Projection.decompose` splits by assumption, so the gap and
    its parts agree. (The median of the paired effect is 0 for an assumption that happens
    on fewer than half of the paths, whatever its size.)
    """
    names = list(projection.scenario_names)
    log_base = np.log(projection.samples[names.index(base), :, j])
    return {n: float(100 * np.expm1(np.mean(np.log(projection.samples[k, :, j]) - log_base)))
            for k, n in enumerate(names) if n != base}


def _pct(value: float) -> str:
    return f"{value:+.0f}%" if abs(value) >= 1 else f"{value:+.1f}%"


def _default_prob_year(years: list[int]) -> int:
    fives = [y for y in years[2:] if y % 5 == 0]
    return fives[0] if fives else years[-1]


def _default_base_year(history, series) -> int:
    """The last full year a release speaks for: before the nowcast year, with a record.

    The year before a nowcast year can be one that no release covers (Korea: 2017-2019,
    bridged by the model); the comparison then uses the latest year that has one.
    """
    now = nowcast_year(history)
    if now is None:
        return int(series.last_year)
    try:
        frame = history.to_frame()
        known = frame.loc[(frame["year"] < now) & (frame["n_records"] > 0), "year"]
    except (AttributeError, KeyError, TypeError):
        known = ()
    return int(max(known)) if len(known) else now - 1


def _driver(projection, scenario: str, baseline: str, year: int):
    """(scenario, assumption, log points, total, number of the other assumptions) of the
    largest part, or None."""
    try:
        frame = projection.decompose(scenario, baseline)
    except ForecastError:  # no scenario definitions (e.g. a mixture or a loaded file)
        return None
    row = frame[frame["year"] == year]
    if row.empty:
        return None
    k = int(np.argmax(np.abs(row["log_points"].to_numpy())))
    return (scenario, str(row["assumption"].iloc[k]), float(row["log_points"].iloc[k]),
            float(row["log_points"].sum()), len(row) - 1)


@checked_keywords
def key_message(projection, history=None, *, year: int | None = None,
                baseline: str = "baseline",
                level: float = 80, prob_year: int | None = None, base_year: int | None = None,
                base_value: float | None = None, series: str | None = None) -> KeyMessage:
    """Compute the key message of a projection.

    Parameters
    ----------
    projection : Projection
    history : History, optional
        When its last year is a nowcast (estimated from partial-year figures), the
        probability statement compares with the year before it, the last published
        full year. Without it the projection alone cannot tell a nowcast from a
        published year, and the statement compares with the last history year (for the
        embedded US data: the 2025 nowcast, not 2024): pass the History the model was
        fitted on, as ``forecast run`` and the report do.
    year : int, optional
        Year of the effects and band; default the last projected year.
    baseline : str, default "baseline"
        Reference scenario; the first scenario when no scenario has this name.
    level : float, default 80
        Level of the baseline band, percent.
    prob_year : int, optional
        Year of the probability statement; default the first projected year ending in
        0 or 5 at least two years out (2030 for a projection from 2026), else the last.
    base_year : int, optional
        History year compared with; default the last history year or, when that year is
        a nowcast from partial figures, the latest earlier year that a release covers
        (the US: 2024; Korea, whose releases skip 2017-2019: 2016).
    base_value : float, optional
        Level compared with; default the history value of `base_year` (the median of the
        reconstruction, which can differ a little from the figure published for it: the
        US 2024 is 31.6, published 31.59).
    series : str, optional
        What is projected; default the history's name with display names.

    Returns
    -------
    KeyMessage
    """
    check_projection(projection, "key_message")
    check_inputs(history, projection=projection)
    level = check_level("level", level)
    years = [int(y) for y in projection.years]
    names = list(projection.scenario_names)
    fix = "Pass a calendar year such as 2030."
    year = years[-1] if year is None else check_int("year", year, fix=fix)
    if year not in years:
        raise ParameterError(f"`year` must be a projected year {years[0]}..{years[-1]}; got "
                             f"{year}. Pass a year inside the projection.")
    base = baseline if baseline in names else names[0]
    iv = projection.interval(level, base)
    iv = iv[iv["year"] == year]
    med = projection.quantiles(0.5, base)
    effects: dict[str, float] = {}
    driver = None
    if len(names) > 1:
        effects = _paired_effects(projection, base, years.index(year))
        largest = max(effects, key=lambda n: abs(effects[n]))
        driver = _driver(projection, largest, base, year)
    hist = projection.history
    if base_year is None:
        base_year = _default_base_year(history, hist)
    base_year = check_int("base_year", base_year, fix=fix)
    if base_value is None and hist.first_year <= base_year <= hist.last_year:
        base_value = float(hist.values[base_year - int(hist.first_year)])
    prob_year = (_default_prob_year(years) if prob_year is None
                 else check_int("prob_year", prob_year, fix=fix))
    probs: dict[str, float] = {}
    if base_value is not None and prob_year in years:
        probs = {str(k): float(v) for k, v in
                 projection.prob_above(base_value, prob_year).items()}
    mix = None
    if getattr(projection, "probabilities", None) is not None:
        m = projection.mixture()
        q = m.quantiles([0.5, *band_probs(level)])
        q = q[q["year"] == year]["value"].to_numpy(dtype=float)
        mix = (float(q[0]), float(q[1]), float(q[2]))
    return KeyMessage(
        year=year, baseline=base, series=series or _series_name(hist), unit=projection.unit,
        level=level, baseline_median=float(med[med["year"] == year]["value"].iloc[0]),
        band=(float(iv["lower"].iloc[0]), float(iv["upper"].iloc[0])), effects=effects,
        driver=driver, prob_year=prob_year if probs else None,
        base_year=base_year if probs else None, base_value=base_value if probs else None,
        prob_above=probs, mixture=mix)


def _series_name(history) -> str:
    return str(getattr(history, "name", "") or "the series").replace("_", " ")


def _example():
    """A two-scenario projection for the doctests (hand-made, no model)."""
    import dataclasses

    from ..projection.projection import _example as one

    p = one()
    return dataclasses.replace(p, years=p.years + 2, scenario_names=("baseline", "escalation"),
                               samples=p.samples[[0, 0]] * np.array([1.0, 0.9])[:, None, None])


def _driver_text(part: str, lp: float, total: float, others: int | None = None) -> str:
    """The clause naming the assumption behind the largest gap, `lp` of its `total` log
    points: a share of the gap where the part lies within it, else what offsets it, "the
    other assumption" when `others` (how many the scenario has besides) is 1.

    Examples
    --------
    >>> _driver_text("trade friction", -30.2, -34.0)
    '; most of it comes from trade friction (-30.2 of -34.0 log points)'
    >>> _driver_text("drift", -2.9, -2.7)
    '; it comes from drift (-2.9 log points), partly offset by the other assumptions (+0.2)'
    >>> _driver_text("drift", +1.5, -2.7)
    '; drift (+1.5 log points) is outweighed by the other assumptions (-4.2)'
    >>> _driver_text("drift", -2.9, -2.7, others=1)
    '; it comes from drift (-2.9 log points), partly offset by the other assumption (+0.2)'

    Where the part and the gap both show as 0.0 (an assumption that starts after the
    year: nothing acts by then), no share or offset is claimed:

    >>> _driver_text("levy", 0.0, 0.0)
    '; no assumption has an effect by then'
    >>> _driver_text("levy", 0.01, 0.02)
    '; no assumption moves it by 0.05 log points or more by then (the largest, levy: +0.01)'
    """
    if abs(lp) < 0.05 and abs(total) < 0.05:  # both would be shown as 0.0 log points
        if lp == 0 and total == 0:
            return "; no assumption has an effect by then"
        return (f"; no assumption moves it by 0.05 log points or more by then (the largest, "
                f"{part}: {lp:+.2f})")
    rest = total - lp
    rest_name = "the other assumption" if others == 1 else "the other assumptions"
    if lp * total > 0 and abs(lp) <= abs(total):
        share = "most of it" if abs(lp) > 0.5 * abs(total) else "the largest part"
        return f"; {share} comes from {part} ({lp:+.1f} of {total:+.1f} log points)"
    if lp * total > 0:
        return (f"; it comes from {part} ({lp:+.1f} log points), partly offset by "
                f"{rest_name} ({rest:+.1f})")
    return f"; {part} ({lp:+.1f} log points) is outweighed by {rest_name} ({rest:+.1f})"
