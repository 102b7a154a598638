"""Failures you can see and retry: their classes, which are transient, `thresher failures`, retries."""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from tests.test_ingest import TOPICS, page
from tests.test_web import LOCAL, fetch
from tests.test_web import _shared_server as _shared_server  # noqa: F401 - the fixture
from tests.test_web import server as server  # noqa: F401 - the fixture
from thresher.cli import main
from thresher.corpus.failures import group_failures, reason_class, transient
from thresher.corpus.sources import Failure
from thresher.corpus.sources.files import iter_files
from thresher.corpus.sources.web import FetchPolicy, iter_urls


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def failed(db) -> dict[str, tuple[str, str]]:
    con = sqlite3.connect(db)
    try:
        return {
            s: (st, r) for s, st, r in con.execute("SELECT source, stage, reason FROM documents WHERE status='failed'")
        }
    finally:
        con.close()


# -- which failures are transient, judged on the reasons the readers and the fetcher really write ----------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_fetch_failures_that_pass_later_are_transient(server):  # noqa: F811
    policy = FetchPolicy(allow_private=True, delay=0, retries=0, backoff=0, read_timeout=0.2)
    urls = [
        f"{server.base}/error",
        f"{server.base}/busy-long",
        f"{server.base}/slow",
        f"http://127.0.0.1:{_closed_port()}/x",
    ]
    results = fetch(urls, policy)
    assert all(isinstance(r, Failure) for r in results), results
    # a host that refuses connections fails on its robots.txt, with the connection error in parentheses
    assert results[3].reason.startswith("disallowed: robots.txt unavailable (ConnectError: ")
    assert [transient(r.stage, r.reason) for r in results] == [True, True, True, True]
    assert [reason_class(r.reason) for r in results] == ["HTTP 500", "HTTP 503", "timeout", "robots.txt unavailable"]


def test_fetch_failures_that_fail_the_same_way_again_are_not(server):  # noqa: F811
    urls = [f"{server.base}/missing", f"{server.base}/image.png", f"{server.base}/big"]
    results = fetch(urls, LOCAL)
    refused = list(iter_urls([f"{server.base}/page.html"], FetchPolicy(delay=0)))  # a loopback address
    results += refused
    assert [transient(r.stage, r.reason) for r in results] == [False] * 4
    assert [reason_class(r.reason) for r in results] == [
        "HTTP 404",
        "unsupported content type image/png",
        "response too large",
        "refused: a private or local address (use --allow-private)",
    ]


def test_a_missing_file_is_transient_an_empty_one_or_an_empty_pattern_is_not(tmp_path):
    (tmp_path / "empty.html").write_bytes(b"")
    results = list(iter_files([str(tmp_path / "nope.html"), str(tmp_path / "*.htm"), str(tmp_path / "empty.html")]))
    assert [(r.stage, r.reason) for r in results] == [
        ("read", "no such file or directory"),
        ("read", "no files match the pattern"),
        ("read", "empty file"),
    ]
    assert [transient(r.stage, r.reason) for r in results] == [True, False, False]


@pytest.mark.parametrize(
    ("stage", "reason", "expected"),
    [
        ("fetch", "HTTP 429", True),
        ("fetch", "HTTP 503 (Retry-After 3600 s is beyond the 60 s limit; not retried)", True),
        ("fetch", "disallowed: robots.txt unavailable (HTTP 503)", True),
        ("fetch", "disallowed: robots.txt unavailable (HTTP 403)", False),
        ("fetch", "ConnectError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed", False),
        ("fetch", "cannot resolve news.example: Name or service not known", True),
        ("read", "cannot read URL list: No such file or directory", False),
        ("read", "permission denied", False),
        ("extract", "HTTP 503", False),  # the stage matters: only a fetch is answered by HTTP
        ("warc", "truncated or corrupt WARC: record at /a.warc#12 is cut short", False),
        (None, None, False),
    ],
)
def test_transient_reasons(stage, reason, expected):
    assert transient(stage, reason) is expected


