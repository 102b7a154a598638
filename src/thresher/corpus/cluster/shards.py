"""A cluster run's plan and files: shards of inputs, documents as Parquet rows.

The driver only lists the inputs (``iter_paths``: names and sizes, nothing
read) and cuts them into shards; a worker reads a shard's pages with the
same source readers, batches them with ``ingest.batches`` and maps the same
``process.Step`` as the local executor. Its documents are written as one
Parquet file per shard, with the store's fields, to any filesystem pyarrow
opens (a local path, ``s3://``, ``gs://``, ``hdfs://``...). A file is written
under a temporary name and moved into place, so a killed run leaves whole
shards or none, and a rerun skips the shards whose files exist.

Every document has a ``seq``: its shard's number in the high 32 bits, its
place in the shard below. It is the order the documents arrive in a store
(``load``), which the canonical rule's last tie-break ("the first to arrive")
reads, here and there alike.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields

from ...config import Config
from ...errors import ThresherError
from ...types import METADATA_FIELDS, Metadata
from ..ingest import batches
from ..process import Step
from ..sources import Failure, Raw, Tally
from ..sources.files import PAGE_EXTENSIONS, STDIN, iter_paths, read_file
from ..store import LIST_FIELDS, Document

__all__ = [
    "BAND_KEY_BITS",
    "EXACT_BAND",
    "PLAN_VERSION",
    "SHARD_BYTES",
    "SHARD_FILES",
    "Output",
    "PlanError",
    "Shard",
    "band_rows",
    "document_of",
    "plan_shards",
    "process_shard",
    "row_of",
]

#: A shard's input: files are added to a shard until it holds this many bytes
#: (a bigger file, a WARC of a crawl segment, is a shard alone). Large enough
#: that the per-shard costs (a Ray task, two Parquet files, about 20 ms) vanish
#: beside extraction (about 20 ms a page of 60 KiB on one core of the shared
#: test machine: 64 MiB is about a thousand pages, some 20 s of work); small
#: enough that a retried shard loses little and 2 workers share 100 MB evenly.
SHARD_BYTES = 64 << 20
#: ...or this many files: a directory of small text dumps still makes
#: shards of a few seconds' work each.
SHARD_FILES = 256
#: The band index (the top 6 bits of a key, see ``dedup.band_keys``) under which
#: a document's exact content hash is written with its LSH band keys: ``dedup``
#: uses 0..BANDS-1, so this key never meets a band key. It finds the exact
#: duplicates whose text has no words, hence no signature (punctuation only).
EXACT_BAND = 63
#: The bits of a key below its band index (``dedup.band_keys``: 6 + 57 = 63).
BAND_KEY_BITS = 57
#: Bumped when the files' layout changes; ``thresher import`` refuses another.
PLAN_VERSION = 1

#: Document fields held as JSON text (lists of dicts).
_JSON_FIELDS = ("removed", "comments")
_INT_FIELDS = ("n_chars", "n_removed_chars")


class PlanError(ThresherError, ValueError):
    """The inputs cannot be run on a cluster, or the output holds another run."""


@dataclass(frozen=True, slots=True)
class Shard:
    """Consecutive inputs, in the order ``iter_paths`` yields them: file paths, and
    the inputs that could not be listed (a missing file) as ``(source, stage, reason)``."""

    number: int
    entries: tuple  # str | tuple[str, str, str]

    @property
    def name(self) -> str:
        """The shard's file name: its number, and a digest of its inputs (a changed
        plan never takes another's files for its own)."""
        digest = hashlib.blake2b(json.dumps(self.entries).encode(), digest_size=6).hexdigest()
        return f"{self.number:06d}-{digest}"

    def pages(self, tally: Tally) -> Iterator[Raw | Failure]:
        for entry in self.entries:
            if isinstance(entry, str):
                yield from read_file(entry, tally=tally)
            else:
                yield Failure(*entry)


def plan_shards(inputs: Iterable[str], extensions: tuple[str, ...] | None = None) -> list[Shard]:
    """The run's shards: the inputs' files in order, cut at ``SHARD_BYTES`` or ``SHARD_FILES``.
    URLs and stdin are refused (``PlanError``): a cluster reads files, not the network."""
    inputs = list(inputs)
    for item in inputs:
        if item.startswith(("http://", "https://")) or item == STDIN:
            raise PlanError(f"{item}: --executor ray reads files and directories; fetch URLs and stdin locally")
    shards: list[Shard] = []
    entries: list = []
    size = 0
    for path in iter_paths(inputs, extensions=extensions or PAGE_EXTENSIONS, tally=Tally()):
        if isinstance(path, Failure):
            entries.append((path.source, path.stage, path.reason))
            continue
        try:
            n = os.path.getsize(path)
        except OSError:
            n = 0  # reading it says why
        if entries and (size + n > SHARD_BYTES or len(entries) >= SHARD_FILES):
            shards.append(Shard(len(shards), tuple(entries)))
            entries, size = [], 0
        entries.append(path)
        size += n
    if entries:
        shards.append(Shard(len(shards), tuple(entries)))
    return shards


def process_shard(shard: Shard, step: Step) -> tuple[list[Document], Tally]:
    """A shard's documents, in arrival order, and what its readers passed over:
    the local run's batching (``ingest.batches``) and step, over the shard's pages."""
    tally = Tally()
    docs: list[Document] = []
    for batch in batches(shard.pages(tally), site=step.site):
        docs.extend(step(batch))
    return docs, tally


# -- documents as rows -----------------------------------------------------------------------


def row_of(doc: Document, seq: int) -> dict:
    """A document as a Parquet row: the store's own row (``Document.columns``: lists as
    JSON text, text as SQLite holds it), the band keys and ``seq``."""
    return {"seq": seq, **doc.columns(), "band_keys": doc.band_keys}


