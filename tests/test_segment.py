"""The DOM walk: block boundaries, kinds, link density, context bits, skipping."""

from thresher.html.parse import parse
from thresher.html.segment import (
    CLASS_GROUP_NAMES,
    MAX_TOKEN_SCAN,
    NOSCRIPT_FALLBACK_CHARS,
    TAG_GROUP_NAMES,
    class_mask,
    segment,
    segment_page,
)
from thresher.types import Kind


def seg_of(body: str):
    return segment(parse(f"<html><body>{body}</body></html>").body)


def bit(group: str) -> int:
    return 1 << CLASS_GROUP_NAMES.index(group)


def test_inline_elements_join_and_blocks_split():
    s = seg_of("<div>Hello <b>brave</b> new<i>world</i><p>Second   block\n here.</p>tail</div>")
    assert s.texts == ["Hello brave newworld", "Second block here.", "tail"]


def test_kinds_and_heading_levels():
    s = seg_of(
        "<h1>Top</h1><h3>Sub</h3><p>Para</p><ul><li>item one</li></ul><blockquote><p>quoted</p></blockquote>"
        "<pre>  x = 1\n  y = 2</pre><figure><figcaption>cap</figcaption></figure>"
    )
    got = list(zip(s.texts, s.kinds, s.levels))
    assert got == [
        ("Top", Kind.HEADING, 1),
        ("Sub", Kind.HEADING, 3),
        ("Para", Kind.PARAGRAPH, 0),
        ("item one", Kind.LIST_ITEM, 0),
        ("quoted", Kind.QUOTE, 0),
        ("  x = 1\n  y = 2", Kind.CODE, 0),
        ("cap", Kind.CAPTION, 0),
    ]


def test_data_table_rows_merge_but_layout_cells_do_not():
    s = seg_of(
        "<table><tr><th>City</th><th>Pop</th></tr><tr><td>Oslo</td><td>700k</td></tr></table>"
        "<table><tr><td><p>layout para one</p><p>layout para two</p></td><td>side</td></tr></table>"
        "<table><tr><td>first line<br>second line</td></tr></table>"
    )
    assert s.texts[:2] == ["City\tPop", "Oslo\t700k"]
    assert s.kinds[:2] == [Kind.TABLE_ROW, Kind.TABLE_ROW]
    assert s.texts[2:] == ["layout para one", "layout para two", "side", "first line", "second line"]
    assert Kind.TABLE_ROW not in s.kinds[2:]


def test_link_chars_counted():
    s = seg_of('<p>See <a href="/x">this link</a> now</p><p><a href="/y">all link</a></p>')
    assert s.link_chars[0] == len("this link")
    assert s.n_links == [1, 1]
    assert s.link_chars[1] == len(s.texts[1])


def test_invisible_subtrees_skipped_hidden_ones_marked():
    s = seg_of(
        "<p>shown</p><script>var x = 'code';</script><style>p{}</style><div hidden>secret</div>"
        "<div style='display: none'>gone</div><select><option>opt</option></select><template>tpl</template>"
        "<noscript>enable js</noscript><!-- a comment -->"
    )
    assert s.texts == ["shown", "secret", "gone"]
    assert [bool(m & bit("hidden")) for m in s.anc_cls] == [False, True, True]


def test_class_groups_recorded_for_owner_near_and_ancestors():
    s = seg_of('<div id="main-content"><div class="social-share-bar"><p>Share this</p></div><p>Body</p></div>')
    share, content = s.texts.index("Share this"), s.texts.index("Body")
    assert s.near_cls[share] & bit("share")
    assert s.anc_cls[share] & bit("content")
    assert not s.anc_cls[content] & bit("share")
    assert s.anc_cls[content] & bit("content")


def test_class_mask_tokenises_camel_case_and_compounds():
    assert class_mask("relatedPosts") & bit("related")
    assert class_mask("commentlist") & bit("comment")
    assert class_mask("c-nav__item") & bit("nav")
    assert class_mask("xyz qwerty") == 0
    # short stems match whole tokens only: "add" is not an advert
    assert not class_mask("add-to-cart") & bit("ad")
    # all-caps and mixed case, stems inside longer tokens, non-ASCII letters as separators
    assert class_mask("SITE-FOOTER") & bit("footer")
    assert class_mask("xNavigationMenu") & bit("nav")
    assert class_mask("topsharingtools") == bit("share")  # "top" is too short to match inside a token
    assert class_mask("über·comments") & bit("comment")
    assert not class_mask("relat") & bit("related")
    # a blob-long token is scanned for stems up to MAX_TOKEN_SCAN characters only
    assert class_mask("comments" + "x" * 1_000_000) & bit("comment")
    assert not class_mask("x" * MAX_TOKEN_SCAN + "comments")


def test_tag_groups_and_paths():
    s = seg_of("<nav><ul><li><a href=/>Home</a></li></ul></nav><article><p>Text</p></article>")
    nav_bit = 1 << TAG_GROUP_NAMES.index("nav")
    art_bit = 1 << TAG_GROUP_NAMES.index("article")
    assert s.anc_tag[0] & nav_bit and not s.anc_tag[0] & art_bit
    assert s.anc_tag[1] & art_bit
    # paths start at <body> and share no container below it
    assert s.paths[0][0] == s.paths[1][0] == 0
    assert set(s.paths[0][1:]).isdisjoint(s.paths[1][1:])


def test_noscript_read_only_when_the_page_shows_almost_nothing_without_it():
    thread = "".join(
        f"<div class='post'><p>Reply number {i} says something about the topic.</p></div>" for i in range(20)
    )
    # a script-rendered forum: a splash screen, the readable thread for no-JS clients
    app = parse(f"<body><div id='splash'>Loading</div><noscript><main>{thread}</main></noscript></body>").body
    assert segment(app).texts == ["Loading"]
    seg = segment_page(app)
    assert seg.texts[0] == "Loading" and seg.texts[1] == "Reply number 0 says something about the topic."
    assert len(seg) == 21
    # an ordinary page keeps ignoring its "enable JavaScript" notice
    article = "<p>" + "word " * (NOSCRIPT_FALLBACK_CHARS // 5 + 1) + "</p>"
    page = parse(f"<body>{article}<noscript><p>Please enable JavaScript.</p></noscript></body>").body
    assert len(segment_page(page)) == 1
    assert len(segment_page(parse("<body><noscript></noscript></body>").body)) == 0
    assert len(segment_page(None)) == 0


def test_max_chars_cuts_the_crossing_block_and_stops():
    body = parse("<body><p>" + "word " * 1000 + "</p><p>second</p><p>third</p></body>").body
    s = segment(body, max_chars=100)
    assert s.truncated and s.texts == [("word " * 20).strip()[:100]]
    s = segment(body, max_chars=len(("word " * 1000).strip()) + 6)
    assert s.truncated and s.texts[1] == "second" and len(s) == 2
    assert not segment(body).truncated


def test_max_nodes_truncates_but_keeps_pending_text():
    body = "".join(f"<p>para {i}</p>" for i in range(100))
    s = segment(parse(f"<body>{body}</body>").body, max_nodes=20)
    assert s.truncated
    assert 0 < len(s) < 100
    assert s.texts[0] == "para 0"


def test_empty_and_missing_body():
    assert len(seg_of("")) == 0
    assert len(segment(None)) == 0
