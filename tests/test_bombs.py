"""Decompression bombs: every decompression is streamed and stops at its output limit.

What a hostile crawl showed: a 2.6 KB ``.warc.gz`` (a record with
``Content-Encoding: gzip, gzip``) reached 6.3 GB, and so did ``.html.gz``,
``.txt.gz`` and ``.jsonl.gz`` files inflating to a gigabyte, before any size
check. Each class is rebuilt here at a smaller scale (64 MiB of spaces against
a 1 MiB limit); the memory traced while it is read shows that it was never
inflated beyond the limit, and a page over the limit is a ``Failure`` with its
reason while the rest of the input is still read.
"""

from __future__ import annotations

import gzip
import json
import os
import tracemalloc
import zlib
from pathlib import Path

import brotli  # imported here: its first import allocates tables that tracemalloc would count
import pytest

from tests.test_sources import http, response
from thresher.config import Config
from thresher.corpus.ingest import ingest
from thresher.corpus.sources import Failure, Raw
from thresher.corpus.sources.files import read_file
from thresher.corpus.sources.inflate import STEP_BYTES, TooLarge, gunzip, inflate
from thresher.corpus.sources.warc import iter_warc
from thresher.corpus.store import Store

LIMIT = 1 << 20
BOMB = 64 << 20  # what each bomb holds: 64 times the limit
#: The memory a capped read may trace: the limit, the decoders' steps and the page's copies.
BUDGET = 6 * LIMIT


