"""Metadata read from plain text, shared by both products: bylines and
author names, date lines and datelines near the headline, the headline inside
a ``<title>``, the site key of a URL, and the language of the body.

HTML pages (``thresher.html.metadata``) read these from their block texts and
markup values; text dumps (``thresher.dumps``) from their lines. One rule for
each, so a page and its dump give the same answer.
"""

from __future__ import annotations

import html
import os
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from ._stopwords import CHROME_WORDS, PLACE_NAMES, STOPWORDS
from .dates import MONTH_PATTERN, day_and_instant, month_day, numeric_order, parse_date
from .types import Metadata

__all__ = [
    "UPDATED_LABEL",
    "TitleClues",
    "WRITTEN_BY",
    "byline",
    "clean_authors",
    "clean_headline",
    "comment_head",
    "date_line",
    "detect_language",
    "is_labelled_date_line",
    "is_site_name",
    "norm_name",
    "preload",
    "settle_dates",
    "site_names",
    "site_of",
    "stated_organisation",
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
    r"^\s*(?:authors?|autor(?:in|en)?|auteur|autore|redakteur(?:in)?|redaktion|byline|text)\s*[:|]\s*", re.IGNORECASE
)
_SPLIT_NAMES = re.compile(r"\s*(?:[,;|/&·•]|\band\b|\bund\b|\bet\b|\by\b|\be\b|\ben\b|\bog\b|\bi\b)\s*", re.IGNORECASE)
_WEEKDAYS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch|donnerstag|freitag|samstag|"
    "sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo"
)
_SAYS_WORDS = "says|said|wrote|writes|sagt|schreibt|schrieb|meint|dit|a écrit|dice"
#: Words that make an author value a label or a placeholder, never a name of
#: anyone: what a template prints when it has no author, the labels and links
#: split off a byline ("Full Bio", "Alle Beiträge"), a comment's head ("Jane
#: Doe says"), a date's words.
_LABEL_WORDS = (
    r"(?:last\s+)?updated|published|posted|comments?|share|follow|read|minutes?|min|more|about|view|profile|profil|bio|"
    r"sign|join|login|log|register|subscribe|"
    r"admin|root|user|author|autor|auteur|written|verfasst|by|"
    r"undefined|null|none|nobody|n/a|unbekannt|anonym|anonyme|anónimo|anonimo|permalink|privacy|categor(?:y|ies)|"
    r"home|homepage|name|names|interview|founder|authors|autoren|auteurs|autores|autori|text|blog|posts|"
    r"beiträge|articles|veröffentlicht|publiziert|eingestellt|gepostet|erstellt|publié|publicado|pubblicato|"
    r"alle artikel|гость|аноним|"
    rf"{_SAYS_WORDS}|"
    rf"{_WEEKDAYS}"
)
_LABEL = re.compile(rf"\b(?:{_LABEL_WORDS})\b", re.IGNORECASE)
#: ...of which these make a comment's head ("Jane Doe says:"), which names no
#: author of the article.
_SAYS = re.compile(rf"\s*(?:{_SAYS_WORDS})\s*[:.…]*\s*$", re.IGNORECASE)
#: ...and a person's name holds none of these either: an address, a number,
#: a desk or a firm's word ("Acme GmbH & Co. KG"), a job title split off a
#: byline ("Jane Doe, Product Manager").
_NOT_A_NAME = re.compile(
    r"@|https?:|www\.|\.(?:com|org|net|de|co|uk|fr|io|it|at|ch|nl|be|es|pl|ru|eu|info|us|ca|au|in|br)\b|\d|"
    r"\b(?:staff|team|editors?|editorial|redaktion|newsroom|desk|administrator|webmaster|"
    r"reporter|correspondent|contributor|guest|anonymous|unknown|press|news|media|agency|agencies|"
    r"wire|service|online|magazine|daily|times|post|journal|network|group|inc|ltd|llc|gmbh|"
    r"redacción|redazione|редакция|"
    r"engineer|manager|director|coordinator|ceo|cto|cfo|president|officer|specialist|consultant|analyst|expert|"
    r"educator|owner|chief|producer|designer|developer|marketing|strategist|scientist|evangelist|moderator|"
    r"testimonial|horticulturalist|winemaker|kg|corp|corporation|company|plc|llp|presse|verlag|zeitung|noticias|"
    r"magazin|journalist|journalistin|kolumnist|kolumnistin|university|universität|université|hospital|"
    rf"{_LABEL_WORDS})\b",
    re.IGNORECASE,
)
_PARENTHESES = re.compile(r"\s*\([^()]*\)\s*")
#: Where a byline element's date begins ("By Jane Doe Thursday, November 9,
#: 2023", "Jane Doe March 3, 2024 at 6:01 am", "Jane Doe | 12.03.2024"): the
#: name is what comes before it. A month counts only before a digit ("Theresa
#: May" is a name), a bare number only after a separator (in "Jane Doe Stand
#: 12.03." a label word would be left).
_DATE_START = re.compile(rf"\b(?:(?:{_WEEKDAYS})\b|(?:{MONTH_PATTERN})\.?\s+\d)|[|·•,–—]\s*\d", re.IGNORECASE)
#: A one-word author value that is the account a CMS or a forum creates by
#: default ("wordpressadmin", "q_admin", "webmaster", "user_12", "editor2"),
#: a byline's preposition or a weekday's abbreviation, never a person's name.
_ACCOUNT = re.compile(
    r"^(?:\w*admin\w*|wordpress\w*|wp[_-]?\w+|webmaster|root|sysop|moderator|user[_-]?\w*|editor[_-]?\w*|author[_-]?\w*|"
    r"test(?:er|user)?\d*|demo|default|guest\w*|\w*team|\w*desk|newsroom|"
    # a byline's word left alone when the name was elsewhere ("Von" / "Jane Doe" on two lines)
    r"von|por|par|by|di|mehr|more|"
    # "zvg", the Swiss and German press's "provided" credit
    r"zvg|"
    # a weekday's abbreviation split off a date ("Sat, 20 Dec, 2025")
    r"mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)$",
    re.IGNORECASE,
)
#: The lower-case words a person's name holds: "Ursula von der Leyen",
#: "José da Silva", "Ibn al Haytham". Any other function word (``STOPWORDS``)
#: in a name makes it a phrase.
_NAME_PARTICLES = frozenset(
    "von van der den de da das do dos del della di du la le les lo y e bin ibn al el ter ten zu af av och".split()
)
#: No person's name starts with an article: "The Water Coolest", "Die FURCHE".
_ARTICLES = frozenset(("the", "die", "der"))  # not "das": an Indian surname too
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
        return False  # "john" in running text is a word
    if (len(words) == 1 and name.isupper()) or words[0].lower() in _ARTICLES:
        return False  # "WESTPORT" is a dateline; "The Lorax", "Die FURCHE" a title or a paper
    lower = [w.lower() for w in words if w.islower() or name.isupper()]
    if any(w in STOPWORDS and w not in _NAME_PARTICLES for w in lower):
        return False  # "Insights from", "Geeks are Sexy", "ACROSS THE ART"; not "Ursula von der Leyen"
    if not name.islower() and any(w.islower() and w not in _NAME_PARTICLES for w in words):
        return False  # "Syrian defense ministries", "deinen Hochzeitsbloggern"; not "annette thurmon", "van Gogh"
    return norm_name(name) not in _PLACES  # "Munich", "Germany", "New York"


