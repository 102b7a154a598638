"""The compiled core (thresher._core: the walk, the forests' sums) against the
pure-Python one: identical output.

The comparisons need the compiled core and skip without it (an install with no
compiler); ``THRESHER_PURE_PYTHON=1`` is checked in a subprocess either way.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import thresher
from tests.conftest import BENCH_DIR, ROOT
from thresher import Config, Extractor, TextCleaner, _forest, textstats
from thresher import _native as native
from thresher.html import parse as parse_module
from thresher.html import segment as seg_module
from thresher.html.parse import parse
from thresher.html.segment import Segments, segment, segment_page

needs_core = pytest.mark.skipif(seg_module.CORE is None, reason=f"compiled core not in use ({seg_module.CORE_NOTE})")
needs_forests = pytest.mark.skipif(_forest._CORE is None, reason="compiled forests not in use")

PARA = "The harbour council met on Tuesday evening and agreed to repair the old sea wall before winter."
#: pages written for these tests: each stresses one branch of the walk
PAGES = {
    "deep-blocks": "<html><body>" + "<div>" * 3000 + f"<p>{PARA}</p>" + "</div>" * 3000 + "</body></html>",
    "deep-inline": "<p>" + "<b><i><span>" * 20_000 + PARA,
    "many-blocks": "<body>" + "".join(f"<p class='c{i}'>{PARA} {i}</p>" for i in range(3000)) + "</body>",
    "table": "<table><tr><td>a</td><td>b <a href=x>c</a></td></tr><tr><td><p>x</p><p>y</p></td></tr></table>",
    "pre": "<pre>\n\n  indented\n\tcode  \n\n</pre><pre>   </pre><p>after</p>",
    "hidden": "<div hidden><p>a</p></div><p style='DISPLAY : none'>b</p><p style=''>c</p><p class>d</p>",
    "attrs": "<div class='navBar main-Content' id='x1' role=navigation itemprop=articleBody data-a>t</div>",
    "noscript": "<body><p>hi</p><noscript><p>" + PARA + "</p></noscript></body>",
    "custom": "<my-card class='teaser'><x-y>one</x-y><x-y>two</x-y></my-card><svg><text>no</text></svg>",
    "broken": "<<<>>><</</p>>" + "<p>a\x00b</p><?php echo 'x'; ?><div><?xml x?>after</div>",
    "non-ascii": "<p>Grüße aus Köln \u00a0\u2003 und \u3000 東京</p><p>\u2028line\u2029sep</p><a>\ufeff</a>",
    "breaks": "<p>one<br>two<br><br>three<hr>four</p><li>item<br>more</li><blockquote>q<br>r</blockquote>",
}
#: limits that cut the walk in each place: nodes, blocks, characters
LIMITS = [
    {},
    {"max_nodes": 0},
    {"max_nodes": 7},
    {"max_nodes": 500},
    {"max_blocks": 0},
    {"max_blocks": 3},
    {"max_chars": 0},
    {"max_chars": 50},
    {"max_chars": 2000},
]


def both_paths(monkeypatch, call, *args, **kwargs):
    """``call(*args, **kwargs)`` on the compiled core (walk, forests, word hashes,
    attribute scan), then on pure Python."""
    compiled = call(*args, **kwargs)
    with monkeypatch.context() as m:
        m.setattr(seg_module, "CORE", None)
        m.setattr(_forest, "_CORE", None)
        m.setattr(textstats, "_CORE", None)
        m.setattr(parse_module, "_CORE", None)
        python = call(*args, **kwargs)
    return compiled, python


def seg_columns(body, **kwargs) -> dict:
    return columns(segment(body, **kwargs))


def page_columns(body) -> dict:
    return columns(segment_page(body))


def extracted(extractor, html, url) -> dict:
    return extractor.extract(html, url).to_dict()


def columns(seg: Segments) -> dict:
    names = (*Segments.BLOCK_COLUMNS, "sibling_repeats", "page_repeats", "truncated")
    return {name: getattr(seg, name) for name in names}


def sample_pages() -> dict[str, str]:
    pages = dict(PAGES)
    for path in sorted((ROOT / "samples" / "pages").glob("*.html")):
        pages[path.name] = path.read_bytes().decode("utf-8", "replace")
    return pages


@needs_core
@pytest.mark.parametrize("name", sorted(sample_pages()))
def test_segments_identical_on_samples_and_test_pages(monkeypatch, name):
    body = parse(sample_pages()[name]).body
    for limits, noscript in itertools.product(LIMITS, (False, True)):
        compiled, python = both_paths(monkeypatch, seg_columns, body, noscript=noscript, **limits)
        assert compiled == python, (name, limits, noscript)
    compiled, python = both_paths(monkeypatch, page_columns, body)
    assert compiled == python


@needs_core
@pytest.mark.parametrize("metadata", [True, False])
def test_extract_identical_on_samples_and_test_pages(monkeypatch, metadata):
    extractor = Extractor(Config(metadata=metadata))
    for name, page in sample_pages().items():
        compiled, python = both_paths(monkeypatch, extracted, extractor, page, "https://example.org/a")
        assert compiled == python, name


def bench_pages(per_dataset: int) -> list[tuple[str, str, str | None]]:
    pages = []
    for path in sorted(BENCH_DIR.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in itertools.islice(f, per_dataset):
                row = json.loads(line)
                pages.append((f"{path.name}/{row.get('id')}", row["html"], row.get("url")))
    return pages


@needs_core
@pytest.mark.skipif(not BENCH_DIR.is_dir(), reason="../shared/bench is absent")
def test_extract_identical_on_bench_pages(monkeypatch):
    """A sample of every bench dataset (benchmarks/identity.py checks them all)."""
    pages = bench_pages(per_dataset=15)
    assert pages
    extractor = Extractor()
    for key, html, url in pages:
        body = parse(html).body
        compiled, python = both_paths(monkeypatch, page_columns, body)
        assert compiled == python, key
        compiled, python = both_paths(monkeypatch, extracted, extractor, html, url)
        assert compiled == python, key


def random_opened(rng, n_ids: int) -> list[tuple]:
    """An ``opened`` list as the walk makes one: ids rising, each parent an
    earlier container (0: the root), tags and classes from small pools so
    signatures repeat, digits of several scripts so signatures merge."""
    tags = ["div", "p", "li", "body", "section"]
    classes = [None, "", "card", "card-1", "card-22", "card-\u0663", "card-\uff13", "card\u00b2", "Grüße 7", "x" * 300]
    opened, containers = [], [0]
    for fid in rng.sample(range(1, n_ids + 1), k=rng.randint(0, n_ids)):
        opened.append((fid, rng.choice(tags), rng.choice(classes), rng.choice(containers)))
        containers.append(fid)
    opened.sort()
    return opened


@needs_core
def test_container_repeats_identical_to_python():
    """The compiled counting matches ``_container_repeats``: classes that differ
    in decimal digits of any script ("card-1", "card-٣", "card-３") share a
    signature, "card²" (a digit, not a decimal) does not; None and "" are one."""
    import random

    core, python = seg_module.CORE.container_repeats, seg_module._container_repeats
    opened = [
        (1, "li", "card-1", 0),
        (2, "li", "card-\u0663", 0),
        (3, "li", "card-\uff13", 1),
        (4, "li", "card\u00b2", 0),
    ]
    assert core(opened, 5) == python(opened, 5) == ([1, 2, 2, 1, 1, 1], [1, 3, 3, 3, 1, 1])
    none_and_empty = [(1, "p", None, 0), (2, "p", "", 0)]
    assert core(none_and_empty, 2) == python(none_and_empty, 2) == ([1, 2, 2], [1, 2, 2])
    roots = [(1, "body", "", -1), (2, "body", None, -1)]  # the root's own signature
    assert core(roots, 2) == python(roots, 2) == ([2, 2, 2], [2, 2, 2])
    assert core([], 0) == python([], 0) == ([1], [1])
    rng = random.Random(17)
    for _ in range(300):
        n_ids = rng.randint(0, 60)
        opened = random_opened(rng, n_ids)
        assert core(opened, n_ids) == python(opened, n_ids), opened


@needs_core
@pytest.mark.parametrize(
    "bad", [[(0, "p", None, 0)], [(3, "p", None, 0)], [(1, "p", None, 3)], [(1, "p", 5, 0)], [(1,)]]
)
def test_container_repeats_refuses_what_no_walk_makes(bad):
    with pytest.raises((ValueError, TypeError)):
        seg_module.CORE.container_repeats(bad, 2)


@needs_core
def test_a_node_of_another_kind_is_walked_in_python():
    """Only a selectolax LexborNode goes to the compiled walk (its ``mem_id`` is a Lexbor node)."""

    class Text:
        tag, text_content, child, attributes = "-text", "plain words", None, {}
        next = None

    class Root:
        tag, child, next, attributes = "body", Text(), None, {}

    assert segment(Root()).texts == ["plain words"]


@needs_core
def test_a_misfit_core_warns_and_falls_back(monkeypatch):
    """A walk that differs from Python's on the probe page (a selectolax whose
    Lexbor does not fit) is not used: a warning, and the Python walk."""
    monkeypatch.setattr(seg_module, "_walk_python", lambda *args: ([], [], 0, False))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        core, why = seg_module._load_core()
    assert core is None and "does not fit selectolax" in why
    assert any("pure-Python walk" in str(w.message) for w in caught)


@needs_core
def test_a_core_whose_repeats_differ_is_not_used(monkeypatch):
    """The probe page checks the compiled repeat counting too."""
    monkeypatch.setattr(seg_module, "_container_repeats", lambda opened, n_ids: ([1] * (n_ids + 1), [9] * (n_ids + 1)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        core, why = seg_module._load_core()
    assert core is None and "does not fit selectolax" in why
    assert any("repeats differ" in str(w.message) for w in caught)


@needs_core
def test_init_refuses_a_text_node_it_cannot_read():
    import thresher._core as core
    from selectolax.lexbor import LexborHTMLParser

    probe = LexborHTMLParser("<p>probe text</p>").css_first("p").child
    try:
        with pytest.raises(ImportError, match="layout"):
            core.init(sys.modules["selectolax.lexbor"].__file__, probe.mem_id, b"other text", *_init_rest())
    finally:  # leave the core ready for the rest of the session
        core.init(sys.modules["selectolax.lexbor"].__file__, probe.mem_id, b"probe text", *_init_rest())
    assert segment(parse("<p>still works</p>").body).texts == ["still works"]


@needs_core
def test_attribute_groups_identical_through_the_value_cache(monkeypatch):
    """The compiled walk caches the groups of short attribute values by their
    bytes: a value as class and as style, values either side of the cached
    length, non-ASCII ones, and more distinct values than the cache has slots
    (so slots are replaced) all give the Python walk's groups."""
    values = ["display:none", "nav", "NavBar", "Grüße-teaser", "x" * 63 + "é", "share" + "y" * 60, "share" + "y" * 59]
    values += [f"card-{i} story{i % 7}" for i in range(5000)]
    html = "".join(f"<div class='{v}'><p style='{v}' id='{v}'>{PARA}</p></div>" for v in values)
    body = parse(f"<body>{html}</body>").body
    for _ in range(2):  # the second walk reads the cache the first one filled
        compiled, python = both_paths(monkeypatch, seg_columns, body)
        assert compiled == python
    assert {cls for cls in compiled["own_cls"]} != {0}