def document_of(row: dict) -> Document:
    """The inverse of ``row_of`` (``seq`` left out)."""
    meta = Metadata(
        **{n: (json.loads(row[n]) if row[n] else []) if n in LIST_FIELDS else row[n] for n in METADATA_FIELDS}
    )
    values = {f.name: row[f.name] for f in fields(Document) if f.name != "meta"}
    for name in _JSON_FIELDS:
        values[name] = json.loads(values[name]) if values[name] else []
    values["band_keys"] = list(values["band_keys"] or [])
    return Document(meta=meta, **values)


def exact_key(content_hash: str) -> int:
    """The key under which the documents of one content hash meet (``EXACT_BAND``)."""
    return (EXACT_BAND << BAND_KEY_BITS) | (int(content_hash[:16], 16) & ((1 << BAND_KEY_BITS) - 1))


def band_rows(docs: list[Document], seqs: list[int]) -> tuple[list[int], list[int]]:
    """The dedup stages' input for these documents: ``(keys, seqs)``, one row per
    band key of each article and one for its content hash."""
    keys: list[int] = []
    out: list[int] = []
    for doc, seq in zip(docs, seqs):
        if doc.status != "ok" or not doc.content_hash:
            continue
        for key in (*doc.band_keys, exact_key(doc.content_hash)):
            keys.append(key)
            out.append(seq)
    return keys, out


# -- the output directory ------------------------------------------------------------------------


def _schema():
    import pyarrow as pa

    types = {f.name: pa.string() for f in fields(Document) if f.name != "meta"}
    types |= {name: pa.int64() for name in _INT_FIELDS}
    types |= {"signature": pa.binary(), "band_keys": pa.list_(pa.int64())}
    meta = [pa.field(name, pa.string()) for name in METADATA_FIELDS]
    cols = [pa.field("seq", pa.int64())]
    for f in fields(Document):
        cols += meta if f.name == "meta" else [pa.field(f.name, types[f.name])]
    return pa.schema(cols)


class Output:
    """A run's output directory, on any filesystem pyarrow opens: ``plan.json``,
    ``docs/`` and ``bands/`` (one file per shard), ``dedup/`` (the stages' files)."""

    def __init__(self, uri: str):
        from pyarrow import fs

        if "://" not in uri:
            uri = os.path.abspath(uri)
        self.uri = uri
        self.fs, self.root = fs.FileSystem.from_uri(uri)

    def path(self, *parts: str) -> str:
        return "/".join((self.root.rstrip("/"), *parts))

    def exists(self, *parts: str) -> bool:
        from pyarrow import fs

        return self.fs.get_file_info(self.path(*parts)).type != fs.FileType.NotFound

    def write_table(self, table, *parts: str) -> None:
        """Write ``table`` as Parquet at ``parts``, whole or not at all (a temporary name, then a move)."""
        import pyarrow.parquet as pq

        final = self.path(*parts)
        tmp = self.path(*parts[:-1], f".tmp-{os.getpid()}-{parts[-1]}")
        self.fs.create_dir(self.path(*parts[:-1]), recursive=True)
        pq.write_table(table, tmp, filesystem=self.fs, compression="zstd")
        self.fs.move(tmp, final)

    def read_table(self, *parts: str, columns: list[str] | None = None):
        import pyarrow.parquet as pq

        return pq.read_table(self.path(*parts), filesystem=self.fs, columns=columns)

    def write_docs(self, shard: Shard, docs: list[Document]) -> None:
        """A shard's documents and its band rows (the bands first: the docs file says the shard is done)."""
        import pyarrow as pa

        seqs = [(shard.number << 32) | i for i in range(len(docs))]
        keys, key_seqs = band_rows(docs, seqs)
        bands = pa.table({"key": pa.array(keys, pa.int64()), "seq": pa.array(key_seqs, pa.int64())})
        self.write_table(bands, "bands", f"{shard.name}.parquet")
        rows = [row_of(d, s) for d, s in zip(docs, seqs)]
        self.write_table(pa.Table.from_pylist(rows, schema=_schema()), "docs", f"{shard.name}.parquet")

    def done(self, shard: Shard) -> bool:
        return self.exists("docs", f"{shard.name}.parquet")

    # -- the plan ------------------------------------------------------------------------------
    def read_plan(self) -> dict | None:
        if not self.exists("plan.json"):
            return None
        with self.fs.open_input_stream(self.path("plan.json")) as f:
            return json.loads(f.read().decode())

    def write_plan(self, shards: list[Shard], config: Config, site: str | None) -> None:
        """Record the run (its shards, ``Config`` and site) or check it is the one recorded:
        one output holds one run, so its files never mix two."""
        plan = {
            "version": PLAN_VERSION,
            "config": config.to_dict(),
            "site": site,
            "shards": [s.name for s in shards],
        }
        plan = json.loads(json.dumps(plan))  # as read back: tuples are lists
        old = self.read_plan()
        if old is not None:
            if old != plan:
                raise PlanError(
                    f"{self.uri} holds the output of another run (other inputs or options); give a new --output"
                )
            return
        self.fs.create_dir(self.root, recursive=True)
        with self.fs.open_output_stream(self.path("plan.json")) as f:
            f.write(json.dumps(plan, indent=1).encode())

    def shard_names(self) -> list[str]:
        plan = self.read_plan()
        if plan is None:
            raise PlanError(f"{self.uri}: no plan.json: not the output of `thresher ingest --executor ray`")
        if plan.get("version") != PLAN_VERSION:
            raise PlanError(f"{self.uri}: output layout {plan.get('version')}, this thresher reads {PLAN_VERSION}")
        return plan["shards"]
