"""Public API on pages we wrote: chrome removed, structure kept, encodings handled."""

import json
from pathlib import Path

import pytest

import thresher
from thresher import Article, Kind

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text("utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_pages(name, extractor):
    exp = EXPECTED[name]
    article = extractor.extract((SAMPLES / "pages" / name).read_bytes())
    assert article.title == exp["title"]
    # the headline is the title, not a line of the body
    assert exp["title"] not in article.text.splitlines()
    for s in exp["must_include"]:
        if s in exp.get("known_misses", ()):
            continue
        assert s in article.text, f"lost article text: {s!r}"
    for s in exp["must_exclude"]:
        if s in exp.get("known_leaks", ()):
            continue
        assert s not in article.text, f"chrome left in: {s!r}"


def test_cp1251_page_is_decoded(extractor):
    article = extractor.extract((SAMPLES / "pages" / "library-cp1251-ru.html").read_bytes())
    assert article.encoding == "cp1251"
    assert "библиотек" in article.text.lower()


def test_structure_kept(extractor):
    article = extractor.extract((SAMPLES / "pages" / "budget-table-en.html").read_bytes())
    kinds = {b.kind for b in article.blocks}
    assert Kind.TABLE_ROW in kinds and Kind.LIST_ITEM in kinds and Kind.PARAGRAPH in kinds
    rows = [b.text for b in article.blocks if b.kind is Kind.TABLE_ROW]
    assert all("\t" in r for r in rows)
    md = article.to_markdown()
    assert md.startswith("# " + article.title)
    assert "\n| " in md and "\n- " in md


def test_removed_blocks_are_auditable(extractor):
    article = extractor.extract((SAMPLES / "pages" / "harbour-bridge-en.html").read_bytes())
    assert article.removed, "chrome should be reported as removed"
    reasons = {r.reason for r in article.removed}
    assert reasons <= {"model", "title", "no-article"} and "title" in reasons
    for r in article.removed:
        if r.reason == "model":
            assert r.score < extractor.threshold
    for b in article.blocks:
        assert b.score >= extractor.threshold


def test_text_layout():
    article = thresher.extract(
        "<html><head><title>Quiet streets | Town Post</title></head><body><nav><a href=/>Home</a> <a href=/a>About</a></nav>"
        "<article><h1>Quiet streets</h1>"
        + "".join(
            f"<p>Paragraph {i} tells how residents of the old town spent a calm weekend, as the council had "
            f"hoped when it closed the centre to cars for the summer festival.</p>"
            for i in range(6)
        )
        + "</article></body></html>"
    )
    assert article.title == "Quiet streets"
    paras = article.text.split("\n\n")
    assert len(paras) == 6 and paras[0].startswith("Paragraph 0")
    assert "Home" not in article.text


def test_to_dict_round_trips_through_json(extractor):
    article = extractor.extract((SAMPLES / "pages" / "rail-strike-de.html").read_bytes(), "https://example.org/a")
    d = json.loads(json.dumps(article.to_dict()))
    assert d["url"] == "https://example.org/a"
    assert d["text"] == article.text
    assert d["title"] == article.title
    assert len(d["blocks"]) == len(article.blocks)
    assert {"authors", "published", "updated", "site_name", "language"} <= d.keys()
    assert all(r["reason"] for r in d["removed"])


def test_extractor_reuses_its_model(monkeypatch):
    from thresher.html import extractor as module

    loads = []
    real = module.load_model
    monkeypatch.setattr(module, "load_model", lambda *a: loads.append(a) or real(*a))
    ex = thresher.Extractor()
    page = "<p>" + "The council agreed to repair the harbour wall before the winter storms. " * 4 + "</p>"
    a, b = ex.extract(page), ex.extract(page.encode())
    assert len(loads) == 1  # one model for the Extractor's whole life
    assert a.text == b.text and "harbour wall" in a.text


def test_unsure_page_keeps_its_best_blocks_not_nothing():
    import numpy as np

    from thresher.html.assemble import UNSURE_KEEP_SHARE, UNSURE_MIN_SCORE, assemble
    from thresher.html.parse import parse
    from thresher.html.segment import segment

    seg = segment(
        parse("<body><div>Menu</div><div>First paragraph.</div><div>Second one.</div><div>Related</div></body>").body
    )
    best = (UNSURE_MIN_SCORE + 0.4) / 2  # under the threshold, above the floor
    scores = np.array([0.01, best, best * (UNSURE_KEEP_SHARE + 0.1), best * (UNSURE_KEEP_SHARE - 0.1)])
    article = Article()
    assemble(article, seg, scores, 0.4, None)
    assert article.text == "First paragraph.\n\nSecond one."
    # a page the model is sure holds no article stays empty
    article = Article()
    assemble(article, seg, scores * (UNSURE_MIN_SCORE * 0.9 / best), 0.4, None)
    assert article.text == "" and len(article.removed) == 4


def test_hidden_copy_of_kept_text_is_dropped_as_duplicate():
    import numpy as np

    from thresher.html.assemble import assemble
    from thresher.html.parse import parse
    from thresher.html.segment import segment

    paras = [
        "The council voted on Tuesday to close the old bridge for repairs.",
        "Work starts in spring and lasts until the end of the year.",
    ]
    visible = "".join(f"<p>{p}</p>" for p in paras)
    # a hidden machine copy of the body, and a hidden block that repeats nothing
    html = f"<body>{visible}<div style='display:none'>{' '.join(paras)}</div><p hidden>A note shown after a click, said once.</p></body>"
    seg = segment(parse(html).body)
    article = Article()
    assemble(article, seg, np.full(len(seg), 0.9), 0.5, None)
    assert article.text == "\n\n".join([*paras, "A note shown after a click, said once."])
    assert [r.reason for r in article.removed] == ["duplicate"]
    # two visible copies both stay: pages repeat a paragraph on purpose
    seg = segment(parse(f"<body>{visible}{visible}</body>").body)
    article = Article()
    assemble(article, seg, np.full(len(seg), 0.9), 0.5, None)
    assert len(article.blocks) == 4


def test_output_text_is_unicode_nfc():
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Đà Nẵng café reopens")  # as some pages store it
    body = "".join(
        f"<p>{decomposed}: the harbour café opened its doors again after the long repairs, paragraph {i}.</p>"
        for i in range(4)
    )
    page = f"<html><head><title>{decomposed}</title></head><body><article><h1>{decomposed}</h1>{body}</article></body></html>"
    article = thresher.extract(page)
    assert article.title == unicodedata.normalize("NFC", decomposed)
    assert article.text and unicodedata.is_normalized("NFC", article.text)
    assert all(unicodedata.is_normalized("NFC", r.text) for r in article.removed)
    dump = thresher.clean_text(
        "\n\n".join([decomposed] + [f"{decomposed} said the council on Tuesday, line {i}." for i in range(4)])
    )
    assert dump.text and unicodedata.is_normalized("NFC", dump.text)


def test_the_headline_does_not_depend_on_metadata():
    page = (
        "<html><head><title>Quiet streets reopen | Town Post</title>"
        '<meta property="og:site_name" content="Town Post"></head><body>'
        "<p>" + "The last barriers came down on Monday and the traffic returned to the old town. " * 4 + "</p>"
        "</body></html>"
    )
    with_meta = thresher.extract(page)
    without = thresher.Extractor(thresher.Config(metadata=False)).extract(page)
    assert with_meta.title == without.title == "Quiet streets reopen"