@needs_core
def test_init_empties_the_value_cache():
    """A new ``class_mask`` (init again) is used for values the cache already holds."""
    import thresher._core as core
    from selectolax.lexbor import LexborHTMLParser

    body = parse("<body><p class='nav'>words</p></body>").body
    nav = segment(body).own_cls[0]
    assert nav == seg_module.class_mask("nav") != 0
    probe = LexborHTMLParser("<p>probe text</p>").css_first("p").child
    lexbor_so = sys.modules["selectolax.lexbor"].__file__
    rest = list(_init_rest())
    rest[1] = lambda value: 1 << 40
    try:
        core.init(lexbor_so, probe.mem_id, b"probe text", *rest)
        assert segment(body).own_cls == [1 << 40]
    finally:
        core.init(lexbor_so, probe.mem_id, b"probe text", *_init_rest())
    assert segment(body).own_cls == [nav]


def _init_rest() -> tuple:
    from thresher.types import Kind

    m = seg_module
    kinds = (Kind.CODE, Kind.HEADING, Kind.CAPTION, Kind.QUOTE, Kind.LIST_ITEM, Kind.PARAGRAPH)
    bits = (m._PRE_BIT, m._FIG_BIT, m._QUOTE_BIT, m._LIST_BIT, m._HIDDEN_BIT)
    return m._tag_info, m.class_mask, m._is_hidden_style, kinds, bits


