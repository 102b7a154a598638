"""Parsing guards: NULs, nesting far beyond any real page."""

from thresher.html.parse import (
    MAX_BLOCK_DEPTH,
    MAX_OPTIONS,
    _limit_tags,
    _scan_tags,
    page_nodes,
    parse,
)
from thresher.html.segment import segment


def test_nul_bytes_removed():
    tree = parse("<p>a\x00b</p>")
    assert segment(tree.body).texts == ["ab"]


def test_controls_removed_and_text_around_them_kept():
    # controls next to multi-byte characters; tab, newline and form feed are whitespace
    tree = parse("<p>caf\u00e9\x01\u4e2d\x7f\x1bx\ty\x0cz</p><p>\ud800lone</p>")
    assert segment(tree.body).texts == ["caf\u00e9\u4e2dx y z", "lone"]


def test_deep_nesting_is_bounded_and_text_kept():
    html = "<div>" * 100_000 + "deep text" + "</div>" * 100_000 + "<p>after</p>"
    assert _scan_tags(html.encode())[0] == 100_000
    assert segment(parse(html).body).texts == ["deep text", "after"]


def test_unclosed_deep_nesting():
    html = "<section><div>" * 60_000 + "x"
    assert segment(parse(html).body).texts == ["x"]


def test_limit_tags_keeps_shallow_markup_intact():
    html = "<div><div><p>a</p></div><br/><div/><select><option>o</option></select></div>"
    assert _limit_tags(html, MAX_BLOCK_DEPTH, MAX_OPTIONS) == html
    deep = "<div>" * 5 + "t" + "</div>" * 5
    assert _limit_tags(deep, 2, MAX_OPTIONS) == "<div><div>t</div></div>"
    options = "<select>" + "<OPTION>o</OPTION><optgroup label=g></optgroup>" * 2 + "</select>"
    assert (
        _limit_tags(options, MAX_BLOCK_DEPTH, 2) == "<select><OPTION>o</OPTION><optgroup label=g></optgroup>o</select>"
    )


def test_huge_select_is_bounded_and_the_page_kept():
    # Lexbor's <select> is quadratic in its options (100,000: a minute to parse)
    html = "<p>before</p><select>" + "<option value=1>choice</option>" * 100_000 + "</select><p>after</p>"
    assert _scan_tags(html.encode())[1] == 100_000
    tree = parse(html)
    assert len(tree.css("option")) == MAX_OPTIONS
    assert segment(tree.body).texts == ["before", "after"]


def test_page_nodes_collects_each_element_once_in_document_order():
    tree = parse(
        "<html><head><title>Page title</title><meta name=description content=d>"
        '<script type="Application/LD+JSON">{}</script><link rel="Canonical" href="/a"><link rel=icon href=/i></head>'
        "<body><h1>Head</h1><meta itemprop=datePublished content=2024-01-02><article><time datetime=2024-01-02>2 Jan</time>"
        "<span itemprop=author>Ann</span><script>var x = 1;</script></article><svg><title>icon</title></svg><h1>Two</h1></body></html>"
    )
    nodes = page_nodes(tree)
    # the <meta itemprop> matches two selectors of the query but is listed once
    assert [n.attributes.get("name") or n.attributes.get("itemprop") for n in nodes.meta] == [
        "description",
        "datePublished",
    ]
    assert [n.tag for n in nodes.itemprop] == ["meta", "span"]
    assert [n.text() for n in nodes.with_itemprop("author")] == ["Ann"]
    assert len(nodes.scripts) == 2 and len(nodes.scripts_of_type("application/ld+json")) == 1
    assert [n.attributes["href"] for n in nodes.links_rel("canonical")] == ["/a"]
    assert nodes.title.text() == "Page title"  # the first <title>, not the svg's
    assert (nodes.n_article, nodes.n_h1, len(nodes.times)) == (1, 2, 1)
