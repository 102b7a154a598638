"""Hostile inputs of issue 16: bounded work and memory, and unchanged output on ordinary pages.

Each hostile input of ``benchmarks/run_hostile.py`` is built here at a small
size, and the tests check what the bound does (attributes capped, runs of marks
cut, caches kept small, chunked scoring identical), not how fast it runs: the
time limits are generous guards against hangs, and speed is measured by the
benchmark.
"""

from __future__ import annotations

import gc
import tracemalloc
import unicodedata

import numpy as np
import pytest

import thresher
from benchmarks.run_hostile import (
    breaks,
    combining_run,
    json_ld_types,
    many_attributes,
    short_lines,
    unique_values_page,
)
from thresher import _forest
from thresher.config import Config
from thresher.corpus.dedup import normalise
from thresher.dumps.cleaner import TextCleaner
from thresher.html import segment
from thresher.html.hints import page_hints
from thresher.html.parse import MAX_ATTRIBUTES, _cap_attributes, _limit_tags, parse
from thresher.unicodenorm import MAX_MARK_RUN, cap_mark_runs, normalize

PARA = "The ferry company said on Monday that the winter timetable would start a week later than planned."
PAGE = f"""<!doctype html><html><head><title>Ferry timetable</title>
<script>if (a < b && c > d) {{ x = "<div class='q'>"; }}</script><style>p > a {{ color: red }}</style></head>
<body><nav class="site-nav"><a href="/">Home</a> <a href="/news">News</a></nav>
<article id="story"><h1>Winter ferries</h1><p data-x='1' title="a > b">{PARA}</p><!-- <p>hidden</p> -->
<p>Passengers with tickets for the first week will be offered a refund or another sailing.</p></article>
<footer>© 2026 The Harbour Gazette</footer></body></html>"""


def longest_mark_run(text: str) -> int:
    best = run = 0
    for ch in text:
        run = run + 1 if unicodedata.category(ch)[0] == "M" else 0
        best = max(best, run)
    return best


# --------------------------------------------------------------------------- attributes per tag


def test_an_ordinary_page_is_not_rewritten():
    raw = PAGE.encode()
    assert _cap_attributes(raw) is raw


@pytest.mark.timeout(30)
def test_a_tag_keeps_its_first_max_attributes():
    extra = 300
    attrs = " ".join(f'data-a{i}="{i}"' for i in range(MAX_ATTRIBUTES + extra))
    tree = parse(f"<body><div id=x {attrs}>{PARA}</div><p>after</p></body>")
    div = tree.css_first("div")
    assert len(div.attributes) == MAX_ATTRIBUTES
    assert div.attributes["id"] == "x" and div.attributes[f"data-a{MAX_ATTRIBUTES - 2}"] == str(MAX_ATTRIBUTES - 2)
    assert f"data-a{MAX_ATTRIBUTES - 1}" not in div.attributes
    assert div.text() == PARA and tree.css_first("p").text() == "after"


def test_a_tag_at_the_limit_is_left_alone():
    page = ("<div " + " ".join(f"a{i}" for i in range(MAX_ATTRIBUTES)) + ">x</div>").encode()
    assert _cap_attributes(page) is page


@pytest.mark.parametrize(
    "attr",
    [
        'a{}=">"',  # a ">" inside a quoted value does not end the tag
        "a{}='<b>'",
        "a{}=v{}",  # unquoted values
        'a{}="x"b{}="y"',  # no space after a quoted value
        "a{}/",  # "/" separates like a space
    ],
)
def test_attributes_are_counted_as_the_tokenizer_reads_them(attr):
    attrs = " ".join(attr.replace("{}", str(i)) for i in range(MAX_ATTRIBUTES + 20))
    tree = parse(f"<body><div {attrs}>{PARA}</div></body>")
    div = tree.css_first("div")
    assert len(div.attributes) == MAX_ATTRIBUTES and div.text() == PARA