def test_the_api_and_version_say_which_walk_runs():
    assert thresher.core_path in ("compiled", "python")
    assert thresher.COMPILED == (thresher.core_path == "compiled") == (seg_module.CORE is not None)
    env = {**os.environ, "THRESHER_PURE_PYTHON": "1"}
    code = "import thresher; print(thresher.COMPILED, thresher.core_path)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "python"]
    cli = [sys.executable, "-c", "from thresher.cli import main; main()", "--version"]
    out = subprocess.run(cli, env=env, capture_output=True, text=True, check=True)
    assert "0.1.0" in out.stdout and "pure-Python core: THRESHER_PURE_PYTHON is set" in out.stdout
    env["THRESHER_PURE_PYTHON"] = "0"  # "0" does not force the fallback
    out = subprocess.run(cli, env=env, capture_output=True, text=True, check=True)
    assert "core" in out.stdout and "THRESHER_PURE_PYTHON is set" not in out.stdout


def test_bench_pages_helper_reads_pages():
    """The bench sampler reads real rows (so the bench test above cannot pass on nothing)."""
    if not BENCH_DIR.is_dir():
        pytest.skip("../shared/bench is absent")
    pages = bench_pages(per_dataset=1)
    assert len(pages) == len(list(Path(BENCH_DIR).glob("*.jsonl.gz"))) and all(html for _, html, _ in pages)


