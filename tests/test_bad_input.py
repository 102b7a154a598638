"""Bad input: an empty Article or one clear ExtractionError, never a crash or a hang.

Time limits here are generous guards against hangs (pytest-timeout), not speed
measurements; speed is measured by benchmarks/.
"""

import random

import pytest

import thresher
from thresher import Config, ExtractionError, Extractor


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "page",
    [
        b"",
        "",
        "   \n\t ",
        "<html></html>",
        "<html><body></body></html>",
        "<html><head><title>Only a title</title></head></html>",
        "<div><p>truncated <b>mark",
        "<p>a\x00b\x00c</p>",
        b"<p>nul \x00 in bytes</p>",
        "<<<>>><</</p>>",
        "<html><body><p>before</p><?php echo 'x'; ?><div><?xml-stylesheet href='a'?>after</div></body></html>",
        "<html><body>" + "<img src=x>" * 5000 + "</body></html>",
        "<select>" + "<option>x" * 100_000,
    ],
    ids=lambda p: repr(p[:20]),
)
def test_degenerate_pages_give_a_sensible_article(page):
    article = thresher.extract(page)
    assert isinstance(article.text, str)
    assert "\x00" not in article.text


@pytest.mark.timeout(20)
def test_binary_garbage():
    data = random.Random(0).randbytes(200_000)
    article = thresher.extract(data)
    assert isinstance(article.text, str)


@pytest.mark.timeout(20)
def test_deep_nesting():
    page = "<html><body>" + "<div>" * 100_000 + "<p>deep</p>" + "</div>" * 100_000 + "</body></html>"
    article = thresher.extract(page)
    assert isinstance(article.text, str)


@pytest.mark.timeout(20)
def test_deep_inline_nesting():
    article = thresher.extract("<p>" + "<b><i><span>" * 50_000 + "x")
    assert isinstance(article.text, str)


@pytest.mark.timeout(20)
def test_huge_page_is_refused_with_a_clear_error():
    page = "<html><body>" + "<p>filler words in a paragraph</p>" * 1_600_000 + "</body></html>"
    assert len(page) > Config().max_input_bytes
    with pytest.raises(ExtractionError, match="max_input_bytes"):
        thresher.extract(page)
    with pytest.raises(ExtractionError):
        thresher.extract(page.encode())


@pytest.mark.timeout(30)
def test_large_page_under_the_limit_is_processed():
    para = "<div class='c'><p>Words of a long article paragraph, sentence after sentence.</p><a href=#>x</a></div>"
    page = "<html><body>" + para * (Config().max_input_bytes // len(para) - 10) + "</body></html>"
    article = thresher.extract(page)
    assert isinstance(article.text, str)


def test_page_with_no_article():
    page = (
        "<html><body><nav>" + " ".join(f"<a href=/s{i}>Section {i}</a>" for i in range(30)) + "</nav>"
        "<footer><a href=/privacy>Privacy</a> <a href=/terms>Terms</a> © 2026 Example</footer></body></html>"
    )
    article = thresher.extract(page)
    assert article.text == ""
    assert article.removed and all(r.reason in ("model", "no-article") for r in article.removed)


def test_wrong_type():
    with pytest.raises(TypeError):
        thresher.extract(12345)  # type: ignore[arg-type]


@pytest.mark.timeout(30)
def test_one_giant_paragraph_is_cut_at_the_text_limit():
    article = thresher.extract("<body><p>" + "word " * 3_800_000)  # 19 MB of one paragraph
    limit = Config().max_text_chars
    assert limit - len("word ") < len(article.text) <= limit


@pytest.mark.timeout(30)
def test_giant_repetitive_dumps_are_cleaned_in_bounded_time():
    # one run of five words repeated 3.8 million times made the containment
    # check quadratic (over ten minutes); dumps are read up to MAX_DUMP_CHARS
    from thresher.dumps.lines import MAX_DUMP_CHARS

    for dump in (
        "word " * 3_800_000,
        "One repeated sentence of a dump, again and again.\n\n" * 300_000,
        "\n" * 5_000_000,
    ):
        article = thresher.clean_text(dump)
        assert len(article.text) <= MAX_DUMP_CHARS


def test_node_limit_truncates_instead_of_running_away():
    ex = Extractor(Config(max_nodes=50))
    article = ex.extract("<html><body>" + "<p>Some text in a paragraph here.</p>" * 500 + "</body></html>")
    assert isinstance(article.text, str)