_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]{2,8});", re.IGNORECASE)


def _unescape(text: str) -> str:
    """Text with its character references resolved, twice: markup values are
    often escaped twice ("Redacci&amp;oacute;n" in a meta tag)."""
    if "&" in text and _ENTITY.search(text):
        return html.unescape(html.unescape(text))
    return text


def _halve_doubled(text: str) -> str:
    """A name written twice by the markup (a link's text and a hidden copy:
    "Jane Doe Jane Doe") once."""
    words = text.split()
    half = len(words) // 2
    return " ".join(words[:half]) if half and len(words) % 2 == 0 and words[:half] == words[half:] else text


def clean_authors(values, *, site_name: str | None = None, structured: bool = False, persons=()) -> list[str]:
    """Person names from raw author strings: split, stripped of "By", validated, de-duplicated.

    ``structured`` values come from markup that says "this is the author"
    (JSON-LD, meta tags, rel=author): there a lower-case handle ("gizzmo") is
    the name the page gives and is kept (a forum's or a blog's users sign so),
    unless it is a default account ("wordpressadmin"); in running text it is
    not. Places ("Munich, Germany"), placeholders ("undefined", "null") and
    labels are dropped (``_is_person``). A name equal to the site's is
    dropped unless it is among ``persons`` (typed ``Person`` in JSON-LD: a
    one-person site named after its author). (Names matching the host, as
    headings are matched, are kept: personal sites are named after their
    author, and dropping them cost 2.5 points on the dev pages.)
    """
    persons = {norm_name(p) for p in persons}
    out: list[str] = []
    seen: set[str] = set()
    site = norm_name(site_name) if site_name else None
    for value in values:
        if not isinstance(value, str):
            continue
        value = " ".join(_unescape(value).split())
        if not value or len(value) > 200 or _URLISH.match(value):
            continue
        value = _AUTHOR_LABEL.sub("", _BY.sub("", value))
        value = _halve_doubled(value)
        value = value[: m.start()] if (m := _DATE_START.search(value)) and m.start() else value
        if (m := _LABEL.search(value)) and len(value[: m.start()].split()) >= 2 and not _SAYS.match(m[0]):
            value = value[: m.start()]  # "Jane Doe View Profile", "Jane Doe Last updated"; not "No Author"
        value = _PARENTHESES.sub(" ", value)  # "Jean-Luc Aufranc (CNXSoft)", "Jane Doe (dpa)"
        # "Jane Doe - Site Name" / "Jane Doe | Reuters" -> the person only
        value = re.split(r"\s+[-–—|]\s+", value, maxsplit=1)[0]
        names = [_BY.sub("", part).strip(" .,:;-–—()[]\"'“”") for part in _SPLIT_NAMES.split(value)]
        people = [name for name in names if name and _is_person(name, structured)]
        if len(people) < len([n for n in names if n]):
            # a value that is not all names: a lone word in it is the end of a phrase
            # ("Corti AI platform ... Research & Development"), not a person
            people = [name for name in people if " " in name]
        for name in people:
            key = norm_name(name)
            if key in seen or (site and key not in persons and (key == site or key in site.split())):
                continue
            seen.add(key)
            out.append(name)
    return out