def test_reason_classes_drop_what_belongs_to_one_input():
    assert reason_class("truncated or corrupt WARC: record at /a.warc#12 is cut short") == "truncated or corrupt WARC"
    assert reason_class("invalid JSON: Expecting value: line 1 column 1 (char 0)") == "invalid JSON"
    assert reason_class("refused: news.example resolves to 10.0.0.1, a private address (use --allow-private)") == (
        "refused: a private or local address (use --allow-private)"
    )
    assert reason_class("too many redirects (more than 5)") == "too many redirects"
    assert reason_class("ValueError: bad page") == "ValueError"
    assert reason_class(None) == reason_class("") == "unknown"


def test_groups_are_counted_largest_first_with_a_limit_of_sources():
    rows = [(i, f"http://a.example/{i}", "fetch", "HTTP 503") for i in range(5)]
    rows += [(9, "/x.html", "read", "empty file"), (10, "/y.html", "read", "no such file or directory")]
    groups = group_failures(rows, limit=2)
    assert [(g.stage, g.reason, g.count, g.transient, len(g.sources)) for g in groups] == [
        ("fetch", "HTTP 503", 5, True, 2),
        ("read", "empty file", 1, False, 1),
        ("read", "no such file or directory", 1, True, 1),
    ]
    assert groups[0].to_dict()["more"] == 3


# -- the commands -------------------------------------------------------------------------------------------


