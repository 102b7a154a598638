"""``Extractor``: the per-document recipe, with the model loaded once.

    decode -> parse (once) -> segment -> features -> classify -> assemble -> metadata

(``parse.page_nodes`` collects the elements that hints and metadata read, in
one more walk, shared by both.)

Every step is a pure function of the page; the Extractor only holds the
configuration and the loaded model, so one instance can serve a whole batch,
a worker process, or an actor of a distributed executor.
"""

from __future__ import annotations

from datetime import datetime

from ..config import Config
from ..decode import binary_kind, decode
from ..errors import ExtractionError
from ..model import TwoStageModel, load_model
from ..textmeta import clean_headline
from ..types import Article, nfc_article
from .assemble import assemble
from .features import BLOCK_SCHEMA, block_features, context_features
from .hints import page_hints
from .metadata import html_metadata, page_markup, title_clues
from .pagetype import page_features, predict_page_type
from .parse import page_nodes, parse
from .segment import segment_page

__all__ = ["Extractor", "headline"]


def headline(shown: str | None, stated: str | None, page_title: str | None) -> str | None:
    """The article's headline, the one rule whatever ``Config`` says: the
    heading the page shows (the block matched to its title, ``assemble``), else
    the title its markup states without the site's name (``TitleClues.stated``),
    else the page's raw title; never with markup or code in it (``clean_headline``)."""
    return clean_headline(shown) or stated or clean_headline(page_title)


class Extractor:
    """Turn pages into ``Article``s; build one and reuse it for a batch."""

    def __init__(self, config: Config | None = None, *, model: TwoStageModel | None = None):
        self.config = config or Config()
        self.model = model or load_model(self.config.model, BLOCK_SCHEMA)
        cfg = self.config
        self.threshold = cfg.threshold if cfg.threshold is not None else self.model.threshold_for(cfg.favor)

    # -- steps ------------------------------------------------------------
    def _to_text(self, html: str | bytes, http_charset: str | None) -> tuple[str, str | None]:
        is_bytes = isinstance(html, (bytes, bytearray, memoryview))
        if not is_bytes and not isinstance(html, str):
            raise TypeError(f"extract() takes str or bytes, not {type(html).__name__}")
        if len(html) > self.config.max_input_bytes:
            raise ExtractionError(
                f"input of {len(html):,} {'bytes' if is_bytes else 'characters'} exceeds "
                f"Config.max_input_bytes ({self.config.max_input_bytes:,})"
            )
        if is_bytes:
            return decode(bytes(html), http_charset=http_charset)
        return html, None

    def extract(
        self,
        html: str | bytes,
        url: str | None = None,
        *,
        http_charset: str | None = None,
        fetched: datetime | None = None,
    ) -> Article:
        """Extract the article from one page (``str``, or ``bytes`` in any charset).

        ``fetched`` (when the page was crawled) bounds the dates the page may
        state: a later one is an error, not the publication date. Default: now.
        Bytes that are no text at all (compressed data, an image, random bytes)
        give an empty ``Article`` whose ``reason`` says what they are.
        """
        is_bytes = isinstance(html, (bytes, bytearray, memoryview))
        refused = binary_kind(html, http_charset=http_charset) if is_bytes else None
        if refused:
            return Article(url=url, reason=refused)
        text, encoding = self._to_text(html, http_charset)
        article = Article(url=url, encoding=encoding)
        if not text.strip():
            return article
        tree = parse(text)
        nodes = page_nodes(tree)
        hints = page_hints(tree, url, nodes)
        cfg = self.config
        seg = segment_page(tree.body, max_nodes=cfg.max_nodes, max_blocks=cfg.max_blocks, max_chars=cfg.max_text_chars)
        base = block_features(seg, hints)
        scores, stage2 = self.model.score(base, lambda p1: context_features(seg, base, p1))
        # the text-only path (metadata off) skips the thread, unless asked for it
        comments = (
            self.model.comment_scores(stage2, scores, self.threshold, in_text=cfg.comments)
            if cfg.metadata or cfg.comments
            else None
        )
        markup = page_markup(nodes)
        clues = title_clues(nodes, url, markup)
        head = assemble(article, seg, scores, self.threshold, clues, comments)
        if cfg.metadata:  # the page type is metadata too (and ``comments`` was computed)
            if self.model.page_types is not None and comments is not None:
                summary = page_features(seg, base, scores, comments.scores)
                article.page_type = predict_page_type(self.model.page_types, summary)
            meta = html_metadata(
                tree,
                url,
                texts=seg.texts,
                headline=head,
                body=article.text,
                latest=fetched,
                nodes=nodes,
                markup=markup,
                clues=clues,
            )
            meta.title = None
            meta.apply_to(article)
        article.title = headline(article.title, clues.stated, hints.title)
        return nfc_article(article)

    def extract_batch(self, pages) -> list[Article]:
        """``extract`` over an iterable of ``(html, url)`` pairs."""
        return [self.extract(html, url) for html, url in pages]
