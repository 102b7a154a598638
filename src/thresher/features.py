"""Block -> feature row, computed once per page into a NumPy matrix.

Two feature sets feed two classifier stages (see ``classify.py``):

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

Nothing here is language-specific beyond the function-word table, which spans
many languages at once; CJK text is measured in characters.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import chain

import numpy as np

from ._stopwords import CJK_FUNCTION_CHARS, STOPWORDS
from .segment import CLASS_GROUP_NAMES, TAG_GROUP_NAMES, Segments
from .types import Kind

__all__ = ["block_features", "context_features", "BLOCK_FEATURES", "CONTEXT_FEATURES", "GOOD_MIN_CHARS", "GOOD_MAX_LINK_DENSITY"]

_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_SENT_END = re.compile(r"[.!?。！？…]")
_COMMA = re.compile(r"[,;:，、；：]")
_SEPARATORS = re.compile(r"[|•·»«›‹/>]")
_DIGIT = re.compile(r"\d")
_DATEISH = re.compile(r"\b(?:19|20)\d\d\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\d{1,2}:\d\d")
_COPYRIGHT = re.compile(r"©|\(c\)|copyright|all rights reserved|alle rechte|tous droits", re.I)

#: A block counts as "good" (paragraph-like) for container statistics when it
#: has at least this many characters and at most this link density. These are
#: the usual jusText-style cut-offs; the model learns the rest, so the exact
#: values matter little (tried 50/0.3 and 100/0.2: within 0.002 F1 in CV).
GOOD_MIN_CHARS = 80
GOOD_MAX_LINK_DENSITY = 0.25

_KIND_CODES = {k: i for i, k in enumerate(Kind)}
_OWNER_TAGS = ("p", "div", "li", "td", "h1", "h2", "h3", "span", "section", "article", "dd", "blockquote", "pre", "figcaption", "header", "footer")
_OWNER_CODE = {t: i for i, t in enumerate(_OWNER_TAGS)}

_TEXT_FEATURES = [
    "log_chars", "log_words", "link_density", "all_link", "n_links", "sent_end_per_word", "comma_per_word",
    "ends_with_punct", "stopword_ratio", "avg_word_len", "capitalised_ratio", "digit_ratio", "separator_ratio",
    "dateish", "copyright", "cjk_ratio", "kind", "level", "owner_tag", "repeats_on_page", "title_overlap",
    "starts_lower",
]  # fmt: skip
_POS_FEATURES = ["rel_index", "rel_char_pos", "depth", "rel_depth"]
_CONTAINER_FEATURES = [
    f"{name}_{lvl}"
    for lvl in ("c1", "c2", "c3")
    for name in ("share", "good_share", "link_density", "log_blocks", "good_frac")
] + ["in_main50", "in_main80", "main50_share", "main_depth_gap", "best_anc_good_share"]
_NEIGHBOUR_FEATURES = [
    f"{side}{d}_{name}" for side in ("prev", "next") for d in (1, 2) for name in ("log_chars", "link_density", "good")
] + ["dist_prev_good", "dist_next_good", "next_is_heading"]
_PAGE_FEATURES = ["page_log_blocks", "page_log_chars", "page_link_density", "page_good_share"]

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
)

_CTX_OFFSETS = (-3, -2, -1, 1, 2, 3)
CONTEXT_FEATURES: list[str] = (
    [f"p_{'m' if o < 0 else 'p'}{abs(o)}" for o in _CTX_OFFSETS]
    + ["p_c1", "p_c2", "p_c3", "p_main50", "p_win5_max", "p_win5_mean", "p_page_mean", "p_rank"]
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


def _text_stats(texts: list[str], title_tokens: frozenset[str]) -> np.ndarray:
    counts = Counter(texts)
    rows = []
    stop = STOPWORDS
    cjk_fn = CJK_FUNCTION_CHARS
    for text in texts:
        words = _WORD.findall(text)
        n_words = len(words)
        n_chars = len(text)
        cjk = len(_CJK.findall(text)) if not text.isascii() else 0
        if cjk > n_chars * 0.3:
            # no spaces: measure by characters
            unit = max(cjk, 1)
            stop_ratio = sum(1 for ch in text if ch in cjk_fn) / unit
            avg_len = 1.0
            cap = 0.0
            eff_words = max(n_words, cjk // 2)
        else:
            lw = [w.lower() for w in words]
            stop_ratio = (sum(1 for w in lw if w in stop) / n_words) if n_words else 0.0
            avg_len = (sum(map(len, words)) / n_words) if n_words else 0.0
            cap = (sum(1 for w in words if w[0].isupper()) / n_words) if n_words else 0.0
            eff_words = n_words
        denom = max(eff_words, 1)
        last = text.rstrip()[-1:] if text else ""
        if title_tokens and n_words:
            tw = {w.lower() for w in words}
            overlap = len(tw & title_tokens) / len(tw | title_tokens)
        else:
            overlap = 0.0
        first = text.lstrip()[:1]
        rows.append(
            (
                len(_SENT_END.findall(text)) / denom,
                len(_COMMA.findall(text)) / denom,
                1.0 if last in ".!?。！？\"'”»)…:" else 0.0,
                stop_ratio,
                avg_len,
                cap,
                len(_DIGIT.findall(text)) / max(n_chars, 1),
                len(_SEPARATORS.findall(text)) / denom,
                1.0 if _DATEISH.search(text) else 0.0,
                1.0 if _COPYRIGHT.search(text) else 0.0,
                cjk / max(n_chars, 1),
                float(counts[text] - 1),
                overlap,
                1.0 if first.islower() else 0.0,
                float(eff_words),
            )
        )
    return np.asarray(rows, dtype=np.float32).reshape(len(texts), 15)


def block_features(seg: Segments, title: str | None = None) -> np.ndarray:
    """The first-stage feature matrix, one row per block (columns: ``BLOCK_FEATURES``)."""
    n = len(seg)
    if n == 0:
        return np.zeros((0, len(BLOCK_FEATURES)), dtype=np.float32)
    title_tokens = frozenset(w.lower() for w in _WORD.findall(title)) if title else frozenset()
    stats = _text_stats(seg.texts, title_tokens)
    n_chars = np.fromiter((len(t) for t in seg.texts), dtype=np.float32, count=n)
    link = np.asarray(seg.link_chars, dtype=np.float32)
    ld = link / np.maximum(n_chars, 1)
    words = stats[:, 14]
    good = (n_chars >= GOOD_MIN_CHARS) & (ld <= GOOD_MAX_LINK_DENSITY)
    total_chars = float(n_chars.sum()) or 1.0
    good_chars_arr = np.where(good, n_chars, 0.0)
    total_good = float(good_chars_arr.sum())

    # --- container statistics over the block-level ancestors
    pairs = _Pairs(seg)
    agg_chars = pairs.sum(n_chars)
    agg_link = pairs.sum(link)
    agg_good = pairs.sum(good_chars_arr)
    agg_blocks = pairs.sum(np.ones(n))
    agg_goodn = pairs.sum(good.astype(np.float64))
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
    best_anc = np.maximum.reduce([agg_good[pairs.up(k)] for k in (1, 2, 3)]) / tg
    cont = np.column_stack(
        cols
        + [
            in50,
            pairs.contains(main80) if main80 >= 0 else np.zeros(n, dtype=bool),
            np.full(n, (agg_chars[main50] / total_chars) if main50 >= 0 else 0.0),
            np.where(in50, gap, -(np.abs(gap) + 1)),
            best_anc,
        ]
    ).astype(np.float32)

    # --- neighbours
    logc = np.log1p(n_chars)
    neigh = np.zeros((n, len(_NEIGHBOUR_FEATURES)), dtype=np.float32)
    col = 0
    for sign in (-1, 1):
        for d in (1, 2):
            for arr, pad in ((logc, -1.0), (ld, -1.0), (good.astype(np.float32), -1.0)):
                shifted = np.full(n, pad, dtype=np.float32)
                if sign < 0:
                    shifted[d:] = arr[:-d] if d < n else shifted[d:]
                else:
                    shifted[:-d] = arr[d:] if d < n else shifted[:-d]
                neigh[:, col] = shifted
                col += 1
    idx = np.arange(n)
    good_idx = np.flatnonzero(good)
    if good_idx.size:
        pos = np.searchsorted(good_idx, idx)
        prev_g = np.where(pos > 0, idx - good_idx[np.maximum(pos - 1, 0)], 50)
        pos_r = np.searchsorted(good_idx, idx, side="right")
        next_g = np.where(pos_r < good_idx.size, good_idx[np.minimum(pos_r, good_idx.size - 1)] - idx, 50)
    else:
        prev_g = next_g = np.full(n, 50)
    neigh[:, col] = np.minimum(prev_g, 50)
    neigh[:, col + 1] = np.minimum(next_g, 50)
    kinds = np.fromiter((_KIND_CODES[k] for k in seg.kinds), dtype=np.float32, count=n)
    is_heading = kinds == _KIND_CODES[Kind.HEADING]
    neigh[:-1, col + 2] = is_heading[1:]

    # --- assemble
    depth = np.asarray(seg.depth, dtype=np.float32)
    cum = np.cumsum(n_chars) - n_chars
    text_cols = np.column_stack(
        [
            logc,
            np.log1p(words),
            ld,
            (ld >= 0.9).astype(np.float32),
            np.asarray(seg.n_links, dtype=np.float32),
            stats[:, 0:11],
            kinds,
            np.asarray(seg.levels, dtype=np.float32),
            np.fromiter((_OWNER_CODE.get(t, len(_OWNER_TAGS)) for t in seg.owner_tag), dtype=np.float32, count=n),
            stats[:, 11:14],
        ]
    )
    pos_cols = np.column_stack([idx / max(n - 1, 1), cum / total_chars, depth, depth / max(float(depth.max()), 1.0)])
    page_cols = np.tile(
        np.array(
            [np.log1p(n), np.log1p(total_chars), float(link.sum()) / total_chars, total_good / total_chars],
            dtype=np.float32,
        ),
        (n, 1),
    )
    ng = len(CLASS_GROUP_NAMES)
    nt = len(TAG_GROUP_NAMES)
    return np.hstack(
        [
            text_cols,
            pos_cols,
            cont,
            neigh,
            page_cols,
            _bits(seg.anc_cls, ng),
            _bits(seg.near_cls, ng),
            _bits(seg.own_cls, ng),
            _bits(seg.anc_tag, nt),
            _bits(seg.near_tag, nt),
        ]
    ).astype(np.float32, copy=False)


def context_features(seg: Segments, base: np.ndarray, p1: np.ndarray) -> np.ndarray:
    """The second-stage matrix: ``base`` plus the first stage's scores around each block."""
    n = len(seg)
    if n == 0:
        return np.zeros((0, base.shape[1] + len(CONTEXT_FEATURES)), dtype=np.float32)
    cols = []
    for o in _CTX_OFFSETS:
        s = np.full(n, -1.0, dtype=np.float32)
        if o < 0 and -o < n:
            s[-o:] = p1[:o]
        elif o > 0 and o < n:
            s[:-o] = p1[o:]
        cols.append(s)
    w = np.fromiter((len(t) for t in seg.texts), dtype=np.float64, count=n)
    wp = w * p1
    pairs = _Pairs(seg)
    sum_w = pairs.sum(w)
    sum_wp = pairs.sum(wp)
    cont = np.column_stack([sum_wp[f] / np.maximum(sum_w[f], 1.0) for f in (pairs.up(k) for k in (1, 2, 3))])
    in_main = base[:, BLOCK_FEATURES.index("in_main50")]
    main_mask = in_main > 0
    p_main = float((wp[main_mask]).sum() / max(w[main_mask].sum(), 1.0)) if main_mask.any() else -1.0
    pad = np.pad(p1, 2, constant_values=0.0)
    win = np.lib.stride_tricks.sliding_window_view(pad, 5)
    order = np.argsort(np.argsort(-p1, kind="stable"), kind="stable")
    extra = np.column_stack(
        cols
        + [
            cont,
            np.full(n, p_main, dtype=np.float32),
            win.max(axis=1),
            win.mean(axis=1),
            np.full(n, float(p1.mean()), dtype=np.float32),
            order / max(n - 1, 1),
        ]
    ).astype(np.float32)
    return np.hstack([base, extra])
