"""``Extractor``: the per-document recipe, with the model loaded once.

    decode -> parse (once) -> segment -> features -> classify -> assemble -> metadata

Every step is a pure function of the page; the Extractor only holds the
configuration and the loaded model, so one instance can serve a whole batch,
a worker process, or an actor of a distributed executor.
"""

from __future__ import annotations

import re

import numpy as np

from .classify import BlockModel, load_model
from .config import Config
from .errors import ExtractionError
from .parse import parse
from .segment import Segments, segment
from .types import Article, Block, Kind, Removed

__all__ = ["Extractor"]

_WORD = re.compile(r"\w+")

#: A heading is taken for the headline when it shares at least this share of
#: its words (Jaccard) with the page's <title>/og:title. Set by hand on the
#: readability and wcxb pages, whose gold carries the title: 0.5 found the
#: shown headline on titles with a " | Site" suffix, lower values picked
#: section headings that repeat one word of it.
TITLE_MATCH_MIN = 0.5
#: Only headings among the first blocks of the page's kept text (or before
#: it) are headline candidates.
TITLE_SEARCH_BLOCKS = 40


class Extractor:
    """Turn pages into ``Article``s; build one and reuse it for a batch."""

    def __init__(self, config: Config | None = None, *, model: BlockModel | None = None):
        self.config = config or Config()
        self.model = model or load_model(self.config.model)
        self.threshold = self.config.threshold if self.config.threshold is not None else self.model.threshold

    # -- steps ------------------------------------------------------------
    def _to_text(self, html: str | bytes, http_charset: str | None) -> tuple[str, str | None]:
        size = len(html)
        if size > self.config.max_input_bytes:
            raise ExtractionError(
                f"input of {size:,} {'bytes' if isinstance(html, bytes) else 'characters'} exceeds "
                f"Config.max_input_bytes ({self.config.max_input_bytes:,})"
            )
        if isinstance(html, (bytes, bytearray, memoryview)):
            from .decode import decode

            return decode(bytes(html), http_charset=http_charset)
        if not isinstance(html, str):
            raise TypeError(f"extract() takes str or bytes, not {type(html).__name__}")
        return html, None

    def extract(self, html: str | bytes, url: str | None = None, *, http_charset: str | None = None) -> Article:
        """Extract the article from one page (``str``, or ``bytes`` in any charset)."""
        text, encoding = self._to_text(html, http_charset)
        article = Article(url=url, encoding=encoding)
        if not text.strip():
            return article
        tree = parse(text)
        page_title = _page_title(tree)
        seg = segment(tree.body, max_nodes=self.config.max_nodes)
        scores = self.model.score(seg, page_title)
        _assemble(article, seg, scores, self.threshold, page_title)
        return article

    def extract_batch(self, pages) -> list[Article]:
        """``extract`` over an iterable of ``(html, url)`` pairs."""
        return [self.extract(html, url) for html, url in pages]


def _page_title(tree) -> str | None:
    """The page's own idea of its title: og:title, else <title>."""
    head = tree.head
    if head is None:
        return None
    for node in head.css('meta[property="og:title"], meta[name="twitter:title"]'):
        v = (node.attributes.get("content") or "").strip()
        if v:
            return " ".join(v.split())
    node = head.css_first("title")
    if node is not None:
        v = " ".join(node.text().split())
        return v or None
    return None


def _jaccard(a: str, b: str) -> float:
    wa = {w.lower() for w in _WORD.findall(a)}
    wb = {w.lower() for w in _WORD.findall(b)}
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


def _find_headline(seg: Segments, keep: np.ndarray, page_title: str | None) -> int:
    """Index of the block that is the article's headline, or -1."""
    kept = np.flatnonzero(keep)
    first_kept = int(kept[0]) if kept.size else len(seg)
    limit = min(len(seg), first_kept + TITLE_SEARCH_BLOCKS)
    best, best_score = -1, 0.0
    for i in range(limit):
        if seg.kinds[i] is not Kind.HEADING:
            continue
        if page_title:
            s = _jaccard(seg.texts[i], page_title)
            # an h1 is the usual headline: prefer it on ties
            s += 0.05 if seg.levels[i] == 1 else 0.0
            if s > best_score:
                best, best_score = i, s
        elif seg.levels[i] == 1:
            return i
    return best if best_score >= TITLE_MATCH_MIN else -1


def _assemble(article: Article, seg: Segments, scores: np.ndarray, threshold: float, page_title: str | None) -> None:
    keep = scores >= threshold
    head = _find_headline(seg, keep, page_title)
    if head >= 0:
        article.title = seg.texts[head]
    elif page_title:
        article.title = page_title
    blocks: list[Block] = []
    removed: list[Removed] = []
    for i, text in enumerate(seg.texts):
        kind = seg.kinds[i]
        score = float(scores[i])
        if i == head:
            removed.append(Removed(kind, text, score, "title"))
        elif keep[i]:
            blocks.append(Block(kind, text, score, seg.levels[i]))
        else:
            removed.append(Removed(kind, text, score, "model"))
    article.blocks = blocks
    article.removed = removed
