"""Parquet export (optional: ``pip install pyarrow``, or ``pip install 'thresher[parquet]'``)."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["PARQUET_ROWS", "write_parquet"]

#: Rows per Parquet row group: streamed in groups so memory stays flat.
PARQUET_ROWS = 2048

_LISTS = ("authors", "tags")
_INTS = ("id", "duplicate_of")


def write_parquet(rows: Iterable[dict], path: str, *, fields: tuple[str, ...]) -> int:
    """Write ``rows`` (dicts with ``fields``) to a Parquet file; return how many."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ImportError("Parquet export needs pyarrow: pip install pyarrow (or pip install 'thresher[parquet]')") from None

    def kind(name):
        if name in _LISTS:
            return pa.list_(pa.string())
        if name in _INTS:
            return pa.int64()
        if name == "similarity":
            return pa.float64()
        return pa.string()

    schema = pa.schema([(f, kind(f)) for f in fields])
    n = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        group: list[dict] = []
        for row in rows:
            group.append({f: row.get(f) for f in fields})
            if len(group) >= PARQUET_ROWS:
                writer.write_table(pa.Table.from_pylist(group, schema=schema))
                n += len(group)
                group = []
        if group:
            writer.write_table(pa.Table.from_pylist(group, schema=schema))
            n += len(group)
    return n