#: An organisation's name as an author value has at most this many words
#: ("EnBW Energie Baden-Württemberg AG" is 4).
MAX_ORGANISATION_WORDS = 6
#: Author values that name nobody, beyond the labels (``_LABEL``) and default
#: accounts (``_ACCOUNT``): a desk's or a template's word alone, or punctuation.
_PLACEHOLDER = re.compile(r"^(?:unknown|anonymous|staff|redaktion|\W*)$", re.IGNORECASE)


def _names_an_organisation(value: str) -> bool:
    """Whether an author value the markup states can be an organisation's
    name: a few words, no address, number or handle ("guitar_00"), no
    placeholder, label or account ("No Author", "NOC Admin"), no phrase
    led by a lower-case word ("deinen Bloggern"; "kath.net" is a name), no place."""
    words = value.split()
    return (
        0 < len(words) <= MAX_ORGANISATION_WORDS
        and not _URLISH.match(value)
        and not any(c.isdigit() or c in "_@" for c in value)
        and not (_PLACEHOLDER.match(value) or _LABEL.search(value) or _ACCOUNT.match(value))
        and "admin" not in value.lower()
        and not (words[0].islower() and "." not in words[0] and not value.islower())
        and not any(norm_name(part) in _PLACES for part in value.split(","))  # "Frankfurt, Germany"
    )


