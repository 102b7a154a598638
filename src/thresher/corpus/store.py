"""The corpus store: one embedded SQLite file (WAL), searchable with FTS5 (``search.py``).

One row per input key (``documents.source``): an article, an empty page, or a
failure with its stage and reason. ``write_batch`` writes a batch of processed
documents in one transaction, so a run killed at any moment leaves whole
batches and nothing half-written; a source already stored is skipped, so
re-running the same inputs adds and changes nothing, but for the failures
tried again (``known``, ``failures.transient``), whose new result replaces them.

Duplicates are linked as documents arrive, never deleted:

- exact: the same hash of the normalised text of the article's confident
  core (``process.signature_text``, ``dedup.sign``);
- near: a shared LSH band key (``bands`` table) and an estimated Jaccard
  similarity of the MinHash signatures of at least ``dedup.NEAR_DUP_JACCARD``.

Each group of duplicates has one canonical document, the fullest (most
characters of text), then the earliest (published date, then arrival); every
other member's ``duplicate_of`` points at it. When a fuller copy arrives it
becomes the canonical one and the group is re-pointed.

Each document records what produced it: ``model`` (the model's name and its
feature-schema hash) and ``config`` (the run's ``Config`` as JSON). A store
of an older schema is upgraded when it is opened (columns are added and the
search indexes rebuilt; no document is dropped or rewritten); a newer one is
refused. ``get`` and
``iter_documents`` return ``StoredDocument`` records.

For ``reprocess``, each document records the digest of its page as read
(``raw_digest``), ``ingest --keep-raw`` keeps the page itself (``raw`` table,
zlib), ``replace_documents`` replaces documents in place (id kept), and
``relink`` makes every duplicate link again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Literal, Self
from urllib.parse import quote

from ..errors import ThresherError
from ..types import METADATA_FIELDS, Comment, Kind, Metadata, Removed
from . import dedup, search
from .failures import FailureGroup, group_failures, reason_class, transient
from .search import SearchHit
from .sources import Raw

__all__ = [
    "BUSY_SECONDS",
    "LIST_FIELDS",
    "RAW_LEVEL",
    "SCHEMA_VERSION",
    "BatchStats",
    "Document",
    "ReplaceStats",
    "SearchHit",
    "Store",
    "StoreError",
    "StoredDocument",
    "database_error",
    "needs_immutable",
    "page_digest",
]

#: Bumped when the tables change. An older store is upgraded when it is opened
#: (``Store._upgrade``); a newer one is refused with a clear error.
#: 5: the search indexes rebuilt (``search.SEARCH_INDEX_VERSION``).
#: 6: ``documents.raw_digest`` and the ``raw`` table (``ingest --keep-raw``, ``reprocess``).
#: 7: ``documents.published_time`` (``published`` became a day, ``YYYY-MM-DD``).
SCHEMA_VERSION = 7
#: Raw pages kept with ``ingest --keep-raw`` are zlib-compressed at this level.
#: On 300 pages of the wcxb_dev bench (240 KiB each on average, one core): level
#: 1 shrinks them 4.39x at 2.6 ms a page, 6 5.24x at 6.3 ms, 9 5.28x at 9.8 ms;
#: inflating takes 0.9 ms. 6 (zlib's default) is nearly 9's size at 2/3 of its
#: time, and runs on the writer thread, beside the workers' extraction.
RAW_LEVEL = 6
#: An LSH bucket (a band key) indexes at most this many documents. Different
#: articles share a band with probability J**ROWS (6e-5 at J = 0.3), so a bucket
#: this full holds one cluster of near-duplicates (or copies of one short text):
#: a new member finds the cluster among them. Without the cap every arrival
#: compares itself with every member, and 20,000 copies that differ by a line
#: cost time quadratic in their number. Beyond the bench's groups of 3-4 copies
#: (benchmarks/run_dedup.py), so no pair the benchmark counts is affected.
BAND_BUCKET_CAP = 32

#: The documents table, column by column. The metadata columns are
#: ``METADATA_FIELDS``, declared once (``types.Metadata``); lists are stored as
#: JSON text. Columns added after version 1 come last (model and config in 2,
#: encoding in 3), as an upgrade appends them: an upgraded store has the
#: columns of a new one.
#: Metadata fields declared after version 1 of the store: their columns are
#: not among the first metadata columns but listed last in ``_TABLE``, each in
#: the order of the version that added it, where an upgrade appends them.
_LATER_METADATA = ("page_type", "published_time")
_TABLE: tuple[tuple[str, str], ...] = (
    ("id", "INTEGER PRIMARY KEY"),
    ("source", "TEXT NOT NULL UNIQUE"),  # the input key: path, path#offset, URL
    ("url", "TEXT"),
    ("site", "TEXT"),
    ("kind", "TEXT"),  # html | text
    ("status", "TEXT NOT NULL"),  # ok | empty | failed
    ("stage", "TEXT"),  # for failures (and empty pages)
    ("reason", "TEXT"),
    *((name, "TEXT") for name in METADATA_FIELDS if name not in _LATER_METADATA),
    ("text", "TEXT"),
    ("markdown", "TEXT"),
    ("removed", "TEXT"),  # JSON: a list of Removed.to_dict()
    ("n_chars", "INTEGER NOT NULL DEFAULT 0"),
    ("n_removed_chars", "INTEGER NOT NULL DEFAULT 0"),
    ("content_hash", "TEXT"),
    ("signature", "BLOB"),
    ("duplicate_of", "INTEGER REFERENCES documents(id)"),
    ("similarity", "REAL"),  # estimated Jaccard to the canonical document
    ("fetched", "TEXT"),
    ("model", "TEXT"),  # name@feature-schema-hash of the model that made the document
    ("config", "TEXT"),  # the run's Config, as JSON
    ("encoding", "TEXT"),  # how the input was decoded (Article.encoding)
    ("comments", "TEXT"),  # JSON: a list of Comment.to_dict() (version 4, with page_type)
    ("page_type", "TEXT"),
    ("raw_digest", "TEXT"),  # page_digest of the input as read (version 6): reprocess checks its source against it
    ("published_time", "TEXT"),  # version 7: the UTC instant, where the page states a time and zone
)
assert {name for name, _ in _TABLE} >= set(METADATA_FIELDS), "a metadata field without its column"
#: The columns ``Document.row`` fills; the store sets the id and the duplicate links.
_COLUMNS = tuple(name for name, _ in _TABLE if name not in ("id", "duplicate_of", "similarity"))
#: The metadata fields that hold lists (stored as JSON text).
LIST_FIELDS = frozenset(name for name in METADATA_FIELDS if isinstance(getattr(Metadata(), name), list))

_META = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
_VERSION_SQL = "SELECT value FROM meta WHERE key = 'schema_version'"
#: SQLite's integers (ids, LIMITs): 64-bit.
_MIN_INT, _MAX_INT = -(2**63), 2**63 - 1
#: The first bytes of every SQLite database file.
_SQLITE_HEADER = b"SQLite format 3\x00"
#: Seconds a command waits for another program's lock on the store before it fails
#: ("database is locked"): sqlite3's default, long enough for a batch of ours.
BUSY_SECONDS = 5.0
#: The pages as read, kept with ``ingest --keep-raw`` (version 6), by source key:
#: what ``reprocess`` re-extracts when the source is gone (a URL, stdin).
_RAW_TABLE = """CREATE TABLE IF NOT EXISTS raw (
    source TEXT PRIMARY KEY, kind TEXT NOT NULL, url TEXT, http_charset TEXT, fetched TEXT,
    is_text INTEGER NOT NULL, codec TEXT NOT NULL, content BLOB NOT NULL
)"""

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS documents ({", ".join(f"{name} {decl}" for name, decl in _TABLE)});
CREATE INDEX IF NOT EXISTS documents_hash ON documents(content_hash);
CREATE INDEX IF NOT EXISTS documents_dup ON documents(duplicate_of);
CREATE INDEX IF NOT EXISTS documents_status ON documents(status);
CREATE TABLE IF NOT EXISTS bands (key INTEGER NOT NULL, doc_id INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS bands_key ON bands(key);
{_RAW_TABLE};
INSERT OR IGNORE INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}');
INSERT OR IGNORE INTO meta VALUES ('signature_version', '{dedup.SIGNATURE_VERSION}');
"""