def spaces(n: int = BOMB, *, wbits: int = 31) -> bytes:
    """``n`` spaces compressed as gzip (``wbits`` 31), zlib (15) or raw deflate (-15)."""
    c = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = b" " * (1 << 22)
    return b"".join([*(c.compress(block) for _ in range(n // len(block))), c.flush()])


def traced_peak(fn):
    """What ``fn()`` returns, and the peak of the memory traced while it ran."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        out = fn()
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


BR_BOMB = brotli.compress(b" " * BOMB, quality=1)
CODED = {
    "gzip": spaces(),
    "deflate": spaces(wbits=15),
    "raw deflate": spaces(wbits=-15),
    "br": BR_BOMB,
    "gzip, gzip": gzip.compress(spaces()),
    "gzip, br": brotli.compress(spaces()),
}


def codings(name: str) -> list[str]:
    return ["deflate" if c == "raw deflate" else c for c in name.split(", ")]


@pytest.mark.parametrize("name", list(CODED))
def test_every_coding_and_chain_stops_at_the_limit(name):
    data = CODED[name]

    def run():
        with pytest.raises(TooLarge, match=f"more than {LIMIT:,} bytes once decompressed"):
            inflate([data[i : i + 4096] for i in range(0, len(data), 4096)], codings(name), LIMIT)

    _, peak = traced_peak(run)
    assert peak < BUDGET, f"{name}: {peak:,} bytes traced"


@pytest.mark.parametrize("name", list(CODED))
def test_every_coding_and_chain_is_undone(name):
    page = b"<html><p>" + os.urandom(3000).hex().encode() + b"</p></html>"
    data = page
    for coding in codings(name):
        if coding == "br":
            data = brotli.compress(data)
        else:
            c = zlib.compressobj(
                6, zlib.DEFLATED, {"gzip": 31, "deflate": 15}[coding] if name != "raw deflate" else -15
            )
            data = c.compress(data) + c.flush()
    assert inflate([data[i : i + 7] for i in range(0, len(data), 7)], codings(name), LIMIT) == page
    assert inflate([data], codings(name), 100, truncate=True) == page[:100]  # robots.txt: the first bytes


def test_bad_codings_and_data():
    with pytest.raises(ValueError, match="unsupported coding 'zstd'"):
        inflate([b"x"], ["zstd"], LIMIT)
    with pytest.raises(ValueError, match="corrupt gzip data"):
        inflate([b"\x1f\x8b\x08\x00" + b"\xff" * 40], ["gzip"], LIMIT)
    whole = gzip.compress(b"<p>cut short</p>" * 100)
    assert b"<p>cut short</p>".startswith(inflate([whole[:-30]], ["gzip"], LIMIT)[:16])  # what it holds
    assert inflate([gzip.compress(b"a") + gzip.compress(b"b")], ["gzip"], LIMIT) == b"ab"  # members
    with pytest.raises(ValueError, match="truncated gzip data"):
        gunzip([whole[:-30]], LIMIT)
    assert len(gunzip([spaces()], LIMIT)) == LIMIT + 1  # over the limit: its caller says so
    assert STEP_BYTES < LIMIT


def bomb_warc(path: Path, body: bytes, coding: str) -> None:
    """A gzipped WARC: a record whose body is a bomb under ``coding``, then a good page."""
    bomb = response("http://ex.com/bomb", http("200 OK", body, extra=f"Content-Encoding: {coding}\r\n"), 1)
    good = response("http://ex.com/good", http("200 OK", b"<html><p>good</p></html>"), 2)
    path.write_bytes(gzip.compress(bomb) + gzip.compress(good))


@pytest.mark.parametrize("name", ["gzip, gzip", "br", "gzip"])
def test_a_warc_bomb_is_a_failure_and_the_archive_goes_on(tmp_path, name):
    path = tmp_path / "bomb.warc.gz"
    bomb_warc(path, CODED[name], name)
    out, peak = traced_peak(lambda: list(iter_warc(str(path), max_bytes=LIMIT)))
    assert peak < BUDGET
    failure, page = out
    assert failure == Failure(f"{path}#0", "warc", f"payload more than {LIMIT:,} bytes once decompressed ({name})")
    assert isinstance(page, Raw) and page.content == b"<html><p>good</p></html>"


def test_a_warc_record_holding_a_gigabyte_is_never_read_whole(tmp_path):
    """A record whose gzip member inflates to 64 MiB of spaces (its Content-Length says so)."""
    head = (
        "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:0>\r\nWARC-Target-URI: http://ex.com/\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {BOMB + 44}\r\n\r\n"
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
    ).encode()
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    member = c.compress(head) + b"".join(c.compress(b" " * (1 << 22)) for _ in range(BOMB >> 22))
    path = tmp_path / "big.warc.gz"
    path.write_bytes(member + c.compress(b"\r\n\r\n") + c.flush())
    out, peak = traced_peak(lambda: list(iter_warc(str(path), max_bytes=LIMIT)))
    assert out == [Failure(f"{path}#0", "warc", f"payload larger than {LIMIT:,} bytes")]
    assert peak < BUDGET


@pytest.mark.parametrize("name", ["page.html.gz", "dump.txt.gz"])
def test_a_gzipped_page_bomb_is_read_no_further_than_the_limit(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(spaces())
    out, peak = traced_peak(lambda: list(read_file(str(path), max_bytes=LIMIT)))
    assert out == [Failure(str(path), "read", f"larger than {LIMIT:,} bytes")]
    assert peak < BUDGET


def test_a_jsonl_line_bomb_is_a_failure_and_the_next_line_is_read(tmp_path):
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    body = c.compress(b'{"html": "') + b"".join(c.compress(b" " * (1 << 22)) for _ in range(BOMB >> 22))
    path = tmp_path / "dump.jsonl.gz"
    path.write_bytes(body + c.compress(b'"}\n{"html": "<p>next</p>"}\n') + c.flush())
    out, peak = traced_peak(lambda: list(read_file(str(path), max_bytes=LIMIT)))
    limit = 6 * LIMIT  # MAX_LINE_FACTOR: what a page's JSON may take
    assert out == [Failure(f"{path}#1", "jsonl", f"line longer than {limit:,} bytes"), Raw(f"{path}#2", "<p>next</p>")]
    assert peak < 3 * limit  # GzipFile.readline joins its pieces: twice the line at most
    # a line within its limit holding a page over the limit (escapes inflate a page's JSON)
    path = tmp_path / "dump.jsonl"
    path.write_text(json.dumps({"html": "<p>" + "x" * LIMIT + "</p>"}) + "\n")
    [failure] = read_file(str(path), max_bytes=LIMIT)
    assert failure == Failure(f"{path}#1", "jsonl", f"html larger than {LIMIT:,} characters")


def test_ingest_reads_with_the_configs_page_limit(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bomb.txt.gz").write_bytes(spaces())
    bomb_warc(tmp_path / "in" / "crawl.warc.gz", CODED["gzip, gzip"], "gzip, gzip")
    with Store(tmp_path / "c.db") as store:
        report = ingest([str(tmp_path / "in")], store, config=Config(max_input_bytes=LIMIT), progress=False)
        failed = {(d.stage, d.reason) for d in store.iter_documents(include_failed=True) if d.status == "failed"}
    assert report.stats.ok == 1  # the good page after the bomb in the WARC
    assert failed == {
        ("read", f"larger than {LIMIT:,} bytes"),
        ("warc", f"payload more than {LIMIT:,} bytes once decompressed (gzip, gzip)"),
    }
