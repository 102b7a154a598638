"""Decompression streamed and capped by its output: gzip, zlib, raw deflate and
brotli, alone or chained (``Content-Encoding: gzip, gzip``), as HTTP bodies and
WARC records carry them, and gzip files.

Compressed bytes say nothing of what they hold: 2 KB of twice-gzipped spaces
are 1 GiB, and 3 KB of brotli 2 GiB. So nothing here inflates more than it is
allowed to keep. Each decoder writes at most ``STEP_BYTES`` per step; a
chain is a pipeline of generators, so one step's output goes through the next
decoder before the first takes another step; and the output of every stage is
counted, so a stream that passes ``max_bytes`` anywhere in the chain stops
there (``TooLarge``), having held a few ``STEP_BYTES`` beyond what it keeps.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from ...decode import GZIP_MAGIC

__all__ = ["STEP_BYTES", "TooLarge", "accept_encoding", "content_codings", "gunzip", "inflate"]

#: Output of one decoder step. 64 KiB keeps the bytes in flight small beside a
#: page (20 MB at most) while each step still amortises its call overhead: the
#: whole of a 1 GiB bomb is refused after 20 MB, in about 0.1 s.
STEP_BYTES = 1 << 16


class TooLarge(ValueError):
    """The decompressed data is larger than the caller allows."""


class _Decoder(Protocol):
    done: bool  # the stream ended (a truncated one never does)

    def feed(self, data: bytes) -> Iterator[bytes]: ...


_ZLIB_NAMES = {31: "gzip", 15: "zlib", -15: "deflate"}


def _zlib_wbits(head: bytes) -> int:
    """The zlib window bits that read ``head``'s stream: gzip, zlib, else raw deflate
    (servers send all three as ``deflate``, and some as ``gzip``)."""
    if head[:2] == GZIP_MAGIC:
        return 31
    if len(head) >= 2 and head[0] & 0x0F == 8 and ((head[0] << 8) | head[1]) % 31 == 0:
        return 15
    return -15


class _Zlib:
    """A gzip (members one after another), zlib or raw deflate stream, fed in pieces.

    ``wbits=None`` tells the format from the first two bytes. ``strict``: data
    after the stream that is no further gzip member is an error (a file), not
    ignored (a server's padding)."""

    def __init__(self, wbits: int | None = None, *, strict: bool = False) -> None:
        self._wbits, self._strict = wbits, strict
        self._name = "gzip"
        self._d: zlib._Decompress | None = None
        self._held = b""  # fewer than two bytes at a stream's start: not yet enough to tell it
        self._over = False  # the stream ended and what followed was ignored
        self.done = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        data, self._held = self._held + data, b""
        while data and not self._over:
            if self._d is None or self._d.eof:
                if len(data) < 2:
                    self._held = data
                    return
                if self._d is not None and data[:2] != GZIP_MAGIC:  # after the stream: no further member
                    if self._strict:
                        raise ValueError("corrupt gzip data (trailing garbage)")
                    self._over = True
                    return
                wbits = self._wbits or _zlib_wbits(data)
                self._d, self.done, self._name = zlib.decompressobj(wbits), False, _ZLIB_NAMES[wbits]
            data = yield from self._steps(self._d, data)

    def _steps(self, d: zlib._Decompress, data: bytes) -> Iterator[bytes]:
        """Inflate ``data`` a step at a time; return what is left after the stream's end."""
        while True:
            try:
                out = d.decompress(data, STEP_BYTES)
            except zlib.error as exc:
                raise ValueError(f"corrupt {self._name} data ({exc})") from None
            if out:
                yield out
            if d.eof:
                self.done = True
                return d.unused_data
            data = d.unconsumed_tail
            if not data and len(out) < STEP_BYTES:  # all taken in, nothing pending
                return b""


class _Brotli:
    """A brotli stream, fed in pieces."""

    def __init__(self) -> None:
        try:
            import brotli  # type: ignore[import-untyped]
        except ImportError:
            raise ValueError("brotli is not installed (pip install brotli)") from None
        if not hasattr(brotli.Decompressor, "can_accept_more_data"):  # 1.2 added the output limit
            raise ValueError("brotli 1.2 or later is needed to decode br within a limit (pip install -U brotli)")
        self._error = brotli.error
        self._d = brotli.Decompressor()
        self.done = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self.done:
            return  # what follows the stream is ignored
        try:
            out = self._d.process(data, output_buffer_limit=STEP_BYTES)
            while True:
                if out:
                    yield out
                if self._d.can_accept_more_data() or not out:
                    break
                out = self._d.process(b"", output_buffer_limit=STEP_BYTES)
        except self._error as exc:
            raise ValueError(f"corrupt brotli data ({exc})") from None
        self.done = self._d.is_finished()


def _decoder(coding: str) -> _Decoder:
    if coding in ("gzip", "x-gzip", "deflate"):
        return _Zlib()
    if coding == "br":
        return _Brotli()
    raise ValueError(f"unsupported coding {coding!r}")


def content_codings(header: str | None) -> list[str]:
    """The codings of a ``Content-Encoding`` header, in the order applied, lower-cased,
    without ``identity``: what ``inflate`` undoes."""
    codings = (c.strip().lower() for c in (header or "").split(","))
    return [c for c in codings if c and c != "identity"]


def accept_encoding() -> str:
    """The ``Accept-Encoding`` a fetcher can honour: what :func:`inflate` undoes."""
    try:
        _Brotli()
    except ValueError:
        return "gzip, deflate"
    return "gzip, deflate, br"


def _stage(decoder: _Decoder, pieces: Iterable[bytes], limit: int | None) -> Iterator[bytes]:
    """``pieces`` through ``decoder``; ``TooLarge`` once its output passes ``limit``."""
    size = 0
    for piece in pieces:
        for out in decoder.feed(piece):
            size += len(out)
            if limit is not None and size > limit:
                raise TooLarge(f"more than {limit:,} bytes once decompressed")
            yield out


def inflate(chunks: Iterable[bytes], codings: Sequence[str], max_bytes: int, *, truncate: bool = False) -> bytes:
    """``chunks`` with the content ``codings`` undone, in the order they were applied
    (``["gzip", "br"]``: brotli undone first), at most ``max_bytes`` of it.

    Raises ``TooLarge`` when the output, or a stage of a chain, passes ``max_bytes``
    (with ``truncate``, the output's first ``max_bytes`` are returned instead), and
    ``ValueError`` for a coding it does not know or corrupt data. A stream cut short
    gives what it holds, as a browser shows a page cut short."""
    pieces: Iterable[bytes] = chunks
    for coding in reversed(codings):  # truncated: each stage is read only as far as the output needs
        pieces = _stage(_decoder(coding), pieces, None if truncate else max_bytes)
    out = bytearray()
    for piece in pieces:
        out += piece
        if len(out) > max_bytes:
            if truncate:
                return bytes(out[:max_bytes])
            raise TooLarge(f"more than {max_bytes:,} bytes once decompressed")
    return bytes(out)


def gunzip(chunks: Iterable[bytes], max_bytes: int) -> bytes:
    """The gzip stream given in ``chunks`` (its members one after the other)
    decompressed, at most ``max_bytes + 1`` bytes of it: a caller sees an input
    over its limit without inflating a gzip bomb, nor reading the rest. Raises
    ``ValueError`` for a corrupt or truncated stream."""
    decoder = _Zlib(31, strict=True)
    out = bytearray()
    for piece in _stage(decoder, chunks, None):
        out += piece
        if len(out) > max_bytes:
            return bytes(out[: max_bytes + 1])
    if not decoder.done:
        raise ValueError("truncated gzip data")
    return bytes(out)