# --------------------------------------------------------------------------- the forests


def shipped_forests() -> dict[str, tuple]:
    """Every shipped forest, as (ensemble, starts): the block model's stages,
    its comment model and its page-type group, the line model's stages."""
    blocks, lines = Extractor().model, TextCleaner().model
    one = np.zeros(1, dtype=np.int64)
    forests = {"blocks.stage1": (blocks.stage1, one), "blocks.stage2": (blocks.stage2, one)}
    forests |= {"lines.stage1": (lines.stage1, one), "lines.stage2": (lines.stage2, one)}
    if blocks.comment is not None:
        forests["blocks.comment"] = (blocks.comment, one)
    if blocks.page_types is not None:
        forests["blocks.page_types"] = (blocks.page_types._all, blocks.page_types._starts)
    return forests


def hard_rows(rng, ens, n: int) -> np.ndarray:
    """``n`` rows that hit the borders exactly (ties), NaN, infinities, -0.0 and
    float64 values a float32 cast rounds onto a border."""
    X = rng.normal(size=(n, ens.n_features)) * rng.choice([0.01, 1.0, 100.0], size=(n, ens.n_features))
    X[rng.random(X.shape) < 0.2] = 0.0
    if n:
        flat = ens.borders.ravel()
        cols = ens.features.ravel()
        picks = rng.integers(0, flat.size, size=min(n * 3, flat.size))
        X[rng.integers(0, n, picks.size), cols[picks]] = flat[picks]
        X[0, : min(3, ens.n_features)] = [np.nan, np.inf, -np.inf][: min(3, ens.n_features)]
        X[-1, 0] = -0.0
    return X


