"""Full-text search of the store: two indexes kept by triggers, queries read as words, a bounded cost.

The indexes, both FTS5 tables over the ``documents`` table (external content:
they hold the index, ``documents`` the text), of the articles only
(``status = 'ok'``):

- ``documents_fts``, words (``unicode61``, diacritics folded): every article.
  It is written ``content="documents"`` in double quotes, the form Datasette
  looks for, so the store opens in Datasette with its search box working.
- ``documents_tri``, character trigrams: only the articles holding characters
  of a script written without spaces between words (Chinese, Japanese, Thai,
  Khmer, ... and Korean, whose words carry their particles), which a word
  tokenizer leaves as one token a sentence long. A corpus without such text
  pays nothing for it. Its ``content='documents'`` is single-quoted on purpose,
  so that Datasette's detection picks the word index only.

Triggers on INSERT, UPDATE (of id, status, title, text: duplicate links do not
re-index) and DELETE keep both in step with ``documents``, whoever writes it.
A SQLite without the trigram tokenizer (before 3.34) gets the word index only,
and searches those scripts by a substring scan instead.

A query is, by default, a person's words (``_plain``): each whitespace-separated
chunk, or "double-quoted text", is one quoted FTS5 phrase, so punctuation in it
(``covid-19``, ``U.S.``, ``9/11``, ``don't``, ``C++``) is cut exactly as the
index cut the text and never read as syntax. Chunks of the unsegmented scripts
go to the trigram index, or, shorter than a trigram, to a substring scan of the
articles in it. FTS5's own syntax (AND/OR/NOT, NEAR, ``title:``, ``prefix*``)
is there on request (``syntax="fts"``).

The cost is bounded (issue 16): a query's length and its prefix terms are
limited before it runs, and a time budget stops it while it runs
(``sqlite3.Connection.set_progress_handler``). For that, the hits are ranked
first and only those shown are highlighted: FTS5's ``snippet`` is quadratic in
a text's matches and cannot be stopped; ``_snippet`` cuts the line instead.
"""

from __future__ import annotations

import re
import sqlite3
import time
import unicodedata
from dataclasses import asdict, dataclass
from typing import Literal

from ..errors import ThresherError

__all__ = [
    "MAX_PREFIX_TERMS",
    "MAX_QUERY_CHARS",
    "MIN_PREFIX_CHARS",
    "SEARCH_INDEX_VERSION",
    "TIME_BUDGET",
    "QueryError",
    "SearchHit",
    "create_statements",
    "rebuild",
    "search",
    "trigram_available",
]

#: The store schema version that introduced these indexes; a store older than
#: this has them rebuilt when it is upgraded (``rebuild``).
SEARCH_INDEX_VERSION = 5

#: Longest query, in characters. Set far above any query a person types (a
#: pasted sentence is 100-300) and low enough that no query is long enough to
#: cost much: on the bench store (4,108 articles, ``benchmarks/run_search.py``)
#: 64 distinct common words took 0.14 s, 120 OR-ed (``--fts``) 0.5 s.
MAX_QUERY_CHARS = 1000
#: At most this many prefix terms (``term*``) in an FTS5 query, each of at least
#: ``MIN_PREFIX_CHARS`` characters. A prefix term is expanded to every indexed
#: word it starts and their lists are merged: on the bench store ``a*`` took
#: 0.13 s, ``th*`` 0.04 s, 4 × ``a*`` 0.5 s, 8 × ``a*`` 1.1 s and 64 × ``a*``
#: (issue 16: 154 s on a 990-page store) was stopped only by the time budget.
#: Four cover a real query (``educat* polic* reform*``); two characters cut the
#: expansion of the broadest one-letter prefixes by about three.
MAX_PREFIX_TERMS = 4
MIN_PREFIX_CHARS = 2
#: Seconds a search may run before it is stopped with a message. Queries on the
#: bench store take 1-40 ms (``the``: 25-40 ms); 1.5 s leaves room for stores
#: thirty times larger and keeps every query under issue 16's 2 s (the stop is
#: checked every few thousand SQLite steps); what it stops is a pathological
#: query (150 × ``"the"`` with ``--fts``).
#: ``Store.search(time_budget=...)`` and ``thresher search --timeout`` change it.
TIME_BUDGET = 1.5
#: The progress handler runs every this many SQLite VM instructions: often
#: enough to stop within a few tenths of a second of the budget (FTS5 does much
#: of its work inside single instructions: 5.4 s for a 5 s budget, 1.07 s for
#: 1 s), rarely enough to cost nothing measurable.
_PROGRESS_EVERY = 1000

