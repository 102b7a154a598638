"""Gold labels for training and measuring: how much of each block (or dump
line) the gold text holds, how much each block weighs, and which site a page
belongs to (the unit that cross-validation keeps on one side).

Shared by ``train.py`` (labels to learn), ``render.py`` (labels of dump
lines) and the benchmarks, so that all of them label a page the same way.
"""

from __future__ import annotations

import re

import numpy as np

from benchmarks.corpus import Page
from thresher.textmeta import site_of as url_site
from thresher.textstats import word_ngrams

__all__ = [
    "ARTICLE_DATASETS",
    "LABEL_MIN_MATCH",
    "block_weights",
    "comment_labels",
    "label_blocks",
    "page_type_label",
    "site_of",
]

#: Share of a block's 3-grams that must be in the gold for it to count as content.
LABEL_MIN_MATCH = 0.5
_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def label_blocks(texts: list[str], gold: str) -> np.ndarray:
    """Share of each block found in ``gold`` (0..1), as described in the module docstring."""
    gold_tokens = [t.lower() for t in _WORD.findall(gold)]
    gold3 = set(word_ngrams(gold_tokens, 3))
    gold_lines = {" ".join(_WORD.findall(line.lower())) for line in gold.splitlines()}
    gold_chars = None
    out = np.zeros(len(texts), dtype=np.float32)
    for i, text in enumerate(texts):
        toks = [t.lower() for t in _WORD.findall(text)]
        cjk = len(_CJK.findall(text))
        if cjk > 0.3 * len(text):
            if gold_chars is None:
                g = "".join(gold.split())
                gold_chars = {g[j : j + 3] for j in range(len(g) - 2)}
            t = "".join(text.split())
            grams = [t[j : j + 3] for j in range(len(t) - 2)]
            out[i] = (sum(1 for x in grams if x in gold_chars) / len(grams)) if grams else float(t in gold)
        elif len(toks) >= 3:
            grams = word_ngrams(toks, 3)
            out[i] = sum(1 for g in grams if g in gold3) / len(grams)
        elif toks:
            out[i] = 1.0 if " ".join(toks) in gold_lines else 0.0
    return out


def comment_labels(texts: list[str], content: np.ndarray, comments: str | None) -> np.ndarray:
    """Share of each block found in the page's reader comments (``extra.comments``,
    labelled on news and blog pages), 0 for blocks that are article content."""
    if not comments:
        return np.zeros(len(texts), dtype=np.float32)
    return np.where(content >= LABEL_MIN_MATCH, 0.0, label_blocks(texts, comments)).astype(np.float32)


def block_weights(texts: list[str]) -> np.ndarray:
    """Weights ~ sqrt(words), normalised so every page weighs the same in total
    (the benchmark averages F1 over pages, and token-F1 counts words)."""
    w = np.sqrt(np.fromiter((len(_WORD.findall(t)) + 1 for t in texts), dtype=np.float64, count=len(texts)))
    return w * (100.0 / w.sum()) if w.size else w


def site_of(page: Page) -> str:
    """The page's site: the dataset's ``domain``, else the host of its URL (as
    ``thresher`` keys sites), else the page's id (a site of its own)."""
    domain = page.extra.get("domain")
    if domain:
        return domain.lower().removeprefix("www.")
    return url_site(page.url) or page.id


#: Datasets whose every page is an article (their gold is one article).
ARTICLE_DATASETS = ("scrapinghub", "dragnet_train")
#: WCXB's types as ``PAGE_TYPES`` names them ("service" pages are "other").
PAGE_TYPE_NAMES = {"service": "other"}


def page_type_label(page: Page) -> str | None:
    """The page's type as ``thresher.types.PAGE_TYPES`` names them, or ``None`` when unlabelled."""
    if page.dataset in ARTICLE_DATASETS:
        return "article"
    label = page.extra.get("page_type")
    return PAGE_TYPE_NAMES.get(label, label) if label else None