@needs_forests
@pytest.mark.parametrize("name", sorted(shipped_forests()))
def test_forest_sums_identical_to_numpy(monkeypatch, name):
    """The compiled sums give NumPy's bits, not just its labels, at every row
    count either side of the lanes (16), the blocks (64) and the NumPy chunk."""
    ens, starts = shipped_forests()[name]
    rng = np.random.default_rng(len(name))
    for n in (0, 1, 2, 15, 16, 17, 63, 64, 65, 200, _forest.CHUNK_ROWS + 5):
        for dtype in (np.float32, np.float64):
            X = hard_rows(rng, ens, n).astype(dtype)
            compiled, python = both_paths(monkeypatch, ens.member_sums, X, starts)
            assert compiled.shape == python.shape == (len(starts), n)
            assert compiled.tobytes() == python.tobytes(), (name, n, dtype)


@needs_forests
def test_a_group_member_without_trees_scores_its_bias(monkeypatch):
    """A member with no trees (first, between others, last) sums to 0.0 on both paths."""
    rng = np.random.default_rng(3)
    full = _forest.ObliviousEnsemble(
        rng.integers(0, 4, (5, 2)), rng.normal(size=(5, 2)), rng.normal(size=(5, 4)), 0.5, 4
    )
    empty = _forest.ObliviousEnsemble(np.zeros((0, 2), dtype=int), np.zeros((0, 2)), np.zeros((0, 4)), -0.25, 4)
    group = _forest.EnsembleGroup({"e1": empty, "a": full, "e2": empty, "b": full, "e3": empty})
    for n in (1, 20):
        X = rng.normal(size=(n, 4)).astype(np.float32)
        compiled, python = both_paths(monkeypatch, group.predict, X)
        assert compiled.tobytes() == python.tobytes()
        np.testing.assert_array_equal(compiled[:, 0], np.full(n, 1 / (1 + np.exp(0.25))))


@needs_forests
def test_forest_sums_add_in_tree_order(monkeypatch):
    """Both paths add a row's leaf values in tree order: NumPy's pairwise sum of
    these 16 values (as ``sum`` gives it for one row) is 14, the running sum 7
    (the ones after 1e16 are lost against it)."""
    values = [1e16] + [1.0] * 7 + [-1e16] + [1.0] * 7
    in_order = 0.0
    for v in values:
        in_order += v
    assert in_order == 7.0 and np.sum(values) == 14.0
    trees = len(values)
    leaves = np.repeat(np.array(values)[:, None], 2, axis=1)
    ens = _forest.ObliviousEnsemble(np.zeros((trees, 1), dtype=int), np.zeros((trees, 1)), leaves, 0.0, 1)
    X = np.zeros((1, 1), dtype=np.float32)
    assert both_paths(monkeypatch, ens.raw, X) == (in_order, in_order)
    zeros = _forest.ObliviousEnsemble([[0], [0]], [[0.0], [0.0]], [[-0.0, -0.0]] * 2, 0.0, 1)
    for n in (1, 3):  # leaves of -0.0 sum to +0.0, as NumPy's sum starts from +0.0
        compiled, python = both_paths(monkeypatch, zeros.member_sums, np.zeros((n, 1)), np.zeros(1, dtype=np.int64))
        assert compiled.tobytes() == python.tobytes() == np.zeros((1, n)).tobytes()


@needs_forests
@pytest.mark.parametrize(
    "change",
    [
        {"n_features": 0},
        {"n_features": 3},  # X's bytes are not whole rows
        {"depth": 9},
        {"trees": 2},
        {"cols": np.array([0, 7], dtype=np.int32)},  # a feature X lacks
        {"cols": np.array([-1, 0], dtype=np.int32)},
        {"leaves": np.zeros(3)},
        {"starts": np.array([1], dtype=np.int64)},
        {"starts": np.array([0, 1, 0], dtype=np.int64)},
        {"starts": np.array([0, 5], dtype=np.int64)},
        {"out": np.zeros(3)},
    ],
)
def test_forest_sums_refuses_what_no_model_makes(change):
    args = {
        "X": np.zeros((4, 2), dtype=np.float32),
        "n_features": 2,
        "cols": np.array([0, 1], dtype=np.int32),
        "borders": np.zeros(2, dtype=np.float32),
        "leaves": np.zeros(4),
        "trees": 1,
        "depth": 2,
        "starts": np.zeros(1, dtype=np.int64),
        "out": np.zeros(4),
    }
    _forest._CORE.forest_sums(*args.values())  # the unchanged call is fine
    args |= change
    with pytest.raises(ValueError):
        _forest._CORE.forest_sums(*args.values())


