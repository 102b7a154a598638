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
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urljoin, urlsplit

from ..dates import locale_month_first, numeric_order, parse_date
from ..textmeta import (
    MAX_DATE_LINE,
    UPDATED_LABEL,
    WRITTEN_BY,
    TitleClues,
    clean_authors,
    date_line,
    detect_language,
    settle_dates,
    stated_organisation,
    text_metadata,
)
from ..types import Metadata
from .hints import ARTICLE_TYPES
from .parse import PageNodes, page_nodes

__all__ = [
    "MAX_JSONLD_CHARS",
    "DATE_SOURCES",
    "DateCandidate",
    "Markup",
    "date_candidates",
    "html_metadata",
    "page_markup",
    "time_elements",
    "title_clues",
    "url_date",
]

#: A JSON-LD script longer than this is skipped unparsed. Real article
#: JSON-LD is a few kB (the bench's largest is ~200 kB, a product catalogue);
#: the cap bounds the cost of hostile or runaway scripts.
MAX_JSONLD_CHARS = 1_000_000
#: JSON-LD nesting deeper than this is not walked.
MAX_JSONLD_DEPTH = 12


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
    markup: Markup | None = None,
    clues: TitleClues | None = None,
) -> Metadata:
    """Metadata of a parsed page, in the order this module documents.

    ``title`` is the headline as the markup states it (``TitleClues.stated``);
    the article's headline is chosen by ``extractor.headline``.
    ``texts`` are the page's block texts and ``headline`` the headline's index
    among them (-1: unknown), for the byline and date lines near it; ``body``
    is the extracted article text, for language identification; ``nodes``
    and ``markup`` are the page's ``parse.page_nodes`` and ``page_markup``,
    and ``clues`` its ``title_clues``, when the caller has them already.
    """
    page = _date_page(tree, url, texts, headline, latest, nodes, markup)
    meta = Metadata()
    meta.site_name = _site_name(page)
    meta.title = (clues or _title_clues(page, meta.site_name)).stated
    _rules_dates(page, meta)
    meta.authors = _authors(page, meta.site_name)
    meta.description, meta.image, meta.section, meta.tags = _about(page)
    meta.canonical_url = _canonical_url(page)
    meta.language = detect_language(body, declared=_declared_language(page))
    return settle_dates(meta)


def _date_page(tree, url, texts, headline, latest, nodes, markup) -> _Page:
    """The ``_Page`` the date sources read: its locale, numeric order and near lines settled."""
    nodes = nodes if nodes is not None else page_nodes(tree)
    markup = markup if markup is not None else page_markup(nodes)
    ld = markup.ld
    page = _Page(tree, url, nodes, markup.tags, ld, ld.article or {}, texts, Metadata(), latest, headline=headline)
    page.locales = _declared_locales(page)
    page.month_first = _month_first(page)
    if texts:
        page.near = text_metadata(texts, headline=headline, latest=latest, month_first=page.month_first)
    return page


def _rules_dates(page: _Page, meta: Metadata) -> None:
    """``meta.updated`` and ``meta.published`` by the ordered rules (``_PUBLISHED_SOURCES``)."""
    meta.updated = _first_date((v for source in _UPDATED_SOURCES for v in source(page)), page) or page.near.updated
    meta.published = _published(page) or meta.updated
    if not meta.published:  # the last resort, so the page's lines are scanned only for undated pages
        meta.updated = meta.published = _first_date(_lines_updated(page), page)


def date_candidates(
    tree,
    url: str | None = None,
    *,
    texts: list[str] | None = None,
    headline: int = -1,
    latest: datetime | None = None,
    nodes: PageNodes | None = None,
    markup: Markup | None = None,
) -> tuple[list[DateCandidate], str | None]:
    """Every date the page states (``DateCandidate``) and the publication date
    the rules choose, as ``html_metadata`` reads them: the table the learned
    date ranker was tried on (``benchmarks/train_dates.py``). The extractor
    does not call it: the ranker did not beat the rules on unseen datasets
    (``docs/experiments.md``)."""
    page = _date_page(tree, url, texts, headline, latest, nodes, markup)
    meta = Metadata()
    _rules_dates(page, meta)
    return _date_candidates(page), meta.published


@dataclass(frozen=True, slots=True)
class Markup:
    """What a page's markup declares, read once (``page_markup``) for both
    the headline's clues and the metadata: its meta tags and its JSON-LD."""

    tags: _Tags
    ld: _LD


