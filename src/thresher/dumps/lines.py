"""Text dumps: split into lines and describe each line for the line classifier.

A text dump is the visible text of a whole page, one block per line, chrome
included, with no markup left to tell them apart. What remains is the text
itself and its layout: a line's own statistics (length, punctuation, share of
function words, capitalisation, dates, copyright marks), whether blank lines
set it apart as a paragraph, where it sits, how its neighbours look, and how
often the same line recurs on the page. (Recurrence across a site's pages,
site memory, is applied after classification: see ``cleaner.py``.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..model import FeatureSchema
from ..textstats import (
    C_DECIMAL,
    C_SPACE,
    C_WORD,
    CONTEXT_OFFSETS,
    TEXT_STATS,
    TEXT_STATS_PARAMS,
    VOICE_STATS,
    Chars,
    chrome_share,
    sequence_context,
    shift,
    stat_columns,
    text_stats,
    upper_share,
    voice_stats,
    window_hashes,
)  # fmt: skip

__all__ = [
    "LINE_SCHEMA",
    "Lines",
    "is_bullet",
    "split_lines",
    "normalise_text",
    "line_features",
    "line_context_features",
    "LINE_FEATURES",
    "LINE_CONTEXT_FEATURES",
]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200e\u200f\ufeff]")
_BULLET = re.compile(r"^\s*(?:[-–—•·*>»|]|\d{1,2}[.)])\s")
_URLISH = re.compile(r"https?://|www\.|\.com\b|\.org\b|@\w")  # on lower-cased text
# the first characters of lines that ``_BULLET`` can match (lines are stripped)
_BULLET_FIRST = frozenset("-–—•·*>»|")

#: Lines longer than this many characters are cut into pieces at sentence
#: ends (a dump with no line breaks at all is one giant line). Of the 152,048
#: gold lines of the dev pages, 99.9 % are under 1,250 characters and 27 over
#: 2,000.
MAX_LINE_CHARS = 2000
#: A dump is read up to this many characters; the rest is ignored, so a giant
#: input costs bounded time (as ``Config.max_text_chars`` for HTML). The
#: largest text of the bench's pages is ~132,000 characters.
MAX_DUMP_CHARS = 1_000_000
#: A line of at least this many words found inside a longer line is "contained"
#: (a summary repeated as the first paragraph, a headline in a related box);
#: shorter ones (headings, names) recur inside prose legitimately.
CONTAINED_MIN_WORDS = 6
#: At most this many text checks of containment per dump, and this many
#: candidate lines looked at: a dump that repeats one line (or one run of five
#: words) thousands of times costs bounded time.
CONTAINED_MAX_CHECKS = 2000
CONTAINED_MAX_SCAN = 200_000
#: A line of at least this many characters ending in sentence punctuation is
#: "long": running prose, the anchor of the neighbourhood features.
LONG_LINE_CHARS = 100


def _normal_rows(text: str) -> list[str]:
    """The lines of ``text`` (``\\r\\n``, ``\\r`` and ``\\n`` end a line), control
    characters dropped, each line's runs of whitespace (tabs, no-break and
    other Unicode spaces) one space, and stripped."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return [" ".join(row.split()) for row in text.split("\n")]


def normalise_text(text: str) -> str:
    """Unify line endings, spaces and drop control characters (see ``_normal_rows``)."""
    return "\n".join(_normal_rows(text))


def is_bullet(line: str) -> bool:
    """Does the (stripped) line open with a list mark ("- ", "• ", "3) ")?"""
    first = line[:1]
    return (first in _BULLET_FIRST or first.isdigit()) and _BULLET.match(line) is not None


def _cut(line: str) -> list[str]:
    if len(line) <= MAX_LINE_CHARS:
        return [line]
    out, start = [], 0
    while len(line) - start > MAX_LINE_CHARS:
        window = line[start : start + MAX_LINE_CHARS]
        cut = max(window.rfind(". "), window.rfind("。"), window.rfind("! "), window.rfind("? "))
        cut = cut + 1 if cut > MAX_LINE_CHARS // 4 else window.rfind(" ") if window.rfind(" ") > 0 else MAX_LINE_CHARS
        out.append(line[start : start + cut].strip())
        start += cut
    out.append(line[start:].strip())
    return [p for p in out if p]


@dataclass(slots=True)
class Lines:
    """The non-empty lines of a dump, with the layout around each."""

    texts: list[str] = field(default_factory=list)
    blank_before: list[bool] = field(default_factory=list)
    blank_after: list[bool] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)