class StoreError(ThresherError):
    """The store file cannot be used (not a thresher store, a newer schema, corrupt)."""


def database_error(path: str, exc: sqlite3.Error) -> str:
    """What an SQLite error met reading or writing the store at ``path`` means, in one line."""
    text = str(exc)
    text = text if len(text) <= 120 else text[:120] + "..."  # "Could not decode ... with text '<a page>'"
    if "disk is full" in text or "disk I/O error" in text:
        return f"cannot write {path}: {text}; what was stored before stays (free some space and run it again)"
    if "locked" in text or "busy" in text:
        return f"{path} is locked by another program (waited {BUSY_SECONDS:g} s): try again when it is done"
    if "malformed" in text or "not a database" in text or "Could not decode" in text:
        return f"{path} is damaged ({text}): restore it from a copy, or ingest into a new store"
    if "readonly" in text or "unable to open" in text:
        return f"cannot open {path} to write it ({text}): is it, or its directory, read-only?"
    return f"{path}: database error ({text})"


def needs_immutable(path: str | Path) -> bool:
    """Whether a reader must open the store as immutable: its directory cannot be
    written (read-only media, a directory of another user's) and the shared-memory
    file a WAL reader needs is not there to be read. Then nothing may be writing it."""
    path = os.path.abspath(path)
    return not os.access(os.path.dirname(path), os.W_OK) and not os.access(f"{path}-shm", os.R_OK)


