"""Export a store: JSONL, Markdown with YAML front matter, or Parquet.

Parquet is optional: the ``parquet`` extra (pyarrow), ``pip install -e '.[parquet]'`` in a checkout.
Every writer streams, so memory stays flat whatever the corpus size. An
output is never clobbered by accident (see ``export_store``), and never left
half-written: every file is written beside its final name and renamed there
once complete, so an export killed or out of disk leaves what was there.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from ..errors import ThresherError
from ..types import METADATA_FIELDS
from .languages import language_set

__all__ = ["EXPORT_FIELDS", "FORMATS", "PARQUET_ROWS", "ExportError", "export_store", "front_matter", "write_parquet"]

#: The export formats.
FORMATS = ("jsonl", "parquet", "markdown")

#: The fields of an exported document, in order.
EXPORT_FIELDS = (
    "id", "source", "url", "site", *METADATA_FIELDS, "encoding", "text", "duplicate_of", "similarity",
    "content_hash", "fetched", "model", "config",
)  # fmt: skip
_FRONT_MATTER = tuple(f for f in EXPORT_FIELDS if f not in ("text", "similarity", "content_hash", "fetched", "config"))


def front_matter(doc: dict) -> str:
    """A stored document's metadata (``StoredDocument.to_dict()``) as a YAML block (values written
    as JSON, which YAML reads)."""
    lines = [
        f"{k}: {json.dumps(doc[k], ensure_ascii=False)}" for k in _FRONT_MATTER if doc.get(k) not in (None, [], "")
    ]
    return "---\n" + "\n".join(lines) + "\n---"


class ExportError(ThresherError):
    """The export cannot be written where it was asked to go: a file that
    exists (without ``overwrite``), a directory, the store itself, an output
    that cannot be written, or Parquet without pyarrow."""


def _rows(store, duplicates: bool, languages: frozenset[str] | None) -> Iterator[dict]:
    for doc in store.iter_documents():
        if (duplicates or not doc.duplicate_of) and (languages is None or doc.meta.language in languages):
            d = doc.to_dict()
            yield {k: d[k] for k in EXPORT_FIELDS} | {"markdown": doc.markdown}


def export_store(
    store,
    fmt: str,
    output: str | None = None,
    *,
    duplicates: bool = True,
    languages: str | Iterable[str] | None = None,
    overwrite: bool = False,
) -> int:
    """Write the store's articles as ``fmt`` ("jsonl", "markdown", "parquet") to ``output``
    (a file; a directory of ``.md`` files for markdown; ``None``: stdout); return how many.

    ``languages`` keeps the articles in those languages (ISO 639-1 codes, see
    ``languages.language_set``). Every output file is written beside its name,
    then renamed to it once complete, so its name never holds a part of it; one
    that exists is replaced only with ``overwrite``. A markdown directory that
    holds files is written into only with ``overwrite``. Missing parent
    directories are created. Raises ``ExportError`` when the output cannot be
    written (a full disk among the reasons).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    rows = _rows(store, duplicates, language_set(languages))
    if output is None:
        if fmt == "parquet":
            raise ExportError("Parquet export needs an output file")
        return _write_text(rows, fmt, sys.stdout)
    if fmt == "parquet":
        _pyarrow()  # before anything is created
    path = _target(Path(output), fmt, overwrite, store.path)
    try:
        if fmt == "markdown":
            return _write_markdown(rows, path)
        with _replacing(path) as tmp:
            if fmt == "parquet":
                return write_parquet(rows, str(tmp), fields=EXPORT_FIELDS)
            with open(tmp, "w", encoding="utf-8") as fh:
                return _write_text(rows, fmt, fh)
    except OSError as exc:
        raise ExportError(f"cannot write {output}: {exc.strerror or exc}") from None


def _target(path: Path, fmt: str, overwrite: bool, store_path: str) -> Path:
    """``path``, checked as an output of ``fmt`` (see ``export_store``), its parents created."""
    if fmt == "markdown":
        if path.exists() and not path.is_dir():
            raise ExportError(f"{path} is a file: markdown export writes a directory of .md files")
        if path.is_dir() and not overwrite and any(path.iterdir()):
            raise ExportError(
                f"{path} is not empty: use --force to write into it (files of the same name are replaced)"
            )
    elif path.is_dir():
        raise ExportError(f"{path} is a directory: give a file name, like {path / ('corpus.' + fmt)}")
    elif any(_same_file(path, store_path + suffix) for suffix in ("", "-wal", "-shm")):
        raise ExportError(f"{path} is the store itself")
    elif path.exists() and not overwrite:
        raise ExportError(f"{path} exists: use --force to overwrite it")
    try:
        (path if fmt == "markdown" else path.parent).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(
            f"cannot create {path if fmt == 'markdown' else path.parent}: {exc.strerror or exc}"
        ) from None
    return path


def _same_file(a: Path, b: str) -> bool:
    try:
        return a.exists() and os.path.samefile(a, b)
    except OSError:
        return False


@contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` that replaces it when the block ends
    without an error (and is removed when it does not): an export that fails
    halfway leaves what was there."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # hidden, and made with the usual permissions
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_text(rows: Iterable[dict], fmt: str, fh: TextIO) -> int:
    """JSON Lines, or Markdown documents one after the other, to ``fh``."""
    n = 0
    for n, row in enumerate(rows, 1):
        markdown = row.pop("markdown")
        fh.write(
            json.dumps(row, ensure_ascii=False) + "\n" if fmt == "jsonl" else front_matter(row) + "\n" + markdown + "\n"
        )
    return n


def _write_markdown(rows: Iterable[dict], out: Path) -> int:
    """One ``.md`` file per document in ``out``, named by its id, each written whole or not at all."""
    n = 0
    for n, row in enumerate(rows, 1):
        with _replacing(out / f"{row['id']:07d}.md") as tmp:
            tmp.write_text(front_matter(row) + "\n" + row["markdown"], encoding="utf-8")
    return n


#: Rows per Parquet row group: streamed in groups so memory stays flat.
PARQUET_ROWS = 2048

_LISTS = ("authors", "tags")
_INTS = ("id", "duplicate_of")
_JSON = ("config",)  # an object in JSONL, its JSON text in Parquet


def _pyarrow():
    """``pyarrow`` and ``pyarrow.parquet``; raises ``ExportError`` saying how to install them."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ExportError(
            "Parquet export needs pyarrow: pip install 'thresher[parquet]' (in a checkout: pip install -e '.[parquet]')"
        ) from None
    return pa, pq


def write_parquet(rows: Iterable[dict], path: str, *, fields: tuple[str, ...]) -> int:
    """Write ``rows`` (dicts with ``fields``) to a Parquet file; return how many."""
    pa, pq = _pyarrow()

    def kind(name):
        if name in _LISTS:
            return pa.list_(pa.string())
        if name in _INTS:
            return pa.int64()
        if name == "similarity":
            return pa.float64()
        return pa.string()

    def value(row, name):
        v = row.get(name)
        return json.dumps(v, ensure_ascii=False) if name in _JSON and v is not None else v

    schema = pa.schema([(f, kind(f)) for f in fields])
    n = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        group: list[dict] = []
        for row in rows:
            group.append({f: value(row, f) for f in fields})
            if len(group) >= PARQUET_ROWS:
                writer.write_table(pa.Table.from_pylist(group, schema=schema))
                n += len(group)
                group = []
        if group:
            writer.write_table(pa.Table.from_pylist(group, schema=schema))
            n += len(group)
    return n
