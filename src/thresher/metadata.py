"""Article metadata: headline, dates, authors, site, language, links, tags.

From HTML the sources are read in a fixed, documented order, and the first
source that gives a valid value wins, field by field:

1. JSON-LD objects typed Article (NewsArticle, BlogPosting, ReportageNewsArticle,
   ... also inside ``@graph`` lists and ``mainEntity``);
2. meta tags: OpenGraph (``og:``, ``article:``), Dublin Core, ``name=author``,
   ``name=date`` and their common variants, ``itemprop`` microdata;
3. the page's own text near the headline: ``<time datetime>`` elements, a
   "By ..." byline, a "Published ..." line (the same line rules read text dumps);
4. the URL's date path (``/2024/05/17/``).

A value that fails validation is skipped, not returned: an impossible or
future date (``dates.parse_date``), an author that is an e-mail, a URL, a
handle, the site's own name or a word like "Staff". Authors are empty rather
than wrong. ``published`` falls back to ``updated`` when a page states only
one date (that date is the one the page shows its readers).

The functions here read the tree the extractor parsed; nothing parses twice.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from .dates import MONTH_PATTERN, month_day, parse_date
from .parse import PageNodes, page_nodes

__all__ = [
    "MAX_JSONLD_CHARS",
    "METADATA_FIELDS",
    "Metadata",
    "clean_authors",
    "detect_language",
    "html_metadata",
    "is_labelled_date_line",
    "site_of",
    "strip_site_suffix",
    "text_metadata",
]

#: A JSON-LD script longer than this is skipped unparsed. Real article
#: JSON-LD is a few kB (the bench's largest is ~200 kB, a product catalogue);
#: the cap bounds the cost of hostile or runaway scripts.
MAX_JSONLD_CHARS = 1_000_000
#: JSON-LD nesting deeper than this is not walked.
MAX_JSONLD_DEPTH = 12
#: Text shorter than this is too little for language identification; the
#: page's declared ``lang`` is used instead. (py3langid is unreliable under
#: ~40 characters.)
LANGID_MIN_CHARS = 40
#: Language identification reads at most this many characters of the body:
#: on the readability pages with a declared language, 600, 1000 and 2000
#: characters all gave 70 of 73 right; 600 costs a third of 2000.
LANGID_MAX_CHARS = 600
#: How many blocks after the headline (and before it) are read for a byline
#: or a date line. Bylines sit within a few blocks of the headline; 8 covers
#: a kicker, a standfirst, share buttons and an image caption in between.
NEAR_HEADLINE_AFTER = 8
NEAR_HEADLINE_BEFORE = 3

_ARTICLE_TYPES = re.compile(r"(?:^|[^a-z])(?:news|blog|reportage|analysis|opinion|review|report|tech|scholarly|satirical|backgroundnews)?(?:article|posting)$|^(?:liveblogposting|webpage-article)$", re.IGNORECASE)


@dataclass(slots=True)
class Metadata:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    updated: str | None = None
    site_name: str | None = None
    language: str | None = None
    canonical_url: str | None = None
    description: str | None = None
    image: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    dateline: str | None = None  # "MOSCOW, November 21": a date without a year, as stated

    def apply_to(self, article) -> None:
        """Copy every field this has onto ``article``, leaving the others as they are."""
        for name in METADATA_FIELDS:
            value = getattr(self, name)
            if value not in (None, [], ""):
                setattr(article, name, value)

    @classmethod
    def of(cls, article) -> Metadata:
        """The metadata fields of an ``Article``."""
        return cls(**{name: getattr(article, name) for name in METADATA_FIELDS})


#: The metadata fields, in order: the same names on ``Article`` and in the store.
METADATA_FIELDS = tuple(f.name for f in fields(Metadata))


# -- shared text rules (HTML bylines and text dumps) ---------------------------

_BY = re.compile(
    r"^\s*(?:(?:written|posted|reported|words|text|story|photos?)\s+)?(?:by|von|par|por|di|door|av|af|przez|от|автор)[\s:]+",
    re.IGNORECASE,
)
_AUTHOR_LABEL = re.compile(r"^\s*(?:authors?|autor(?:in|en)?|auteur|autore|redakteur(?:in)?|byline|text)\s*[:|]\s*", re.IGNORECASE)
_SPLIT_NAMES = re.compile(r"\s*(?:[,;|/&·•]|\band\b|\bund\b|\bet\b|\by\b|\be\b|\ben\b|\bog\b|\bi\b)\s*", re.IGNORECASE)
_NOT_A_NAME = re.compile(
    r"@|https?:|www\.|\.(?:com|org|net|de|co|uk|fr|io)\b|\d|"
    r"\b(?:staff|team|editors?|editorial|redaktion|newsroom|desk|admin|administrator|webmaster|"
    r"reporter|correspondent|contributor|guest|anonymous|unknown|press|news|media|agency|agencies|"
    r"wire|service|online|magazine|daily|times|post|journal|network|group|inc|ltd|llc|gmbh|"
    r"updated|published|posted|comments?|share|follow|read|minutes?|min|more|about|view|profile|"
    r"admin|root|user|author|autor|auteur|written|verfasst|by)\b",
    re.IGNORECASE,
)
_URLISH = re.compile(r"^\s*(?:https?:|www\.|/|\S+\.\w{2,4}/)", re.IGNORECASE)
_NAME_WORD = re.compile(r"^[^\W\d_][\w'’.\-]*$")
#: A person's name has 1-5 words: "Cher", "Ursula von der Leyen", "Maria
#: José da Silva Santos". Longer strings are sentences, not names.
MAX_NAME_WORDS = 5
_CREDENTIAL = re.compile(r"^(?:[A-Z]{2,5}|Ph\.?D\.?|M\.?D\.?|Jr\.?|Sr\.?|I{2,3}|IV)$")


def clean_authors(values, *, site_name: str | None = None, structured: bool = False, persons=()) -> list[str]:
    """Person names from raw author strings: split, stripped of "By", validated, de-duplicated.

    ``structured`` values come from markup that says "this is the author"
    (JSON-LD, meta tags, rel=author): there a lower-case handle ("gizzmo") is
    the name the page gives and is kept; in running text it is not. A name
    equal to the site's is dropped unless it is among ``persons`` (typed
    ``Person`` in JSON-LD: a one-person site named after its author).
    """
    persons = {_norm(p) for p in persons}
    out: list[str] = []
    seen: set[str] = set()
    site = _norm(site_name) if site_name else None
    for value in values:
        if not isinstance(value, str):
            continue
        value = " ".join(value.replace("&amp;", "&").split())
        if not value or len(value) > 200 or _URLISH.match(value):
            continue
        value = _AUTHOR_LABEL.sub("", _BY.sub("", value))
        # "Jane Doe - Site Name" / "Jane Doe | Reuters" -> the person only
        value = re.split(r"\s+[-–—|]\s+", value, maxsplit=1)[0]
        for part in _SPLIT_NAMES.split(value):
            name = _BY.sub("", part).strip(" .,:;-–—()[]\"'“”")
            if not name or _CREDENTIAL.match(name) or _NOT_A_NAME.search(name):
                continue
            words = name.split()
            if len(words) > MAX_NAME_WORDS or not all(_NAME_WORD.match(w) for w in words):
                continue
            if not structured and not any(w[0].isupper() for w in words):  # "john" in running text
                continue
            key = _norm(name)
            if key in seen or (site and key not in persons and (key == site or key in site.split())):
                continue
            seen.add(key)
            out.append(name)
    return out


#: ...and an unlabelled one has at most this many letters besides the date's.
MAX_DATE_LINE_LETTERS = 36
_DATE_LABEL = re.compile(
    r"^\s*(?:(?:first\s+)?(?:published|posted|created|erschienen|veröffentlicht|publié|publicado|pubblicato|gepubliceerd)"
    r"(?:\s+(?:on|am|le|el|il|op))?|(?:last\s+)?(?:updated|modified|aktualisiert|mis à jour|actualizado|aggiornato)"
    r"(?:\s+(?:on|am|le|el|il|op))?|date|datum|stand)\b\s*[:\-–]?\s*",
    re.IGNORECASE,
)
_UPDATED_LABEL = re.compile(r"^\s*(?:last\s+)?(?:updated|modified|aktualisiert|mis à jour|actualizado|aggiornato)", re.IGNORECASE)
#: A line that is only a date, or a labelled date, is at most this long.
#: ("Last Updated: Wednesday, 10 December 2007, 10:28 GMT" is 53 characters.)
MAX_DATE_LINE = 90
_DIGIT = re.compile(r"\d")
_LEADING_DATE = re.compile(rf"^\s*(?:\d{{1,2}}[./]\s?\d{{1,2}}[./]\s?\d{{4}}|\d{{4}}-\d\d-\d\d|\d{{1,2}}\.?\s+(?:{MONTH_PATTERN})\s+\d{{4}}|(?:{MONTH_PATTERN})\.?\s+\d{{1,2}},\s+\d{{4}})\b", re.IGNORECASE)
_DATELINE = re.compile(r"^([A-Z][A-Z .'\-]{1,30}|[A-Z][a-z]+(?: [A-Z][a-z]+)?),\s+([^()\-–—]{3,25}?)\s*(?:\([^)]{2,40}\))?\s*[-–—]")


def is_labelled_date_line(text: str) -> bool:
    """A short "Published ...", "Last Updated: ...", "Posted on ..." line holding a date."""
    return len(text) <= MAX_DATE_LINE and bool(_DATE_LABEL.match(text)) and parse_date(text) is not None


def date_line(text: str, *, latest: datetime | None = None) -> tuple[str | None, bool]:
    """``(iso date, is_update)`` when ``text`` is a short date line, else ``(None, False)``."""
    if len(text) > MAX_DATE_LINE or not _DIGIT.search(text):
        return None, False
    labelled = _DATE_LABEL.match(text)
    rest = text[labelled.end() :] if labelled else text
    # an unlabelled line must be mostly the date: "10 December 2007, 10:28 GMT",
    # "Pressemitteilung vom 25. Januar 2022 | Berlin"
    if not labelled and len(re.sub(r"[\W\d_]+", "", rest)) > MAX_DATE_LINE_LETTERS:
        return None, False
    value = parse_date(rest, latest=latest)
    if value is None:
        return None, False
    return value, bool(_UPDATED_LABEL.match(text))


def byline(text: str) -> list[str]:
    """The names in a byline line ("By Jane Doe and John Roe"), else ``[]``."""
    if len(text) > 120 or not (_BY.match(text) or _AUTHOR_LABEL.match(text)):
        return []
    # "By Jane Doe, 21 May 2024" / "By Jane Doe | Updated ..."
    text = re.split(r"\s*(?:\||•|·|—|–|\bon\b|\bam\b|\bupdated\b|\bpublished\b)\s*|,\s*(?=\d)", text, maxsplit=1)[0]
    return clean_authors([text])


def text_metadata(lines: list[str], *, headline: int = -1, latest: datetime | None = None) -> Metadata:
    """Dates, byline and dateline read from the lines around the headline.

    Works on a text dump's lines and on an HTML page's block texts alike.
    """
    meta = Metadata()
    lo = max(0, headline - NEAR_HEADLINE_BEFORE) if headline >= 0 else 0
    hi = min(len(lines), (max(headline, 0)) + NEAR_HEADLINE_AFTER + 1)
    for i in range(lo, hi):
        if i == headline:  # "2024.4.4 -> 2024.5.0: upgrade fails" names no date of the page
            continue
        text = lines[i]
        names = byline(text)
        if not names and i + 1 < len(lines) and _WRITTEN_BY.match(_BY.sub("", text).strip(" :") or "by"):
            names = byline("By " + lines[i + 1])  # "Written by" / "Jane Doe" on two lines
        meta.authors = meta.authors or names
        value, is_update = date_line(text, latest=latest)
        if value is None and (names or _LEADING_DATE.match(text)):
            # "By Jane Doe, 29.12.2010" / "01.02.2022 The council said..."
            value, is_update = parse_date(text[:MAX_DATE_LINE], latest=latest), False
        if value:
            if is_update:
                meta.updated = meta.updated or value
            else:
                meta.published = meta.published or value
        if meta.dateline is None and not meta.published:
            m = _DATELINE.match(text)
            if m and month_day(m[2]):
                meta.dateline = f"{m[1].strip()}, {m[2].strip()}"
    return meta


# -- titles ---------------------------------------------------------------------

_TITLE_SEP = re.compile(r"\s+(?:[|»·•:]|[-–—]|::|//)\s+")


def strip_site_suffix(title: str | None, *, site_name: str | None = None, url: str | None = None) -> str | None:
    """The headline inside a <title>: "Headline | Site" -> "Headline".

    The part that names the site (its name, or its domain) is dropped; if no
    part does, a trailing or leading part of at most 4 words is dropped when
    the rest is longer, as "Headline - Site Name" is the usual shape.
    """
    if not title:
        return None
    title = " ".join(title.split())
    if site_name and ":" in title:  # "Site: Headline"
        head, _, rest = title.partition(":")
        if _norm(head) == _norm(site_name) and rest.strip():
            return rest.strip()
    parts = _TITLE_SEP.split(title)
    if len(parts) < 2:
        return title
    names = set()
    if site_name:
        names.add(_norm(site_name))
    host = site_of(url)
    if host:
        names.add(_norm(host.split(".")[0]))
        names.add(_norm(host))

    def is_site(p: str) -> bool:
        n = _norm(p)
        return bool(n) and (n in names or n.replace(" ", "") in names or any(n and n in x for x in names if len(n) > 3))

    kept = [p for p in parts if not is_site(p)]
    if kept and len(kept) < len(parts):
        return " - ".join(kept) if len(kept) > 1 else kept[0]
    last, first = parts[-1], parts[0]
    if len(last.split()) <= 4 and len(" ".join(parts[:-1])) > len(last):
        return strip_site_suffix(_TITLE_SEP.split(title, maxsplit=len(parts) - 2)[0], site_name=site_name, url=url) if len(parts) > 2 else first
    return title


# -- HTML -----------------------------------------------------------------------


def html_metadata(
    tree,
    url: str | None = None,
    *,
    texts: list[str] | None = None,
    headline: int = -1,
    body: str = "",
    latest: datetime | None = None,
    nodes: PageNodes | None = None,
) -> Metadata:
    """Metadata of a parsed page, in the order this module documents.

    ``texts`` are the page's block texts and ``headline`` the headline's index
    among them (-1: unknown), for the byline and date lines near it; ``body``
    is the extracted article text, for language identification; ``nodes``
    are the page's ``parse.page_nodes`` when the caller has them already.
    """
    meta = Metadata()
    nodes = nodes if nodes is not None else page_nodes(tree)
    tags = _meta_tags(nodes)
    ld = _jsonld(nodes)
    art = ld.article or {}

    def first(*values):
        for v in values:
            if isinstance(v, list):
                v = next((x for x in v if isinstance(x, str) and x.strip()), None)
            if isinstance(v, str) and v.strip():
                return " ".join(v.split())
        return None

    def tag(*names):
        return first(*(tags.get(n) for n in names))

    meta.site_name = first(tag("og:site_name", "application-name", "al:ios:app_name"), ld.publisher, ld.website)
    meta.title = first(_ld_text(art.get("headline")), _ld_text(art.get("name")), tag("og:title", "twitter:title", "dc.title", "sailthru.title", "parsely-title"))
    if meta.title is None:
        meta.title = first(nodes.title.text()) if nodes.title is not None else None
    meta.title = strip_site_suffix(meta.title, site_name=meta.site_name, url=url)

    near = text_metadata(texts, headline=headline, latest=latest) if texts else Metadata()
    modified = (
        lambda: [art.get("dateModified")],
        lambda: tags.get_all(_MODIFIED_TAGS),
        lambda: _itemprop_dates(nodes, "dateModified"),
        lambda: [ld.other_modified],
    )
    meta.updated = _first_date((v for source in modified for v in source()), latest) or near.updated
    # Sources in order of trust; each is computed only when the ones before it gave nothing.
    published = (
        lambda: [near.published],
        lambda: [art.get("datePublished"), art.get("dateCreated")],
        lambda: tags.get_all(_PUBLISHED_TAGS),
        lambda: tags.get_all(k for k in tags if _DATE_KEY.search(k) and not _MODIFIED_KEY.search(k)),
        lambda: _itemprop_dates(nodes, "datePublished"),
        lambda: [ld.other_published],
        lambda: [url_date(url, latest=latest)],
        lambda: [time_elements(nodes, latest=latest)],
        lambda: _date_nodes(tree),
        lambda: _script_dates(nodes, tree.body),
        lambda: [nodes.title.text() if nodes.title is not None else None],  # "Headline | 02.11.2021"
        lambda: _date_lines(texts or [], latest),
        lambda: [near.updated],
    )
    for source in published:
        meta.published = _first_date(source(), latest)
        if meta.published:
            break
    if meta.published and source is published[0]:
        # The date shown by the headline decides the day; markup stating the
        # same day usually adds the time and zone.
        stated = _first_date(published[1]() + published[2](), latest)
        if stated and stated[:10] == meta.published[:10]:
            meta.published = stated
    meta.published = meta.published or meta.updated

    ld_authors, ld_persons = _ld_authors(art.get("author"), ld.ids)
    authors = clean_authors(ld_authors, site_name=meta.site_name, structured=True, persons=ld_persons)
    if not authors:
        authors = clean_authors(tags.get_all(_AUTHOR_TAGS) + _labelled_tags(tags), site_name=meta.site_name, structured=True)
    if not authors:
        authors = clean_authors(_byline_nodes(tree), site_name=meta.site_name, structured=True)
    meta.authors = authors or clean_authors(near.authors, site_name=meta.site_name)

    meta.description = first(_ld_text(art.get("description")), tag("og:description", "description", "twitter:description", "dc.description"))
    meta.image = _absolute(first(_ld_image(art.get("image")), tag("og:image", "og:image:url", "twitter:image", "twitter:image:src")), url)
    meta.section = first(_ld_text(art.get("articleSection")), tag("article:section", "section", "parsely-section"))
    keywords = _ld_keywords(art.get("keywords")) or tags.get("article:tag") or _split_keywords(tag("news_keywords", "parsely-tags"))
    meta.tags = _dedupe(" ".join(k.split()) for k in keywords if isinstance(k, str) and k.strip())[:50]

    canonical = None
    for node in nodes.links_rel("canonical"):
        canonical = node.attributes.get("href")
        break
    meta.canonical_url = _absolute(first(canonical, tag("og:url"), _ld_text(art.get("url"))), url)

    root = tree.css_first("html")
    declared = (root.attributes.get("lang") or root.attributes.get("xml:lang")) if root is not None else None
    declared = _lang_code(first(declared, tag("content-language", "og:locale", "dc.language"), _ld_text(art.get("inLanguage"))))
    meta.language = detect_language(body, declared=declared)
    if headline >= 0 and texts:  # the headline as the page shows it wins over <title>
        meta.title = texts[headline]
    return meta


def time_elements(nodes: PageNodes, *, latest: datetime | None = None) -> str | None:
    """The first ``<time datetime>`` in the article's region (not in nav, footer or aside)."""
    for node in nodes.times:
        value = node.attributes.get("datetime") or node.text()
        parent, skip = node.parent, False
        for _ in range(12):
            if parent is None:
                break
            if parent.tag in ("footer", "aside", "nav", "li"):
                skip = True
                break
            parent = parent.parent
        if skip:
            continue
        iso = parse_date(value, latest=latest)
        if iso:
            return iso
    return None


