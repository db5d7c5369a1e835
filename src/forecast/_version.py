"""The version of `forecast`: the single source (``forecast.__version__`` re-exports it).

Submodules import it from here, never from the package root, so that no module needs
``forecast/__init__.py`` to have finished importing; hatch reads it at build time.
"""

__version__ = "0.1.0"