def page_markup(nodes: PageNodes) -> Markup:
    return Markup(_meta_tags(nodes), _jsonld(nodes))


def title_clues(nodes: PageNodes, url: str | None = None, markup: Markup | None = None) -> TitleClues:
    """What the page's markup says its headline is (``textmeta.TitleClues``),
    for the extractor to find the heading that shows it."""
    markup = markup if markup is not None else page_markup(nodes)
    page = _Page(None, url, nodes, markup.tags, markup.ld, markup.ld.article or {}, None, Metadata(), None)
    return _title_clues(page, _site_name(page))


@dataclass(slots=True)
class _Page:
    """What ``html_metadata`` reads a page's fields from."""

    tree: object
    url: str | None
    nodes: PageNodes
    tags: _Tags  # the meta tags' contents by lower-cased name
    ld: _LD
    art: dict  # the JSON-LD Article object, {} without one
    texts: list[str] | None
    near: Metadata  # what the lines around the headline state (``text_metadata``)
    latest: datetime | None
    month_first: bool = False  # the page writes numeric dates month first (``_month_first``)
    headline: int = -1  # the headline's index among ``texts`` (-1: unknown)
    locales: list[str] = field(default_factory=list)  # what it declares (``_declared_locales``)

    def tag(self, *names: str) -> str | None:
        """The first meta tag of ``names`` that has a value."""
        return _first(*(self.tags.get(n) for n in names))


def _first(*values) -> str | None:
    """The first of ``values`` (a list: its first string) that is not blank, whitespace collapsed."""
    for v in values:
        if isinstance(v, list):
            v = next((x for x in v if isinstance(x, str) and x.strip()), None)
        if isinstance(v, str) and v.strip():
            return " ".join(v.split())
    return None


def _site_name(page: _Page) -> str | None:
    return _first(page.tag("og:site_name", "application-name", "al:ios:app_name"), page.ld.publisher, page.ld.website)


#: The meta tags that state a headline, in order of trust (after JSON-LD's).
_TITLE_TAGS = ("og:title", "twitter:title", "dc.title", "sailthru.title", "parsely-title")


def _title_clues(page: _Page, site_name: str | None) -> TitleClues:
    """The titles the markup states, in order of trust: JSON-LD's headline
    (and name), the title meta tags, then ``<title>``."""
    art = page.art
    titles = [_ld_text(art.get("headline")), _ld_text(art.get("name"))]
    titles += [_first(page.tags.get(name)) for name in _TITLE_TAGS]
    titles.append(_first(page.nodes.title.text()) if page.nodes.title is not None else None)
    return TitleClues.of(titles, site_name=site_name, url=page.url)


# Where the dates are read, in order of trust: each source is computed only
# when the ones before it gave no valid date.
def _ld_modified(page: _Page) -> list:
    return [page.art.get("dateModified")]


def _tags_modified(page: _Page) -> list:
    return page.tags.get_all(_MODIFIED_TAGS)


def _itemprop_modified(page: _Page) -> list:
    return _itemprop_dates(page.nodes, "dateModified")


def _ld_other_modified(page: _Page) -> list:
    return [page.ld.other_modified]


def _near_published(page: _Page) -> list:
    return [page.near.published]


def _ld_published(page: _Page) -> list:
    return [page.art.get("datePublished"), page.art.get("dateCreated")]


def _tags_published(page: _Page) -> list:
    return page.tags.get_all(_PUBLISHED_TAGS)


def _tags_date_named(page: _Page) -> list:
    """Any meta tag whose name says date (and not an update)."""
    tags = page.tags
    return tags.get_all(k for k in tags if _DATE_KEY.search(k) and not _MODIFIED_KEY.search(k))


def _itemprop_published(page: _Page) -> list:
    return _itemprop_dates(page.nodes, "datePublished")


def _ld_other_published(page: _Page) -> list:
    return [page.ld.other_published]


def _url_published(page: _Page) -> list:
    return [url_date(page.url, latest=page.latest)]


def _time_published(page: _Page) -> list:
    return [time_elements(page.nodes, latest=page.latest, month_first=page.month_first)]


def _date_classed_published(page: _Page) -> list:
    return _date_nodes(page.tree)


def _script_published(page: _Page) -> list:
    return _script_dates(page.nodes, page.tree.body)


def _title_published(page: _Page) -> list:
    """The ``<title>``: "Headline | 02.11.2021"."""
    return [page.nodes.title.text() if page.nodes.title is not None else None]


def _lines_published(page: _Page) -> list:
    return _date_lines(page.texts or [], page)


