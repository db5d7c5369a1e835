"""What the library promises about the files it writes, shown on good inputs.

Atomic folders and their marker, ownership and ``force``, CSV formula neutralising
(without touching numbers), round trips through the neutralised CSVs, the memory guard's
arithmetic and the scheduler address parser. The bad inputs are in
``test_bad_inputs.py``, the faults (signals, kill -9, full disk) in ``test_faults.py``.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import pathlib
import re
import signal
import stat
import sys

import numpy as np
import pandas as pd
import pytest
from _own_files import refusal

import forecast
from forecast import Projection, _resources, cli
from forecast._io import atomic, cells, folders, paths, seals
from forecast.cli._scheduler import tcp_endpoint
from forecast.errors import OutputError, ParameterError, ResourceError
from forecast.projection._collect import run_bytes


def _proj(names=("baseline",)):
    s = forecast.AnnualSeries(range(2012, 2025), 10 * 1.09 ** np.arange(13))
    scen = [forecast.Scenario(n) for n in names]
    return forecast.project(forecast.Drift().fit(s, seed=1), scen, to=2028, n_paths=30, seed=4)


def test_a_folder_is_swapped_in_whole_with_a_marker(tmp_path):
    target = tmp_path / "out"
    with folders.atomic_folder(target, kind="test") as out:
        out.write_text("a.txt", "1")
        assert not target.exists()  # nothing visible until the block ends
    marker = json.loads((target / folders.MARKER).read_text())
    assert marker["format"] == "forecast.output"
    assert marker["kind"] == "test"
    assert set(marker["files"]) == {"a.txt"}
    with folders.atomic_folder(target, kind="test") as out:
        out.write_text("b.txt", "2")
    assert sorted(p.name for p in target.iterdir()) == [folders.MARKER, "b.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no debris, no lock


def test_an_error_inside_the_block_changes_nothing(tmp_path):
    target = tmp_path / "out"
    with folders.atomic_folder(target, kind="test") as out:
        out.write_text("a.txt", "old")
    def fail() -> None:
        with folders.atomic_folder(target, kind="test") as out:
            out.write_text("a.txt", "new")
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        fail()
    assert (target / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_force_replaces_a_foreign_folder_but_never_home_or_cwd(tmp_path, monkeypatch):
    user = tmp_path / "user"
    user.mkdir()
    (user / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="not written by forecast"):
        _proj().save(user)
    _proj().save(user, force=True)
    assert not (user / "notes.txt").exists()
    assert Projection.load(user).seed == 4
    (user / "extra.txt").write_text("added later")  # a file the marker does not list
    with pytest.raises(OutputError, match=r"holds files forecast did not write.*extra\.txt"):
        _proj().save(user)
    monkeypatch.chdir(user)
    with pytest.raises(OutputError, match="holds the current folder"):
        _proj().save(user, force=True)
    assert (user / "extra.txt").exists()


def test_a_file_edited_after_forecast_wrote_it_is_not_replaced(tmp_path):
    """The marker lists each file's size and SHA-256: a table opened and saved in Excel,
    or a forged or copied marker, no longer protects nothing - the folder is refused
    without force, naming the file, and the edit survives."""
    out = tmp_path / "out"
    _proj().save(out, format="csv")
    edited = next(p for p in sorted(out.iterdir()) if p.suffix == ".csv")
    edited.write_text("year,median\n2025,MY ANNOTATED NUMBERS\n")
    with pytest.raises(OutputError, match=rf"changed after it wrote them \(1 such entry: "
                                          rf"'{edited.name}' \(changed since\)\).*force=True"):
        _proj().save(out, format="csv")
    assert "ANNOTATED" in edited.read_text()
    # same size, other bytes: the checksum tells
    other = sorted(p for p in out.iterdir() if p.suffix == ".json" and p.name != folders.MARKER)
    if other:
        data = other[0].read_bytes()
        other[0].write_bytes(data[:-1] + (b"X" if data[-1:] != b"X" else b"Y"))
        with pytest.raises(OutputError, match=re.escape(f"'{other[0].name}' (changed since)")):
            _proj().save(out, format="csv")
    _proj().save(out, format="csv", force=True)  # force replaces, as documented
    assert Projection.load(out).seed == 4


def test_a_deleted_file_or_an_untouched_folder_is_replaced(tmp_path):
    out = tmp_path / "out"
    _proj().save(out)
    victim = next(p for p in sorted(out.iterdir()) if p.name != folders.MARKER)
    victim.unlink()  # nothing to lose
    _proj().save(out)
    _proj().save(out)  # as written: replaced
    assert Projection.load(out).seed == 4


def test_a_forged_marker_or_a_swapped_entry_protects_nothing(tmp_path):
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    (thesis / "thesis.docx").write_bytes(b"chapter one")
    (thesis / folders.MARKER).write_text(json.dumps({
        "format": "forecast.output", "version": 1, "kind": "projection",
        "files": {"thesis.docx": {"bytes": 11, "sha256": "x"}}}))
    with pytest.raises(OutputError, match=r"'thesis\.docx' \(changed since\)"):
        _proj().save(thesis)
    assert (thesis / "thesis.docx").read_bytes() == b"chapter one"
    out = tmp_path / "out"
    with folders.atomic_folder(out, kind="test") as folder:
        folder.write_text("a.txt", "1")
        folder.write_text("b.txt", "2")
    (out / "a.txt").unlink()
    (out / "a.txt").mkdir()  # a folder where forecast wrote a file
    (out / "a.txt" / "work.txt").write_text("mine")
    (out / "b.txt").unlink()
    (out / "b.txt").symlink_to(thesis / "thesis.docx")  # a link where it wrote a file
    with pytest.raises(OutputError, match=r"2 such entries: 'a\.txt' \(changed since\), "
                                          r"'b\.txt' \(changed since\)"), \
            folders.atomic_folder(out, kind="test") as folder:
        folder.write_text("c.txt", "3")
    assert (out / "a.txt" / "work.txt").read_text() == "mine"


def test_forecast_run_keeps_a_table_edited_in_place(tmp_path, capsys):
    args = ["run", "--model", "drift", "--paths", "50", "--seed", "1", "--to", "2028",
            "--no-plot", "--quiet", "--out", str(tmp_path / "run")]
    assert cli.main(args) == 0
    table = tmp_path / "run" / "history.csv"
    table.write_text(table.read_text() + "my note\n")
    capsys.readouterr()
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "'history.csv' (changed since)" in err
    assert "--force" in err
    assert table.read_text().endswith("my note\n")
    assert cli.main([*args, "--force"]) == 0
    assert not table.read_text().endswith("my note\n")


@pytest.mark.parametrize("state", ["empty", "ours"])
def test_the_current_folder_is_never_swapped_even_empty_or_ours(tmp_path, monkeypatch,
                                                                state):
    """``save(".")`` (or ``forecast run --out .``) in an empty folder, or in one forecast
    wrote, used to swap the folder the shell or kernel stands in for a new one, leaving
    it in a deleted folder; now it is refused and the folder stays the same inode."""
    here = tmp_path / "here"
    here.mkdir()
    if state == "ours":
        _proj().save(here)
    inode = here.stat().st_ino
    before = sorted(os.listdir(here))
    monkeypatch.chdir(here)
    for target in (".", here, here / ".." / "here"):
        with pytest.raises(OutputError, match=r"is or holds the current folder.*"
                                              r"e\.g\. .*forecast-output"):
            _proj().save(target)
    with pytest.raises(OutputError, match="current folder"):
        _proj().save(tmp_path, force=True)  # a folder holding it
    assert os.stat(".").st_ino == inode
    assert sorted(os.listdir(".")) == before
    _proj().save("forecast-output")  # the suggested folder works
    assert Projection.load(here / "forecast-output").seed == 4


def test_forecast_run_out_dot_is_refused_before_any_work(tmp_path, monkeypatch, capsys):
    from forecast import cli

    monkeypatch.chdir(tmp_path)
    inode = os.stat(".").st_ino
    assert cli.main(["run", "--out", ".", "--model", "drift", "--paths", "50", "--seed", "1",
                     "--no-plot", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--out folder" in err
    assert "current folder" in err
    assert os.stat(".").st_ino == inode
    assert os.listdir(".") == []


def test_a_marker_that_is_a_link_does_not_make_a_folder_ours(tmp_path):
    (tmp_path / "elsewhere.json").write_text(json.dumps(
        {"format": "forecast.output", "files": {"x": {}}}))
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "x").write_text("precious")
    os.symlink(tmp_path / "elsewhere.json", victim / folders.MARKER)
    with pytest.raises(OutputError, match="not written by forecast"):
        _proj().save(victim)
    assert (victim / "x").read_text() == "precious"


def test_neutralise_guards_text_and_leaves_numbers():
    frame = pd.DataFrame({"scenario": ["=HYPERLINK(1)", "+1", "-x", "@a", "\tz", "ok",
                                       "'=x"],
                          "value": [-1.5, 2.0, -0.0, 3.0, 4.0, 5.0, 6.0]})
    out = cells.neutralise(frame)
    assert out["scenario"].tolist() == ["'=HYPERLINK(1)", "'+1", "'-x", "'@a", "'\tz", "ok",
                                        "''=x"]
    assert out["value"].tolist() == frame["value"].tolist()
    assert [cells.unneutralise(v) for v in out["scenario"]] == frame["scenario"].tolist()


def test_records_round_trip_through_a_neutralised_csv(tmp_path, releases):
    frame = releases.frame
    frame.loc[0, "note"] = "=cmd|' /C calc'!A0"
    frame.loc[1, "source"] = "-5% per MOFCOM"
    rec = forecast.Records.from_frame(frame.drop(columns=["row", "origin", "published_date"]))
    rec.to_csv(tmp_path / "r.csv")
    raw = pd.read_csv(tmp_path / "r.csv", dtype=str, keep_default_na=False)
    assert raw.loc[0, "note"].startswith("'=")
    assert raw.loc[1, "source"].startswith("'-")
    back = forecast.Records.from_csv(tmp_path / "r.csv")
    assert back.frame["note"][0] == "=cmd|' /C calc'!A0"
    assert back.frame["source"][1] == "-5% per MOFCOM"
    assert back.frame["value"].tolist() == rec.frame["value"].tolist()


def _csv_writers(releases):
    series = forecast.AnnualSeries([2023, 2024], [31.0, 31.6], name="US")
    return {"series": (series.to_csv, "year,value,unit,name"),
            "records": (releases.filter(market="US").to_csv, "market,segment,flow,year"),
            "rates": (forecast.load_exchange_rates().to_csv, "year,month,series")}


@pytest.mark.parametrize("kind", ["series", "records", "rates"])
def test_csv_writers_replace_their_own_tables_and_only_with_force_another_file(
        tmp_path, releases, kind):
    """A CSV forecast wrote and nobody changed is replaced; its record of the SHA-256 lies
    beside it, so the CSV stays plain (pandas reads it as written)."""
    write, head = _csv_writers(releases)[kind]
    path = tmp_path / "t.csv"
    write(path)
    first = path.read_bytes()
    assert first.decode().startswith(head)  # no comment line: the header comes first
    record = tmp_path / ".t.csv.forecast.json"
    assert json.loads(record.read_text())["sha256"] == [_sha(first)]
    write(path)  # untouched: replaced without force
    assert path.read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == [".t.csv.forecast.json", "t.csv"]
    # edited since (a row added, or saved by a spreadsheet: BOM, CRLF): refused, kept
    for edited in (first + first.split(b"\n")[1] + b"\n",
                   b"\xef\xbb\xbf" + first.replace(b"\n", b"\r\n")):
        path.write_bytes(edited)
        refusal(lambda: write(path), path, "changed since forecast wrote it",
                "another path")
        assert path.read_bytes() == edited
    # a table of the same kind without a record (copied, an older version's): refused
    record.unlink()
    with pytest.raises(OutputError, match=r"carries the header line .* no record .*force=True"):
        write(path)
    # anything else is the user's: refused untouched, replaced with force=True
    for other in (b"year;value\n2024;1\n", b"\xff\xfe not text", b""):
        path.write_bytes(other)
        with pytest.raises(OutputError, match=r"was not written by forecast .*force=True"):
            write(path)
        assert path.read_bytes() == other
    write(path, force=True)
    assert path.read_bytes() == first
    assert json.loads(record.read_text())["sha256"] == [_sha(first)]
    write(path)  # and it is forecast's again


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("kind", ["series", "records", "rates"])
def test_a_csv_record_that_is_a_link_or_a_folder_is_refused(tmp_path, releases, kind):
    write, _ = _csv_writers(releases)[kind]
    path = tmp_path / "t.csv"
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("{}")
    (tmp_path / ".t.csv.forecast.json").symlink_to(elsewhere)
    for force in (False, True):
        with pytest.raises(OutputError, match="symbolic link or a folder"):
            write(path, force=force)
    assert not path.exists()
    assert elsewhere.read_text() == "{}"


def test_an_interrupted_csv_write_leaves_a_file_its_record_lists(tmp_path, monkeypatch):
    """The record lists the old and the new digest while the file is renamed into place:
    after every rename of the write (a kill -9 may come between any two), the file on
    disk is one its record lists; a write stopped before the file's rename leaves the old
    file, listed, and the next write is not refused."""
    path = tmp_path / "s.csv"
    record = tmp_path / ".s.csv.forecast.json"
    forecast.AnnualSeries([2023, 2024], [31.0, 31.6], name="US").to_csv(path)
    real, listed = atomic._rename, []

    def rename(src, dst):
        real(src, dst)
        listed.append(_sha(path.read_bytes()) in json.loads(record.read_text())["sha256"])

    monkeypatch.setattr(atomic, "_rename", rename)
    forecast.AnnualSeries([2023, 2024], [1.0, 2.0]).to_csv(path)
    assert listed == [True, True, True]  # record of both, the file, record of the new
    second = path.read_bytes()

    def stop(src, dst):  # the file's rename fails, after the record of both
        if dst == path:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real(src, dst)

    monkeypatch.setattr(atomic, "_rename", stop)
    with pytest.raises(OutputError, match=rf"cannot write {re.escape(str(path))}: an "
                                          rf"input/output error .* {re.escape(str(path))} is "
                                          "unchanged"):
        forecast.AnnualSeries([2023, 2024], [5.0, 6.0]).to_csv(path)
    assert path.read_bytes() == second
    assert len(json.loads(record.read_text())["sha256"]) == 2
    monkeypatch.setattr(atomic, "_rename", real)
    forecast.AnnualSeries([2023, 2024], [5.0, 6.0]).to_csv(path)  # not refused
    assert json.loads(record.read_text())["sha256"] == [_sha(path.read_bytes())]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".s.csv.forecast.json", "s.csv"]


@pytest.mark.parametrize("existing", [False, True])
def test_a_full_disk_leaves_a_csv_and_its_record_as_they_were(tmp_path, monkeypatch,
                                                              existing):
    """The record was written before the CSV: on a full disk the CSV failed ("Nothing was
    written") and a record of a file that did not exist stayed beside it. Now both are
    staged before either is renamed: a full disk at the CSV leaves no record (or the old
    file and its old record), and a full disk at the record names the CSV asked for."""
    path = tmp_path / "r.csv"
    if existing:
        forecast.AnnualSeries([2023, 2024], [31.0, 31.6]).to_csv(path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    unchanged = f"{path} is unchanged." if existing else "Nothing was written."
    for call, words in ((2, ""), (1, r" \(its record \.r\.csv\.forecast\.json beside it\)")):
        n = [0]

        def full(fd, data, n=n, call=call):
            n[0] += 1
            if n[0] == call:  # the record is staged first, then the CSV
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return os.write(fd, data)

        monkeypatch.setattr(atomic, "_os_write", full)
        with pytest.raises(OutputError, match=rf"^cannot write {re.escape(str(path))}{words}: "
                                              rf"the disk is full \(ENOSPC\)\. .*"
                                              rf"{re.escape(unchanged)}$"):
            forecast.load_releases().filter(market="US").to_csv(path, force=True)
        assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_users_file_under_the_record_name_is_not_replaced(tmp_path):
    """`.r2.csv.forecast.json` of the user's was overwritten by the record of r2.csv."""
    path, mine = tmp_path / "r2.csv", tmp_path / ".r2.csv.forecast.json"
    mine.write_text("mine\n")
    records = forecast.load_releases().filter(market="US")
    refusal(lambda: records.to_csv(path), path, ".r2.csv.forecast.json beside it, which "
            "forecast did not write", "Move that file away", "force=True")
    assert mine.read_text() == "mine\n"
    assert not path.exists()
    for other in ("{}", '{"format": "other"}', "[1]"):  # JSON, but not forecast's record
        mine.write_text(other)
        with pytest.raises(OutputError, match="which forecast did not write"):
            records.to_csv(path)
    records.to_csv(path, force=True)  # told to: replaced by the record of r2.csv
    assert json.loads(mine.read_text())["file"] == "r2.csv"
    path.unlink()  # a record forecast wrote, of a file since deleted: replaced
    records.to_csv(path)
    assert json.loads(mine.read_text())["sha256"] == [_sha(path.read_bytes())]


def test_projection_csv_keeps_formula_like_names_and_negative_numbers(tmp_path):
    proj = _proj(("=sum", "-down"))
    out = proj.save(tmp_path / "p", format="csv")
    text = (out / "samples.csv").read_text()
    assert "\n'=sum," in text
    assert "\n'-down," in text
    back = Projection.load(out)
    assert back.scenario_names == ("=sum", "-down")
    np.testing.assert_array_equal(back.samples, proj.samples)
    with open(out / "base_log.csv", newline="") as fh:  # any reader gets plain numbers
        rows = list(csv.reader(fh))[1:]
    np.testing.assert_array_equal([[float(v) for v in r[1:]] for r in rows], proj.base_log)


def test_cli_summary_csv_is_neutralised(tmp_path):
    toml = tmp_path / "s.toml"
    toml.write_text('[[scenario]]\nname = "=2+5"\n')
    assert cli.main(["run", str(toml), "--model", "drift", "--imputations", "1", "--paths",
                     "30", "--seed", "1", "--no-plot", "--quiet", "--out",
                     str(tmp_path / "o")]) == 0
    summary = pd.read_csv(tmp_path / "o" / "summary.csv", dtype=str)
    assert set(summary["scenario"]) == {"'=2+5"}


def test_memory_estimate_and_guard(monkeypatch):
    per_path, work = run_bytes(7, 10, 200_000_000, 10, 10_000)
    assert per_path == 8 * 10 * 8
    assert per_path * 200_000_000 > 100e9  # the issue's --paths 200000000: > 100 GB
    assert work == 8 * 10 * 10_000 * (7 + 10 + 6)
    avail = _resources.available_memory()
    assert avail is None or avail > 0
    monkeypatch.setattr(_resources, "available_memory", lambda: 10**9)
    _resources.check_memory(10**8, "x", "y")
    with pytest.raises(ResourceError, match=r"x needs about 900.0 MB.*1.0 GB.*y\. Nothing"):
        _resources.check_memory(9 * 10**8, "x", "y")
    # a caller that has just read it passes it on: a project call reads /proc once
    reads = []
    monkeypatch.setattr(_resources, "available_memory", lambda: reads.append(1) or 10**9)
    from forecast.projection._collect import check_path_memory

    check_path_memory(80, 10**6, 1000, "x")  # 1.1 MB: a small run is not read at all
    assert reads == []
    check_path_memory(80, 10**6, _resources.SMALL_RUN // 80, "x")  # at the bound: read once
    assert len(reads) == 1
    with pytest.raises(ResourceError, match=r"Pass n_paths <= 9,987,500"):
        check_path_memory(80, 10**6, 10**8, "x")
    assert len(reads) == 2


@pytest.mark.parametrize(("address", "endpoint"), [
    ("tcp://10.0.0.1:8786", ("10.0.0.1", 8786)), ("host", ("host", 8786)),
    ("host:1234", ("host", 1234)), ("[::1]:99", ("::1", 99)), ("tls://h:1", None),
    ("inproc://x", None),
])
def test_scheduler_addresses(address, endpoint):
    assert tcp_endpoint(address) == endpoint


def test_scheduler_address_errors():
    with pytest.raises(ParameterError, match="'tcp://h:http'.*1..65535"):
        tcp_endpoint("tcp://h:http")
    with pytest.raises(ParameterError, match="no host"):
        tcp_endpoint("tcp://:8786")


def test_a_name_too_long_for_the_files_beside_it_is_refused_up_front(tmp_path, capsys):
    """A 250-byte name fits the file system (255) but not its temporary file or lock
    (.<name>.tmp-<pid>-<hex>): refused naming the limit, not "cannot create the lock file"."""
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    room = limit - paths.NAME_OVERHEAD
    records = forecast.load_releases()
    with pytest.raises(OutputError, match=rf"is {room + 1} bytes long; .* at most {room} bytes"):
        records.to_csv(tmp_path / ("r" * (room - 3) + ".csv"))  # one byte too many
    records.to_csv(tmp_path / ("r" * (room - 4) + ".csv"))  # the longest name works
    assert (tmp_path / ("r" * (room - 4) + ".csv")).exists()
    assert cli.main(["run", "--out", str(tmp_path / ("o" * 250)), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "the --out folder name 'oooo" in err
    assert "Choose a shorter name" in err
    assert "lock file" not in err
    record = seals.SidecarSeal.record_path(tmp_path / ("r" * (room - 4) + ".csv")).name
    assert record.endswith(".forecast.json")
    assert "~" in record
    assert sorted(p.name for p in tmp_path.iterdir()) == [record, "r" * (room - 4) + ".csv"]
    records.to_csv(tmp_path / ("r" * (room - 4) + ".csv"))  # its own: replaced


@pytest.mark.parametrize("kind", ["text", "hard link", "json of another program", "fifo"])
def test_a_file_under_the_lock_name_that_forecast_did_not_write_is_left_alone(tmp_path, kind):
    """The lock file is truncated and deleted after a run: only one forecast wrote."""
    lock = tmp_path / ".out.lock"
    other = tmp_path / "notes.txt"
    if kind == "text":
        lock.write_text("x\n")
    elif kind == "hard link":  # truncating it would empty the other name's content
        other.write_text('{"pid": 1, "host": "h", "started": "s"}')
        os.link(other, lock)
    elif kind == "json of another program":
        lock.write_text('{"owner": "my-sync-tool"}')
    else:
        os.mkfifo(lock)
    before = {p.name: (p.read_bytes() if p.is_file() else None) for p in tmp_path.iterdir()}
    target = tmp_path / "out"
    with pytest.raises(OutputError) as info, folders.hold(target, what="--out folder"):
        pass
    assert str(info.value).startswith(f"{lock} exists and is not a lock file forecast wrote")
    assert "move it away" in str(info.value)
    after = {p.name: (p.read_bytes() if p.is_file() else None) for p in tmp_path.iterdir()}
    assert after == before
    assert not target.exists()


def test_a_stale_or_empty_lock_file_of_forecast_is_taken_over(tmp_path):
    from forecast._io import lock

    target = tmp_path / "out"
    for content in ('{"pid": 999999, "host": "h", "started": "2026-01-01T00:00:00"}', ""):
        lock.lock_path(target).write_text(content)
        with folders.hold(target, what="--out folder"):
            pass
        assert not lock.lock_path(target).exists()


def test_a_lock_that_cannot_be_created_names_the_folder_asked_for(tmp_path, monkeypatch):
    """The lock file is forecast's own: the message names the output folder first."""
    import errno

    from forecast._io import lock

    def denied(path):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(lock, "_open", denied)
    target = tmp_path / "out"
    with pytest.raises(OutputError) as info, folders.hold(target, what="--out folder"):
        pass
    assert str(info.value).startswith(
        f"cannot write the --out folder {target}, starting with its lock file "
        f"{tmp_path / '.out.lock'}: permission denied (EACCES).")


def test_a_path_starting_with_a_tilde_is_the_home_folders_as_in_pandas(tmp_path, monkeypatch):
    """``~/x`` is expanded by every writer and reader, never a literal ``./~`` folder."""
    home, cwd = tmp_path / "home", tmp_path / "cwd"
    home.mkdir()
    cwd.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(cwd)
    p = _proj()
    assert p.save("~/run") == home / "run"
    assert Projection.load("~/run").samples.tobytes() == p.samples.tobytes()
    p.history.to_csv("~/s.csv")
    back = forecast.AnnualSeries.from_csv("~/s.csv")  # pandas < 2.2 parses the last digit
    np.testing.assert_allclose(back.values, p.history.values, rtol=1e-14)
    forecast.scenarios.dump_scenarios([forecast.Scenario("baseline")], "~/s.toml")
    assert forecast.scenarios.load_scenarios("~/s.toml").names == ("baseline",)
    assert sorted(x.name for x in home.iterdir()) == [".s.csv.forecast.json", "run", "s.csv",
                                                      "s.toml"]
    assert list(cwd.iterdir()) == []


def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_only_a_dead_writers_leftovers_of_this_target_are_tidied(tmp_path):
    """Leftovers are matched by name, not by glob, and only for writers that are gone:
    writing ``data*`` used to move a user's ``.dataC.old-y`` into it (and --force then
    deleted it), writing ``results`` deleted a user's ``.results.tmp-backup``, and writing
    ``out[1]`` deleted the live staging folder of a run into ``out1``."""
    def folder(name, text="mine"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "keep.txt").write_text(text)
        return tmp_path / name

    dead, alive = _dead_pid(), os.getppid()
    users = [folder(".dataC.old-y"), folder(".results.tmp-backup"),
             folder(f".out1.tmp-{alive}-abcdef"),  # a live run into another target
             folder(f".results.tmp-{alive}-abcdef"),  # a live writer (lock bypassed)
             # a number beyond any pid (os.kill raised OverflowError): no writer's name
             folder(".results.tmp-9999999999-abcdef")]
    stale = [folder(f".results.tmp-{dead}-0a1b2c"), folder(f".out[1].tmp-{dead}-0a1b2c")]
    for name in ("data*", "results", "out[1]"):
        with folders.atomic_folder(tmp_path / name, kind="test", force=True) as out:
            out.write_text("a.txt", "1")
        assert sorted(p.name for p in (tmp_path / name).iterdir()) == [folders.MARKER,
                                                                       "a.txt"]
    for user in users:
        assert (user / "keep.txt").read_text() == "mine", user.name
    for leftover in stale:
        assert not leftover.exists(), leftover.name


def test_a_killed_single_file_writers_temporary_file_is_removed_by_the_next_write(
        tmp_path):
    """`kill -9` during `to_csv` left `..s.csv.forecast.json.tmp-PID-HEX` (and, for a CSV,
    `.s.csv.tmp-PID-HEX`) for good: the folder writer tidies its leftovers, the single-file
    writers did not. The next write of the same file removes them."""
    import subprocess
    import sys

    code = ("import os, signal, sys, forecast\n"
            "from forecast._io import atomic\n"
            "real, n = atomic._os_write, [0]\n"
            "def write(fd, data):\n"
            "    n[0] += 1\n"
            "    if n[0] == int(sys.argv[2]):\n"
            "        os.kill(os.getpid(), signal.SIGKILL)\n"
            "    return real(fd, data)\n"
            "atomic._os_write = write\n"
            "forecast.AnnualSeries([2023, 2024], [1.0, 2.0]).to_csv(sys.argv[1])\n")
    path = tmp_path / "s.csv"
    env = dict(os.environ, PYTHONPATH=str(pathlib.Path(forecast.__file__).parents[1]))
    for call in (1, 2):  # killed while writing the record, then while writing the CSV
        res = subprocess.run([sys.executable, "-c", code, str(path), str(call)], env=env,
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == -signal.SIGKILL, res.stderr
    left = sorted(p.name for p in tmp_path.iterdir())
    assert [re.sub(r"-[0-9]+-[0-9a-f]{6}$", "", n) for n in left] == [
        "..s.csv.forecast.json.tmp", ".s.csv.tmp"], left
    forecast.AnnualSeries([2023, 2024], [1.0, 2.0]).to_csv(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".s.csv.forecast.json", "s.csv"]


def test_only_a_dead_writers_temporary_files_of_this_file_are_removed(tmp_path):
    """The rule of the folders' leftovers, for files: the exact name (`t[1].csv` is not a
    pattern), a writer that has ended, and a plain file (not a link, not a folder) of
    this user; anything else under a similar name is left alone."""
    dead, alive = _dead_pid(), os.getppid()

    def file(name, text="mine"):
        (tmp_path / name).write_text(text)
        return tmp_path / name

    elsewhere = file("elsewhere.txt")
    keep = [file(".t[1].csv.tmp-backup"), file(f".t1.csv.tmp-{dead}-abcdef"),
            file(f".t[1].csv.tmp-{alive}-abcdef"),  # a live writer of this file
            file(f".t[1].csv.tmp-{dead}-abcdeg"),  # not a name forecast makes
            file(".t[1].csv.tmp-9999999999-abcdef")]  # nor a pid (os.kill overflowed)
    link = tmp_path / f".t[1].csv.tmp-{dead}-0a0a0a"
    link.symlink_to(elsewhere)
    folder = tmp_path / f".t[1].csv.tmp-{dead}-0b0b0b"
    folder.mkdir()
    stale = [file(f".t[1].csv.tmp-{dead}-0a1b2c", "half a table")]
    if os.getuid() == 0:  # root can make another user's file: never removed
        keep.append(file(f".t[1].csv.tmp-{dead}-0c0c0c"))
        os.chown(keep[-1], 65534, 65534)
    atomic.write_bytes(tmp_path / "t[1].csv", b"a,b\n")
    for p in keep:
        assert p.read_text() == "mine", p.name
    assert link.is_symlink()
    assert elsewhere.read_text() == "mine"
    assert folder.is_dir()
    assert not any(p.exists() for p in stale)


def test_an_interrupted_swap_is_repaired_from_a_dead_writers_old_set(tmp_path):
    target, dead = tmp_path / "out", _dead_pid()
    with folders.atomic_folder(target, kind="test") as out:
        out.write_text("a.txt", "old")
    os.rename(target, tmp_path / f".out.old-{dead}-abcdef")  # killed between the renames
    with pytest.raises(RuntimeError), folders.atomic_folder(target, kind="test"):
        raise RuntimeError("only the repair runs")
    assert (target / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("argv", [["--scenario", "nope"], ["--to", "2020"],
                                  ["--markets", "US,XX"]])
def test_a_refused_run_leaves_no_folder_behind(tmp_path, capsys, argv):
    out = tmp_path / "new" / "deep" / "o"
    assert cli.main(["run", "--no-plot", "--paths", "20", "--out", str(out), *argv]) == 2
    assert "error" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_folder_of_another_kind_is_replaced_only_with_force(tmp_path, capsys):
    """`forecast run --out <a saved projection>` replaced the projection (and p.save()
    a run folder): the marker said which kind of output it held, but nothing read it."""
    saved = tmp_path / "saved"
    _proj().save(saved)
    argv = ["run", "--no-plot", "--model", "drift", "--paths", "20", "--seed", "1"]
    assert cli.main([*argv, "--out", str(saved)]) == 2
    err = capsys.readouterr().err
    assert "holds a projection saved by Projection.save, not the output of `forecast run`" \
        in err
    assert "--force" in err
    assert Projection.load(saved).n_paths == 30  # untouched
    run = tmp_path / "run"
    assert cli.main([*argv, "--out", str(run)]) == 0
    with pytest.raises(OutputError, match=r"holds the output of `forecast run`, not a "
                                          r"projection saved by Projection\.save.*force=True"):
        _proj().save(run)
    assert (run / "summary.csv").exists()
    _proj().save(run, force=True)  # told to: replaced
    assert Projection.load(run).n_paths == 30
    assert cli.main([*argv, "--out", str(saved), "--force"]) == 0
    assert (saved / "summary.csv").exists()


def test_a_previous_set_that_cannot_be_removed_is_named_in_a_warning(tmp_path, monkeypatch):
    """The new set was swapped in and the old one, partly undeletable (a read-only file),
    stayed beside it as `.out.tmp-*` without a word (and the next write deleted it)."""
    target = tmp_path / "out"
    with folders.atomic_folder(target, kind="test") as out:
        out.write_text("a.txt", "old")

    def cannot(path, folder):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(folders, "_delete", cannot)
    with pytest.warns(UserWarning, match=r"did not delete is in .*out\.kept-[0-9a-f]{6} "
                                         r"\('\.forecast-output\.json', 'a\.txt'\).*could not "
                                         r"be deleted"), \
            folders.atomic_folder(target, kind="test") as out:
        out.write_text("a.txt", "new")
    assert (target / "a.txt").read_text() == "new"
    left = [p for p in tmp_path.iterdir() if p.name != "out"]
    assert len(left) == 1
    assert (left[0] / "a.txt").read_text() == "old"
    monkeypatch.undo()
    with folders.atomic_folder(target, kind="test") as out:  # not a leftover to tidy
        out.write_text("a.txt", "newer")
    assert (left[0] / "a.txt").read_text() == "old"


def _folder(target, text="old"):
    with folders.atomic_folder(target, kind="test") as out:
        out.write_text("a.txt", text)
        out.write_text("b.csv", "x,y\n1,2\n")
    return sorted(os.listdir(target)), (target / "a.txt").read_bytes()


@pytest.mark.parametrize("change", ["added", "edited", "edited, same size", "replaced"])
@pytest.mark.parametrize("force", [False, True])
def test_a_file_added_or_edited_while_writing_is_never_deleted(tmp_path, change, force):
    """The folder was checked once, before the output was staged; a note saved into it,
    or a table re-saved from Excel, while the run was writing was deleted with the
    previous set, exit 0. Now the folder is checked again just before the swap: refused,
    naming the file and how to repeat the write, and the folder is left as it was."""
    target = tmp_path / "out"
    _folder(target)

    def write():
        with folders.atomic_folder(target, kind="test", force=force) as out:
            out.write_text("a.txt", "new")
            if change == "added":
                (target / "notes.txt").write_text("my notes")
            elif change == "edited":
                (target / "b.csv").write_text("x,y\n1,2\nmy row\n")
            elif change == "edited, same size":
                (target / "b.csv").write_text("x,y\n1,3\n")
            else:  # saved by a program that writes a new file and renames it over the old
                (tmp_path / "new.csv").write_text("x,y\n9,9\n")
                os.replace(tmp_path / "new.csv", target / "b.csv")

    with pytest.raises(OutputError) as info:
        write()
    name, how = ("notes.txt", "added") if change == "added" else ("b.csv", "changed")
    message = str(info.value)
    assert message.startswith(f"the output folder {target} changed while forecast was "
                              f"writing the new output (1 such entry: '{name}' ({how}));")
    assert message.endswith(f"{target} is as it was. Move it out of the folder (or choose "
                            "another folder), then write it again.")
    assert ("with force=True forecast replaces what the folder held when the job began"
            in message) == force
    assert (target / "a.txt").read_text() == "old"
    assert (target / "notes.txt").exists() == (change == "added")
    assert (target / "b.csv").read_text() == {"edited": "x,y\n1,2\nmy row\n",
                                              "edited, same size": "x,y\n1,3\n",
                                              "replaced": "x,y\n9,9\n"}.get(change,
                                                                            "x,y\n1,2\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_with_force_what_the_folder_held_when_the_job_began_is_replaced(tmp_path):
    """`force` consents to the folder as it was when the job began (`since`): its files
    are replaced, one added later is refused."""
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.txt").write_text("replace me")
    since = folders.entries(target)
    (target / "later.txt").write_text("added while the job computed")
    with pytest.raises(OutputError, match=r"'later\.txt' \(added\)"), \
            folders.atomic_folder(target, kind="test", force=True, since=since) as out:
        out.write_text("a.txt", "new")
    assert sorted(os.listdir(target)) == ["later.txt", "old.txt"]
    (target / "later.txt").unlink()
    with folders.atomic_folder(target, kind="test", force=True, since=since) as out:
        out.write_text("a.txt", "new")
    assert sorted(os.listdir(target)) == [folders.MARKER, "a.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("exchange", [True, False])
@pytest.mark.parametrize("change", ["added", "edited"])
def test_a_file_added_in_the_instant_before_the_swap_is_kept_aside(tmp_path, monkeypatch,
                                                                   exchange, change):
    """After the last check, only what it saw is deleted of the previous set: a file
    added (or edited) in the instant before the swap stays, in ``out.kept-HEX`` beside the
    new set (a name the tidying of dead writers' leftovers never matches), with a
    warning naming it; forecast's own untouched files are deleted."""
    target = tmp_path / "out"
    _folder(target)
    real = folders._exchange

    def late(a, b):
        if change == "added":
            (target / "notes.txt").write_text("my notes")
        else:
            (target / "b.csv").write_text("x,y\n1,2\nmy row\n")
        return real(a, b) if exchange else False

    monkeypatch.setattr(folders, "_exchange", late)
    name = "notes.txt" if change == "added" else "b.csv"
    with pytest.warns(UserWarning, match=rf"did not delete is in {re.escape(str(tmp_path))}/"
                                         rf"out\.kept-[0-9a-f]{{6}} \('{re.escape(name)}'\): "
                                         "files added or changed while forecast was writing"), \
            folders.atomic_folder(target, kind="test") as out:
        out.write_text("a.txt", "new")
    assert (target / "a.txt").read_text() == "new"
    kept = [p for p in tmp_path.iterdir() if p.name != "out"]
    assert [p.name[:9] for p in kept] == ["out.kept-"]
    assert [p.name for p in kept[0].iterdir()] == [name]
    assert (kept[0] / name).read_text() in ("my notes", "x,y\n1,2\nmy row\n")
    monkeypatch.undo()
    _folder(target)  # the next write leaves it alone
    assert [p.name for p in kept[0].iterdir()] == [name]


def test_forecast_run_keeps_a_note_added_while_it_runs_and_names_the_seed(tmp_path, capsys,
                                                                           monkeypatch):
    """The probe's case: a note saved into the --out folder while the run was writing
    was deleted, exit 0. Refused now, the note and the old output kept, and the message
    says how to get the same results again."""
    from forecast.cli import run_report

    out = tmp_path / "run"
    args = ["run", "--model", "drift", "--paths", "50", "--to", "2028", "--no-plot",
            "--quiet", "--out", str(out)]
    assert cli.main([*args, "--seed", "1"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = run_report._write_run

    def write_run(*a, **k):
        (out / "notes.txt").write_text("my notes")
        return real(*a, **k)

    monkeypatch.setattr(run_report, "_write_run", write_run)
    capsys.readouterr()
    for force in ([], ["--force"]):
        assert cli.main([*args, "--seed", "2", *force]) == 2
        err = capsys.readouterr().err
        assert f"the --out folder {out} changed while forecast was writing" in err
        assert "'notes.txt' (added)" in err
        assert err.rstrip().endswith("run the same command with --seed 2 to get the same "
                                     "results.")
        assert (out / "notes.txt").read_text() == "my notes"
        (out / "notes.txt").unlink()
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_forecast_run_force_replaces_the_folder_it_was_given_as_typed(tmp_path, capsys,
                                                                     monkeypatch):
    """The folder --force consents to is recorded under the path the run resolves
    (``~/run`` is the home folder's), so a second forced run is not refused."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "mine.txt").write_text("replace me")
    args = ["run", "--model", "drift", "--paths", "30", "--seed", "1", "--to", "2027",
            "--no-plot", "--quiet", "--force", "--out", "~/run"]
    assert cli.main(args) == 0, capsys.readouterr().err
    assert cli.main(args) == 0, capsys.readouterr().err
    assert not (tmp_path / "run" / "mine.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


@pytest.mark.parametrize("folder_mode", [0o700, 0o750, 0o2770])
def test_the_folder_being_replaced_keeps_its_permissions(tmp_path, folder_mode):
    """A private folder (chmod 700) was replaced by a world-readable one (755, files 644).
    Now the folder keeps its mode, a file the mode of the file it replaces, and a new
    file no more for the group and others than the folder gives them."""
    target = tmp_path / "out"
    _folder(target)
    target.chmod(folder_mode)
    (target / "a.txt").chmod(0o604)
    marker = stat.S_IMODE((target / folders.MARKER).stat().st_mode)
    with folders.atomic_folder(target, kind="test") as out:
        out.write_text("a.txt", "new")
        out.write_text("new.txt", "new")
    def mode(name):
        return stat.S_IMODE((target / name).stat().st_mode)

    assert mode("") == folder_mode
    assert mode("a.txt") == 0o604
    assert mode(folders.MARKER) == marker
    assert mode("new.txt") == 0o666 & ~folders._umask() & (0o600 | folder_mode & 0o066)
    fresh = tmp_path / "fresh"  # a new folder: the umask's modes, as mkdir gives
    _folder(fresh)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o777 & ~folders._umask()


def test_forecast_run_keeps_a_private_folder_private(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["run", "--model", "drift", "--paths", "30", "--seed", "1", "--to", "2027",
            "--no-plot", "--quiet", "--out", str(out)]
    assert cli.main(args) == 0
    out.chmod(0o700)
    assert cli.main(args) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o700


@pytest.mark.parametrize("mode", [0o555, 0o500, 0o077])
def test_a_read_only_folder_is_refused_before_any_work_even_with_force(tmp_path, capsys,
                                                                       monkeypatch, mode):
    """Its owner's write bit is tested, not os.access: root may write anywhere, and a
    folder made read-only (chmod 555) was replaced by a writable one."""
    from forecast.cli import run_report

    target = tmp_path / "out"
    _folder(target)
    target.chmod(mode)
    before = sorted(os.listdir(target)) if mode & stat.S_IRUSR or os.geteuid() == 0 else None
    for force in (False, True):
        with pytest.raises(OutputError) as info:
            _proj().save(target, force=force)
        assert str(info.value) == (
            f"the projection folder {target} is read-only (mode {mode:o}: its owner may not "
            f"change it), so forecast leaves it as it is. Make it writable (chmod u+w "
            f"{target}) or choose another folder.")
    monkeypatch.setattr(run_report, "_project", lambda args: pytest.fail("work started"))
    assert cli.main(["run", "--quiet", "--force", "--out", str(target)]) == 2
    assert "is read-only (mode" in capsys.readouterr().err
    assert stat.S_IMODE(target.stat().st_mode) == mode
    target.chmod(0o700)
    if before is not None:
        assert sorted(os.listdir(target)) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def _installed_places():
    package = pathlib.Path(forecast.__file__).resolve().parent
    prefix = pathlib.Path(sys.prefix).resolve()
    return {"package data": (package / "data", "it is inside the installed forecast "
                                               f"package, {package}"),
            "new in package": (package / "data" / "new", "it is inside the installed "
                                                         "forecast package"),
            "the package": (package, "it is the installed forecast package"),
            "holding the package": (package.parent, f"it holds the installed forecast "
                                                    f"package, {package}"),
            "prefix": (prefix, "it is the Python installation (sys.prefix)"),
            "in prefix": (prefix / "forecast-output", f"it is inside the Python installation "
                                                      f"(sys.prefix), {prefix}")}


@pytest.mark.parametrize("place", ["package data", "new in package", "the package",
                                   "holding the package", "prefix", "in prefix"])
def test_the_installed_package_and_python_are_never_an_output_folder(tmp_path, capsys,
                                                                     place):
    """`forecast run --out .../forecast/data --force` replaced the embedded releases.csv
    and fx.csv: only a root, home and the current folder were protected. Now a folder
    inside, equal to or holding the package, sys.prefix, sys.base_prefix or
    sys.exec_prefix is refused, even with force, before anything is made."""
    target, words = _installed_places()[place]
    package = pathlib.Path(forecast.__file__).resolve().parent
    data = {p.name: p.read_bytes() for p in (package / "data").iterdir()}
    listing = {d: sorted(os.listdir(d)) for d in (package, package / "data", target.parent)}
    for force in (False, True):
        with pytest.raises(OutputError) as info:
            _proj().save(target, force=force)
        assert str(info.value).startswith(
            f"refusing to write the projection folder {target}: {words}")
        assert str(info.value).endswith(", whose files an output must never replace or "
                                        "mix with. Choose a folder outside it, e.g. "
                                        "~/forecast-output.")
    assert cli.main(["run", "--quiet", "--force", "--out", str(target)]) == 2
    assert words in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in (package / "data").iterdir()} == data
    assert {d: sorted(os.listdir(d)) for d in listing} == listing


def test_an_installation_that_holds_home_protects_only_itself(tmp_path, monkeypatch):
    """A Python installed with --prefix=$HOME would put every output of its user inside
    it: it only keeps the installation itself (home, already) from being replaced."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("prefix", "exec_prefix", "base_prefix", "base_exec_prefix"):
        monkeypatch.setattr(sys, name, str(home))
    _proj().save(home / "runs" / "a")
    assert Projection.load(home / "runs" / "a").seed == 4
    monkeypatch.setattr(sys, "base_prefix", str(tmp_path / "py"))
    with pytest.raises(OutputError, match=r"it is inside the Python installation "
                                          r"\(sys\.base_prefix\)"):
        _proj().save(tmp_path / "py" / "lib" / "out")
    assert not (tmp_path / "py").exists()  # its parents were not made


def test_forecast_run_names_the_lock_file_a_full_disk_has_no_room_for(tmp_path, capsys,
                                                                       monkeypatch):
    """A disk too full for the lock file's record: `cannot access a file: the disk is
    full (ENOSPC)`, naming no path. Now the folder asked for and its lock file are named,
    and the lock file is removed again."""
    import errno

    from forecast._io import lock

    def full(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(lock, "_record", full)
    out = tmp_path / "new" / "o"
    assert cli.main(["run", "--quiet", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"forecast run: error: cannot write the --out folder {out}, starting with its lock "
        f"file {tmp_path / 'new' / '.o.lock'}: the disk is full (ENOSPC). Free some space or "
        "write to another disk. Nothing was written.\n")
    assert list(tmp_path.iterdir()) == []
