"""Sources: where pages come from, behind one small protocol.

A source is any iterable of ``Raw | Failure``. ``Raw`` is one page as it was
read (bytes or str, with what the source knows of it); ``Failure`` is an input
that could not be read, carried along so the run can record it and go on.

Every ``Raw`` has a ``source`` key that names exactly where it came from (an
absolute path, ``path#offset`` for a record of a WARC or a JSONL line, or a
URL). The store ingests each key once, which is what makes re-runs and
resumed runs idempotent, so a key must be stable across runs.

Readers: :mod:`.files` expands paths, directories, globs and ``-`` (stdin) and
reads single pages; :mod:`.warc` streams WARC archives (FastWARC); :mod:`.jsonl`
streams JSON Lines dumps. All are lazy generators and never raise on bad input.
What they share lives below them: :mod:`.sniff` tells HTML from text from binary
data, and :func:`os_reason` words an OS error for a ``Failure``.

What is neither a page nor a failure (a WARC's 404s and PDFs, a stylesheet in
a directory of pages, an empty directory) is passed over, but not silently:
readers given a :class:`Tally` count it there, by why, with the bytes read so
far (for a progress bar's ETA).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Literal, Protocol

from ...config import Config

__all__ = ["MAX_PAGE_BYTES", "Failure", "Raw", "RawKind", "Source", "Tally", "is_url", "os_reason"]

#: A page's bytes, decompressed, when a reader's caller names no limit: the
#: default ``Config.max_input_bytes``, which ``ingest`` passes on. There is no
#: "no limit": a compressed input says nothing of its size (a 2 KB gzip member
#: can hold gigabytes), and every reader stops at its limit.
MAX_PAGE_BYTES = Config().max_input_bytes

RawKind = Literal["html", "text"]


@dataclass(frozen=True, slots=True)
class Raw:
    """One page as read from its source, not yet decoded or extracted."""

    source: str  # stable key: absolute path, "path#offset", or URL
    content: bytes | str
    kind: RawKind = "html"  # "text" for a plain-text dump
    url: str | None = None  # the page's own URL, when known
    http_charset: str | None = None  # charset from an HTTP Content-Type header
    fetched: str | None = None  # ISO 8601 time the page was crawled (WARC-Date, HTTP Date)


@dataclass(frozen=True, slots=True)
class Failure:
    """An input that could not be turned into a ``Raw``, and why."""

    source: str
    stage: str  # "read", "warc", "jsonl", "fetch", "decode", "extract", ...
    reason: str


class Source(Protocol):
    """Anything that yields pages; sources are lazy and stream their input."""

    def __iter__(self) -> Iterator[Raw | Failure]: ...


_URL = re.compile(r"https?://", re.IGNORECASE)


def is_url(value: str) -> bool:
    """Whether an input names a URL, not a path: ``http://`` or ``https://``, in any case
    (a scheme is case-insensitive: ``HTTP://`` is no file name)."""
    return _URL.match(value) is not None


def os_reason(e: OSError) -> str:
    """A short lower-case reason for an OS error ("permission denied")."""
    msg = e.strerror or str(e) or type(e).__name__
    return msg[:1].lower() + msg[1:]


@dataclass(slots=True)
class Tally:
    """What readers report besides pages: what they passed over, by why
    (``"warc non-html"``, ``"extension"``...), and the bytes of input read so far."""

    skipped: Counter[str] = field(default_factory=Counter)
    bytes_read: int = 0

    def skip(self, why: str) -> None:
        self.skipped[why] += 1

    def reading(self, f: BinaryIO) -> Callable[..., None]:
        """A function that adds to ``bytes_read`` how far ``f`` has been read since
        it was last called (``end=True``: to the end of the file). Positions only
        move forward, so seeking back to check a file counts nothing twice."""
        last = f.tell()

        def moved(end: bool = False) -> None:
            nonlocal last
            try:
                pos = os.fstat(f.fileno()).st_size if end else f.tell()
            except (OSError, ValueError):  # closed, or not a real file
                return
            if pos > last:
                self.bytes_read += pos - last
                last = pos

        return moved