#: Elements whose class names say they hold a date; their text (or a
#: datetime/title/content attribute) is read when the markup states no date.
_DATE_NODES = (
    '[class*="date"], [class*="Date"], [class*="publish"], [class*="posted"], [class*="datum"], '
    '[class*="time"], [class*="meta"], [class*="byline"], [class*="submitted"], [class*="author"], '
    '[class*="info"]'
)
#: A date element's text is at most this long ("Published on Monday, 10
#: December 2007 at 10:28 GMT | 4 min read" is 60 characters).
MAX_DATE_NODE_TEXT = 100
#: How many date-classed elements are read before giving up.
MAX_DATE_NODES = 40


def _date_nodes(tree) -> list[str]:
    out = []
    for node in tree.css(_DATE_NODES)[:MAX_DATE_NODES]:
        a = node.attributes
        for key in ("datetime", "content", "title", "data-date"):
            if a.get(key):
                out.append(a[key])
        text = " ".join(node.text(separator=" ").split())
        # the element is a date's container, so any date in its short text will do,
        # unless it is labelled an update
        if len(text) <= MAX_DATE_NODE_TEXT and not _UPDATED_LABEL.match(text):
            out.append(text)
    return out


_SCRIPT_DATE = re.compile(
    r"""["']?(?:datePublished|date_published|publishDate|publish_date|publishdate|published_at|publishedAt|"""
    r"""pubDate|pubdate|dateTimePublished|publication_date|first_published_at|firstPublished)["']?\s*[:=]\s*["'](\d{4}-\d\d-\d\d[^"']{0,25})"""
)
#: Every key above holds one of these, at most 10 characters after the match's
#: start: a literal scan finds them ~30x faster than the full pattern, which
#: then runs only from the first of them (scripts are megabytes on some pages).
_SCRIPT_DATE_HINT = re.compile(r"ub(?:lish|Date|date|lication)")
_SCRIPT_DATE_HINT_BACK = 10


