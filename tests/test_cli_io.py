"""The commands' input and output: the wrong input gets a message, not junk;
outputs are never clobbered; stdin in any form; language filters; batches."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

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
