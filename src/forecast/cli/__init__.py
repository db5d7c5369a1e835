"""Face: the ``forecast`` command line, a thin argparse layer over the Python API.

Modules: ``parser`` (:func:`main`, :func:`build_parser`; standard library only, so that
``forecast --help`` is fast); internal: ``commands`` (one ``cmd_<name>`` per subcommand,
imported when a command runs), ``_util`` (inputs, progress, output).
"""

from .parser import DEFAULT_IMPUTATIONS, DEFAULT_PATHS, MODELS, PRESET_NAMES, build_parser, main

__all__ = ["DEFAULT_IMPUTATIONS", "DEFAULT_PATHS", "MODELS", "PRESET_NAMES", "build_parser",
           "main"]
