"""The engine's allocator setting: chunk workspaces are reused, not faulted in again.

Counted in page faults, not seconds, in a fresh interpreter: what the engine's chunks do
(allocate, fill and free arrays of ``chunk_size x h`` floats) costs thousands of page
faults per chunk under glibc's default thresholds and none once
:func:`forecast._resources.keep_workspace` has run.
"""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

CHURN = """
import resource
import numpy as np
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
def chunks():  # 50 chunks of three 880 kB arrays, as 10,000 paths x 11 years
    f0 = faults()
    for _ in range(50):
        a = np.ones(110_000); b = a * 2; c = b + a; del a, b, c
    return faults() - f0
before = chunks()
from forecast._resources import keep_workspace
keep_workspace()
keep_workspace()  # a second call is a no-op
chunks()  # the first pass after it maps the pages once
print(before, chunks())
"""


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="glibc's dynamic malloc thresholds")
def test_chunk_workspaces_are_reused_after_keep_workspace():
    out = subprocess.run([sys.executable, "-c", CHURN], capture_output=True, text=True,
                         check=True, timeout=60).stdout.split()
    before, after = int(out[0]), int(out[1])
    assert before > 5_000  # ~200 pages per array freed back to the OS, every chunk
    assert after < 100