def _near_updated(page: _Page) -> list:
    return [page.near.updated]


def _lines_updated(page: _Page) -> list:
    """An update line anywhere on the page ("Aktualisiert: 30.12.2016"): on
    pages that show no other date it is the one date readers see."""
    return _date_lines(page.texts or [], page, updates=True)


_UPDATED_SOURCES = (_ld_modified, _tags_modified, _itemprop_modified, _ld_other_modified)
_PUBLISHED_SOURCES = (
    _near_published, _ld_published, _tags_published, _tags_date_named, _itemprop_published, _ld_other_published,
    _url_published, _time_published, _date_classed_published, _script_published, _title_published,
    _lines_published, _near_updated,
)  # fmt: skip


def _published(page: _Page) -> str | None:
    """The publication date from the first of ``_PUBLISHED_SOURCES`` that states one."""
    published = None
    for source in _PUBLISHED_SOURCES:
        published = _first_date(source(page), page)
        if published:
            break
    if published and source is _near_published:
        # The date shown by the headline decides the day; markup stating the
        # same day usually adds the time and zone. Markup (JSON-LD, meta tags,
        # microdata, else the URL's date path) stating another day wins when
        # the page shows that day too: the line by the headline was then
        # another story's (a teaser's, a related link's).
        # (A day apart is a time zone, not another story: the shown day stays.)
        stated = _first_date(_stated_published(page), page)
        if stated and stated[:10] == published[:10]:
            published = stated
        elif stated and _days_apart(stated, published) > 1 and stated[:10] in _shown_days(page):
            published = stated
    elif published and source in _MARKUP_PUBLISHED:
        published = _shown_over_unshown(page, published)
    return published


#: The sources of a publication date the page's readers never see.
_MARKUP_PUBLISHED = (_ld_published, _tags_published, _tags_date_named, _itemprop_published, _ld_other_published)


def _shown_over_unshown(page: _Page, stated: str) -> str:
    """``stated`` (from markup), unless the page shows its day nowhere (no
    ``<time>``, date element, date line or URL path) and shows another day
    three ways: a ``<time>`` in the article (not labelled an update), a
    date-classed element and a date line. The markup is then stale (a CMS's import date, a template's);
    the article's ``<time>`` gives the date."""
    day = stated[:10]
    times = [(n, _iso_of(n.attributes.get("datetime") or n.text(), page)) for n in page.nodes.times]
    if not times or any(iso and iso[:10] == day for _, iso in times):
        return stated
    shown = _shown_days(page)
    if day in shown or url_date(page.url, latest=page.latest) == day:
        return stated
    article = [
        iso
        for n, iso in times
        if iso and iso[:10] in shown and not _in_aside(n) and not UPDATED_LABEL.match(n.text() or "")
    ]
    if not article:
        return stated
    classed = {iso[:10] for v in _date_nodes(page.tree) if (iso := _iso_of(v, page))}
    if day in classed:
        return stated
    return next((iso for iso in article if iso[:10] in classed), stated)


def _stated_published(page: _Page) -> list:
    return _ld_published(page) + _tags_published(page) + _itemprop_published(page) + _url_published(page)


def _days_apart(a: str, b: str) -> int:
    return abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days)


def _shown_days(page: _Page) -> set[str]:
    """The days the page's short lines show as dates ("21. September 2019"):
    not an update's ("Updated 11/08/23"), which markup often calls the
    publication when the page has been revised."""
    days = set()
    for text in page.texts or ():
        if len(text) <= MAX_DATE_LINE and _DIGIT.search(text) and not UPDATED_LABEL.match(text):
            value = parse_date(text, latest=page.latest, month_first=page.month_first)
            if value:
                days.add(value[:10])
    return days


def _authors(page: _Page, site_name: str | None) -> list[str]:
    """The people named as authors by JSON-LD, else the meta tags, else byline
    elements, else the lines near the headline; failing all, the site or
    organisation that the markup itself states as the author."""
    ld_authors, ld_persons, ld_organisations = _ld_authors(page.art.get("author"), page.ld.ids)
    authors = clean_authors(ld_authors, site_name=site_name, structured=True, persons=ld_persons)
    tagged = page.tags.get_all(_AUTHOR_TAGS) + _labelled_tags(page.tags)
    if not authors:
        authors = clean_authors(tagged, site_name=site_name, structured=True)
    if not authors:
        authors = clean_authors(_byline_nodes(page.tree), site_name=site_name, structured=True)
    return (
        authors
        or clean_authors(page.near.authors, site_name=site_name)
        or stated_organisation(ld_organisations + ld_authors + tagged)
    )