def test_script_style_and_comment_content_is_never_touched():
    words = " ".join(f"w{i}" for i in range(3 * MAX_ATTRIBUTES))
    script = f"for (i = 0; i <n; i++) {{ {words} }}"
    page = f"<head><script>{script}</script><style>a <b {words}</style></head><body><!-- <p {words}> --><p>x</p></body>"
    raw = page.encode()
    assert _cap_attributes(raw) is raw
    assert parse(page).css_first("script").text() == script


def test_a_huge_script_tag_is_capped_and_its_content_kept():
    words = " ".join(f"w{i}" for i in range(3 * MAX_ATTRIBUTES))
    script = f"if (a <b {words}) {{}}"
    attrs = " ".join(f"a{i}" for i in range(MAX_ATTRIBUTES + 5))
    tree = parse(f"<head><script {attrs}>{script}</script></head><body><p>{PARA}</p></body>")
    node = tree.css_first("script")
    assert len(node.attributes) == MAX_ATTRIBUTES and node.text() == script
    assert tree.css_first("p").text() == PARA


def test_end_tags_and_unfinished_tags_are_capped_too():
    attrs = b" ".join(b"a%d" % i for i in range(MAX_ATTRIBUTES + 50))
    for page in (b"<div>x</div " + attrs + b">", b"<p>x</p><div " + attrs):
        out = _cap_attributes(page)
        assert out.count(b" a") == MAX_ATTRIBUTES and out.startswith(page[:5])


@pytest.mark.timeout(60)
def test_a_page_of_many_attributes_is_extracted():
    page = many_attributes(200_000)  # 11,000 attributes on one tag
    assert "A paragraph of ordinary article text" in thresher.extract(page).text


def test_the_nesting_limit_reads_only_the_tags_it_limits():
    # a flood of inline tags reaches the balance trigger; they pass through untouched
    page = "<b>" * 50 + "<DIV class=a>" * 5 + "<div2>" + "<section>" * 2 + "x" + "</section>" * 2 + "</div>" * 5
    out = _limit_tags(page, 3, 10)
    assert out == "<b>" * 50 + "<DIV class=a>" * 3 + "<div2>" + "x" + "</div>" * 3


@pytest.mark.timeout(20)
def test_unclosed_type_lists_in_json_ld_are_read_in_linear_time():
    # each '"@type":[' used to be scanned to the end of the script (100,000: a minute)
    page = json_ld_types(100_000).replace("</script>", '"@type": ["Thing", "NewsArticle"]</script>')
    assert page_hints(parse(page)).ld_article
    assert not page_hints(parse(page.replace("NewsArticle", "Person"))).ld_article


# --------------------------------------------------------------------------- combining marks


