"""What kind of page this is: article, forum, product, listing, documentation,
collection or other, read from the whole page once its blocks are scored.

The page's features summarise its blocks (how much of the text the article
keeps, how much sits in comment threads, lists, tables, code or repeated
containers) beside the page-level hints (``og:type``, JSON-LD, ``<article>``
tags, the URL). One small forest per type scores the page (one against the
rest); the best-scoring type wins. Trained by ``benchmarks/train.py`` on
WCXB's page types (the news datasets count as articles).
"""

from __future__ import annotations

import numpy as np

from .._forest import EnsembleGroup
from ..types import Kind
from .features import BLOCK_FEATURES
from .segment import Segments

__all__ = ["PAGE_FEATURES", "page_features", "predict_page_type"]

#: Page-level hints copied from the block features (equal on every row).
_HINTS = (
    "page_log_blocks", "page_log_chars", "page_link_density", "page_good_share", "og_article", "ld_article",
    "n_article_tags", "n_h1", "url_slug_words", "url_has_date",
)  # fmt: skip
_KIND_SHARES = (Kind.LIST_ITEM, Kind.TABLE_ROW, Kind.CODE, Kind.HEADING, Kind.QUOTE)
PAGE_FEATURES: tuple[str, ...] = (
    *_HINTS,
    "content_share", "content_log_chars", "content_log_blocks", "content_link_density", "content_p_mean",
    "comment_share", "comment_class_share", "list_class_share", "repeated_share", "content_in_repeated",
    *(f"content_{k.value}_share" for k in _KIND_SHARES),
)  # fmt: skip
#: A block in a container with at least this many same-looking siblings
#: (log1p of the count, as the block features store it) is "repeated":
#: forum posts, product tiles, listing cards.
REPEATED_MIN = float(np.log1p(3))

_COL = {name: BLOCK_FEATURES.index(name) for name in (*_HINTS, "cls_anc_comment", "cls_anc_list", "sibling_repeats_c1")}


def page_features(seg: Segments, base: np.ndarray, content: np.ndarray, comment: np.ndarray) -> np.ndarray:
    """One row of ``PAGE_FEATURES`` for a page: its blocks' stage-1 features
    (``base``), content scores and comment scores."""
    n = len(seg)
    if n == 0:
        return np.zeros((1, len(PAGE_FEATURES)), dtype=np.float32)
    chars = np.fromiter(map(len, seg.texts), dtype=np.float64, count=n)
    total = max(float(chars.sum()), 1.0)
    kept = content >= 0.5
    kept_chars = max(float(chars[kept].sum()), 1.0)
    repeated = base[:, _COL["sibling_repeats_c1"]] >= REPEATED_MIN
    links = np.asarray(seg.link_chars, dtype=np.float64)
    kinds = np.array([k.value for k in seg.kinds])
    row = [base[0, _COL[h]] for h in _HINTS] + [
        float((chars * content).sum()) / total,
        np.log1p(float(chars[kept].sum())),
        np.log1p(float(kept.sum())),
        float(links[kept].sum()) / kept_chars,
        float(content.mean()),
        float((chars * comment).sum()) / total,
        float(chars[base[:, _COL["cls_anc_comment"]] > 0].sum()) / total,
        float(chars[base[:, _COL["cls_anc_list"]] > 0].sum()) / total,
        float(chars[repeated].sum()) / total,
        float(chars[kept & repeated].sum()) / kept_chars,
    ]
    row += [float(chars[kept & (kinds == k.value)].sum()) / kept_chars for k in _KIND_SHARES]
    return np.asarray([row], dtype=np.float32)


def predict_page_type(forests: EnsembleGroup | None, features: np.ndarray) -> str | None:
    """The type whose forest scores the page highest (``None`` without forests)."""
    if forests is None:
        return None
    scores = forests.predict(features)[0]
    return forests.names[int(np.argmax(scores))]
