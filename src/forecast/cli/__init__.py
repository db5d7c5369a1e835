"""Face: the ``forecast`` command line, a thin argparse layer over the Python API.

Modules: ``parser`` (:func:`main`, :func:`run` (the program), :func:`build_parser`; no
third-party import, so that ``forecast --help`` is fast); internal: ``_exit`` (signals and
exit codes), ``_types`` (argument types), ``_options`` (the option tables the parser and
the commands share), ``commands`` (one ``cmd_<name>`` per subcommand, imported when a
command runs), ``_util`` (inputs, progress, output), ``_scheduler`` (dask connection).
"""

from ._options import DEFAULT_IMPUTATIONS, DEFAULT_PATHS, MODELS, PRESET_NAMES
from .parser import build_parser, main, run

__all__ = ["DEFAULT_IMPUTATIONS", "DEFAULT_PATHS", "MODELS", "PRESET_NAMES", "build_parser",
           "main", "run"]
