"""`thresher reprocess`: a stored corpus extracted again with a new config is the corpus a fresh ingest makes."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_failures import flaky as flaky  # noqa: F401 - the fixture
from tests.test_ingest import TOPICS, page, rows
from tests.test_sources import http, response
from thresher.cli import main
from thresher.config import Config
from thresher.corpus.ingest import ingest
from thresher.corpus.process import process_batch
from thresher.corpus.reprocess import reprocess
from thresher.corpus.sources import Raw
from thresher.corpus.store import Store

#: A config that changes what is kept, for HTML pages and text dumps both.
STRICT = ("--threshold", "0.95", "--line-threshold", "0.9")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def dump(topic: str, lead: str, n: int) -> str:
    """A text dump of a page of news.example: chrome lines around the article's."""
    body = [
        f"{lead}.",
        *(f"Paragraph {i} about the {topic}: the council met and residents spoke at length." for i in range(6)),
    ]
    return "\n".join(
        ["News Example", "Home | World | Sport | Contact", *body, f"Story {n} · Share · Print", "© News Example"]
    )


def make_sources(root: Path) -> list[Path]:
    """HTML files (with syndicated copies), a gzipped WARC, a JSONL of dumps of one site, a text file."""
    pages = root / "pages"
    pages.mkdir(parents=True)
    for topic, lead in TOPICS[:4]:
        (pages / f"{topic}.html").write_text(page(topic, lead), encoding="utf-8")
    (pages / "harbour-copy.html").write_text(page(*TOPICS[0], site="Courier", paragraphs=5), encoding="utf-8")
    (pages / "library-copy.html").write_text(page(*TOPICS[1], site="Courier", paragraphs=7), encoding="utf-8")
    warc = b""
    for n, (topic, lead) in enumerate(TOPICS[3:], 1):
        body = page(topic, lead, site="Herald").encode()
        warc += gzip.compress(response(f"https://herald.example/{topic}", http("200 OK", body), n))
    (root / "crawl.warc.gz").write_bytes(warc)
    lines = [
        json.dumps({"text": dump(t, lead, i), "url": f"https://news.example/{i}"}) for i, (t, lead) in enumerate(TOPICS)
    ]
    (root / "dumps.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "ferry.txt").write_text(dump("ferry", "The ferry will run twice a day from May", 9), encoding="utf-8")
    return [pages, root / "crawl.warc.gz", root / "dumps.jsonl", root / "ferry.txt"]


def index_terms(db: Path) -> set[tuple]:
    """What the full-text index holds, term by term and place by place (not how it is laid out)."""
    con = sqlite3.connect(db)
    try:
        con.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, 'documents_fts', 'instance')")
        return set(con.execute("SELECT term, doc, col, offset FROM temp.v").fetchall())
    finally:
        con.close()


