"""Block -> feature row, computed once per page into a NumPy matrix.

Two feature sets feed two classifier stages (see ``thresher.model``):

* ``block_features``: what the block is (length, link density, punctuation,
  function-word share, kind), where it sits (ancestor tags and class/id keyword
  groups, position, depth), what surrounds it (neighbours' length and link
  density), and how its containers look (share of the page's text and of its
  "good" text, link density) — including whether it lies inside the page's
  main text container, the deepest element that holds most of the page's
  paragraph-like text.
* ``context_features``: the first stage's probabilities of the block's
  neighbours and the mean probability of its containers, so the second stage
  smooths decisions along the reading order and across the DOM tree.

The per-block text statistics come from the kernel both products share,
``thresher.textstats``.
"""

from __future__ import annotations

import re
from itertools import chain
from typing import NamedTuple

import numpy as np

from ..model import FeatureSchema
from ..textstats import (
    CONTEXT_OFFSETS,
    TEXT_STATS,
    TEXT_STATS_PARAMS,
    VOICE_STATS,
    Chars,
    sequence_context,
    shift,
    stat_columns,
    text_stats,
    voice_stats,
)
from ..types import Kind
from .hints import ARTICLE_TYPES, PageHints
from .segment import (
    BLOCK_TAGS,
    CLASS_GROUP_NAMES,
    CLASS_GROUPS,
    NOSCRIPT_FALLBACK_CHARS,
    SKIP_TAGS,
    TAG_GROUP_NAMES,
    TAG_GROUPS,
    Segments,
)  # fmt: skip

__all__ = [
    "BLOCK_SCHEMA",
    "block_features",
    "context_features",
    "BLOCK_FEATURES",
    "CONTEXT_FEATURES",
    "GOOD_MIN_CHARS",
    "GOOD_MAX_LINK_DENSITY",
]

_WORD = re.compile(r"\w+")

#: A block counts as "good" (paragraph-like) for container statistics when it
#: has at least this many characters and at most this link density. Set by
#: hand to jusText-like cut-offs and not tuned: the model sees the raw length
#: and link density too, and learns how much to trust these aggregates.
GOOD_MIN_CHARS = 80
GOOD_MAX_LINK_DENSITY = 0.25

_KIND_CODES = {k: i for i, k in enumerate(Kind)}
_OWNER_TAGS = (
    "p",
    "div",
    "li",
    "td",
    "h1",
    "h2",
    "h3",
    "span",
    "section",
    "article",
    "dd",
    "blockquote",
    "pre",
    "figcaption",
    "header",
    "footer",
)
_OWNER_CODE = {t: i for i, t in enumerate(_OWNER_TAGS)}

#: The text statistics (``thresher.textstats``) that are block columns: the
#: block's own, and those that compare it with the page.
_OWN_STATS = TEXT_STATS[: TEXT_STATS.index("cjk_ratio") + 1]
_PAGE_STATS = ("repeats_on_page", "title_overlap", "starts_lower")
_TEXT_FEATURES = [
    "log_chars", "log_words", "link_density", "all_link", "n_links", *_OWN_STATS,
    "kind", "level", "owner_tag", *_PAGE_STATS,
]  # fmt: skip
_POS_FEATURES = ["rel_index", "rel_char_pos", "depth", "rel_depth"]
_CONTAINER_FEATURES = (
    [
        f"{name}_{lvl}"
        for lvl in ("c1", "c2", "c3")
        for name in ("share", "good_share", "link_density", "log_blocks", "good_frac")
    ]
    + ["in_main50", "in_main80", "main50_share", "main_depth_gap", "best_anc_good_share"]
    + [f"{kind}_repeats_{lvl}" for kind in ("sibling", "page") for lvl in ("c0", "c1", "c2", "c3")]
    + ["has_headline", "after_headline", "blocks_from_headline"]
)
_NEIGHBOUR_FEATURES = [
    f"{side}{d}_{name}" for side in ("prev", "next") for d in (1, 2) for name in ("log_chars", "link_density", "good")
] + ["dist_prev_good", "dist_next_good", "next_is_heading"]
_PAGE_FEATURES = [
    "page_log_blocks", "page_log_chars", "page_link_density", "page_good_share", "og_article", "ld_article",
    "n_article_tags", "n_h1", "url_slug_words", "url_has_date",
]  # fmt: skip

