"""Unicode normalisation in bounded time: NFC, NFKC... of any text, however hostile.

CPython's ``unicodedata.normalize`` (and ``is_normalized``, which falls back
to it) puts each run of combining marks in canonical order by insertion sort,
quadratic in the run's length: a run of 80,000 marks of two alternating
classes takes 13 s, where 80,000 letters take 0.1 ms. Real text never stacks
more than a handful of marks on a letter, so ``normalize`` first cuts every
run of marks (Unicode categories Mn, Mc, Me) to ``MAX_MARK_RUN``.
"""

from __future__ import annotations

import unicodedata
from functools import cache

import numpy as np

__all__ = ["MAX_MARK_RUN", "cap_mark_runs", "normalize"]

#: Combining marks kept in a row; the rest of a longer run is dropped. The
#: Stream-Safe Text Format of Unicode (UAX #15) bounds runs of non-starters at
#: 30 for the same reason: no real text comes near it (Vietnamese stacks two
#: marks, Tibetan and Indic stacks a handful), and a sort of 30 is cheap.
MAX_MARK_RUN = 30
# Unicode assigns combining marks in planes 0, 1 and 14 only.
_MARK_PLANES = (0, 1, 14)


@cache
def _mark_table() -> np.ndarray:
    """Per code point, is it a combining mark? (Built once, on first use: ~35 ms.)"""
    table = np.zeros(0x110000, dtype=bool)
    marks = [
        cp
        for plane in _MARK_PLANES
        for cp in range(plane << 16, (plane + 1) << 16)
        if unicodedata.category(chr(cp))[0] == "M"
    ]
    table[marks] = True
    return table


def cap_mark_runs(text: str, limit: int = MAX_MARK_RUN) -> str:
    """``text`` with every run of combining marks cut to its first ``limit``
    (the same object when no run is longer)."""
    if len(text) <= limit or text.isascii():
        return text
    # lone surrogates (possible in a str) pass through as their code points
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    marks = _mark_table()[cps]
    if np.count_nonzero(marks) <= limit:
        return text
    # the runs' starts and ends (exclusive) alternate among the changes of the padded flags
    edges = np.flatnonzero(np.diff(marks, prepend=False, append=False))
    starts, ends = edges[::2], edges[1::2]
    long = ends - starts > limit
    if not long.any():
        return text
    keep = np.ones(cps.size, dtype=bool)
    for start, end in zip((starts[long] + limit).tolist(), ends[long].tolist()):
        keep[start:end] = False
    return cps[keep].tobytes().decode("utf-32-le", "surrogatepass")


def normalize(form: str, text: str) -> str:
    """``unicodedata.normalize(form, text)`` after ``cap_mark_runs`` (the same
    object when ``text`` is ASCII or already normalised)."""
    if text.isascii():
        return text
    text = cap_mark_runs(text)
    return text if unicodedata.is_normalized(form, text) else unicodedata.normalize(form, text)
