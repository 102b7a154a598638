"""WARC archives, read as a stream with FastWARC.

:func:`iter_warc` yields one :class:`~thresher.sources.Raw` per HTTP 2xx
``response`` record (or ``resource`` record) whose payload is HTML
(``text/html``, ``application/xhtml+xml``) or ``text/plain``. Requests,
metadata and revisits are not pages and are skipped; the responses that are
not pages are counted in a :class:`~thresher.sources.Tally`: ``"warc
non-html"`` (images, PDFs, scripts...) and ``"warc not 2xx"`` (redirects,
errors). A response without a Content-Type is kept if its payload looks like
markup.
Content is the HTTP body as bytes, with chunked transfer coding and
gzip/deflate/brotli content coding undone (streamed, and never beyond the page
limit: :mod:`.inflate`); a payload that is binary data whatever its
Content-Type says (``decode.binary_kind``) is a ``Failure``. ``url`` is WARC-Target-URI,
``fetched`` WARC-Date, ``http_charset`` the ``charset`` of the payload's
Content-Type.

Keys are ``f"{path}#{offset}"`` with the record's offset in the file as
FastWARC reports it: exact for a plain WARC and for the usual one gzip member
per record. In a WARC gzipped as one single member, FastWARC can only report
the compressed position reached so far, which several records share; the
second and later records at one position get ``#{offset}.{n}``. Both depend
only on the file (and, for single-member gzip, FastWARC's read buffer size), so
keys are stable across runs. Memory stays flat: FastWARC reads through a fixed
buffer and only the current record's payload is held.

FastWARC does not raise when a file ends early: it returns the cut record
short, or, in a gzipped WARC, may drop a cut member without a word. So every
record's length is checked against its Content-Length, and a gzipped WARC's
last members are inflated once more at the end (:func:`_gzip_complete`). A
truncated or corrupt archive thus yields the records before the damage, then
one ``Failure(path, "warc", "truncated or corrupt WARC: ...")``, and stops; it
never raises. ARC files are not supported by FastWARC and fail with a clear
reason. Compression is sniffed from the bytes, not taken from the name.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterator
from typing import IO, Any

from ...decode import GZIP_MAGIC, binary_kind, split_content_type
from . import MAX_PAGE_BYTES, Failure, Raw, RawKind, Tally, os_reason
from .inflate import TooLarge, content_codings, inflate
from .sniff import SNIFF_BYTES, sniff_kind

__all__ = ["iter_warc"]

_PAGE_TYPES: dict[str, RawKind] = {"text/html": "html", "application/xhtml+xml": "html", "text/plain": "text"}
_ARC_SUFFIXES = (".arc", ".arc.gz")


#: Read size when checking the gzip members at the end of an archive. Also caps
#: each inflate step's output, so a gzip bomb cannot balloon memory.
_CHECK_CHUNK = 1 << 16


class _Corrupt(Exception):
    """The archive breaks off or is malformed at this record."""


def _dechunk(body: bytes) -> bytes | None:
    """Undo chunked transfer coding, or ``None`` if ``body`` is not chunked.

    Many WARC writers store the body already de-chunked but keep the header,
    so a body that does not parse as chunks is left as it is. A body cut off
    inside a chunk keeps what it has.
    """
    out: list[bytes] = []
    pos = 0
    while pos < len(body):
        eol = body.find(b"\n", pos)
        if eol < 0:
            return None
        try:
            size = int(body[pos:eol].split(b";", 1)[0].strip(), 16)
        except ValueError:
            return None
        if size == 0:
            break
        out.append(body[eol + 1 : eol + 1 + size])
        pos = eol + 1 + size
        pos += 2 if body.startswith(b"\r\n", pos) else 1 if body.startswith(b"\n", pos) else 0
    return b"".join(out)


def _payload(rec: Any, key: str, max_bytes: int) -> bytes | Failure:
    """The decoded HTTP body of ``rec``; raises ``_Corrupt`` if the record is cut short.
    Content codings are undone as a stream, never beyond ``max_bytes`` (``inflate``)."""
    length = rec.content_length
    if length > max_bytes:
        if rec.consume() < length:
            raise _Corrupt(f"record at {key} is cut short")
        return Failure(key, "warc", f"payload larger than {max_bytes:,} bytes")
    body = rec.reader.read()
    if len(body) < length:
        raise _Corrupt(f"record at {key} is cut short")
    if not rec.is_http:
        return body
    headers = rec.http_headers
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        dechunked = _dechunk(body)
        body = body if dechunked is None else dechunked
    codings = content_codings(headers.get("Content-Encoding"))
    if codings:
        try:
            body = inflate([body], codings, max_bytes)
        except TooLarge as e:
            return Failure(key, "warc", f"payload {e} ({', '.join(codings)})")
        except ValueError as e:
            if (
                sniff_kind(body[:SNIFF_BYTES]) is None
            ):  # else the header lies: the body was stored decoded, as it often is
                return Failure(key, "warc", f"cannot undo Content-Encoding {', '.join(codings)}: {e}")
    return body


def _skip_reason(rec: Any, types: Any, mime: str | None, kind: RawKind | None) -> str | None:
    """Why a record is no page, or ``None`` if it may be one: ``""`` for the records
    that never are (requests, metadata, revisits...), which are not worth counting."""
    if rec.record_type not in (types.response, types.resource):
        return ""
    if rec.is_http:
        status = rec.http_headers.status_code
        if status is None or not 200 <= status < 300:
            return "warc not 2xx"
    if (mime and kind is None) or (mime is None and not rec.is_http):
        return "warc non-html"
    return None


def _convert(rec: Any, key: str, max_bytes: int, types: Any, tally: Tally) -> Raw | Failure | None:
    """One record -> a page, a per-record ``Failure``, or ``None`` (skipped, counted in
    ``tally`` if it was a response); may raise ``_Corrupt``."""
    headers = rec.headers
    if not headers.get("WARC-Type") or not (headers.get("Content-Length") or "").strip().isdigit():
        raise _Corrupt(f"record at {key} has incomplete WARC headers")
    mime, charset = split_content_type((rec.http_headers if rec.is_http else headers).get("Content-Type"))
    mime = mime or None
    kind: RawKind | None = _PAGE_TYPES.get(mime) if mime else None
    why = _skip_reason(rec, types, mime, kind)
    if why is not None:
        if rec.consume() < rec.content_length:  # reading it through is the only way to spot a cut
            raise _Corrupt(f"record at {key} is cut short")
        if why:
            tally.skip(why)
        return None
    body = _payload(rec, key, max_bytes)
    if isinstance(body, Failure):
        return body
    if kind is None:  # an untyped HTTP response: keep it only if it is markup
        if sniff_kind(body[:SNIFF_BYTES]) != "html":
            tally.skip("warc non-html")
            return None
        kind = "html"
    elif (what := binary_kind(body)) is not None:  # random bytes labelled text/html are no page
        return Failure(key, "warc", f"{what}, not a page (Content-Type {mime})")
    url = headers.get("WARC-Target-URI")
    url = url.strip().removeprefix("<").removesuffix(">") if url else None
    fetched = headers.get("WARC-Date") or None
    return Raw(source=key, content=body, kind=kind, url=url or None, http_charset=charset, fetched=fetched)


def _inflates(f: IO[bytes], start: int) -> bool:
    """Whether the bytes from ``start`` to EOF are complete gzip members (output discarded)."""
    f.seek(start)
    inflater, fed = zlib.decompressobj(wbits=31), False
    try:
        while chunk := f.read(_CHECK_CHUNK):
            while True:
                if inflater.eof:  # the next member starts in what is left
                    inflater, fed = zlib.decompressobj(wbits=31), False
                fed = fed or bool(chunk)
                out = inflater.decompress(chunk, _CHECK_CHUNK)
                chunk = inflater.unused_data if inflater.eof else inflater.unconsumed_tail
                if not chunk and (inflater.eof or len(out) < _CHECK_CHUNK):
                    break
    except zlib.error:
        return False
    return inflater.eof or not fed


def _gzip_complete(f: IO[bytes], last_pos: int) -> bool:
    """Whether a gzipped WARC ends cleanly, checked from the last record's offset.

    FastWARC drops a gzip member cut short without a word when too little of it
    is left to show a record, so this is how such a cut is seen. With one member
    per record only the last member(s) are inflated; a WARC that is one single
    gzip member (whose record offsets are not member starts) is inflated whole.
    """
    f.seek(last_pos)
    if last_pos > 0 and f.read(2) == GZIP_MAGIC and _inflates(f, last_pos):
        return True
    return _inflates(f, 0)


def iter_warc(
    path: str, *, max_bytes: int = MAX_PAGE_BYTES, stream: IO[bytes] | None = None, tally: Tally | None = None
) -> Iterator[Raw | Failure]:
    """Pages of a WARC file (plain or gzipped), streamed; never raises on bad input.

    ``max_bytes`` bounds a page's decoded payload (a larger one is a per-record
    ``Failure``, found without decoding more of it). With ``stream`` (an open, seekable binary file: standard
    input spooled) the archive is read from it, and ``path`` only names its
    records. The responses that are no page, and the bytes read, are counted
    in ``tally``. Raises ``ImportError`` at once if FastWARC is not installed.
    """
    try:
        from fastwarc.warc import ArchiveIterator, WarcRecordType
    except ImportError as e:
        raise ImportError("reading WARC files needs FastWARC: pip install fastwarc") from e
    tally = tally or Tally()
    if stream is not None:
        return _archive(path, stream, ArchiveIterator, WarcRecordType, max_bytes, tally, tally.reading(stream))
    return _records(os.path.abspath(path), ArchiveIterator, WarcRecordType, max_bytes, tally)


def _records(path: str, archive_iterator: Any, types: Any, max_bytes: int, tally: Tally) -> Iterator[Raw | Failure]:
    """The generator behind :func:`iter_warc`: opens the file, reports what cannot be opened."""
    try:
        with open(path, "rb") as f:
            moved = tally.reading(f)
            yield from _archive(path, f, archive_iterator, types, max_bytes, tally, moved)
            moved(end=True)
    except OSError as e:  # opening it; _archive handles what breaks while reading
        yield Failure(path, "read", os_reason(e))


def _archive(
    path: str,
    f: IO[bytes],
    archive_iterator: Any,
    types: Any,
    max_bytes: int,
    tally: Tally,
    moved: Callable[[], None],
) -> Iterator[Raw | Failure]:
    """Pages of an open archive; the first damage ends them with one ``Failure``."""
    gzipped = f.read(2) == GZIP_MAGIC
    if not f.tell():
        yield Failure(path, "read", "empty file")
        return
    f.seek(0)
    count, last_pos, repeat = 0, -1, 0
    try:
        # A file object, not the path: FastWARC picks the compression of a path
        # by its name only, but sniffs the bytes of a stream.
        for rec in archive_iterator(f, parse_http=True, auto_decode="none", fsspec_args=False):
            count += 1
            pos = rec.stream_pos
            repeat = repeat + 1 if pos == last_pos else 0
            last_pos = pos
            out = _convert(rec, f"{path}#{pos}.{repeat}" if repeat else f"{path}#{pos}", max_bytes, types, tally)
            moved()
            if out is not None:
                yield out
        if gzipped and not _gzip_complete(f, max(last_pos, 0)):
            raise _Corrupt("the gzip stream breaks off")
    except Exception as e:  # noqa: BLE001 - a damaged archive must end the file, never the run
        if count == 0 and path.lower().endswith(_ARC_SUFFIXES):
            yield Failure(path, "warc", "ARC files are not supported (FastWARC reads WARC only): convert to WARC")
        else:
            yield Failure(path, "warc", f"truncated or corrupt WARC: {e}")