#: The trigram tokenizer's window: a term shorter than this matches nothing in
#: the trigram index, and is searched as a substring instead.
_TRIGRAM = 3
#: A snippet's width in terminal columns (a Chinese character takes two), and
#: how much of it comes before the first match: about the 16 words FTS5's
#: ``snippet`` showed, on one line.
_SNIPPET_WIDTH = 100
_SNIPPET_LEAD = 30

#: Code-point ranges of the scripts written without spaces between words (or,
#: Korean, with particles attached to them): text holding them is put in the
#: trigram index, and query terms holding them are searched there. Few and wide,
#: as the triggers test every article with them and a GLOB's cost grows with
#: its ranges (13 exact ranges: 5.7 s over the bench store's 24 M characters,
#: these 5: 1.9 s, about 0.5 ms an article). The neighbours they take in
#: (Georgian, the rare Latin Extended-D/E and Cyrillic Extended-B letters) only
#: put a few more articles in the trigram index; CJK compatibility ideographs
#: and halfwidth Katakana, rare and left out, are searched as words.
_UNSEGMENTED = (
    (0x0E00, 0x0FFF),  # Thai, Lao, Tibetan
    (0x1000, 0x11FF),  # Myanmar, (Georgian,) Hangul Jamo
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0xD7AF),  # CJK radicals and punctuation, Kana, Bopomofo, CJK ideographs, Yi, Hangul syllables
    (0x20000, 0x3134F),  # CJK ideographs, extensions B-G
)
_UNSEGMENTED_RE = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _UNSEGMENTED) + "]")
#: The same test in SQL, for the triggers (GLOB classes compare code points).
_UNSEGMENTED_GLOB = "*[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _UNSEGMENTED) + "]*"

#: A user query's chunks: "double-quoted text" (an unclosed quote runs to the end), or a run of non-space.
_CHUNK_RE = re.compile(r'"([^"]*)"?|([^\s"]+)')
#: FTS5's lexemes, enough to find prefix terms: strings, barewords, one other character.
_FTS_LEXEME_RE = re.compile(r'"(?:[^"]|"")*"?|[A-Za-z0-9_\x1a\x80-\U0010ffff]+|\S')


class QueryError(ThresherError):
    """A search query that cannot be run: bad FTS5 syntax, or over the cost limits."""


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One article found, with its text around the match (the match in [brackets])."""

    id: int
    title: str | None
    url: str | None
    source: str
    site: str | None
    published: str | None
    duplicate_of: int | None
    snippet: str

    def to_dict(self) -> dict:
        """The fields as JSON holds them (``thresher search --json``: one object per line)."""
        return asdict(self)


# -- the indexes --------------------------------------------------------------------------


def trigram_available() -> bool:
    """Whether the running SQLite has FTS5's trigram tokenizer (3.34 and later)."""
    return sqlite3.sqlite_version_info >= (3, 34, 0)


def _unsegmented_sql(row: str) -> str:
    """SQL that is true when ``row``'s title or text holds a character of the unsegmented scripts."""
    return f"(coalesce({row}.title, '') || coalesce({row}.text, '')) GLOB '{_UNSEGMENTED_GLOB}'"


def _index_sql(row: str, *, delete: bool = False, trigram: bool) -> list[str]:
    """The statements that add ``row`` to the indexes, or take it out (the external-content
    'delete' command, given the values that were indexed): what is indexed, said once. ``row`` is
    ``new`` or ``old`` in a trigger, or ``documents`` to index every stored article."""
    out = []
    for table, condition in (("documents_fts", ""), ("documents_tri", f" AND {_unsegmented_sql(row)}")):
        if table == "documents_tri" and not trigram:
            continue
        into, command = (
            (f"{table}({table}, rowid, title, text)", "'delete', ") if delete else (f"{table}(rowid, title, text)", "")
        )
        scan = " FROM documents" if row == "documents" else ""
        out.append(
            f"INSERT INTO {into} SELECT {command}{row}.id, {row}.title, {row}.text{scan} "
            f"WHERE {row}.status = 'ok'{condition};"
        )
    return out


