"""Output paths whose bytes are not UTF-8 (``--out $'bad\\xffdir'``), which Linux allows.

Python keeps such bytes as lone surrogates, which UTF-8 cannot encode: ``run`` and
``report`` did all their work and then failed writing the report's settings table (via
pyarrow) with "internal error (a bug)". The report, its settings table and
``settings.json`` now show such a byte as ``\\xff``, and the recorded command quotes the
argument as ``$'bad\\xffdir'``, which a shell reads back as the same bytes.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from forecast.report.reproduce import shell_word, utf8_text

ROOT = pathlib.Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
SMALL = ["--model", "drift", "--paths", "100", "--seed", "1", "--to", "2030", "--quiet"]

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Linux file names are bytes")


def _forecast(tmp: pathlib.Path, *args: str | bytes) -> subprocess.CompletedProcess:
    # a UTF-8 locale's strict stdout, as on a desktop (the C locale would pass the bytes)
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8:strict")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "forecast", *args], env=env, cwd=tmp,
                          capture_output=True, timeout=300)


def test_run_and_report_write_to_a_path_that_is_not_utf8(tmp_path):
    run = _forecast(tmp_path, "run", *SMALL, "--scenario", "baseline", "--out", b"bad\xffdir")
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    assert run.stderr == b""
    assert b"Wrote " in run.stdout
    assert b"bad\xffdir/" in run.stdout
    folder = tmp_path / os.fsdecode(b"bad\xffdir")
    settings = json.loads((folder / "settings.json").read_bytes().decode("utf-8"))
    assert settings["command"].endswith("--out $'bad\\xffdir'")
    page = (folder / "report.html").read_bytes().decode("utf-8")
    assert "--out $&#x27;bad\\xffdir&#x27;" in page

    rep = _forecast(tmp_path, "report", *SMALL, "--out", b"r\xff.html")
    assert rep.returncode == 0, rep.stderr.decode(errors="replace")
    page = (tmp_path / os.fsdecode(b"r\xff.html")).read_bytes().decode("utf-8")
    assert "--out $&#x27;r\\xff.html&#x27;" in page


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_recorded_command_gives_the_shell_the_same_bytes():
    args = [os.fsdecode(b) for b in (b"bad\xffdir", b"it's \\ \xe9t\xe9", b"caf\xc3\xa9 x")]
    line = " ".join(shell_word(a) for a in args)
    assert utf8_text(line) == line  # UTF-8 text: the report and settings.json can hold it
    line.encode("utf-8")
    got = subprocess.run(["bash", "-c", f"printf '%s\\0' {line}"], capture_output=True,
                         check=True).stdout
    assert got.split(b"\0")[:-1] == [os.fsencode(a) for a in args]
