"""benchmarks/render.py: renderers, perturbation, line labels, dump iteration.

Only small handwritten HTML here: no text from the bench pages.
"""

from __future__ import annotations

import gzip
import json
import random
import re

import pytest

from benchmarks.render import (
    Dump,
    iter_dumps,
    label_lines,
    make_dump,
    perturb,
    render_blocks,
    render_browserlike,
)

PAGE = """<!doctype html><html><head><title>Tiny page</title><style>p { color: red }</style></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<article>
<h1>Harbour <em>reopens</em> after storm</h1>
<p>The harbour reopened on Monday after <a href="/s">the storm</a> passed.<br>Ferries resumed at noon.</p>
<img src="boats.jpg" alt="Boats in the harbour">
<p>Repairs will take weeks, officials said.</p>
<ul><li>Ferries run hourly</li><li>Cargo waits <b>two</b> days</li></ul>
<table><tr><th>Route</th><th>Status</th></tr><tr><td>North</td><td>open</td></tr></table>
</article>
<script>var tracking = 1;</script>
<footer><p>Copyright 2024 Example News</p></footer>
</body></html>"""

GOLD = "\n".join(
    [
        "Harbour reopens after storm",
        "The harbour reopened on Monday after the storm passed.",
        "Ferries resumed at noon.",
        "Repairs will take weeks, officials said.",
        "Ferries run hourly",
        "Cargo waits two days",
    ]
)

_TOK = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _TOK.findall(text)


# ------------------------------------------------------------------ renderers


def test_render_blocks_tiny_page():
    assert render_blocks(PAGE) == [
        "Home",
        "World",
        "Sport",
        "Harbour reopens after storm",
        "The harbour reopened on Monday after the storm passed.",
        "Ferries resumed at noon.",
        "Repairs will take weeks, officials said.",
        "Ferries run hourly",
        "Cargo waits two days",
        "Route Status",
        "North open",
        "Copyright 2024 Example News",
    ]


def test_render_browserlike_tiny_page():
    assert render_browserlike(PAGE) == [
        "Home",
        "World",
        "Sport",
        "Harbour reopens after storm",
        "The harbour reopened on Monday after the storm passed.",
        "Ferries resumed at noon.",
        "Boats in the harbour",
        "Repairs will take weeks, officials said.",
        "Ferries run hourly",
        "Cargo waits two days",
        "Route | Status",
        "North | open",
        "Copyright 2024 Example News",
    ]


def test_render_browserlike_bullets_only_on_list_items():
    lines = render_browserlike(PAGE, bullet="* ")
    assert lines[:3] == ["* Home", "* World", "* Sport"]
    assert "* Ferries run hourly" in lines and "* Cargo waits two days" in lines
    assert "Harbour reopens after storm" in lines


def test_render_browserlike_details():
    html = (
        "<body><div>Top<span>Joined</span> <b>words</b></div>"
        "<table><tr><td>a</td><td></td><td> </td><td>b</td></tr>"
        "<tr><td><p>one</p><p>two</p></td><td>three</td></tr></table>"
        "<pre>x = 1\n    y = 2\n\n</pre>"
        "<img alt=''><img alt='\U0001f642'><p>   &nbsp; </p>"
        "<noscript>no js</noscript><template><p>tpl</p></template><svg><text>svg</text></svg>"
        "<p>fin<!-- comment -->al</p></body>"
    )
    assert render_browserlike(html) == [
        "TopJoined words",
        "a | b",
        "one",
        "two",
        "three",
        "x = 1",
        "    y = 2",
        "final",
    ]


@pytest.mark.parametrize("render", [render_blocks, render_browserlike])
def test_renderers_give_clean_lines(render):
    lines = render(PAGE)
    assert lines and all(line.strip() and line == line.rstrip() for line in lines)
    assert all(len(line.splitlines()) == 1 for line in lines)
    assert not any("tracking" in line or "Tiny page" in line or "color" in line for line in lines)


@pytest.mark.parametrize("render", [render_blocks, render_browserlike])
def test_renderers_empty_and_deep(render):
    assert render("") == []
    deep = "<div>" * 3000 + "<p>deep text</p>" + "</div>" * 3000
    assert render(deep) == ["deep text"]


# ------------------------------------------------------------------ perturb


