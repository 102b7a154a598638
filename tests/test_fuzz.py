"""Fuzzing the public entry points with Hypothesis: mutated pages, dumps and bytes.

Whatever the input, ``thresher.extract`` and ``thresher.clean_text`` return an
``Article`` (or raise ``thresher.ExtractionError``, the one error they raise on
purpose), whose texts are ``str`` without NULs, whose body is bounded by the
input's length, and which serialises to JSON. The inputs are an ordinary
article page and dump (below), cut, spliced and salted with hostile pieces:
attribute floods, runs of combining marks, raw-text elements left open,
controls, entities, encodings.

In CI each test runs ``FUZZ_EXAMPLES`` examples (a few seconds), the same ones
every run (``derandomize``). For a longer hunt, with fresh examples each run:

    THRESHER_FUZZ_EXAMPLES=20000 python -m pytest -q tests/test_fuzz.py
"""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import thresher
from thresher import Article, ExtractionError

FUZZ_EXAMPLES = int(os.environ.get("THRESHER_FUZZ_EXAMPLES", "120"))
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize="THRESHER_FUZZ_EXAMPLES" not in os.environ,
    # a guard against a hang, not a speed target (the machine may be busy)
    deadline=timedelta(seconds=10),
    database=None,  # nothing written next to the tests
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: NFC can turn one character into up to three (U+FB2C, a Hebrew presentation
#: form, into three code points) and a dump's blocks are joined by blank lines:
#: no output text is longer than this many times its input.
MAX_GROWTH = 3

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Harbour wall repaired | Gazette</title>
<meta property="og:type" content="article"><script type="application/ld+json">{"@type": "NewsArticle"}</script>
<style>.nav > a { color: #333 }</style></head><body class="post">
<nav class="menu"><a href="/">Home</a> <a href="/local">Local</a> <a href="/sport">Sport</a></nav>
<article><h1>Harbour wall repaired before winter</h1><p class="byline">By Ann Example, 3 March 2026</p>
<p>The harbour council agreed on Tuesday to repair the old sea wall before the winter storms arrive.</p>
<p>Work will start next month and is expected to close the north quay for about six weeks.</p>
<ul><li>North quay closed</li><li>Ferries unaffected</li></ul><pre>tide  06:12  18:40</pre>
<table><tr><td>Cost</td><td>£1.2m</td></tr></table></article>
<section class="comments"><div class="comment"><b>Sam</b> said: About time too.</div></section>
<footer>© 2026 The Harbour Gazette · <a href="/privacy">Privacy</a></footer></body></html>"""

DUMP = """Home | Local | Sport | Weather
Harbour wall repaired before winter
By Ann Example, 3 March 2026

The harbour council agreed on Tuesday to repair the old sea wall before the winter storms arrive.

Work will start next month and is expected to close the north quay for about six weeks.

- North quay closed
- Ferries unaffected
Share this article
© 2026 The Harbour Gazette"""

# Pieces spliced into the inputs: markup that stresses the tokenizer and the
# tree builder, and text that stresses normalisation and line handling.
PIECES = [
    "<p>", "</p>", "<div class='content main'>", "</div>", "<br>", "<br/>", "<hr>", "<b>", "<i>", "</b>",
    "<a href='/x'>", "</a>", "<table><tr><td>", "</td></tr></table>", "<li>", "<select><option>x",
    "<pre>", "</pre>", "<script>", "</script>", "<style>", "<textarea>", "<title>", "<plaintext>", "<xmp>",
    "<!--", "-->", "<!doctype html>", "<?xml version='1.0'?>", "<svg><style><path d='M0 0'/>", "<math>",
    "<noscript><p>", "<template>", "<iframe>", "<frameset>", "<body>", "<html>", "<head>", "</body>",
    "<meta charset='utf-16'>", "<meta http-equiv='content-type' content='text/html; charset=koi8-r'>",
    "<div hidden>", "<span style='display:none'>", "<p class='" + "x" * 300 + "'>", "<a " + "a" * 40,
    "<div " + " ".join(f"d{i}" for i in range(300)) + ">", "<p a='>' b=\"<\" c=d>", "<div a=\"unterminated",
    "&amp;", "&lt;p&gt;", "&#0;", "&#x110000;", "&nbsp;", "&acE;", "&", "<", ">", "\"", "'",
    "\x00", "\x01", "\x0b", "\x1f", "\x7f", "\r", "\r\n", "\n\n", "\t", "\u00a0", "\u200b", "\ufeff", "\ud800",
    "\u0301" * 50, "\u0301\u0316" * 40, "e\u0301", "\ufb2c" * 5, "\u0958", "한국어", "中文标点，。",
    "עברית", "العربية", "\U0001f600", "Ｆｕｌｌｗｉｄｔｈ", "ﬁ",
    "\n".join(["Menu"] * 30), "- item\n" * 10, "1) first\n2) second\n", "[Advertisement]\n", "Posted 3 March 2026\n",
]  # fmt: skip
ENCODINGS = ["utf-8", "utf-16", "utf-16-le", "cp1252", "latin-1", "shift_jis", "koi8-r", "gb18030", "utf-32"]


@st.composite
def mutated(draw, seed: str, max_ops: int = 8) -> str:
    """``seed`` after a few random edits: a piece or random text spliced in, a
    slice deleted, a slice repeated (up to 30 times), the text cut short."""
    text = seed
    for _ in range(draw(st.integers(0, max_ops))):
        op = draw(st.sampled_from(("insert", "insert", "text", "delete", "repeat", "cut")))
        at = draw(st.integers(0, len(text)))
        if op == "insert":
            text = text[:at] + draw(st.sampled_from(PIECES)) + text[at:]
        elif op == "text":
            text = text[:at] + draw(st.text(max_size=40)) + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(0, 200)) :]
        elif op == "repeat":
            end = at + draw(st.integers(1, 80))
            text = text[:at] + text[at:end] * draw(st.integers(2, 30)) + text[end:]
        else:
            text = text[:at]
    return text


@st.composite
def as_bytes(draw, texts) -> bytes:
    """A text encoded in a random codec (what it cannot encode replaced), some bytes flipped."""
    text = draw(texts)
    data = bytearray(text.encode(draw(st.sampled_from(ENCODINGS)), "replace"))
    for _ in range(draw(st.integers(0, 4))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


def pieces_only(joiner: str):
    """Inputs made of the pieces alone, in any order."""
    return st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=20)), max_size=60).map(joiner.join)


def check(article: Article, source: str | bytes) -> None:
    """What every result must be, whatever the input."""
    assert isinstance(article, Article)
    assert isinstance(article.text, str) and "\x00" not in article.text
    assert len(article.text) <= MAX_GROWTH * len(source)
    for block in article.blocks:
        assert isinstance(block.text, str) and block.text.strip()
    for value in (article.title, article.description, article.site_name):
        assert value is None or isinstance(value, str)
    json.dumps(article.to_dict())  # what the store and the exporters write


def run(call, source: str | bytes) -> None:
    try:
        article = call(source)
    except ExtractionError:
        return  # the one error raised on purpose (input too large, not text)
    check(article, source)


@pytest.fixture(scope="module", autouse=True)
def warm():
    """Models and lazy tables loaded before the first example, not inside its deadline."""
    thresher.extract(PAGE)
    thresher.clean_text(DUMP)


@FUZZ
@given(st.one_of(mutated(PAGE), pieces_only("")))
def test_fuzz_extract_text(page):
    run(thresher.extract, page)


@FUZZ
@given(st.one_of(as_bytes(mutated(PAGE)), st.binary(max_size=3000)))
def test_fuzz_extract_bytes(data):
    run(thresher.extract, data)


@FUZZ
@given(st.one_of(mutated(DUMP), pieces_only("\n")))
def test_fuzz_clean_text(dump):
    run(thresher.clean_text, dump)


@FUZZ
@given(st.one_of(as_bytes(mutated(DUMP)), st.binary(max_size=3000)))
def test_fuzz_clean_bytes(data):
    run(thresher.clean_text, data)


@FUZZ
@given(st.lists(mutated(DUMP, max_ops=3), min_size=2, max_size=4))
def test_fuzz_clean_texts_of_one_site(dumps):
    for article, dump in zip(thresher.clean_texts(dumps, site="example.org"), dumps):
        check(article, dump)
