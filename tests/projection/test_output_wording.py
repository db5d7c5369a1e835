"""Output errors speak the caller's language and name the real holder of a lock.

The Python API says ``force=True`` (never ``--force``); the command line says
``--force``. A lock held by another thread of this process says so, instead of calling
this process "another forecast process".
"""

from __future__ import annotations

import os
import threading

import pytest
from _engine_fakes import toy_projection

from forecast import cli
from forecast._io.lock import hold
from forecast.errors import OutputError


@pytest.fixture(scope="module")
def proj():
    return toy_projection(2, 20, history_name=None)


def _foreign(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep\n")
    return folder


def test_a_python_save_over_a_foreign_folder_says_force_true_only(proj, tmp_path):
    folder = _foreign(tmp_path)
    with pytest.raises(OutputError) as err:
        proj.save(folder, format="csv")
    text = str(err.value)
    assert str(folder) in text
    assert "pass force=True to replace the folder" in text
    assert "--force" not in text
    assert (folder / "notes.txt").read_text() == "keep\n"


def test_the_command_line_says_force_option_only(tmp_path, capsys):
    folder = _foreign(tmp_path)
    assert cli.main(["run", "--out", str(folder)]) == 2
    err = capsys.readouterr().err
    assert str(folder) in err
    assert "pass --force to replace the folder" in err
    assert "force=True" not in err
    assert (folder / "notes.txt").read_text() == "keep\n"


def test_a_lock_held_by_another_thread_of_this_process_says_so(proj, tmp_path):
    target = tmp_path / "run"
    held, done = threading.Event(), threading.Event()

    def writer():
        with hold(target, what="projection folder"):
            held.set()
            done.wait(10)

    t = threading.Thread(target=writer)
    t.start()
    try:
        assert held.wait(10)
        with pytest.raises(OutputError) as err:
            proj.save(target, format="csv")
    finally:
        done.set()
        t.join()
    text = str(err.value)
    assert f"being written by another thread of this process (pid {os.getpid()}" in text
    assert "another forecast process" not in text
    assert "released when that write finishes" in text
    proj.save(target, format="csv")  # free again once the thread is done