BLOCK_FEATURES: list[str] = (
    _TEXT_FEATURES
    + _POS_FEATURES
    + _CONTAINER_FEATURES
    + _NEIGHBOUR_FEATURES
    + _PAGE_FEATURES
    + [f"cls_anc_{g}" for g in CLASS_GROUP_NAMES]
    + [f"cls_near_{g}" for g in CLASS_GROUP_NAMES]
    + [f"cls_own_{g}" for g in CLASS_GROUP_NAMES]
    + [f"tag_anc_{g}" for g in TAG_GROUP_NAMES]
    + [f"tag_near_{g}" for g in TAG_GROUP_NAMES]
    + list(VOICE_STATS)
)

CONTEXT_FEATURES: list[str] = (
    [f"p_{'m' if o < 0 else 'p'}{abs(o)}" for o in CONTEXT_OFFSETS]
    + ["p_c1", "p_c2", "p_c3", "p_main50", "p_win5_max", "p_win5_mean", "p_page_mean", "p_rank"]
    + ["in_p_span", "p_span_dist", "p_span_share", "in_p_main", "p_main_gap"]
)

#: The block model's feature layout, with every constant that changes a column.
BLOCK_SCHEMA = FeatureSchema(
    "blocks",
    tuple(BLOCK_FEATURES),
    tuple(CONTEXT_FEATURES),
    {
        **TEXT_STATS_PARAMS,
        "good_min_chars": GOOD_MIN_CHARS,
        "good_max_link_density": GOOD_MAX_LINK_DENSITY,
        "owner_tags": _OWNER_TAGS,
        "class_groups": CLASS_GROUPS,
        "tag_groups": TAG_GROUPS,
        "skip_tags": SKIP_TAGS,
        "block_tags": BLOCK_TAGS,
        "noscript_fallback_chars": NOSCRIPT_FALLBACK_CHARS,
        "ld_article_types": ARTICLE_TYPES.pattern,
    },
)


class _Pairs:
    """Every (block, enclosing container) pair of a page, flattened for bincount."""

    __slots__ = ("fid", "block", "start", "length", "pos", "n_fid")

    def __init__(self, seg: Segments):
        n = len(seg)
        self.length = np.fromiter(map(len, seg.paths), dtype=np.intp, count=n)
        total = int(self.length.sum())
        self.fid = np.fromiter(chain.from_iterable(seg.paths), dtype=np.intp, count=total)
        self.block = np.repeat(np.arange(n, dtype=np.intp), self.length)
        self.start = np.concatenate(([0], np.cumsum(self.length)[:-1])).astype(np.intp)
        self.pos = np.arange(total, dtype=np.intp) - np.repeat(self.start, self.length)
        self.n_fid = int(self.fid.max()) + 1 if total else 1

    @classmethod
    def of(cls, seg: Segments) -> _Pairs:
        """The pairs of ``seg``, built on first use and kept on it."""
        if seg.pairs is None:
            seg.pairs = cls(seg)
        return seg.pairs

    def sum(self, per_block: np.ndarray) -> np.ndarray:
        """Per container: the sum of ``per_block`` over the blocks inside it."""
        return np.bincount(self.fid, weights=per_block[self.block], minlength=self.n_fid)

    def up(self, k: int) -> np.ndarray:
        """Per block: the container ``k`` levels above the block's own element
        (``k=1`` its parent); the outermost container when the path is shorter."""
        return self.fid[self.start + np.maximum(self.length - 1 - k, 0)]

    def deepest_with(self, mask_fid: np.ndarray) -> tuple[int, int]:
        """The deepest container for which ``mask_fid`` holds, and its depth; (-1, 0) if none."""
        hit = mask_fid[self.fid]
        if not hit.any():
            return -1, 0
        j = int(np.argmax(np.where(hit, self.pos, -1)))
        return int(self.fid[j]), int(self.pos[j])

    def contains(self, fid: int) -> np.ndarray:
        """Per block: is container ``fid`` among its ancestors?"""
        out = np.zeros(len(self.length), dtype=bool)
        out[self.block[self.fid == fid]] = True
        return out


