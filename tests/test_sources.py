"""Tests for thresher.corpus.sources: files, directories, globs, stdin, JSONL and WARC input.

Every fixture is built here, byte by byte, in ``tmp_path``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import sys
import types
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from thresher.corpus.sources import Failure, Raw
from thresher.corpus.sources import warc as warc_module
from thresher.corpus.sources.files import iter_files, iter_paths, read_file
from thresher.corpus.sources.jsonl import iter_jsonl
from thresher.corpus.sources.sniff import sniff_kind
from thresher.corpus.sources.warc import iter_warc

DATE = "2024-05-06T07:08:09Z"


# -- WARC builders -------------------------------------------------------------
def warc_record(wtype: str, uri: str, block: bytes, ctype: str, n: int) -> bytes:
    """One WARC/1.1 record, with its trailing blank lines."""
    head = (
        f"WARC/1.1\r\nWARC-Type: {wtype}\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{n:012d}>\r\n"
        f"WARC-Date: {DATE}\r\nWARC-Target-URI: {uri}\r\nContent-Type: {ctype}\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    )
    return head.encode() + block + b"\r\n\r\n"


def http(status: str, body: bytes, ctype: str | None = "text/html", extra: str = "") -> bytes:
    """An HTTP/1.1 response message."""
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}"]
    if ctype is not None:
        lines.append(f"Content-Type: {ctype}")
    return ("\r\n".join(lines) + "\r\n" + extra + "\r\n").encode() + body


def response(uri: str, message: bytes, n: int) -> bytes:
    return warc_record("response", uri, message, "application/http; msgtype=response", n)


CAFE = "<html><body><p>Caf\xe9 cr\xe8me</p></body></html>".encode("latin-1")
CHUNKED = b"5\r\n<p>ch\r\n9\r\nunked</p>\r\n0\r\n\r\n"

# (record bytes, expected page or None if it must be skipped)
RECORDS: list[tuple[bytes, dict | None]] = [
    (warc_record("warcinfo", "", b"software: tests\r\n", "application/warc-fields", 1), None),
    (
        warc_record(
            "request",
            "http://ex.com/a",
            b"GET /a HTTP/1.1\r\nHost: ex.com\r\n\r\n",
            "application/http; msgtype=request",
            2,
        ),
        None,
    ),
    (
        response("http://ex.com/a", http("200 OK", CAFE, 'text/html; charset="ISO-8859-1"'), 3),
        {"url": "http://ex.com/a", "content": CAFE, "kind": "html", "http_charset": "ISO-8859-1"},
    ),
    (response("http://ex.com/logo.png", http("200 OK", b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"), 4), None),
    (response("http://ex.com/missing", http("404 Not Found", b"<html><p>gone</p></html>"), 5), None),
    (response("http://ex.com/moved", http("301 Moved", b"", extra="Location: /a\r\n"), 6), None),
    (
        warc_record("resource", "http://ex.com/notes.txt", b"Plain notes.", "text/plain; charset=utf-8", 7),
        {"url": "http://ex.com/notes.txt", "content": b"Plain notes.", "kind": "text", "http_charset": "utf-8"},
    ),
    (
        response(
            "http://ex.com/gz", http("200 OK", gzip.compress(b"<p>zipped</p>"), extra="Content-Encoding: gzip\r\n"), 8
        ),
        {"url": "http://ex.com/gz", "content": b"<p>zipped</p>", "kind": "html", "http_charset": None},
    ),
    (
        response(
            "http://ex.com/ch", http("200 OK", CHUNKED, "application/xhtml+xml", "Transfer-Encoding: chunked\r\n"), 9
        ),
        {"url": "http://ex.com/ch", "content": b"<p>chunked</p>", "kind": "html", "http_charset": None},
    ),
    (
        response("http://ex.com/lie", http("200 OK", b"<p>stored decoded</p>", extra="Content-Encoding: gzip\r\n"), 10),
        {"url": "http://ex.com/lie", "content": b"<p>stored decoded</p>", "kind": "html", "http_charset": None},
    ),
    (
        response("http://ex.com/untyped", http("200 OK", b"<!DOCTYPE html><p>no type</p>", None), 11),
        {
            "url": "http://ex.com/untyped",
            "content": b"<!DOCTYPE html><p>no type</p>",
            "kind": "html",
            "http_charset": None,
        },
    ),
    (response("http://ex.com/blob", http("200 OK", b"var x = 1;", None), 12), None),
]


def write_warc(path: Path, compress: bool) -> list[int]:
    """Write RECORDS (one gzip member per record if ``compress``); return each record's offset."""
    offsets, data = [], b""
    for rec, _ in RECORDS:
        offsets.append(len(data))
        data += gzip.compress(rec) if compress else rec
    path.write_bytes(data)
    return offsets


