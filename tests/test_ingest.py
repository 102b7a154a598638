"""`thresher ingest` end to end: sources to store, re-runs, kill and resume, bad input, dedup, export."""

from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_sources import http, response
from thresher.cli import main
from thresher.corpus.ingest import batches
from thresher.corpus.process import process_batch
from thresher.corpus.sources import Failure, Raw
from thresher.corpus.store import Store

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

TOPICS = [
    ("harbour", "The harbour wall at Port Allard will be rebuilt after winter storms cracked it in three places"),
    ("library", "The town library reopened on Monday with a new reading room and longer opening hours"),
    ("tram", "A new tram line linking the station to the hospital will open in the spring after two years of work"),
    ("orchard", "Volunteers planted two hundred apple trees in the community orchard on the edge of the village"),
    ("bridge", "Engineers closed the old footbridge over the river after an inspection found rust in its main beams"),
    ("market", "The covered market will stay open on Sundays after traders voted to extend their hours"),
]


def article_body(topic: str, lead: str, paragraphs: int = 6) -> str:
    sentences = [
        f"{lead}.",
        f"Residents said the {topic} had been a worry for years and welcomed the decision taken by the council.",
        f"The work on the {topic} is expected to cost several million and to last until the end of next year.",
        f"Officials promised regular updates on the {topic} and a public meeting before the work begins.",
        f"Local businesses near the {topic} asked for support while the area is disrupted by the building works.",
        f"A spokesperson said the plans for the {topic} had been checked by independent experts last month.",
    ]
    return "".join(f"<p>{' '.join(sentences[(i + j) % 6] for j in range(3))}</p>" for i in range(paragraphs))


def page(topic: str, lead: str, *, site: str = "Gazette", extra: str = "", paragraphs: int = 6) -> str:
    nav = "".join(
        f'<li><a href="/{w}">{w.title()}</a></li>' for w in ("news", "sport", "weather", "culture", "contact")
    )
    return (
        f"<html><head><title>{lead[:40]} | {site}</title></head><body>"
        f"<header><nav><ul>{nav}</ul></nav></header>"
        f"<main><article><h1>{lead[:40]}</h1>{article_body(topic, lead, paragraphs)}{extra}</article></main>"
        f"<footer><p>© 2026 {site}. All rights reserved.</p></footer></body></html>"
    )