def _bits(masks: list[int], width: int) -> np.ndarray:
    arr = np.asarray(masks, dtype=np.int64)
    return ((arr[:, None] >> np.arange(width, dtype=np.int64)) & 1).astype(np.float32)


def block_features(seg: Segments, hints: PageHints | None = None) -> np.ndarray:
    """The first-stage feature matrix, one row per block (columns: ``BLOCK_FEATURES``)."""
    hints = hints or PageHints()
    if len(seg) == 0:
        return np.zeros((0, len(BLOCK_FEATURES)), dtype=np.float32)
    page = _page_blocks(seg, hints.title)
    return np.hstack(
        [
            _text_columns(seg, page),
            _position_columns(seg, page),
            _container_columns(seg, page),
            _neighbour_columns(page),
            _page_columns(page, hints),
            *_group_bit_columns(seg),
            page.voice,
        ]
    ).astype(np.float32, copy=False)


class _PageBlocks(NamedTuple):
    """Per-block arrays that several column groups read, and the page's totals."""

    n: int
    stats: np.ndarray  # ``text_stats``
    voice: np.ndarray  # ``voice_stats``
    n_chars: np.ndarray
    log_chars: np.ndarray
    link: np.ndarray  # characters inside links
    link_density: np.ndarray
    good: np.ndarray  # paragraph-like (``GOOD_MIN_CHARS``, ``GOOD_MAX_LINK_DENSITY``)
    good_chars: np.ndarray  # the block's characters when good, else 0
    kinds: np.ndarray  # ``Kind`` codes
    total_chars: float  # at least 1
    total_good: float


def _page_blocks(seg: Segments, title: str | None) -> _PageBlocks:
    n = len(seg)
    title_tokens = frozenset(w.lower() for w in _WORD.findall(title)) if title else frozenset()
    chars = Chars.of(seg.texts)
    stats = text_stats(seg.texts, title_tokens, chars)
    n_chars = np.fromiter((len(t) for t in seg.texts), dtype=np.float32, count=n)
    link = np.asarray(seg.link_chars, dtype=np.float32)
    ld = link / np.maximum(n_chars, 1)
    good = (n_chars >= GOOD_MIN_CHARS) & (ld <= GOOD_MAX_LINK_DENSITY)
    good_chars = np.where(good, n_chars, 0.0)
    return _PageBlocks(
        n=n,
        stats=stats,
        voice=voice_stats(chars, stat_columns(stats, "words")),
        n_chars=n_chars,
        log_chars=np.log1p(n_chars),
        link=link,
        link_density=ld,
        good=good,
        good_chars=good_chars,
        kinds=np.fromiter((_KIND_CODES[k] for k in seg.kinds), dtype=np.float32, count=n),
        total_chars=float(n_chars.sum()) or 1.0,
        total_good=float(good_chars.sum()),
    )


def _text_columns(seg: Segments, page: _PageBlocks) -> np.ndarray:
    """``_TEXT_FEATURES``: what the block is."""
    ld = page.link_density
    return np.column_stack(
        [
            page.log_chars,
            np.log1p(stat_columns(page.stats, "words")),
            ld,
            (ld >= 0.9).astype(np.float32),
            np.asarray(seg.n_links, dtype=np.float32),
            stat_columns(page.stats, *_OWN_STATS),
            page.kinds,
            np.asarray(seg.levels, dtype=np.float32),
            np.fromiter((_OWNER_CODE.get(t, len(_OWNER_TAGS)) for t in seg.owner_tag), dtype=np.float32, count=page.n),
            stat_columns(page.stats, *_PAGE_STATS),
        ]
    )


