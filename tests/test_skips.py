"""Nothing is skipped silently: what the readers pass over is counted, by why, and so are the bytes read."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_ingest import TOPICS, page
from tests.test_sources import RECORDS, write_warc
from thresher.cli import main
from thresher.corpus.sources import Raw, Tally
from thresher.corpus.sources.files import PAGE_EXTENSIONS, iter_files, page_extensions, read_file
from thresher.corpus.sources.jsonl import iter_jsonl
from thresher.corpus.sources.warc import iter_warc

PHP_CODE = b"<?php\n$title = 'x';\necho strtoupper($title);\n"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("compress", [False, True], ids=["warc", "warc.gz"])
def test_warc_responses_that_are_no_page_are_counted(tmp_path: Path, compress: bool) -> None:
    path = tmp_path / "crawl.warc"
    write_warc(path, compress)
    tally = Tally()
    pages = list(iter_warc(str(path), tally=tally))
    assert len(pages) == sum(1 for _, p in RECORDS if p is not None)
    # a PNG and an untyped script; a 404 and a 301; the warcinfo and the request are not counted
    assert tally.skipped == {"warc non-html": 2, "warc not 2xx": 2}
    assert tally.bytes_read == path.stat().st_size


def test_a_directory_walk_counts_other_extensions_and_sniffs_program_pages(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "empty").mkdir(parents=True)
    (root / "index.php").write_bytes(page(*TOPICS[0]).encode())
    (root / "view.aspx").write_bytes(b"<!DOCTYPE html><html><body><p>served</p></body></html>")
    (root / "code.php").write_bytes(PHP_CODE)  # the program, not a page it made
    (root / "style.css").write_bytes(b"p { color: red }")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "notes.txt").write_bytes(b"Some notes.")
    tally = Tally()
    out = list(iter_files([str(root), str(tmp_path / "site" / "empty")], tally=tally))
    assert [(Path(r.source).name, r.kind) for r in out] == [
        ("index.php", "html"),
        ("notes.txt", "text"),
        ("view.aspx", "html"),
    ]
    assert tally.skipped == {"extension": 2, "not html": 1, "empty directory": 1}
    assert tally.bytes_read == sum(p.stat().st_size for p in root.iterdir() if p.suffix in (".php", ".aspx", ".txt"))


def test_extensions_replace_the_walked_set_and_named_files_are_always_read(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(b"<p>a</p>")
    (tmp_path / "b.txt").write_bytes(b"b")
    (tmp_path / "c.htm.gz").write_bytes(gzip.compress(b"<p>c</p>"))
    (tmp_path / "README").write_bytes(b"no extension: read")
    tally = Tally()
    out = list(iter_files([str(tmp_path)], extensions=(".htm",), tally=tally))
    assert [Path(r.source).name for r in out] == ["README", "c.htm.gz"]
    assert tally.skipped == {"extension": 2}
    named = list(iter_files([str(tmp_path / "b.txt")], extensions=(".htm",)))
    assert [r.content for r in named] == [b"b"]


def test_page_extensions_parse_a_list():
    assert page_extensions("html, .PHP,txt,html") == (".html", ".php", ".txt")
    assert ".php" in PAGE_EXTENSIONS and ".html" in PAGE_EXTENSIONS and ".warc" in PAGE_EXTENSIONS
    for bad in ("", "html,,txt", "a b"):
        with pytest.raises(ValueError, match="not a file extension"):
            page_extensions(bad)


def test_the_cli_help_names_the_default_extensions():
    help_text = "".join(run("ingest", "--help").output.split())  # the help wraps inside the list
    listed = re.search(r"\[default:([\w,]+);eachalso\.gz\]", help_text)
    assert listed and tuple("." + e for e in listed.group(1).split(",")) == PAGE_EXTENSIONS


def test_jsonl_and_single_files_count_their_bytes(tmp_path: Path) -> None:
    lines = "".join(json.dumps({"text": f"line {i}"}) + "\n" for i in range(50))
    for name, data in (("d.jsonl", lines.encode()), ("d.jsonl.gz", gzip.compress(lines.encode()))):
        (tmp_path / name).write_bytes(data)
        tally = Tally()
        assert len(list(iter_jsonl(str(tmp_path / name), tally=tally))) == 50
        assert tally.bytes_read == len(data)
    (tmp_path / "p.html.gz").write_bytes(gzip.compress(b"<p>x</p>" * 100))
    tally = Tally()
    assert isinstance(next(read_file(str(tmp_path / "p.html.gz"), tally=tally)), Raw)
    assert tally.bytes_read == (tmp_path / "p.html.gz").stat().st_size


def test_the_ingest_report_says_what_was_skipped(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    write_warc(crawl / "a.warc.gz", compress=True)
    (crawl / "index.php").write_bytes(page(*TOPICS[1]).encode())
    (crawl / "app.js").write_bytes(b"var x = 1;")
    (crawl / "code.asp").write_bytes(b"<% Response.Write(1) %>")
    (tmp_path / "nothing").mkdir()
    res = run("ingest", crawl, tmp_path / "nothing", "--db", tmp_path / "c.db", "-j", "1")
    assert res.exit_code == 0, res.output
    assert "skipped:     7 (warc non-html 2, warc not 2xx 2, empty directory 1, extension 1, not html 1)" in res.output
    none = run("ingest", crawl / "index.php", "--db", tmp_path / "d.db", "-j", "1")
    assert "skipped:     0 (none)" in none.output
    only = run("ingest", crawl, "--db", tmp_path / "e.db", "-j", "1", "--extensions", "js")
    assert "documents:   1 added" in only.output and "extension 3" in only.output  # app.js read, as text
    bad = run("ingest", crawl, "--db", tmp_path / "f.db", "--extensions", "a b")
    assert bad.exit_code == 2 and "not a file extension: 'a b'" in bad.output