def split_lines(text: str, max_lines: int | None = None) -> Lines:
    """Normalise ``text`` (its first ``MAX_DUMP_CHARS``) and cut it into its
    non-empty lines, the first ``max_lines`` of them (``Config.max_blocks``: a
    dump's lines are its blocks, and the cap bounds feature and model work)."""
    rows = _normal_rows(text[:MAX_DUMP_CHARS])
    if max(map(len, rows)) > MAX_LINE_CHARS:
        lines = _split_long(rows)
    else:
        keep = [i for i, r in enumerate(rows) if r]
        last = len(rows) - 1
        lines = Lines(
            [rows[i] for i in keep],
            [i == 0 or not rows[i - 1] for i in keep],
            [i == last or not rows[i + 1] for i in keep],
        )
    if max_lines is not None and len(lines) > max_lines:
        del lines.texts[max_lines:], lines.blank_before[max_lines:], lines.blank_after[max_lines:]
    return lines


def _split_long(rows: list[str]) -> Lines:
    """``split_lines`` for a dump with lines over ``MAX_LINE_CHARS``, cut into pieces."""
    out = Lines()
    blank = True
    for line in rows:
        if not line:
            blank = True
            if out.blank_after:
                out.blank_after[-1] = True
            continue
        for piece in _cut(line):
            out.texts.append(piece)
            out.blank_before.append(blank)
            out.blank_after.append(False)
            blank = False
    if out.blank_after:
        out.blank_after[-1] = True
    return out


_OWN = [
    *TEXT_STATS,
    "log_chars", "log_words", "blank_before", "blank_after", "paragraph", "upper_ratio", "bullet",
    "bracketed", "urlish", "long", "contained_later", "contained_earlier", "chrome_share",
]  # fmt: skip
_POS = ["rel_index", "rel_char_pos", "index", "from_end"]
_NEIGH = [f"{side}{d}_{name}" for side in ("prev", "next") for d in (1, 2) for name in ("log_chars", "stop", "ends_punct", "long")] + [
    "win3_log_chars", "win5_long_share", "dist_prev_long", "dist_next_long",
    "prose_before", "prose_after", "long_share_prev10", "long_share_next10", "short_run", "same_lead_run",
    "chrome_win7", "stop_vs_prose", "log_chars_vs_max",
]  # fmt: skip
_PAGE = ["page_log_lines", "page_log_chars", "page_long_share", "page_blank_share"]
LINE_FEATURES: list[str] = _OWN + _POS + _NEIGH + _PAGE + list(VOICE_STATS)
LINE_CONTEXT_FEATURES: list[str] = [f"p_{'m' if o < 0 else 'p'}{abs(o)}" for o in CONTEXT_OFFSETS] + [
    "p_win5_max",
    "p_win5_mean",
    "p_page_mean",
    "p_rank",
    "in_p_span",
    "p_span_dist",
    "p_span_share",
]
#: The line model's feature layout, with every constant that changes a column.
LINE_SCHEMA = FeatureSchema(
    "lines",
    tuple(LINE_FEATURES),
    tuple(LINE_CONTEXT_FEATURES),
    {
        **TEXT_STATS_PARAMS,
        "max_line_chars": MAX_LINE_CHARS,
        "contained_min_words": CONTAINED_MIN_WORDS,
        "long_line_chars": LONG_LINE_CHARS,
        "bullet": _BULLET.pattern,
        "urlish": _URLISH.pattern,
    },
)


