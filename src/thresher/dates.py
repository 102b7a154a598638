"""Dates as pages write them, read into ISO 8601 — or ``None``, never a guess.

``parse_date`` understands ISO 8601 (dates, datetimes, offsets, compact
``20240517``), RFC 2822 (``Tue, 10 Dec 2007 10:28:00 GMT``), numeric
``DD.MM.YYYY`` / ``YYYY/MM/DD`` / ``MM/DD/YYYY``, and dates with month names
in English, German, French, Spanish, Italian, Portuguese and Dutch
(``November 21, 2025``, ``21 November 2025``, ``2. Februar 2022``). A date
that does not exist (2007-13-45), a year outside ``MIN_YEAR``..``MAX_YEAR``
or a date after ``latest`` (the crawl time, or now) gives ``None``.

``parse_date`` never invents the parts a page does not state: a text without a
year gives ``None`` (``month_day`` reads those, for datelines).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

__all__ = [
    "FUTURE_TOLERANCE",
    "MIN_YEAR",
    "day_and_instant",
    "locale_month_first",
    "month_day",
    "numeric_order",
    "parse_date",
]

#: Web publishing dates before this are taken for errors (a founding year,
#: a date in a reference). The web's first news sites date from 1993-94.
MIN_YEAR = 1993
MAX_YEAR = 2100
#: A date up to one day after ``latest`` is accepted: time zones put a page
#: published "tomorrow" in its own zone before the crawler's midnight.
FUTURE_TOLERANCE = timedelta(days=1)

#: Russian month names in their six cases (nominative, genitive, dative,
#: accusative, instrumental, prepositional; ё also written е): "5 апреля
#: 2026" is genitive, "в апреле 2026" prepositional.
_RU_MONTHS = (
    "январь января январю январём январем январе",
    "февраль февраля февралю февралём февралем феврале",
    "март марта марту мартом марте",
    "апрель апреля апрелю апрелем апреле",
    "май мая маю маем мае",
    "июнь июня июню июнем июне",
    "июль июля июлю июлем июле",
    "август августа августу августом августе",
    "сентябрь сентября сентябрю сентябрём сентябрем сентябре",
    "октябрь октября октябрю октябрём октябрем октябре",
    "ноябрь ноября ноябрю ноябрём ноябрем ноябре",
    "декабрь декабря декабрю декабрём декабрем декабре",
)

_MONTHS = {
    # en
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
    # de
    "januar": 1,
    "jänner": 1,
    "februar": 2,
    "märz": 3,
    "maerz": 3,
    "mai": 5,
    "juni": 6,
    "juli": 7,
    "oktober": 10,
    "dezember": 12,
    "okt": 10,
    "dez": 12,
    "mär": 3,
    # fr
    "janvier": 1,
    "février": 2,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "juin": 6,
    "juillet": 7,
    "août": 8,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "décembre": 12,
    "decembre": 12,
    # es
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "setiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
    # it
    "gennaio": 1,
    "febbraio": 2,
    "aprile": 4,
    "maggio": 5,
    "giugno": 6,
    "luglio": 7,
    "settembre": 9,
    "ottobre": 10,
    "dicembre": 12,
    # pt
    "janeiro": 1,
    "fevereiro": 2,
    "março": 3,
    "maio": 5,
    "junho": 6,
    "julho": 7,
    "setembro": 9,
    "outubro": 10,
    "dezembro": 12,
    # nl
    "januari": 1,
    "februari": 2,
    "maart": 3,
    "mei": 5,
    "augustus": 8,
    # ru: every case of each month (_RU_MONTHS), and the usual abbreviations
    **{form: m for m, forms in enumerate(_RU_MONTHS, 1) for form in forms.split()},
    **{
        a: m
        for a, m in (
            ("янв", 1),
            ("фев", 2),
            ("февр", 2),
            ("мар", 3),
            ("апр", 4),
            ("июн", 6),
            ("июл", 7),
            ("авг", 8),
            ("сен", 9),
            ("сент", 9),
            ("окт", 10),
            ("ноя", 11),
            ("нояб", 11),
            ("дек", 12),
        )
    },
}
MONTH_PATTERN = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))

_ISO = re.compile(
    r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?(?!\d)"
)
_COMPACT = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?)?(?!\d)")
_YMD = re.compile(r"(?<!\d)(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?!\d)")
#: Day, month and year (or month, day and year) joined by one separator used
#: twice: "9-23.30" is opening hours (9 to 23.30), not 23 September 1930.
_DMY = re.compile(r"(?<!\d)(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?![\d.]\d)")
_D_MONTH_Y = re.compile(
    rf"(?<!\w)(\d{{1,2}})(?:st|nd|rd|th|er|º|\.)?\s*(?:de\s+)?({MONTH_PATTERN})\.?,?\s*(?:de\s+)?(\d{{4}})(?!\d)",
    re.IGNORECASE,
)
_MONTH_D_Y = re.compile(
    rf"(?<!\w)({MONTH_PATTERN})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.IGNORECASE
)
_MONTH_D = re.compile(rf"(?<!\w)({MONTH_PATTERN})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?![\d:])", re.IGNORECASE)
_D_MONTH = re.compile(rf"(?<!\w)(\d{{1,2}})(?:st|nd|rd|th|\.)?\s+({MONTH_PATTERN})(?!\w)", re.IGNORECASE)
#: Chinese and Japanese 2026年4月5日, Korean 2026년 4월 5일 (号: the spoken form).
_CJK_YMD = re.compile(r"(?<!\d)(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日号일]")
#: Full-width digits, as CJK pages often write dates: read as ASCII ones.
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９：", "0123456789:")
_TIME = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?\s*(GMT|UTC|Z)?", re.IGNORECASE)


def _valid(y: int, m: int, d: int, latest: datetime | None) -> date | None:
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None
    try:
        value = date(y, m, d)
    except ValueError:
        return None
    limit = (latest or datetime.now(UTC)) + FUTURE_TOLERANCE
    if value > limit.date():
        return None
    return value


def _year(text: str) -> int:
    y = int(text)
    if len(text) == 2:  # 07 -> 2007, 98 -> 1998
        y += 2000 if y < 70 else 1900
    return y


def _with_time(day: date, h: str | None, mi: str | None, s: str | None, tz: str | None) -> str:
    if h is None:
        return day.isoformat()
    try:
        t = datetime(day.year, day.month, day.day, int(h), int(mi or 0), int(s or 0))
    except ValueError:
        return day.isoformat()
    if tz:
        if tz.upper() in ("Z", "GMT", "UTC"):
            return t.replace(tzinfo=UTC).isoformat()
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        try:
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
            return t.replace(tzinfo=timezone(sign * offset)).isoformat()
        except ValueError:
            return t.isoformat()
    return t.isoformat()


def parse_date(text: str | None, *, latest: datetime | None = None, month_first: bool = False) -> str | None:
    """The first well-formed, plausible date in ``text`` as ISO 8601, else ``None``.

    ``latest`` bounds the future (default: now, UTC); a time is kept when the
    text states one with the date (``2025-09-04T10:28:00+00:00``).
    ``month_first`` reads a numeric date whose first two numbers could both
    be a month as month/day/year (04/05/2026 is 5 April on a US page): the
    page's order, from ``numeric_order``. Either way an impossible reading
    gives way to the possible one (12/31/2024, 31/12/2024).
    """
    if not text:
        return None
    text = text.strip()[:200]
    if not text:
        return None
    if not text.isascii():
        text = text.translate(_FULLWIDTH_DIGITS)
    if latest is not None and latest.tzinfo is None:
        latest = latest.replace(tzinfo=UTC)
    m = _ISO.search(text)
    if m:
        day = _valid(int(m[1]), int(m[2]), int(m[3]), latest)
        return _with_time(day, m[4], m[5], m[6], m[7]) if day else None
    if text[:3].isalpha() and "," in text[:5]:  # RFC 2822, as in HTTP headers and feeds
        try:
            t = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            t = None
        if t is not None and _valid(t.year, t.month, t.day, latest):
            return t.isoformat()
    for pattern, order in ((_D_MONTH_Y, "dmy"), (_MONTH_D_Y, "mdy")):
        m = pattern.search(text)
        if m:
            if order == "dmy":
                d, mon, y = int(m[1]), _MONTHS[m[2].lower()], int(m[3])
            else:
                mon, d, y = _MONTHS[m[1].lower()], int(m[2]), int(m[3])
            day = _valid(y, mon, d, latest)
            if day is None:
                return None
            return _with_time(day, *_clock(text[m.end() : m.end() + 24]))
    m = _YMD.search(text) or (_CJK_YMD.search(text) if not text.isascii() else None)
    if m:
        day = _valid(int(m[1]), int(m[2]), int(m[3]), latest)
        return _with_time(day, *_clock(text[m.end() : m.end() + 24])) if day else None
    m = _DMY.search(text)
    if m:
        a, b, y = int(m[1]), int(m[3]), _year(m[4])
        if month_first:
            a, b = b, a
        # the page's order, unless that reading is impossible and the other is not
        day = _valid(y, b, a, latest) or (_valid(y, a, b, latest) if a <= 12 < b else None)
        return day.isoformat() if day else None
    m = _COMPACT.search(text)
    if m:
        day = _valid(int(m[1]), int(m[2]), int(m[3]), latest)
        return _with_time(day, m[4], m[5], m[6], None) if day else None
    return None


#: Regions that write numeric dates month first: the United States (and the
#: territories and states in free association that follow its usage) and the
#: Philippines. Elsewhere the day comes first, or the year (which ``_YMD`` reads).
MONTH_FIRST_REGIONS = frozenset({"us", "ph", "as", "gu", "mp", "pr", "vi", "um", "fm", "mh", "pw"})
#: How many numeric dates of a page are read to learn its order: a page
#: writes all its dates one way, and a few unambiguous ones settle it.
MAX_ORDER_DATES = 200
#: ...in texts of at most this many characters: numeric dates stand in
#: bylines, date lines, comment heads and lists, rarely in running prose, and
#: skipping the paragraphs cut the scan's time by two thirds on the dev pages.
MAX_ORDER_TEXT = 200
_LOCALE_REGION = re.compile(r"^[a-z]{2,3}[-_]([a-z]{2})\b", re.IGNORECASE)


def locale_month_first(locales: list[str], url: str | None = None) -> bool:
    """Whether the first of a page's declared locales that names a region
    (``<html lang="en">`` with ``og:locale`` "en_US": en_US) is one that writes
    the month first, or, with no region declared, its host's country domain
    is (``.us``, ``.ph``)."""
    m = next((m for locale in locales if (m := _LOCALE_REGION.match(locale.strip()))), None)
    if m:
        return m[1].lower() in MONTH_FIRST_REGIONS
    try:
        host = urlsplit(url).hostname if url else None
    except ValueError:  # "http://[::1": no host to read
        host = None
    return bool(host) and host.rsplit(".", 1)[-1] in MONTH_FIRST_REGIONS


def numeric_order(texts, *, known_days=frozenset(), default: bool = False) -> bool:
    """Whether a page writes its numeric dates month first (``parse_date``'s
    ``month_first``), from its own dates: a date whose first number is over 12
    (25/04/2026) says day first, one whose second is (04/25/2026) month first;
    an ambiguous one (04/05/2026) votes for the reading that is among
    ``known_days`` ("2026-04-05", days the markup states unambiguously). The
    majority wins; a tie, or no evidence, leaves ``default`` (the locale's
    order, ``locale_month_first``).
    """
    month_first = day_first = 0
    joined = "\n".join(t for t in texts if len(t) <= MAX_ORDER_TEXT)
    for seen, m in enumerate(_DMY.finditer(joined)):
        if seen >= MAX_ORDER_DATES:
            break
        a, b, y = int(m[1]), int(m[3]), _year(m[4])
        if not (1 <= a <= 31 and 1 <= b <= 31):
            continue
        if b <= 12 < a:
            day_first += 1
        elif a <= 12 < b:
            month_first += 1
        elif a != b and known_days:
            md, dm = f"{y:04d}-{a:02d}-{b:02d}", f"{y:04d}-{b:02d}-{a:02d}"
            month_first += md in known_days and dm not in known_days
            day_first += dm in known_days and md not in known_days
    if month_first != day_first:
        return month_first > day_first
    return default


def day_and_instant(iso: str | None) -> tuple[str | None, str | None]:
    """The stored form of a date ``parse_date`` read: ``(day, instant)``.

    ``day`` is the calendar day as the page states it, ``YYYY-MM-DD``;
    ``instant`` the moment in UTC, ``YYYY-MM-DDTHH:MM:SS+00:00``, only when
    the page gave a time and its zone (else ``None``). One form per column, so
    a corpus's dates load as dates (pandas, polars, ``date.fromisoformat``)
    where a mix of days, naive and offset times would not. The day is the
    page's own, not UTC's: 23:30 in New York is the next day in UTC, but the
    page, its readers and its URL say the day it was written.
    """
    if not iso:
        return None, None
    try:
        stamp = datetime.fromisoformat(iso)
    except ValueError:
        return None, None
    day = stamp.date().isoformat()
    if len(iso) <= 10 or stamp.tzinfo is None:
        return day, None
    return day, stamp.astimezone(UTC).replace(microsecond=0).isoformat()


# what stands between a date and its time: "5 April 2026, at 13:20", "5 апреля 2026 г. 13:20", "2026年4月5日 13:20"
_AFTER_DATE = re.compile(r"^(?:[\s,\-–|]|at\b|г\.|года\b|日)*")


def _clock(text: str) -> tuple[str | None, str | None, str | None, str | None]:
    m = _TIME.match(_AFTER_DATE.sub("", text))
    if not m:
        return None, None, None, None
    h = int(m[1])
    ampm = (m[4] or "").lower().replace(".", "")
    if ampm == "pm" and h < 12:
        h += 12
    elif ampm == "am" and h == 12:
        h = 0
    return str(h), m[2], m[3], m[5]


def month_day(text: str) -> tuple[int, int] | None:
    """``(month, day)`` of a date written without a year ("November 21"), else ``None``."""
    for pattern, order in ((_MONTH_D, "md"), (_D_MONTH, "dm")):
        m = pattern.search(text)
        if m:
            if order == "md":
                mon, d = _MONTHS[m[1].lower()], int(m[2])
            else:
                d, mon = int(m[1]), _MONTHS[m[2].lower()]
            try:
                date(2000, mon, d)  # a leap year: Feb 29 is a real month-day
            except ValueError:
                return None
            return mon, d
    return None