def create_statements(*, trigram: bool) -> list[str]:
    """The CREATE statements of the indexes and their triggers (all ``IF NOT EXISTS``)."""
    tables = [
        "CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(title, text, "
        'content="documents", content_rowid="id", tokenize="unicode61 remove_diacritics 2")'
    ]
    if trigram:
        tables.append(
            "CREATE VIRTUAL TABLE IF NOT EXISTS documents_tri USING fts5(title, text, "
            "content='documents', content_rowid='id', tokenize='trigram')"
        )
    add_new = _index_sql("new", trigram=trigram)
    drop_old = _index_sql("old", delete=True, trigram=trigram)
    triggers = {
        "documents_ai AFTER INSERT ON documents": add_new,
        "documents_ad AFTER DELETE ON documents": drop_old,
        "documents_au AFTER UPDATE OF id, status, title, text ON documents": drop_old + add_new,
    }
    return tables + [
        f"CREATE TRIGGER IF NOT EXISTS {head} BEGIN\n    " + "\n    ".join(body) + "\nEND"
        for head, body in triggers.items()
    ]


def rebuild(db: sqlite3.Connection, *, trigram: bool) -> None:
    """Drop the indexes and their triggers, create them anew and index the stored articles.

    Run inside the caller's transaction (a store's upgrade): every statement is
    executed singly, since ``executescript`` would commit. FTS5's own 'rebuild'
    would index every row of ``documents``, failures too: the rows are
    inserted, with the triggers' conditions, instead."""
    for trigger in ("documents_ai", "documents_ad", "documents_au"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for table in ("documents_fts", "documents_tri"):
        db.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in create_statements(trigram=trigram) + _index_sql("documents", trigram=trigram):
        db.execute(statement)


# -- queries ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Plan:
    """How a query runs: FTS5 queries of the indexes (the first ranks the hits and
    gives the snippet, the others filter), then substrings every hit must hold."""

    match: tuple[tuple[str, str], ...] = ()  # (index table, FTS5 query)
    substrings: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.match or self.substrings)


def _is_token_char(c: str) -> bool:
    """A character the word index keeps in its tokens (unicode61: letters, numbers, private
    use), or a mark, which belongs to the letter before it (Thai and Devanagari vowel signs)."""
    category = unicodedata.category(c)
    return category[0] in "LNM" or category == "Co"


def _tokens(text: str) -> list[str]:
    """The runs of token characters in ``text``, as the word index cuts them."""
    out, run = [], []
    for c in text:
        if _is_token_char(c):
            run.append(c)
        elif run:
            out.append("".join(run))
            run = []
    return out + (["".join(run)] if run else [])


def _phrase(text: str) -> str:
    """``text`` as one FTS5 string: a phrase of its tokens, punctuation never read as syntax."""
    return '"' + text.replace('"', '""') + '"'


def _strip_edges(chunk: str) -> str:
    """``chunk`` without the punctuation around it (a trigram or substring term holds it literally)."""
    start, end = 0, len(chunk)
    while start < end and not _is_token_char(chunk[start]):
        start += 1
    while end > start and not _is_token_char(chunk[end - 1]):
        end -= 1
    return chunk[start:end]


def _plain(query: str, *, trigram: bool) -> _Plan:
    """A person's query: each chunk, or "quoted text", one phrase that every hit holds.

    Chunks of the unsegmented scripts go to the trigram index (or, shorter than
    a trigram or with no trigram index, to the substring scan); the others to
    the word index. A repeated chunk counts once (FTS5's cost grows with each
    copy of a term); a chunk of punctuation alone is no term."""
    words: dict[str, str] = {}
    trigrams: dict[str, str] = {}
    substrings: dict[str, str] = {}
    for m in _CHUNK_RE.finditer(query):
        chunk = m.group(1) if m.group(1) is not None else m.group(2)
        if _UNSEGMENTED_RE.search(chunk):
            core = _strip_edges(chunk)
            if trigram and len(core) >= _TRIGRAM:
                trigrams.setdefault(core.casefold(), _phrase(core))
            else:
                substrings.setdefault(core.casefold(), core)
        elif tokens := _tokens(chunk):
            words.setdefault(" ".join(tokens).casefold(), _phrase(chunk))
    match = []
    if trigrams:
        match.append(("documents_tri", " ".join(trigrams.values())))
    if words:
        match.append(("documents_fts", " ".join(words.values())))
    return _Plan(tuple(match), tuple(substrings.values()))


