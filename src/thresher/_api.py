"""One-shot entry points over a lazily built default ``Extractor``."""

from __future__ import annotations

from functools import lru_cache

from .extractor import Extractor
from .types import Article

__all__ = ["extract", "default_extractor"]


@lru_cache(maxsize=1)
def default_extractor() -> Extractor:
    """The shared default Extractor (the model is loaded on first use, once)."""
    return Extractor()


def extract(html: str | bytes, url: str | None = None) -> Article:
    """Extract the main article from one HTML page.

    ``html`` may be ``str`` or raw ``bytes`` (the charset is found from the BOM,
    the page's declaration, or a sniff). Returns an ``Article``; a page with no
    article gives an empty one. Raises ``ExtractionError`` for unusable input.
    """
    return default_extractor().extract(html, url)
