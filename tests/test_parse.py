"""Parsing guards: NULs, nesting far beyond any real page."""

from thresher.parse import MAX_BLOCK_DEPTH, _limit_nesting, _max_open_balance, looks_like_html, parse
from thresher.segment import segment


def test_nul_bytes_removed():
    tree = parse("<p>a\x00b</p>")
    assert segment(tree.body).texts == ["ab"]


def test_controls_removed_and_text_around_them_kept():
    # controls next to multi-byte characters; tab, newline and form feed are whitespace
    tree = parse("<p>caf\u00e9\x01\u4e2d\x7f\x1bx\ty\x0cz</p><p>\ud800lone</p>")
    assert segment(tree.body).texts == ["caf\u00e9\u4e2dx y z", "lone"]


def test_deep_nesting_is_bounded_and_text_kept():
    html = "<div>" * 100_000 + "deep text" + "</div>" * 100_000 + "<p>after</p>"
    assert _max_open_balance(html.encode()) == 100_000
    assert segment(parse(html).body).texts == ["deep text", "after"]


def test_unclosed_deep_nesting():
    html = "<section><div>" * 60_000 + "x"
    assert segment(parse(html).body).texts == ["x"]


def test_limit_nesting_keeps_shallow_markup_intact():
    html = "<div><div><p>a</p></div><br/><div/></div>"
    assert _limit_nesting(html, MAX_BLOCK_DEPTH) == html
    deep = "<div>" * 5 + "t" + "</div>" * 5
    assert _limit_nesting(deep, 2) == "<div><div>t</div></div>"


def test_looks_like_html():
    assert looks_like_html("<!DOCTYPE html><html><body>x</body></html>")
    assert not looks_like_html("Plain text dump\n\nwith lines < and > signs")
