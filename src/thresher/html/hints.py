"""Page-level hints read from the parsed tree and the URL: the page's title and
what kind of page it claims to be.

The same block is chrome on one page and content on another: a list of linked
headlines with summaries is the related-stories box of an article, but the
body of a section front. These few page-level signals let the classifier
tell the two apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .parse import PageNodes, page_nodes

__all__ = ["ARTICLE_TYPES", "PageHints", "page_hints"]

#: The JSON-LD ``@type``s that are an article (NewsArticle, BlogPosting,
#: ReportageNewsArticle, ``schema:Article``...): the one test, for these hints
#: and for the metadata reader.
ARTICLE_TYPES = re.compile(
    r"(?:^|[^a-z])(?:news|blog|reportage|analysis|opinion|review|report|tech|scholarly|satirical|backgroundnews)?"
    r"(?:article|posting)$|^(?:liveblogposting|webpage-article)$",
    re.IGNORECASE,
)
# an "@type" and its value (one string or a list), in a JSON-LD script's raw text.
# A list stops at the next "[" too: a script of 20,000 unclosed '"@type":['
# would otherwise be scanned to its end from each of them (quadratic: 180 kB
# took 2.5 s), and no list of types holds a bracket.
_LD_TYPE = re.compile(r'"@type"\s*:\s*(\[[^\[\]]*\]|"[^"]*")')
_QUOTED = re.compile(r'"([^"]*)"')
_URL_DATE = re.compile(r"/(?:19|20)\d\d[/-](?:0?[1-9]|1[0-2])(?:[/-]|$)|/(?:19|20)\d\d(?:0[1-9]|1[0-2])\d\d/")


@dataclass(frozen=True, slots=True)
class PageHints:
    title: str | None = None  # og:title / twitter:title, else <title>
    og_article: bool = False  # <meta property="og:type" content="article">
    ld_article: bool = False  # JSON-LD typed Article / NewsArticle / BlogPosting ...
    n_article_tags: int = 0
    n_h1: int = 0
    url_slug_words: int = 0  # words in the URL's last path segment
    url_has_date: bool = False  # /2024/05/ or /20240517/ in the path


def _title(head) -> str | None:
    for node in head.css('meta[property="og:title"], meta[name="twitter:title"]'):
        v = (node.attributes.get("content") or "").strip()
        if v:
            return " ".join(v.split())
    node = head.css_first("title")
    if node is not None:
        return " ".join(node.text().split()) or None
    return None


def page_hints(tree, url: str | None = None, nodes: PageNodes | None = None) -> PageHints:
    """Read the hints from a parsed page (``parse.parse``), its ``page_nodes`` and its URL."""
    nodes = nodes if nodes is not None else page_nodes(tree)
    head = tree.head
    title = _title(head) if head is not None else None
    og_article = False
    for node in nodes.meta:
        if node.attributes.get("property") == "og:type":
            og_article = "article" in (node.attributes.get("content") or "").lower()
            break
    ld_article = any(
        ARTICLE_TYPES.search(t)
        for n in nodes.scripts_of_type("application/ld+json")
        for m in _LD_TYPE.finditer(n.text(deep=True) or "")
        for t in _QUOTED.findall(m.group(1))
    )
    slug_words, has_date = 0, False
    if url:
        try:
            path = urlsplit(url).path
        except ValueError:
            path = ""
        last = path.rstrip("/").rsplit("/", 1)[-1]
        last = re.sub(r"\.\w{2,5}$", "", last)
        slug_words = len([w for w in re.split(r"[-_+]", last) if w])
        has_date = bool(_URL_DATE.search(path))
    return PageHints(
        title=title,
        og_article=og_article,
        ld_article=ld_article,
        n_article_tags=nodes.n_article,
        n_h1=nodes.n_h1,
        url_slug_words=slug_words,
        url_has_date=has_date,
    )