def stated_organisation(values) -> list[str]:
    """The first author value the markup states that names no person but an
    organisation: the site itself ("Presse Augsburg"), its publisher or a
    company ("Loona Construction", "Cerebral Inc."). A page's own word for
    its author is kept when no person is named anywhere on it."""
    for value in values:
        if isinstance(value, str):
            value = " ".join(_unescape(value).split()).strip(" ,:;-–—|")
            if _names_an_organisation(value):
                return [value]
    return []


#: ...and has at most this many letters besides the date's and its label's
#: (a search form's help, "Date within: Monday, today, last week, Mar 26,
#: 3/26/04", is labelled but no date line).
MAX_DATE_LINE_LETTERS = 36
_DATE_LABEL = re.compile(
    r"^\s*(?:(?:first\s+)?(?:published|posted|created|erschienen|veröffentlicht|publié|publicado|pubblicato|gepubliceerd)"
    r"(?:\s+(?:on|am|le|el|il|op))?|(?:last\s+)?(?:updated|modified|aktualisiert|mis à jour|actualizado|aggiornato)"
    r"(?:\s+(?:on|am|le|el|il|op))?|date|datum|stand)\b\s*[:\-–]?\s*",
    re.IGNORECASE,
)
#: The words that label an update ("Letzte Änderung: 31.10.2023", "zuletzt geändert").
_UPDATE_WORDS = r"updated|modified|aktualisiert|letzte änderung|zuletzt geändert|mis à jour|actualizado|aggiornato"
UPDATED_LABEL = re.compile(rf"^\s*(?:last\s+)?(?:{_UPDATE_WORDS})", re.IGNORECASE)
#: The same label inside a line: "By Jane Doe Last Updated: December 6, 2024",
#: "March 3, 2024 | Updated: May 1, 2025".
_UPDATED_WITHIN = re.compile(rf"(?:\blast\s+)?\b(?:{_UPDATE_WORDS})\b", re.IGNORECASE)
#: Labels of dates that are not the page's publication: those a forum or a
#: comment shows beside each poster, of the account ("Registered: 2024-01-27",
#: "Joined: Mar 26, 2004", "Founded: Dec 11, 2021", "Mitglied seit
#: 03.05.2019"), a thread's latest reply ("Last post: 01/12/2025"), and an
#: event's ("Termin: 21.02.2020, 19 Uhr", "Event date: May 5, 2024").
_NOT_PUBLISHED_LABEL = re.compile(
    r"^\s*(?:registered|joined|join date|member since|founded|registriert(?:\s+seit)?|dabei seit|mitglied seit|"
    r"inscrit(?:\s+le)?|membre depuis|registrado|miembro desde|iscritto|lid sinds|geregistreerd|"
    r"last (?:post|reply|activity)|latest (?:post|reply)|letzter beitrag|letzte antwort|dernier message|"
    r"termin|event date|veranstaltungsdatum)\b",
    re.IGNORECASE,
)
#: A line that is only a date, or a labelled date, is at most this long.
#: ("Last Updated: Wednesday, 10 December 2007, 10:28 GMT" is 53 characters.)
MAX_DATE_LINE = 90
_DIGIT = re.compile(r"\d")
_LEADING_DATE = re.compile(
    rf"^\s*(?:\d{{1,2}}[./]\s?\d{{1,2}}[./]\s?\d{{4}}|\d{{4}}-\d\d-\d\d|\d{{4}}[./]\d{{1,2}}[./]\d{{1,2}}|\d{{1,2}}\.?\s+(?:{MONTH_PATTERN})\s+\d{{4}}|(?:{MONTH_PATTERN})\.?\s+\d{{1,2}},\s+\d{{4}})\b",
    re.IGNORECASE,
)
#: A publication label inside a line, a date right after it: "Essay - Published:
#: 2025.12.17 | programming | ai", "Story | Posted on May 5, 2024 | 3 comments".
_PUBLISHED_WITHIN = re.compile(
    r"\b(?:published|posted|erschienen|veröffentlicht|publié|publicado|pubblicato|gepubliceerd)"
    r"(?:\s+(?:on|am|le|el|il|op))?\s*:?\s*",
    re.IGNORECASE,
)
#: A date, then a separator, then (perhaps) a name: "11.12.2019 - Jane Doe",
#: "Dec. 19, 2025 · Jane Doe on behalf of the team".
_DATE_THEN_NAME = re.compile(_LEADING_DATE.pattern + r"\.?\s*[-–—|·•]\s*", re.IGNORECASE)
_DATELINE = re.compile(
    r"^([A-Z][A-Z .'\-]{1,30}|[A-Z][a-z]+(?: [A-Z][a-z]+)?),\s+([^()\-–—]{3,25}?)\s*(?:\([^)]{2,40}\))?\s*[-–—]"
)


