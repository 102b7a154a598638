"""Store files left as they were found, and one-line errors for what goes wrong with them.

What a hostile crawl showed: read-only stores could not be searched; ``stats`` on
another program's SQLite file added thresher's tables to it and switched it to
WAL; a store of a future schema was changed before it was refused; a full disk,
a damaged file, a lock held by another program, a bad ``schema_version``, an
undecodable query and ids beyond 64 bits gave tracebacks or misleading errors.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_ingest import TOPICS, make_corpus, page
from tests.test_store import v1_store
from thresher.cli import main
from thresher.corpus import export as export_module
from thresher.corpus import store as store_module
from thresher.corpus.store import SCHEMA_VERSION, Store, StoreError

#: The commands that only read, each with what it needs besides --db.
READERS = [["stats"], ["search", "harbour"], ["show", "1"], ["export"], ["failures"], ["browse"]]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def siblings(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


@pytest.fixture
def no_datasette(monkeypatch):
    """``browse`` checks the store, then would hand over to Datasette: record that instead."""
    calls = []
    monkeypatch.setattr("thresher.cli.os.execv", lambda path, argv: calls.append(argv))
    monkeypatch.setattr("thresher.cli.importlib.util.find_spec", lambda name: True)
    return calls


def one_line_error(res, *needles: str) -> None:
    assert res.exit_code == 1, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception  # no traceback
    assert res.output.startswith("Error: ") and res.output.count("\n") == 1, res.output
    for needle in needles:
        assert needle in res.output, res.output


def foreign_db(path: Path) -> Path:
    """Another program's SQLite database (rollback journal, as most are)."""
    con = sqlite3.connect(path)
    con.executescript(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'x');"
    )
    con.close()
    return path


def future_store(path: Path) -> Path:
    Store(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    con.commit()
    con.execute("PRAGMA journal_mode=DELETE")  # one file, as it would be copied
    con.close()
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (foreign_db, "not a thresher store (an SQLite database of other tables: customers)"),
        (future_store, f"store schema {SCHEMA_VERSION + 1}, this thresher reads {SCHEMA_VERSION}"),
    ],
    ids=["foreign", "future"],
)
def test_a_foreign_or_future_file_is_refused_by_every_command_and_left_byte_for_byte(
    tmp_path, make, message, no_datasette
):
    db = make(tmp_path / "app.db")
    pages = make_corpus(tmp_path / "pages")
    before, files = digest(db), siblings(db)
    for args in [*READERS, ["ingest", pages], ["reprocess"]]:
        res = run(*args, "--db", db)
        one_line_error(res, message)
        assert digest(db) == before and siblings(db) == files, args  # no byte changed, no -wal or -shm made
    assert no_datasette == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not sqlite" * 100, "not a thresher store (not an SQLite database)"),
        (b"", "not a thresher store (it holds no store yet)"),
    ],
)
def test_a_file_that_holds_no_store_is_refused_by_reading_commands(tmp_path, content, message, no_datasette):
    db = tmp_path / "x.db"
    db.write_bytes(content)
    for args in READERS:
        one_line_error(run(*args, "--db", db), message)
        assert db.read_bytes() == content
    if not content:  # an empty file is where ingest may make one
        assert run("ingest", make_corpus(tmp_path / "pages"), "--db", db, "-j", "1").exit_code == 0
        assert run("stats", "--db", db).exit_code == 0


def test_a_schema_version_that_is_no_number_is_one_line(tmp_path):
    db = tmp_path / "c.db"
    Store(db).close()
    with sqlite3.connect(db) as con:
        con.execute("UPDATE meta SET value = 'six' WHERE key = 'schema_version'")
    con.close()
    for args in [["stats"], ["ingest", make_corpus(tmp_path / "pages")]]:
        one_line_error(run(*args, "--db", db), "not a thresher store (its schema_version is 'six', not a number)")


def test_reading_commands_never_write_the_store(tmp_path, no_datasette):
    db = tmp_path / "c.db"
    assert run("ingest", make_corpus(tmp_path / "pages"), "--db", db, "-j", "1").exit_code == 0
    before = digest(db)
    for args in READERS:
        res = run(*args, "--db", db)
        assert res.exit_code == 0, (args, res.output)
        assert digest(db) == before, args
    with pytest.raises(StoreError, match="opened for reading only"), Store(db, readonly=True) as store:
        store.write_batch([])


