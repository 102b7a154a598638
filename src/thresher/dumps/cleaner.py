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

from .._stopwords import STOPWORDS
from ..config import Config
from ..decode import binary_kind, decode
from ..model import CommentScores, TwoStageModel, load_model
from ..textmeta import (
    byline,
    date_line,
    detect_language,
    is_labelled_date_line,
    settle_dates,
    site_of,
    text_metadata,
)
from ..types import Article, Block, Kind, Removed, nfc_article
from .comments import thread_comments
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
#: It is looked for among this many lines above the first kept paragraph (a
#: kept line of prose; the first kept line when there is none, and then that
#: line too). The first kept line is no anchor: a menu line the model keeps
#: would hide the headline below it. Of the gold titles found above the
#: first kept paragraph of the dev dumps, 81 % are at most 12 lines above;
#: 18 finds 0.6 % more right titles, 6 finds 8 % fewer.
TITLE_LINES_ABOVE_BODY = 12
#: The headline names what the article is about: at least this share of its
#: content words (not function words, not numbers) recur in the article, from
#: its first paragraph on (a word recurs where a word of the article starts
#: with it: talk, talks). Captions, credits and "Share" rows between headline
#: and body share fewer of them, and bylines and date lines are never the
#: headline. Candidates are ranked by their recurring words over their
#: content words plus ``TITLE_OVERLAP_PRIOR`` (two recurring words of a menu
#: line count for less than six of a headline's eight), plus
#: ``TITLE_SCORE_WEIGHT`` times the model's score; the earlier line wins a
#: tie (a headline stands above the photo captions that repeat its words).
#: Set on the title accuracy of the dev dumps (readability, wcxb_dev) and
#: checked on dragnet_train's, which the line model never saw: right titles
#: 1,022 of the 2,918 dev dumps with a gold title and 1,140 of
#: dragnet_train's 1,738, against 431 and 579 for the best-scored
#: heading-like line. Each of the three constants moved by half its value
#: changes the number of right titles by at most 6 %.
TITLE_MIN_OVERLAP = 0.34
TITLE_OVERLAP_PRIOR = 2.0
#: (Retuned for lines-v3, whose scores spread differently: right titles on the
#: first 400 pages of wcxb_dev, readability and dragnet_train, both
#: renderers: 0.25: 378 / 60 / 379, 0.5: 374 / 58 / 372.)
TITLE_SCORE_WEIGHT = 0.25
#: The article text that counts is its first this many characters: its
#: opening names its subject, and less text to search costs less time.
#: (Right titles on the three sets: 2,162 with 5,000; 2,143 with 4,000 or
#: 8,000; 2,133 with 3,000.)
TITLE_BODY_CHARS = 5000
#: Boxes in the body. A dump copied from a browser sets paragraphs and
#: headings apart with blank lines, but not the lines of one box: a photo's
#: alt text and its caption, a reader's quote and its "Name, Place"
#: attribution. So when at least this share of the kept prose lines have a
#: blank line on both sides...
BOX_MIN_SEPARATED = 0.8
#: ...a block of exactly two lines with no blank line between them, set between
#: paragraphs (or between other such boxes, as in a run of reader quotes), is
#: a box when both lines read like headings of at least this many words (a
#: caption pair; shorter lines are a name and a role, "View larger map", a
#: two-item list)...
CAPTION_MIN_WORDS = 4
#: ...or, in any layout, when its second line is an attribution (capitalised
#: names around one comma, at most ``ATTRIBUTION_MAX_CHARS`` characters:
#: "Jane, Leeds") under a quote: a line of at least ``CAPTION_MIN_WORDS``
#: words and at most ``QUOTE_MAX_CHARS`` characters, quoted or without a
#: final stop (the paragraph above a "Safe, Sound" subheading ends in one).
#: Set by hand from the shapes of such boxes, not tuned: on the dev dumps
#: and dragnet_train's (5,209 dumps, rendered without a browser's spacing)
#: the two rules fire on 22 dumps (0.4 %) and change mean F1 per set by
#: -0.00002 to +0.0001 (the gold of some sets counts captions as text).
#: A caption pair also sits between the headline and the first paragraph
#: (a lead photo): the same two lines, right under the headline. On the line
#: model's out-of-fold scores of the 5,216 dev dumps that slot rule fires on
#: 5 dumps and drops 6 chrome and 3 gold lines.
ATTRIBUTION_MAX_CHARS = 40
QUOTE_MAX_CHARS = 2 * LONG_LINE_CHARS