def is_labelled_date_line(text: str) -> bool:
    """A short "Published ...", "Last Updated: ...", "Posted on ..." line holding a date."""
    return len(text) <= MAX_DATE_LINE and bool(_DATE_LABEL.match(text)) and parse_date(text) is not None


def date_line(text: str, *, latest: datetime | None = None, month_first: bool = False) -> tuple[str | None, bool]:
    """``(iso date, is_update)`` when ``text`` is a short date line, else ``(None, False)``.
    (``month_first``: the page's order of numeric dates, ``dates.numeric_order``.)"""
    if len(text) > MAX_DATE_LINE or not _DIGIT.search(text) or _NOT_PUBLISHED_LABEL.match(text):
        return None, False
    labelled = _DATE_LABEL.match(text)
    rest = text[labelled.end() :] if labelled else text
    # a line must be mostly the date: "10 December 2007, 10:28 GMT",
    # "Pressemitteilung vom 25. Januar 2022 | Berlin", "Date: 5 May 2024"
    if len(re.sub(r"[\W\d_]+", "", rest)) > MAX_DATE_LINE_LETTERS:
        return None, False
    if UPDATED_LABEL.match(text):
        value = parse_date(rest, latest=latest, month_first=month_first)
        return (value, True) if value else (None, False)
    return _published_or_updated(rest, latest, month_first)


def _published_or_updated(text: str, latest: datetime | None, month_first: bool) -> tuple[str | None, bool]:
    """``(iso date, is_update)`` of a line that may name an update inside it:
    in "March 3, 2024 | Updated: May 1, 2025" the date before the label is
    the publication; "By Jane Doe · Editor · Updated May 6, 2025" shows only
    the update."""
    inner = _UPDATED_WITHIN.search(text)
    if inner is None:
        return parse_date(text, latest=latest, month_first=month_first), False
    before = parse_date(text[: inner.start()], latest=latest, month_first=month_first)
    if before:
        return before, False
    after = parse_date(text[inner.end() :], latest=latest, month_first=month_first)
    return (after, True) if after else (None, False)


def settle_dates(meta: Metadata) -> Metadata:
    """``meta``'s dates in their one stored form, in place (``dates.day_and_instant``):
    ``published`` and ``updated`` days, ``published_time`` the UTC instant when
    the page stated a time and a zone. The last step of both products' metadata."""
    meta.published, meta.published_time = day_and_instant(meta.published)
    meta.updated = day_and_instant(meta.updated)[0]
    return meta


def byline(text: str) -> list[str]:
    """The names in a byline line ("By Jane Doe and John Roe", "11.12.2019 -
    Jane Doe"), else ``[]``."""
    if len(text) > 120:
        return []
    if not (_BY.match(text) or _AUTHOR_LABEL.match(text)):
        m = _DATE_THEN_NAME.match(text)
        if not m:
            return []
        text = text[m.end() :]
    # "By Jane Doe, 21 May 2024" / "By Jane Doe | Updated ..." / "By Jane Doe in Politics"
    text = re.split(
        r"\s*(?:\||•|·|—|–|\bon\b|\bam\b|\bin\b|\bupdated\b|\bpublished\b)\s*|,\s*(?=\d)", text, maxsplit=1
    )[0]
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
        if value is None and (names or _BY.match(text) or _LEADING_DATE.match(text)):
            # "By Jane Doe, 29.12.2010" / "01.02.2022 The council said..." /
            # "By Jane Doe, 29.12.2010, updated 30.12.2010"
            value, is_update = _published_or_updated(text[:MAX_DATE_LINE], latest, month_first)
        elif value is None and (label := _PUBLISHED_WITHIN.search(text, 0, MAX_DATE_LINE)):
            after = text[label.end() : MAX_DATE_LINE]
            if _LEADING_DATE.match(after):
                value, is_update = _published_or_updated(after, latest, month_first)
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

