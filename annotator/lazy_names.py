"""Public names of a package that load on first use (PEP 562), so a light command does not pay
for the heavy modules behind them (spaCy, pandas, Alembic)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module


def lazy_getattr(package: str, public: Mapping[str, str]) -> Callable[[str], object]:
    """A module `__getattr__` that imports `public[name]` (a module path) when `name` is read."""
    def __getattr__(name: str):
        if name in public:
            return getattr(import_module(public[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
