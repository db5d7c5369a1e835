"""A ``ulimit -v`` (RLIMIT_AS) or ``ulimit -d`` (RLIMIT_DATA) bounds the memory guard.

``available_memory`` read only MemAvailable and the cgroup limits, so under ``ulimit -v
3500000`` ``project`` planned 2,600,000 paths of the 7 presets (1.7 GB, while 1.65 GB of
the 3.5 GB were already mapped) and the summaries then raised numpy's MemoryError.
"""

from __future__ import annotations

import resource

import pytest

import forecast
from forecast import _resources
from forecast.errors import ResourceError

GB = 10**9


def _limits(monkeypatch, as_=None, data=None, vmsize=GB, vmdata=GB // 2):
    limits = {resource.RLIMIT_AS: as_, resource.RLIMIT_DATA: data}

    def getrlimit(which):
        soft = limits.get(which)
        soft = resource.RLIM_INFINITY if soft is None else soft
        return soft, resource.RLIM_INFINITY

    monkeypatch.setattr(resource, "getrlimit", getrlimit)
    status = {"VmSize": vmsize, "VmData": vmdata}
    monkeypatch.setattr(_resources, "_status_bytes", status.get, raising=False)
    monkeypatch.setattr(_resources, "_meminfo", lambda: 64 * GB)
    monkeypatch.setattr(_resources, "_cgroup_room", lambda: None)


def test_no_limit_leaves_the_figure_as_it_was(monkeypatch):
    _limits(monkeypatch)
    assert _resources.available_memory() == 64 * GB


def test_the_address_space_limit_less_what_is_mapped(monkeypatch):
    _limits(monkeypatch, as_=3_500_000 * 1024, vmsize=1_650_000_000)
    assert _resources.available_memory() == 3_584_000_000 - 1_650_000_000


def test_the_data_limit_less_the_data_segment(monkeypatch):
    _limits(monkeypatch, as_=8 * GB, data=2 * GB, vmdata=GB // 2)
    assert _resources.available_memory() == 2 * GB - GB // 2


def test_a_limit_already_reached_leaves_no_room(monkeypatch):
    _limits(monkeypatch, as_=GB, vmsize=2 * GB)
    assert _resources.available_memory() == 0


def test_project_is_refused_under_the_limit_with_the_n_paths_that_fits(monkeypatch):
    _limits(monkeypatch, as_=3_500_000 * 1024, vmsize=3_200_000_000)  # 384 MB of room
    series = forecast.AnnualSeries(range(2015, 2025), [10 * 1.05**i for i in range(10)])
    fit = forecast.Drift().fit(series)
    with pytest.raises(ResourceError, match=r"only 384\.0 MB is available.*Pass n_paths <="):
        forecast.project(fit, forecast.Scenario("baseline"), to=2035, n_paths=5_000_000,
                         seed=1)
