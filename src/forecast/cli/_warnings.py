"""Warnings and log records as one plain line each on stderr (standard library only).

The library is silent by default (``logging.getLogger("forecast")`` has only a
NullHandler); while a command runs, the command line shows the library's warnings and
log records of level WARNING and above as ``forecast <command>: warning: <message>``,
never as a raw ``UserWarning`` with a source path and line.

The library's warnings give their advice in Python (``reconstruct_markets(markets=...)``,
``horizon=``, ``frame.attrs``); those a command can meet are reworded in the command
line's terms (:data:`CLI_WORDS`, :func:`in_cli_words`), each checked by a test that
meets it through the command line, so a reworded library message cannot slip by.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import warnings
from collections.abc import Iterator

from ._exit import one_line

__all__ = ["CLI_WORDS", "in_cli_words", "one_line_warnings"]

#: (pattern, replacement) of the library's Python advice and its command-line words, for
#: the warnings (and a few errors) a command can meet (``re.sub``; a message that matches
#: none is unchanged).
CLI_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), words) for pattern, words in (
        # project_markets (run --markets): a Diversion's receiver that is not projected
        (r"Name them in reconstruct_markets\(markets=\.\.\.\) to project them\.",
         "Add them to --markets to project them."),
        # project_markets (run --markets): paths censored on a near-level scale
        (r"On the log scale \(e\.g\. BottomUpModel\(forecast\.Auto\(scale=\"log\"\)\)\)",
         "On the log scale (--scale log)"),
        # backtest (either design): a horizon no truth reaches
        (r"not up to horizon=(\d+):", r"not up to --horizon \1:"),
        (r"Pass a smaller horizon or earlier origins\.", "Pass a smaller --horizon."),
        # backtest: skipped / unscored origins (the table has no attrs on the command line)
        (r" \(listed in frame\.attrs\['(skipped|unscored)'\]\)", ""),
        # forecast data --market XX: Records.filter is the command's filter
        (r"^Records\.filter: no record has market", "--market: no record has market"),
        # run --markets (an error, reworded too): the command line has no start/end
        (r"Widen the years \(start=, end=\), or drop the markets with the fewest level "
         r"and share records from `markets`\.",
         "Drop the markets with the fewest level and share records from --markets "
         "(forecast data --market CODE lists a market's records)."),
        # run --markets: the markets too thinly published, named after that error
        (r"leave (it|them) out of `markets` \(the rest of the world then holds what they "
         r"send\), or narrow start/end to the years they are published\.",
         r"leave \1 out of --markets (the rest of the world then holds what they send)."),
        # run --markets: the joint model did not converge (what to inspect, the thinnest
        # market first)
        (r"No MarketHistory was built, so inspect the inputs instead: the records of each "
         r"market with records\.filter\(market=\[[^\]]*\], flow='([\w-]+)', "
         r"segment='([\w-]+)'\)\.frame \(records: what you passed, by default "
         r"forecast\.load_releases\(\)\), and what each record implies, used or not, with "
         r"forecast\.reconstruct\(records, market='([^']+)', flow='[\w-]+', "
         r"segment='[\w-]+'\)\.observations\(\) \(likewise for the other markets and "
         r"'ALL'\)\.",
         r"To see why, list the records with forecast data --market \3 --flow \1 --segment "
         r"\2 and reconstruct the market alone with forecast history --market \3 (the same "
         r"--flow and --segment); likewise for the other markets and ALL."),
        # nowcast: a history whose last year is a full year (History.nowcast's advice)
        (r"Read history\.to_frame\(\) for its figures, or add a later January-to-month "
         r"record\.",
         "List its figures with forecast history (the same --market, --flow and --segment), "
         "or add a later January-to-month record to the releases (--data)."),
        # nowcast --year: a year with a full-year record (History.nowcast's advice)
        (r"Read history\.to_frame\(\) for its figures, or pass a year known only from "
         r"partial-year figures \(this history's: ",
         "List its figures with forecast history (the same --market, --flow and --segment), "
         "or pass a --year known only from partial-year figures (this history's: "),
        # reconstruct: records the history cannot use (the command line has no end year)
        (r"Add usable records for those years or pass end=<year> to extrapolate\.",
         "Add usable records for those years to the releases (--data)."),
        # sensitivity --method sobol --n above sobol's limit (check_sobol_n)
        (r"Pass e\.g\. n=1024 \(a power of two, at most ([\d,]+)\)\.$",
         r"Pass e.g. --n 1024 (a power of two, at most \1)."),
        # a scenario file's size in percent: the file's key, not a Python argument
        (r"if you meant (\S+)%, pass (\w+)=(\S+)\.$",
         r"if you meant \1%, write \2 = \3 in the scenario file."),
    ))


def in_cli_words(text: str) -> str:
    """`text`, a library warning or error, with its Python advice in command-line words."""
    for pattern, words in CLI_WORDS:
        text = pattern.sub(words, text)
    return text


@contextlib.contextmanager
def one_line_warnings(command: str) -> Iterator[None]:
    """Route warnings and the ``forecast`` logger to one-line messages for `command`."""
    shown: set[str] = set()

    def show(message, category, filename, lineno, file=None, line=None):
        kind = "warning" if issubclass(category, UserWarning) else category.__name__
        text = f"forecast {command}: {kind}: {in_cli_words(one_line(message))}"
        if text not in shown:  # e.g. one missing glyph, met in every chart: say it once
            shown.add(text)
            print(text, file=sys.stderr)

    class _Line(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            level = record.levelname.lower()
            return f"forecast {command}: {level}: {one_line(record.getMessage())}"

    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(_Line())
    logger = logging.getLogger("forecast")
    old_show = warnings.showwarning
    warnings.showwarning = show
    logger.addHandler(handler)
    try:
        yield
    finally:
        warnings.showwarning = old_show
        logger.removeHandler(handler)