def _fts(query: str, *, trigram: bool) -> _Plan:
    """An FTS5 query as written, its prefix terms checked first; it goes to the trigram
    index when it holds characters of the unsegmented scripts (and there is one)."""
    lexemes = _FTS_LEXEME_RE.findall(query)
    prefixes = [before for before, lexeme in zip(["*", *lexemes], lexemes) if lexeme == "*" and before != "*"]
    if len(prefixes) > MAX_PREFIX_TERMS:
        raise QueryError(
            f"search query has {len(prefixes)} prefix terms (term*); at most {MAX_PREFIX_TERMS} are allowed"
        )
    for prefix in prefixes:
        tokens = _tokens(prefix)
        if tokens and len(tokens[-1]) < MIN_PREFIX_CHARS:
            raise QueryError(
                f"prefix term {prefix}* is too broad: give at least {MIN_PREFIX_CHARS} characters before the *"
            )
    if not query.strip():
        return _Plan()
    table = "documents_tri" if trigram and _UNSEGMENTED_RE.search(query) else "documents_fts"
    return _Plan(((table, query),))


# -- running ------------------------------------------------------------------------------

_HIT_COLUMNS = "d.id, d.title, d.url, d.source, d.site, d.published, d.duplicate_of"
#: What the substring scan searches: the title and the text, ASCII case folded (SQLite's ``lower``).
_HAYSTACK = "lower(coalesce(d.title, '') || ' ' || coalesce(d.text, ''))"
#: The marks FTS5's ``highlight`` puts around each match: control characters, which stored text never holds.
_MARKED_RE = re.compile("\x02([^\x03]*)\x03")


def _sql(plan: _Plan, *, trigram: bool, include_duplicates: bool, limit: int) -> tuple[str, list]:
    """The SELECT of ``plan``: the hit's columns, then its text (matches marked, by FTS5's
    ``highlight``, or plain, for the substring scan), best first.

    The best hits are chosen first and only they are highlighted: FTS5's
    ``snippet`` is quadratic in the matches of a text and a call cannot be
    stopped (100 x ``the`` OR-ed took 191 s for 20 hits on the bench store)."""
    where: list[str] = []
    params: list = []
    for table, match in plan.match[1:]:
        where.append(f"d.id IN (SELECT rowid FROM {table} WHERE {table} MATCH ?)")
        params.append(match)
    for s in plan.substrings:
        where.append(f"instr({_HAYSTACK}, lower(?)) > 0")
        params.append(s)
    if not include_duplicates:
        where.append("d.duplicate_of IS NULL")
    filters = "".join(" AND " + w for w in where)
    if plan.match:
        table, match = plan.match[0]
        sql = (
            f"WITH top AS (SELECT d.id, bm25({table}, 2.0, 1.0) AS score "  # a title word weighs two of the text
            f"FROM {table} JOIN documents d ON d.id = {table}.rowid WHERE {table} MATCH ?{filters} "
            "ORDER BY score LIMIT ?) "
            f"SELECT {_HIT_COLUMNS}, highlight({table}, 1, char(2), char(3)) FROM top "
            f"JOIN documents d ON d.id = top.id JOIN {table} ON {table}.rowid = top.id "
            f"WHERE {table} MATCH ? ORDER BY top.score"
        )
        return sql, [match, *params, limit, match]
    # only the articles in the trigram index can hold these characters
    scope = "d.id IN (SELECT id FROM documents_tri_docsize)" if trigram else "d.status = 'ok'"
    # in the title first, then by how often the first term occurs
    needle, text = "lower(?)", "lower(coalesce(d.text, ''))"
    order = (
        f"instr(lower(coalesce(d.title, '')), {needle}) > 0 DESC, "
        f"(length({text}) - length(replace({text}, {needle}, ''))) / length({needle}) DESC, d.id"
    )
    sql = f"SELECT {_HIT_COLUMNS}, d.text FROM documents d WHERE {scope}{filters} ORDER BY {order} LIMIT ?"
    return sql, [*params, *[plan.substrings[0]] * order.count("?"), limit]


def _marked(marked: str | None) -> tuple[str, list[tuple[int, int]]]:
    """The text ``highlight`` marked, and the spans of its matches (in order, apart)."""
    parts, spans, at, last = [], [], 0, 0
    for m in _MARKED_RE.finditer(marked or ""):
        parts += [marked[last : m.start()], m.group(1)]
        at += m.start() - last
        spans.append((at, at + len(m.group(1))))
        at, last = at + len(m.group(1)), m.end()
    parts.append((marked or "")[last:])
    return "".join(parts), spans