def expected_pages(path: Path, offsets: list[int]) -> list[Raw]:
    return [
        Raw(source=f"{path}#{off}", fetched=DATE, **page)
        for off, (_, page) in zip(offsets, RECORDS, strict=True)
        if page is not None
    ]


@pytest.mark.parametrize("compress", [False, True], ids=["warc", "warc.gz"])
def test_warc_yields_html_and_text_pages_with_metadata(tmp_path: Path, compress: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if compress else "crawl.warc")
    offsets = write_warc(path, compress)
    assert list(iter_warc(str(path))) == expected_pages(path, offsets)
    assert list(read_file(str(path))) == expected_pages(path, offsets)  # dispatch by name


def test_warc_keys_are_stable_and_unique_in_a_single_member_gzip(tmp_path: Path) -> None:
    path = tmp_path / "whole.warc.gz"
    path.write_bytes(gzip.compress(b"".join(rec for rec, _ in RECORDS)))
    first, second = list(iter_warc(str(path))), list(iter_warc(str(path)))
    assert first == second
    assert all(isinstance(r, Raw) for r in first)
    assert [r.content for r in first] == [page["content"] for _, page in RECORDS if page]
    assert len({r.source for r in first}) == len(first)


def test_warc_compression_is_sniffed_not_taken_from_the_name(tmp_path: Path) -> None:
    path = tmp_path / "misnamed.warc"  # gzipped, but named as plain
    offsets = write_warc(path, compress=True)
    assert list(iter_warc(str(path))) == expected_pages(path, offsets)


def truncated_results(tmp_path: Path, data: bytes, cut: int, name: str) -> list[Raw | Failure]:
    path = tmp_path / name
    path.write_bytes(data[:cut])
    return list(iter_warc(str(path)))


