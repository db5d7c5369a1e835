"""Face: the ``forecast`` command line, a thin argparse layer over the Python API.

Modules: ``entry`` (:func:`main`, :func:`run`: the program) and ``parser``
(:func:`build_parser`), both without a third-party import, so that ``forecast --help`` is
fast; internal: ``_exit`` (signals and exit codes), ``_types`` (argument types),
``_options`` (the option tables the parser and the commands share), ``commands`` (one
``cmd_<name>`` per subcommand, imported when a command runs), ``_util`` (inputs,
progress, output), ``_scheduler`` (dask connection).
"""

from ._options import DEFAULT_IMPUTATIONS, DEFAULT_PATHS, MODELS, PRESET_NAMES
from .entry import main, run
from .parser import build_parser

__all__ = ["DEFAULT_IMPUTATIONS", "DEFAULT_PATHS", "MODELS", "PRESET_NAMES", "build_parser",
           "main", "run"]
