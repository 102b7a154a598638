"""The language filter of ``ingest`` and ``export`` (``--language en,de``).

Documents carry the ISO 639-1 code of their text's language (``Article.language``:
py3langid on the body, or the page's declared language for a short one), so
the filter takes ISO 639-1 codes and compares them as they are stored. An
article whose language is unknown is in no language asked for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["language_set"]

_CODE = re.compile(r"[a-z]{2}")


def language_set(values: str | Iterable[str] | None) -> frozenset[str] | None:
    """The language codes of ``values`` (``"en,de"``, or several such strings),
    lower-cased; ``None`` for no filter. Raises ``ValueError`` naming a value
    that is not a two-letter code ("english", "en-GB": the store keeps "en")."""
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    codes = [code.strip().lower() for value in values for code in value.split(",") if code.strip()]
    for code in codes:
        if not _CODE.fullmatch(code):
            raise ValueError(f"{code!r} is not a language code: give ISO 639-1 codes, like en or en,de")
    if not codes:
        raise ValueError("no language code given: give ISO 639-1 codes, like en or en,de")
    return frozenset(codes)