@pytest.mark.parametrize("compress", [False, True], ids=["warc", "warc.gz"])
def test_truncated_warc_yields_earlier_records_then_one_failure(tmp_path: Path, compress: bool) -> None:
    full = tmp_path / "full.warc"
    offsets = write_warc(full, compress)
    data = full.read_bytes()
    cut_path = tmp_path / ("cut.warc.gz" if compress else "cut.warc")
    start, end = offsets[-3], offsets[-2]  # the record of the "lie" page
    before = [p for p in expected_pages(full, offsets) if int(p.source.rsplit("#", 1)[1]) < start]
    # Cut inside that record: just after its start (FastWARC alone drops such a
    # gzip member without a word), in its middle, and (plain) inside its body.
    for cut in (start + 12, (start + end) // 2, *(() if compress else (end - 9,))):
        cut_path.write_bytes(data[:cut])
        out = list(iter_warc(str(cut_path)))
        assert [r.content for r in out[:-1]] == [p.content for p in before], cut
        assert [r.source for r in out[:-1]] == [p.source.replace(str(full), str(cut_path)) for p in before]
        assert out[-1] == Failure(str(cut_path), "warc", out[-1].reason)
        assert out[-1].reason.startswith("truncated or corrupt WARC"), out[-1].reason
    # Losing only the last gzip trailer keeps every page, but is still reported.
    if compress:
        cut_path.write_bytes(data[:-4])
        *pages, failure = iter_warc(str(cut_path))
        assert [p.content for p in pages] == [p.content for p in expected_pages(full, offsets)]
        assert isinstance(failure, Failure) and failure.stage == "warc"


def test_corrupt_and_non_warc_archives_fail_without_raising(tmp_path: Path) -> None:
    good = tmp_path / "good.warc.gz"
    offsets = write_warc(good, compress=True)
    data = bytearray(good.read_bytes())
    data[offsets[3] + 20 : offsets[3] + 40] = b"\x00" * 20  # garbage inside a gzip member
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(bytes(data))
    out = list(iter_warc(str(bad)))
    assert [r.content for r in out[:-1]] == [CAFE]
    assert isinstance(out[-1], Failure) and out[-1].stage == "warc"

    html = tmp_path / "page.warc"
    html.write_bytes(b"<html><p>not an archive</p></html>")
    [failure] = iter_warc(str(html))
    assert failure.source == str(html) and failure.reason.startswith("truncated or corrupt WARC")


def test_arc_files_fail_with_a_clear_reason(tmp_path: Path) -> None:
    arc = tmp_path / "old.arc"
    arc.write_bytes(
        b"filedesc://old.arc 0.0.0.0 20240101000000 text/plain 9\n1 0 test\n\n"
        b"http://ex.com/ 1.2.3.4 20240102030405 text/html 40\n"
        b"HTTP/1.0 200 OK\r\n\r\n<html>arc</html>\n"
    )
    [failure] = list(read_file(str(arc)))
    assert failure.stage == "warc" and "ARC" in failure.reason and "not supported" in failure.reason


def test_warc_missing_empty_and_oversized(tmp_path: Path) -> None:
    assert list(iter_warc(str(tmp_path / "nope.warc"))) == [
        Failure(str(tmp_path / "nope.warc"), "read", "no such file or directory")
    ]
    empty = tmp_path / "empty.warc.gz"
    empty.touch()
    assert list(iter_warc(str(empty))) == [Failure(str(empty), "read", "empty file")]
    path = tmp_path / "crawl.warc"
    offsets = write_warc(path, compress=False)
    limit = len(b"<p>stored decoded</p>")  # the stored (not decoded) size counts, then the decoded one
    out = list(iter_warc(str(path), max_bytes=limit))
    assert [r.content for r in out if isinstance(r, Raw)] == [b"Plain notes.", b"<p>stored decoded</p>"]
    failures = [r for r in out if isinstance(r, Failure)]
    assert [r.source for r in failures] == [f"{path}#{offsets[i]}" for i in (2, 7, 8, 10)]
    assert {r.reason for r in failures} == {f"payload larger than {limit:,} bytes"}


class CountingFile(io.FileIO):
    """A file that counts the bytes read from it."""

    bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = super().read(size)
        CountingFile.bytes_read += len(data)
        return data


def test_warc_is_read_as_a_stream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recs = [
        gzip.compress(response(f"http://ex.com/{i}", http("200 OK", b"<p>%s</p>" % os.urandom(4000).hex().encode()), i))
        for i in range(600)
    ]
    path = tmp_path / "big.warc.gz"
    path.write_bytes(b"".join(recs) + b"\x1f\x8b\x08\x00broken")  # damage at the very end
    size = path.stat().st_size
    monkeypatch.setattr(warc_module, "open", lambda p, mode: CountingFile(p, "r"), raising=False)
    pages = iter_warc(str(path))
    assert isinstance(pages, Iterator)
    first = next(pages)
    assert isinstance(first, Raw) and first.url == "http://ex.com/0"  # before the damage is reached
    assert CountingFile.bytes_read < size / 4
    rest = list(pages)
    assert len(rest) == 600 and isinstance(rest[-1], Failure)


def test_missing_fastwarc_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fastwarc.warc", None)
    with pytest.raises(ImportError, match="pip install fastwarc"):
        iter_warc("whatever.warc")


# -- JSONL ---------------------------------------------------------------------
JSONL_LINES = [
    json.dumps({"id": 1, "url": "http://ex.com/1", "html": "<p>one</p>"}),
    "",
    json.dumps({"text": "Two, as text.", "url": 7}),
    "{not json",
    "[1, 2]",
    json.dumps({"id": 6, "title": "neither field"}),
    json.dumps({"html": "", "text": "html empty, text used"}),
]


def test_jsonl_records_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(JSONL_LINES).encode() + b"\n\n")
    out = list(iter_jsonl(str(path)))
    key = f"{path}#"
    assert out[0] == Raw(source=key + "1", content="<p>one</p>", kind="html", url="http://ex.com/1")
    assert out[1] == Raw(source=key + "3", content="Two, as text.", kind="text")  # a non-string url is dropped
    assert [(f.source, f.stage) for f in out[2:5]] == [(key + "4", "jsonl"), (key + "5", "jsonl"), (key + "6", "jsonl")]
    assert "invalid JSON" in out[2].reason and "not a JSON object" in out[3].reason
    assert out[5] == Raw(source=key + "7", content="html empty, text used", kind="text")
    assert len(out) == 6


