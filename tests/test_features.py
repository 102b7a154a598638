"""Feature extraction: shapes, meanings of key columns, page hints."""

import numpy as np
import pytest

from thresher.html.features import (
    BLOCK_FEATURES,
    CONTEXT_FEATURES,
    block_features,
    context_features,
)
from thresher.html.hints import page_hints
from thresher.html.parse import parse
from thresher.html.segment import segment
from thresher.textstats import text_stats

PAGE = """<html><head><title>Flood barrier opens | Daily</title>
<meta property="og:type" content="article">
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Flood barrier opens"}</script></head>
<body><nav><a href=/>Home</a><a href=/w>World</a></nav>
<article><h1>Flood barrier opens</h1>
<p>The new barrier closed for the first time on Tuesday, holding back a tide that would have flooded the lower town.</p>
<p>Engineers said the gates worked as designed, and residents watched from the quay as the water rose and fell.</p></article>
<ul class="related"><li class="card-1"><a href=/a>Other story one</a></li><li class="card-2"><a href=/b>Other story two</a></li></ul>
</body></html>"""


def col(X, name):
    return X[:, BLOCK_FEATURES.index(name)]


@pytest.fixture(scope="module")
def page():
    tree = parse(PAGE)
    hints = page_hints(tree, "https://news.example/2026/03/flood-barrier-opens-for-first-time")
    seg = segment(tree.body)
    return seg, hints, block_features(seg, hints)


def test_hints(page):
    _seg, hints, _X = page
    assert hints.title == "Flood barrier opens | Daily"
    assert hints.og_article and hints.ld_article
    assert hints.n_h1 == 1 and hints.n_article_tags == 1
    assert hints.url_slug_words == 6 and hints.url_has_date


def test_shapes_and_finite(page):
    seg, _hints, X = page
    assert X.shape == (len(seg), len(BLOCK_FEATURES))
    assert np.isfinite(X).all()
    X2 = context_features(seg, X, np.linspace(0, 1, len(seg)))
    assert X2.shape == (len(seg), len(BLOCK_FEATURES) + len(CONTEXT_FEATURES))
    assert np.isfinite(X2).all()


def test_key_columns_mean_what_they_say(page):
    seg, _hints, X = page
    nav = seg.texts.index("HomeWorld")
    para = next(i for i, t in enumerate(seg.texts) if t.startswith("The new barrier"))
    card = seg.texts.index("Other story one")
    assert col(X, "link_density")[nav] == pytest.approx(1.0)
    assert col(X, "link_density")[para] == 0.0
    assert col(X, "in_main50")[para] == 1.0 and col(X, "in_main50")[nav] == 0.0
    assert col(X, "cls_anc_related")[card] == 1.0
    assert col(X, "after_headline")[para] == 1.0 and col(X, "after_headline")[nav] == 0.0
    # the two cards share a class once digits are ignored
    assert col(X, "sibling_repeats_c0")[card] == pytest.approx(np.log1p(2))
    assert col(X, "og_article")[0] == 1.0


def test_text_stats_per_block():
    S = text_stats(["Hello World, this is it.", "这是一个测试的句子。", ""], frozenset({"hello"}))
    assert S.shape == (3, 15)
    assert S[0, 14] == 5  # words
    assert S[0, 3] == pytest.approx(3 / 5)  # "this", "is", "it" are function words
    assert S[1, 10] > 0.8  # CJK share
    assert S[2, 14] == 0


def test_empty_segments():
    seg = segment(parse("<body></body>").body)
    assert block_features(seg).shape == (0, len(BLOCK_FEATURES))


def test_text_stats_hash_matching_equals_word_lists():
    # function and title words found by hash agree with a plain word-list count,
    # across scripts, astral characters and a text whose lower case changes length
    import re

    from thresher._stopwords import STOPWORDS

    texts = ["The cat and the hat", "Die Katze und der Hut 🐈 𝐀𝐁", "İstanbul is in the news", "", "of"]
    S = text_stats(texts, frozenset({"cat", "news"}))
    for i, t in enumerate(texts):
        words = re.findall(r"\w+", t.lower())  # as the extractor reads them: "İ" lower-cases to two
        if words:
            assert S[i, 3] == pytest.approx(sum(w in STOPWORDS for w in words) / len(words))


def test_hash_set_and_windows():
    from thresher.textstats import Chars, HashSet, hash_words, window_hashes

    members = [f"w{i}" for i in range(600)]
    hs = HashSet(hash_words(members))
    probe = members + [f"x{i}" for i in range(5000)] + ["", "w"]
    got = hs.contains(hash_words(probe))
    assert got.tolist() == [w in set(members) for w in probe]
    # a word list hashes as the same words read from a page's text
    import re

    text = "Straße im Überblick: 東京 and déjà-vu, naïve café"
    assert hash_words(re.findall(r"\w+", text.lower())).tolist() == Chars.of([text]).words()[0].tolist()
    h = hash_words("a b c d a b c x".split())
    w = window_hashes(h, 3)
    assert w.size == 6 and w[0] == w[4] and w[0] != w[1]
    assert window_hashes(h[:2], 3).size == 0