_WORD = re.compile(r"\w+")
#: A line that is only a bracketed placeholder for something the dump could
#: not show: "[ banner ]", "[Advertisement]", "[embed]". No gold line of the
#: bench (170,000 lines, and trafilatura_eval's snippets) has this shape;
#: bracketed credits and notes ("[Photo: ...]", "(Bild: Hersteller)") do not
#: match it.
_PLACEHOLDER = re.compile(
    r"^\s*\[\s*(?:[^\[\]]{0,40}?\W)?(?:banner|advertisement|advert|ads?|embed|widget|iframe|sponsored)"
    r"(?:\W[^\[\]]{0,40})?\s*\]\s*$",
    re.IGNORECASE,
)
# characters that end a sentence or a clause: a line ending in one is not a heading
_SENTENCE_END = '.!?。！？:;,…"”'
_HEADING_NOT_END = _SENTENCE_END + "|"
_HEADING_NOT_START = ("[", "(", "<", "©", "|", "•", "-")


def _heading_like(text: str) -> bool:
    return (  # the cheap tests first
        text.rstrip()[-1:] not in _HEADING_NOT_END
        and not text.lstrip().startswith(_HEADING_NOT_START)
        and not text.isupper()
        and 2 <= len(_WORD.findall(text)) <= TITLE_MAX_WORDS
        and not is_labelled_date_line(text)
    )


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in STOPWORDS and not w.isdigit()}


def _headline(lines: Lines, scores: np.ndarray, keep: np.ndarray, prose: list[int] | None = None) -> int:
    """The headline: the heading-like line above the first kept paragraph
    whose words the article repeats most (see ``TITLE_MIN_OVERLAP``); -1 when
    there is none. ``prose``: the kept lines of prose, when known."""
    texts = lines.texts
    if not keep.any():
        return -1
    if prose is None:
        prose = _kept_prose(texts, keep)
    # the article from its first paragraph on; in a dump without prose, from
    # the line after the first kept line, which may itself be the headline
    start = prose[0] if prose else int(np.argmax(keep))
    kept = np.flatnonzero(keep[start:]).tolist()  # from the start, counted from it

    def opening() -> str:  # the body's opening (see ``TITLE_BODY_CHARS``)
        parts, size = [" "], 0
        for k in kept[0 if prose else 1 :]:
            parts.append(texts[start + k])
            size += len(parts[-1]) + 1
            if size >= TITLE_BODY_CHARS:
                break
        return " ".join(parts)[:TITLE_BODY_CHARS].lower()

    body = ""  # read when a line first needs it
    best, best_rank = -1, -1.0
    top = max(0, start - TITLE_LINES_ABOVE_BODY)
    weighted = (TITLE_SCORE_WEIGHT * scores[top : start + 1]).tolist()
    for i in range(start, top - 1, -1):  # upwards: the likelier lines first
        text = texts[i]
        if not _heading_like(text):
            continue
        words = _content_words(text)
        n = len(words)
        # the matching words it needs to qualify and to match the best so far
        need = max(TITLE_MIN_OVERLAP * n, (best_rank - weighted[i - top]) * (n + TITLE_OVERLAP_PRIOR)) - 1e-9
        if not n or need > n:
            continue
        body = body or opening()
        matching, left = 0, n  # a word recurs where a word of the body starts with it (talk: talks)
        for w in words:
            left -= 1
            if (" " + w) in body:
                matching += 1
            elif matching + left < need:
                break
        if matching < need:
            continue
        rank = matching / (n + TITLE_OVERLAP_PRIOR) + weighted[i - top]
        if rank < best_rank or byline(text) or date_line(text)[0] is not None:
            continue  # the earlier line wins a tie
        if not prose and i == start and (len(kept) < 2 or len(texts[start + kept[1]]) <= 2 * len(text)):
            continue  # without prose, a line taken out of the body must stand above a longer one
        best, best_rank = i, rank
    return best


