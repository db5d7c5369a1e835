"""Bad inputs and faults of saving and loading: confinement, checksums, atomic writes."""

from __future__ import annotations

import errno
import json
import os
import shutil

from _optional import need
from cases import STAGED, case

from forecast import Projection
from forecast._io import atomic, lock
from forecast.errors import DataError, ForecastTypeError, OutputError, ParameterError

# ----------------------------------------------------------------------------- save


@case("files", "save-format", ParameterError, "`format`", "'xlsx'")
def _(w, p, mp):
    w.proj.save(w.root / "new", format="xlsx")


@case("files", "save-force-text", ForecastTypeError, "`force`", "'yes'")
def _(w, p, mp):
    w.proj.save(w.root / "new", force="yes")


@case("files", "save-over-user-folder", OutputError, "user", "not written by forecast",
      "'precious.txt'", "force=True", tags=(STAGED,))
def _(w, p, mp):
    w.proj.save(w.root / "user")


@case("files", "save-through-link", OutputError, "linkdir", "symbolic link", tags=(STAGED,))
def _(w, p, mp):
    w.proj.save(w.root / "linkdir")


@case("files", "save-onto-file", OutputError, "existing.html", "is a file", tags=(STAGED,))
def _(w, p, mp):
    # not precious.csv: save refuses a data file's suffix (.csv) before looking at the path
    w.proj.save(w.root / "existing.html")


@case("files", "save-to-a-file-name", ParameterError, "precious.csv", "must name a folder",
      "Pass a folder name without it, e.g.", tags=(STAGED,))
def _(w, p, mp):
    w.proj.save(w.root / "precious.csv")


@case("files", "save-while-locked", OutputError, "run", "being written", "pid",
      tags=(STAGED,))
def _(w, p, mp):
    # the lock is held in this process, on another descriptor: flock refuses it the same
    with lock.hold(w.root / "run"):
        w.proj.save(w.root / "run")


def _fail_with(code: int):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return fail


@case("files", "save-disk-full", OutputError, "run", "disk is full", "ENOSPC", "unchanged",
      tags=(STAGED,))
def _(w, p, mp):
    mp.setattr(atomic, "_os_write", _fail_with(errno.ENOSPC))
    # a folder forecast wrote (a run's, so replacing it takes force): it would be replaced
    w.proj.save(w.root / "run", force=True)


@case("files", "save-disk-full-new-folder", OutputError, "fresh", "disk is full",
      "Nothing was written", tags=(STAGED,))
def _(w, p, mp):
    mp.setattr(atomic, "_os_write", _fail_with(errno.ENOSPC))
    w.proj.save(w.root / "fresh")


@case("files", "save-lock-disk-full", OutputError, "cannot write the projection folder",
      "starting with its lock file", ".run.lock", "disk is full", "ENOSPC",
      "Free some space", "run is unchanged", tags=(STAGED,))
def _(w, p, mp):
    # a full disk has room for the empty lock file, not for the holder's record in it:
    # a bare OSError(28) that named no file
    mp.setattr(lock, "_record", _fail_with(errno.ENOSPC))
    w.proj.save(w.root / "run", force=True)


@case("files", "save-lock-is-folder", OutputError, ".lockdir.lock is a folder",
      "the lock file of the projection folder", "move that folder away")
def _(w, p, mp):
    w.proj.save(w.root / "lockdir")


@case("files", "save-read-only", OutputError, "run", "read-only", "EROFS", tags=(STAGED,))
def _(w, p, mp):
    mp.setattr(lock, "_open", _fail_with(errno.EROFS))
    w.proj.save(w.root / "run")


@case("files", "save-permission", OutputError, "run", "permission denied", "EACCES",
      tags=(STAGED,))
def _(w, p, mp):
    mp.setattr(atomic, "_os_write", _fail_with(errno.EACCES))
    w.proj.save(w.root / "run", format="csv", force=True)


@case("files", "save-quota", OutputError, "run", "quota", "EDQUOT", tags=(STAGED,))
def _(w, p, mp):
    mp.setattr(atomic, "_os_write", _fail_with(errno.EDQUOT))
    w.proj.save(w.root / "run", force=True)


@case("files", "report-missing-folder", OutputError, "nowhere", "does not exist")
def _(w, p, mp):
    from forecast.report import write_report

    write_report(w.proj, w.root / "nowhere" / "r.html", plots=False)


@case("files", "report-through-link", OutputError, "link.csv", "symbolic link")
def _(w, p, mp):
    from forecast.report import write_report

    write_report(w.proj, w.root / "link.csv", plots=False)


# A file where a folder is needed (`precious.csv/out.csv`): each single-file writer said
# "its folder precious.csv does not exist", which sent the user looking for a missing
# folder; the message names the file in the way, before any work.
def _below_a_file(w):
    return w.root / "precious.csv" / "deeper"


_BELOW = ("precious.csv is a file, where a folder is needed", "move that file away")


@case("files", "write-below-a-file-records", OutputError, "records file", *_BELOW)
def _(w, p, mp):
    w.records.filter(market="US").to_csv(_below_a_file(w) / "r.csv")


@case("files", "write-below-a-file-series", OutputError, "series file", *_BELOW)
def _(w, p, mp):
    w.series.to_csv(_below_a_file(w) / "s.csv")


@case("files", "write-below-a-file-scenarios", OutputError, "scenario file", *_BELOW)
def _(w, p, mp):
    from forecast import Scenario, dump_scenarios

    dump_scenarios(Scenario("a"), _below_a_file(w) / "s.toml")


@case("files", "write-below-a-file-report", OutputError, "report", *_BELOW)
def _(w, p, mp):
    from forecast.report import write_report

    write_report(w.proj, _below_a_file(w) / "r.html", plots=False)


