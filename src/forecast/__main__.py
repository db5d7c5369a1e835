"""``python -m forecast``: the same command line as the ``forecast`` script."""

from .cli import run

if __name__ == "__main__":
    run()