def test_jsonl_empty_and_missing(tmp_path: Path) -> None:
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n  \n")
    assert list(read_file(str(blank))) == [Failure(str(blank), "read", "empty file")]
    missing = tmp_path / "missing.jsonl.gz"
    assert list(iter_jsonl(str(missing))) == [Failure(str(missing), "read", "no such file or directory")]


def test_jsonl_gz_and_truncated_gz(tmp_path: Path) -> None:
    lines = "".join(json.dumps({"html": f"<p>{i} {os.urandom(100).hex()}</p>"}) + "\n" for i in range(300)).encode()
    path = tmp_path / "dump.jsonl.gz"
    path.write_bytes(gzip.compress(lines))
    assert len([r for r in read_file(str(path)) if isinstance(r, Raw)]) == 300
    path.write_bytes(gzip.compress(lines)[:-2000])
    out = list(read_file(str(path)))
    assert 0 < len(out) - 1 < 300
    assert all(isinstance(r, Raw) for r in out[:-1])
    assert out[-1].stage == "jsonl" and out[-1].source == str(path) and "truncated" in out[-1].reason


# -- files, directories, globs -------------------------------------------------
def make_tree(root: Path) -> None:
    (root / "b").mkdir()
    (root / "b" / "deep").mkdir()
    (root / ".hidden").mkdir()
    for rel in ("a.html", "b/z.txt", "b/deep/x.htm", "b/c.html", ".dotfile", ".hidden/secret.html", "b/.skip"):
        (root / rel).write_text("<p>hi</p>")


def test_iter_paths_expands_directories_globs_and_reports_missing(tmp_path: Path, monkeypatch) -> None:
    make_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    got = list(iter_paths(["."]))
    assert got == [str(tmp_path / rel) for rel in ("a.html", "b/c.html", "b/deep/x.htm", "b/z.txt")]
    assert list(iter_paths(["b/**/*.htm*"])) == [str(tmp_path / "b/c.html"), str(tmp_path / "b/deep/x.htm")]
    explicit = list(iter_paths(["b/z.txt", "-", ".dotfile"]))  # a hidden file named outright is taken
    assert explicit == [str(tmp_path / "b/z.txt"), "-", str(tmp_path / ".dotfile")]
    assert list(iter_paths(["nope.html", "*.xml"])) == [
        Failure(str(tmp_path / "nope.html"), "read", "no such file or directory"),
        Failure("*.xml", "read", "no files match the pattern"),
    ]
    assert list(iter_paths(["b*"])) == [str(tmp_path / rel) for rel in ("b/c.html", "b/deep/x.htm", "b/z.txt")]


