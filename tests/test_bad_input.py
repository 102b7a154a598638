"""Bad input: an empty Article or one clear ExtractionError, never a crash or a hang.

Time limits here are generous guards against hangs (pytest-timeout), not speed
measurements; speed is measured by benchmarks/.
"""

import random
import re

import pytest

import thresher
from thresher import Config, ExtractionError, Extractor

#: A real paragraph, so that the tests can check it survives the bad markup around it.
PARA = "The harbour council met on Tuesday evening and agreed to repair the old sea wall before winter."


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def assert_only_input_words(article, page) -> None:
    """Nothing is made up: every word of the output is a word of the input."""
    source = page.decode("utf-8", "replace") if isinstance(page, bytes) else page
    assert words(article.text) <= words(source.replace("\x00", ""))  # NULs are dropped
    assert "\x00" not in article.text


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
    assert_only_input_words(article, page)


@pytest.mark.parametrize("page", [b"", "", "   \n\t ", "<html></html>", "<html><body></body></html>"])
def test_empty_pages_give_an_empty_article(page):
    article = thresher.extract(page)
    assert article.text == "" and not article.blocks and not article


@pytest.mark.timeout(20)
def test_binary_garbage():
    data = random.Random(0).randbytes(200_000)
    article = thresher.extract(data)
    assert "\x00" not in article.text and len(article.text) <= len(data)


@pytest.mark.timeout(20)
def test_deep_nesting():
    page = "<html><body>" + "<div>" * 100_000 + f"<p>{PARA}</p>" + "</div>" * 100_000 + "</body></html>"
    assert thresher.extract(page).text == PARA


@pytest.mark.timeout(20)
def test_deep_inline_nesting():
    article = thresher.extract("<p>" + "<b><i><span>" * 50_000 + PARA)
    assert article.text == PARA


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
    assert "Words of a long article paragraph" in article.text  # read, not refused
    assert len(article.text) <= Config().max_text_chars


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
    page = "<html><body>" + f"<p>{PARA}</p>" * 500 + "</body></html>"
    whole = thresher.extract(page).text.count(PARA)
    cut = Extractor(Config(max_nodes=50)).extract(page).text.count(PARA)
    assert 0 < cut < 50 < whole
