"""The commands' input and output: the wrong input gets a message, not junk;
outputs are never clobbered; stdin in any form; language filters; batches."""

from __future__ import annotations

import bz2
import gzip
import json
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import thresher
from tests.test_ingest import TOPICS, page
from tests.test_sources import http, response
from thresher.cli import main


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def stored(db: Path, where: str = "1") -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(
            f"SELECT source, status, title, language FROM documents WHERE {where} ORDER BY id"
        ).fetchall()
    finally:
        con.close()


# -- ingest - ---------------------------------------------------------------------------------


def test_ingest_stdin_jsonl_is_one_document_per_line(tmp_path):
    lines = [{"url": f"https://gazette.example/{t}", "html": page(t, lead)} for t, lead in TOPICS[:3]]
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    res = run("ingest", "-", "--db", tmp_path / "c.db", "-j", "1", input=data)
    assert res.exit_code == 0, res.output
    docs = stored(tmp_path / "c.db")
    assert [d[1] for d in docs] == ["ok"] * 3
    assert [d[0].rsplit("#", 1)[1] for d in docs] == ["1", "2", "3"]
    assert not any("{" in (d[2] or "") for d in docs)  # no "article" made of JSON
    again = run("ingest", "-", "--db", tmp_path / "c.db", "-j", "1", input=gzip.compress(data))
    assert again.exit_code == 0 and len(stored(tmp_path / "c.db")) == 6  # gzipped, it is another input


def test_ingest_stdin_warc_is_read_as_an_archive(tmp_path):
    warc = b"".join(
        gzip.compress(response(f"https://gazette.example/{t}", http("200 OK", page(t, lead).encode()), n))
        for n, (t, lead) in enumerate(TOPICS[:2], 1)
    )
    res = run("ingest", "-", "--db", tmp_path / "c.db", "-j", "1", input=warc)
    assert res.exit_code == 0, res.output
    docs = stored(tmp_path / "c.db")
    assert [d[1] for d in docs] == ["ok", "ok"] and "harbour wall" in docs[0][2].lower()


# -- extract and clean: the wrong input -----------------------------------------------------

DUMP = Path(__file__).resolve().parent / "data" / "dump-ferry-en.txt"


def test_a_warc_given_to_extract_is_refused_without_printing_it(tmp_path):
    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(gzip.compress(response("https://ex.com/a", http("200 OK", page(*TOPICS[0]).encode()), 1)))
    for args in (["extract", warc], ["extract", "-"], ["clean", warc]):
        res = run(*args, input=warc.read_bytes() if "-" in args else None)
        assert res.exit_code == 1
        assert res.output.strip().endswith("this is a WARC archive: use thresher ingest")
        assert len(res.output) < 200  # one line, not the archive's bytes


@pytest.mark.parametrize(
    ("command", "content", "message"),
    [
        ("extract", DUMP.read_bytes(), "this looks like a plain-text dump, not HTML: use thresher clean"),
        ("clean", page(*TOPICS[0]).encode(), "this is HTML: use thresher extract"),
        (
            "extract",
            b'{"html": "<p>x</p>"}\n',
            "this is JSON (Lines): use thresher ingest, which reads a JSONL dump's html or text field",
        ),
        ("extract", b"", "empty file"),
        ("clean", b"  \n", "empty file"),
        ("extract", random.Random(1).randbytes(5000), "binary data, not a page"),
        ("clean", random.Random(1).randbytes(5000), "binary data, not a page"),
        ("extract", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "a PNG image, not a page"),
        ("extract", bz2.compress(page(*TOPICS[0]).encode()), "bzip2-compressed data: decompress it first"),
        ("extract", gzip.compress(random.Random(2).randbytes(900)), "gzip-compressed binary data, not a page"),
        ("extract", gzip.compress(page(*TOPICS[0]).encode())[:300], "truncated gzip data"),
        ("extract", gzip.compress(b""), "empty file once decompressed"),
    ],
    ids=lambda v: v[:40] if isinstance(v, str) else None,
)
def test_the_wrong_input_is_one_line_naming_what_it_is(tmp_path, command, content, message):
    path = tmp_path / "input"
    path.write_bytes(content)
    res = run(command, path)
    assert res.exit_code == 1 and res.output == f"Error: {path}: {message}\n"