#: Only this many characters of each inline script are searched for a date:
#: analytics layers state it near their start, and the cap bounds the cost.
MAX_SCRIPT_SCAN = 200_000


def _script_dates(nodes: PageNodes, body) -> list[str]:
    """Publication dates in inline scripts and data attributes (analytics layers, app state)."""
    out = []
    for node in nodes.scripts:
        if node.attributes.get("src"):
            continue
        text = node.text(deep=True) or ""
        hint = _SCRIPT_DATE_HINT.search(text, 0, MAX_SCRIPT_SCAN)
        m = hint and _SCRIPT_DATE.search(text, max(hint.start() - _SCRIPT_DATE_HINT_BACK, 0), MAX_SCRIPT_SCAN)
        if m:
            out.append(m[1])
    if body is not None:
        for key in ("data-pubdate", "data-published", "data-publish-date"):
            if body.attributes.get(key):
                out.append(body.attributes[key])
    return out


def _date_lines(texts: list[str], latest) -> list[str]:
    """The first short line anywhere on the page that is a (publication) date."""
    for text in texts:
        value, is_update = date_line(text, latest=latest)
        if value and not is_update:
            return [value]
    return []


_URL_YMD = re.compile(r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[-_]|$)|/((?:19|20)\d\d)(0[1-9]|1[0-2])([0-2]\d|3[01])/")


