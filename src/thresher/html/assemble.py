"""Assemble the article from the scored blocks: which blocks are kept, which
one is the headline, and why each other block was removed.

    keep (threshold, or the unsure page's best blocks) -> no article in nav/footer
    -> drop hidden repeats -> headline -> Article.blocks / .removed / .title
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from ..model import CommentScores
from ..textstats import word_ngrams
from ..types import Article, Block, Kind, Removed
from .comments import group_comments
from .segment import CLASS_GROUP_NAMES, TAG_GROUP_NAMES, Segments

__all__ = ["assemble"]

_WORD = re.compile(r"\w+")

#: A heading is taken for the headline when it shares at least this share of
#: its words (Jaccard) with the page's <title>/og:title. Set by hand, not yet
#: measured: 0.5 still matches a headline whose title carries a " | Site Name"
#: suffix of up to as many words as the headline, and rejects a section
#: heading that repeats one or two of its words. (Headline accuracy is
#: measured with the metadata work.)
TITLE_MATCH_MIN = 0.5
#: Only headings among the first blocks of the page's kept text (or before
#: it) are headline candidates.
TITLE_SEARCH_BLOCKS = 40
#: When no block reaches the threshold, the blocks scoring at least this share
#: of the page's best score are kept, provided the best reaches
#: ``UNSURE_MIN_SCORE``: a short article in unusual markup (three plain
#: ``<div>`` under a sidebar class) is better returned than lost. On the
#: cross-validated bench scores this happens on one page in 800, always an
#: article whose best block scored 0.24 or more; shares of 0.5 and 0.7 gave
#: the same F1, 0.85 dropped part of the text. Below the floor the model is
#: sure the page has no article.
UNSURE_KEEP_SHARE = 0.5
UNSURE_MIN_SCORE = 0.1
#: A kept block marked hidden (``hidden``, ``display:none``, a hidden class) is
#: dropped as a repeat when at least ``HIDDEN_REPEAT_MIN_SHARE`` of its word
#: 5-grams are in the other kept blocks: sites ship the article a second time
#: for machines (a hidden schema.org ``articleBody``, a collapsed mobile copy).
#: Blocks under ``HIDDEN_REPEAT_MIN_SHINGLES`` 5-grams are left alone. Set on the
#: cross-validated bench scores, where it added 0.003 mean F1 and the result
#: stayed within 0.001 for shares of 0.6 to 0.9 and minimums of 5 to 20; applied
#: to visible blocks too, it cost 0.07 on pages that repeat a paragraph on purpose.
HIDDEN_REPEAT_MIN_SHARE = 0.8
HIDDEN_REPEAT_MIN_SHINGLES = 5
_HIDDEN = 1 << CLASS_GROUP_NAMES.index("hidden")
_NAV_FOOTER = (1 << TAG_GROUP_NAMES.index("nav")) | (1 << TAG_GROUP_NAMES.index("footer"))


def _jaccard(a: str, b: str) -> float:
    wa = {w.lower() for w in _WORD.findall(a)}
    wb = {w.lower() for w in _WORD.findall(b)}
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


def _shingles(text: str) -> list[tuple[str, ...]]:
    return word_ngrams(_WORD.findall(text.lower()), 5)


def _hidden_repeats(seg: Segments, kept: np.ndarray) -> set[int]:
    """The kept hidden blocks that repeat other kept text (``HIDDEN_REPEAT_MIN_SHARE``)."""
    shingles = {int(i): Counter(_shingles(seg.texts[i])) for i in kept if seg.anc_cls[i] & _HIDDEN}
    hidden = [i for i, own in shingles.items() if own.total() >= HIDDEN_REPEAT_MIN_SHINGLES]
    if not hidden:
        return set()
    shingles.update((int(i), Counter(_shingles(seg.texts[i]))) for i in kept if int(i) not in shingles)
    pool = Counter()
    for own in shingles.values():
        pool.update(own)
    repeats = set()
    for i in reversed(hidden):  # of two hidden copies, the later one goes
        own = shingles[i]
        n = own.total()
        if sum(min(c, pool[s] - c) for s, c in own.items()) >= HIDDEN_REPEAT_MIN_SHARE * n:
            repeats.add(i)
            pool.subtract(own)
    return repeats


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


def assemble(
    article: Article,
    seg: Segments,
    scores: np.ndarray,
    threshold: float,
    page_title: str | None,
    comments: CommentScores | None = None,
) -> int:
    """Fill ``article``'s body, title, comments and removed blocks; return the headline's block index (or -1).

    A block the article does not keep is a reader comment when the comment
    model's score reaches its threshold: it goes to ``article.comments`` (and
    after the body, as ``Kind.COMMENT`` blocks, when ``comments.in_text``),
    not to ``removed``, as it is not chrome.
    """
    keep = scores >= threshold
    if not keep.any() and scores.size and scores.max() >= UNSURE_MIN_SCORE:
        keep = scores >= scores.max() * UNSURE_KEEP_SHARE
    # A page whose kept text all sits in <nav>/<footer> has no article: the
    # page-relative features make a page of navigation look like an article
    # of navigation. (On the dev pages this rule changes no real article.)
    kept = np.flatnonzero(keep)
    no_article = kept.size > 0 and all(seg.anc_tag[i] & _NAV_FOOTER for i in kept)
    if no_article:
        keep[:] = False
    repeats = set() if no_article else _hidden_repeats(seg, kept)
    if repeats:
        keep[list(repeats)] = False
    head = _find_headline(seg, keep, page_title)
    if head >= 0:  # else the extractor's headline() falls back on the markup's title
        article.title = seg.texts[head]
    is_comment = np.zeros(len(seg), dtype=bool)
    if comments is not None and len(seg):
        is_comment = ~keep & (comments.scores >= comments.threshold)
        if head >= 0:
            is_comment[head] = False
        article.comments = group_comments(seg, np.flatnonzero(is_comment).tolist(), comments.scores)
    blocks: list[Block] = []
    removed: list[Removed] = []
    for i, text in enumerate(seg.texts):
        kind = seg.kinds[i]
        score = float(scores[i])
        if i == head:
            removed.append(Removed(kind, text, score, "title"))
        elif keep[i]:
            blocks.append(Block(kind, text, score, seg.levels[i]))
        elif is_comment[i]:
            continue
        elif i in repeats:
            removed.append(Removed(kind, text, score, "duplicate"))
        else:
            removed.append(Removed(kind, text, score, "no-article" if no_article and score >= threshold else "model"))
    if comments is not None and comments.in_text:
        blocks += [Block(Kind.COMMENT, c.text, c.score) for c in article.comments]
    article.blocks = blocks
    article.removed = removed
    return head
