"""Signals and exit codes of the command line (private; standard library only).

The promise (``docs/reliability.md``): whatever the moment of Ctrl-C (SIGINT) or SIGTERM,
``forecast`` ends with one line on stderr and exit code 130 (143 for SIGTERM), and every
output is either complete or untouched (outputs are written atomically, see
:mod:`forecast._io`). Three things make it hold:

- :func:`signals` installs handlers that raise :class:`Interrupted` (a
  ``KeyboardInterrupt``) in the main thread and remember that a signal came, so that an
  exception a library raises because of it (a worker pool broken by the same Ctrl-C, a
  C extension that turns the interrupt into an error) still maps to 130, not to
  "internal error";
- once the exit code is decided (:meth:`State.finish`), further signals are ignored,
  so a Ctrl-C during the last message cannot turn a finished run into a traceback;
- the program entry (:func:`forecast.cli.entry.run`) keeps those handlers until the
  exit code is decided, then ignores SIGINT and SIGTERM (:func:`settle`), since the
  interpreter's shutdown would put their default action back.

Every ``OSError`` that reaches the command line (a full disk, a read-only file system,
a path that is a file) becomes one line naming the path and the fix, exit code 2.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from .._io.oserror import output_error

__all__ = ["Interrupted", "State", "interrupted", "one_line", "os_error_line", "settle",
           "signals", "standard_streams"]

#: Exit codes: 128 + the signal number, as shells report them.
EXIT_SIGINT = 130
EXIT_SIGTERM = 143


class Interrupted(KeyboardInterrupt):
    """Raised in the main thread by SIGINT or SIGTERM while a command runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@dataclass
class State:
    """What the handlers saw: the first signal, and whether the exit code is decided."""

    signum: int | None = None
    done: bool = False
    _old: dict[int, object] = field(default_factory=dict)

    def handler(self, signum: int, frame: object) -> None:
        if self.done:
            return  # the outcome is decided: finish quietly
        if self.signum is None:
            self.signum = signum
        raise Interrupted(signum)

    def check(self) -> None:
        """Raise :class:`Interrupted` if a signal came and its exception was lost.

        Python runs a handler between bytecodes of the main thread, including inside a
        finalizer or a weak-reference callback, where the exception it raises is printed
        as "Exception ignored" and dropped: the command would go on and publish its
        outputs. ``run`` calls this before it swaps its output folder in, and the
        program entry once more when any command returns (exit 130 either way).
        """
        if self.signum is not None and not self.done:
            raise Interrupted(self.signum)

    def finish(self) -> None:
        """The exit code is decided: ignore later signals (they could only add noise)."""
        self.done = True

    @property
    def code(self) -> int:
        return EXIT_SIGTERM if self.signum == signal.SIGTERM else EXIT_SIGINT

    @property
    def name(self) -> str:
        return "terminated (SIGTERM)" if self.signum == signal.SIGTERM else "interrupted"


@contextmanager
def signals(keep: bool = False) -> Iterator[State]:
    """Install the handlers of SIGINT and SIGTERM for the block (main thread only).

    With `keep`, the handlers stay after the block (the program is about to exit).
    """
    state = State()
    main = threading.current_thread() is threading.main_thread()
    old_hook = sys.unraisablehook
    if main:
        for s in (signal.SIGINT, signal.SIGTERM):
            old = signal.getsignal(s)
            if old is not None:  # None: a handler set outside Python; leave it alone
                state._old[s] = signal.signal(s, state.handler)

        def unraisable(info: object) -> None:
            # our Interrupted raised inside a finalizer is dropped by Python, which would
            # print "Exception ignored" and a traceback; the state has the signal, and
            # the command stops at its next check (State.check): one line, as always
            if not isinstance(getattr(info, "exc_value", None), Interrupted):
                old_hook(info)  # type: ignore[arg-type]

        sys.unraisablehook = unraisable
    try:
        yield state
    finally:
        state.finish()
        if main and not keep:
            sys.unraisablehook = old_hook
            for s, old in state._old.items():
                signal.signal(s, old)  # type: ignore[arg-type]