@case("files", "write-below-a-file-excel", OutputError, "Excel workbook", *_BELOW)
def _(w, p, mp):
    need("openpyxl")
    w.proj.to_excel(_below_a_file(w) / "p.xlsx", region="United States", variable="Test")


# ----------------------------------------------------------------------------- load
def _copy(change):
    """Setup: a copy of the saved projection, changed by `change(folder, metadata)`."""
    def setup(w, folder):
        shutil.copytree(w.root / "proj", folder)
        meta = json.loads((folder / "metadata.json").read_text())
        new = change(folder, meta)
        if isinstance(new, dict | list):  # a new metadata.json; anything else: files changed
            (folder / "metadata.json").write_text(json.dumps(new))
        return folder

    return setup


def _meta(**changes):
    return _copy(lambda folder, m: {**m, **changes})


def _load(w, p, mp):
    Projection.load(p)


LOADS = {
    "metadata-list": (_copy(lambda f, m: [1, 2]), ("metadata.json", "JSON object", "list")),
    "metadata-not-json": (_copy(lambda f, m: (f / "metadata.json").write_text("{oops")),
                          ("metadata.json", "valid JSON", "line 1")),
    "metadata-missing-key": (_copy(lambda f, m: {k: v for k, v in m.items() if k != "seed"}),
                             ("metadata.json", "'seed'", "missing")),
    "metadata-format": (_meta(format="pickle"), ("format", "'pickle'")),
    "metadata-version": (_meta(format_version=99), ("format_version", "99")),
    "years-text": (_meta(years=["a", "b"]), ("`years[0]`", "'a'")),
    "years-gap": (_meta(years=[2025, 2027, 2028, 2029, 2030, 2031]),
                  ("`years`", "consecutive", "2027")),
    "years-far": (_meta(years=[9025, 9026, 9027, 9028, 9029, 9030]), ("`years[0]`", "9025")),
    "samples-absolute": (_meta(samples_file="/etc/passwd"), ("`samples_file`", "'/etc/passwd'")),
    "samples-parent": (_meta(samples_file="../secret.env"),
                       ("`samples_file`", "'../secret.env'")),
    "base-other-file": (_meta(base_log_file="metadata.json"),
                        ("`base_log_file`", "'metadata.json'")),
    "scenario-name-newline": (_meta(scenario_names=["baseline", "c\nut"]),
                              ("`scenario_names[1]`", "'c\\nut'")),
    "scenario-names-duplicate": (_meta(scenario_names=["a", "a"]),
                                 ("`scenario_names`", "unique")),
    "seed-negative": (_meta(seed=-5), ("`seed`", "-5")),
    "seed-text": (_meta(seed="one"), ("`seed`", "'one'")),
    "center-length": (_meta(center=[1.0]), ("`center`", "6 numbers")),
    "center-nan": (_meta(center=[1.0, "x", 1, 1, 1, 1]), ("`center[1]`", "'x'")),
    "history-bad": (_meta(history={"years": [2020, 2020], "values": [1, 2], "unit": "USD_bn",
                                   "name": ""}), ("`history`", "2020")),
    "probabilities-text": (_meta(probabilities=["half", "half"]),
                           ("`probabilities[0]`", "'half'")),
    "settings-list": (_meta(settings=[1]), ("`settings`", "JSON object")),
    "scenarios-other-file": (_meta(scenarios={"file": "../x.toml"}),
                             ("`scenarios.file`", "'../x.toml'")),
    "checksum-missing": (_copy(lambda f, m: {**m, "checksums": {}}),
                         ("`checksums['samples.parquet']`", "None")),
    "checksum-mismatch": (_copy(lambda f, m: (f / "base_log.parquet").write_bytes(
        (f / "base_log.parquet").read_bytes()[:-10])), ("base_log.parquet", "SHA-256",
                                                        "save the projection again")),
    "samples-link-outside": (_copy(lambda f, m: (os.unlink(f / "samples.parquet"), os.symlink(
        f.parent.parent / "precious.csv", f / "samples.parquet"))[0]),
                             ("samples.parquet", "symbolic link")),
    "samples-missing": (_copy(lambda f, m: os.unlink(f / "samples.parquet")),
                        ("samples.parquet", "missing")),
    "samples-folder": (_copy(lambda f, m: (os.unlink(f / "samples.parquet"), os.mkdir(
        f / "samples.parquet"))[0]), ("samples.parquet", "plain file")),
}


def _corrupt_parquet(folder, meta):
    data = b"not parquet at all" * 4
    (folder / "samples.parquet").write_bytes(data)
    import hashlib

    meta["checksums"]["samples.parquet"] = hashlib.sha256(data).hexdigest()
    return meta


LOADS["corrupt-parquet"] = (_copy(_corrupt_parquet), ("samples.parquet",
                                                      "cannot be read as Parquet"))
for _id, (_setup, _needles) in LOADS.items():
    case("files", f"load-{_id}", DataError, *_needles, setup=_setup)(_load)


@case("files", "load-not-a-path", ForecastTypeError, "`directory`", "int")
def _(w, p, mp):
    Projection.load(42)


@case("files", "load-missing-folder", DataError, "nope", "does not exist")
def _(w, p, mp):
    Projection.load(w.root / "nope")


@case("files", "load-a-file", DataError, "precious.csv", "is a file")
def _(w, p, mp):
    Projection.load(w.root / "precious.csv")


@case("files", "load-user-folder", DataError, "user", "metadata.json")
def _(w, p, mp):
    Projection.load(w.root / "user")


@case("files", "load-huge-metadata", DataError, "metadata.json", "at most",
      setup=_copy(lambda f, m: (f / "metadata.json").write_bytes(b" " * 10_000_001)))
def _(w, p, mp):
    Projection.load(p)
