"""JSON Lines dumps: one page per line, read as a stream.

Each line is an object with an ``html`` field (a page's markup) or a ``text``
field (a plain-text dump), and optionally ``url``. An ``id`` field is allowed
and ignored: the key ``path#line`` (1-based) already names the record, and is
stable while the file is unchanged. Blank lines are skipped; a line that is
not a JSON object, or has neither field, becomes a ``Failure`` and the dump goes
on. ``.gz`` files are decompressed on the fly. A line is read no further than
``MAX_LINE_FACTOR`` times the page limit (what a page's JSON can take), so a
gzipped line of a gigabyte (a bomb) is a ``Failure``, not a gigabyte in memory.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Callable, Iterator
from typing import Protocol

from . import MAX_PAGE_BYTES, Failure, Raw, Tally, os_reason

__all__ = ["MAX_LINE_FACTOR", "iter_jsonl"]

#: A line may be this many times the page limit: JSON writes a character in up
#: to six bytes (``\u003c`` for ``<``, as Go's encoder writes every ``<``, ``>``
#: and ``&``), so a page within the limit always fits. What a longer line holds is
#: never read into memory; its page, once parsed, must still be within the limit.
MAX_LINE_FACTOR = 6
#: A line over the limit is read through (to find the next) in pieces of this size.
_SKIP_BYTES = 1 << 20


class _Lines(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


def _record(key: str, line: bytes, max_bytes: int) -> Raw | Failure:
    """One non-blank line -> ``Raw``, or ``Failure`` if it is not a usable record."""
    try:
        obj = json.loads(line)
    except (ValueError, UnicodeDecodeError) as e:  # JSONDecodeError is a ValueError
        return Failure(key, "jsonl", f"invalid JSON: {e}")
    if not isinstance(obj, dict):
        return Failure(key, "jsonl", f"not a JSON object but {type(obj).__name__}")
    url = obj.get("url")
    url = url if isinstance(url, str) and url else None
    for field in ("html", "text"):
        value = obj.get(field)
        if isinstance(value, str) and value.strip():
            if len(value) > max_bytes:  # the extractor's measure of a str page
                return Failure(key, "jsonl", f"{field} larger than {max_bytes:,} characters")
            return Raw(source=key, content=value, kind="html" if field == "html" else "text", url=url)
    return Failure(key, "jsonl", "no non-empty 'html' or 'text' string field")


def iter_jsonl(
    path: str, *, stream: _Lines | None = None, max_bytes: int = MAX_PAGE_BYTES, tally: Tally | None = None
) -> Iterator[Raw | Failure]:
    """Pages of a JSONL file (``.gz`` ok), one per line, keyed ``f"{path}#{line}"``; lazy.

    A file that cannot be opened is one ``Failure`` (stage ``"read"``); a gzip
    stream that breaks off ends the dump with one ``Failure`` (stage ``"jsonl"``).
    With ``stream`` (an open binary file, already decompressed: standard
    input) the lines are read from it, and ``path`` only names them. The bytes
    read of a file (compressed or not) are counted in ``tally``. ``max_bytes``
    bounds a page (see ``MAX_LINE_FACTOR`` for its line).
    """
    if stream is not None:
        yield from _lines(path, stream, lambda end=False: None, max_bytes)
        return
    path = os.path.abspath(path)
    tally = tally or Tally()
    try:
        with open(path, "rb") as raw:
            moved = tally.reading(raw)
            f = gzip.GzipFile(fileobj=raw) if path.lower().endswith(".gz") else raw  # closed with raw
            yield from _lines(path, f, moved, max_bytes)
            moved(end=True)
    except OSError as e:  # opening it; _lines handles what breaks while reading
        yield Failure(path, "read", os_reason(e))


def _lines(path: str, f: _Lines, moved: Callable[[], None], max_bytes: int) -> Iterator[Raw | Failure]:
    """The records of an open JSONL file; a read error ends them with one ``Failure``, as does no record at all."""
    seen = False
    limit = MAX_LINE_FACTOR * max_bytes
    try:
        number = 0
        while line := f.readline(limit + 1):
            number += 1
            moved()
            if number == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")  # json.loads rejects a UTF-8 BOM
            if len(line) > limit and not line.endswith(b"\n"):
                seen = True
                _skip_line(f)
                yield Failure(f"{path}#{number}", "jsonl", f"line longer than {limit:,} bytes")
            elif line.strip():
                seen = True
                yield _record(f"{path}#{number}", line, max_bytes)
    except (EOFError, zlib.error, OSError) as e:  # gzip.BadGzipFile is an OSError
        yield Failure(path, "jsonl", f"truncated or corrupt file: {e}")
        return
    if not seen:
        yield Failure(path, "read", "empty file")


def _skip_line(f: _Lines) -> None:
    """Read the rest of the current line, a piece at a time."""
    while (piece := f.readline(_SKIP_BYTES)) and not piece.endswith(b"\n"):
        pass
