"""Metadata read from plain text, shared by both products: bylines and
author names, date lines and datelines near the headline, the headline inside
a ``<title>``, the site key of a URL, and the language of the body.

HTML pages (``thresher.html.metadata``) read these from their block texts and
markup values; text dumps (``thresher.dumps``) from their lines. One rule for
each, so a page and its dump give the same answer.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from urllib.parse import urlsplit

from ._stopwords import CHROME_WORDS, PLACE_NAMES
from .dates import MONTH_PATTERN, day_and_instant, month_day, numeric_order, parse_date
from .types import Metadata

__all__ = [
    "UPDATED_LABEL",
    "WRITTEN_BY",
    "byline",
    "clean_authors",
    "comment_head",
    "date_line",
    "detect_language",
    "is_labelled_date_line",
    "norm_name",
    "settle_dates",
    "site_of",
    "strip_site_suffix",
    "text_metadata",
]

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

WRITTEN_BY = re.compile(
    r"^(?:written|posted|verfasst|geschrieben|author|autor|auteur|écrit)(?:\s+(?:by|von|par))?$", re.IGNORECASE
)

# -- shared text rules (HTML bylines and text dumps) ---------------------------

_BY = re.compile(
    r"^\s*(?:(?:written|posted|reported|words|text|story|photos?|more|all (?:posts|articles)|eingestellt|veröffentlicht|"
    r"publiziert|geschrieben|verfasst|gepostet|erstellt|artikel|ein beitrag|mehr|alles|alle artikel|publié|écrit|"
    r"publicado|escrito|pubblicato|scritto)\s+)?"
    r"(?:by|von|par|por|di|door|av|af|przez|от|автор)[\s:]+",
    re.IGNORECASE,
)
_AUTHOR_LABEL = re.compile(
    r"^\s*(?:authors?|autor(?:in|en)?|auteur|autore|redakteur(?:in)?|byline|text)\s*[:|]\s*", re.IGNORECASE
)
_SPLIT_NAMES = re.compile(r"\s*(?:[,;|/&·•]|\band\b|\bund\b|\bet\b|\by\b|\be\b|\ben\b|\bog\b|\bi\b)\s*", re.IGNORECASE)
_NOT_A_NAME = re.compile(
    r"@|https?:|www\.|\.(?:com|org|net|de|co|uk|fr|io)\b|\d|"
    r"\b(?:staff|team|editors?|editorial|redaktion|newsroom|desk|admin|administrator|webmaster|"
    r"reporter|correspondent|contributor|guest|anonymous|unknown|press|news|media|agency|agencies|"
    r"wire|service|online|magazine|daily|times|post|journal|network|group|inc|ltd|llc|gmbh|"
    r"updated|published|posted|comments?|share|follow|read|minutes?|min|more|about|view|profile|"
    r"admin|root|user|author|autor|auteur|written|verfasst|by|"
    # placeholders a template prints when it has no author, and labels split off a byline
    r"undefined|null|none|nobody|n/a|unbekannt|anonym|anonyme|anónimo|anonimo|permalink|privacy|categor(?:y|ies)|"
    r"home|homepage|name|names|interview|founder|authors|autoren|auteurs|autores|autori|text|redacción|redazione|"
    r"veröffentlicht|publiziert|eingestellt|gepostet|erstellt|publié|publicado|pubblicato|alle artikel|"
    # a comment's head ("Jane Doe says"), not the article's byline
    r"says|said|wrote|sagt|schreibt|schrieb|meint|dit|dice|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch|donnerstag|freitag|samstag|"
    r"sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo)\b",
    re.IGNORECASE,
)
#: A one-word author value that is the account a CMS or a forum creates by
#: default ("wordpressadmin", "q_admin", "webmaster", "user_12", "editor2"),
#: or a byline's preposition, never a person's name.
_ACCOUNT = re.compile(
    r"^(?:\w*admin\w*|wordpress\w*|wp[_-]?\w+|webmaster|root|sysop|moderator|user[_-]?\w*|editor[_-]?\w*|author[_-]?\w*|"
    r"test(?:er|user)?\d*|demo|default|guest\w*|"
    # a byline's word left alone when the name was elsewhere ("Von" / "Jane Doe" on two lines)
    r"von|por|par|by|di|mehr|more)$",
    re.IGNORECASE,
)
_PLACES = frozenset(" ".join(re.sub(r"[\W_]+", " ", p).split()) for p in PLACE_NAMES)
_URLISH = re.compile(r"^\s*(?:https?:|www\.|/|\S+\.\w{2,4}/)", re.IGNORECASE)
_NAME_WORD = re.compile(r"^[^\W\d_][\w'’.\-]*$")
#: A person's name has 1-5 words: "Cher", "Ursula von der Leyen", "Maria
#: José da Silva Santos". Longer strings are sentences, not names.
MAX_NAME_WORDS = 5
_CREDENTIAL = re.compile(r"^(?:[A-Z]{2,5}|Ph\.?D\.?|M\.?D\.?|Jr\.?|Sr\.?|I{2,3}|IV)$")


def _is_person(name: str, structured: bool) -> bool:
    """Whether one split-off author value can be a person's name: 1 to
    ``MAX_NAME_WORDS`` words of letters, no credential, label, placeholder,
    place, default account name or lone initial; in running text (not
    ``structured``) a capital letter too ("john" there is a word, not a name)."""
    if not name or _CREDENTIAL.match(name) or _NOT_A_NAME.search(name):
        return False
    words = name.split()
    if len(words) > MAX_NAME_WORDS or not all(_NAME_WORD.match(w) for w in words):
        return False
    if len(words) == 1 and (len(name.rstrip(".")) == 1 or _ACCOUNT.match(name)):  # "V", "wordpressadmin"
        return False
    if not structured and not any(w[0].isupper() for w in words):
        return False
    return norm_name(name) not in _PLACES  # "Munich", "Germany", "New York"


def clean_authors(values, *, site_name: str | None = None, structured: bool = False, persons=()) -> list[str]:
    """Person names from raw author strings: split, stripped of "By", validated, de-duplicated.

    ``structured`` values come from markup that says "this is the author"
    (JSON-LD, meta tags, rel=author): there a lower-case handle ("gizzmo") is
    the name the page gives and is kept (a forum's or a blog's users sign so),
    unless it is a default account ("wordpressadmin"); in running text it is
    not. Places ("Munich, Germany"), placeholders ("undefined", "null") and
    labels are dropped (``_is_person``). A name
    equal to the site's is dropped unless it is among ``persons`` (typed
    ``Person`` in JSON-LD: a one-person site named after its author).
    """
    persons = {norm_name(p) for p in persons}
    out: list[str] = []
    seen: set[str] = set()
    site = norm_name(site_name) if site_name else None
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
            if not _is_person(name, structured):
                continue
            key = norm_name(name)
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
UPDATED_LABEL = re.compile(
    r"^\s*(?:last\s+)?(?:updated|modified|aktualisiert|mis à jour|actualizado|aggiornato)", re.IGNORECASE
)
#: A line that is only a date, or a labelled date, is at most this long.
#: ("Last Updated: Wednesday, 10 December 2007, 10:28 GMT" is 53 characters.)
MAX_DATE_LINE = 90
_DIGIT = re.compile(r"\d")
_LEADING_DATE = re.compile(
    rf"^\s*(?:\d{{1,2}}[./]\s?\d{{1,2}}[./]\s?\d{{4}}|\d{{4}}-\d\d-\d\d|\d{{1,2}}\.?\s+(?:{MONTH_PATTERN})\s+\d{{4}}|(?:{MONTH_PATTERN})\.?\s+\d{{1,2}},\s+\d{{4}})\b",
    re.IGNORECASE,
)
_DATELINE = re.compile(
    r"^([A-Z][A-Z .'\-]{1,30}|[A-Z][a-z]+(?: [A-Z][a-z]+)?),\s+([^()\-–—]{3,25}?)\s*(?:\([^)]{2,40}\))?\s*[-–—]"
)


def is_labelled_date_line(text: str) -> bool:
    """A short "Published ...", "Last Updated: ...", "Posted on ..." line holding a date."""
    return len(text) <= MAX_DATE_LINE and bool(_DATE_LABEL.match(text)) and parse_date(text) is not None


def date_line(text: str, *, latest: datetime | None = None, month_first: bool = False) -> tuple[str | None, bool]:
    """``(iso date, is_update)`` when ``text`` is a short date line, else ``(None, False)``.
    (``month_first``: the page's order of numeric dates, ``dates.numeric_order``.)"""
    if len(text) > MAX_DATE_LINE or not _DIGIT.search(text):
        return None, False
    labelled = _DATE_LABEL.match(text)
    rest = text[labelled.end() :] if labelled else text
    # an unlabelled line must be mostly the date: "10 December 2007, 10:28 GMT",
    # "Pressemitteilung vom 25. Januar 2022 | Berlin"
    if not labelled and len(re.sub(r"[\W\d_]+", "", rest)) > MAX_DATE_LINE_LETTERS:
        return None, False
    value = parse_date(rest, latest=latest, month_first=month_first)
    if value is None:
        return None, False
    return value, bool(UPDATED_LABEL.match(text))


def settle_dates(meta: Metadata) -> Metadata:
    """``meta``'s dates in their one stored form, in place (``dates.day_and_instant``):
    ``published`` and ``updated`` days, ``published_time`` the UTC instant when
    the page stated a time and a zone. The last step of both products' metadata."""
    meta.published, meta.published_time = day_and_instant(meta.published)
    meta.updated = day_and_instant(meta.updated)[0]
    return meta


def byline(text: str) -> list[str]:
    """The names in a byline line ("By Jane Doe and John Roe"), else ``[]``."""
    if len(text) > 120 or not (_BY.match(text) or _AUTHOR_LABEL.match(text)):
        return []
    # "By Jane Doe, 21 May 2024" / "By Jane Doe | Updated ..."
    text = re.split(r"\s*(?:\||•|·|—|–|\bon\b|\bam\b|\bupdated\b|\bpublished\b)\s*|,\s*(?=\d)", text, maxsplit=1)[0]
    return clean_authors([text])


def text_metadata(
    lines: list[str], *, headline: int = -1, latest: datetime | None = None, month_first: bool | None = None
) -> Metadata:
    """Dates, byline and dateline read from the lines around the headline.

    Works on a text dump's lines and on an HTML page's block texts alike.
    ``month_first`` is the page's order of numeric dates; ``None``: learn it
    from the lines' own dates (``dates.numeric_order``), else day first.
    """
    if month_first is None:
        month_first = numeric_order(lines)
    meta = Metadata()
    lo = max(0, headline - NEAR_HEADLINE_BEFORE) if headline >= 0 else 0
    hi = min(len(lines), (max(headline, 0)) + NEAR_HEADLINE_AFTER + 1)
    # the lines under the headline first: those above it are more often the
    # end of another story's teaser (its date, its byline) than this one's
    # (the headline itself, "2024.4.4 -> 2024.5.0: upgrade fails", names no date of the page)
    order = [*range(headline + 1, hi), *range(lo, headline)] if headline >= 0 else range(lo, hi)
    for i in order:
        text = lines[i]
        names = byline(text)
        if not names and i + 1 < len(lines) and WRITTEN_BY.match(_BY.sub("", text).strip(" :") or "by"):
            names = byline("By " + lines[i + 1])  # "Written by" / "Jane Doe" on two lines
        meta.authors = meta.authors or names
        value, is_update = date_line(text, latest=latest, month_first=month_first)
        if value is None and (names or _LEADING_DATE.match(text)):
            # "By Jane Doe, 29.12.2010" / "01.02.2022 The council said..."
            value, is_update = parse_date(text[:MAX_DATE_LINE], latest=latest, month_first=month_first), False
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
        if norm_name(head) == norm_name(site_name) and rest.strip():
            return rest.strip()
    parts = _TITLE_SEP.split(title)
    if len(parts) < 2:
        return title
    names = set()
    if site_name:
        names.add(norm_name(site_name))
    host = site_of(url)
    if host:
        names.add(norm_name(host.split(".")[0]))
        names.add(norm_name(host))

    def is_site(p: str) -> bool:
        n = norm_name(p)
        return bool(n) and (n in names or n.replace(" ", "") in names or any(n and n in x for x in names if len(n) > 3))

    kept = [p for p in parts if not is_site(p)]
    if kept and len(kept) < len(parts):
        return " - ".join(kept) if len(kept) > 1 else kept[0]
    last, first = parts[-1], parts[0]
    if len(last.split()) <= 4 and len(" ".join(parts[:-1])) > len(last):
        return (
            strip_site_suffix(_TITLE_SEP.split(title, maxsplit=len(parts) - 2)[0], site_name=site_name, url=url)
            if len(parts) > 2
            else first
        )
    return title


# -- language ---------------------------------------------------------------------


def detect_language(text: str, *, declared: str | None = None) -> str | None:
    """ISO 639-1 code of ``text``'s language (py3langid, offline), or the declared one for short text."""
    sample = text[:LANGID_MAX_CHARS]
    if len(sample.strip()) < LANGID_MIN_CHARS:
        return declared
    from py3langid import classify  # the model loads on first use, from the package

    code, _ = classify(sample)
    return code


# -- comments ---------------------------------------------------------------------

#: A comment's author or date line is at most this long...
COMMENT_HEAD_MAX_CHARS = 80
#: ...and an author one to this many words (a name or a handle).
COMMENT_AUTHOR_MAX_WORDS = 5
_SAYS = re.compile(r"\s*(?:says|said|wrote|writes|schreibt|a écrit|dice)\s*[:.…]*\s*$", re.IGNORECASE)
# where a head line's name ends: a separator, or a word that starts its date
_HEAD_CUT = re.compile(
    rf"\s*[|•·]|,?\s+(?=(?:on\s+|at\s+|am\s+|le\s+|posted\s+)?(?:\d|(?:{MONTH_PATTERN})\b))", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"[.!?…]\s*$")
_MONTH_FIRST = re.compile(rf"^(?:{MONTH_PATTERN})\b", re.IGNORECASE)


def comment_head(text: str) -> tuple[str | None, str | None]:
    """``(author, date)`` when ``text`` is a comment's head line ("Jane Doe
    says:", "Jane Doe 07.15.12 at 11:59", "March 3, 2012 at 4:05 pm"), else
    ``(None, None)``: a short line, no sentence, naming a person or a date."""
    if len(text) > COMMENT_HEAD_MAX_CHARS:
        return None, None
    date = day_and_instant(parse_date(text))[0]
    name = _BY.sub("", _SAYS.sub("", _HEAD_CUT.split(text.strip(), maxsplit=1)[0])).strip(" :|-–—,")
    words = name.split()
    if (
        not 1 <= len(words) <= COMMENT_AUTHOR_MAX_WORDS
        or (_SENTENCE_END.search(name) and len(words[-1]) > 2)  # "Anna K." ends in an initial, not a sentence
        or not name[0].isalpha()
        or _MONTH_FIRST.match(name)
        or (len(words) == 1 and name.lower() in CHROME_WORDS)  # "Reply", "Like", "Share"
    ):
        name = None
    elif not date and not _SAYS.search(text) and not all(w[:1].isupper() or not w[:1].isalpha() for w in words):
        name = None  # without a date or "says", only a capitalised name is taken for an author
    return name, date


# -- names and sites ---------------------------------------------------------------


def site_of(url: str | None) -> str | None:
    """The site of ``url``: its registrable domain (``news.bbc.co.uk`` and
    ``www.bbc.co.uk`` are both ``bbc.co.uk``), or ``None``.

    The one site key of the package: site memory, the store's ``site`` column
    and ``stats`` all read it. The public-suffix list is the snapshot the
    ``publicsuffixlist`` package ships (nothing is downloaded): it knows that
    ``co.uk`` is a suffix and that each ``*.blogspot.com`` is a site of its own.
    An IP address, or a host the list has no domain for (``localhost``), is its
    own site.
    """
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    host = (host or "").rstrip(".")
    if not host:
        return None
    if _IP_HOST.match(host):
        return host
    return _public_suffixes().privatesuffix(host) or host.removeprefix("www.")


_IP_HOST = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){3}|.*:.*)$")  # IPv4, or IPv6 (urlsplit drops its brackets)


@cache
def _public_suffixes():
    from publicsuffixlist import PublicSuffixList  # ~70 ms to build: once, on first use

    return PublicSuffixList()


def norm_name(text: str) -> str:
    """``text`` case-folded, its punctuation and runs of spaces one space: how names compare."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())
