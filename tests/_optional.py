"""Optional dependencies in tests: skip without them locally, fail without them in CI.

CI (``.ci/run``, which sets ``CI``) installs the ``test`` extra, which includes every
optional dependency; there a missing or broken one must fail the run, not turn the tests
that need it into quiet skips. ``pytest.importorskip`` cannot tell the two apart.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest


def need(module: str, why: str = "", *, module_level: bool = False) -> ModuleType:
    """Import `module`; without it, skip (locally, saying so) or fail (in CI).

    `module_level`: called at import time of a test module (skips the whole module).
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        what = f"{module} is not importable ({type(exc).__name__}: {exc})"
        if why:
            what += f"; {why}"
        if os.environ.get("CI"):
            pytest.fail(f"{what}: CI installs the test extra, which includes it", pytrace=False)
        pytest.skip(what, allow_module_level=module_level)
