"""The file side of ``thresher extract`` and ``thresher clean``.

:func:`read_page` reads one input for a command and refuses what the command
does not read, saying what it is and which command reads it (a WARC given to
``extract`` is not printed as 1.6 MB of gzip bytes); a gzipped page is
decompressed. :func:`plan` names the output of each input of a batch
(``FILE... -o DIR`` or ``--input-dir DIR -o DIR``): the input's name, or its
path below the input directory, with the output format's suffix.
:func:`convert` reads and converts the inputs a group at a time and yields
each one's article or why it failed, in input order; the command writes them.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .corpus.sources import Failure, RawKind, os_reason
from .corpus.sources.files import PAGE_SUFFIXES, iter_paths
from .corpus.sources.sniff import GZIP_PEEK_BYTES, SNIFF_BYTES, gunzip, gunzip_head, has_markup, sniff_format
from .decode import GZIP_MAGIC, binary_kind
from .errors import ThresherError
from .types import Article

__all__ = ["GROUP", "SUFFIXES", "InputError", "Job", "convert", "plan", "read_page"]

_CHUNK = 1 << 20  # read size of a gzipped input
#: The file suffix of each output format.
SUFFIXES = {"text": ".txt", "markdown": ".md", "json": ".json"}
#: Inputs read and converted together: dumps of one site (``clean --site``)
#: share site memory within a group, as ``ingest`` batches them
#: (``corpus.ingest.SITE_BATCH``), and memory holds one group of pages.
GROUP = 64

# What a command says of an input it does not read, by the format sniffed.
_WRONG = {
    "warc": "this is a WARC archive: use thresher ingest",
    "jsonl": "this is JSON (Lines): use thresher ingest, which reads a JSONL dump's html or text field",
    "html": "this is HTML: use thresher extract",
    "text": "this looks like a plain-text dump, not HTML: use thresher clean",
}


class InputError(ThresherError):
    """An input the command cannot read; the message says what it is instead."""


def read_page(path: str, want: RawKind, max_bytes: int) -> bytes:
    """The page in file ``path`` (``"-"``: standard input) for a command that reads
    ``want`` pages (``"html"``: extract, ``"text"``: clean); gzip is undone.
    Raises ``InputError``: the file cannot be read, is empty, binary, of
    another kind (with the command that reads it), or a page over
    ``max_bytes`` (a dump is cut there: the cleaner reads less of it anyway).

    Only the head is read before the kind is known, so a large archive is
    refused without being read whole. An HTML fragment with its first tag
    further in (``has_markup``) is HTML enough for ``extract``.
    """
    try:
        if path == "-":
            return _checked(sys.stdin.buffer, want, max_bytes, "input")
        if os.path.isdir(path):
            raise InputError("is a directory")
        with open(path, "rb") as f:
            return _checked(f, want, max_bytes, "file")
    except OSError as exc:
        raise InputError(os_reason(exc)) from None


def _checked(f: BinaryIO, want: RawKind, max_bytes: int, noun: str) -> bytes:
    """``read_page`` of an open file."""
    head = f.read(SNIFF_BYTES)
    gz = head.startswith(GZIP_MAGIC)
    inner = head
    if gz:
        head += f.read(GZIP_PEEK_BYTES)
        try:
            inner = gunzip_head(head)
        except ValueError as exc:
            raise InputError(str(exc)) from None
    if not inner.strip() and len(inner) < SNIFF_BYTES:  # all there is
        raise InputError(f"empty {noun} once decompressed" if gz else f"empty {noun}")
    fmt = sniff_format(inner)
    if fmt in ("binary", "gzip"):
        what = binary_kind(inner) or "binary data"
        if gz:
            raise InputError(f"gzip-compressed {what.removeprefix('a ')}, not a page")
        if "compressed" in what or "archive" in what:
            raise InputError(f"{what}: decompress it first")
        raise InputError(f"{what}, not a page")
    if fmt != want and not (want == "html" and fmt == "text" and has_markup(inner)):
        raise InputError(_WRONG[fmt])
    if gz:
        try:
            data = gunzip(itertools.chain([head], iter(lambda: f.read(_CHUNK), b"")), max_bytes)
        except ValueError as exc:
            raise InputError(str(exc)) from None
    else:
        data = head + f.read(max_bytes + 1 - len(head))
    if len(data) > max_bytes:
        if want == "text":  # the cleaner reads a dump's first lines.MAX_DUMP_CHARS only
            return data[:max_bytes]
        raise InputError(
            f"larger than {max_bytes:,} bytes{' once decompressed' if gz else ''} (Config.max_input_bytes)"
        )
    return data


@dataclass(slots=True)
class Job:
    """One input of a command: its name as the user gave it (or its path below
    ``--input-dir``), where its output goes (``None``: standard output), and
    why it fails when that is known before it is read."""

    source: str
    output: Path | None = None
    error: str | None = None


def output_name(name: str, fmt: str) -> str:
    """``name`` with the suffix of ``fmt`` for its page suffix (``a.html.gz`` -> ``a.txt``);
    an unknown suffix is kept (``a.php`` -> ``a.php.txt``), so two inputs stay two outputs."""
    base = name[:-3] if name.lower().endswith(".gz") else name
    for suffix in PAGE_SUFFIXES:
        if base.lower().endswith(suffix) and len(base) > len(suffix):
            base = base[: -len(suffix)]
            break
    return base + SUFFIXES[fmt]


def _named(files: Iterable[str], input_dir: str | None) -> list[tuple[str, str] | Failure]:
    """``(name, path)`` of each input: a FILE's name is its own (as ``cp`` names
    its copies); a file below ``--input-dir`` is named by its path below it."""
    if input_dir is None:
        return [(os.path.basename(os.path.normpath(f)), f) for f in files]
    top = os.path.abspath(input_dir)
    found: list[tuple[str, str] | Failure] = []
    for path in iter_paths([input_dir]):
        if isinstance(path, Failure):
            found.append(path)
        else:
            rel = os.path.relpath(path, top)
            found.append((rel, os.path.join(input_dir, rel)))  # as the user would write it
    return found


def plan(files: Iterable[str], input_dir: str | None, out_dir: str, fmt: str) -> list[Job]:
    """A job per input, with its output file in ``out_dir`` (see ``_named`` and
    ``output_name``). An input whose output would be another's, or an input
    itself, fails: nothing is ever written over an input."""
    found = _named(files, input_dir)
    inputs = {os.path.abspath(item[1]) for item in found if not isinstance(item, Failure)}
    jobs: list[Job] = []
    taken: dict[str, str] = {}
    for item in found:
        if isinstance(item, Failure):
            jobs.append(Job(item.source, error=item.reason))
            continue
        name, path = item
        out = Path(out_dir, output_name(name, fmt))
        key = os.path.abspath(out)
        job = Job(path, out)
        if key in inputs:
            job.error = f"its output {out} is an input: choose another -o"
        elif key in taken:
            job.error = f"its output {out} is also {taken[key]}'s"
        else:
            taken[key] = path
        jobs.append(job)
    return jobs


def convert(
    jobs: list[Job], want: RawKind, max_bytes: int, pages: Callable[[list[bytes]], list[Article | str]]
) -> Iterator[tuple[Job, Article | str]]:
    """Each job with its article, or why it failed, in order: inputs read and
    checked by :func:`read_page`, converted by ``pages`` (extract or clean;
    an error string for a page it could not convert) ``GROUP`` at a time."""
    for start in range(0, len(jobs), GROUP):
        group = jobs[start : start + GROUP]
        results: list[Article | str | None] = [None] * len(group)
        read: list[int] = []
        data: list[bytes] = []
        for i, job in enumerate(group):
            if job.error:
                results[i] = job.error
                continue
            try:
                data.append(read_page(job.source, want, max_bytes))
                read.append(i)
            except InputError as exc:
                results[i] = str(exc)
        for i, article in zip(read, pages(data) if data else []):
            results[i] = article
        yield from zip(group, results)  # type: ignore[misc]
