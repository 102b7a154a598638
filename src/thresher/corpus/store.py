"""The corpus store: one embedded SQLite file (WAL), searchable with FTS5.

One row per input key (``documents.source``): an article, an empty page, or a
failure with its stage and reason. ``write_batch`` writes a batch of processed
documents in one transaction, so a run killed at any moment leaves whole
batches and nothing half-written; a source already stored is skipped, so
re-running the same inputs adds and changes nothing.

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
of an older schema is upgraded when it is opened (columns are added, nothing
is dropped or rewritten); a newer one is refused. ``get`` and
``iter_documents`` return ``StoredDocument`` records.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Self

from ..errors import ThresherError
from ..types import METADATA_FIELDS, Comment, Kind, Metadata, Removed
from . import dedup

__all__ = ["SCHEMA_VERSION", "BatchStats", "Document", "Store", "StoreError", "StoredDocument"]

#: Bumped when the tables change. An older store is upgraded when it is opened
#: (``Store._upgrade``); a newer one is refused with a clear error.
SCHEMA_VERSION = 4

#: The documents table, column by column. The metadata columns are
#: ``METADATA_FIELDS``, declared once (``types.Metadata``); lists are stored as
#: JSON text. Columns added after version 1 come last (model and config in 2,
#: encoding in 3), as an upgrade appends them: an upgraded store has the
#: columns of a new one.
#: Metadata fields declared after version 1 of the store: their columns come
#: last, where an upgrade appends them.
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
    *((name, "TEXT") for name in _LATER_METADATA),
)
#: The columns ``Document.row`` fills; the store sets the id and the duplicate links.
_COLUMNS = tuple(name for name, _ in _TABLE if name not in ("id", "duplicate_of", "similarity"))
#: The metadata fields that hold lists (stored as JSON text).
_LIST_FIELDS = frozenset(name for name in METADATA_FIELDS if isinstance(getattr(Metadata(), name), list))

_META = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS documents ({", ".join(f"{name} {decl}" for name, decl in _TABLE)});
CREATE INDEX IF NOT EXISTS documents_hash ON documents(content_hash);
CREATE INDEX IF NOT EXISTS documents_dup ON documents(duplicate_of);
CREATE INDEX IF NOT EXISTS documents_status ON documents(status);
CREATE TABLE IF NOT EXISTS bands (key INTEGER NOT NULL, doc_id INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS bands_key ON bands(key);
CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(
    title, text, content='documents', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS documents_ai AFTER INSERT ON documents WHEN new.status = 'ok' BEGIN
    INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
INSERT OR IGNORE INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}');
INSERT OR IGNORE INTO meta VALUES ('signature_version', '{dedup.SIGNATURE_VERSION}');
"""