def _position_columns(seg: Segments, page: _PageBlocks) -> np.ndarray:
    """``_POS_FEATURES``: where the block sits in the reading order and the tree."""
    n = page.n
    depth = np.asarray(seg.depth, dtype=np.float32)
    cum = np.cumsum(page.n_chars) - page.n_chars
    return np.column_stack(
        [np.arange(n) / max(n - 1, 1), cum / page.total_chars, depth, depth / max(float(depth.max()), 1.0)]
    )


def _container_columns(seg: Segments, page: _PageBlocks) -> np.ndarray:
    """``_CONTAINER_FEATURES``: the block-level ancestors' text, link density
    and good text; the page's main text container; repeated containers; and
    the block's place against the headline."""
    n = page.n
    pairs = _Pairs.of(seg)
    agg_chars = pairs.sum(page.n_chars)
    agg_link = pairs.sum(page.link)
    agg_good = pairs.sum(page.good_chars)
    agg_blocks = pairs.sum(np.ones(n))
    agg_goodn = pairs.sum(page.good.astype(np.float64))
    total_chars, total_good = page.total_chars, page.total_good
    if total_good > 0:
        main50, main50_depth = pairs.deepest_with(agg_good >= 0.5 * total_good)
        main80, _ = pairs.deepest_with(agg_good >= 0.8 * total_good)
    else:
        main50, main50_depth, main80 = -1, 0, -1
    tg = total_good or 1.0
    cols = []
    for k in (1, 2, 3):
        fid = pairs.up(k)
        ch = agg_chars[fid]
        cols += [
            ch / total_chars,
            agg_good[fid] / tg,
            agg_link[fid] / np.maximum(ch, 1.0),
            np.log1p(agg_blocks[fid]),
            agg_goodn[fid] / agg_blocks[fid],
        ]
    in50 = pairs.contains(main50) if main50 >= 0 else np.zeros(n, dtype=bool)
    gap = pairs.length - 1 - main50_depth
    cols += [
        in50,
        pairs.contains(main80) if main80 >= 0 else np.zeros(n, dtype=bool),
        np.full(n, (agg_chars[main50] / total_chars) if main50 >= 0 else 0.0),
        np.where(in50, gap, -(np.abs(gap) + 1)),
        np.maximum.reduce([agg_good[pairs.up(k)] for k in (1, 2, 3)]) / tg,
    ]
    sib = np.asarray(seg.sibling_repeats, dtype=np.float32)
    pag = np.asarray(seg.page_repeats, dtype=np.float32)
    cols += [np.log1p(arr[pairs.up(k)]) for arr in (sib, pag) for k in (0, 1, 2, 3)]
    return np.column_stack(cols + _headline_columns(seg, page)).astype(np.float32)


def _headline_columns(seg: Segments, page: _PageBlocks) -> list[np.ndarray]:
    """``has_headline``, ``after_headline``, ``blocks_from_headline``. The
    headline: the first heading sharing half its words with the page title,
    else the first ``<h1>``."""
    n = page.n
    overlap = stat_columns(page.stats, "title_overlap")
    levels = np.asarray(seg.levels)
    heads = np.flatnonzero((levels > 0) & (overlap >= 0.5))
    if not heads.size:
        heads = np.flatnonzero(levels == 1)
    if not heads.size:
        return [np.zeros(n), np.zeros(n), np.zeros(n)]
    h = int(heads[0])
    return [np.ones(n), (np.arange(n) > h).astype(np.float32), np.clip(np.arange(n) - h, -50, 200)]


