"""Local inputs: files, directories, glob patterns and stdin.

:func:`iter_paths` expands what the user typed into files; :func:`read_file`
turns one file into pages, dispatching on its name (WARC archives and JSONL
dumps hold many pages, anything else is one page); :func:`iter_files` does both.
Nothing here raises on bad input: a missing, unreadable, empty or binary input
becomes a :class:`~thresher.sources.Failure` and the run goes on.
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import os
import re
import sys
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from typing import IO, Protocol

from . import MAX_PAGE_BYTES, Failure, Raw, RawKind, Tally, os_reason
from .jsonl import iter_jsonl
from .sniff import GZIP_PEEK_BYTES, SNIFF_BYTES, gunzip_head, sniff_format, sniff_kind
from .warc import iter_warc

__all__ = [
    "PAGE_EXTENSIONS",
    "PAGE_SUFFIXES",
    "STDIN",
    "STDIN_KEY",
    "iter_files",
    "iter_paths",
    "iter_stdin",
    "page_extensions",
    "read_file",
]

#: The input name that means "read standard input".
STDIN = "-"
#: Source key of the page read from standard input.
STDIN_KEY = "<stdin>"
#: Standard input is held in memory up to this many bytes, then in a
#: temporary file: it is read whole before its first page (its digest names
#: its pages, and a WARC is read with seeks), and a crawl of gigabytes piped
#: in must not sit in memory. 32 MB holds any single page (20 MB at most,
#: ``Config.max_input_bytes``) without touching the disk.
STDIN_SPOOL_BYTES = 32 * 1024 * 1024
_STDIN_CHUNK = 1 << 20

_WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
_JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
_TEXT_SUFFIXES = (".txt", ".text")
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
#: Pages a server program made (server-side includes, PHP, ASP, JSP), as
#: crawlers save them. The name says how the page was made, not what the file
#: holds, which may as well be the program itself: such a file is a page only
#: if its first bytes are HTML (``sniff_kind``); otherwise it is passed over.
_PROGRAM_SUFFIXES = (".shtml", ".php", ".asp", ".aspx", ".jsp")
#: The extensions of the files a directory walk reads (each also gzipped);
#: ``ingest --extensions`` replaces them. A file with no extension is always read.
PAGE_EXTENSIONS = tuple(
    s.removesuffix(".gz")
    for s in (*_HTML_SUFFIXES, *_PROGRAM_SUFFIXES, *_TEXT_SUFFIXES, *_WARC_SUFFIXES, *_JSONL_SUFFIXES)
    if not s.endswith(".gz")
)
#: The suffixes that name a single page or dump (not a WARC or a JSONL dump).
PAGE_SUFFIXES = _TEXT_SUFFIXES + _HTML_SUFFIXES + (".shtml",)
_GLOB_CHARS = re.compile(r"[*?\[]")


class _Reader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def page_extensions(spec: str) -> tuple[str, ...]:
    """Extensions from a comma-separated list (``"html, .php,TXT"`` -> ``(".html", ".php", ".txt")``);
    raises ``ValueError`` for an empty list or an extension that is not one word."""
    out = []
    for part in spec.split(","):
        ext = "." + part.strip().lower().lstrip(".")
        if not re.fullmatch(r"\.[\w][\w.-]*", ext):
            raise ValueError(f"not a file extension: {part.strip()!r}")
        out.append(ext)
    return tuple(dict.fromkeys(out))


def _is_page_file(name: str, extensions: tuple[str, ...]) -> bool:
    """Whether a file met in a directory walk holds pages: one of ``extensions``
    (also gzipped), or no extension at all. A README, a stylesheet or an image
    beside the pages is not an input; named on the command line, any file is."""
    name = name.lower()
    name = name.removesuffix(".gz")
    return name.endswith(extensions) or "." not in name


def _walk(top: str, extensions: tuple[str, ...], tally: Tally) -> Iterator[str | Failure]:
    """Page files below ``top`` in sorted order, skipping hidden entries and symlinked directories;
    files of other extensions are counted in ``tally`` (``"extension"``)."""
    try:
        with os.scandir(top) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as e:
        yield Failure(top, "read", os_reason(e))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):  # not following links: no cycles
                yield from _walk(entry.path, extensions, tally)
            elif entry.is_file():
                if _is_page_file(entry.name, extensions):
                    yield entry.path
                else:
                    tally.skip("extension")
        except OSError as e:
            yield Failure(entry.path, "read", os_reason(e))


def _directory(top: str, extensions: tuple[str, ...], tally: Tally) -> Iterator[str | Failure]:
    """The page files of a directory given as input; one without any is counted (``"empty directory"``)."""
    found = False
    for path in _walk(os.path.abspath(top), extensions, tally):
        found = True
        yield path
    if not found:
        tally.skip("empty directory")


def iter_paths(
    inputs: Iterable[str], *, extensions: tuple[str, ...] = PAGE_EXTENSIONS, tally: Tally | None = None
) -> Iterator[str | Failure]:
    """Expand inputs into absolute file paths (``"-"`` passes through as stdin).

    A file is itself; a directory is every non-hidden page file below it
    (``_is_page_file``: one of ``extensions``, or none), sorted; a pattern with
    ``*``, ``?`` or ``[`` is globbed (``**`` recurses), sorted. A missing input,
    (keyed by its absolute path), or a pattern matching nothing, becomes a ``Failure``. Files of other
    extensions, and directories without a page file, are counted in ``tally``.
    """
    tally = tally or Tally()
    for item in inputs:
        if item == STDIN:
            yield STDIN
        elif os.path.isdir(item):
            yield from _directory(item, extensions, tally)
        elif os.path.lexists(item):
            yield os.path.abspath(item)
        elif _GLOB_CHARS.search(item):
            matches = sorted(glob.glob(item, recursive=True))
            if not matches:
                yield Failure(item, "read", "no files match the pattern")
            for match in map(os.path.abspath, matches):
                if os.path.isdir(match):
                    yield from _directory(match, extensions, tally)
                else:
                    yield match
        else:  # keyed as the file will be when it exists: its page then replaces this failure
            yield Failure(os.path.abspath(item), "read", "no such file or directory")


def _read_page(
    key: str, stream: _Reader, kind: RawKind | None, max_bytes: int, *, html_only: bool = False
) -> Raw | Failure | None:
    """Read one page from ``stream``; ``kind=None`` takes the kind sniffed from the head.
    With ``html_only``, a head that is not HTML is no page: ``None``."""
    head = stream.read(SNIFF_BYTES)
    if not head:
        return Failure(key, "read", "empty file")
    sniffed = sniff_kind(head)
    if html_only and sniffed != "html":
        return None
    if sniffed is None:  # whatever its name says: an image saved as page.html is not a page
        return Failure(key, "read", "binary file")
    kind = kind or sniffed
    content = head + stream.read(max_bytes + 1 - len(head))  # a gzip stream is inflated no further
    if len(content) > max_bytes:
        return Failure(key, "read", f"larger than {max_bytes:,} bytes")
    return Raw(source=key, content=content, kind=kind)


def _container(path: str) -> str | None:
    """``"warc"`` or ``"jsonl"`` when a file's first bytes say it is one of those, else ``None``."""
    try:
        with open(path, "rb") as f:
            fmt = sniff_format(f.read(SNIFF_BYTES))
    except OSError:
        return None  # reading it as a page reports why
    return fmt if fmt in ("warc", "jsonl") else None


def read_file(path: str, *, max_bytes: int = MAX_PAGE_BYTES, tally: Tally | None = None) -> Iterator[Raw | Failure]:
    """Pages of one file, by its name: WARC, JSONL, or a single page.

    ``.warc``/``.arc`` (optionally ``.gz``) go to :func:`~thresher.sources.warc.iter_warc`,
    ``.jsonl``/``.ndjson`` to :func:`~thresher.sources.jsonl.iter_jsonl`; ``.txt``/``.text``
    is one ``"text"`` page, ``.html``/``.htm``/``.xhtml`` one ``"html"`` page,
    ``.shtml``/``.php``/``.asp``/``.aspx``/``.jsp`` one ``"html"`` page if its
    bytes are HTML (else it is passed over, counted in ``tally`` as ``"not html"``),
    and anything else is sniffed (a WARC or a JSONL dump by another name is read
    as one). A further ``.gz`` is decompressed. A single page's content is the
    file's bytes (decoding comes later) and its key is ``path``. ``max_bytes``
    bounds a page (after decompression, which stops there): of a file, a WARC
    record or a JSONL line.
    """
    tally = tally or Tally()
    name = os.path.basename(path).lower()
    gz = name.endswith(".gz")
    inner = name[:-3] if gz else name
    kind: RawKind | None = None  # sniffed
    container = "warc" if name.endswith(_WARC_SUFFIXES) else "jsonl" if name.endswith(_JSONL_SUFFIXES) else None
    if inner.endswith(_TEXT_SUFFIXES):
        kind = "text"
    elif inner.endswith(_HTML_SUFFIXES):
        kind = "html"
    elif container is None and not gz:
        container = _container(path)
    if container == "warc":
        yield from iter_warc(path, max_bytes=max_bytes, tally=tally)
        return
    if container == "jsonl":
        yield from iter_jsonl(path, max_bytes=max_bytes, tally=tally)
        return
    html_only = inner.endswith(_PROGRAM_SUFFIXES)
    try:
        with open(path, "rb") as f:
            moved = tally.reading(f)
            if gz:
                with gzip.GzipFile(fileobj=f) as g:
                    page = _read_page(path, g, kind, max_bytes, html_only=html_only)
            else:
                page = _read_page(path, f, kind, max_bytes, html_only=html_only)
            moved(end=True)
    except (gzip.BadGzipFile, EOFError, zlib.error) as e:
        page = Failure(path, "read", f"corrupt gzip: {e}")
    except OSError as e:
        page = Failure(path, "read", os_reason(e))
    if page is None:
        tally.skip("not html")
    else:
        yield page


def iter_stdin(*, max_bytes: int = MAX_PAGE_BYTES) -> Iterator[Raw | Failure]:
    """The pages on standard input, by its first bytes (gzip is decompressed):
    a WARC archive or a JSON Lines dump is read as such, anything else is one page.

    Standard input is read whole first (spooled, see ``STDIN_SPOOL_BYTES``):
    its digest names what it holds, so the same input piped twice is one
    input and two different ones are two. A single page is keyed
    ``"<stdin>#"`` and a digest of its content; the records of a piped WARC
    or JSONL dump ``"<stdin>#<digest>#<offset or line>"``, as a file's are.
    """
    try:
        with tempfile.SpooledTemporaryFile(STDIN_SPOOL_BYTES) as spool:
            digest = hashlib.blake2b(digest_size=8)
            while chunk := sys.stdin.buffer.read(_STDIN_CHUNK):
                spool.write(chunk)
                digest.update(chunk)
            yield from _stdin_pages(spool, f"{STDIN_KEY}#{digest.hexdigest()}", max_bytes)
    except OSError as e:
        yield Failure(STDIN_KEY, "read", os_reason(e))


def _stdin_pages(spool: IO[bytes], name: str, max_bytes: int) -> Iterator[Raw | Failure]:
    """The pages of spooled standard input (see :func:`iter_stdin`); ``name`` names a WARC's or a dump's records."""
    spool.seek(0)
    head = spool.read(SNIFF_BYTES)
    fmt = sniff_format(head)
    gz = fmt == "gzip"
    if gz:  # what is inside
        spool.seek(0)
        try:
            fmt = sniff_format(gunzip_head(spool.read(GZIP_PEEK_BYTES)))
        except ValueError as e:
            yield Failure(STDIN_KEY, "read", str(e))
            return
    spool.seek(0)
    if fmt == "warc":  # FastWARC undoes the gzip itself
        yield from iter_warc(name, max_bytes=max_bytes, stream=spool)
        return
    stream = gzip.GzipFile(fileobj=spool, mode="rb") if gz else spool
    if fmt == "jsonl":
        yield from iter_jsonl(name, stream=stream, max_bytes=max_bytes)
        return
    try:
        data = stream.read(max_bytes + 1)
    except (gzip.BadGzipFile, EOFError, zlib.error) as e:
        yield Failure(STDIN_KEY, "read", f"corrupt gzip: {e}")
        return
    yield _stdin_page(data, max_bytes)


def _stdin_page(data: bytes, max_bytes: int) -> Raw | Failure:
    """The one page on standard input (decompressed), keyed by a digest of its content."""
    if not data:
        return Failure(STDIN_KEY, "read", "empty input")
    kind = sniff_kind(data[:SNIFF_BYTES])
    if kind is None:
        return Failure(STDIN_KEY, "read", "binary input")
    if len(data) > max_bytes:
        return Failure(STDIN_KEY, "read", f"larger than {max_bytes:,} bytes")
    return Raw(source=f"{STDIN_KEY}#{hashlib.blake2b(data, digest_size=8).hexdigest()}", content=data, kind=kind)


def iter_files(
    inputs: Iterable[str],
    *,
    max_bytes: int = MAX_PAGE_BYTES,
    extensions: tuple[str, ...] = PAGE_EXTENSIONS,
    tally: Tally | None = None,
) -> Iterator[Raw | Failure]:
    """Every page of every input (see :func:`iter_paths` and :func:`read_file`); lazy.

    ``"-"`` reads standard input once; a repeated ``"-"`` is a ``Failure``.
    What is passed over, and the bytes read, are counted in ``tally``.
    """
    tally = tally or Tally()
    stdin_read = False
    for path in iter_paths(inputs, extensions=extensions, tally=tally):
        if isinstance(path, Failure):
            yield path
        elif path == STDIN:
            if stdin_read:
                yield Failure(STDIN_KEY, "read", "stdin given twice")
            else:
                yield from iter_stdin(max_bytes=max_bytes)
            stdin_read = True
        else:
            yield from read_file(path, max_bytes=max_bytes, tally=tally)