def url_date(url: str | None, *, latest: datetime | None = None) -> str | None:
    """The date in a URL's path (``/2024/05/17/slug``), when it has a full one."""
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    m = _URL_YMD.search(path)
    if not m:
        return None
    y, mo, d = (m[1], m[2], m[3]) if m[1] else (m[4], m[5], m[6])
    return parse_date(f"{y}-{int(mo):02d}-{int(d):02d}", latest=latest)


# -- language ---------------------------------------------------------------------


def detect_language(text: str, *, declared: str | None = None) -> str | None:
    """ISO 639-1 code of ``text``'s language (py3langid, offline), or the declared one for short text."""
    sample = text[:LANGID_MAX_CHARS]
    if len(sample.strip()) < LANGID_MIN_CHARS:
        return declared
    from py3langid import classify  # the model loads on first use, from the package

    code, _ = classify(sample)
    return code


def _lang_code(value: str | None) -> str | None:
    if not value:
        return None
    code = re.split(r"[-_]", value.strip().lower())[0]
    return code if re.fullmatch(r"[a-z]{2}", code) else None


# -- helpers ----------------------------------------------------------------------

_PUBLISHED_TAGS = (
    "article:published_time", "og:published_time", "og:article:published_time", "datepublished",
    "article.published", "published_time", "pubdate", "publishdate", "publish-date", "publish_date",
    "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "dcterms.created", "dc.date.created",
    "sailthru.date", "parsely-pub-date", "citation_publication_date", "citation_date",
    "originalpublicationdate", "date", "article:published", "cxenseparse:recs:publishtime", "datecreated",
)
_MODIFIED_TAGS = (
    "article:modified_time", "og:updated_time", "og:article:modified_time", "datemodified",
    "dcterms.modified", "dc.date.modified", "last-modified", "lastmod", "article:modified",
)
_AUTHOR_TAGS = (
    "author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "dcterms.creator",
    "citation_author", "byl", "twitter:creator:name", "og:article:author",
)