@needs_forests
@pytest.mark.parametrize("misfit", ["sums", "missing"])
def test_misfit_compiled_forests_warn_and_fall_back(monkeypatch, misfit):
    """A build whose sums differ from NumPy's on the probe forest, or one
    without ``forest_sums`` (built before it), is not used: a warning, NumPy."""
    if misfit == "sums":
        monkeypatch.setattr(_forest, "_compiled_sums", lambda core, ens, X, starts: np.ones((len(starts), len(X))))
    else:

        class Older:  # a build of the walk alone
            pass

        monkeypatch.setattr(native, "compiled_module", lambda: (Older(), "built"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert _forest._load_core() is None
    assert any("running the pure-Python forests" in str(w.message) for w in caught)


def test_the_api_and_version_say_which_forests_run():
    assert thresher.forest_path == ("compiled" if _forest._CORE is not None else "python")
    env = {**os.environ, "THRESHER_PURE_PYTHON": "1"}
    code = "import thresher; print(thresher.forest_path)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["python"]
    cli = [sys.executable, "-c", "from thresher.cli import main; main()", "--version"]
    out = subprocess.run(cli, env=env, capture_output=True, text=True, check=True)
    assert "python forests" in out.stdout


@needs_forests
def test_clean_text_identical_on_both_paths(monkeypatch):
    """The line model scores through the same sums: a sample's dump and a
    one-line dump clean to the same article."""
    cleaner = TextCleaner()
    dumps = [PARA, "\n".join(f"Line {i}: {PARA}" if i % 3 else "Home | News | Sport" for i in range(400))]
    dumps += [p.read_text("utf-8", "replace") for p in sorted((ROOT / "samples").rglob("*.txt"))[:5]]
    for dump in dumps:
        compiled, python = both_paths(monkeypatch, lambda d: cleaner.clean(d).to_dict(), dump)
        assert compiled == python


# --------------------------------------------------------------------------- the word hashes

needs_word_hashes = pytest.mark.skipif(textstats._CORE is None, reason="compiled word hashes not in use")


@needs_word_hashes
def test_word_hashes_identical_to_numpy():
    """Texts of every width of code point, astral letters, words at the edges,
    long words whose powers wrap modulo 2**64, a page's texts and random ones
    ("İ" lower-cases longer than it is: the word flags then stop short)."""
    import random

    rng = random.Random(5)
    pool = "aZ_09 \\n,.-éßİ東京タワー한국어\u0301\u200d𝔘𝔫😀\U00010400"
    texts_sets = [
        [PARA, "", "x", "\u00e9" * 3, "y" * 500, "end_"],
        [page for page in sample_pages().values()][:3],
        ["".join(rng.choice(pool) for _ in range(rng.randint(0, 80))) for _ in range(300)],
    ]
    for texts in texts_sets:
        chars = textstats.Chars.of(texts)
        compiled = textstats._word_hashes(chars.lower, chars.word, chars.wstart)
        python = textstats._word_hashes_numpy(chars.lower, chars.word, chars.wstart)
        assert compiled.dtype == python.dtype == np.uint64
        assert compiled.tobytes() == python.tobytes()


@needs_word_hashes
def test_word_hashes_refuse_a_wrong_output_size():
    word = np.array([1, 1, 0, 1], dtype=bool)
    for size in (0, 1, 3):  # the text "ab c" has two words
        with pytest.raises(ValueError):
            textstats._CORE.word_hashes("ab c", word, 31, np.empty(size, dtype=np.uint64))
    with pytest.raises(ValueError):
        textstats._CORE.word_hashes("ab c", word, 31, np.empty(3, dtype=np.uint8))


@needs_word_hashes
def test_misfit_word_hashes_warn_and_fall_back(monkeypatch):
    monkeypatch.setattr(textstats, "_word_hashes_numpy", lambda text, word, wstart: np.zeros(1, dtype=np.uint64))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert native.checked_core("word hashes", textstats._check_core) is None
    assert any("running the pure-Python word hashes" in str(w.message) for w in caught)


# --------------------------------------------------------------------------- the attribute scan

needs_scan = pytest.mark.skipif(parse_module._CORE is None, reason="compiled attribute scan not in use")
#: pieces of markup that, joined at random, reach every branch of the scan
MARKUP_PIECES = [
    *(b"<", b"</", b"<!--", b"-->", b"--", b"-", b">", b"/>", b"!", b"<p", b"<div", b"<a ", b"</ y"),
    *(b"script", b"SCRIPT", b"Style", b"title", b"textarea", b"plaintext", b"xmp", b"iframe", b"noframes"),
    *(b"</script>", b"</script ", b"</scripts>", b"</STYLE\t"),
    *(b" ", b"\t", b"\n", b"\f", b"\r", b"/", b"=", b'"', b"'", b"a", b"x=1", b" b=c", b"=x", b"'y'", b'"z"'),
    *(b"\x00", "é東".encode()),
]


def scan_both(html: bytes, pos: int, max_attributes: int, pattern) -> tuple[int, int]:
    names = parse_module._RAW_NAMES, parse_module._REST_TEXT.encode()
    return parse_module._CORE.markup_end(html, pos, max_attributes, *names), pattern.match(html, pos).end()


@needs_scan
def test_attribute_scan_stops_where_the_pattern_does():
    """Random markup, every start and small caps of attributes (so tags
    exceed them often): the compiled scan stops where ``_MARKUP`` does."""
    import random

    rng = random.Random(11)
    patterns = {k: parse_module._markup_pattern(k) for k in (0, 1, 2, 5)}
    for _ in range(4000):
        html = b"".join(rng.choice(MARKUP_PIECES) for _ in range(rng.randint(0, 40)))
        k = rng.choice(list(patterns))
        pos = rng.randint(0, len(html))
        compiled, python = scan_both(html, pos, k, patterns[k])
        assert compiled == python, (html, pos, k)


@needs_scan
def test_attribute_scan_identical_on_pages(monkeypatch):
    """Sample pages, and pages whose tags exceed ``MAX_ATTRIBUTES`` (in a
    raw-text element too): the same end, and the same capped page."""
    many = " ".join(f"a{i}={i}" for i in range(parse_module.MAX_ATTRIBUTES + 5))
    pages = [p.encode() for p in sample_pages().values()]
    pages += [f"<p {many}>x</p><p>y</p>".encode(), f"<script {many}>var a;</script><div {many}>".encode()]
    for html in pages:
        compiled, python = scan_both(html, 0, parse_module.MAX_ATTRIBUTES, parse_module._MARKUP)
        assert compiled == python
        compiled, python = both_paths(monkeypatch, parse_module._cap_attributes, html)
        assert compiled == python
    assert len(compiled) < len(pages[-1])  # the attributes past the cap went


@needs_scan
def test_misfit_attribute_scan_warns_and_falls_back(monkeypatch):
    monkeypatch.setattr(parse_module, "_markup_pattern", lambda k: parse_module.re.compile(b"x*"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert native.checked_core("attribute scan", parse_module._check_core) is None
    assert any("running the pure-Python attribute scan" in str(w.message) for w in caught)


def test_step_timer_times_every_step_of_a_page():
    """benchmarks/run_steps.py's recipe runs on a page and on an empty one."""
    from benchmarks import run_steps

    extractor = Extractor()
    page = next(iter(sample_pages().values()))
    for html in (page, "<html><body></body></html>"):
        seconds = run_steps.time_steps(extractor, html, "https://example.org/a")
        assert len(seconds) == len(run_steps.STEPS) and all(s >= 0 for s in seconds)
