"""What the checkers share: the failure they raise."""

from __future__ import annotations

__all__ = ["require"]


def require(ok: object, who: str, check: str, message: str) -> None:
    """Raise ``AssertionError("<who>: <check>: <message>")`` unless `ok`."""
    if not ok:
        raise AssertionError(f"{who}: {check}: {message}")