@contextmanager
def standard_streams(keep: bool = False) -> Iterator[None]:
    """Stand ``/dev/null`` in for a closed stdout or stderr (``>&-``, ``2>&-``).

    Python leaves ``sys.stdout`` (``sys.stderr``) None when its descriptor is closed at
    start: every print then failed with an AttributeError after the work was done (exit
    1, a traceback), and ``print(file=sys.stderr)`` silently wrote warnings to stdout.
    Text nobody can read is dropped, as after a reader that stopped early (``| head``),
    and the exit code says what happened. A closed descriptor is also taken by
    ``/dev/null``, so that no file the command opens gets number 1 or 2, where a library
    writing to the standard streams at C level would write into it.

    With `keep`, the stand-ins stay after the block (the program is about to exit).
    Also, stdout writes the bytes of a file name that are not UTF-8 as they are.
    """
    made = {}
    for name, fd in (("stdout", 1), ("stderr", 2)):
        if getattr(sys, name) is None:
            made[name] = _null_writer(fd)
            setattr(sys, name, made[name])
    # a path given in bytes that are not UTF-8 (``--out $'bad\xffdir'``) is printed as
    # those bytes, as Python does in the C locale, not refused after the work is done
    # (stderr already escapes them: backslashreplace)
    out = sys.stdout
    strict = getattr(out, "errors", None) == "strict" and hasattr(out, "reconfigure")
    if strict:
        out.reconfigure(errors="surrogateescape")
    try:
        yield
    finally:
        if strict and not keep:
            out.reconfigure(errors="strict")
        if not keep:
            for name, stream in made.items():
                if getattr(sys, name) is stream:
                    setattr(sys, name, None)
                stream.close()


def _null_writer(fd: int):
    """A text writer to ``/dev/null``: on descriptor `fd` if it was closed, else its own."""
    try:
        os.fstat(fd)
    except OSError:  # closed: /dev/null takes the number (no output file may get it)
        null = os.open(os.devnull, os.O_WRONLY)
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
        return open(fd, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
    return open(os.devnull, "w", encoding="utf-8", errors="backslashreplace")


def settle() -> None:
    """Ignore SIGINT and SIGTERM from here on, and flush stdout and stderr: the program
    has its exit code and returns into interpreter shutdown.

    The handlers of :func:`signals` ignore a late signal, but the interpreter's shutdown
    puts back the default action of every signal it handled (0.6-1 s after the exit
    code is known, once the modules are torn down), and a Ctrl-C then killed a finished
    run without a word (exit 130 instead of 0). ``SIG_IGN`` is left as it is. Unlike
    ``os._exit(code)``, this keeps what shutdown does: ``atexit`` functions (the
    ``logging`` flush, ``concurrent.futures`` and ``multiprocessing`` joining their
    threads and processes), buffered files closed. Main thread only.
    """
    if threading.current_thread() is threading.main_thread():
        for s in (signal.SIGINT, signal.SIGTERM):
            if signal.getsignal(s) is not None:  # None: set outside Python, left alone
                signal.signal(s, signal.SIG_IGN)
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a reader gone (| head), a closed stream: the
            _drop(stream)               # text is lost, not the exit code


def _drop(stream) -> None:
    """Send what `stream` still holds to ``/dev/null``, so that flushing it again at
    shutdown neither fails nor prints "Exception ignored" (and exits 120)."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass


def one_line(message: object) -> str:
    """`message` on one line (lines joined with ' | ')."""
    lines = [ln.strip() for ln in str(message).splitlines() if ln.strip()]
    return " | ".join(lines) if lines else "unknown error"


def interrupted(where: str, state: State) -> int:
    """Print the one line of an interrupted command; return its exit code."""
    print(f"{where}: {state.name}; outputs are complete or unchanged (never partial).",
          file=sys.stderr)
    return state.code


#: The file name given to an OSError raised while printing (see :func:`tagged_stdout`).
STDOUT = "<stdout>"


def os_error_line(exc: OSError) -> str:
    """One line for an OSError that no stage turned into a ForecastError.

    An error raised while printing (:func:`tagged_stdout`) is named as such: the files a
    command writes are written atomically, so those it wrote before printing are whole.
    """
    if exc.filename == STDOUT:
        return str(output_error(exc, "to standard output", "write",
                                "Files the command wrote before are complete."))
    return str(output_error(exc, exc.filename or "a file", "access"))


class _TaggedStream:
    """A text stream whose OSErrors without a file name get :data:`STDOUT` as theirs."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def _call(self, name: str, *args):
        try:
            return getattr(self._stream, name)(*args)
        except OSError as exc:
            if exc.filename is None:
                exc.filename = STDOUT
            raise

    def write(self, text: str) -> int:
        return self._call("write", text)

    def flush(self) -> None:
        self._call("flush")

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


@contextmanager
def tagged_stdout() -> Iterator[None]:
    """Let an OSError from printing (a full disk behind ``> file``) say it was stdout."""
    real = sys.stdout
    sys.stdout = _TaggedStream(real)
    try:
        yield
        sys.stdout.flush()
    finally:
        sys.stdout = real
    return False
