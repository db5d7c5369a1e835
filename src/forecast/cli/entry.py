"""The ``forecast`` program's entry: parse, run one command, map the outcome to an exit code.

:func:`run` is the console script; :func:`main` returns the code instead of exiting
(what tests and other programs call). Like :mod:`forecast.cli.parser`, it imports only
the standard library at import time; a command's module loads when it runs.

Exit codes: 0 on success; 2 with a one-line message on stderr for bad usage or any
:class:`~forecast.errors.ForecastError` (bad data, bad scenario file, bad argument) or an
OS error (a full disk); 130 after Ctrl-C, 143 after SIGTERM; 1 for anything else (a bug:
the traceback is printed so it can be reported).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import traceback
from collections.abc import Sequence

from .._threads import THREAD_VARIABLES
from ..errors import ForecastError, ForecastTypeError, ParameterError
from . import _exit
from ._warnings import in_cli_words, one_line_warnings
from .parser import build_parser

__all__ = ["main", "run"]


def _single_threaded_blas() -> None:
    """Keep BLAS to one thread unless the user chose otherwise.

    The models multiply tiny matrices, where BLAS threads only add contention: on a
    2-core machine they made model fits 3-4 times slower. The variables must be set
    before numpy is first imported, so this runs before any subcommand imports it.
    """
    if "numpy" in sys.modules:
        return
    for var in THREAD_VARIABLES:
        os.environ.setdefault(var, "1")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0, 1, 2, 130 or 143).

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, 2 for bad usage or a :class:`~forecast.errors.ForecastError` (or
        an OS error such as a full disk), 130 after Ctrl-C (143 after SIGTERM), 1 for an
        unexpected error. Every non-zero code comes with one line on stderr (1 also
        prints the traceback).
    """
    return _main(argv, keep_handlers=False)


def run() -> None:
    """The ``forecast`` program: :func:`main`, then exit with its code.

    The signal handlers stay in place until the outcome is decided; then SIGINT and
    SIGTERM are ignored (:func:`forecast.cli._exit.settle`), so a Ctrl-C after it,
    during the interpreter's shutdown included, changes nothing.
    """
    code = _main(None, keep_handlers=True)
    _exit.settle()
    sys.exit(code)


def _main(argv: Sequence[str] | None, keep_handlers: bool) -> int:
    parser = build_parser()
    with _exit.standard_streams(keep=keep_handlers), \
            _exit.signals(keep=keep_handlers) as state:
        try:
            return _dispatch(parser, argv, state)
        except KeyboardInterrupt:  # a signal while reporting: the outcome is the signal
            state.finish()
            return state.code


def _dispatch(parser: argparse.ArgumentParser, argv: Sequence[str] | None,
              state: _exit.State) -> int:
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        state.finish()
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    if args.command is None:
        parser.print_help()
        return 0
    args.argv = list(sys.argv[1:] if argv is None else argv)  # recorded for reproduction
    args.signals = state  # commands check it before they publish (State.check)
    _single_threaded_blas()
    where = f"forecast {args.command}"
    try:
        # lazy: the commands load numpy and pandas, which must wait for the BLAS setting
        # above and which `forecast --help` does without (so it starts fast)
        from . import commands
        from ._util import check_execution_options

        check_execution_options(args)

        with one_line_warnings(args.command), _exit.tagged_stdout():
            code = int(getattr(commands, f"cmd_{args.command}")(args) or 0)
        state.check()  # a signal whose exception a finalizer swallowed: still 130
        state.finish()
        return code
    except ForecastError as exc:
        return _error(where, state, _with_option(parser, args.command, exc))
    except KeyboardInterrupt:
        state.finish()
        state.signum = state.signum or signal.SIGINT
        return _exit.interrupted(where, state)
    except BrokenPipeError:  # e.g. `forecast data | head`
        state.finish()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:
        return _error(where, state, _exit.os_error_line(exc))
    except Exception:
        state.finish()
        if state.signum is not None:  # e.g. a worker pool broken by the same Ctrl-C
            return _exit.interrupted(where, state)
        traceback.print_exc()
        print(f"{where}: internal error (a bug); please report it with the traceback "
              "above.", file=sys.stderr)
        return 1



#: Library argument names whose command-line option has another name (by its dest).
_DESTS = {"n_paths": ("paths", "n"), "years": ("years", "year")}
_ARGUMENT = re.compile(r"`([a-z_]+)`")


def _with_option(parser: argparse.ArgumentParser, command: str, exc: ForecastError) -> str:
    """The error's line, led by the option it is about when the library names its own
    argument (``--year: `year` must be ...``): the library's messages speak Python."""
    line = in_cli_words(_exit.one_line(exc))
    found = _ARGUMENT.match(line)
    if found is None or not isinstance(exc, ParameterError | ForecastTypeError):
        return line
    name = found.group(1)
    sub = next((a.choices.get(command) for a in parser._actions
                if isinstance(a, argparse._SubParsersAction)), None)
    dests = _DESTS.get(name, (name,))
    for action in getattr(sub, "_actions", ()):
        if action.dest in dests and action.option_strings:
            option = max(action.option_strings, key=len)
            if isinstance(action, argparse._AppendAction):  # Python's "or a list of them":
                line = line.replace(" (or a list of them)",  # the option is repeated
                                    f" (repeat {option} for several)")
            if line.startswith(option):
                return line
            # "`market`: 'us' is not ..." reads "--market: 'us' is not ...", not twice led
            own = f"`{name}`: "
            return option + ": " + (line[len(own):] if line.startswith(own) else line)
    return line


def _error(where: str, state: _exit.State, line: str) -> int:
    """Exit code 2 with `line` on stderr, unless a signal decided the outcome first."""
    state.finish()
    if state.signum is not None:  # the error came from the interruption
        return _exit.interrupted(where, state)
    print(f"{where}: error: {line}", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    run()
