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
from ..textmeta import MAX_SITE_PART_WORDS, TitleClues, clean_headline, is_site_name, norm_name
from ..textstats import word_ngrams
from ..types import Article, Block, Kind, Removed
from .comments import group_comments
from .segment import CLASS_GROUP_NAMES, TAG_GROUP_NAMES, Segments

__all__ = ["assemble"]

_WORD = re.compile(r"\w+")

#: A heading is taken for the headline when it shares at least this share of
#: its words (Jaccard) with one of the titles the markup states, each without
#: the site's name (``TitleClues``), plus ``H1_BONUS`` for an <h1> (so an
#: <h1> needs a fifth of its words shared). Swept on the dev pages (headline
#: accuracy on wcxb_dev / trafilatura_eval / readability, and on
#: dragnet_train's 2012 news the share whose headline is one of the gold's
#: first three lines): 0.5 / 0.1 gave 0.762 / 0.849 / 0.732 / 0.881; 0.4 / 0.1
#: 0.767 / 0.858 / 0.717 / 0.894; 0.4 / 0.2 0.780 / 0.858 / 0.709 / 0.901;
#: 0.4 / 0.3 0.783 / 0.867 / 0.717 / 0.897; a bonus near the threshold
#: (0.3 / 0.3) takes any <h1> and fell to 0.543 on readability.
TITLE_MATCH_MIN = 0.4
H1_BONUS = 0.2
#: Each title after the first counts this much less: a tie between a heading
#: matching og:title and one matching <title> goes to og:title's.
TITLE_RANK_STEP = 0.01
#: Only headings among the first blocks of the page's kept text (or before
#: it) are headline candidates.
TITLE_SEARCH_BLOCKS = 40
#: A block that is no heading is a headline candidate when an element's class
#: names it a title ("headline", "title"...; table layouts set headlines in a
#: <td class="headline"> or a <font>), it has at most this many words and it
#: is exactly one of the titles the markup states.
MAX_PLAIN_HEADLINE_WORDS = 30
_TITLE_CLASS = 1 << CLASS_GROUP_NAMES.index("title")
#: A heading that is exactly the post title of a "Blog Name: Post title"
#: title ("Look!" of "A Thrifty Mrs: Look!") scores at least this, short as it
#: is against the whole title; a heading matching the whole scores more.
PART_MATCH_SCORE = 0.8
#: A title-classed block that is no heading counts this share of its match:
#: of a heading and a block that both show the title, the heading.
PLAIN_BLOCK_WEIGHT = 0.9
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


def _find_headline(seg: Segments, keep: np.ndarray, clues: TitleClues) -> int:
    """Index of the block that is the article's headline, or -1.

    The heading (or title-classed block, ``MAX_PLAIN_HEADLINE_WORDS``) that
    best matches a title the markup states (``TITLE_MATCH_MIN``), never one
    that names the site ("Seth's Blog" in "Seth's Blog: Yesterday's over",
    ``_site_headings``) or that is no headline ("6.0"). A page that states
    no title (or only code) has its first <h1> for a headline, else a heading
    that opens the kept text.
    """
    kept = np.flatnonzero(keep)
    first_kept = int(kept[0]) if kept.size else len(seg)
    limit = min(len(seg), first_kept + TITLE_SEARCH_BLOCKS)
    titles = {norm_name(t) for t in clues.titles}
    parts = _title_parts(clues)
    candidates = []
    for i in range(limit):
        text = seg.texts[i]
        if seg.kinds[i] is Kind.HEADING:
            pass
        elif not (seg.near_cls[i] & _TITLE_CLASS and len(text.split()) <= MAX_PLAIN_HEADLINE_WORDS):
            continue
        elif norm_name(text) not in titles and norm_name(text) not in parts:
            continue
        if clean_headline(text) is not None and not is_site_name(text, clues.site):
            candidates.append(i)
    site_headings = _site_headings(seg, candidates, clues)
    candidates = [i for i in candidates if i not in site_headings]
    if not clues.titles:  # the first <h1>, else a heading that opens the kept text
        first_h1 = next((i for i in candidates if seg.levels[i] == 1), -1)
        return first_h1 if first_h1 >= 0 else next((i for i in candidates if 0 < seg.levels[i] and i <= first_kept), -1)
    best, best_score = -1, 0.0
    for i in candidates:
        text = seg.texts[i]
        # the titles in their order of trust: of two equal matches, the more trusted title's heading
        s = max(_jaccard(text, t) - TITLE_RANK_STEP * k for k, t in enumerate(clues.titles))
        if norm_name(text) in parts:
            s = max(s, PART_MATCH_SCORE)
        if seg.kinds[i] is not Kind.HEADING:
            s *= PLAIN_BLOCK_WEIGHT
        s += H1_BONUS if seg.levels[i] == 1 else 0.0
        if s > best_score:
            best, best_score = i, s
    return best if best_score >= TITLE_MATCH_MIN else -1


def _title_parts(clues: TitleClues) -> set[str]:
    """The post titles of "Blog Name: Post title" titles (``norm_name``): the
    right side of a ": " whose left side is a name (``MAX_SITE_PART_WORDS``
    words at most) and which does not name the site."""
    out = set()
    for title in clues.raw:
        left, sep, right = title.partition(": ")
        if sep and len(left.split()) <= MAX_SITE_PART_WORDS and not is_site_name(right, clues.site):
            out.add(norm_name(right))
    out.discard("")
    return out


def _site_headings(seg: Segments, candidates: list[int], clues: TitleClues) -> set[int]:
    """The headings that are the left side of a "Blog Name: Post title" title
    whose right side is another heading: the blog's name, on every page."""
    by_text = {norm_name(seg.texts[i]): i for i in candidates}
    out = set()
    for title in clues.titles:
        left, sep, right = title.partition(": ")
        if sep and norm_name(left) in by_text and norm_name(right) in by_text:
            out.add(by_text[norm_name(left)])
    return out


def assemble(
    article: Article,
    seg: Segments,
    scores: np.ndarray,
    threshold: float,
    page_title: str | TitleClues | None,
    comments: CommentScores | None = None,
) -> int:
    """Fill ``article``'s body, title, comments and removed blocks; return the headline's block index (or -1).

    ``page_title`` is what the page says its headline is: its ``TitleClues``
    (``html.metadata.title_clues``), or one title as a string.

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
    clues = page_title if isinstance(page_title, TitleClues) else TitleClues.of([page_title])
    head = _find_headline(seg, keep, clues)
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