# Markdown marks html2text-style dumps put around a headline: "# Title" or
# "## Title ##", and "**Title**", "__Title__", "*Title*" or "_Title_" around the whole line.
_ATX_HEADING = re.compile(r"#{1,6}\s+(.*?)(?:\s+#+)?")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)((?:(?!\1).)*?\S)\1")


def _plain_title(line: str) -> str:
    """The headline without the Markdown marks around it (a dump's title is
    text, as an HTML page's is; the body's lines are left as they were)."""
    m = _ATX_HEADING.fullmatch(line)
    title = m[1] if m and m[1] else line
    while (m := _EMPHASIS.fullmatch(title)) is not None:
        title = m[2]
    return title


def _kind_of(text: str, prev_blank: bool, next_blank: bool) -> Kind:
    if prev_blank and next_blank and len(text) < 80 and text.rstrip()[-1:] not in _SENTENCE_END and text[:1].isupper():
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
        return self.judge(lines)[0]

    def judge(self, lines: Lines) -> tuple[np.ndarray, CommentScores]:
        """Each line's stage-2 probability of being article text, and of being a reader comment."""
        base = line_features(lines)
        scores, stage2 = self.model.score(base, lambda p1: line_context_features(base, p1))
        return scores, self.model.comment_scores(stage2, scores, self.threshold, in_text=self.config.comments)

    def clean(self, text: str | bytes, url: str | None = None) -> Article:
        """Clean one dump. ``bytes`` are decoded first (``Article.encoding`` says
        how); bytes that are no text at all (compressed data, an image, random
        bytes) give an empty ``Article`` whose ``reason`` says what they are."""
        return self.clean_many([text], urls=[url])[0]

    def clean_many(
        self, texts: Iterable[str | bytes], *, urls: Iterable[str | None] | None = None, site: str | None = None
    ) -> list[Article]:
        """Clean many dumps, with site memory within each site.

        Dumps are grouped by ``site`` when given (all of them are one site),
        else by the host of their URL; dumps with neither are cleaned alone."""
        inputs = [_to_text(t) for t in texts]
        urls = list(urls) if urls is not None else [None] * len(inputs)
        if len(urls) != len(inputs):
            raise ValueError("texts and urls differ in length")
        out: list[Article] = [Article(url=u, encoding=enc, reason=why) for u, (_, enc, why) in zip(urls, inputs)]
        groups: dict[object, list[int]] = {}
        for i, u in enumerate(urls):
            if out[i].reason:  # no text: nothing to clean, nor to remember of the site
                continue
            key = site if site is not None else site_of(u)
            groups.setdefault(key if key is not None else ("alone", i), []).append(i)
        for members in groups.values():
            self._clean_site([inputs[i][0] for i in members], [out[i] for i in members])
        return out

    def _clean_site(self, texts: list[str], articles: list[Article]) -> None:
        """Clean dumps of one site together (site memory from two dumps on), into ``articles``."""
        all_lines = [split_lines(t, self.config.max_blocks) for t in texts]
        share = _recurrence(all_lines) if len(texts) >= SITE_MEMORY_MIN_PAGES else None
        for k, lines in enumerate(all_lines):
            recurrence = share[k] if share is not None else None
            nfc_article(assemble(articles[k], lines, *self.judge(lines), self.threshold, recurrence))