_DATE_KEY = re.compile(r"publi|date|created|issued")
_MODIFIED_KEY = re.compile(r"modif|updat|expir|valid|review|crawl|index|last")


_WRITTEN_BY = re.compile(r"^(?:written|posted|verfasst|geschrieben|author|autor|auteur|écrit)(?:\s+(?:by|von|par))?$", re.IGNORECASE)


def _labelled_tags(tags) -> list[str]:
    """Twitter's label/data pairs: ``twitter:label1`` "Written by", ``twitter:data1`` the name."""
    out = []
    for i in "1234":
        label = tags.get(f"twitter:label{i}")
        if label and _WRITTEN_BY.match(label[0].strip()):
            out += tags.get(f"twitter:data{i}", [])
    return out


class _Tags(dict):
    def get_all(self, names) -> list[str]:
        return [v for n in names for v in self.get(n, ())]


def _meta_tags(nodes: PageNodes) -> _Tags:
    tags = _Tags()
    for node in nodes.meta:
        a = node.attributes
        content = a.get("content")
        if content is None:
            continue
        key = a.get("property") or a.get("name") or a.get("itemprop") or a.get("http-equiv")
        if key:
            tags.setdefault(key.strip().lower(), []).append(content)
    return tags


def _itemprop_dates(nodes: PageNodes, prop: str) -> list[str]:
    out = []
    for node in nodes.with_itemprop(prop):
        a = node.attributes
        out.append(a.get("datetime") or a.get("content") or node.text())
    return out