def test_read_file_single_pages(tmp_path: Path) -> None:
    cases = {
        "page.html": (b"just words, trusted as html", "html"),
        "notes.TXT": (b"<p>named as text</p>", "text"),
        "noext": (b"\xef\xbb\xbf  \n<!DOCTYPE html><html><body>x</body></html>", "html"),
        "frag.dat": (b"<p class='lead'>A fragment.</p>", "html"),
        "letter": ("Dear Ann,\n\tsee <div> tags? Non, café.\n".encode(), "text"),
        "utf16": ("<html><p>wide</p></html>".encode("utf-16"), "html"),
    }
    for name, (data, kind) in cases.items():
        (tmp_path / name).write_bytes(data)
        assert list(read_file(str(tmp_path / name))) == [Raw(source=str(tmp_path / name), content=data, kind=kind)]
    (tmp_path / "page.html.gz").write_bytes(gzip.compress(b"<p>zipped</p>"))
    assert list(read_file(str(tmp_path / "page.html.gz"))) == [
        Raw(source=str(tmp_path / "page.html.gz"), content=b"<p>zipped</p>", kind="html")
    ]


def test_read_file_failures(tmp_path: Path) -> None:
    def fail(name: str, data: bytes | None) -> Failure:
        path = tmp_path / name
        if data is not None:
            path.write_bytes(data)
        [out] = list(read_file(str(path)))
        assert isinstance(out, Failure) and out.source == str(path) and out.stage == "read"
        return out

    assert fail("empty.html", b"").reason == "empty file"
    assert fail("image.bin", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").reason == "binary file"
    assert fail("ctrl.dat", bytes(range(1, 9)) * 50 + b"abc").reason == "binary file"
    assert fail("page.txt.gz", b"\x1f\x8b\x08\x00 not really gzip").reason.startswith("corrupt gzip")
    assert fail("gone.html", None).reason == "no such file or directory"
    (tmp_path / "adir.html").mkdir()
    assert fail("adir.html", None).reason == "is a directory"
    (tmp_path / "big.txt").write_bytes(b"x" * 5000)
    [big] = list(read_file(str(tmp_path / "big.txt"), max_bytes=4999))
    assert big == Failure(str(tmp_path / "big.txt"), "read", "larger than 4,999 bytes")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "locked.html"
    path.write_bytes(b"<p>x</p>")
    path.chmod(0)
    assert list(read_file(str(path))) == [Failure(str(path), "read", "permission denied")]


def test_sniff_kind() -> None:
    assert sniff_kind(b"  <HTML lang=en>") == "html"
    assert sniff_kind(b"<pre>code</pre> is not enough? <div>") == "html"
    assert sniff_kind(b"<path d='x'/>") == "text"  # an SVG fragment: no HTML tag
    assert sniff_kind(b"Plain prose with a tab\tand a form feed\f.") == "text"
    assert sniff_kind(zlib.compress(os.urandom(2000))) is None


# -- iter_files and stdin ------------------------------------------------------
def fake_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(data)))


def test_iter_files_dispatches_every_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    offsets = write_warc(tmp_path / "crawl.warc.gz", compress=True)
    (tmp_path / "dump.ndjson").write_text(json.dumps({"text": "from jsonl"}) + "\n")
    (tmp_path / "page.html").write_bytes(b"<p>page</p>")
    fake_stdin(monkeypatch, b"<html><p>piped</p></html>")
    out = list(iter_files([str(tmp_path), "-", str(tmp_path / "missing.txt"), "-"]))
    warc_pages = expected_pages(tmp_path / "crawl.warc.gz", offsets)
    assert out == [
        *warc_pages,
        Raw(source=f"{tmp_path / 'dump.ndjson'}#1", content="from jsonl", kind="text"),
        Raw(source=str(tmp_path / "page.html"), content=b"<p>page</p>", kind="html"),
        Raw(source=stdin_key(b"<html><p>piped</p></html>"), content=b"<html><p>piped</p></html>", kind="html"),
        Failure(str(tmp_path / "missing.txt"), "read", "no such file or directory"),
        Failure("<stdin>", "read", "stdin given twice"),
    ]


