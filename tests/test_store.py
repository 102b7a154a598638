"""The corpus store: upgrading older stores, the provenance of each document, what it returns."""

from __future__ import annotations

import json
import random
import sqlite3
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_ingest import TOPICS, page
from thresher.cli import main
from thresher.config import Config
from thresher.corpus import dedup
from thresher.corpus.process import process_batch
from thresher.corpus.sources import Failure, Raw
from thresher.corpus.store import BAND_BUCKET_CAP, SCHEMA_VERSION, Document, Store, StoredDocument, StoreError
from thresher.types import METADATA_FIELDS, Kind, Metadata, Removed

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

#: The tables of a version-1 store, as thresher 0.1 wrote them (frozen here:
#: the upgrade must keep working on the files users have).
SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL UNIQUE,
    url TEXT, site TEXT, kind TEXT,
    status TEXT NOT NULL,
    stage TEXT, reason TEXT,
    title TEXT, authors TEXT, published TEXT, updated TEXT, site_name TEXT, language TEXT,
    canonical_url TEXT, description TEXT, image TEXT, section TEXT, tags TEXT, dateline TEXT,
    text TEXT, markdown TEXT, removed TEXT,
    n_chars INTEGER NOT NULL DEFAULT 0, n_removed_chars INTEGER NOT NULL DEFAULT 0,
    content_hash TEXT, signature BLOB,
    duplicate_of INTEGER REFERENCES documents(id),
    similarity REAL,
    fetched TEXT
);
CREATE INDEX documents_hash ON documents(content_hash);
CREATE INDEX documents_dup ON documents(duplicate_of);
CREATE INDEX documents_status ON documents(status);
CREATE TABLE bands (key INTEGER NOT NULL, doc_id INTEGER NOT NULL);
CREATE INDEX bands_key ON bands(key);
CREATE VIRTUAL TABLE documents_fts USING fts5(
    title, text, content='documents', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER documents_ai AFTER INSERT ON documents WHEN new.status = 'ok' BEGIN
    INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO meta VALUES ('signature_version', '2');
"""
V1_COLUMNS = (
    "source", "url", "site", "kind", "status", "stage", "reason", "title", "authors", "published", "updated",
    "site_name", "language", "canonical_url", "description", "image", "section", "tags", "dateline", "text",
    "markdown", "removed", "n_chars", "n_removed_chars", "content_hash", "signature", "fetched",
)  # fmt: skip


def v1_store(path: Path) -> list[dict]:
    """A version-1 store holding two articles and a failure, written as version 1 wrote them; its rows."""
    batch = [Raw("a.html", page(*TOPICS[0])), Raw("b.html", page(*TOPICS[1])), Failure("c.html", "read", "empty file")]
    con = sqlite3.connect(path)
    con.executescript(SCHEMA_V1)
    for doc in process_batch(batch):
        meta = {name: getattr(doc.meta, name) for name in ("title", "authors", "published", "updated", "site_name",
                "language", "canonical_url", "description", "image", "section", "tags", "dateline")}  # fmt: skip
        values = [meta[c] if c in meta else getattr(doc, c) for c in V1_COLUMNS]
        values = [json.dumps(v) if isinstance(v, list) else v for v in values]
        cur = con.execute(
            f"INSERT INTO documents ({','.join(V1_COLUMNS)}) VALUES ({','.join('?' * len(values))})", values
        )
        con.executemany("INSERT INTO bands VALUES (?, ?)", [(k, cur.lastrowid) for k in doc.band_keys])
    con.commit()
    cur = con.execute("SELECT * FROM documents ORDER BY id")
    rows = [dict(zip([c[0] for c in cur.description], row)) for row in cur]
    con.close()
    return rows


def table_info(path: Path) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA table_info(documents)").fetchall()
    finally:
        con.close()


def test_a_version_1_store_is_upgraded_without_losing_data(tmp_path):
    old = tmp_path / "v1.db"
    before = v1_store(old)
    with Store(old) as store:
        assert store.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(
            SCHEMA_VERSION
        )
        after = [dict(r) for r in store.db.execute("SELECT * FROM documents ORDER BY id")]
        assert [{k: r[k] for k in before[0]} for r in after] == before  # every value of every row kept
        assert {(r["model"], r["config"], r["encoding"]) for r in after} == {(None, None, None)}  # not known
        first = store.get(1)
        assert first.meta.title == before[0]["title"] and first.meta.authors == json.loads(before[0]["authors"])
        assert first.text == before[0]["text"] and first.model is first.config is None
        assert len(before) == 3 and before[0]["signature"] and before[0]["text"]
        assert [h.source for h in store.search("harbour")] == ["a.html"]  # the full-text index still works
        # The old documents' signatures still find duplicates: a copy of a.html links to it.
        report_docs = process_batch([Raw("copy-of-a.html", page(*TOPICS[0], site="Courier"))])
        assert store.write_batch(report_docs).duplicates == 1
        (dup_of, model) = store.db.execute(
            "SELECT duplicate_of, model FROM documents WHERE source = 'copy-of-a.html'"
        ).fetchone()
        assert dup_of == 1 and model.startswith(Config().model + "@")
    fresh = tmp_path / "new.db"
    Store(fresh).close()
    assert table_info(old) == table_info(fresh)  # the upgraded store has a new store's columns, in order
    with Store(old) as store:  # opening it again changes nothing
        assert len(store.db.execute("SELECT * FROM documents").fetchall()) == 4


def test_a_store_of_a_newer_schema_is_refused(tmp_path):
    db = tmp_path / "c.db"
    Store(db).close()
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    con.commit()
    con.close()
    with pytest.raises(StoreError, match=f"store schema {SCHEMA_VERSION + 1}, this thresher reads {SCHEMA_VERSION}"):
        Store(db)


# -- provenance ---------------------------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_each_document_records_its_model_and_config_and_stats_show_the_mix(tmp_path):
    db = tmp_path / "c.db"
    assert run("ingest", SAMPLES / "pages", "--db", db, "-j", "2").exit_code == 0
    assert run("ingest", SAMPLES / "dumps", "--db", db, "-j", "1", "--favor", "precision").exit_code == 0
    con = sqlite3.connect(db)
    by_kind = {}
    for kind, model, config in con.execute("SELECT kind, model, config FROM documents"):
        by_kind.setdefault(kind, set()).add((model.split("@")[0], config))
    assert by_kind == {
        "html": {(Config().model, json.dumps(Config().to_dict()))},
        "text": {(Config().line_model, json.dumps(Config(favor="precision").to_dict()))},
    }
    mix = json.loads(run("stats", "--db", db, "--json").output)["mix"]
    assert [(m["model"].split("@")[0], m["config"]["favor"], m["documents"]) for m in mix] == [
        (Config().model, "balanced", 7),
        (Config().line_model, "precision", 2),
    ]
    assert all(len(m["model"].split("@")[1]) == 16 for m in mix)  # the feature schema's hash
    text = run("stats", "--db", db).output
    assert f"produced by:   7 {mix[0]['model']} with the default config\n" in text
    assert f'               2 {mix[1]["model"]} with favor="precision"\n' in text


def test_stats_count_documents_stored_before_provenance_apart(tmp_path):
    v1_store(tmp_path / "v1.db")
    text = run("stats", "--db", tmp_path / "v1.db").output
    assert "produced by:   2 stored before models and configs were recorded" in text


# -- the typed record ------------------------------------------------------------------------------


def test_get_returns_a_typed_record_with_every_metadata_field(tmp_path):
    """Every field of Metadata goes into its own column and comes back as it went in."""
    meta = Metadata(**{name: [f"{name} 1", f"{name} 2"] if isinstance(value, list) else f"the {name}"
                       for name, value in vars_of(Metadata()).items()})  # fmt: skip
    doc = process_batch([Raw("a.html", page(*TOPICS[0]).encode("cp1252"), http_charset="cp1252")])[0]
    doc.meta = meta
    with Store(":memory:") as store:
        store.write_batch([doc])
        got = store.get(1)
        assert store.get(2) is None
    assert isinstance(got, StoredDocument) and isinstance(got.meta, Metadata)
    assert got.meta == meta
    assert (got.id, got.source, got.status, got.kind, got.encoding) == (1, "a.html", "ok", "html", "cp1252")
    assert got.text == doc.text and got.markdown == doc.markdown and got.n_chars == len(doc.text)
    assert got.removed and all(isinstance(r, Removed) and isinstance(r.kind, Kind) for r in got.removed)
    assert [r.to_dict() for r in got.removed] == doc.removed
    assert got.config == Config().to_dict() and got.model == doc.model
    assert got.duplicate_of is None and got.similarity is None
    with pytest.raises(FrozenInstanceError):
        got.text = "changed"  # type: ignore[misc]
    flat = got.to_dict()
    assert {name: flat[name] for name in METADATA_FIELDS} == vars_of(meta) and "meta" not in flat
    assert flat["removed"] == doc.removed and "signature" not in flat


def vars_of(meta: Metadata) -> dict:
    return {name: getattr(meta, name) for name in METADATA_FIELDS}


def test_the_store_columns_follow_the_metadata_declaration(tmp_path):
    Store(tmp_path / "c.db").close()
    columns = [row[1] for row in table_info(tmp_path / "c.db")]
    assert set(METADATA_FIELDS) <= set(columns)
    # in declaration order (fields declared after the store's first version come last)
    assert sorted(METADATA_FIELDS, key=columns.index)[: len(METADATA_FIELDS) - 1] == list(METADATA_FIELDS[:-1])
    assert "encoding" in columns and "comments" in columns


def test_a_failure_reads_back_with_empty_metadata(tmp_path):
    with Store(":memory:") as store:
        store.write_batch(process_batch([Failure("gone.html", "read", "no such file or directory")]))
        got = store.get(1)
    assert (got.status, got.stage, got.reason) == ("failed", "read", "no such file or directory")
    assert got.meta == Metadata() and got.text == "" and got.removed == () and got.model is None


def test_the_encoding_of_each_page_is_stored(tmp_path):
    db = tmp_path / "c.db"
    assert run("ingest", SAMPLES / "pages", "--db", db, "-j", "1").exit_code == 0
    with Store(db) as store:
        encodings = {Path(d.source).name: d.encoding for d in store.iter_documents()}
    assert encodings["library-cp1251-ru.html"] == "cp1251" and encodings["harbour-bridge-en.html"] == "utf-8"
    shown = json.loads(run("show", "1", "--db", db, "--json").output)
    assert shown["encoding"] and shown["title"] and shown["config"]["favor"] == "balanced"


# -- duplicate groups ------------------------------------------------------------------------------

_WORDS = "harbour council bridge river mayor storm tide budget school market ferry museum garden".split()


def article(text: str, source: str, *, n_chars: int | None = None) -> Document:
    """An article as the store receives it, signed as ``process`` signs one (no extraction: fast)."""
    digest, sig = dedup.sign(text)
    return Document(source=source, status="ok", text=text, n_chars=len(text) if n_chars is None else n_chars,
                    content_hash=digest, signature=dedup.signature_to_bytes(sig), band_keys=dedup.band_keys(sig))  # fmt: skip


def story(seed: int, words: int = 300) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(_WORDS) + str(rng.randrange(50)) for _ in range(words))


def links_per_arrival(store: Store, docs: list[Document]) -> list[int]:
    """How many documents' links each arrival wrote (its own included), one write at a time."""
    store.db.execute("CREATE TEMP TABLE IF NOT EXISTS linked (id INTEGER)")
    store.db.execute(
        "CREATE TEMP TRIGGER IF NOT EXISTS count_links AFTER UPDATE OF duplicate_of ON documents "
        "BEGIN INSERT INTO linked VALUES (new.id); END"
    )
    out = []
    for doc in docs:
        store.write_batch([doc])
        out.append(store.db.execute("SELECT COUNT(*) FROM linked").fetchone()[0])
        store.db.execute("DELETE FROM linked")
    return out


def test_a_copy_joins_its_group_at_the_same_cost_whatever_the_group_size():
    text = story(1)
    with Store(":memory:") as store:
        assert links_per_arrival(store, [article(text, f"copy{i}") for i in range(300)]) == [0] + [1] * 299
        links = store.db.execute("SELECT duplicate_of, similarity FROM documents WHERE id > 1").fetchall()
        assert {tuple(r) for r in links} == {(1, 1.0)}  # all point at the first (same size, undated: the earliest)
        assert store.db.execute("SELECT COUNT(DISTINCT doc_id) FROM bands").fetchone()[0] == 1  # copies add no keys


def test_near_copies_fill_a_bucket_up_to_its_cap_and_still_find_their_group():
    base = story(2).split()
    # each copy blots out one word of its own: a different hash, nearly the same signature, the same size
    docs = [article(" ".join(base[:i] + ["x" * len(base[i])] + base[i + 1 :]), f"near{i}") for i in range(120)]
    with Store(":memory:") as store:
        assert links_per_arrival(store, docs) == [0] + [1] * 119
        sizes = [n for (n,) in store.db.execute("SELECT COUNT(*) FROM bands GROUP BY key")]
        assert max(sizes) == BAND_BUCKET_CAP
        assert store.stats()["duplicates"] == 119
        assert {d for (d,) in store.db.execute("SELECT duplicate_of FROM documents WHERE id > 1")} == {1}


def test_a_fuller_copy_becomes_canonical_and_its_group_points_at_it():
    text = story(3)
    docs = [article(text, "a"), article(text, "b"), article(text + " more words at the end", "c")]
    docs.append(article(text, "d", n_chars=len(text) + 100))  # the same core in a fuller page
    with Store(":memory:") as store:
        assert links_per_arrival(store, docs) == [0, 1, 2, 3]  # each new canonical: its group re-pointed
        links = dict(store.db.execute("SELECT source, duplicate_of FROM documents"))
    assert links == {"a": 4, "b": 4, "c": 4, "d": None}


def test_a_document_matching_two_groups_merges_them_under_the_fullest():
    base, x, y = story(4, 300), story(5, 60), story(6, 60)
    a, b, c = article(f"{base} {x}", "a"), article(f"{base} {y}", "b"), article(f"{base} {x} {y}", "c")
    with Store(":memory:") as store:
        assert links_per_arrival(store, [a, b, article(f"{base} {x}", "a2")]) == [0, 0, 1]  # a and b: J 0.74
        assert links_per_arrival(store, [c]) == [3]  # near both (J 0.91, 0.83): a, a2 and b point at it
        links = dict(store.db.execute("SELECT source, duplicate_of FROM documents"))
    assert links == {"a": 4, "b": 4, "a2": 4, "c": None}