def _first_date(values, latest) -> str | None:
    for v in values:
        if isinstance(v, list):
            v = next((x for x in v if isinstance(x, str)), None)
        if isinstance(v, str):
            iso = parse_date(v, latest=latest)
            if iso:
                return iso
    return None


_BYLINE_SELECTOR = (
    '[rel="author"], [itemprop="author"], [class*="byline"], [class*="author"], [id*="byline"], '
    'a[href*="/author/"], a[href*="/autor/"], a[href*="/authors/"]'
)


def _byline_nodes(tree) -> list[str]:
    """Texts of the first byline element that names someone, and of its siblings.

    Later matches elsewhere on the page are the bylines of related stories.
    """
    out, parent = [], None
    for node in tree.css(_BYLINE_SELECTOR):
        if parent is not None and node.parent != parent:
            continue
        name = node.css_first('[itemprop="name"]')
        text = " ".join((name or node).text(separator=" ").split())
        if 0 < len(text) <= 80 and clean_authors([text], structured=True):
            out.append(text)
            parent = node.parent
    return out


@dataclass(slots=True)
class _LD:
    article: dict | None = None
    publisher: str | None = None
    website: str | None = None
    #: datePublished / dateModified of the first other object stating them
    #: (a WebPage, a Recipe...), for pages with no Article object.
    other_published: str | None = None
    other_modified: str | None = None
    ids: dict = field(default_factory=dict)  # "@id" -> object, to resolve references