def stdin_key(content: bytes) -> str:
    """Piped pages are keyed by their content: one page piped twice is one input."""
    return "<stdin>#" + hashlib.blake2b(content, digest_size=8).hexdigest()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b"Just a plain text dump.\n",
            Raw(source=stdin_key(b"Just a plain text dump.\n"), content=b"Just a plain text dump.\n", kind="text"),
        ),
        (
            gzip.compress(b"<p>zipped</p>"),
            Raw(source=stdin_key(b"<p>zipped</p>"), content=b"<p>zipped</p>", kind="html"),
        ),
        (b"", Failure("<stdin>", "read", "empty input")),
        (b"\x00\x01\x02binary", Failure("<stdin>", "read", "binary input")),
    ],
)
def test_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes, expected: Raw | Failure) -> None:
    fake_stdin(monkeypatch, data)
    assert list(iter_files(["-"])) == [expected]


@pytest.mark.parametrize("compress", [False, True], ids=["warc", "warc.gz"])
def test_stdin_warc_is_read_as_an_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compress: bool) -> None:
    path = tmp_path / "crawl.warc"
    offsets = write_warc(path, compress)
    data = path.read_bytes()
    fake_stdin(monkeypatch, data)
    name = stdin_key(data)  # the archive's name: its records are name#offset, as a file's are path#offset
    expected = [
        Raw(**{f: getattr(p, f) for f in Raw.__slots__} | {"source": p.source.replace(str(path), name)})
        for p in expected_pages(path, offsets)
    ]
    assert list(iter_files(["-"])) == expected


@pytest.mark.parametrize("compress", [False, True], ids=["jsonl", "jsonl.gz"])
def test_stdin_jsonl_is_read_record_by_record(monkeypatch: pytest.MonkeyPatch, compress: bool) -> None:
    lines = [{"url": "https://ex.com/a", "html": "<p>first</p>"}, {"text": "second"}, "not an object"]
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    data = gzip.compress(data) if compress else data
    fake_stdin(monkeypatch, data)
    name = stdin_key(data)
    assert list(iter_files(["-"])) == [
        Raw(source=f"{name}#1", content="<p>first</p>", kind="html", url="https://ex.com/a"),
        Raw(source=f"{name}#2", content="second", kind="text"),
        Failure(f"{name}#3", "jsonl", "not a JSON object but str"),
    ]


def test_suffixless_warc_and_jsonl_files_are_read_as_such(tmp_path: Path) -> None:
    offsets = write_warc(tmp_path / "crawl", compress=False)
    assert list(read_file(str(tmp_path / "crawl"))) == expected_pages(tmp_path / "crawl", offsets)
    (tmp_path / "dump").write_text(json.dumps({"text": "a dump"}) + "\n")
    assert list(read_file(str(tmp_path / "dump"))) == [Raw(f"{tmp_path / 'dump'}#1", "a dump", kind="text")]


def test_corrupt_gzip_on_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, b"\x1f\x8b\x08\x00" + os.urandom(200))
    [failure] = list(iter_files(["-"]))
    assert isinstance(failure, Failure) and failure.reason.startswith("corrupt gzip")


def test_random_bytes_labelled_html_in_a_warc_are_no_page(tmp_path: Path) -> None:
    """A hostile crawl stored 148k characters of mojibake as an article from such a record."""
    noise = bytes(range(256)) * 40
    path = tmp_path / "noise.warc"
    path.write_bytes(
        response("http://ex.com/noise", http("200 OK", noise), 1) + response("http://ex.com/a", http("200 OK", CAFE), 2)
    )
    failure, page = iter_warc(str(path))
    assert failure == Failure(f"{path}#0", "warc", "binary data, not a page (Content-Type text/html)")
    assert isinstance(page, Raw) and page.content == CAFE