#: What separates a title's parts: "Headline | Site", "Site - Section - Headline",
#: "Headline :: Site", "Headline » Blog". Kept when the parts are joined again.
_TITLE_SEP = re.compile(r"(\s+(?:[|»«·•:/›~]|[-–—]|::|//)\s+|\s*\|\s*)")
#: Underscores separate the site's name on some (mostly Chinese) sites:
#: "Headline_English_Xinhua". Split there only when what follows names the site.
_UNDERSCORE_SEP = re.compile(r"(\s*_\s*)")
#: Words a site's name adds to its domain's label: "BBC News" on bbc.co.uk,
#: "NYTimes.com", "The Everywhereist".
_SITE_WORDS = frozenset(
    "the news sport sports online com net org de uk co tv radio daily blog magazine mag times post live digital "
    "today info media newspaper zeitung nachrichten www".split()
)
#: A site part is short: "BBC News", "IT Pro", "The Design Public Blog".
MAX_SITE_PART_WORDS = 5
#: Between a headline and the site's name, parts of up to this many words are
#: section labels ("| UK |", "- Politics -", "_English_"), when the headline
#: part is longer.
MAX_SECTION_WORDS = 2
#: What never stands in a headline: markup, comments and script that leaked
#: into a page's <title> or og:title ("BBC SPORT<!-- i library--> <script src=...",
#: "...document.getElementById("font")"). A headline is cut where they start.
_CODE_IN_TITLE = re.compile(
    r"<!--|-->|<\s*[a-z][a-z0-9]*\s+[a-z-]+\s*=|</\s*(?:script|style|title|head|div|span|font|a|p|td|tr|table)\s*>|"
    r"\b(?:document|window)\s*\.\s*\w+|\bgetElement\w*|\bfunction\s*\(|\bvar\s+\w+\s*=|\)\s*;|\{\s*[\w$\"']+\s*[:=(]",
    re.IGNORECASE,
)
#: A title cut before leaked code keeps what came before only if it has this
#: many words: shorter, it is the site's name or the code's own debris.
MIN_CUT_TITLE_WORDS = 4
_TITLE_TRIM = " \t|:;,-–—»«·•/›~_"


def clean_headline(text: str | None) -> str | None:
    """A headline as a reader sees it: entities decoded (pages that escape
    twice leave "&amp;#8211;" in og:title), whitespace collapsed, and cut
    before any markup or code that leaked in (``_CODE_IN_TITLE``). ``None``
    when nothing with a letter is left (a headline is words, not "6.0"), or
    when code leaked in and less than ``MIN_CUT_TITLE_WORDS`` words are left
    before it: "BBC SPORTi library--> <script...>" is a broken title, not a
    headline."""
    if not text:
        return None
    text = " ".join(_unescape(text).split())
    m = _CODE_IN_TITLE.search(text)
    if m:
        text = text[: m.start()].rstrip(_TITLE_TRIM + "<(\"'")
        if len(text.split()) < MIN_CUT_TITLE_WORDS:
            return None
    text = text.strip()
    return text if any(c.isalpha() for c in text) else None


def site_names(site_name: str | None = None, url: str | None = None) -> frozenset[str]:
    """What names the site, normalised (``norm_name``) and without spaces: its
    declared name, its registrable domain and that domain's label, and the
    labels of the host's own subdomains (english.example.com: "english")."""
    names = set()
    # a declared name that is a whole title ("Headline - Site", a template's
    # misuse of og:site_name) names no site
    if site_name and norm_name(site_name) and not _TITLE_SEP.search(site_name):
        names.add(norm_name(site_name).replace(" ", ""))
    site = site_of(url)
    if site:
        label = site.split(".")[0]
        names |= {norm_name(site).replace(" ", ""), label}
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:
            host = ""
        names |= {sub for sub in host.removesuffix(site).split(".") if len(sub) > 2 and sub != "www"}
    return frozenset(n for n in names if n)