def _about(page: _Page) -> tuple[str | None, str | None, str | None, list[str]]:
    """The description, the image (an absolute URL), the section and the tags."""
    art, tag = page.art, page.tag
    description = _first(
        _ld_text(art.get("description")), tag("og:description", "description", "twitter:description", "dc.description")
    )
    image = _absolute(
        _first(_ld_image(art.get("image")), tag("og:image", "og:image:url", "twitter:image", "twitter:image:src")),
        page.url,
    )
    section = _first(_ld_text(art.get("articleSection")), tag("article:section", "section", "parsely-section"))
    keywords = (
        _ld_keywords(art.get("keywords"))
        or page.tags.get("article:tag")
        or _split_keywords(tag("news_keywords", "parsely-tags"))
    )
    tags = _dedupe(" ".join(k.split()) for k in keywords if isinstance(k, str) and k.strip())[:50]
    return description, image, section, tags


def _canonical_url(page: _Page) -> str | None:
    canonical = None
    for node in page.nodes.links_rel("canonical"):
        canonical = node.attributes.get("href")
        break
    return _absolute(_first(canonical, page.tag("og:url"), _ld_text(page.art.get("url"))), page.url)


def _declared_locales(page: _Page) -> list[str]:
    """The locales the page declares, as written ("en-US", "de_DE", "fr"): ``<html lang>``, meta tags, JSON-LD."""
    root = page.tree.css_first("html")
    declared = (root.attributes.get("lang") or root.attributes.get("xml:lang")) if root is not None else None
    values = [declared, page.tag("content-language"), page.tag("og:locale"), page.tag("dc.language")]
    return [v.strip() for v in (*values, _ld_text(page.art.get("inLanguage"))) if v and v.strip()]


def _declared_language(page: _Page) -> str | None:
    """The language the page declares first, as a code."""
    return _lang_code(next(iter(page.locales), None))


#: At most this many dates are read from one source (meta tags, ``<time>``
#: elements, date lines) as candidates: the article's own come early, and a
#: listing page's hundred dates would only cost time.
MAX_SOURCE_CANDIDATES = 12
_DIGIT = re.compile(r"\d")
_ISO_DAY = re.compile(r"(?<!\d)(\d{4})-(\d\d)-(\d\d)")


def _month_first(page: _Page) -> bool:
    """Whether the page writes numeric dates month first (04/05/2026 = 5 April).

    Its own dates decide (``dates.numeric_order``): an unambiguous one
    (04/25/2026), or an ambiguous one whose one reading is a day the markup
    states in ISO form (``<time datetime>``, meta tags, JSON-LD). Without such
    evidence, the declared locale (en-US) or the host's country decides; else
    day first, as most of the world writes.
    """
    default = locale_month_first(page.locales, page.url)
    if not page.texts:
        return default
    stated = [page.art.get(k) for k in ("datePublished", "dateModified", "dateCreated")]
    stated += [page.ld.other_published, page.ld.other_modified]
    stated += page.tags.get_all((*_PUBLISHED_TAGS, *_MODIFIED_TAGS))
    stated += [n.attributes.get("datetime") for n in page.nodes.times]
    known = {f"{m[1]}-{m[2]}-{m[3]}" for v in stated if isinstance(v, str) and (m := _ISO_DAY.search(v))}
    return numeric_order(page.texts, known_days=known, default=default)


def time_elements(nodes: PageNodes, *, latest: datetime | None = None, month_first: bool = False) -> str | None:
    """The first ``<time datetime>`` in the article's region (not in nav, footer or aside)."""
    for node in nodes.times:
        if _in_aside(node):
            continue
        value = node.attributes.get("datetime") or node.text()
        iso = parse_date(value, latest=latest, month_first=month_first)
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
        if len(text) <= MAX_DATE_NODE_TEXT and not UPDATED_LABEL.match(text):
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


def _date_lines(texts: list[str], page: _Page, *, updates: bool = False) -> list[str]:
    """The first short line anywhere on the page that is a publication date
    (with ``updates``: an update's, "Last updated: November 13, 2025")."""
    for text in texts:
        value, is_update = date_line(text, latest=page.latest, month_first=page.month_first)
        if value and is_update == updates:
            return [value]
    return []


_URL_YMD = re.compile(
    r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[-_]|$)|/((?:19|20)\d\d)(0[1-9]|1[0-2])([0-2]\d|3[01])/"
)


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


