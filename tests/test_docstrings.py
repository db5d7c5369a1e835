"""The numpydoc sections users read with ``help()``: present, complete and accurate.

``help(forecast.Drift)`` showed a two-line description and no parameters: the settings
every model takes (``scale``, ``param_uncertainty``, ``calibrate``, ``imputations``) were
documented only on ``ModelSpec``. Here every model class, distribution, assumption
primitive and public method of ``MarketProjection`` lists each of its parameters in a
Parameters section, each ``default X`` quoted there is the signature's default, the model
classes have a runnable Examples section (run by ``--doctest-modules``), and the methods
that return something say what in a Returns section.
"""

from __future__ import annotations

import ast
import inspect
import re

import pytest

import forecast
from forecast.markets.projection import MarketProjection

MODELS = [forecast.Naive, forecast.Drift, forecast.LogLinearTrend, forecast.DampedTrend,
          forecast.ARIMA, forecast.LocalLinearTrend, forecast.Theta, forecast.Auto]
DISTRIBUTIONS = [forecast.Fixed, forecast.Uniform, forecast.Triangular, forecast.Beta,
                 forecast.Bernoulli, forecast.DiscreteUniform, forecast.Normal,
                 forecast.LogNormal]
ASSUMPTIONS = [forecast.LevelShift, forecast.GrowthShift, forecast.Adoption,
               forecast.Escalation, forecast.Volatility, forecast.Group, forecast.Diversion]
#: MarketProjection's public methods with arguments (``markets``, ``n_paths``, ...
#: are properties; ``load`` is a classmethod)
METHODS = sorted(name for name, member in vars(MarketProjection).items()
                 if not name.startswith("_") and callable(getattr(MarketProjection, name))
                 and not isinstance(member, property)
                 and set(inspect.signature(getattr(MarketProjection, name)).parameters)
                 - {"self"})

_HEADING = re.compile(r"^(\s*)(\w[\w ]*)\n\1-{3,}\n", re.M)
_ENTRY = re.compile(r"^(?P<names>\*{0,2}\w+(?:, \*{0,2}\w+)*)(?: : (?P<type>.*))?$")


def sections(doc: str) -> dict[str, str]:
    """Section title -> its text, of a numpydoc docstring (``inspect.cleandoc``-ed)."""
    doc = inspect.cleandoc(doc or "")
    heads = list(_HEADING.finditer(doc))
    return {m.group(2): doc[m.end():heads[i + 1].start() if i + 1 < len(heads) else None]
            for i, m in enumerate(heads)}


def documented(doc: str) -> dict[str, str]:
    """Parameter name -> its type line (``"float, default 1.0"``) in the Parameters section."""
    out = {}
    for line in sections(doc).get("Parameters", "").splitlines():
        if not line or line[0].isspace():
            continue
        m = _ENTRY.match(line)
        assert m, f"not a numpydoc parameter line: {line!r}"
        for name in m.group("names").split(", "):
            out[name.lstrip("*")] = m.group("type") or ""
    return out


def parameters(obj) -> dict[str, inspect.Parameter]:
    """The parameters a user passes (not ``self``; a trailing-underscore alias such as
    ``Normal(mean_=...)``, which keeps ``dataclasses.replace`` working, is not one)."""
    return {n: p for n, p in inspect.signature(obj).parameters.items()
            if n != "self" and not n.endswith("_")}


def check_complete(obj, what: str) -> None:
    doc = documented(obj.__doc__)
    params = parameters(obj)
    missing = [n for n, p in params.items() if n not in doc
               and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
    assert not missing, f"{what}: Parameters section does not list {missing}"
    extra = [n for n in doc if n not in params and n not in ("kwargs", "args")]
    assert not extra, f"{what}: Parameters section lists {extra}, not parameters"
    for name, line in doc.items():
        found = re.search(r"default (.+)$", line)
        if not found or name not in params:
            continue
        try:
            quoted = ast.literal_eval(found.group(1))
        except (ValueError, SyntaxError):
            continue  # "default the kind", prose
        actual = params[name].default
        assert quoted == actual, (f"{what}: `{name}` is documented with default "
                                  f"{found.group(1)}, but the signature's is {actual!r}")


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_model_classes_document_their_own_and_the_shared_parameters(cls):
    check_complete(cls, cls.__name__)
    doc = documented(cls.__doc__)
    for shared in ("scale", "param_uncertainty", "calibrate", "imputations"):
        assert shared in doc, f"{cls.__name__}: the inherited `{shared}` is not listed"
    assert ">>> " in sections(cls.__doc__).get("Examples", ""), \
        f"{cls.__name__}: no runnable Examples section"


@pytest.mark.parametrize("cls", DISTRIBUTIONS + ASSUMPTIONS, ids=lambda c: c.__name__)
def test_distributions_and_assumptions_document_their_parameters(cls):
    check_complete(cls, cls.__name__)


@pytest.mark.parametrize("name", METHODS)
def test_market_projection_methods_document_parameters_and_returns(name):
    method = getattr(MarketProjection, name)
    check_complete(method, f"MarketProjection.{name}")
    assert "Returns" in sections(method.__doc__), f"MarketProjection.{name}: no Returns"


def test_the_checker_reads_a_wrong_default_and_a_missing_parameter():
    def f(a, b=2, *, c="x"):
        """Do.

        Parameters
        ----------
        a : int
        b : int, default 3
        """

    with pytest.raises(AssertionError, match=r"does not list \['c'\]"):
        check_complete(f, "f")
    f.__doc__ = f.__doc__.replace("b : int, default 3", "b : int, default 3\n"
                                  "        c : str, default 'x'")
    with pytest.raises(AssertionError, match="`b` is documented with default 3"):
        check_complete(f, "f")