def _containment(texts: list[str], chars: Chars) -> tuple[np.ndarray, np.ndarray]:
    """Is a line (of 6+ words) repeated inside a later / an earlier longer line?

    A page's summary often reappears as the start of the first paragraph; a
    headline reappears in a "related" box. Only lines of at least
    ``CONTAINED_MIN_WORDS`` words count, so short headings inside paragraphs
    do not. A line's second to sixth words are looked up among every run of
    five words of the dump at once (by hash; not the first word, which may be
    glued to the text before it: "...SolutionSay goodbye to..."); only lines
    where they recur are checked as text (``in``, case-sensitive)."""
    n = len(texts)
    later = np.zeros(n, dtype=np.float32)
    earlier = np.zeros(n, dtype=np.float32)
    words = chars.words()
    if words is None:
        return later, earlier
    hashes, owner = words
    k = CONTAINED_MIN_WORDS - 1
    windows = window_hashes(hashes, k)
    if not windows.size:
        return later, earlier
    n_words = np.bincount(owner, minlength=n)
    first = np.concatenate(([0], np.cumsum(n_words)[:-1]))
    cands = np.flatnonzero(n_words >= CONTAINED_MIN_WORDS)
    inside = np.flatnonzero(owner[: windows.size] == owner[k - 1 :])  # runs within one line
    order = np.argsort(windows[inside], kind="stable")
    sorted_windows, sorted_owner = windows[inside][order], owner[inside][order]
    keys = windows[first[cands] + 1]
    lo = np.searchsorted(sorted_windows, keys, side="left")
    hi = np.searchsorted(sorted_windows, keys, side="right")
    budget, scan = CONTAINED_MAX_CHECKS, CONTAINED_MAX_SCAN
    for i, a, b in zip(cands.tolist(), lo.tolist(), hi.tolist()):
        if b - a < 2:  # only the line itself opens with these words
            continue
        if budget <= 0 or scan <= 0:
            break
        b = min(b, a + scan)
        scan -= b - a
        for j in dict.fromkeys(sorted_owner[a:b].tolist()):
            if budget <= 0:
                break
            side = later if j > i else earlier
            if j == i or side[i] or len(texts[j]) <= len(texts[i]):
                continue
            budget -= 1
            if texts[i] in texts[j]:
                side[i] = 1.0
    return later, earlier


def _run_lengths(flags) -> np.ndarray:
    """For each position, the length of the run of equal flags it belongs to (0 where the flag is off)."""
    flags = np.asarray(flags, dtype=bool)
    if not flags.size:
        return np.zeros(0, dtype=np.float32)
    bounds = np.concatenate(([0], np.flatnonzero(flags[1:] != flags[:-1]) + 1, [flags.size]))
    runs = np.diff(bounds)
    return (np.repeat(runs, runs) * flags).astype(np.float32)


def _char_set(chars: str) -> np.ndarray:
    """A lookup table over code points (all of ``chars`` are below U+2100): index with ``mode="clip"``."""
    table = np.zeros(0x2100 + 1, dtype=bool)  # the last slot, False, catches every higher code point
    table[[ord(c) for c in chars]] = True
    return table


_BULLET_SET = _char_set("".join(_BULLET_FIRST))
_OPEN_SET = _char_set("[(<{")
_CLOSE_SET = _char_set("])>}")
_NUMBER_END_SET = _char_set(".)")


