"""``python -m forecast``: the same command line as the ``forecast`` script."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