def test_perturb_is_deterministic_and_keeps_words():
    lines = render_browserlike(PAGE) + ["Americas", "Africa", "Europe", "Middle East", "Asia"]
    outputs = set()
    for seed in range(40):
        a = perturb(lines, random.Random(seed))
        b = perturb(lines, random.Random(seed))
        assert a == b
        assert isinstance(a, str)
        assert words(a) == words("\n".join(lines))
        outputs.add(a)
    # the seeds give different dumps: joined menus, blank lines, CRLF
    assert len(outputs) > 10
    assert any("\r\n" in o for o in outputs)
    assert any("\n\n" in o.replace("\r\n", "\n") for o in outputs)
    assert any("Americas Africa Europe" in o or "Americas  Africa" in o or "Americas | Africa" in o for o in outputs)


def test_perturb_every_nonempty_line_keeps_its_words():
    lines = ["Home", "World", "Sport", "A long paragraph of article text that goes on.", "Short"]
    for seed in range(20):
        text = perturb(lines, random.Random(seed))
        out_lines = [line for line in text.splitlines() if line.strip()]
        # each output line is one input line or a join of consecutive input lines
        joined_words = [words(line) for line in out_lines]
        assert [w for ws in joined_words for w in ws] == [w for line in lines for w in words(line)]
        assert all(ws for ws in joined_words)


# ------------------------------------------------------------------ labels


def test_label_lines_handcrafted_gold():
    lines = [
        "Home",  # one word, not a gold line
        "Harbour reopens after storm",  # all 3-grams in the gold
        "Ferries run hourly",  # exactly a gold line
        "Cargo waits",  # two words, only part of a gold line
        "Repairs will take weeks, officials said. Subscribe now",  # 4 of 6 3-grams
        "Copyright 2024 Example News",
        "   The harbour reopened on Monday   ",  # surrounding spaces do not matter
        "",
    ]
    labels = label_lines(lines, GOLD)
    assert len(labels) == len(lines)
    assert all(isinstance(y, float) for y in labels)
    assert labels[0] == 0.0
    assert labels[1] == 1.0
    assert labels[2] == 1.0
    assert labels[3] == 0.0
    assert labels[4] == pytest.approx(4 / 6, abs=1e-6)
    assert labels[5] == 0.0
    assert labels[6] == 1.0
    assert labels[7] == 0.0


def test_label_lines_cjk_uses_characters():
    gold = "港口周一重新开放，渡轮恢复运行。"
    labels = label_lines(["港口周一重新开放", "订阅我们的新闻通讯"], gold)
    assert labels[0] == 1.0
    assert labels[1] == 0.0
    assert label_lines([], gold) == []


# ------------------------------------------------------------------ dumps


def test_make_dump_is_consistent_and_deterministic():
    for renderer in ("blocks", "browserlike"):
        d = make_dump("p1", "toy", "https://example.org/a", PAGE, GOLD, renderer, seed=3)
        assert isinstance(d, Dump)
        assert d == make_dump("p1", "toy", "https://example.org/a", PAGE, GOLD, renderer, seed=3)
        assert d.lines == [line for line in d.text.splitlines() if line.strip()]
        assert len(d.labels) == len(d.lines)
        assert d.renderer == renderer and d.gold == GOLD
        assert max(d.labels) == 1.0 and min(d.labels) == 0.0
    with pytest.raises(ValueError):
        make_dump("p1", "toy", None, PAGE, GOLD, "lynx")


def test_iter_dumps_reads_a_bench_dir(tmp_path):
    records = [
        {"id": "b", "dataset": "toy", "url": None, "html": PAGE, "gold": GOLD},
        {"id": "a", "dataset": "toy", "url": "https://example.org/", "html": PAGE, "gold": GOLD},
        {"id": "c", "dataset": "toy", "url": None, "html": PAGE, "gold": ""},  # no gold: skipped
    ]
    with gzip.open(tmp_path / "toy.jsonl.gz", "wt", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r) + "\n")
    dumps = list(iter_dumps(tmp_path, datasets=("toy",), seed=1))
    assert [(d.page_id, d.renderer) for d in dumps] == [
        ("a", "blocks"),
        ("a", "browserlike"),
        ("b", "blocks"),
        ("b", "browserlike"),
    ]
    assert dumps == list(iter_dumps(tmp_path, datasets=("toy",), seed=1))
    # the rng is per page and renderer: the same HTML gives per-page variation across seeds
    texts = {d.text for s in range(8) for d in iter_dumps(tmp_path, ("toy",), ("blocks",), seed=s)}
    assert len(texts) > 1
    with pytest.raises(ValueError):
        list(iter_dumps(tmp_path, ("toy",), ("nope",)))