def _joined(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` (in order) with those that overlap or touch across spaces made one: a phrase is one match."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and (a <= out[-1][1] or not text[out[-1][1] : a].strip()):
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def _found(text: str | None, needles: tuple[str, ...]) -> tuple[str, list[tuple[int, int]]]:
    """``text``, and the spans of every occurrence of the ``needles`` in it (any case)."""
    text = text or ""
    return text, sorted(m.span() for n in needles for m in re.finditer(re.escape(n), text, re.IGNORECASE))


def _width(c: str) -> int:
    return 2 if unicodedata.east_asian_width(c) in "WF" else 1


def _snippet(text: str, spans: list[tuple[int, int]]) -> str:
    """The stretch of ``text`` holding the most matches (``_SNIPPET_WIDTH`` columns: half as many
    Chinese characters), the matches in [brackets], cut at spaces where the text has them."""
    spans = _joined(text, spans)
    first = most = following = 0
    for i, (a, _) in enumerate(spans):  # the match followed by the most others within the window
        while following < len(spans) and spans[following][0] < a + _SNIPPET_WIDTH:
            following += 1
        if following - i > most:
            first, most = i, following - i
    start = end = spans[first][0] if spans else 0
    cells = 0
    while start > 0 and cells < _SNIPPET_LEAD:
        start -= 1
        cells += _width(text[start])
    while end < len(text) and cells < _SNIPPET_WIDTH:
        cells += _width(text[end])
        end += 1
    if start > 0 and (space := text.find(" ", start, spans[first][0])) >= 0:
        start = space + 1
    if end < len(text) and (space := text.rfind(" ", spans[first][1] if spans else 0, end)) > 0:
        end = space
    out, at = [], start
    for a, b in spans:
        if a < end and b > start:
            a, b = max(a, start), min(b, end)
            out += [text[at:a], "[", text[a:b], "]"]
            at = b
    body = "".join([*out, text[at:end]])
    return ("…" if start else "") + body + ("…" if end < len(text) else "")


def _fetch_bounded(db: sqlite3.Connection, sql: str, params: list, *, query: str, syntax: str, budget: float):
    """The rows of ``sql``, stopped by the progress handler once ``budget`` seconds have passed."""
    deadline = time.monotonic() + budget
    db.set_progress_handler(lambda: time.monotonic() > deadline, _PROGRESS_EVERY)
    try:
        return db.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise QueryError(
                f"search {query!r} stopped after {budget:g} s (the time budget): use rarer or fewer words, "
                "longer prefixes, or a larger budget (--timeout)"
            ) from None
        hint = (
            ' (FTS5 syntax: words, "phrases", AND/OR/NOT, NEAR(a b), title:word, prefix*; quote a term '
            'holding punctuation, "covid-19"; or leave out --fts to search the words as written)'
            if syntax == "fts"
            else ""
        )
        raise QueryError(f"bad search query {query!r}: {exc}{hint}") from None
    finally:
        db.set_progress_handler(None, 0)


def search(
    db: sqlite3.Connection,
    query: str,
    *,
    limit: int = 20,
    include_duplicates: bool = False,
    syntax: Literal["plain", "fts"] = "plain",
    time_budget: float = TIME_BUDGET,
) -> list[SearchHit]:
    """The articles matching ``query``, best first (``Store.search`` documents the arguments)."""
    if syntax not in ("plain", "fts"):
        raise ValueError(f"syntax must be 'plain' or 'fts', not {syntax!r}")
    if len(query) > MAX_QUERY_CHARS:  # before normalising: a long run of marks costs time to compose
        raise QueryError(f"search query of {len(query)} characters; at most {MAX_QUERY_CHARS} are allowed")
    query = unicodedata.normalize("NFC", query)
    trigram = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents_tri'").fetchone() is not None
    plan = _fts(query, trigram=trigram) if syntax == "fts" else _plain(query, trigram=trigram)
    if not plan or limit < 1:
        return []
    sql, params = _sql(plan, trigram=trigram, include_duplicates=include_duplicates, limit=limit)
    rows = _fetch_bounded(db, sql, params, query=query, syntax=syntax, budget=time_budget)
    hits = []
    for *columns, text in rows:
        text, spans = _marked(text) if plan.match else _found(text, plan.substrings)
        hits.append(SearchHit(*columns, _snippet(text, spans)))
    return hits