def bands(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return sorted(con.execute("SELECT key, doc_id FROM bands").fetchall())
    finally:
        con.close()


def test_reprocess_makes_the_store_a_fresh_ingest_with_the_new_config_makes(tmp_path):
    inputs = make_sources(tmp_path / "in")
    old, fresh = tmp_path / "old.db", tmp_path / "fresh.db"
    assert run("ingest", *inputs, "--db", old, "-j", "1").exit_code == 0
    assert run("ingest", *inputs, "--db", fresh, "-j", "1", *STRICT).exit_code == 0
    before = rows(old)
    assert before != rows(fresh)  # the config changes the texts
    con = sqlite3.connect(old)
    assert con.execute("SELECT COUNT(*) FROM documents WHERE duplicate_of IS NOT NULL").fetchone()[0] >= 2
    con.execute("UPDATE documents SET duplicate_of = NULL, similarity = NULL")  # the links must be made again
    con.commit()
    con.close()

    res = run("reprocess", "--db", old, "-j", "2", *STRICT)
    assert res.exit_code == 0, res.output
    n = len(before)
    assert f"documents:   {n} to reprocess, 0 made by this model and config already" in res.output
    assert f"reprocessed: {n}: " in res.output and "kept:        0 as they were" in res.output
    assert rows(old) == rows(fresh)  # texts, metadata, provenance, duplicate links, in every column
    assert bands(old) == bands(fresh) and index_terms(old) == index_terms(fresh)
    mix = json.loads(run("stats", "--db", old, "--json").output)["mix"]
    assert {m["config"]["threshold"] for m in mix} == {0.95}

    again = run("reprocess", "--db", old, *STRICT)  # nothing left to do
    assert f"documents:   0 to reprocess, {n} made by this model and config already" in again.output
    assert "not relinked" in again.output and rows(old) == rows(fresh)
    forced = run("reprocess", "--db", old, "-j", "1", "--all", *STRICT)
    assert f"reprocessed: {n}: " in forced.output and "0 with a new text" in forced.output
    assert rows(old) == rows(fresh)


def test_documents_without_their_page_are_kept_as_they_are(tmp_path, flaky):  # noqa: F811
    flaky.up = True
    db = tmp_path / "c.db"
    files = tmp_path / "files"
    files.mkdir()
    for topic, lead in TOPICS[:3]:
        (files / f"{topic}.html").write_text(page(topic, lead), encoding="utf-8")
    res = run("ingest", files, f"{flaky.base}/down", "--db", db, "-j", "1", "--allow-private", "--delay", "0")
    assert res.exit_code == 0 and "4 added" in res.output
    (files / "harbour.html").unlink()
    (files / "library.html").write_text(page(*TOPICS[4]), encoding="utf-8")  # another page under the same name
    before = {r[1]: r for r in rows(db)}
    res = run("reprocess", "--db", db, "-j", "1", *STRICT)
    assert res.exit_code == 0, res.output
    assert (
        "kept:        3 as they were: 0 failed again, not reprocessable: "
        "URL without a raw copy 1, source changed 1, source gone 1"
    ) in res.output
    after = {r[1]: r for r in rows(db)}
    tram = str(files / "tram.html")
    assert after[tram] != before[tram]
    assert {k: v for k, v in after.items() if k != tram} == {k: v for k, v in before.items() if k != tram}


def test_raw_copies_make_every_page_reprocessable(tmp_path, flaky):  # noqa: F811
    flaky.up = True
    db, fresh = tmp_path / "c.db", tmp_path / "fresh.db"
    files = tmp_path / "files"
    files.mkdir()
    (files / "a.html").write_text(page(*TOPICS[0]), encoding="utf-8")
    url = f"{flaky.base}/down"
    args = ("--db", db, "-j", "1", "--allow-private", "--delay", "0")
    assert run("ingest", files / "a.html", url, *args, "--keep-raw").exit_code == 0
    assert run("ingest", files / "a.html", url, *args[2:], "--db", fresh, *STRICT).exit_code == 0
    assert json.loads(run("stats", "--db", db, "--json").output)["raw_copies"] == 2
    (files / "a.html").write_text("a page edited since", encoding="utf-8")  # the copy is what was ingested
    flaky.up = False  # the server is down: the copy is read
    res = run("reprocess", "--db", db, *STRICT)
    assert "reprocessed: 2: 2 articles" in res.output and "kept:        0 as they were" in res.output

    def made(path):  # all but when the URL was fetched
        con = sqlite3.connect(path)
        try:
            return con.execute(
                "SELECT source, text, title, model, config, raw_digest FROM documents ORDER BY id"
            ).fetchall()
        finally:
            con.close()

    assert made(db) == made(fresh)


@pytest.mark.parametrize("content", [b"<html><p>caf\xe9</p></html>", "<p>a str page from JSONL</p>"])
def test_a_raw_copy_reads_back_as_it_was_read(content):
    raw = Raw("x#3", content, kind="html", url="https://a.example/x", http_charset="latin-1", fetched="2026-01-02")
    with Store(":memory:") as store:
        store.write_batch(process_batch([raw]), [raw], keep_raw=True)
        assert store.raw("x#3") == raw and store.has_raw("x#3")
        assert store.raw("y") is None and not store.has_raw("y")
        store.write_batch(process_batch([Raw("y", "<p>y</p>")]), [Raw("y", "<p>y</p>")])  # not kept without keep_raw
        assert not store.has_raw("y")


def test_a_reextraction_that_fails_keeps_the_stored_document(tmp_path):
    small, big = tmp_path / "small.html", tmp_path / "big.html"
    small.write_text(page(*TOPICS[0], paragraphs=2), encoding="utf-8")
    big.write_text(page(*TOPICS[1], paragraphs=40), encoding="utf-8")
    with Store(tmp_path / "c.db") as store:
        ingest([str(small), str(big)], store, progress=False)
        before = {d.source: d for d in store.iter_documents()}
        report = reprocess(store, config=Config(max_input_bytes=big.stat().st_size - 1), progress=False)
        after = {d.source: d for d in store.iter_documents()}
    assert (report.stats.replaced, report.stats.kept) == (1, 1)
    assert after[str(big)] == before[str(big)]  # too large now: ExtractionError, and the old document stays
    assert after[str(small)].config["max_input_bytes"] == big.stat().st_size - 1


def test_an_interrupted_reprocess_relinks_on_the_next_run(tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    a.write_text(page(*TOPICS[0]), encoding="utf-8")
    b.write_text(page(*TOPICS[0], site="Courier"), encoding="utf-8")
    with Store(tmp_path / "c.db") as store:
        ingest([str(a), str(b)], store, progress=False)
        assert store.stats()["duplicates"] == 1
        # a reprocess stopped after its first batch: documents replaced, the links not made again
        store.replace_documents(process_batch([Raw(str(a), a.read_bytes())], config=Config(threshold=0.9)))
        assert store.relink_pending
        report = reprocess(store, config=Config(threshold=0.9), progress=False)
        assert report.planned == 1 and report.duplicates == 1 and not store.relink_pending


def test_reprocess_needs_a_store_and_a_good_config(tmp_path):
    res = run("reprocess", "--db", tmp_path / "none.db")
    assert res.exit_code == 1 and "no such store" in res.output
    (tmp_path / "a.html").write_text(page(*TOPICS[0]), encoding="utf-8")
    run("ingest", tmp_path / "a.html", "--db", tmp_path / "c.db", "-j", "1")
    res = run("reprocess", "--db", tmp_path / "c.db", "--threshold", "2")
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_an_older_store_is_upgraded_with_a_place_for_raw_copies(tmp_path):
    from tests.test_store import v1_store

    db = tmp_path / "v1.db"
    before = v1_store(db)  # two articles and a failure, their sources long gone
    (tmp_path / "new.html").write_text(page(*TOPICS[5]), encoding="utf-8")
    res = run("ingest", tmp_path / "new.html", "--db", db, "-j", "1", "--keep-raw")
    assert res.exit_code == 0 and "1 added" in res.output
    with Store(db) as store:
        assert store.has_raw(str(tmp_path / "new.html")) and store.stats()["raw_copies"] == 1
        report = reprocess(store, config=Config(threshold=0.9), progress=False)
        kept = [dict(r) for r in store.db.execute("SELECT * FROM documents WHERE id <= 3 ORDER BY id")]
    assert (report.planned, report.stats.replaced, dict(report.unavailable)) == (3, 1, {"source gone": 2})
    assert [{k: r[k] for k in before[0]} for r in kept] == before  # the old documents are as they were