def is_site_name(text: str, names: frozenset[str]) -> bool:
    """Whether ``text`` (a part of a title, a heading) names the site: it is one
    of ``names`` (``site_names``), or one with site words around it ("BBC News"
    on bbc.co.uk, "NYTimes.com"), or a short part of a longer name ("Xinhua" of
    xinhuanet), or made of the host's labels ("English Xinhua")."""
    n = norm_name(text)
    words = n.split()
    if not words or len(words) > MAX_SITE_PART_WORDS:
        return False
    squashed = "".join(words)
    if squashed in names:
        return True
    for name in names:
        if len(name) < 3:
            continue
        if len(squashed) > 3 and squashed in name and len(squashed) * 2 >= len(name):
            return True  # "Xinhua" of xinhuanet
        at = squashed.find(name)
        if at >= 0:
            rest = norm_name(n.replace(name, " ", 1)) if name in n else squashed[:at] + " " + squashed[at + len(name) :]
            if all(w in _SITE_WORDS for w in rest.split()):
                return True  # "BBC News", "The Everywhereist", "NYTimes.com"
    # made of the host's labels, or of most of them: "English Xinhua" on english.xinhuanet.com
    return all(len(w) > 3 and any(w in name and len(w) * 2 >= len(name) for name in names) for w in words)


@dataclass(frozen=True, slots=True)
class TitleClues:
    """What a page says its headline is, to find the heading that shows it:
    the titles its markup states (JSON-LD headline, og:title, twitter:title,
    <title>), each without the site's name and in that order of trust, and
    the names of the site (``site_names``), which no headline is."""

    titles: tuple[str, ...] = ()
    site: frozenset[str] = frozenset()
    #: The titles as stated (markup and code cut off), site's name and all.
    raw: tuple[str, ...] = ()

    @classmethod
    def of(cls, titles, *, site_name: str | None = None, url: str | None = None) -> TitleClues:
        """The clues of raw ``titles`` (``None``s skipped), cut to their headlines
        (``strip_site_suffix``); a title that only names the site is left out."""
        names = site_names(site_name, url)
        raw = tuple(dict.fromkeys(t for t in map(clean_headline, titles) if t))
        cores: list[str] = []
        for title in raw:
            core = strip_site_suffix(title, site_name=site_name, url=url)
            if core and core not in cores and not is_site_name(core, names):
                cores.append(core)
        return cls(tuple(cores), names, raw)

    @property
    def stated(self) -> str | None:
        """The headline the markup states: the first title."""
        return self.titles[0] if self.titles else None


def strip_site_suffix(title: str | None, *, site_name: str | None = None, url: str | None = None) -> str | None:
    """The headline inside a <title>: "Headline | Site" -> "Headline".

    The part that names the site (``is_site_name``: its name, its domain, the
    labels of its host) goes, with whatever stands beyond it: the tagline of
    "Headline - IT Pro - Breaking Business and Technology", the sections of
    "BBC News | UK | Headline" (there the longest part is the headline).
    Underscores count as separators only before a site part
    ("Headline_English_Xinhua"). If no part names the site, a trailing part
    of at most 4 words goes when the rest is longer, as "Headline - Site
    Name" is the usual shape.
    """
    title = clean_headline(title)
    if not title:
        return None
    names = site_names(site_name, url)
    if site_name and ":" in title:  # "Site: Headline"
        head, _, rest = title.partition(":")
        if norm_name(head) == norm_name(site_name) and rest.strip():
            return rest.strip()
    for sep in (_TITLE_SEP, _UNDERSCORE_SEP):
        pieces = sep.split(title)
        parts = pieces[0::2]
        if len(parts) < 2:
            continue
        # a part that names the site, or that the title repeats ("Blog - Blog - Post")
        seen = [norm_name(p) for p in parts]
        site_at = {i for i, p in enumerate(parts) if is_site_name(p, names) or seen.count(seen[i]) > 1}
        if not site_at or len(site_at) == len(parts):
            continue
        lead = 0
        while lead in site_at:  # "Site | ..." or "Site - Site - ..."
            lead += 1
        tail = min((i for i in site_at if i > lead), default=len(parts))
        if tail == len(parts):  # only a leading site: "Site | Section | Headline"
            return max(parts[lead:], key=len).strip(_TITLE_TRIM) or title
        # "Headline - Section - Site - Tagline": the section labels between go too
        while tail - 1 > lead and len(parts[tail - 1].split()) <= MAX_SECTION_WORDS < len(parts[lead].split()):
            tail -= 1
        return "".join(pieces[2 * lead : 2 * tail - 1]).strip(_TITLE_TRIM) or title
    pieces = _TITLE_SEP.split(title)
    parts = pieces[0::2]
    if len(parts) >= 2 and len(parts[-1].split()) <= 4 and len("".join(pieces[:-2])) > len(parts[-1]):
        return strip_site_suffix("".join(pieces[:-2]), site_name=site_name, url=url) if len(parts) > 2 else parts[0]
    return title


