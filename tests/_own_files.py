"""The refusal every single-file writer gives for a file it may not replace (tests only).

``to_excel``, ``dump_scenarios``, the reports and the CSV writers refuse a file forecast
did not write, or one changed since, with an OutputError naming the file and the fix:
:func:`refusal` checks that message once for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from forecast.errors import OutputError


def refusal(write: Callable[[], Any], path: object, *needles: str) -> str:
    """Call `write()`, which must raise an OutputError naming `path`, ``force=True`` and
    each of `needles`; return the message."""
    with pytest.raises(OutputError) as err:
        write()
    text = str(err.value)
    for needle in (str(path), "force=True", *needles):
        assert needle in text, (needle, text)
    return text