def test_an_older_store_is_read_as_it_is_not_upgraded(tmp_path):
    db = tmp_path / "v1.db"
    v1_store(db)
    before = digest(db)
    assert "articles:      2" in run("stats", "--db", db).output
    assert "a.html" in run("search", "harbour", "--db", db).output
    assert '"title"' in run("show", "1", "--db", db, "--json").output
    assert len(run("export", "--db", db).output.splitlines()) == 2
    assert digest(db) == before
    with Store(db, readonly=True) as store:
        assert store.version == 1 and store.get(1).model is None and store.stats()["raw_copies"] == 0
    with Store(db) as store:  # writing: upgraded
        assert store.version == SCHEMA_VERSION
    assert digest(db) != before


def test_a_store_on_read_only_media_is_searched_and_exported(tmp_path, monkeypatch):
    """Where the directory cannot be written, SQLite cannot make the shared-memory file a
    WAL reader needs: the store is opened immutable. (As root every directory can be
    written, so the read-only directory is what ``os.access`` says here.)"""
    db = tmp_path / "ro" / "c.db"
    db.parent.mkdir()
    assert run("ingest", make_corpus(tmp_path / "pages"), "--db", db, "-j", "1").exit_code == 0
    files = siblings(db)
    assert files == {"c.db"}  # the last connection checkpointed the WAL away
    real_access = os.access
    monkeypatch.setattr(
        store_module.os, "access", lambda p, mode: False if p == str(db.parent) else real_access(p, mode)
    )
    assert store_module.needs_immutable(db)
    db.chmod(0o444)
    before = digest(db)
    try:
        assert "harbour" in run("search", "harbour", "--db", db).output
        assert len(run("export", "--db", db).output.splitlines()) == len(TOPICS)
        assert run("stats", "--db", db).exit_code == 0
    finally:
        db.chmod(0o644)
    assert digest(db) == before and siblings(db) == files


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through file permissions")
def test_a_read_only_store_for_a_user(tmp_path):
    db = tmp_path / "ro" / "c.db"
    db.parent.mkdir()
    assert run("ingest", make_corpus(tmp_path / "pages"), "--db", db, "-j", "1").exit_code == 0
    db.chmod(0o444)
    db.parent.chmod(0o555)
    try:
        assert "harbour" in run("search", "harbour", "--db", db).output
        assert len(run("export", "--db", db).output.splitlines()) == len(TOPICS)
    finally:
        db.parent.chmod(0o755)
        db.chmod(0o644)


# -- errors, in one line -------------------------------------------------------------------------


def test_a_full_disk_during_ingest_tells_the_disk_is_full(tmp_path, monkeypatch):
    """SQLite rolls a transaction back by itself when the disk is full; the ROLLBACK after
    it failed with "cannot rollback - no transaction is active", hiding why."""
    db = tmp_path / "c.db"

    def full(self, doc_id, doc):
        self.db.execute("ROLLBACK")  # as SQLite does on SQLITE_FULL
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Store, "_link", full)
    res = run("ingest", make_corpus(tmp_path / "pages"), "--db", db, "-j", "1")
    one_line_error(res, "cannot write", "database or disk is full", "what was stored before stays")
    assert "rollback" not in res.output


def test_a_full_disk_during_export_is_one_line(tmp_path, monkeypatch):
    db = tmp_path / "c.db"
    assert run("ingest", make_corpus(tmp_path / "pages"), "--db", db, "-j", "1").exit_code == 0

    def no_space(rows, fmt, fh):
        fh.write("partial line")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(export_module, "_write_text", no_space)
    out = tmp_path / "out" / "corpus.jsonl"
    one_line_error(run("export", "--db", db, "-o", out), "cannot write", "No space left on device")
    assert not out.exists() and list(out.parent.iterdir()) == []  # no partial file, under any name
    res = run("export", "--db", db)  # what did reach standard output stays: a redirect has no temporary file
    assert res.exit_code == 1 and "Error: cannot write the export to standard output: No space left on device\n" in (
        res.output
    )


