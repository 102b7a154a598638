"""``thresher import``: a cluster run's output into the SQLite store, for search and browsing.

The documents arrive in ``seq`` order through ``Store.write_batch``, the
store's own write path: its rows, search indexes (triggers), LSH bands and
duplicate links are made as a local ingest makes them, and a source already
stored is skipped, so importing twice adds nothing. Into an empty store, the
links it makes are checked against the dedup stages' (``dedup/links.parquet``):
both apply one rule to the same pairs, and a difference is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..store import BatchStats, Store
from .shards import Output, document_of

__all__ = ["IMPORT_BATCH", "ImportReport", "import_output"]

#: Documents per store transaction: the store's per-batch cost (a commit) is
#: about a millisecond, well under 1% of 256 documents' writes.
IMPORT_BATCH = 256


@dataclass(slots=True)
class ImportReport:
    shards: int = 0
    stats: BatchStats = field(default_factory=BatchStats)
    checked: bool = False  # the links compared with the dedup stages' (an empty store at the start)
    link_differences: int = 0


def import_output(uri: str, store: Store) -> ImportReport:
    """Load the output at ``uri`` into ``store``; see the module docstring."""
    store.check_writable()
    out = Output(uri)
    names = out.shard_names()
    missing = [n for n in names if not out.exists("docs", f"{n}.parquet")]
    if missing or not out.exists("dedup", "links.done"):
        raise FileNotFoundError(
            f"{uri}: the run is not finished ({len(missing)} of {len(names)} shards missing); "
            "run the same `thresher ingest --executor ray` again first"
        )
    report = ImportReport(shards=len(names), checked=store.stats()["documents"] == 0)
    source_of: dict[int, str] = {}
    for name in names:
        table = out.read_table("docs", f"{name}.parquet")
        for start in range(0, table.num_rows, IMPORT_BATCH):
            rows = table.slice(start, IMPORT_BATCH).to_pylist()
            stored = store.known(r["source"] for r in rows)  # a failure too: the output holds no newer result
            report.stats.skipped += len(stored)
            report.stats.merge(store.write_batch([document_of(r) for r in rows if r["source"] not in stored]))
            if report.checked:
                source_of.update((r["seq"], r["source"]) for r in rows if r["status"] == "ok")
    if report.checked:
        report.link_differences = _differences(out, store, source_of)
    return report


def _differences(out: Output, store: Store, source_of: dict[int, str]) -> int:
    """How many articles the store links otherwise than the dedup stages do."""
    links = out.read_table("dedup", "links.parquet")
    theirs = {source_of[s]: source_of[c] for s, c in zip(links["seq"].to_pylist(), links["duplicate_of"].to_pylist())}
    ours = dict(
        store.db.execute(
            "SELECT d.source, c.source FROM documents d JOIN documents c ON c.id = d.duplicate_of"
        ).fetchall()
    )
    return sum(1 for s in theirs.keys() | ours.keys() if theirs.get(s) != ours.get(s))