def _neighbour_columns(page: _PageBlocks) -> np.ndarray:
    """``_NEIGHBOUR_FEATURES``: the blocks around, and the nearest good ones."""
    n = page.n
    arrays = (page.log_chars, page.link_density, page.good.astype(np.float32))
    cols = [shift(arr, step * d, -1.0) for step in (1, -1) for d in (1, 2) for arr in arrays]
    idx = np.arange(n)
    good_idx = np.flatnonzero(page.good)
    if good_idx.size:
        pos = np.searchsorted(good_idx, idx)
        prev_g = np.where(pos > 0, idx - good_idx[np.maximum(pos - 1, 0)], 50)
        pos_r = np.searchsorted(good_idx, idx, side="right")
        next_g = np.where(pos_r < good_idx.size, good_idx[np.minimum(pos_r, good_idx.size - 1)] - idx, 50)
    else:
        prev_g = next_g = np.full(n, 50)
    is_heading = (page.kinds == _KIND_CODES[Kind.HEADING]).astype(np.float32)
    return np.column_stack(cols + [np.minimum(prev_g, 50), np.minimum(next_g, 50), shift(is_heading, -1, 0.0)])


def _page_columns(page: _PageBlocks, hints: PageHints) -> np.ndarray:
    """``_PAGE_FEATURES``: the same for every block of the page."""
    total_chars = page.total_chars
    row = [
        np.log1p(page.n),
        np.log1p(total_chars),
        float(page.link.sum()) / total_chars,
        page.total_good / total_chars,
        hints.og_article,
        hints.ld_article,
        min(hints.n_article_tags, 50),
        min(hints.n_h1, 20),
        min(hints.url_slug_words, 30),
        hints.url_has_date,
    ]
    return np.tile(np.array(row, dtype=np.float32), (page.n, 1))


def _group_bit_columns(seg: Segments) -> list[np.ndarray]:
    """The class groups (``CLASS_GROUPS``) of the block's ancestors, of its
    element and two parents, and of its owner; the tag groups of its
    ancestors and of its element and two parents: one 0/1 column each."""
    ng = len(CLASS_GROUP_NAMES)
    nt = len(TAG_GROUP_NAMES)
    return [
        _bits(seg.anc_cls, ng),
        _bits(seg.near_cls, ng),
        _bits(seg.own_cls, ng),
        _bits(seg.anc_tag, nt),
        _bits(seg.near_tag, nt),
    ]


def context_features(seg: Segments, base: np.ndarray, p1: np.ndarray) -> np.ndarray:
    """The second-stage matrix: ``base`` plus the first stage's scores around each block."""
    n = len(seg)
    if n == 0:
        return np.zeros((0, base.shape[1] + len(CONTEXT_FEATURES)), dtype=np.float32)
    w = np.fromiter((len(t) for t in seg.texts), dtype=np.float64, count=n)
    shifts, window, span = sequence_context(p1, w)
    wp = w * p1
    pairs = _Pairs.of(seg)
    sum_w = pairs.sum(w)
    sum_wp = pairs.sum(wp)
    cont = np.column_stack([sum_wp[f] / np.maximum(sum_w[f], 1.0) for f in (pairs.up(k) for k in (1, 2, 3))])
    # the deepest container holding half of the scored text
    total_wp = float(wp.sum())
    if total_wp > 0:
        p_main, p_main_depth = pairs.deepest_with(sum_wp >= 0.5 * total_wp)
        in_p_main = pairs.contains(p_main)
        p_gap = np.where(in_p_main, pairs.length - 1 - p_main_depth, -1)
    else:
        p_main = -1.0
        in_p_main = np.zeros(n, dtype=bool)
        p_gap = np.full(n, -1)
    # KNOWN BUG, kept because the block model is trained on it: the "p_main50"
    # column was meant to be the mean stage-1 score inside the main50
    # container, but holds the id of the p-main container found above (a
    # shadowed variable). Fixing it and retraining was measured (2026-11-23):
    # cross-validated F1 0.8715 against 0.873 with the bug (scrapinghub 0.939
    # against 0.948); again with blocks-v2's training (2026-11-24): 0.8746
    # against 0.8750. The column stays as trained until a retraining that
    # changes more gains from the fix.
    p_main50_column = np.full(n, p_main, dtype=np.float32)
    extra = np.column_stack(shifts + [cont, p_main50_column] + window + span + [in_p_main, p_gap]).astype(np.float32)
    return np.hstack([base, extra])