def _jsonld(nodes: PageNodes) -> _LD:
    found = _LD()
    for node in nodes.scripts_of_type("application/ld+json"):
        raw = node.text(deep=True) or ""
        if not raw.strip() or len(raw) > MAX_JSONLD_CHARS:
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            try:  # a trailing comma or a stray control character is common
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw.replace("\n", " ")), strict=False)
            except (ValueError, RecursionError):
                continue
        stack = [(data, 0)]
        while stack:
            obj, depth = stack.pop()
            if depth > MAX_JSONLD_DEPTH:
                continue
            if isinstance(obj, list):
                stack.extend((x, depth + 1) for x in reversed(obj))
                continue
            if not isinstance(obj, dict):
                continue
            if isinstance(obj.get("@id"), str) and len(obj) > 1:
                found.ids.setdefault(obj["@id"], obj)
            types = obj.get("@type")
            types = [t for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)]
            if found.article is None and any(_ARTICLE_TYPES.search(t) for t in types):
                found.article = obj
                pub = obj.get("publisher")
                if isinstance(pub, dict) and found.publisher is None:
                    found.publisher = _ld_text(pub.get("name"))
            elif "WebSite" in types and found.website is None:
                found.website = _ld_text(obj.get("name"))
            elif "Organization" in types or "NewsMediaOrganization" in types:
                found.publisher = found.publisher or _ld_text(obj.get("name"))
            if found.other_published is None and obj is not found.article:
                found.other_published = _ld_text(obj.get("datePublished") or obj.get("dateCreated") or obj.get("uploadDate"))
                found.other_modified = found.other_modified or _ld_text(obj.get("dateModified"))
            for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
                child = obj.get(key)
                if isinstance(child, (dict, list)):
                    stack.append((child, depth + 1))
    return found


