"""Input that is not what the call expects: binary or compressed bytes, a text
dump given to ``extract``, HTML given to ``clean_text``. The library stays
lenient (an empty article with its reason, a dump cleaned as a dump); the
command line says what the input is and which command reads it."""

from __future__ import annotations

import bz2
import gzip
import os
import random
import zlib
from pathlib import Path

import pytest

import thresher
from thresher.corpus.process import process_batch
from thresher.corpus.sources import Failure, Raw
from thresher.corpus.sources.sniff import has_markup, sniff_format
from thresher.corpus.sources.web import Fetcher, FetchPolicy, check_url
from thresher.decode import binary_kind
from thresher.types import Article, Block, Kind

DUMP = Path(__file__).resolve().parent / "data" / "dump-ferry-en.txt"
PAGE = (
    "<html><head><title>Ferry back on Friday</title></head><body><nav><a href='/'>Home</a></nav>"
    "<article><h1>Ferry back on Friday</h1>"
    + "<p>The ferry link between the harbour and the island resumes on Friday after a three-week repair "
    "of the loading ramp, the operator said on Monday evening.</p>" * 4 + "</article></body></html>"
)


# -- the kernel's binary test -------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (os.urandom(5000), "binary data"),
        (gzip.compress(PAGE.encode()), "gzip-compressed data"),
        (bz2.compress(PAGE.encode()), "bzip2-compressed data"),
        (zlib.compress(os.urandom(2000)), "binary data"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"PK\x03\x04\x14\x00\x00\x00", "a zip archive"),
        (b"\x00\x01\x02binary", "binary data"),
        (PAGE.encode(), None),
        (PAGE.encode("utf-16"), None),  # a BOM
        (("\n" + PAGE).encode("utf-16-le"), None),  # no BOM, and not starting with "<"
        (b"Plain words, a tab\tand a form feed\f.", None),
        ("Бюджет города на 2026 год".encode("cp1251"), None),
        (b"", None),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_binary_kind(data, kind):
    assert binary_kind(data) == kind


def test_sniff_format():
    assert sniff_format(PAGE.encode()) == "html"
    assert sniff_format(DUMP.read_bytes()) == "text"
    assert sniff_format(b'{"url": "https://ex.com/a", "html": "<p>x</p>"}\n') == "jsonl"
    assert sniff_format(b"WARC/1.1\r\nWARC-Type: warcinfo\r\n") == "warc"
    assert sniff_format(gzip.compress(b"WARC/1.0\r\n")) == "gzip"
    assert sniff_format(os.urandom(3000)) == "binary"
    assert has_markup(b"A note with a <b>bold</b> word and a <p>paragraph") is True
    assert has_markup(DUMP.read_bytes()) is False


# -- the library: lenient ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (random.Random(5).randbytes(5000), "binary data"),
        (gzip.compress(PAGE.encode()), "gzip-compressed data"),
        (b"\x89PNG\r\n\x1a\n" + random.Random(6).randbytes(3000), "a PNG image"),
    ],
)
def test_binary_input_gives_an_empty_article_with_its_reason(data, reason):
    for article in (thresher.extract(data), thresher.clean_text(data), thresher.Extractor().extract(data)):
        assert article.text == "" and not article.blocks and article.title is None
        assert article.reason == reason and article.to_dict()["reason"] == reason


def test_a_page_has_no_reason_and_utf16_pages_are_not_binary():
    for data in (PAGE.encode(), ("\n" + PAGE).encode("utf-16-le")):
        article = thresher.extract(data)
        assert article.reason is None and "three-week repair" in article.text


def test_a_utf16_charset_from_http_vouches_for_its_bytes(extractor):
    # CJK text in UTF-16 without a BOM, not one ASCII character: its bytes look like noise
    rng = random.Random(3)
    text = "".join(chr(rng.randint(0x4E00, 0x9FFF)) + ("\u3002" if rng.random() < 0.1 else "") for _ in range(2000))
    data = text.encode("utf-16-le")
    assert binary_kind(data) == "binary data"
    assert extractor.extract(data).reason == "binary data"
    article = extractor.extract(data, http_charset="UTF-16LE")
    assert article.reason is None and article.encoding == "utf-16-le"
    # the charset is read as decode reads it: a whole Content-Type; a UTF-8 label vouches for nothing
    assert binary_kind(data, http_charset="text/html; charset=utf-16le") is None
    assert binary_kind(data, http_charset="unicode-1-1-utf-8") == "binary data"