# -- date candidates: every date the page states, for the date ranker experiment ----

#: Where a candidate date was read (``DateCandidate.source``): markup first,
#: then the page's elements, then its text lines. ``time_aside`` is a
#: ``<time>`` in a footer, aside, nav or list item, which the rules skip.
DATE_SOURCES = (
    "ld_published", "ld_created", "ld_modified", "ld_other_published", "ld_other_modified",
    "tags_published", "tags_date_named", "tags_modified", "itemprop_published", "itemprop_modified",
    "script", "url", "title", "time", "time_aside", "date_classed",
    "near_published", "near_updated", "lines", "lines_updated",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DateCandidate:
    """One date a page states: its ``source`` (one of ``DATE_SOURCES``), the
    ISO value ``dates.parse_date`` read, its index among that source's values,
    and for a text line its offset from the headline (``None``: no headline)
    and its place in the page (0..1)."""

    source: str
    iso: str
    order: int = 0
    line_offset: int | None = None
    position: float | None = None

    @property
    def day(self) -> str:
        return self.iso[:10]


def _iso_of(value, page: _Page) -> str | None:
    return parse_date(value, latest=page.latest, month_first=page.month_first) if isinstance(value, str) else None


def _markup_candidates(page: _Page, out: list[DateCandidate]) -> None:
    """The dates the markup states: JSON-LD, meta tags by name, itemprop, scripts, the URL, the title."""
    art = page.art
    for source, values in (
        ("ld_published", [art.get("datePublished")]),
        ("ld_created", [art.get("dateCreated")]),
        ("ld_modified", [art.get("dateModified")]),
        ("ld_other_published", [page.ld.other_published]),
        ("ld_other_modified", [page.ld.other_modified]),
        ("tags_published", _tags_published(page)),
        ("tags_date_named", _tags_date_named(page)),
        ("tags_modified", _tags_modified(page)),
        ("itemprop_published", _itemprop_published(page)),
        ("itemprop_modified", _itemprop_modified(page)),
        ("script", _script_published(page)),
        ("url", _url_published(page)),
        ("title", _title_published(page)),
    ):
        for order, value in enumerate(values[:MAX_SOURCE_CANDIDATES]):
            if isinstance(value, list):
                value = next((x for x in value if isinstance(x, str)), None)
            iso = _iso_of(value, page)
            if iso:
                out.append(DateCandidate(source, iso, order))


def _element_candidates(page: _Page, out: list[DateCandidate]) -> None:
    """The ``<time>`` elements (in a sidebar, footer or list, or not) and the date-classed elements."""
    for order, node in enumerate(page.nodes.times[:MAX_SOURCE_CANDIDATES]):
        iso = _iso_of(node.attributes.get("datetime") or node.text(), page)
        if iso:
            aside = _in_aside(node)
            out.append(DateCandidate("time_aside" if aside else "time", iso, order))
    for order, value in enumerate(_date_classed_published(page)[:MAX_SOURCE_CANDIDATES]):
        iso = _iso_of(value, page)
        if iso:
            out.append(DateCandidate("date_classed", iso, order))


def _line_candidates(page: _Page, out: list[DateCandidate]) -> None:
    """The date lines near the headline (``text_metadata``) and anywhere on the page."""
    near = page.near
    if near.published:
        out.append(DateCandidate("near_published", near.published, 0))
    if near.updated:
        out.append(DateCandidate("near_updated", near.updated, 0))
    texts = page.texts or []
    seen = 0
    for i, text in enumerate(texts):
        value, is_update = date_line(text, latest=page.latest, month_first=page.month_first)
        if value:
            where = (i - page.headline) if page.headline >= 0 else None
            out.append(DateCandidate("lines_updated" if is_update else "lines", value, seen, where, i / len(texts)))
            seen += 1
            if seen >= MAX_SOURCE_CANDIDATES:
                break


def _date_candidates(page: _Page) -> list[DateCandidate]:
    out: list[DateCandidate] = []
    _markup_candidates(page, out)
    _element_candidates(page, out)
    _line_candidates(page, out)
    return out


def _in_aside(node) -> bool:
    """Whether an element sits in a footer, aside, nav or list item (within 12 levels): another story's date."""
    parent = node.parent
    for _ in range(12):
        if parent is None:
            return False
        if parent.tag in ("footer", "aside", "nav", "li"):
            return True
        parent = parent.parent
    return False


# -- language ---------------------------------------------------------------------


def _lang_code(value: str | None) -> str | None:
    if not value:
        return None
    code = re.split(r"[-_]", value.strip().lower())[0]
    return code if re.fullmatch(r"[a-z]{2}", code) else None


# -- helpers ----------------------------------------------------------------------

_PUBLISHED_TAGS = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "article.published",
    "published_time",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "dc.date.created",
    "sailthru.date",
    "parsely-pub-date",
    "citation_publication_date",
    "citation_date",
    "originalpublicationdate",
    "date",
    "article:published",
    "cxenseparse:recs:publishtime",
    "datecreated",
)
_MODIFIED_TAGS = (
    "article:modified_time",
    "og:updated_time",
    "og:article:modified_time",
    "datemodified",
    "dcterms.modified",
    "dc.date.modified",
    "last-modified",
    "lastmod",
    "article:modified",
)
_AUTHOR_TAGS = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "citation_author",
    "byl",
    "twitter:creator:name",
    "og:article:author",
)