class _Flaky(BaseHTTPRequestHandler):
    """/down answers 503 until the server is told it is up; /gone is 404; /ok a page."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.hits[self.path] += 1
        if self.path == "/ok" or (self.path == "/down" and self.server.up):
            body, status = page(*TOPICS[2]).encode(), 200
        elif self.path == "/robots.txt" or self.path == "/gone":
            body, status = b"", 404
        else:
            body, status = b"busy", 503
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def flaky():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    srv.up, srv.hits = False, Counter()
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    srv.base = f"http://127.0.0.1:{srv.server_address[1]}"
    yield srv
    srv.shutdown()
    srv.server_close()


def test_failures_lists_reasons_by_kind_and_the_report_names_the_top_ones(tmp_path, flaky):
    db = tmp_path / "c.db"
    (tmp_path / "empty.html").write_bytes(b"")
    urls = [f"{flaky.base}/down?{i}" for i in range(3)] + [f"{flaky.base}/gone"]
    res = run(
        "ingest", *urls, tmp_path / "empty.html", tmp_path / "missing.html", "--db", db, "-j", "1", "--delay", "0"
    )
    assert res.exit_code == 1  # nothing ingested
    lines = res.output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("failures:"))
    assert lines[at] == "failures:    6 (fetch 4, read 2)"
    assert (
        lines[at + 1].strip()
        == "fetch: refused: a private or local address (use --allow-private) (4); read: empty file (1); read: no such file or directory (1)"
    )
    assert lines[at + 2].strip() == "1 transient: the next run tries them again"
    assert f"thresher failures --db {db}" in res.output

    out = run("failures", "--db", db, "--limit", "2")
    assert out.exit_code == 0
    text = out.output.splitlines()
    assert text[0] == "6 failures, 1 transient (the next ingest of their inputs tries them again)"
    assert text[1].split() == [
        "4",
        "fetch",
        "refused:",
        "a",
        "private",
        "or",
        "local",
        "address",
        "(use",
        "--allow-private)",
    ]
    assert text[3].split()[-1] == "[transient]" and "no such file" in text[3]
    assert f"  {flaky.base}/down?0  (refused: 127.0.0.1 is a loopback address (use --allow-private))" in text
    assert "  ... and 2 more (--limit 0 lists all)" in text

    data = json.loads(run("failures", "--db", db, "--json", "--limit", "0").output)
    assert data["failures"] == 6 and data["transient"] == 1
    assert [(g["stage"], g["count"], len(g["sources"]), g["more"]) for g in data["groups"]] == [
        ("fetch", 4, 4, 0),
        ("read", 1, 1, 0),
        ("read", 1, 1, 0),
    ]
    stats = json.loads(run("stats", "--db", db, "--json").output)
    assert stats["failed"] == 6 and stats["transient"] == 1


def test_no_failures_and_no_store(tmp_path):
    db = tmp_path / "c.db"
    (tmp_path / "a.html").write_text(page(*TOPICS[0]), encoding="utf-8")
    run("ingest", tmp_path / "a.html", "--db", db, "-j", "1")
    assert run("failures", "--db", db).output == f"no failures in {db}\n"
    res = run("failures", "--db", tmp_path / "none.db")
    assert res.exit_code == 1 and "no such store" in res.output


def test_transient_failures_are_tried_again_by_the_next_run(tmp_path, flaky):
    db = tmp_path / "c.db"
    target = tmp_path / "late.html"
    args = (
        f"{flaky.base}/down",
        f"{flaky.base}/gone",
        target,
        "--db",
        db,
        "-j",
        "1",
        "--allow-private",
        "--delay",
        "0",
    )
    res = run("ingest", *args)
    assert res.exit_code == 1 and "3 (fetch 2, read 1)" in res.output
    assert "2 transient: the next run tries them again" in res.output
    first = failed(db)
    assert first[f"{flaky.base}/down"] == ("fetch", "HTTP 503") and first[str(target)][1] == "no such file or directory"

    # the server is back and the file exists: both are ingested; the 404 is not asked for again
    flaky.up = True
    target.write_text(page(*TOPICS[3]), encoding="utf-8")
    hits = flaky.hits["/gone"]
    res = run("ingest", *args)
    assert res.exit_code == 0, res.output
    assert "inputs:      3 (1 already stored, 2 failed before and tried again)" in res.output
    assert "documents:   2 added: 2 articles" in res.output
    assert flaky.hits["/gone"] == hits
    assert set(failed(db)) == {f"{flaky.base}/gone"}
    con = sqlite3.connect(db)
    statuses = dict(con.execute("SELECT source, status FROM documents").fetchall())
    assert statuses == {f"{flaky.base}/gone": "failed", f"{flaky.base}/down": "ok", str(target): "ok"}
    assert con.execute("SELECT COUNT(*) FROM documents_fts WHERE documents_fts MATCH 'orchard'").fetchone() == (1,)

    # a third run has nothing to try again
    res = run("ingest", *args)
    assert "inputs:      3 (3 already stored)" in res.output and "0 added" in res.output


def test_retry_failed_tries_every_failure_again(tmp_path):
    db = tmp_path / "c.db"
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    run("ingest", empty, "--db", db, "-j", "1")
    empty.write_text(page(*TOPICS[4]), encoding="utf-8")
    res = run("ingest", empty, "--db", db, "-j", "1")  # "empty file" is not transient: not tried again
    assert "1 already stored" in res.output and failed(db)
    res = run("ingest", empty, "--db", db, "-j", "1", "--retry-failed")
    assert res.exit_code == 0 and "1 failed before and tried again" in res.output
    assert failed(db) == {}
    assert json.loads(run("stats", "--db", db, "--json").output)["articles"] == 1


def test_a_missing_file_named_relatively_is_replaced_by_its_page(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("ingest", "late.html", "--db", "c.db", "-j", "1").exit_code == 1
    (tmp_path / "late.html").write_text(page(*TOPICS[0]), encoding="utf-8")
    res = run("ingest", "late.html", "--db", "c.db", "-j", "1")
    assert res.exit_code == 0 and "1 failed before and tried again" in res.output
    assert failed(tmp_path / "c.db") == {}


def test_a_failure_tried_again_that_fails_again_stays_one_row(tmp_path):
    db = tmp_path / "c.db"
    missing = tmp_path / "missing.html"
    for _ in range(2):
        res = run("ingest", missing, "--db", db, "-j", "1")
        assert res.exit_code == 1
    assert "1 failed before and tried again" in res.output
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*), status FROM documents").fetchone() == (1, "failed")