def _line_marks(chars: Chars) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (stripped) line, from its first four and last code points at once:
    does it open with a list mark (exactly ``is_bullet``), is it bracketed
    ("[ banner ]", "(AP)": opens with one of ``[(<{`` and closes with one of
    ``])>}``), and its leading mark (the first character when that is not
    alphanumeric, else -1)."""
    cp = np.concatenate((chars.cp, np.zeros(4, dtype=np.uint32)))
    fl = np.concatenate((chars.flags[:-1], np.zeros(4, dtype=chars.flags.dtype)))
    at = [chars.starts + k for k in range(4)]
    has = [chars.lens > k for k in range(4)]
    space = [has[k] & ((fl[at[k]] & C_SPACE) != 0) for k in range(4)]
    dec = [has[k] & ((fl[at[k]] & C_DECIMAL) != 0) for k in range(4)]
    ends_number = [has[k] & _NUMBER_END_SET.take(cp[at[k]], mode="clip") for k in range(4)]
    c0 = cp[at[0]]
    bullet = (
        (has[0] & _BULLET_SET.take(c0, mode="clip") & space[1])
        | (dec[0] & ends_number[1] & space[2])
        | (dec[0] & dec[1] & ends_number[2] & space[3])
    )
    last = cp[np.maximum(chars.starts + chars.lens - 1, 0)]
    bracketed = (chars.lens >= 2) & _OPEN_SET.take(c0, mode="clip") & _CLOSE_SET.take(last, mode="clip")
    alnum = has[0] & ((fl[at[0]] & C_WORD) != 0) & (c0 != ord("_"))
    lead = np.where(alnum | ~has[0], -1, c0.astype(np.int64))
    return bullet.astype(np.float32), bracketed.astype(np.float32), lead


def _lower_hits(pattern: re.Pattern, texts: list[str], chars: Chars) -> np.ndarray:
    """Per line: does ``pattern`` match in its lower case? One scan of the
    whole dump (the pattern must not match across a line break)."""
    if len(chars.lower) != len(chars.joined):  # lower-casing changed lengths ("İ"): line by line
        return np.fromiter((pattern.search(t.lower()) is not None for t in texts), dtype=np.float32, count=len(texts))
    out = np.zeros(len(texts), dtype=np.float32)
    at = [m.start() for m in pattern.finditer(chars.lower)]
    if at:
        out[chars.ids[at]] = 1.0
    return out


def line_features(lines: Lines) -> np.ndarray:
    """The first-stage matrix for a dump (columns: ``LINE_FEATURES``)."""
    if len(lines) == 0:
        return np.zeros((0, len(LINE_FEATURES)), dtype=np.float32)
    dump = _dump_lines(lines)
    neighbours = _neighbour_columns(dump) + _prose_columns(dump) + _against_page_columns(dump)
    # cast while joining: a float64 copy of the whole matrix first would cost
    # 160 MB and a quarter second on a dump of 300,000 lines
    return np.hstack(
        [
            _own_columns(dump),
            _position_columns(dump),
            np.column_stack(neighbours),
            _page_columns(dump),
            voice_stats(dump.chars, dump.words),
        ],
        dtype=np.float32,
    )


class _DumpLines(NamedTuple):
    """Per-line arrays that several column groups read."""

    texts: list[str]
    chars: Chars
    stats: np.ndarray  # ``text_stats``
    n_chars: np.ndarray
    log_chars: np.ndarray
    words: np.ndarray
    ends: np.ndarray  # ends in sentence punctuation
    stop: np.ndarray  # function-word share
    long: np.ndarray  # ``LONG_LINE_CHARS`` or more, ending in punctuation: prose
    blank_before: np.ndarray
    blank_after: np.ndarray
    chrome: np.ndarray  # chrome-word share
    marks: tuple[np.ndarray, np.ndarray, np.ndarray]  # ``_line_marks``: bullet, bracketed, leading mark
    total: float  # characters of the dump (at least 1)
    long_chars: np.ndarray  # the characters of long lines (0 for the others)
    total_long: float  # ... their sum (at least 1)


def _dump_lines(lines: Lines) -> _DumpLines:
    texts = lines.texts
    chars = Chars.of(texts)
    stats = text_stats(texts, frozenset(), chars)
    n_chars = np.fromiter(map(len, texts), dtype=np.float32, count=len(texts))
    words, ends, stop = (stat_columns(stats, name) for name in ("words", "ends_with_punct", "stopword_ratio"))
    long = ((n_chars >= LONG_LINE_CHARS) & (ends > 0)).astype(np.float32)
    long_chars = long * n_chars
    return _DumpLines(
        texts=texts,
        chars=chars,
        stats=stats,
        n_chars=n_chars,
        log_chars=np.log1p(n_chars),
        words=words,
        ends=ends,
        stop=stop,
        long=long,
        blank_before=np.asarray(lines.blank_before, dtype=np.float32),
        blank_after=np.asarray(lines.blank_after, dtype=np.float32),
        chrome=chrome_share(chars, words),
        marks=_line_marks(chars),
        total=float(n_chars.sum()) or 1.0,
        long_chars=long_chars,
        total_long=float(long_chars.sum()) or 1.0,
    )


def _own_columns(dump: _DumpLines) -> np.ndarray:
    """``_OWN``: what the line is, and whether a longer line repeats it."""
    bb, ba = dump.blank_before, dump.blank_after
    bullet, bracketed, _ = dump.marks
    later, earlier = _containment(dump.texts, dump.chars)
    return np.column_stack(
        [
            dump.stats,
            dump.log_chars,
            np.log1p(dump.words),
            bb,
            ba,
            bb * ba,
            upper_share(dump.chars),
            bullet,
            bracketed,
            _lower_hits(_URLISH, dump.texts, dump.chars),
            dump.long,
            later,
            earlier,
            dump.chrome,
        ]
    )


def _position_columns(dump: _DumpLines) -> np.ndarray:
    """``_POS``: where the line sits in the dump."""
    n = len(dump.texts)
    idx = np.arange(n, dtype=np.float32)
    cum = np.cumsum(dump.n_chars) - dump.n_chars
    return np.column_stack([idx / max(n - 1, 1), cum / dump.total, np.minimum(idx, 50), np.minimum(n - 1 - idx, 50)])


def _neighbour_columns(dump: _DumpLines) -> list[np.ndarray]:
    """The lines around: the two before and after, the window means, and the
    distance to the nearest long line on each side."""
    n = len(dump.texts)
    long = dump.long
    arrays = (dump.log_chars, dump.stop, dump.ends, long)
    cols = [shift(arr, step * d, -1.0) for step in (1, -1) for d in (1, 2) for arr in arrays]
    win3 = np.lib.stride_tricks.sliding_window_view(np.pad(dump.log_chars, 1, constant_values=0.0), 3).mean(axis=1)
    win5 = np.lib.stride_tricks.sliding_window_view(np.pad(long, 2, constant_values=0.0), 5).mean(axis=1)
    long_idx = np.flatnonzero(long > 0)
    if long_idx.size:
        p = np.searchsorted(long_idx, np.arange(n))
        prev_l = np.where(p > 0, np.arange(n) - long_idx[np.maximum(p - 1, 0)], 50)
        q = np.searchsorted(long_idx, np.arange(n), side="right")
        next_l = np.where(q < long_idx.size, long_idx[np.minimum(q, long_idx.size - 1)] - np.arange(n), 50)
    else:
        prev_l = next_l = np.full(n, 50)
    return cols + [win3, win5, np.minimum(prev_l, 50), np.minimum(next_l, 50)]


def _prose_columns(dump: _DumpLines) -> list[np.ndarray]:
    """Where the prose is: the share of the dump's long-line text before and
    after the line, and of long lines among the ten lines on each side."""
    n = len(dump.texts)
    long, long_chars, total_long = dump.long, dump.long_chars, dump.total_long
    before = (np.cumsum(long_chars) - long_chars) / total_long
    after = 1.0 - before - long_chars / total_long
    csum = np.concatenate(([0.0], np.cumsum(long)))
    lo = np.maximum(np.arange(n) - 10, 0)
    hi = np.minimum(np.arange(n) + 11, n)
    prev10 = (csum[np.arange(n)] - csum[lo]) / np.maximum(np.arange(n) - lo, 1)
    next10 = (csum[hi] - csum[np.arange(n) + 1]) / np.maximum(hi - np.arange(n) - 1, 1)
    return [before, np.maximum(after, 0.0), prev10, next10]


def _against_page_columns(dump: _DumpLines) -> list[np.ndarray]:
    """Runs of short unpunctuated lines (menus, headline lists) and of lines
    opening with the same mark ("•", "-", "|"); and the line against the
    page: chrome words around it (a consent box is several lines), its
    function-word share against the prose's, its length against the longest
    line's. (Tried and dropped, no gain in cross-validation: punctuation
    against the prose's, distance from the longest line, rank of the length.)"""
    n_chars, stop, logc = dump.n_chars, dump.stop, dump.log_chars
    short = (n_chars < 80) & (dump.ends == 0)
    _, _, lead = dump.marks
    chrome7 = np.lib.stride_tricks.sliding_window_view(np.pad(dump.chrome, 3), 7).mean(axis=1)
    long_chars, total_long = dump.long_chars, dump.total_long
    prose_stop = float((stop * long_chars).sum() / total_long) if long_chars.any() else float(stop.mean())
    return [
        np.log1p(_run_lengths(short)) * short,
        np.log1p(_run_lengths((lead >= 0) & (lead == np.concatenate(([-1], lead[:-1]))))),
        chrome7,
        stop - prose_stop,
        logc - float(logc.max()),
    ]


def _page_columns(dump: _DumpLines) -> np.ndarray:
    """``_PAGE``: the same for every line of the dump."""
    n = len(dump.texts)
    row = [np.log1p(n), np.log1p(dump.total), float(dump.long.mean()), float(dump.blank_before.mean())]
    return np.tile(np.array(row, dtype=np.float32), (n, 1))


def line_context_features(base: np.ndarray, p1: np.ndarray) -> np.ndarray:
    """The second-stage matrix: ``base`` plus stage-1 scores around each line."""
    if base.shape[0] == 0:
        return np.zeros((0, base.shape[1] + len(LINE_CONTEXT_FEATURES)), dtype=np.float32)
    w = np.expm1(base[:, LINE_FEATURES.index("log_chars")]).astype(np.float64)
    shifts, window, span = sequence_context(p1, w)
    return np.hstack([base, np.column_stack(shifts + window + span).astype(np.float32)])
