"""The compiled core (``thresher._core``, built from ``_core.c``): whether it may
run, and the module itself.

Each compiled part is loaded by the module whose Python code it replaces,
which checks it against that code before using it (``html.segment`` the walk,
``_forest`` the leaf sums, ``textstats`` the word hashes; the last two through
``checked_core``), so a build that does not fit falls back to the pure-Python
part with a warning. This module imports nothing of the package.
"""

from __future__ import annotations

import importlib
import os
import warnings
from collections.abc import Callable
from types import ModuleType

__all__ = ["PURE_PYTHON_ENV", "checked_core", "compiled_module"]

#: Set (to anything but "" or "0") to run pure Python even where the compiled
#: core is built: the fallback, for comparing the two and for CI.
PURE_PYTHON_ENV = "THRESHER_PURE_PYTHON"


def compiled_module() -> tuple[ModuleType | None, str]:
    """``(module, why)``: ``thresher._core``, or None and why it is not to be used."""
    if os.environ.get(PURE_PYTHON_ENV, "") not in ("", "0"):
        return None, f"{PURE_PYTHON_ENV} is set"
    try:  # by name: a compiled module, outside the package's Python import graph
        return importlib.import_module("thresher._core"), "built"
    except ImportError:
        return None, "the compiled core is not built"


def checked_core(part: str, check: Callable[[ModuleType], None]) -> ModuleType | None:
    """``thresher._core`` for one compiled ``part`` (its loops of a kernel),
    when ``check(core)`` passes: it raises when the part does not fit (other
    results than the Python code's on a probe input; a build from before the
    part existed). A misfit warns, and the caller runs its Python code."""
    core, _ = compiled_module()
    if core is None:
        return None
    try:
        check(core)
    except Exception as exc:  # noqa: BLE001 - any misfit means: not this path
        warnings.warn(
            f"thresher: the compiled core's {part} part does not fit ({exc}); running the pure-Python {part}",
            RuntimeWarning,
            stacklevel=3,
        )
        return None
    return core