def _schema_version(path: str, value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise StoreError(f"{path}: not a thresher store (its schema_version is {value!r}, not a number)") from None


@dataclass(slots=True)
class Document:
    """One processed input, ready to store (what an executor's workers return)."""

    source: str
    status: str  # "ok" | "empty" | "failed"
    url: str | None = None
    site: str | None = None
    kind: str | None = None
    stage: str | None = None
    reason: str | None = None
    meta: Metadata = field(default_factory=Metadata)  # stored as one column per field
    text: str = ""
    markdown: str = ""
    removed: list[dict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)
    n_chars: int = 0
    n_removed_chars: int = 0
    content_hash: str | None = None
    signature: bytes | None = None
    band_keys: list[int] = field(default_factory=list)
    fetched: str | None = None
    model: str | None = None  # "blocks-v5@<feature schema hash>"; None for inputs no model saw
    config: str | None = None  # the run's Config.to_dict(), as JSON
    encoding: str | None = None  # how the input was decoded
    raw_digest: str | None = None  # page_digest of the input; set by the worker (process._record_provenance)

    def row(self) -> tuple:
        values = []
        for name in _COLUMNS:
            v = getattr(self.meta if name in METADATA_FIELDS else self, name)
            v = json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v
            values.append(_text(v) if isinstance(v, str) else v)
        return tuple(values)

    def columns(self) -> dict:
        """``row`` by column name: what a Ray run writes to Parquet (``cluster.shards``)."""
        return dict(zip(_COLUMNS, self.row()))


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """One document as the store holds it (``Store.get``, ``Store.iter_documents``).

    ``meta`` holds the metadata fields; ``removed`` the boilerplate stripped,
    with the reasons; ``model`` and ``config`` are ``None`` for a document
    stored before the store recorded them (or one no model saw: an input that
    could not be read)."""

    id: int
    source: str
    url: str | None
    site: str | None
    kind: str | None
    status: str  # "ok" | "empty" | "failed"
    stage: str | None
    reason: str | None
    meta: Metadata
    text: str
    markdown: str
    removed: tuple[Removed, ...]
    comments: tuple[Comment, ...]
    n_chars: int
    n_removed_chars: int
    content_hash: str | None
    duplicate_of: int | None
    similarity: float | None
    fetched: str | None
    model: str | None
    config: dict | None  # Config.to_dict() of the run
    encoding: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> StoredDocument:
        d = dict(row)
        meta = Metadata(**{n: _loads(d[n], []) if n in LIST_FIELDS else d[n] for n in METADATA_FIELDS})
        removed = tuple(Removed(Kind(r["kind"]), r["text"], r["score"], r["reason"]) for r in _loads(d["removed"], []))
        comments = tuple(Comment(**c) for c in _loads(d["comments"], []))
        d |= {"meta": meta, "removed": removed, "comments": comments, "config": _loads(d["config"], None)}
        d |= {"text": d["text"] or "", "markdown": d["markdown"] or ""}
        return cls(**{f.name: d[f.name] for f in fields(cls)})

    def to_dict(self) -> dict:
        """Every field, the metadata fields among them, as JSON would hold them (``show --json``, export)."""
        out: dict = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "meta":
                out |= {name: getattr(value, name) for name in METADATA_FIELDS}
            elif f.name in ("removed", "comments"):
                out[f.name] = [r.to_dict() for r in value]
            else:
                out[f.name] = value
        return out


@dataclass(slots=True)
class BatchStats:
    """What one ``write_batch`` did."""

    added: int = 0
    skipped: int = 0  # already stored
    retried: int = 0  # stored failures tried again, replaced by this result (counted in added too)
    ok: int = 0
    empty: int = 0
    duplicates: int = 0
    failures: dict[str, int] = field(default_factory=dict)  # stage -> count
    reasons: dict[str, int] = field(default_factory=dict)  # "stage: reason class" -> count
    transient: int = 0  # failures that the next run tries again (``failures.transient``)
    chars: int = 0
    removed_chars: int = 0

    def merge(self, other: BatchStats) -> None:
        for name in ("added", "skipped", "retried", "ok", "empty", "duplicates", "transient", "chars", "removed_chars"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mine, theirs in ((self.failures, other.failures), (self.reasons, other.reasons)):
            for k, v in theirs.items():
                mine[k] = mine.get(k, 0) + v

    def count_failure(self, stage: str | None, reason: str | None) -> None:
        stage = stage or "unknown"
        self.failures[stage] = self.failures.get(stage, 0) + 1
        key = f"{stage}: {reason_class(reason)}"
        self.reasons[key] = self.reasons.get(key, 0) + 1
        self.transient += transient(stage, reason)


@dataclass(slots=True)
class ReplaceStats:
    """What one ``replace_documents`` did."""

    replaced: int = 0
    ok: int = 0  # of the replaced: articles (the others are empty pages)
    changed: int = 0  # of the replaced: a text that differs from the stored one
    kept: int = 0  # failed again (or no longer stored): the stored document stays

    def merge(self, other: ReplaceStats) -> None:
        for name in ("replaced", "ok", "changed", "kept"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


class Store:
    """A corpus in one SQLite file. Use as a context manager, or call ``close``."""

    def __init__(self, path: str | Path = "corpus.db", *, create: bool = True, readonly: bool = False):
        """Open the store at ``path``. ``readonly``: for reading only (search, show, export,
        stats...): nothing is ever written, not even to an older store, which is read as
        it is; a read-only file or directory will do. Otherwise the store is created when
        missing (unless ``create`` is false) and an older one upgraded. Either way, a file
        that is not a thresher store, or one of a newer schema, is refused before
        anything is written to it (``_probe``)."""
        self.path = str(path)
        self.readonly = readonly
        #: The schema the store is of: ``SCHEMA_VERSION``, or, read-only, an older one read as it is.
        self.version = SCHEMA_VERSION
        memory = self.path == ":memory:"
        if (readonly or not create) and not memory and not Path(self.path).exists():
            raise StoreError(f"{self.path}: no such store (run `thresher ingest ... --db {self.path}` first)")
        try:
            version = None if memory else self._probe()
            if readonly:
                if version is None:
                    raise StoreError(f"{self.path}: not a thresher store (it holds no store yet)")
                self.db = self._reader = self._connect(readonly=True)
                self._read_as_current(version)
                self.version = version
            else:
                self.db = self._connect()
                self._open_for_writing(version)
                # Lookups get their own connection, so that they can run while another
                # thread writes a batch (WAL lets readers and one writer work at once).
                self._reader = self.db if memory else self._connect(readonly=True)
            signed = self.db.execute("SELECT value FROM meta WHERE key='signature_version'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(database_error(self.path, exc)) from None
        #: Whether stored signatures are comparable with new ones; if not,
        #: the store can be read but not added to.
        self.signatures_current = signed is not None and signed[0] == str(dedup.SIGNATURE_VERSION)

    def _connect(self, *, readonly: bool = False) -> sqlite3.Connection:
        """A connection to the file (by URI: ``mode=ro`` reads only; ``immutable=1`` where
        the directory cannot be written, as on read-only media, where SQLite could not
        make the shared-memory file a WAL reader needs)."""
        if self.path == ":memory:":
            db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        else:
            uri = f"file:{quote(os.fsencode(os.path.abspath(self.path)))}?mode={'ro' if readonly else 'rwc'}"
            if readonly and needs_immutable(self.path):
                uri += "&immutable=1"
            db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, timeout=BUSY_SECONDS)
        db.row_factory = sqlite3.Row
        return db

    def _probe(self) -> int | None:
        """The schema version of the file, read without writing a byte to it; ``None`` for
        a file that holds no store yet (empty, or an SQLite database without tables).
        Raises ``StoreError`` for a file that is not a thresher store (another program's
        database, or no database) or of a newer schema: those are left as they were."""
        try:
            with open(self.path, "rb") as fh:
                head = fh.read(len(_SQLITE_HEADER))
        except FileNotFoundError:
            return None  # a new store
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot read it ({exc.strerror or exc})") from None
        if not head:
            return None
        if head != _SQLITE_HEADER:
            raise StoreError(f"{self.path}: not a thresher store (not an SQLite database)")
        con = self._connect(readonly=True)
        try:
            tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            row = con.execute(_VERSION_SQL).fetchone() if "meta" in tables else None
        finally:
            con.close()
        if row is None:
            if tables - {"meta"}:
                other = ", ".join(sorted(tables)[:4]) + (", ..." if len(tables) > 4 else "")
                raise StoreError(f"{self.path}: not a thresher store (an SQLite database of other tables: {other})")
            return None
        version = _schema_version(self.path, row[0])
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: store schema {version}, this thresher reads {SCHEMA_VERSION}")
        return version

    def _open_for_writing(self, version: int | None) -> None:
        """Set the connection up for writing; create the store (``version`` None) or upgrade it."""
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at each checkpoint, never corrupt
        self.db.execute("PRAGMA foreign_keys=ON")
        # an INSERT OR REPLACE then fires the delete trigger that takes the old row out of the search indexes
        self.db.execute("PRAGMA recursive_triggers=ON")
        self.db.executescript(_META)
        if version is None:
            version = self._version()  # another process may have created it since the probe
        if version is None:
            # one transaction: a store is created whole, its search indexes with it
            indexes = ";\n".join(search.create_statements(trigram=search.trigram_available()))
            self.db.executescript(f"BEGIN IMMEDIATE;\n{_SCHEMA}\n{indexes};\nCOMMIT;")
        elif version < SCHEMA_VERSION:
            self._upgrade()

    def _read_as_current(self, version: int) -> None:
        """Make an older store read as a current one, without writing to it: temporary
        objects (in this connection only) stand in for what an upgrade would add, the
        columns it lacks as NULL (as an upgrade leaves them) and an empty ``raw`` table."""
        have = {row[1] for row in self.db.execute("PRAGMA main.table_info(documents)")}
        missing = [name for name, _ in _TABLE if name not in have]
        if missing:
            nulls = ", ".join(f"NULL AS {name}" for name in missing)
            self.db.execute(f"CREATE TEMP VIEW documents AS SELECT *, {nulls} FROM main.documents")
        if not self.db.execute("SELECT 1 FROM main.sqlite_master WHERE name = 'raw'").fetchone():
            self.db.execute(_RAW_TABLE.replace("CREATE TABLE", "CREATE TEMP TABLE"))
        self.db.execute("PRAGMA query_only=ON")

    def _version(self) -> int | None:
        row = self.db.execute(_VERSION_SQL).fetchone()
        return None if row is None else _schema_version(self.path, row[0])

    def _upgrade(self) -> None:
        """Bring an older store to ``SCHEMA_VERSION``, in one transaction: add the
        columns of ``_TABLE`` it lacks (at the end; no row is touched) and record
        the version. Changes of another kind have their own steps: the search
        indexes of version 5 are rebuilt from the stored articles."""
        try:
            with self._transaction():
                # read under the lock: another process may have upgraded it meanwhile
                version = self._version()
                have = {row[1] for row in self.db.execute("PRAGMA table_info(documents)")}
                for name, decl in _TABLE:
                    if name not in have:
                        self.db.execute(f"ALTER TABLE documents ADD COLUMN {name} {decl}")
                if version < search.SEARCH_INDEX_VERSION:
                    search.rebuild(self.db, trigram=search.trigram_available())
                self.db.execute(_RAW_TABLE)
                self.db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot upgrade the store to schema {SCHEMA_VERSION} ({exc})") from None

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction: committed when the block ends, rolled back when it raises.
        SQLite rolls back by itself after some errors (a full disk): the error raised is
        then still that one, never "cannot rollback - no transaction is active"."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:
                try:
                    self.db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the error that got us here is the one to tell
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._reader is not self.db:
            self._reader.close()
        self.db.close()

    # -- writing ------------------------------------------------------------
    def check_writable(self) -> None:
        """Raise ``StoreError`` if documents cannot be added (opened read-only, or signatures
        of another version)."""
        if self.readonly:
            raise StoreError(f"{self.path}: opened for reading only")
        if not self.signatures_current:
            raise StoreError(
                f"{self.path}: its duplicate signatures are from another thresher version; "
                "ingest into a new store (search, show and export still work)"
            )

    def known(self, sources: Iterable[str], *, retry_failed: bool = False) -> set[str]:
        """Those of ``sources`` stored (committed) and not to be tried again: every
        document but the transient failures (``failures.transient``), and with
        ``retry_failed`` but any failure."""
        stored = {_text(source): source for source in sources}  # as the store writes them
        keys = list(stored)
        out: set[str] = set()
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            q = f"SELECT source, status, stage, reason FROM documents WHERE source IN ({','.join('?' * len(chunk))})"
            for source, status, stage, reason in self._reader.execute(q, chunk):
                if status != "failed" or not (retry_failed or transient(stage, reason)):
                    out.add(stored[source])
        return out

    def write_batch(self, docs: list[Document], pages: Iterable | None = None, *, keep_raw: bool = False) -> BatchStats:
        """Store ``docs`` in one transaction; link duplicates. Sources already stored are
        skipped, but for failures: a new result for a failed source replaces it (the
        failure was tried again, see ``known``), as a new arrival (the last id).

        ``pages`` are the inputs the documents were made from (``Raw``; anything
        else is ignored): with ``keep_raw`` each page is kept, compressed, for
        ``reprocess`` (the worker has stamped its digest on its document already)."""
        self.check_writable()
        stats = BatchStats()
        cols = ",".join(_COLUMNS)
        marks = ",".join("?" * len(_COLUMNS))
        raws = {p.source: p for p in pages or () if isinstance(p, Raw)} if keep_raw else {}
        with self._transaction():
            for doc in docs:
                cur = self.db.execute(f"INSERT OR IGNORE INTO documents ({cols}) VALUES ({marks})", doc.row())
                if not cur.rowcount:
                    if not self._drop_failure(doc.source):
                        stats.skipped += 1
                        continue
                    stats.retried += 1
                    cur = self.db.execute(f"INSERT INTO documents ({cols}) VALUES ({marks})", doc.row())
                stats.added += 1
                if (raw := raws.get(doc.source)) is not None:
                    self._keep_raw(raw)
                if doc.status == "failed":
                    stats.count_failure(doc.stage, doc.reason)
                    continue
                if doc.status == "empty":
                    stats.empty += 1
                    continue
                stats.ok += 1
                stats.chars += doc.n_chars
                stats.removed_chars += doc.n_removed_chars
                stats.duplicates += self._link(cur.lastrowid, doc)
        return stats

    def _keep_raw(self, raw: Raw) -> None:
        """Store the page as read, compressed (``RAW_LEVEL``); str content (JSONL) as UTF-8."""
        is_text = isinstance(raw.content, str)
        data = raw.content.encode("utf-8", "surrogatepass") if isinstance(raw.content, str) else raw.content
        self.db.execute(
            "INSERT OR REPLACE INTO raw (source, kind, url, http_charset, fetched, is_text, codec, content) "
            "VALUES (?, ?, ?, ?, ?, ?, 'zlib', ?)",
            (
                _text(raw.source),
                raw.kind,
                raw.url and _text(raw.url),
                raw.http_charset,
                raw.fetched,
                int(is_text),
                zlib.compress(data, RAW_LEVEL),
            ),
        )

    def has_raw(self, source: str) -> bool:
        """Whether ``ingest --keep-raw`` kept the page of ``source``."""
        return self._reader.execute("SELECT 1 FROM raw WHERE source = ?", (_text(source),)).fetchone() is not None

    def raw(self, source: str) -> Raw | None:
        """The page of ``source`` as it was read, if ``ingest --keep-raw`` kept it."""
        row = self._reader.execute(
            "SELECT kind, url, http_charset, fetched, is_text, codec, content FROM raw WHERE source = ?",
            (_text(source),),
        ).fetchone()
        if row is None:
            return None
        kind, url, charset, fetched, is_text, codec, blob = row
        if codec != "zlib":
            raise StoreError(f"{self.path}: raw copy of {source} is in an unknown codec {codec!r}")
        data = zlib.decompress(blob)
        content = data.decode("utf-8", "surrogatepass") if is_text else data
        return Raw(source=source, content=content, kind=kind, url=url, http_charset=charset, fetched=fetched)

    def _drop_failure(self, source: str) -> bool:
        """Delete the stored failure of ``source``, if that is what is stored; whether it was.
        A failure has no text, bands or duplicate links, so nothing else refers to it."""
        return bool(
            self.db.execute("DELETE FROM documents WHERE source = ? AND status = 'failed'", (_text(source),)).rowcount
        )

    def _link(self, doc_id: int, doc: Document) -> int:
        """Link ``doc`` to its duplicate group; return 1 if it is a duplicate of an earlier document.

        Costs the same whatever the size of the group joined (``_duplicates`` finds it
        by index, one candidate per group is judged), but for a new canonical
        document: then every member of the groups it joins is pointed at it."""
        matches = self._duplicates(doc_id, doc)
        if not matches:
            return 0
        canon_ids = sorted({canon for canon, _ in matches.values()})
        members = [doc_id, *canon_ids]
        marks = ",".join("?" * len(members))
        # fullest, then earliest published (undated last), then first to arrive
        best, best_hash, best_sig = self.db.execute(
            f"SELECT id, content_hash, signature FROM documents WHERE id IN ({marks}) "
            "ORDER BY n_chars DESC, published IS NULL, published, id LIMIT 1",
            members,
        ).fetchone()
        others = [c for c in canon_ids if c != best]
        if others:  # groups merged, or a fuller copy arrived: their members now point at the canonical one
            marks = ",".join("?" * len(others))
            self.db.execute(f"UPDATE documents SET duplicate_of = ? WHERE duplicate_of IN ({marks})", [best, *others])
            self.db.execute(f"UPDATE documents SET duplicate_of = ? WHERE id IN ({marks})", [best, *others])
        if best != doc_id:
            # the estimated Jaccard to the canonical document; if it is a duplicate only through
            # another member of its group, the highest similarity to a member judged
            mine = dedup.Fingerprint.stored(doc.content_hash or "", doc.signature or b"")
            sim = dedup.duplicate_similarity(mine, dedup.Fingerprint.stored(best_hash, best_sig or b""))
            sim = sim or max(s for _, s in matches.values())
            self.db.execute(
                "UPDATE documents SET duplicate_of = ?, similarity = ? WHERE id = ?", (best, round(sim, 4), doc_id)
            )
        return 1

    def _duplicates(self, doc_id: int, doc: Document) -> dict[int, tuple[int, float]]:
        """The stored documents ``doc`` duplicates, one per group: ``{id: (its canonical id,
        similarity)}``. The decision is ``dedup.duplicate_similarity``'s; it is asked of the only
        documents that can pass it, found by index: the first earlier document with the same
        content hash (all of them are in one group) and those sharing a band key, the first of
        each group. Stores ``doc``'s band keys (``_add_bands``)."""
        exact = None
        if doc.content_hash:  # only articles have one
            exact = self.db.execute(
                # earlier documents only: what a document arriving now finds (``relink`` replays arrivals)
                "SELECT id, COALESCE(duplicate_of, id) FROM documents WHERE content_hash = ? AND id < ? LIMIT 1",
                (doc.content_hash, doc_id),
            ).fetchone()
        candidates = []
        if doc.band_keys:
            marks = ",".join("?" * len(doc.band_keys))
            candidates = self.db.execute(
                "SELECT id, content_hash, signature, COALESCE(duplicate_of, id) FROM documents "
                f"WHERE id IN (SELECT doc_id FROM bands WHERE key IN ({marks})) ORDER BY id",
                doc.band_keys,
            ).fetchall()
            if exact is None:  # an exact copy's keys are those of its first copy: nothing to add
                self._add_bands(doc_id, doc.band_keys)
        if not doc.content_hash:
            return {}
        matches: dict[int, tuple[int, float]] = {}
        if exact is not None:
            matches[exact[0]] = (exact[1], 1.0)
        mine = dedup.Fingerprint.stored(doc.content_hash, doc.signature or b"")
        groups = {canon for canon, _ in matches.values()}
        for other, digest, blob, canon in candidates:
            if canon in groups:
                continue  # its group is found: one member is enough
            s = dedup.duplicate_similarity(mine, dedup.Fingerprint.stored(digest, blob or b""))
            if s is not None:
                matches[other] = (canon, s)
                groups.add(canon)
        return matches

    def _add_bands(self, doc_id: int, keys: list[int]) -> None:
        """Index ``doc_id`` under its band keys, but in no bucket already holding
        ``BAND_BUCKET_CAP`` documents: a near-duplicate of them still finds those."""
        marks = ",".join("?" * len(keys))
        full = {
            key
            for key, n in self.db.execute(f"SELECT key, COUNT(*) FROM bands WHERE key IN ({marks}) GROUP BY key", keys)
            if n >= BAND_BUCKET_CAP
        }
        self.db.executemany(
            "INSERT INTO bands (key, doc_id) VALUES (?, ?)", [(k, doc_id) for k in keys if k not in full]
        )

    # -- reprocessing ---------------------------------------------------------
    def reprocess_plan(self, models: dict[str, str], config: str, *, everything: bool = False) -> tuple[list, int]:
        """The documents ``reprocess`` re-extracts, in id order, as ``(id, source, raw_digest)``,
        and how many it leaves because they are current. Every article and empty page is
        planned, and every failure of extraction or cleaning (not those of reading: there
        is no page), unless it was made by ``models[kind]`` with ``config`` already (a
        ``Config.to_dict()`` as JSON); with ``everything``, current or not."""
        eligible = "(status != 'failed' OR stage IN ('extract', 'clean'))"
        current = "(model IS CASE kind WHEN 'text' THEN ? ELSE ? END AND config IS ?)"
        args = (models["text"], models["html"], config)
        total = self._reader.execute(f"SELECT COUNT(*) FROM documents WHERE {eligible}").fetchone()[0]
        where = eligible if everything else f"{eligible} AND NOT {current}"
        plan = self._reader.execute(
            f"SELECT id, source, raw_digest FROM documents WHERE {where} ORDER BY id", () if everything else args
        ).fetchall()
        return [tuple(row) for row in plan], total - len(plan)

    def replace_documents(self, docs: list[Document]) -> ReplaceStats:
        """Replace the stored documents of ``docs``' sources by them, in one transaction:
        what ``reprocess`` writes. A failed document replaces nothing (the stored one is
        kept), and neither does one whose source is not stored. The id, the source and
        the page digest stay; the duplicate links wait for ``relink``, which the store
        records as pending until it has run."""
        self.check_writable()
        stats = ReplaceStats()
        cols = [name for name in _COLUMNS if name not in ("source", "raw_digest")]
        sets = ", ".join(f"{name} = ?" for name in cols)
        index = {name: i for i, name in enumerate(_COLUMNS)}
        with self._transaction():
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('relink_pending', '1')")
            for doc in docs:
                old = self.db.execute(
                    "SELECT id, text FROM documents WHERE source = ?", (_text(doc.source),)
                ).fetchone()
                if doc.status == "failed" or old is None:
                    stats.kept += 1
                    continue
                row = doc.row()
                self.db.execute(
                    f"UPDATE documents SET {sets}, duplicate_of = NULL, similarity = NULL WHERE id = ?",
                    [row[index[name]] for name in cols] + [old[0]],
                )
                stats.replaced += 1
                stats.ok += doc.status == "ok"
                stats.changed += (old[1] or "") != doc.text
        return stats

    @property
    def relink_pending(self) -> bool:
        """Whether documents were replaced since the duplicate links were last made."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'relink_pending'").fetchone()
        return row is not None and row[0] == "1"

    def relink(self) -> int:
        """Make every duplicate link again, in one transaction; return the duplicates.

        The links and LSH bands are dropped and the articles arrive again, in id
        order (the order they first arrived in), through the very steps of
        ``write_batch``: the links are those a fresh ingest of the same documents
        would make."""
        self.check_writable()
        with self._transaction():
            self.db.execute("DELETE FROM bands")
            self.db.execute(
                "UPDATE documents SET duplicate_of = NULL, similarity = NULL "
                "WHERE duplicate_of IS NOT NULL OR similarity IS NOT NULL"
            )
            last = 0
            while rows := self.db.execute(
                "SELECT id, content_hash, signature FROM documents WHERE status = 'ok' AND id > ? ORDER BY id LIMIT 512",
                (last,),
            ).fetchall():
                for doc_id, digest, blob in rows:
                    keys = dedup.band_keys(dedup.signature_from_bytes(blob)) if blob else []
                    self._link(doc_id, Document("", "ok", content_hash=digest, signature=blob, band_keys=keys))
                last = rows[-1][0]
            self.db.execute("DELETE FROM meta WHERE key = 'relink_pending'")
        return self.db.execute("SELECT COUNT(*) FROM documents WHERE duplicate_of IS NOT NULL").fetchone()[0]

    # -- reading ------------------------------------------------------------
    def get(self, doc_id: int) -> StoredDocument | None:
        if not _MIN_INT <= doc_id <= _MAX_INT:  # no such id can be stored
            return None
        row = self.db.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return StoredDocument.from_row(row) if row else None

    def search(
        self,
        query: str,
        *,
        limit: int = 20,
        include_duplicates: bool = False,
        syntax: Literal["plain", "fts"] = "plain",
        time_budget: float = search.TIME_BUDGET,
    ) -> list[SearchHit]:
        """The articles matching ``query``, best first, each with its text around the match.

        ``syntax="plain"`` (the default) searches a person's words: every word,
        or "quoted phrase", must occur, punctuation in them (``covid-19``,
        ``U.S.``) is cut as the index cut the text, and Chinese, Japanese, Thai...
        are found as written. ``syntax="fts"`` takes SQLite FTS5's query
        language (AND/OR/NOT, NEAR, ``title:``, ``prefix*``). A query over the
        cost limits, bad FTS5 syntax, or one still running after
        ``time_budget`` seconds raises ``search.QueryError`` (a ``ThresherError``)."""
        if _text(query) != query:  # a byte that did not decode, on the command line
            raise search.QueryError(f"search query {_text(query)!r} is not valid text (an undecodable byte)")
        return search.search(
            self._reader,
            query,
            limit=min(limit, _MAX_INT),
            include_duplicates=include_duplicates,
            syntax=syntax,
            time_budget=time_budget,
        )

    def iter_documents(self, *, include_failed: bool = False) -> Iterator[StoredDocument]:
        """Every stored document in id order, streamed."""
        where = "" if include_failed else "WHERE status = 'ok'"
        cur = self.db.cursor()
        cur.execute(f"SELECT * FROM documents {where} ORDER BY id")
        while rows := cur.fetchmany(256):
            yield from map(StoredDocument.from_row, rows)

    def stats(self) -> dict:
        q = self.db.execute
        by_status = dict(q("SELECT status, COUNT(*) FROM documents GROUP BY status").fetchall())
        chars, removed = q(
            "SELECT COALESCE(SUM(n_chars),0), COALESCE(SUM(n_removed_chars),0) FROM documents"
        ).fetchone()
        return {
            "documents": sum(by_status.values()),
            "articles": by_status.get("ok", 0),
            "empty": by_status.get("empty", 0),
            "failed": by_status.get("failed", 0),
            "duplicates": q("SELECT COUNT(*) FROM documents WHERE duplicate_of IS NOT NULL").fetchone()[0],
            "sites": q("SELECT COUNT(DISTINCT site) FROM documents WHERE status = 'ok'").fetchone()[0],
            "languages": dict(
                q(
                    "SELECT language, COUNT(*) FROM documents WHERE status='ok' GROUP BY language ORDER BY 2 DESC"
                ).fetchall()
            ),
            "failures": dict(
                q("SELECT stage, COUNT(*) FROM documents WHERE status='failed' GROUP BY stage").fetchall()
            ),
            "transient": self._transient_failures(),  # of the failures: tried again by the next ingest
            "raw_copies": q("SELECT COUNT(*) FROM raw").fetchone()[0],
            "removed_share": round(removed / (chars + removed), 4) if chars + removed else 0.0,
            "mix": self.mix(),
        }

    def _transient_failures(self) -> int:
        """How many failures the next ingest of their inputs tries again."""
        rows = self.db.execute("SELECT stage, reason FROM documents WHERE status = 'failed'")
        return sum(transient(stage, reason) for stage, reason in rows)

    def failures(self, *, limit: int | None = None) -> list[FailureGroup]:
        """The stored failures grouped by stage and reason class, largest group first,
        each with its first ``limit`` sources (``thresher failures``)."""
        rows = self.db.execute("SELECT id, source, stage, reason FROM documents WHERE status = 'failed' ORDER BY id")
        return group_failures(rows, limit=limit)

    def mix(self) -> list[dict]:
        """How many documents (articles and empty pages) each model and config produced, most first.

        ``model`` and ``config`` are ``None`` for documents stored before the
        store recorded them; ``config`` is the ``Config.to_dict()`` of the run."""
        rows = self.db.execute(
            "SELECT model, config, COUNT(*) FROM documents WHERE status != 'failed' "
            "GROUP BY model, config ORDER BY 3 DESC, 1, 2"
        ).fetchall()
        return [{"model": m, "config": json.loads(c) if c else None, "documents": n} for m, c, n in rows]


def page_digest(content: bytes | str) -> str:
    """A digest of a page as read (str content as UTF-8): what tells ``reprocess`` that a
    source still holds the page a document was made from."""
    data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _text(value: str) -> str:
    """``value`` as SQLite can hold it: valid UTF-8. A lone surrogate (a file name's
    undecodable byte, a JSON ``\\ud800``) is written as its escape (``\\udcff``),
    so every key has one stored form and a re-run finds it."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def _loads(value: str | None, empty):
    """A JSON column's value; ``empty`` for NULL or an empty string."""
    return json.loads(value) if value else empty
