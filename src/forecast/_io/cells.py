"""CSV cells that a spreadsheet would run as a formula, neutralised (private).

OWASP's advice for CSV injection: a text cell starting with ``= + - @``, a tab or a
carriage return gets a leading apostrophe, which a spreadsheet shows as text;
:func:`unneutralise` takes it off again when forecast reads its own file back.
"""

from __future__ import annotations

from typing import Any

__all__ = ["neutralise", "unneutralise"]

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _risky(text: str) -> bool:
    return text.lstrip("'")[:1] in _FORMULA


def neutralise(frame: Any) -> Any:
    """A copy of `frame` whose text cells cannot run as spreadsheet formulas.

    Text starting with ``= + - @``, a tab or a carriage return (after any apostrophes)
    gets one more leading apostrophe, as OWASP recommends; :func:`unneutralise` undoes it.
    Numbers are never changed, so ``-0.5`` in a float column stays ``-0.5``.

    Examples
    --------
    >>> import pandas as pd
    >>> neutralise(pd.DataFrame({"s": ["=1+1", "ok"], "x": [-0.5, 1.0]})).values.tolist()
    [["'=1+1", -0.5], ['ok', 1.0]]
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind in "OSU" or str(out[col].dtype).startswith("string"):
            out[col] = [("'" + v if isinstance(v, str) and _risky(v) else v)
                        for v in out[col].tolist()]
    out.columns = [("'" + c if isinstance(c, str) and _risky(c) else c) for c in out.columns]
    return out


def unneutralise(text: str) -> str:
    """Undo :func:`neutralise` on one cell (text read back from a CSV the library wrote)."""
    return text[1:] if text.startswith("'") and _risky(text[1:]) else text

