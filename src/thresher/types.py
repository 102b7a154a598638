"""The records thresher returns: ``Article``, its ``Block``s and the ``Removed`` ones."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum

from .unicodenorm import normalize

__all__ = [
    "METADATA_FIELDS",
    "PAGE_TYPES",
    "SCHEMA_VERSION",
    "Article",
    "Block",
    "Comment",
    "Kind",
    "Metadata",
    "Removed",
]

#: Version of the ``Article.to_dict()`` layout; bumped when a field changes meaning.
#: 3: ``published``/``updated`` are calendar days, ``published_time`` the UTC instant.
SCHEMA_VERSION = 3

#: The page types ``Metadata.page_type`` takes (WCXB's labels of its pages).
PAGE_TYPES = ("article", "forum", "product", "listing", "documentation", "collection", "other")


class Kind(StrEnum):
    """What a block is, structurally."""

    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    QUOTE = "quote"
    TABLE_ROW = "table_row"
    CODE = "code"
    CAPTION = "caption"
    #: A reader comment, appended after the article with ``Config(comments=True)``.
    COMMENT = "comment"


@dataclass(frozen=True, slots=True)
class Block:
    """One unit of the article's body, in reading order.

    ``score`` is the model's probability that the block is article content;
    ``level`` is the heading level (1-6) for headings, else 0.
    """

    kind: Kind
    text: str
    score: float = 1.0
    level: int = 0

    def to_dict(self) -> dict:
        d = {"kind": self.kind.value, "text": self.text, "score": round(self.score, 4)}
        if self.level:
            d["level"] = self.level
        return d


@dataclass(frozen=True, slots=True)
class Removed:
    """A block judged boilerplate, kept so a user can audit the decision.

    ``reason`` is ``"model"`` when the classifier's ``score`` fell under the
    threshold, or a short name of the rule that dropped it (``"title"``,
    ``"duplicate"``, ...).
    """

    kind: Kind
    text: str
    score: float
    reason: str

    def to_dict(self) -> dict:
        return {"kind": self.kind.value, "text": self.text, "score": round(self.score, 4), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Comment:
    """A reader comment under the article (or a post of its thread).

    ``author`` and ``published`` (a day, ``YYYY-MM-DD``, as ``Article.published``)
    are what the comment's own lines state, else ``None``; ``depth`` is 0 for a comment on the article, 1 for a reply to
    it...; ``parent`` is the index in ``Article.comments`` of the comment it
    replies to. ``score`` is the comment model's mean probability.
    """

    text: str
    author: str | None = None
    published: str | None = None
    depth: int = 0
    parent: int | None = None
    score: float = 1.0

    def to_dict(self) -> dict:
        d = {"text": self.text, "author": self.author, "published": self.published, "depth": self.depth}
        if self.parent is not None:
            d["parent"] = self.parent
        d["score"] = round(self.score, 4)
        return d


@dataclass(slots=True)
class Metadata:
    """What a page says about its article, declared once: the same fields are
    ``Article``'s and the store's columns (``METADATA_FIELDS``)."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    #: The day the article was published, as the page dates it: always
    #: ``YYYY-MM-DD`` (``datetime.date.fromisoformat`` reads it). ``updated``
    #: is a day of the same form.
    published: str | None = None
    updated: str | None = None
    site_name: str | None = None
    language: str | None = None  # ISO 639-1
    canonical_url: str | None = None
    description: str | None = None
    image: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    #: A dateline whose date states no year ("MOSCOW, November 21"), as written;
    #: ``published`` stays empty rather than guess the year.
    dateline: str | None = None
    #: What kind of page this is, as the page-type model reads it: one of
    #: ``PAGE_TYPES`` ("article", "forum", "product", "listing", ...).
    page_type: str | None = None
    #: The instant of publication in UTC, ``YYYY-MM-DDTHH:MM:SS+00:00``, when
    #: the page states a time *and* its zone; else ``None`` (a time without a
    #: zone names no instant). Its day in UTC may differ from ``published``,
    #: which is the page's own day.
    published_time: str | None = None

    def apply_to(self, article: Metadata) -> None:
        """Copy every field this has onto ``article``, leaving the others as they are."""
        for name in METADATA_FIELDS:
            value = getattr(self, name)
            if value not in (None, [], ""):
                setattr(article, name, value)

    @classmethod
    def of(cls, article: Metadata) -> Metadata:
        """The metadata fields of an ``Article`` (or of any ``Metadata``)."""
        return cls(**{name: getattr(article, name) for name in METADATA_FIELDS})


#: The metadata fields, in order: the same names on ``Article`` and in the store.
METADATA_FIELDS = tuple(f.name for f in fields(Metadata))