def _to_text(text: str | bytes) -> tuple[str, str | None, str | None]:
    """A dump as text, with how it was decoded (``None`` for ``str``) and, for
    bytes that are no text at all, what they are (``decode.binary_kind``)."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        why = binary_kind(text)
        if why:
            return "", None, why
        return (*decode(bytes(text)), None)
    if not isinstance(text, str):
        raise TypeError(f"clean_text() takes str or bytes, not {type(text).__name__}")
    return text, None, None


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


_QUOTES = "\"“”„«»‘’'‹›「『"
_NAME = r"[^\W\d_][\w'’.\-]*"
_ATTRIBUTION = re.compile(rf"{_NAME}(?: {_NAME}){{0,3}}, {_NAME}(?: {_NAME}){{0,2}}")


def _is_prose(text: str) -> bool:
    return len(text) >= LONG_LINE_CHARS and text.rstrip()[-1:] in _SENTENCE_END


def _kept_prose(texts: list[str], keep: np.ndarray) -> list[int]:
    """The kept lines of prose: the article's paragraphs."""
    return [i for i in np.flatnonzero(keep).tolist() if _is_prose(texts[i])]


def _is_attribution(text: str) -> bool:
    """ "Jane Doe, Leeds": capitalised names around one comma, nothing else."""
    return (
        len(text) <= ATTRIBUTION_MAX_CHARS
        and "," in text
        and _ATTRIBUTION.fullmatch(text) is not None
        and all(w[:1].isupper() for w in text.replace(",", " ").split())
    )


def _quote_like(text: str) -> bool:
    """A quoted line, or one without a sentence's final stop (a paragraph ends in one)."""
    return text[:1] in _QUOTES or (text.rstrip()[-1:] not in ".!?。！？" and not is_bullet(text))


def _spaced(lines: Lines, prose: list[int]) -> bool:
    """Whether the dump sets its paragraphs apart with blank lines (``BOX_MIN_SEPARATED``)."""
    separated = sum(lines.blank_before[i] and lines.blank_after[i] for i in prose)
    return separated >= BOX_MIN_SEPARATED * len(prose)


def _caption_line(text: str) -> bool:
    return _heading_like(text) and not is_bullet(text) and len(_WORD.findall(text)) >= CAPTION_MIN_WORDS


def _caption_under_headline(lines: Lines, keep: np.ndarray, head: int, prose: list[int]) -> list[int]:
    """The caption pair between the headline and the first paragraph, if any
    (see ``BOX_MIN_SEPARATED``)."""
    a, b = head + 1, head + 2
    if head < 0 or len(prose) < 2 or prose[0] != head + 3 or lines.blank_after[a]:
        return []
    if not (keep[a] or keep[b]) or not _spaced(lines, prose):
        return []
    return [a, b] if _caption_line(lines.texts[a]) and _caption_line(lines.texts[b]) else []


def _boxes(lines: Lines, keep: np.ndarray, prose: list[int] | None = None) -> dict[int, str]:
    """Lines of caption pairs and quote boxes between the kept paragraphs
    (``prose``, when known), with the reason (see ``BOX_MIN_SEPARATED``)."""
    if prose is None:
        prose = _kept_prose(lines.texts, keep)
    if len(prose) < 2:
        return {}
    texts = lines.texts
    blank_before, blank_after = lines.blank_before, lines.blank_after
    spaced = _spaced(lines, prose)

    units: list[tuple[int, int, str]] = []  # two lines with no blank line between them
    for a in range(prose[0] + 1, prose[-1] - 1):  # boxes sit between paragraphs
        b = a + 1
        if blank_after[a] or not (keep[a] or keep[b]):
            continue
        if (
            _is_attribution(texts[b])
            and len(texts[a]) <= QUOTE_MAX_CHARS
            and len(_WORD.findall(texts[a])) >= CAPTION_MIN_WORDS
            and _quote_like(texts[a])
        ):
            units.append((a, b, "quote"))
        elif spaced and blank_before[a] and blank_after[b] and _caption_line(texts[a]) and _caption_line(texts[b]):
            units.append((a, b, "caption"))
    out: dict[int, str] = {}
    k = 0
    while k < len(units):
        end = k  # a run of boxes, one right under the other (several reader quotes)
        while end + 1 < len(units) and units[end + 1][0] == units[end][1] + 1:
            end += 1
        before, after = units[k][0] - 1, units[end][1] + 1
        if all(keep[i] and _is_prose(texts[i]) for i in (before, after)):
            for a, b, why in units[k : end + 1]:
                out[a] = out[b] = why
        k = end + 1
    return out