# -- language ---------------------------------------------------------------------


def detect_language(text: str, *, declared: str | None = None) -> str | None:
    """ISO 639-1 code of ``text``'s language (py3langid, offline), or the declared one for short text."""
    sample = text[:LANGID_MAX_CHARS]
    if len(sample.strip()) < LANGID_MIN_CHARS:
        return declared
    code, _ = _LANGUAGE_MODEL.get()(sample)
    return code


# -- comments ---------------------------------------------------------------------

#: A comment's author or date line is at most this long...
COMMENT_HEAD_MAX_CHARS = 80
#: ...and an author one to this many words (a name or a handle).
COMMENT_AUTHOR_MAX_WORDS = 5
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
    return _PUBLIC_SUFFIXES.get().privatesuffix(host) or host.removeprefix("www.")


_IP_HOST = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){3}|.*:.*)$")  # IPv4, or IPv6 (urlsplit drops its brackets)


def _public_suffix_list():
    from publicsuffixlist import PublicSuffixList  # ~70 ms to build

    return PublicSuffixList()


def _language_classifier():
    from py3langid import classify

    classify("")  # loads the model now: 4.5 MB of xz in the package, 68 MB decompressed, 0.5-0.7 s
    return classify


# -- what a process loads once -------------------------------------------------------


class _Loaded:
    """A value built on first use, once per process (a model, a list). A caller that needs
    it while another thread (``preload``'s) is building it waits for that build rather than
    starting a second one."""

    def __init__(self, build):
        self._build = build
        self._value = None
        self._lock = threading.Lock()
        _LOADED.append(self)

    def get(self):
        value = self._value
        if value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._build()
                value = self._value
        return value

    def _forked(self) -> None:
        # a child forked while a build ran in another thread would wait on its lock for ever;
        # that build never finishes there, so the child builds its own on first use
        self._lock = threading.Lock()


_LOADED: list[_Loaded] = []
_LANGUAGE_MODEL = _Loaded(_language_classifier)
_PUBLIC_SUFFIXES = _Loaded(_public_suffix_list)
os.register_at_fork(after_in_child=lambda: [each._forked() for each in _LOADED])


def preload() -> threading.Thread:
    """Load the language model and the public-suffix list in a background thread, in a
    process about to extract pages. A fresh process otherwise pays for them in its first
    pages (0.6-0.8 s, the model's decompression most of it); lzma releases the GIL, so here
    they load on another core while the process reads and parses its first pages. Output
    is the same either way."""
    thread = threading.Thread(target=_preload, name="thresher-preload", daemon=True)
    thread.start()
    return thread


def _preload() -> None:
    try:
        for each in (_LANGUAGE_MODEL, _PUBLIC_SUFFIXES):
            each.get()
    except Exception:  # noqa: BLE001 - the page that needs it tries again and reports it there
        pass


def norm_name(text: str) -> str:
    """``text`` case-folded, its punctuation and runs of spaces one space: how names compare."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())