def test_a_gzipped_page_is_decompressed(tmp_path):
    plain, zipped = tmp_path / "p.html", tmp_path / "p.html.gz"
    plain.write_text(page(*TOPICS[1]), encoding="utf-8")
    zipped.write_bytes(gzip.compress(plain.read_bytes()))
    out = run("extract", zipped)
    assert out.exit_code == 0 and out.output == run("extract", plain).output and "library" in out.output


def test_a_gzip_bomb_is_cut_at_the_input_limit(tmp_path):
    bomb = tmp_path / "bomb.html.gz"
    bomb.write_bytes(gzip.compress(b"<html><body><p>" + b"a" * 30_000_000))  # 30 MB in ~30 KB
    res = run("extract", bomb)
    assert res.exit_code == 1 and "larger than 20,000,000 bytes once decompressed" in res.output


def test_a_directory_or_a_missing_file_is_a_clear_error(tmp_path):
    res = run("extract", tmp_path)
    assert res.exit_code == 2 and f"{tmp_path} is a directory: use --input-dir {tmp_path} -o DIR" in res.output
    res = run("clean", tmp_path / "missing.txt")
    assert res.exit_code == 1 and res.output == f"Error: {tmp_path / 'missing.txt'}: no such file or directory\n"
    assert run("extract", "--input-dir", tmp_path).exit_code == 2  # no -o: where would the outputs go?
    res = run("extract", "--input-dir", tmp_path / "missing", "-o", tmp_path / "out")
    assert res.exit_code == 2 and "does not exist" in res.output
    res = run("extract", "page.html", "-o", tmp_path / "result.txt")  # -o is a directory: no result.txt/ made
    assert res.exit_code == 2 and "-o names a directory (one file per input inside it)" in res.output
    assert not (tmp_path / "result.txt").exists()
    assert "--url applies to a single FILE" in run("extract", "a", "b", "--url", "https://ex.com").output


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file(tmp_path):
    locked = tmp_path / "locked.html"
    locked.write_text(page(*TOPICS[0]))
    locked.chmod(0)
    res = run("extract", locked)
    assert res.exit_code == 1 and res.output == f"Error: {locked}: permission denied\n"


# -- extract and clean: batches -------------------------------------------------------------


def make_inputs(root: Path) -> Path:
    (root / "news" / "2026").mkdir(parents=True)
    for topic, lead in TOPICS[:3]:
        (root / "news" / f"{topic}.html").write_text(page(topic, lead), encoding="utf-8")
    (root / "news" / "2026" / "market.htm.gz").write_bytes(gzip.compress(page(*TOPICS[5]).encode()))
    (root / "news" / "2026" / "nav-only.html").write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    (root / "news" / "notes.txt").write_bytes(DUMP.read_bytes())
    return root / "news"


def test_extract_input_dir_keeps_the_names_and_reports(tmp_path):
    news = make_inputs(tmp_path)
    out = tmp_path / "out"
    res = run("extract", "--input-dir", news, "-o", out, "--format", "markdown")
    assert res.exit_code == 0, res.output
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == ["2026/market.md", "harbour.md", "library.md", "tram.md"]
    assert (out / "harbour.md").read_text(encoding="utf-8").startswith("---\ntitle: ")
    lines = res.output.splitlines()
    assert f"{news / 'notes.txt'}: this looks like a plain-text dump, not HTML: use thresher clean" in lines
    assert lines[-1] == f"4 written to {out}, 1 without article text (no file written), 1 failed"


def test_batch_outputs_are_never_clobbered_without_force(tmp_path):
    news = make_inputs(tmp_path)
    out = tmp_path / "out"
    assert run("extract", "--input-dir", news, "-o", out).exit_code == 0
    (out / "harbour.txt").write_text("mine")
    again = run("extract", "--input-dir", news, "-o", out)
    assert again.exit_code == 1 and f"{out / '2026' / 'market.txt'} exists (and 3 more outputs)" in again.output
    assert (out / "harbour.txt").read_text() == "mine"
    forced = run("extract", "--input-dir", news, "-o", out, "--force")
    assert forced.exit_code == 0 and "harbour wall" in (out / "harbour.txt").read_text()