def test_a_text_dump_given_to_extract_is_cleaned_as_a_dump():
    dump = DUMP.read_text(encoding="utf-8")
    for data in (dump, dump.encode("utf-8")):
        article = thresher.extract(data)
        cleaned = thresher.clean_text(data)
        assert article.text == cleaned.text and article.title == cleaned.title
        assert article.title == "Island ferry service to resume after three-week suspension"
        assert "Skip to content" not in article.text
    # the HTML extractor itself reads everything as HTML: one block, chrome and all
    assert "Skip to content" in thresher.Extractor().extract(dump).text


def test_html_fragments_and_markup_later_on_stay_html():
    fragment = "Breaking: <b>storm</b> warning.<p>" + "The council closed the harbour road on Monday night. " * 5
    assert thresher.extract(fragment).text == thresher.Extractor().extract(fragment).text


def test_the_cleaner_records_how_it_decoded():
    data = DUMP.read_bytes()
    assert thresher.clean_text(data).encoding == "utf-8"
    assert thresher.clean_text(data.decode().encode("cp1252")).encoding == "cp1252"
    assert thresher.clean_text(data.decode()).encoding is None  # str: nothing was decoded
    many = thresher.clean_texts([data, os.urandom(400)])
    assert [a.encoding for a in many] == ["utf-8", None] and many[1].reason == "binary data"


def test_a_binary_page_in_a_batch_is_stored_empty_with_its_reason():
    docs = process_batch([Raw("a", gzip.compress(PAGE.encode())), Raw("b", PAGE.encode())])
    assert (docs[0].status, docs[0].reason) == ("empty", "gzip-compressed data")
    assert docs[1].status == "ok"


# -- markdown ---------------------------------------------------------------------------------


def test_markdown_tables_have_a_header_row_and_escaped_cells():
    article = Article(
        title="Budget",
        blocks=[
            Block(Kind.PARAGRAPH, "Spending by department."),
            Block(Kind.TABLE_ROW, "Department\tBudget"),
            Block(Kind.TABLE_ROW, "Police | Fire\t312.4\t+3.0%"),
            Block(Kind.TABLE_ROW, "Parks\t58.6"),
            Block(Kind.PARAGRAPH, "Source: the city."),
            Block(Kind.TABLE_ROW, "Only\trow"),
        ],
    )
    assert article.to_markdown() == (
        "# Budget\n\nSpending by department.\n\n"
        "| Department | Budget |  |\n|---|---|---|\n| Police \\| Fire | 312.4 | +3.0% |\n| Parks | 58.6 |\n\n"
        "Source: the city.\n\n| Only | row |\n|---|---|\n"
    )


def test_a_table_page_renders_a_table():
    page = Path(__file__).resolve().parent.parent / "samples" / "pages" / "budget-table-en.html"
    md = thresher.extract(page.read_bytes()).to_markdown().splitlines()
    at = next(i for i, line in enumerate(md) if line.startswith("| Department"))
    assert md[at + 1] == "|---|---|---|---|" and md[at + 2].startswith("| Police | 312.4")


@pytest.mark.parametrize(
    "marked",
    [
        "# Island ferry service to resume after three-week suspension",
        "## Island ferry service to resume after three-week suspension ##",
        "**Island ferry service to resume after three-week suspension**",
        "*Island ferry service to resume after three-week suspension*",
        "# **Island ferry service to resume after three-week suspension**",
    ],
)
def test_a_dump_title_loses_its_markdown_marks(marked):
    dump = DUMP.read_text(encoding="utf-8").replace(
        "\nIsland ferry service to resume after three-week suspension\n", f"\n{marked}\n"
    )
    assert marked in dump
    article = thresher.clean_text(dump)
    assert article.title == "Island ferry service to resume after three-week suspension"
    assert article.to_markdown().startswith("# Island ferry service to resume after three-week suspension\n")


# -- URLs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://exa mple.com/story", "invalid URL: the host 'exa mple.com' has a space"),
        ("https://example .com/", "invalid URL: the host 'example .com' has a space"),
        ("http://exa%20mple.com/", "invalid URL: the host 'exa mple.com' has a space"),
        ("http://ex<a>.com/", "invalid URL: the host 'ex<a>.com' has a character no host name has"),
        ("http://127.0.0.1:8080/a", None),
        ("http://[::1]/a", None),
        ("https://bücher.example/a", None),
        ("http://my_host.example/a", None),
    ],
)
def test_a_host_with_a_space_is_an_invalid_url(url, reason):
    # allow_private: no resolution, so before this check a bad host went on to be fetched
    assert check_url(url, FetchPolicy(allow_private=True)) == reason
    if reason:
        assert check_url(url) == reason  # and not "cannot resolve exa%20mple.com"
        with Fetcher(FetchPolicy(allow_private=True)) as fetcher:
            assert fetcher.fetch(url) == Failure(url, "fetch", reason)