class StoreError(ThresherError):
    """The store file cannot be used (not a thresher store, a newer schema, corrupt)."""


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

    def row(self) -> tuple:
        values = []
        for name in _COLUMNS:
            v = getattr(self.meta if name in METADATA_FIELDS else self, name)
            values.append(json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v)
        return tuple(values)


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
        meta = Metadata(**{n: _loads(d[n], []) if n in _LIST_FIELDS else d[n] for n in METADATA_FIELDS})
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
    ok: int = 0
    empty: int = 0
    duplicates: int = 0
    failures: dict[str, int] = field(default_factory=dict)  # stage -> count
    chars: int = 0
    removed_chars: int = 0

    def merge(self, other: BatchStats) -> None:
        for name in ("added", "skipped", "ok", "empty", "duplicates", "chars", "removed_chars"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for k, v in other.failures.items():
            self.failures[k] = self.failures.get(k, 0) + v


class Store:
    """A corpus in one SQLite file. Use as a context manager, or call ``close``."""

    def __init__(self, path: str | Path = "corpus.db", *, create: bool = True):
        self.path = str(path)
        if not create and self.path != ":memory:" and not Path(self.path).exists():
            raise StoreError(f"{self.path}: no such store (run `thresher ingest ... --db {self.path}` first)")
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at each checkpoint, never corrupt
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.executescript(_META)
            version = self._version()
            if version is None:
                self.db.executescript(_SCHEMA)
                version = SCHEMA_VERSION
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a thresher store ({exc})") from None
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: store schema {version}, this thresher reads {SCHEMA_VERSION}")
        if version < SCHEMA_VERSION:
            self._upgrade()
        signed = self.db.execute("SELECT value FROM meta WHERE key='signature_version'").fetchone()[0]
        #: Whether stored signatures are comparable with new ones; if not,
        #: the store can be read but not added to.
        self.signatures_current = int(signed) == dedup.SIGNATURE_VERSION
        # Lookups get their own connection, so that they can run while another
        # thread writes a batch (WAL lets readers and one writer work at once).
        self._reader = self.db if self.path == ":memory:" else sqlite3.connect(self.path, check_same_thread=False)

    def _version(self) -> int | None:
        row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return None if row is None else int(row[0])

    def _upgrade(self) -> None:
        """Bring an older store to ``SCHEMA_VERSION``, in one transaction: add the
        columns of ``_TABLE`` it lacks (at the end; no row is touched) and record
        the version. (Every change so far adds columns; a change of another kind
        would need its own step here.)"""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            # read under the lock: another process may have upgraded it meanwhile
            have = {row[1] for row in self.db.execute("PRAGMA table_info(documents)")}
            for name, decl in _TABLE:
                if name not in have:
                    self.db.execute(f"ALTER TABLE documents ADD COLUMN {name} {decl}")
            self.db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
            self.db.execute("COMMIT")
        except BaseException as exc:
            self.db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.DatabaseError):
                raise StoreError(f"{self.path}: cannot upgrade the store to schema {SCHEMA_VERSION} ({exc})") from None
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
        """Raise ``StoreError`` if documents cannot be added (signatures of another version)."""
        if not self.signatures_current:
            raise StoreError(
                f"{self.path}: its duplicate signatures are from another thresher version; "
                "ingest into a new store (search, show and export still work)"
            )

    def known(self, sources: Iterable[str]) -> set[str]:
        """Those of ``sources`` already stored (committed)."""
        sources = list(sources)
        out: set[str] = set()
        for i in range(0, len(sources), 500):
            chunk = sources[i : i + 500]
            q = f"SELECT source FROM documents WHERE source IN ({','.join('?' * len(chunk))})"
            out.update(r[0] for r in self._reader.execute(q, chunk))
        return out

    def write_batch(self, docs: list[Document]) -> BatchStats:
        """Store ``docs`` in one transaction; link duplicates. Sources already stored are skipped."""
        self.check_writable()
        stats = BatchStats()
        cols = ",".join(_COLUMNS)
        marks = ",".join("?" * len(_COLUMNS))
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for doc in docs:
                cur = self.db.execute(f"INSERT OR IGNORE INTO documents ({cols}) VALUES ({marks})", doc.row())
                if not cur.rowcount:
                    stats.skipped += 1
                    continue
                stats.added += 1
                if doc.status == "failed":
                    stats.failures[doc.stage or "unknown"] = stats.failures.get(doc.stage or "unknown", 0) + 1
                    continue
                if doc.status == "empty":
                    stats.empty += 1
                    continue
                stats.ok += 1
                stats.chars += doc.n_chars
                stats.removed_chars += doc.n_removed_chars
                stats.duplicates += self._link(cur.lastrowid, doc)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return stats

    def _link(self, doc_id: int, doc: Document) -> int:
        """Link ``doc`` to its duplicate group; return 1 if it is a duplicate of an earlier document."""
        matches = self._duplicates(doc_id, doc)
        if not matches:
            return 0
        # the groups the matches belong to, by their canonical documents
        canon_ids = set()
        for other in matches:
            row = self.db.execute("SELECT COALESCE(duplicate_of, id) FROM documents WHERE id = ?", (other,)).fetchone()
            canon_ids.add(row[0])
        members = [doc_id, *canon_ids]
        marks = ",".join("?" * len(members))
        # fullest, then earliest published (undated last), then first to arrive
        best = self.db.execute(
            f"SELECT id FROM documents WHERE id IN ({marks}) "
            "ORDER BY n_chars DESC, published IS NULL, published, id LIMIT 1",
            members,
        ).fetchone()[0]
        canon_marks = ",".join("?" * len(canon_ids))
        self.db.execute(
            f"UPDATE documents SET duplicate_of = ? WHERE (duplicate_of IN ({canon_marks}) OR id IN ({canon_marks}) OR id = ?) AND id != ?",
            [best, *canon_ids, *canon_ids, doc_id, best],
        )
        self.db.execute("UPDATE documents SET duplicate_of = NULL, similarity = NULL WHERE id = ?", (best,))
        sim = matches.get(best) or max(matches.values())
        if best != doc_id:
            self.db.execute("UPDATE documents SET similarity = ? WHERE id = ?", (round(sim, 4), doc_id))
        return 1

    def _duplicates(self, doc_id: int, doc: Document) -> dict[int, float]:
        """The stored documents ``doc`` duplicates, with the similarity of each. The decision is
        ``dedup.duplicate_similarity``'s; it is asked of the only documents that can pass it, found
        by index: those with the same content hash or a shared band key. Stores ``doc``'s band keys."""
        candidates = []
        if doc.content_hash:  # only articles have one
            candidates += self.db.execute(
                "SELECT id, content_hash, signature FROM documents WHERE content_hash = ? AND id != ?",
                (doc.content_hash, doc_id),
            ).fetchall()
        if doc.band_keys:
            marks = ",".join("?" * len(doc.band_keys))
            candidates += self.db.execute(
                "SELECT DISTINCT d.id, d.content_hash, d.signature FROM bands b JOIN documents d ON d.id = b.doc_id "
                f"WHERE b.key IN ({marks})",
                doc.band_keys,
            ).fetchall()
            self.db.executemany("INSERT INTO bands (key, doc_id) VALUES (?, ?)", [(k, doc_id) for k in doc.band_keys])
        if not doc.content_hash:
            return {}
        mine = dedup.Fingerprint.stored(doc.content_hash, doc.signature or b"")
        matches: dict[int, float] = {}
        for other, digest, blob in candidates:
            if other not in matches:
                s = dedup.duplicate_similarity(mine, dedup.Fingerprint.stored(digest, blob or b""))
                if s is not None:
                    matches[other] = s
        return matches

    # -- reading ------------------------------------------------------------
    def get(self, doc_id: int) -> StoredDocument | None:
        row = self.db.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return StoredDocument.from_row(row) if row else None

    def search(self, query: str, *, limit: int = 20, include_duplicates: bool = False) -> list[dict]:
        """Articles matching an FTS5 ``query``, best first, with a highlighted snippet."""
        dup = "" if include_duplicates else "AND d.duplicate_of IS NULL"
        try:
            rows = self.db.execute(
                "SELECT d.id, d.title, d.url, d.source, d.site, d.published, d.duplicate_of, "
                "snippet(documents_fts, 1, '[', ']', '…', 16) AS snippet "
                f"FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid WHERE documents_fts MATCH ? {dup} "
                "ORDER BY bm25(documents_fts, 2.0, 1.0) LIMIT ?",
                (query, limit),
            ).fetchall()
        except sqlite3.OperationalError as exc:
            raise StoreError(f"bad search query {query!r}: {exc}") from None
        return [dict(r) for r in rows]

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
            "removed_share": round(removed / (chars + removed), 4) if chars + removed else 0.0,
            "mix": self.mix(),
        }

    def mix(self) -> list[dict]:
        """How many documents (articles and empty pages) each model and config produced, most first.

        ``model`` and ``config`` are ``None`` for documents stored before the
        store recorded them; ``config`` is the ``Config.to_dict()`` of the run."""
        rows = self.db.execute(
            "SELECT model, config, COUNT(*) FROM documents WHERE status != 'failed' "
            "GROUP BY model, config ORDER BY 3 DESC, 1, 2"
        ).fetchall()
        return [{"model": m, "config": json.loads(c) if c else None, "documents": n} for m, c, n in rows]


def _loads(value: str | None, empty):
    """A JSON column's value; ``empty`` for NULL or an empty string."""
    return json.loads(value) if value else empty
