"""Clean plain-text dumps of web pages: the same Article as ``extract``, from text.

    normalise -> split lines -> features (+ site memory) -> classify (two stages) -> assemble

Site memory: when several dumps of one site are cleaned together, a line that
recurs across them is strong evidence of chrome (navigation rows, banners,
copyright notices). Recurrence alone never removes a line the model is
confident is article text (``SITE_MEMORY_KEEP_SCORE``): cross-page template
removal is known to eat real text (a standard dateline, a recurring sign-off).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import numpy as np

from ..config import Config
from ..decode import decode
from ..model import TwoStageModel, load_model
from ..textmeta import detect_language, is_labelled_date_line, site_of, text_metadata
from ..types import Article, Block, Kind, Removed, nfc_article
from .lines import (
    LINE_SCHEMA,
    LONG_LINE_CHARS,
    Lines,
    is_bullet,
    line_context_features,
    line_features,
    split_lines,
)

__all__ = ["assemble", "SITE_MEMORY_KEEP_SCORE", "SITE_MEMORY_MIN_PAGES", "SITE_MEMORY_MIN_SHARE", "TextCleaner"]

#: A line counts as recurring when it appears in at least this many of the
#: site's dumps...
SITE_MEMORY_MIN_PAGES = 2
#: ...and in at least this share of them (so two near-identical reprints among
#: fifty pages do not turn each other's text into chrome).
SITE_MEMORY_MIN_SHARE = 0.3
#: A recurring line is dropped unless the model scores it at least this high.
#: Set by hand, not tuned (the dev pages hold too few pages per site to
#: measure site memory): high enough that recurrence decides the uncertain
#: lines, low enough that prose the model is sure of is never dropped.
SITE_MEMORY_KEEP_SCORE = 0.85
#: A heading-like line (no sentence punctuation at its end, at most this many
#: words) above the body can be the headline...
TITLE_MAX_WORDS = 30
#: ...looking from the top of the dump down to this many lines past the first
#: kept line (a kept headline is itself the first kept line).
TITLE_AFTER_BODY_START = 2

_WORD = re.compile(r"\w+")
# characters that end a sentence or a clause: a line ending in one is not a heading
_SENTENCE_END = '.!?。！？:;,…"”'


def _heading_like(text: str) -> bool:
    words = len(_WORD.findall(text))
    return (
        2 <= words <= TITLE_MAX_WORDS
        and text.rstrip()[-1:] not in _SENTENCE_END + "|"
        and not is_labelled_date_line(text)
        and not text.lstrip().startswith(("[", "(", "<", "©", "|", "•", "-"))
        and not text.isupper()
    )


def _headline(lines: Lines, scores: np.ndarray, keep: np.ndarray) -> int:
    """The headline: among the heading-like lines from the top of the dump to
    just after the first kept line, the one the model scores highest; it must
    stand above longer prose. -1 when there is none."""
    kept = np.flatnonzero(keep)
    if not kept.size:
        return -1
    first = int(kept[0])
    # best-scored first (the earlier line on a tie): the first heading-like one wins
    order = np.argsort(-scores[: first + TITLE_AFTER_BODY_START], kind="stable").tolist()
    best = next((i for i in order if _heading_like(lines.texts[i])), -1)
    if best < 0:
        return -1
    body = kept[kept > best]
    return best if body.size and len(lines.texts[body[0]]) > 2 * len(lines.texts[best]) else -1


def _kind_of(text: str, prev_blank: bool, next_blank: bool) -> Kind:
    if len(text) < 80 and text.rstrip()[-1:] not in _SENTENCE_END and prev_blank and next_blank and text[:1].isupper():
        return Kind.HEADING
    if is_bullet(text):
        return Kind.LIST_ITEM
    return Kind.PARAGRAPH


class TextCleaner:
    """Clean text dumps; build one and reuse it (the line model loads once)."""

    def __init__(self, config: Config | None = None, *, model: TwoStageModel | None = None):
        self.config = config or Config()
        self.model = model or load_model(self.config.line_model, LINE_SCHEMA)
        cfg = self.config
        self.threshold = cfg.line_threshold if cfg.line_threshold is not None else self.model.threshold_for(cfg.favor)

    def scores(self, lines: Lines) -> np.ndarray:
        """Stage-2 probability that each line is article text."""
        base = line_features(lines)
        return self.model.score(base, lambda p1: line_context_features(base, p1))

    def clean(self, text: str | bytes, url: str | None = None) -> Article:
        """Clean one dump (``bytes`` are decoded first)."""
        return self._clean_site([_to_text(text)], [url])[0]

    def clean_many(
        self, texts: Iterable[str | bytes], *, urls: Iterable[str | None] | None = None, site: str | None = None
    ) -> list[Article]:
        """Clean many dumps, with site memory within each site.

        Dumps are grouped by ``site`` when given (all of them are one site),
        else by the host of their URL; dumps with neither are cleaned alone."""
        texts = [_to_text(t) for t in texts]
        urls = list(urls) if urls is not None else [None] * len(texts)
        if len(urls) != len(texts):
            raise ValueError("texts and urls differ in length")
        groups: dict[object, list[int]] = {}
        for i, u in enumerate(urls):
            key = site if site is not None else site_of(u)
            groups.setdefault(key if key is not None else ("alone", i), []).append(i)
        out: list[Article] = [Article()] * len(texts)
        for members in groups.values():
            for i, art in zip(members, self._clean_site([texts[i] for i in members], [urls[i] for i in members])):
                out[i] = art
        return out

    def _clean_site(self, texts: list[str], urls: list[str | None]) -> list[Article]:
        """Clean dumps of one site together (site memory from two dumps on)."""
        all_lines = [split_lines(t) for t in texts]
        share = _recurrence(all_lines) if len(texts) >= SITE_MEMORY_MIN_PAGES else None
        return [
            nfc_article(
                assemble(
                    Article(url=urls[k]),
                    lines,
                    self.scores(lines),
                    self.threshold,
                    share[k] if share is not None else None,
                )
            )
            for k, lines in enumerate(all_lines)
        ]


def _to_text(text: str | bytes) -> str:
    if isinstance(text, (bytes, bytearray, memoryview)):
        return decode(bytes(text))[0]
    if not isinstance(text, str):
        raise TypeError(f"clean_text() takes str or bytes, not {type(text).__name__}")
    return text


def _recurrence(all_lines: list[Lines]) -> list[np.ndarray]:
    """Per dump and line: the share of the *other* dumps that hold the same line."""
    n = len(all_lines)
    df = Counter()
    for lines in all_lines:
        df.update(set(lines.texts))
    out = []
    for lines in all_lines:
        counts = np.fromiter((df[t] - 1 for t in lines.texts), dtype=np.float32, count=len(lines))
        recurring = (counts + 1 >= SITE_MEMORY_MIN_PAGES) & ((counts + 1) / n >= SITE_MEMORY_MIN_SHARE)
        out.append(np.where(recurring, counts / max(n - 1, 1), 0.0).astype(np.float32))
    return out


def assemble(
    article: Article, lines: Lines, scores: np.ndarray, threshold: float, recurrence: np.ndarray | None
) -> Article:
    keep = scores >= threshold
    reasons: dict[int, str] = {}
    texts = lines.texts
    for i in np.flatnonzero(keep).tolist():
        if is_labelled_date_line(texts[i]):
            keep[i] = False
            reasons[i] = "date"
    if recurrence is not None:
        for i in np.flatnonzero(keep & (recurrence > 0) & (scores < SITE_MEMORY_KEEP_SCORE)).tolist():
            keep[i] = False
            reasons[i] = "recurring"
    head = _headline(lines, scores, keep)
    if head >= 0:
        article.title = lines.texts[head]
        keep[head] = False
        reasons[head] = "title"
    # the article ends with its last paragraph: short lines kept after it
    # that read as headlines (no full stop) are what follows the article
    # (related links, "Newsfeed", disclaimers); peeled from the end
    kept_at = np.flatnonzero(keep)
    prose = [
        i for i in kept_at.tolist() if len(texts[i]) >= LONG_LINE_CHARS and texts[i].rstrip()[-1:] in _SENTENCE_END
    ]
    if prose:
        for i in kept_at[kept_at > prose[-1]][::-1].tolist():
            if len(texts[i]) >= LONG_LINE_CHARS or texts[i].rstrip().endswith("."):
                break
            keep[i] = False
            reasons[i] = "after the article"
    blocks: list[Block] = []
    removed: list[Removed] = []
    for i, (text, kept, score, before, after) in enumerate(
        zip(texts, keep.tolist(), scores.tolist(), lines.blank_before, lines.blank_after)
    ):
        kind = _kind_of(text, before, after)
        if kept:
            blocks.append(Block(kind, text, score, 2 if kind is Kind.HEADING else 0))
        else:
            removed.append(Removed(kind, text, score, reasons.get(i, "model")))
    article.blocks = blocks
    article.removed = removed
    meta = text_metadata(lines.texts, headline=head)
    meta.published = meta.published or meta.updated
    meta.language = detect_language(article.text)
    meta.apply_to(article)
    return article
