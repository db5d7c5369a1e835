"""The Markdown tables of the docs' checked outputs (one writer for every doc script)."""

from __future__ import annotations

import textwrap

import pandas as pd


def cell(value: object, fmt: str = "{:.2f}") -> str:
    """`value` as a table cell: floats with `fmt`, anything else with ``str``.

    A float that rounds to zero is shown without a sign ("0.000", never "-0.000"): the sign
    of a figure too small to show is noise (it can flip between library versions).
    """
    if not isinstance(value, float):
        return str(value)
    text = fmt.format(value)
    if text.startswith("-") and "0" in text and not any(d in text for d in "123456789"):
        return text[1:]  # "-0.000", "-0.0%": zero at this precision ("-inf" keeps its sign)
    return text


def table(frame: pd.DataFrame, fmt: str = "{:.2f}") -> str:
    """`frame` as a Markdown table (no index, no trailing newline)."""
    lines = ["| " + " | ".join(str(c) for c in frame.columns) + " |",
             "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v, fmt) for v in row) + " |"
              for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def prose(text: str) -> str:
    """`text` as a paragraph of the docs' source (lines of at most 88 characters)."""
    return textwrap.fill(text, 88, break_long_words=False, break_on_hyphens=False) + "\n"
