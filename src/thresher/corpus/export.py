"""Export a store: JSONL, Markdown with YAML front matter, or Parquet.

Parquet is optional: ``pip install pyarrow`` (or ``pip install 'thresher[parquet]'``).
Every writer streams, so memory stays flat whatever the corpus size.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..types import METADATA_FIELDS

__all__ = ["EXPORT_FIELDS", "PARQUET_ROWS", "export_store", "front_matter", "write_parquet"]

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


def _rows(store, duplicates: bool) -> Iterator[dict]:
    for doc in store.iter_documents():
        if duplicates or not doc.duplicate_of:
            d = doc.to_dict()
            yield {k: d[k] for k in EXPORT_FIELDS} | {"markdown": doc.markdown}


def export_store(store, fmt: str, output: str | None = None, *, duplicates: bool = True) -> int:
    """Write the store's articles as ``fmt`` ("jsonl", "markdown", "parquet") to ``output``
    (a file; a directory of ``.md`` files for markdown; ``None``: stdout); return how many."""
    rows = _rows(store, duplicates)
    if fmt == "parquet":
        return write_parquet(rows, output, fields=EXPORT_FIELDS)
    if fmt == "markdown" and output:
        out = Path(output)
        out.mkdir(parents=True, exist_ok=True)
        n = 0
        for n, row in enumerate(rows, 1):
            (out / f"{row['id']:07d}.md").write_text(front_matter(row) + "\n" + row["markdown"], encoding="utf-8")
        return n
    if fmt not in ("jsonl", "markdown"):
        raise ValueError(f"unknown export format {fmt!r}")
    fh = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115 -- stdout is not ours to close
    n = 0
    try:
        for n, row in enumerate(rows, 1):
            markdown = row.pop("markdown")
            fh.write(
                json.dumps(row, ensure_ascii=False) + "\n"
                if fmt == "jsonl"
                else front_matter(row) + "\n" + markdown + "\n"
            )
    finally:
        if output:
            fh.close()
    return n


#: Rows per Parquet row group: streamed in groups so memory stays flat.
PARQUET_ROWS = 2048

_LISTS = ("authors", "tags")
_INTS = ("id", "duplicate_of")
_JSON = ("config",)  # an object in JSONL, its JSON text in Parquet


def write_parquet(rows: Iterable[dict], path: str, *, fields: tuple[str, ...]) -> int:
    """Write ``rows`` (dicts with ``fields``) to a Parquet file; return how many."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ImportError(
            "Parquet export needs pyarrow: pip install pyarrow (or pip install 'thresher[parquet]')"
        ) from None

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