_DATE_KEY = re.compile(r"publi|date|created|issued")
_MODIFIED_KEY = re.compile(r"modif|updat|expir|valid|review|crawl|index|last")


def _labelled_tags(tags) -> list[str]:
    """Twitter's label/data pairs: ``twitter:label1`` "Written by", ``twitter:data1`` the name."""
    out = []
    for i in "1234":
        label = tags.get(f"twitter:label{i}")
        if label and WRITTEN_BY.match(label[0].strip()):
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


def _first_date(values, page: _Page) -> str | None:
    for v in values:
        if isinstance(v, list):
            v = next((x for x in v if isinstance(x, str)), None)
        if isinstance(v, str):
            iso = parse_date(v, latest=page.latest, month_first=page.month_first)
            if iso:
                return iso
    return None


_BYLINE_SELECTOR = (
    '[rel="author"], [itemprop="author"], [class*="byline"], [class*="author"], [id*="byline"], [data-testid*="byline"], '
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
        if not 0 < len(text) <= 80 or len(node.css("li")) > 1:
            continue  # not a byline, or a menu of the site's authors ("List by Author")
        if clean_authors([text], structured=True):
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
            if found.article is None and any(ARTICLE_TYPES.search(t) or t in _POSTING_TYPES for t in types):
                found.article = obj
                pub = obj.get("publisher")
                if isinstance(pub, dict) and found.publisher is None:
                    found.publisher = _ld_text(pub.get("name"))
            elif "WebSite" in types and found.website is None:
                found.website = _ld_text(obj.get("name"))
            elif "Organization" in types or "NewsMediaOrganization" in types:
                found.publisher = found.publisher or _ld_text(obj.get("name"))
            if found.other_published is None and obj is not found.article:
                found.other_published = _ld_text(
                    obj.get("datePublished") or obj.get("dateCreated") or obj.get("uploadDate")
                )
                found.other_modified = found.other_modified or _ld_text(obj.get("dateModified"))
            for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
                child = obj.get(key)
                if isinstance(child, (dict, list)):
                    stack.append((child, depth + 1))
    return found


#: Main entities that carry a page's author and date as an article does: a
#: forum thread's first post, a social post. (Not in ``hints.ARTICLE_TYPES``,
#: which is part of the block model's feature schema.)
_POSTING_TYPES = frozenset(("DiscussionForumPosting", "SocialMediaPosting"))


def _ld_text(v) -> str | None:
    if isinstance(v, list):
        v = next((x for x in v if isinstance(x, str)), None)
    if isinstance(v, dict):
        v = v.get("name") or v.get("@value")
    return " ".join(v.split()) if isinstance(v, str) and v.strip() else None


def _ld_authors(v, ids: dict) -> tuple[list[str], list[str], list[str]]:
    """Author names of a JSON-LD ``author`` value (organisations apart), those
    of them typed ``Person``, and the names of the organisations."""
    out, persons, organisations = [], [], []
    for item in v if isinstance(v, list) else [v]:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            if "name" not in item and isinstance(item.get("@id"), str):
                item = ids.get(item["@id"], item)  # {"@id": ".../#/schema/person/..."} in a @graph
            types = item.get("@type")
            types = types if isinstance(types, list) else [types]
            name = _ld_text(item.get("name"))
            if (
                name
                and "Person" not in types
                and any(t in ("Organization", "NewsMediaOrganization", "Corporation") for t in types)
            ):
                organisations.append(name)
            elif name:
                out.append(name)
                if "Person" in types:
                    persons.append(name)
    return out, persons, organisations


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