def test_an_export_file_is_never_partial_under_its_name(tmp_path, monkeypatch):
    db = tmp_path / "c.db"
    assert run("ingest", make_corpus(tmp_path / "pages"), "--db", db, "-j", "1").exit_code == 0
    out = tmp_path / "corpus.jsonl"
    write_text = export_module._write_text
    seen = []

    def watched(rows, fmt, fh):
        n = write_text(rows, fmt, fh)
        seen.append(out.exists())  # written, not yet renamed: what a killed export leaves
        return n

    monkeypatch.setattr(export_module, "_write_text", watched)
    assert run("export", "--db", db, "-o", out).exit_code == 0
    assert seen == [False] and len(out.read_text().splitlines()) == len(TOPICS)
    md = tmp_path / "md"
    real = export_module.front_matter
    monkeypatch.setattr(
        export_module, "front_matter", lambda row: real(row) if row["id"] < 3 else 1 / 0
    )  # the third document fails
    with pytest.raises(ZeroDivisionError):
        export_module.export_store(Store(db, readonly=True), "markdown", str(md))
    assert sorted(p.name for p in md.iterdir()) == ["0000001.md", "0000002.md"]  # whole files, no temporary left


def test_a_damaged_store_is_one_line_for_every_command(tmp_path):
    db = tmp_path / "c.db"
    make_corpus(tmp_path / "pages")
    for k in range(4):  # enough pages that the damage is past the first
        for i, (topic, lead) in enumerate(TOPICS):
            (tmp_path / "pages" / f"{k}-{i}.html").write_text(page(topic, lead, paragraphs=6 + k))
    assert run("ingest", tmp_path / "pages", "--db", db, "-j", "1").exit_code == 0
    data = bytearray(db.read_bytes())
    pages = len(data) // 4096
    for p in range(pages // 2, pages):
        data[p * 4096 + 100 : p * 4096 + 4000] = bytes(range(256)) * 15 + bytes(60)
    db.write_bytes(bytes(data))
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "x.html").write_text(page("x", "A new page about the harbour wall and its repairs"))
    for args in (["stats"], ["search", "harbour"], ["export"], ["ingest", tmp_path / "new"]):
        res = run(*args, "--db", db)
        one_line_error(res, "is damaged")


def test_a_store_locked_by_another_program_is_one_line(tmp_path, monkeypatch):
    db = tmp_path / "c.db"
    assert run("ingest", make_corpus(tmp_path / "pages"), "--db", db, "-j", "1").exit_code == 0
    monkeypatch.setattr(store_module, "BUSY_SECONDS", 0.2)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("PRAGMA locking_mode=EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    other.execute("INSERT INTO meta VALUES ('lock', '1')")
    try:
        one_line_error(run("search", "harbour", "--db", db), "is locked by another program")
        one_line_error(run("ingest", tmp_path / "pages", "--db", db), "is locked by another program")
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_bad_arguments_are_one_line(tmp_path):
    db = tmp_path / "c.db"
    assert run("ingest", make_corpus(tmp_path / "pages"), "--db", db, "-j", "1").exit_code == 0
    res = CliRunner().invoke(main, ["search", "caf\udcff", "--db", str(db)])
    one_line_error(res, "is not valid text")
    res = run("search", "harbour", "--db", db, "--limit", "99999999999999999999")
    assert res.exit_code == 0 and "harbour" in res.output
    one_line_error(run("show", "9223372036854775808", "--db", db), "no document 9223372036854775808")
    one_line_error(run("show", "--db", db, "--", "-9223372036854775809"), "no document")


def test_names_and_texts_that_are_no_valid_utf8_are_stored(tmp_path):
    """A file name with a byte that does not decode, and a JSON string holding a lone
    surrogate, made the store's writes fail with UnicodeEncodeError."""
    d = tmp_path / "in"
    d.mkdir()
    body = "<p>" + "A line of real article text about the harbour wall and its repairs. " * 8
    (d / os.fsdecode(b"caf\xff.html")).write_text(f"<html><body><article>{body}</p></article></body></html>")
    (d / "dump.jsonl").write_text('{"html": "<html><body><article>' + body + '\\ud800</p></article></body></html>"}\n')
    db = tmp_path / "c.db"
    res = run("ingest", d, "--db", db, "-j", "1")
    assert res.exit_code == 0, res.output
    assert "2 articles" in res.output
    again = run("ingest", d, "--db", db, "-j", "1")  # the same keys: nothing added
    assert "0 added" in again.output and "2 already stored" in again.output
    sources = [json.loads(line)["source"] for line in run("export", "--db", db).output.splitlines()]
    assert str(d / "caf\\udcff.html") in sources  # the undecodable byte, escaped