@dataclass(slots=True)
class Article(Metadata):
    """An article: its metadata, its body blocks and the removed chrome."""

    blocks: list[Block] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    #: The reader comments, apart from the article (never in ``text``'s
    #: article blocks; appended as ``Kind.COMMENT`` blocks with ``Config(comments=True)``).
    comments: list[Comment] = field(default_factory=list)
    url: str | None = None
    #: How the input was decoded (``"utf-8"``, ``"cp1251"``...), ``None`` for ``str`` input.
    encoding: str | None = None
    #: Why the article is empty when the input was no page at all
    #: ("gzip-compressed data", "a PNG image", "binary data"): such bytes are
    #: refused before decoding. ``None`` otherwise (a page without an article
    #: says what was dropped in ``removed``).
    reason: str | None = None

    @property
    def text(self) -> str:
        """The body: one block per line, a blank line between blocks, no headline."""
        return "\n\n".join(b.text for b in self.blocks)

    def __bool__(self) -> bool:
        return bool(self.blocks)

    def metadata(self) -> dict:
        """The metadata fields (no body), as ``to_dict`` writes them."""
        return {k: v for k, v in self.to_dict(removed=False).items() if k not in ("text", "blocks", "schema")}

    def to_markdown(self, *, front_matter: bool = False) -> str:
        """The article as Markdown: the headline as ``#``, then the body's structure.

        With ``front_matter`` the metadata comes first as a YAML block (each
        value written as JSON, which YAML reads as the same value).
        """
        out: list[str] = []
        if front_matter:
            out.append("---")
            out += [
                f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in self.metadata().items() if v not in (None, [])
            ]
            out.append("---")
        if self.title:
            out.append("# " + self.title)
        prev_kind = None
        for i, b in enumerate(self.blocks):
            if b.kind is Kind.HEADING:
                line = "#" * min(6, max(2, b.level or 2)) + " " + b.text
            elif b.kind is Kind.LIST_ITEM:
                line = "- " + b.text
            elif b.kind is Kind.QUOTE:
                line = "\n".join("> " + ln for ln in b.text.splitlines())
            elif b.kind is Kind.CODE:
                line = "```\n" + b.text + "\n```"
            elif b.kind is Kind.TABLE_ROW:
                line = _table_row(b.text.split("\t"))
                if prev_kind is not Kind.TABLE_ROW:
                    line = _table_head(self.blocks, i)
            elif b.kind is Kind.CAPTION:
                line = "*" + b.text + "*"
            elif b.kind is Kind.COMMENT:
                line = "\n".join("> " + ln if ln else ">" for ln in b.text.splitlines())
                if prev_kind is not Kind.COMMENT:  # the thread starts under its own heading
                    line = "## Comments\n\n" + line
            else:
                line = b.text
            # Consecutive list items and table rows stay together, as Markdown needs.
            if out and not (b.kind is prev_kind and b.kind in (Kind.LIST_ITEM, Kind.TABLE_ROW)):
                out.append("")
            out.append(line)
            prev_kind = b.kind
        return "\n".join(out) + ("\n" if out else "")

    def to_dict(self, *, removed: bool = True) -> dict:
        d = {
            "schema": SCHEMA_VERSION,
            "url": self.url,
            "canonical_url": self.canonical_url,
            "title": self.title,
            "authors": list(self.authors),
            "published": self.published,
            "published_time": self.published_time,
            "updated": self.updated,
            "site_name": self.site_name,
            "language": self.language,
            "description": self.description,
            "image": self.image,
            "section": self.section,
            "tags": list(self.tags),
            "dateline": self.dateline,
            "page_type": self.page_type,
            "encoding": self.encoding,
            "reason": self.reason,
            "text": self.text,
            "blocks": [b.to_dict() for b in self.blocks],
            "comments": [c.to_dict() for c in self.comments],
        }
        if removed:
            d["removed"] = [r.to_dict() for r in self.removed]
        return d


def _table_row(cells: list[str]) -> str:
    """Cells as one Markdown table row: a ``|`` in a cell escaped, a line break a space."""
    return "| " + " | ".join(" ".join(c.split()).replace("|", "\\|") for c in cells) + " |"


def _table_head(blocks: list[Block], start: int) -> str:
    """The first row of the table that starts at ``blocks[start]``, with the
    delimiter row under it (``|---|---|``): GFM renders a table only under a
    header, and the first row is the one a page shows on top. The header has
    as many columns as the table's widest row (padded with empty cells), since
    a renderer drops the cells of a row beyond the header's."""
    width = 0
    for b in blocks[start:]:
        if b.kind is not Kind.TABLE_ROW:
            break
        width = max(width, b.text.count("\t") + 1)
    cells = blocks[start].text.split("\t")
    return _table_row(cells + [""] * (width - len(cells))) + "\n|" + "---|" * width


def _nfc(text: str) -> str:
    return normalize("NFC", text)  # runs of combining marks bounded: see ``unicodenorm``


def _nfc_record(record):
    """A ``Block`` or ``Removed`` with its text in NFC (the same object when it already is)."""
    if record.text.isascii():  # most records: no call at all (a dump can have 300,000 lines)
        return record
    text = _nfc(record.text)
    return record if text is record.text else replace(record, text=text)


def nfc_article(article: Article) -> Article:
    """Put every text ``article`` carries in Unicode NFC, in place; return it.

    Pages mix composed and decomposed forms of the same letters (Bengali,
    Vietnamese, Korean, accents typed on a Mac); a corpus wants one form, so
    search, deduplication and tokenisers treat equal text as equal. Applied to
    the output only: the models see the page as it came."""
    article.blocks = [_nfc_record(b) for b in article.blocks]
    article.removed = [_nfc_record(r) for r in article.removed]
    article.comments = [replace(c, text=_nfc(c.text), author=c.author and _nfc(c.author)) for c in article.comments]
    for name in ("title", "site_name", "description", "section", "dateline"):
        value = getattr(article, name)
        if value:
            setattr(article, name, _nfc(value))
    article.authors = [_nfc(a) for a in article.authors]
    article.tags = [_nfc(t) for t in article.tags]
    return article