def _ld_text(v) -> str | None:
    if isinstance(v, list):
        v = next((x for x in v if isinstance(x, str)), None)
    if isinstance(v, dict):
        v = v.get("name") or v.get("@value")
    return " ".join(v.split()) if isinstance(v, str) and v.strip() else None


def _ld_authors(v, ids: dict) -> tuple[list[str], list[str]]:
    """Author names of a JSON-LD ``author`` value, and those of them typed ``Person``."""
    out, persons = [], []
    for item in v if isinstance(v, list) else [v]:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            if "name" not in item and isinstance(item.get("@id"), str):
                item = ids.get(item["@id"], item)  # {"@id": ".../#/schema/person/..."} in a @graph
            types = item.get("@type")
            types = types if isinstance(types, list) else [types]
            if "Person" not in types and any(t in ("Organization", "NewsMediaOrganization", "Corporation") for t in types):
                continue
            name = _ld_text(item.get("name"))
            if name:
                out.append(name)
                if "Person" in types:
                    persons.append(name)
    return out, persons


def _ld_image(v) -> str | None:
    if isinstance(v, list):
        v = v[0] if v else None
    if isinstance(v, dict):
        v = v.get("url") or v.get("contentUrl")
    return v if isinstance(v, str) else None


def _ld_keywords(v) -> list[str]:
    if isinstance(v, list):
        return [x for x in v if isinstance(x, str)]
    return _split_keywords(v)


def _split_keywords(v) -> list[str]:
    return [k for k in re.split(r"\s*[,;]\s*", v) if k] if isinstance(v, str) else []


def _dedupe(values) -> list[str]:
    seen, out = set(), []
    for v in values:
        k = v.casefold()
        if k not in seen:
            seen.add(k)
            out.append(v)
    return out


def _absolute(href: str | None, base: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    if not base:
        return href
    try:
        return urljoin(base, href)
    except ValueError:
        return href


def site_of(url: str | None) -> str | None:
    """The host of ``url`` without a leading ``www.``, or ``None``."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())
