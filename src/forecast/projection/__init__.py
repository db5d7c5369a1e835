"""The projection stage: the Monte Carlo engine and the Projection it returns.

Modules: ``engine`` (:func:`project`), ``projection`` (:class:`Projection`); internal:
``chunks`` (the seeded chunk kernel), ``summaries`` (statistics of sample arrays),
``decompose`` (exact per-assumption decomposition), ``files`` (save and load),
``checks`` (validation of a Projection).
"""

from .engine import project
from .projection import Projection

__all__ = ["Projection", "project"]