def make_corpus(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for topic, lead in TOPICS:
        (root / f"{topic}.html").write_text(page(topic, lead), encoding="utf-8")
    return root


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def rows(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT * FROM documents ORDER BY id").fetchall()
    finally:
        con.close()


# -- the main job -------------------------------------------------------------------------


def test_ingest_search_show_export_stats(tmp_path):
    corpus = make_corpus(tmp_path / "pages")
    db = tmp_path / "c.db"
    res = run("ingest", corpus, "--db", db, "-j", "1")
    assert res.exit_code == 0, res.output
    assert "documents:   6 added: 6 articles" in res.output
    assert "\r" not in res.output  # no progress bar when not on a terminal

    hits = run("search", "orchard", "--db", db, "--json")
    found = [json.loads(line) for line in hits.output.splitlines()]
    assert len(found) == 1 and found[0]["source"].endswith("orchard.html")

    shown = run("show", found[0]["id"], "--db", db, "--removed")
    assert "Volunteers planted two hundred apple trees" in shown.output
    assert "---- removed ----" in shown.output and "All rights reserved" in shown.output.split("---- removed ----")[1]

    exported = [json.loads(line) for line in run("export", "--db", db).output.splitlines()]
    assert len(exported) == 6
    for d in exported:
        for key in ("id", "source", "url", "site", "title", "authors", "published", "language", "text", "duplicate_of"):
            assert key in d
        assert d["language"] == "en" and "Sport" not in d["text"] and "reserved" not in d["text"]

    stats = json.loads(run("stats", "--db", db, "--json").output)
    assert stats["articles"] == 6 and stats["failed"] == 0 and 0 < stats["removed_share"] < 1


def test_export_markdown_and_parquet(tmp_path):
    db = tmp_path / "c.db"
    run("ingest", make_corpus(tmp_path / "pages"), "--db", db, "-j", "1")
    out = tmp_path / "md"
    assert run("export", "--db", db, "--format", "markdown", "-o", out).exit_code == 0
    files = sorted(out.glob("*.md"))
    assert len(files) == 6
    text = files[0].read_text(encoding="utf-8")
    assert text.startswith("---\nid: 1\n") and "\n# " in text
    pq = pytest.importorskip("pyarrow.parquet")
    target = tmp_path / "c.parquet"
    assert run("export", "--db", db, "--format", "parquet", "-o", target).exit_code == 0
    table = pq.read_table(target)
    assert table.num_rows == 6 and "text" in table.column_names and table.column("authors").type.value_type == "string"


def test_rerun_adds_and_changes_nothing(tmp_path):
    corpus = make_corpus(tmp_path / "pages")
    db = tmp_path / "c.db"
    run("ingest", corpus, "--db", db, "-j", "1")
    before = rows(db)
    res = run("ingest", corpus, "--db", db, "-j", "1")
    assert res.exit_code == 0
    assert "6 already stored" in res.output and "0 added" in res.output
    assert rows(db) == before


def test_parallel_run_gives_the_same_store(tmp_path):
    corpus = make_corpus(tmp_path / "pages")
    run("ingest", corpus, "--db", tmp_path / "one.db", "-j", "1")
    run("ingest", corpus, "--db", tmp_path / "two.db", "-j", "2")
    assert rows(tmp_path / "one.db") == rows(tmp_path / "two.db")
    con = sqlite3.connect(tmp_path / "two.db")
    assert con.execute("SELECT status, COUNT(*), MIN(n_chars) > 500 FROM documents").fetchall() == [("ok", 6, 1)]


def test_killed_run_resumes_to_the_uninterrupted_result(tmp_path):
    corpus = tmp_path / "pages"
    corpus.mkdir()
    for i in range(160):  # five batches of pages
        topic, lead = TOPICS[i % len(TOPICS)]
        (corpus / f"p{i:03d}.html").write_text(page(f"{topic} {i}", f"{lead}, report number {i}"), encoding="utf-8")
    clean_db, killed_db = tmp_path / "clean.db", tmp_path / "killed.db"
    run("ingest", corpus, "--db", clean_db, "-j", "1")

    cmd = [
        sys.executable,
        "-m",
        "thresher.cli",
        "ingest",
        str(corpus),
        "--db",
        str(killed_db),
        "-j",
        "1",
        "--no-progress",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    n = 0
    while time.time() < deadline and proc.poll() is None:
        try:
            n = sqlite3.connect(killed_db).execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        except sqlite3.Error:
            n = 0
        if n >= 32:
            break
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < len(rows(killed_db)) < 160, "the run was not interrupted midway"
    res = run("ingest", corpus, "--db", killed_db, "-j", "1")
    assert res.exit_code == 0
    assert rows(killed_db) == rows(clean_db)


# -- bad input ------------------------------------------------------------------------------


class _Pages(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/robots.txt":
            self.send_response(404)
            self.end_headers()
        elif self.path == "/ok":
            body = page("tram", TOPICS[2][1]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()


@pytest.fixture
def web():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_bad_inputs_are_recorded_and_the_run_goes_on(tmp_path, web):
    db = tmp_path / "c.db"
    good = make_corpus(tmp_path / "pages")
    run("ingest", good, "--db", db, "-j", "1")
    before = rows(db)

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.html").write_bytes(b"")
    (bad / "binary.html").write_bytes(bytes(range(256)) * 8)
    warc = gzip.compress(response("http://ex.com/a", http("200 OK", page("market", TOPICS[5][1]).encode()), 1))
    warc += gzip.compress(response("http://ex.com/b", http("200 OK", b"<html>" + b"x" * 5000), 2))
    (bad / "cut.warc.gz").write_bytes(warc[: len(warc) - 40])
    (bad / "notes.jsonl").write_text('{"text": "too short"}\n{oops\n', encoding="utf-8")

    res = run("ingest", bad, f"{web}/ok", f"{web}/missing", "--db", db, "-j", "1", "--allow-private", "--delay", "0")
    assert res.exit_code == 0, res.output
    con = sqlite3.connect(db)
    failed = dict(con.execute("SELECT source, reason FROM documents WHERE status = 'failed'").fetchall())
    assert any(k.endswith("empty.html") and "empty" in v for k, v in failed.items())
    assert any(k.endswith("binary.html") and "binary" in v for k, v in failed.items())
    assert any(k.endswith("cut.warc.gz") and "truncated" in v for k, v in failed.items())
    assert any("#2" in k and "JSON" in v for k, v in failed.items())
    assert failed[f"{web}/missing"] == "HTTP 404"
    ok = {r[0] for r in con.execute("SELECT source FROM documents WHERE status = 'ok'")}
    assert f"{web}/ok" in ok and any("cut.warc.gz#" in s for s in ok)
    assert rows(db)[: len(before)] == before  # nothing stored before was touched
    assert "failures:    " in res.output and "read" in res.output


def test_strict_stops_on_the_first_failure_and_nothing_ingested_is_exit_1(tmp_path):
    (tmp_path / "empty.html").write_bytes(b"")
    res = run("ingest", tmp_path / "empty.html", "--db", tmp_path / "c.db", "-j", "1", "--strict")
    assert res.exit_code != 0 and "empty file" in res.output
    res = run("ingest", tmp_path / "missing.html", "--db", tmp_path / "d.db", "-j", "1")
    assert res.exit_code == 1


def test_private_addresses_are_refused_without_the_flag(tmp_path, web):
    res = run("ingest", f"{web}/ok", "--db", tmp_path / "c.db", "-j", "1")
    con = sqlite3.connect(tmp_path / "c.db")
    ((reason,),) = con.execute("SELECT reason FROM documents").fetchall()
    assert "loopback" in reason and res.exit_code == 1


def test_not_a_store_is_a_clear_error(tmp_path):
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    res = run("stats", "--db", bogus)
    assert res.exit_code != 0 and "not a thresher store" in res.output
    assert bogus.read_bytes() == b"this is not sqlite" * 100
    res = run("search", "x", "--db", tmp_path / "nothing.db")
    assert res.exit_code != 0 and "no such store" in res.output


# -- dedup ------------------------------------------------------------------------------------


def test_syndicated_copies_link_to_the_fullest(tmp_path):
    topic, lead = TOPICS[0]
    d = tmp_path / "pages"
    d.mkdir()
    (d / "a.html").write_text(page(topic, lead, site="Gazette", paragraphs=5), encoding="utf-8")
    (d / "b.html").write_text(page(topic, lead, site="Courier", paragraphs=6), encoding="utf-8")  # fuller copy
    (d / "c.html").write_text(page(topic, lead, site="Gazette"), encoding="utf-8")  # exact copy of b's text
    other_topic, other_lead = TOPICS[1]
    (d / "d.html").write_text(page(other_topic, other_lead), encoding="utf-8")
    db = tmp_path / "c.db"
    run("ingest", d, "--db", db, "-j", "1")
    con = sqlite3.connect(db)
    links = {Path(s).name: dup for s, dup in con.execute("SELECT source, duplicate_of FROM documents")}
    ids = {Path(s).name: i for s, i in con.execute("SELECT source, id FROM documents")}
    assert links["b.html"] is None and links["d.html"] is None
    assert links["a.html"] == ids["b.html"] and links["c.html"] == ids["b.html"]
    out = [json.loads(x) for x in run("export", "--db", db, "--no-duplicates").output.splitlines()]
    assert sorted(Path(o["source"]).name for o in out) == ["b.html", "d.html"]


# -- the pure step -----------------------------------------------------------------------------


def test_process_batch_never_raises_and_keeps_order():
    batch = [
        Raw("a", page(*TOPICS[0])),
        Failure("b", "read", "empty file"),
        Raw("c", b"\x00\x01" * 10),
        Raw(
            "d",
            "Menu\n\n" + "A line of real article text that goes on for a while about the harbour. " * 4,
            kind="text",
        ),
    ]
    docs = process_batch(batch)
    assert [d.source for d in docs] == ["a", "b", "c", "d"]
    assert [d.status for d in docs] == ["ok", "failed", "empty", "ok"]
    assert docs[0].content_hash and docs[0].band_keys and docs[0].signature


def test_text_dumps_of_one_site_are_batched_together():
    items = [Raw(f"t{i}", "x", kind="text", url=f"https://a.example/{i}") for i in range(3)]
    items += [Raw("h", "<p>x</p>"), Raw("u", "y", kind="text")]
    groups = list(batches(items, size=2))
    assert [[r.source for r in g] for g in groups] == [["h", "u"], ["t0", "t1", "t2"]]


def test_samples_quick_start(tmp_path):
    """The README's first command ingests the shipped samples."""
    res = run("ingest", SAMPLES, "--db", tmp_path / "c.db", "-j", "1")
    assert res.exit_code == 0, res.output
    with Store(tmp_path / "c.db") as store:
        s = store.stats()
    assert s["failed"] == 0 and s["articles"] >= 7 and {"en", "de", "fr", "ru", "zh"} <= set(s["languages"])


def test_duplicate_lookups_use_their_indexes():
    """Each arriving document is checked against the corpus by index, never by a scan: the plans of
    the statements the store runs while it links a near-duplicate to its group."""
    first, copy = process_batch([Raw("a", page(*TOPICS[0])), Raw("b", page(*TOPICS[0], site="Courier", paragraphs=7))])
    with Store(":memory:") as store:
        store.write_batch([first])
        statements: list[str] = []
        store.db.set_trace_callback(statements.append)  # with the parameters bound
        assert store.write_batch([copy]).duplicates == 1
        store.db.set_trace_callback(None)
        plans = {
            sql: " | ".join(row[3] for row in store.db.execute("EXPLAIN QUERY PLAN " + sql))
            for sql in statements
            if sql.startswith(("SELECT", "UPDATE"))
        }
    lookups = [plan for sql, plan in plans.items() if "content_hash =" in sql or "FROM bands" in sql]
    assert len(lookups) == 3  # the same hash; the documents sharing a band key; how full those buckets are
    assert any("USING INDEX documents_hash" in plan for plan in lookups)
    assert any("USING INDEX bands_key" in plan for plan in lookups)
    assert any("USING COVERING INDEX bands_key" in plan for plan in lookups)
    assert len(plans) >= 5 and not [plan for plan in plans.values() if "SCAN" in plan]


def test_signature_text_is_the_confident_core():
    from thresher.corpus.process import signature_text
    from thresher.types import Article, Block, Kind

    body = [Block(Kind.PARAGRAPH, f"Paragraph {i} of the story, long enough to matter.", 0.97) for i in range(6)]
    teaser = Block(Kind.PARAGRAPH, "Read next: an unrelated story about something else entirely", 0.4)
    article = Article(blocks=[*body, teaser])
    assert "Read next" not in signature_text(article) and "Paragraph 5" in signature_text(article)
    unsure = Article(blocks=[Block(Kind.PARAGRAPH, "Only doubtful text here, all of it.", 0.5)])
    assert signature_text(unsure) == unsure.text  # nothing confident: the whole text


def test_a_store_signed_by_another_version_is_read_but_not_added_to(tmp_path):
    db = tmp_path / "c.db"
    run("ingest", make_corpus(tmp_path / "pages"), "--db", db, "-j", "1")
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value = '0' WHERE key = 'signature_version'")
    con.commit()
    con.close()
    before = rows(db)
    res = run("ingest", tmp_path / "pages", "--db", db, "-j", "1")
    assert res.exit_code != 0 and "another thresher version" in res.output
    assert run("search", "orchard", "--db", db).exit_code == 0
    assert rows(db) == before


def test_two_different_pages_piped_are_two_inputs(tmp_path):
    db = tmp_path / "c.db"
    for topic, lead in TOPICS[:2]:
        assert run("ingest", "-", "--db", db, "-j", "1", input=page(topic, lead).encode()).exit_code == 0
    again = run("ingest", "-", "--db", db, "-j", "1", input=page(*TOPICS[0]).encode())
    assert "1 already stored" in again.output
    assert len(rows(db)) == 2


# -- configuration -------------------------------------------------------------------------------

HARBOUR = SAMPLES / "pages" / "harbour-bridge-en.html"


def stored_chars(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT SUM(n_chars) FROM documents WHERE status = 'ok'").fetchone()[0] or 0
    finally:
        con.close()


def test_threshold_reaches_the_workers(tmp_path):
    """Two worker processes extract with the run's threshold: a high one keeps less text than a low one."""
    chars = {}
    for threshold in ("0.05", "0.95"):
        db = tmp_path / f"{threshold}.db"
        res = run("ingest", HARBOUR, SAMPLES / "dumps", "--db", db, "-j", "2", "--threshold", threshold)
        assert res.exit_code == 0, res.output
        chars[threshold] = stored_chars(db)
    assert 0 < chars["0.95"] < chars["0.05"]


def test_config_file_sets_fields_and_options_win_over_it(tmp_path):
    config = tmp_path / "strict.toml"
    config.write_text("threshold = 0.95\nmetadata = false\n", encoding="utf-8")
    runs = {
        "file": ("--config", config),
        "option": ("--threshold", "0.95"),
        "both": ("--config", config, "--threshold", "0.05"),
        "low": ("--threshold", "0.05"),
    }
    chars = {}
    for name, args in runs.items():
        assert run("ingest", HARBOUR, "--db", tmp_path / f"{name}.db", "-j", "1", *args).exit_code == 0
        chars[name] = stored_chars(tmp_path / f"{name}.db")
    assert chars["file"] == chars["option"] < chars["both"] == chars["low"]
    con = sqlite3.connect(tmp_path / "file.db")
    assert con.execute("SELECT language FROM documents").fetchone() == (None,)  # metadata = false reached it


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('favour = "recall"\n', "unknown key 'favour'"),
        ('threshold = "high"\n', "threshold must be a number, not 'high'"),
        ("threshold = 1.5\n", "Config.threshold must be between 0 and 1, not 1.5"),
        ("max_nodes = true\n", "max_nodes must be an integer, not True"),
        ('favor = "max"\n', "favor must be one of precision, balanced, recall, not 'max'"),
        ('model = "blocks-v0"\n', "no model named 'blocks-v0'"),
        ("threshold = \n", "not valid TOML"),
        (None, "No such file or directory"),
    ],
)
def test_a_bad_config_file_is_one_error_line_and_exit_2(tmp_path, toml, message):
    config = tmp_path / "thresher.toml"
    if toml is not None:
        config.write_text(toml, encoding="utf-8")
    db = tmp_path / "c.db"
    res = CliRunner().invoke(main, ["ingest", str(HARBOUR), "--db", str(db), "--config", str(config)])
    assert res.exit_code == 2
    (line,) = res.output.splitlines()  # one line, no usage text, no traceback
    assert line.startswith(f"Error: --config {config}: ") and message in line
    assert not db.exists()  # nothing was touched


def test_library_ingest_takes_a_config(tmp_path):
    import thresher

    low = thresher.ingest([str(HARBOUR)], tmp_path / "low.db", config=thresher.Config(threshold=0.05))
    assert (low.stats.added, low.stats.ok) == (1, 1)
    with Store(":memory:") as store:  # an open store is used as it is, and left open
        high = thresher.ingest([str(HARBOUR)], store, config=thresher.Config(threshold=0.95), progress=False)
        (n_chars,) = store.db.execute("SELECT n_chars FROM documents").fetchone()
    assert high.stats.ok == 1 and 0 < n_chars == high.stats.chars < low.stats.chars == stored_chars(tmp_path / "low.db")