def test_runs_of_marks_are_cut_at_the_limit():
    assert cap_mark_runs("e" + "\u0301" * (MAX_MARK_RUN + 10)) == "e" + "\u0301" * MAX_MARK_RUN
    at_limit = "e" + "\u0301\u0316" * (MAX_MARK_RUN // 2) + " ok"
    assert cap_mark_runs(at_limit) is at_limit
    text = "a" + "\u0301" * 40 + "b\ud800c" + "\u20dd" * 35  # a lone surrogate and enclosing marks
    assert cap_mark_runs(text) == "a" + "\u0301" * MAX_MARK_RUN + "b\ud800c" + "\u20dd" * MAX_MARK_RUN


@pytest.mark.parametrize(
    "text", ["Tiếng Việt", "한국어 문장", "हिन्दी", "Ελληνικά", "ascii only", "e\u0301\u0316 a\u0316\u0301"]
)
def test_normalize_is_unicodedata_on_real_text(text):
    for form in ("NFC", "NFKC"):
        assert normalize(form, text) == unicodedata.normalize(form, text)
        decomposed = unicodedata.normalize("NFD", text)
        assert normalize(form, decomposed) == unicodedata.normalize(form, text)


@pytest.mark.timeout(60)
def test_long_runs_of_marks_in_pages_dumps_and_dedup():
    sentence = combining_run(4000)
    html = thresher.extract(f"<html><body><p>{sentence}</p></body></html>").text
    dump = thresher.clean_text(f"A headline\n\n{sentence}\n\n{PARA}\n").text
    for text in (html, dump):
        assert "and more words after the marks" in text
        assert 0 < longest_mark_run(text) <= MAX_MARK_RUN  # (NFC composes one mark with its letter)
        assert unicodedata.is_normalized("NFC", text)
    assert normalise(sentence).endswith("and more words after the marks")


# --------------------------------------------------------------------------- caches


def test_long_attribute_values_are_not_cached():
    segment._cached_class_mask.cache_clear()
    long_value = "story-body " + "x" * segment.MAX_CACHED_CHARS
    assert segment.class_mask(long_value) & segment.class_mask("story")
    assert segment._cached_class_mask.cache_info().currsize == 1  # "story" only


@pytest.mark.timeout(120)
def test_unique_large_attribute_values_do_not_grow_memory():
    for k in range(5):  # warm the allocator and the caches' small entries
        thresher.extract(unique_values_page(k, 20_000))
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for k in range(5, 45):
            assert f"page {k}" in thresher.extract(unique_values_page(k, 20_000)).text
        gc.collect()
        grew = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # each page has 9 unique values of 20 kB: kept in a cache, 40 pages would add 7 MB
    assert grew < 1_000_000


# --------------------------------------------------------------------------- line-heavy dumps and pages


def test_chunked_scoring_is_identical(monkeypatch):
    model = thresher.TextCleaner().model
    rows = 3 * _forest.CHUNK_ROWS + 17
    X = np.random.default_rng(0).random((rows, model.stage1.n_features), dtype=np.float32)
    whole = model.stage1.tree_values(X).sum(axis=0) + model.stage1.bias
    assert np.array_equal(model.stage1.raw(X), whole)
    group = thresher.Extractor().model.page_types
    if group is not None:
        Xg = np.random.default_rng(1).random((rows, group._all.n_features), dtype=np.float32)
        chunked = group.predict(Xg)
        monkeypatch.setattr(_forest, "CHUNK_ROWS", rows)
        assert np.array_equal(group.predict(Xg), chunked)


@pytest.mark.timeout(60)
def test_a_line_heavy_dump_is_cleaned_as_before(monkeypatch):
    dump = short_lines(150_000)  # ~20,000 lines
    chunk = _forest.CHUNK_ROWS
    chunked = thresher.clean_text(dump)
    monkeypatch.setattr(_forest, "CHUNK_ROWS", 10**9)  # every line scored at once, as before
    whole = thresher.TextCleaner().clean(dump)
    assert chunked.to_dict(removed=True) == whole.to_dict(removed=True)
    assert len(chunked.blocks) + len(chunked.removed) > 4 * chunk  # several chunks


@pytest.mark.timeout(60)
def test_a_page_of_many_breaks_keeps_its_lines():
    text = thresher.extract(breaks(5000)).text
    assert "line 0 of the poem" in text and "line 4999 of the poem" in text


# --------------------------------------------------------------------------- an ordinary page


def test_an_ordinary_page_with_tricky_markup_is_extracted():
    article = thresher.extract(PAGE)
    assert PARA in article.text and "Passengers with tickets" in article.text
    assert "hidden" not in article.text and "Home" not in article.text


def test_a_dump_is_read_up_to_max_blocks_lines():
    """A dump's lines are its blocks: ``Config.max_blocks`` bounds them as it bounds a page's."""
    dump = "\n".join(f"line number {i} of a very long dump." for i in range(300))
    article = TextCleaner(Config(max_blocks=50)).clean(dump)
    seen = [b.text for b in article.blocks] + [r.text for r in article.removed]
    assert "line number 49 of a very long dump." in seen
    assert not any("number 50 " in t or "number 299 " in t for t in seen)
    whole = TextCleaner().clean(dump)  # the default cap (20,000) reads it all
    assert len(whole.blocks) + len(whole.removed) > 50