def assemble(
    article: Article,
    lines: Lines,
    scores: np.ndarray,
    comments: CommentScores | None,
    threshold: float,
    recurrence: np.ndarray | None,
) -> Article:
    keep = scores >= threshold
    reasons: dict[int, str] = {}
    texts = lines.texts
    for i in np.flatnonzero(keep).tolist():
        why = "date" if is_labelled_date_line(texts[i]) else "placeholder" if _PLACEHOLDER.match(texts[i]) else None
        if why:
            keep[i] = False
            reasons[i] = why
    if recurrence is not None:
        for i in np.flatnonzero(keep & (recurrence > 0) & (scores < SITE_MEMORY_KEEP_SCORE)).tolist():
            keep[i] = False
            reasons[i] = "recurring"
    prose = _kept_prose(texts, keep)
    for i, why in _boxes(lines, keep, prose).items():
        if keep[i]:
            keep[i] = False
            reasons[i] = why
    prose = [i for i in prose if keep[i]]
    head = _headline(lines, scores, keep, prose)
    if head >= 0:
        article.title = _plain_title(lines.texts[head])
        keep[head] = False
        reasons[head] = "title"
        for i in _caption_under_headline(lines, keep, head, prose):
            keep[i] = False
            reasons[i] = "caption"
    # the article ends with its last paragraph: short lines kept after it
    # that read as headlines (no full stop) are what follows the article
    # (related links, "Newsfeed", disclaimers); peeled from the end
    kept_at = np.flatnonzero(keep)
    if prose:
        for i in kept_at[kept_at > prose[-1]][::-1].tolist():
            if len(texts[i]) >= LONG_LINE_CHARS or texts[i].rstrip().endswith("."):
                break
            keep[i] = False
            reasons[i] = "after the article"
    if comments is not None:  # lines the model dropped that read as reader comments
        picked = [
            i for i in np.flatnonzero(~keep & (comments.scores >= comments.threshold)).tolist() if i not in reasons
        ]
        article.comments = thread_comments(texts, picked, comments.scores)
        reasons.update(dict.fromkeys(picked, "comment"))
    blocks: list[Block] = []
    removed: list[Removed] = []
    for i, (text, kept, score, before, after) in enumerate(
        zip(texts, keep.tolist(), scores.tolist(), lines.blank_before, lines.blank_after)
    ):
        kind = _kind_of(text, before, after)
        if kept:
            blocks.append(Block(kind, text, score, 2 if kind is Kind.HEADING else 0))
        elif reasons.get(i) == "comment":
            continue  # in article.comments, not chrome
        else:
            removed.append(Removed(kind, text, score, reasons.get(i, "model")))
    if comments is not None and comments.in_text:
        blocks += [Block(Kind.COMMENT, c.text, c.score) for c in article.comments]
    article.blocks = blocks
    article.removed = removed
    meta = text_metadata(lines.texts, headline=head)
    meta.published = meta.published or meta.updated
    settle_dates(meta)
    meta.language = detect_language(article.text)
    meta.apply_to(article)
    return article