def test_batch_files_to_a_directory_and_name_collisions(tmp_path):
    news = make_inputs(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (other / "harbour.htm").write_text(page(*TOPICS[4]))
    out = tmp_path / "out"
    res = run(
        "extract", news / "harbour.html", news / "tram.html", other / "harbour.htm", "-o", out, "--format", "json"
    )
    assert res.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["harbour.json", "tram.json"]
    assert json.loads((out / "harbour.json").read_text())["title"].startswith("The harbour wall")
    assert f"{other / 'harbour.htm'}: its output {out / 'harbour.json'} is also {news / 'harbour.html'}'s" in res.output


def test_batch_where_every_input_fails_exits_1(tmp_path):
    news = make_inputs(tmp_path)
    res = run("clean", news / "harbour.html", news / "tram.html", "-o", tmp_path / "out")
    assert res.exit_code == 1 and res.output.splitlines()[-1] == f"0 written to {tmp_path / 'out'}, 2 failed"
    assert not (tmp_path / "out").exists()


def test_clean_input_dir_never_writes_over_its_inputs(tmp_path):
    news = make_inputs(tmp_path)
    before = (news / "notes.txt").read_bytes()
    res = run("clean", "--input-dir", news, "-o", news)
    assert f"{news / 'notes.txt'}: its output {news / 'notes.txt'} is an input: choose another -o" in res.output
    assert (news / "notes.txt").read_bytes() == before
    res = run("clean", "--input-dir", news, "-o", tmp_path / "clean", "--format", "markdown")
    assert (tmp_path / "clean" / "notes.md").read_text().startswith('---\ntitle: "Island ferry service')


def test_many_files_to_stdout_go_on_after_a_bad_one(tmp_path):
    news = make_inputs(tmp_path)
    res = run("extract", news / "harbour.html", news / "notes.txt", news / "tram.html", "--format", "json")
    assert res.exit_code == 0
    docs = [json.loads(line) for line in res.stdout.splitlines()]
    assert [Path(d["source"]).name for d in docs] == ["harbour.html", "tram.html"]
    assert "notes.txt: this looks like a plain-text dump" in res.stderr


# -- export: outputs are never clobbered, errors are one line --------------------------------

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A store of the samples (English, German, French, Chinese, Russian pages and two dumps)."""
    db = tmp_path_factory.mktemp("corpus") / "c.db"
    res = run("ingest", SAMPLES, "--db", db, "-j", "1")
    assert res.exit_code == 0, res.output
    return db


def test_export_refuses_to_overwrite_a_file_without_force(corpus, tmp_path):
    out = tmp_path / "c.jsonl"
    out.write_text("precious\n")
    res = run("export", "--db", corpus, "-o", out)
    assert res.exit_code == 1 and res.output == f"Error: {out} exists: use --force to overwrite it\n"
    assert out.read_text() == "precious\n"
    for flag in ("--force", "--overwrite"):
        res = run("export", "--db", corpus, "-o", out, flag)
        assert res.exit_code == 0 and len(out.read_text().splitlines()) == len(stored(corpus, "status = 'ok'"))
    assert [p.name for p in tmp_path.iterdir()] == ["c.jsonl"]  # no temporary file left beside it


def test_export_to_a_directory_into_a_missing_folder_or_over_the_store(corpus, tmp_path):
    res = run("export", "--db", corpus, "-o", tmp_path)
    assert res.exit_code == 1
    assert res.output == f"Error: {tmp_path} is a directory: give a file name, like {tmp_path / 'corpus.jsonl'}\n"
    deep = tmp_path / "exports" / "2026" / "c.jsonl"
    res = run("export", "--db", corpus, "-o", deep)
    assert res.exit_code == 0 and deep.exists() and f"documents written to {deep}" in res.output
    before = corpus.read_bytes()
    res = run("export", "--db", corpus, "-o", corpus, "--force")
    assert res.exit_code == 1 and res.output == f"Error: {corpus} is the store itself\n"
    assert corpus.read_bytes() == before


def test_markdown_export_into_a_file_or_a_directory_that_holds_files(corpus, tmp_path):
    (tmp_path / "notes.md").write_text("mine")
    res = run("export", "--db", corpus, "--format", "markdown", "-o", tmp_path)
    assert res.exit_code == 1 and "is not empty: use --force to write into it" in res.output
    res = run("export", "--db", corpus, "--format", "markdown", "-o", tmp_path / "notes.md")
    assert res.exit_code == 1 and "is a file: markdown export writes a directory of .md files" in res.output
    assert run("export", "--db", corpus, "--format", "markdown", "-o", tmp_path, "--force").exit_code == 0
    assert (tmp_path / "notes.md").read_text() == "mine" and len(list(tmp_path.glob("0*.md"))) > 3


def test_parquet_without_pyarrow_is_one_line(corpus, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    res = run("export", "--db", corpus, "--format", "parquet", "-o", tmp_path / "c.parquet")
    assert res.exit_code == 1
    assert res.output == (
        "Error: Parquet export needs pyarrow: pip install 'thresher[parquet]' (in a checkout: pip install -e '.[parquet]')\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_export_piped_into_head_ends_quietly(corpus):
    proc = subprocess.Popen(
        [sys.executable, "-m", "thresher.cli", "export", "--db", str(corpus), "--format", "markdown"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.read(100)
    proc.stdout.close()  # as `head -c 100` does
    _, err = proc.communicate(timeout=60)
    assert b"Traceback" not in err and proc.returncode == 0


# -- --language ------------------------------------------------------------------------------


def test_export_language_filter(corpus):
    every = stored(corpus, "status = 'ok'")
    assert {d[3] for d in every} >= {"en", "de", "fr"}
    for codes in ("de", "en,fr", "EN, fr"):
        res = run("export", "--db", corpus, "--language", codes)
        assert res.exit_code == 0
        wanted = {c.strip().lower() for c in codes.split(",")}
        assert sorted(json.loads(line)["id"] for line in res.output.splitlines()) == sorted(
            i for i, (_, _, _, lang) in enumerate(every, 1) if lang in wanted
        )
    res = run("export", "--db", corpus, "--language", "german")
    assert (
        res.exit_code == 2 and "'german' is not a language code: give ISO 639-1 codes, like en or en,de" in res.output
    )


def test_ingest_language_filter_stores_only_those_and_counts_the_others(corpus, tmp_path):
    db = tmp_path / "de.db"
    res = run("ingest", SAMPLES, "--db", db, "-j", "1", "--language", "de,fr")
    assert res.exit_code == 0, res.output
    kept = stored(db, "status = 'ok'")
    assert sorted(d[3] for d in kept) == ["de", "fr"]
    left_out = len(stored(corpus, "status = 'ok'")) - 2
    assert f"languages:   {left_out} articles in other languages, not stored" in res.output
    again = run("ingest", SAMPLES, "--db", db, "-j", "1", "--language", "en")  # a later run adds them
    assert sorted(d[3] for d in stored(db, "status = 'ok'")) == sorted(
        d[3] for d in stored(corpus, "status = 'ok'") if d[3] in ("de", "fr", "en")
    )
    assert "2 already stored" in again.output
    assert "languages:" not in run("ingest", SAMPLES, "--db", tmp_path / "all.db", "-j", "1").output
    assert run("ingest", SAMPLES, "--db", tmp_path / "x.db", "--language", "deu").exit_code == 2
    assert not (tmp_path / "x.db").exists()  # refused before the store is made


def test_library_ingest_takes_languages(tmp_path):
    report = thresher.ingest([str(SAMPLES / "pages")], tmp_path / "c.db", languages=["fr"])
    assert report.stats.ok == 1 and report.other_languages == 6
    with pytest.raises(ValueError, match="not a language code"):
        thresher.ingest([str(SAMPLES)], tmp_path / "new.db", languages="french")
    assert not (tmp_path / "new.db").exists()
