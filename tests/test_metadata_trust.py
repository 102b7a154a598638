"""Metadata you can trust: one date form, dates read in the page's own order,
headlines without the site or code in them, authors who are people.

Every page here is written for these tests."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

import thresher
from thresher.dates import day_and_instant

NOW = datetime(2026, 11, 23, tzinfo=UTC)
BODY = "<p>" + "The council met on Tuesday to discuss the harbour wall and the cost of its repair. " * 6 + "</p>"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def extract(html: str, url: str | None = None) -> thresher.Article:
    return thresher.Extractor().extract(html, url, fetched=NOW)


def dated(head: str = "", byline: str = "") -> str:
    return (
        f"<html><head><title>Harbour wall repairs agreed</title>{head}</head><body><article>"
        f"<h1>Harbour wall repairs agreed</h1>{byline}{BODY}</article></body></html>"
    )


# -- one date form ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "byline", "published", "instant"),
    [
        ('<meta property="article:published_time" content="2026-04-05">', "", "2026-04-05", None),
        # a time without a zone names no instant: the day only
        ('<meta property="article:published_time" content="2026-04-05T13:20:00">', "", "2026-04-05", None),
        (
            '<meta property="article:published_time" content="2026-04-05T13:20:00+02:00">',
            "",
            "2026-04-05",
            "2026-04-05T11:20:00+00:00",
        ),
        # late evening in New York: the page's day, the instant in UTC the next day
        (
            '<meta property="article:published_time" content="2026-04-05T23:30:00-05:00">',
            "",
            "2026-04-05",
            "2026-04-06T04:30:00+00:00",
        ),
        ("", "<p>Published: Tue, 10 Nov 2026 10:28:00 GMT</p>", "2026-11-10", "2026-11-10T10:28:00+00:00"),
        ("", "<p>Posted on 3 March 2026</p>", "2026-03-03", None),
    ],
)
def test_published_is_a_day_and_the_instant_is_utc(head, byline, published, instant):
    a = extract(dated(head, byline))
    assert (a.published, a.published_time) == (published, instant)
    assert date.fromisoformat(a.published)
    if instant:
        assert datetime.fromisoformat(a.published_time).utcoffset().total_seconds() == 0


def test_a_column_of_published_values_parses_as_dates():
    heads = [
        '<meta property="article:published_time" content="2026-04-05">',
        '<meta property="article:published_time" content="2026-04-05T13:20:00">',
        '<meta property="article:published_time" content="2026-04-05T13:20:00.5+09:30">',
        '<meta name="date" content="Sun, 05 Apr 2026 13:20:00 +0100">',
    ]
    column = [extract(dated(h)).published for h in heads]
    assert all(_DAY.match(v) for v in column)  # one form: the column loads as dates
    assert [date.fromisoformat(v) for v in column] == [date(2026, 4, 5)] * 4
    pyarrow = pytest.importorskip("pyarrow")
    assert pyarrow.array(column).cast(pyarrow.date32()).null_count == 0


def test_updated_comments_and_dumps_follow_the_same_form():
    a = extract(dated('<meta property="article:modified_time" content="2026-04-06T08:00:00Z">'))
    assert a.updated == "2026-04-06" and a.published == "2026-04-06"  # the one date the page states
    assert a.published_time == "2026-04-06T08:00:00+00:00"
    dump = "Ferry service resumes\nLast Updated: Monday, 10 November 2025, 10:28 GMT\n" + "The ferry runs again. " * 20
    d = thresher.clean_text(dump)
    assert (d.published, d.published_time, d.updated) == ("2025-11-10", "2025-11-10T10:28:00+00:00", "2025-11-10")
    assert "published_time" in a.to_dict()


@pytest.mark.parametrize(
    ("iso", "expected"),
    [
        ("2026-04-05", ("2026-04-05", None)),
        ("2026-04-05T13:20:00", ("2026-04-05", None)),
        ("2026-04-05T13:20:00+00:00", ("2026-04-05", "2026-04-05T13:20:00+00:00")),
        ("2026-04-05T01:20:00+05:30", ("2026-04-05", "2026-04-04T19:50:00+00:00")),
        (None, (None, None)),
        ("not a date", (None, None)),
    ],
)
def test_day_and_instant(iso, expected):
    assert day_and_instant(iso) == expected


# -- dates in the page's own order and language -------------------------------------


def story(
    byline: str, *, lang: str = "en", head: str = "", url: str | None = None, extra: str = ""
) -> thresher.Article:
    html = (
        f'<html lang="{lang}"><head><title>Harbour wall repairs agreed</title>{head}</head><body><article>'
        f"<h1>Harbour wall repairs agreed</h1><p>{byline}</p>{BODY}{extra}</article></body></html>"
    )
    return extract(html, url)


@pytest.mark.parametrize(
    ("lang", "head", "url", "expected"),
    [
        ("en-US", "", None, "2026-04-05"),  # the US writes the month first
        ("en", '<meta property="og:locale" content="en_US">', None, "2026-04-05"),
        ("en", "", "https://harbour.example.us/story", "2026-04-05"),  # no region declared: the country domain
        ("en-GB", "", None, "2026-05-04"),
        ("de-DE", "", None, "2026-05-04"),
        ("en", "", "https://harbour.example.com/story", "2026-05-04"),  # nothing says month first: day first
    ],
)
def test_numeric_dates_follow_the_page_locale(lang, head, url, expected):
    assert story("By Jane Doe | 04/05/2026", lang=lang, head=head, url=url).published == expected


def test_the_page_own_dates_settle_the_order_before_its_locale():
    # an unambiguous date elsewhere on the page (25 is no month) says day first, whatever the locale says
    comments = "<aside><p>Reader letter, 25/03/2026</p></aside>"
    assert story("By Jane Doe | 04/05/2026", lang="en-US", extra=comments).published == "2026-05-04"
    comments = "<aside><p>Reader letter, 03/25/2026</p></aside>"
    assert story("By Jane Doe | 04/05/2026", lang="en-GB", extra=comments).published == "2026-04-05"
    # an ambiguous date the markup states in ISO form tells which reading is right
    stated = '<meta property="article:modified_time" content="2026-04-05T10:00:00Z">'
    assert story("By Jane Doe | 04/05/2026", lang="en", head=stated).published == "2026-04-05"
    # a reading that is impossible gives way to the possible one
    assert story("By Jane Doe | 04/25/2026", lang="de").published == "2026-04-25"


@pytest.mark.parametrize(
    ("line", "published", "updated"),
    [
        # a byline whose only date is an update: the update, and the page's one date
        ("By Chris Doe ⋅ Founder and Editor-in-Chief ⋅ Updated May 6, 2025", "2025-05-06", "2025-05-06"),
        ("By Jane Doe, 29.12.2010, updated 30.12.2010", "2010-12-29", None),  # the date before the label
        ("March 3, 2024 | Updated: May 1, 2025", "2024-03-03", None),
    ],
)
def test_an_update_named_in_a_byline_dates_the_page(line, published, updated):
    """A byline line (even one whose names are refused) that shows only an
    update ("⋅ Updated May 6, 2025") gives the update, as a short date line
    does; a date before the label stays the publication."""
    a = story(line)
    assert a.published == published
    assert updated is None or a.updated == updated


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Essay - Published: 2025.12.17 | artificial-intelligence | create | programming", "2025-12-17"),
        ("Harbour news | Posted on May 5, 2024 | 3 comments | share this story", "2024-05-05"),
        ("Kommentar · Veröffentlicht am 05.04.2026 · Lesezeit 4 Minuten · Politik und Gesellschaft", "2026-04-05"),
        # a label whose date does not follow it is no date line
        ("The report was published after a long review; see the 2019 and 2020 editions online", None),
    ],
)
def test_a_publication_label_inside_a_line_under_the_headline(line, expected):
    """A line that is more than a date ("Essay - Published: 2025.12.17 |
    tags...") still dates the page when a publication label inside it is
    followed by a date; the same holds for a text dump."""
    assert story(line).published == expected
    body = "The ferry runs again after the storm. " * 20
    assert thresher.clean_text(f"Ferry service resumes\n{line}\n{body}\n").published == expected


def test_opening_hours_are_no_date_and_do_not_set_the_order():
    """ "Sa: 9-23.30 Uhr" (open 9 to 23.30) once read as 23 September 1930 and
    voted month first, so a German page's "09.02.2022" became 2 September. A
    numeric date uses one separator twice."""
    from thresher.dates import numeric_order, parse_date

    assert parse_date("Sa: 9-23.30 Uhr", latest=NOW) is None
    assert numeric_order(["Sa: 9-23.30 Uhr", "09.02.2022"]) is False
    hours = "<aside><p>Öffnungszeiten</p><p>Sa: 9-23.30 Uhr</p></aside>"
    assert story("Erstellt am 09.02.2022", lang="de-DE", extra=hours).published == "2022-02-09"
    assert parse_date("09-02-2022", latest=NOW) == parse_date("09.02.2022", latest=NOW) == "2022-02-09"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 января 2026", "2026-01-05"),
        ("14 февраля 2026 г.", "2026-02-14"),
        ("1 марта 2026", "2026-03-01"),
        ("Опубликовано: 5 апреля 2026, 13:20", "2026-04-05T13:20:00"),
        ("9 мая 2025", "2025-05-09"),
        ("12 июня 2025", "2025-06-12"),
        ("3 июля 2025", "2025-07-03"),
        ("31 августа 2025", "2025-08-31"),
        ("1 сентября 2025 г. 08:00", "2025-09-01T08:00:00"),
        ("7 октября 2025", "2025-10-07"),
        ("4 ноября 2025", "2025-11-04"),
        ("31 декабря 2025", "2025-12-31"),
        ("Март 5, 2026", "2026-03-05"),  # nominative, month first
        ("5 дек. 2025", "2025-12-05"),
        ("2026年4月5日", "2026-04-05"),
        ("发布时间：2026年04月05日 13:20", "2026-04-05T13:20:00"),
        ("２０２６年４月５日", "2026-04-05"),  # full-width digits
        ("2026년 4월 5일", "2026-04-05"),
        ("2026年2月30日", None),  # no such day
    ],
)
def test_russian_and_cjk_dates(text, expected):
    from thresher.dates import parse_date

    assert parse_date(text, latest=NOW) == expected


def test_russian_and_chinese_pages_are_dated():
    assert story("Автор: Иван Петров, 5 апреля 2026", lang="ru").published == "2026-04-05"
    assert story("2026年4月5日 来源：本报", lang="zh").published == "2026-04-05"


def test_a_dump_learns_its_order_from_its_own_dates():
    body = "The ferry runs again after the storm. " * 20
    dump = f"Ferry service resumes\nPosted 04/05/2026\n{body}\nComments\nAnna, 04/28/2026: at last!\n"
    assert thresher.clean_text(dump).published == "2026-04-05"
    dump = f"Ferry service resumes\nPosted 04/05/2026\n{body}\nComments\nAnna, 28/04/2026: at last!\n"
    assert thresher.clean_text(dump).published == "2026-05-04"


def test_the_date_under_the_headline_is_the_story_date_not_the_teaser_above_it():
    html = (
        "<html><head><title>Harbour wall repairs agreed</title></head><body>"
        "<div class='teaser'><p>Ferry timetable changes</p><p>12.01.2026</p></div>"
        f"<article><h1>Harbour wall repairs agreed</h1><p>3. März 2026</p>{BODY}</article></body></html>"
    )
    assert extract(html).published == "2026-03-03"


def test_markup_date_shown_on_the_page_beats_a_related_story_date_by_the_headline():
    html = (
        "<html><head><title>Harbour wall repairs agreed</title>"
        '<meta property="article:published_time" content="2026-03-03T09:00:00+01:00"></head><body><article>'
        "<h1>Harbour wall repairs agreed</h1><aside><p>Read also: ferry timetable</p><p>12 January 2026</p></aside>"
        f"{BODY}<p>Filed 3 March 2026</p></article></body></html>"
    )
    a = extract(html)
    assert (a.published, a.published_time) == ("2026-03-03", "2026-03-03T08:00:00+00:00")


@pytest.mark.parametrize(
    ("markup", "url"),
    [
        ("", "https://harbour.example/2026/03/03/wall-repairs"),  # the URL's date path
        ('<span itemprop="datePublished" content="2026-03-03"></span>', None),  # microdata
    ],
)
def test_url_or_microdata_date_shown_on_the_page_beats_a_related_story_date_by_the_headline(markup, url):
    html = (
        f"<html><head><title>Harbour wall repairs agreed</title></head><body><article>{markup}"
        "<h1>Harbour wall repairs agreed</h1><aside><p>Read also: ferry timetable</p><p>12 January 2026</p></aside>"
        f"{BODY}<p>Filed 3 March 2026</p></article></body></html>"
    )
    assert extract(html, url).published == "2026-03-03"


def test_a_day_the_page_shows_three_ways_beats_markup_it_never_shows():
    """Markup's publication day that appears nowhere on the page gives way to
    the day its article <time>, a date element and a date line all show; any
    sign of the markup's day on the page, or a <time> that is an update, keeps it."""

    def page(markup_day_shown: str = "", time_text: str = "25 January 2022") -> str:
        return (
            "<html><head><title>Harbour wall repairs agreed</title>"
            '<meta property="article:published_time" content="2022-01-21T08:00:00Z"></head><body><article>'
            "<h1>Harbour wall repairs agreed</h1>"
            f'{BODY * 8}<p class="meta"><time datetime="2022-01-25">{time_text}</time></p>'
            f"{BODY}<p>25.01.2022</p>{markup_day_shown}</article></body></html>"
        )

    assert extract(page()).published == "2022-01-25"
    assert extract(page("<p>21.01.2022</p>")).published == "2022-01-21"
    assert extract(page(time_text="Last updated: 25 January 2022")).published == "2022-01-21"
    assert extract(page(), "https://harbour.example/2022/01/21/wall").published == "2022-01-21"


def test_markup_publication_that_the_page_shows_as_its_update_does_not_beat_the_shown_publication():
    html = (
        "<html><head><title>Harbour wall repairs agreed</title>"
        '<meta property="article:published_time" content="2025-08-21T09:00:00+00:00"></head><body><article>'
        "<h1>Harbour wall repairs agreed</h1><p>Published Apr 26, 2023</p><p>Updated Aug 21, 2025</p>"
        f"{BODY}</article></body></html>"
    )
    assert extract(html).published == "2023-04-26"


# -- authors who are people -----------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["Munich, Germany"], []),  # a dateline split into two "authors"
        (["Jane Doe, Munich, Germany"], ["Jane Doe"]),
        (["By Jane Doe and John Roe, New York"], ["Jane Doe", "John Roe"]),
        (["Frankfurt am Main"], []),
        (["undefined"], []),
        (["null"], []),
        (["Unknown"], []),
        (["wordpressadmin"], []),
        (["q_admin"], []),
        (["webmaster"], []),
        (["Veröffentlicht von Chris Jung"], ["Chris Jung"]),
        (["Erstellt von Andri Bryner"], ["Andri Bryner"]),
        (["Kersti Wolnow sagt"], []),  # a reader comment's head, not a byline
        (["Florence says"], []),
        (["Von"], []),
        (["V"], []),
        (["Monday"], []),
        (["Authors"], []),
        # people stay: particles, handles a blog signs with, first names that are places too
        (["Ursula von der Leyen"], ["Ursula von der Leyen"]),
        (["gizzmo"], ["gizzmo"]),
        (["Georgia Jones", "Jordan"], ["Georgia Jones", "Jordan"]),
        (["Paris Hilton"], ["Paris Hilton"]),
    ],
)
def test_authors_are_people(values, expected):
    from thresher.textmeta import clean_authors

    assert clean_authors(values, structured=True) == expected


def test_a_page_whose_author_field_is_a_place_has_no_author():
    head = '<meta name="author" content="Frankfurt, Germany">'
    assert story("", head=head).authors == []
    head = '<script type="application/ld+json">{"@type": "NewsArticle", "author": {"@type": "Person", "name": "undefined"}}</script>'
    assert story("", head=head).authors == []
    assert story("By Jane Doe, Munich", lang="en").authors == ["Jane Doe"]


# -- headlines without the site, the section or code ---------------------------------

PARAGRAPHS = "".join(
    f"<p>{s} The harbour board met on Tuesday and agreed the repairs, which the engineers costed at four million.</p>"
    for s in ("First,", "Then,", "Later,", "Finally,")
)


def table_page(title: str, headline_cell: str = "", *, head: str = "") -> str:
    """A 2008-style page: tables for layout, the headline in a table cell, no <h1>."""
    return (
        f"<html><head><title>{title}</title>{head}</head><body>"
        "<table><tr><td><a href='/'>Home</a> | <a href='/news'>News</a> | <a href='/sport'>Sport</a></td></tr>"
        f"<tr><td>{headline_cell}</td></tr><tr><td>{PARAGRAPHS}</td></tr></table></body></html>"
    )


@pytest.mark.parametrize(
    ("title", "cell", "url", "expected"),
    [
        # the site's name and its tagline come off, found from the host
        (
            "Firms cut IT costs - IT Pro - Breaking Business and Technology",
            "",
            "http://www.itpro.example.co.uk/news/1",
            "Firms cut IT costs",
        ),
        # underscores before the site's name; the section between goes too
        (
            "China and Chile sign a trade pact_English_Xinhua",
            "",
            "http://news.xinhua.example.com/en/1.htm",
            "China and Chile sign a trade pact",
        ),
        # a leading site and section: the longest part is the headline
        (
            "BBC NEWS | UK | Ferry service resumes after storm",
            "",
            "http://news.bbc.co.uk/1/hi/uk/1.stm",
            "Ferry service resumes after storm",
        ),
        # a part the title repeats is the site's name
        ("High Notes - High Notes - Ferry service resumes after storm", "", None, "Ferry service resumes after storm"),
        # entities escaped twice are decoded
        ("Harbour fish &amp;amp; chips shop reopens", "", None, "Harbour fish & chips shop reopens"),
    ],
)
def test_old_layout_headlines_lose_the_site_suffix(title, cell, url, expected):
    assert thresher.extract(table_page(title, cell), url).title == expected


def test_a_title_classed_cell_equal_to_the_title_is_the_headline():
    html = table_page(
        "Harbour wall repairs agreed | Harbour Gazette", "<td class='headline'><b>Harbour wall repairs agreed</b></td>"
    )
    a = thresher.extract(html, "http://gazette.example.com/1")
    assert a.title == "Harbour wall repairs agreed"
    assert "Harbour wall repairs agreed" not in a.text  # the headline is not repeated in the body


@pytest.mark.parametrize(
    "title",
    [
        'BBC SPORTi library--> <script src="/js/lib.js"></script>',
        "Harbour wall repairs <!-- TODO remove -->",
        'x = document.getElementById("font")',
    ],
)
def test_a_headline_never_holds_markup_or_code(title):
    html = f"<html><head><title>{title}</title></head><body><article><h2>Harbour wall repairs agreed</h2>{PARAGRAPHS}</article></body></html>"
    a = thresher.extract(html)
    assert a.title == "Harbour wall repairs agreed"
    assert not re.search(r"[<>{}]|-->|document\.", a.title)


def test_section_labels_numbers_and_the_site_name_are_not_the_headline():
    def page(title: str, headings: str) -> str:
        return f"<html><head><title>{title}</title></head><body>{headings}<article>{PARAGRAPHS}</article></body></html>"

    # the blog's name in <h1>, the post's title in <h2>: "Blog: Post" titles
    html = page("Harbour Notes: Ferry service resumes", "<h1>Harbour Notes</h1><h2>Ferry service resumes</h2>")
    assert thresher.extract(html, "http://harbournotes.example.org/2012/07/ferry").title == "Ferry service resumes"
    html = page("A Quiet Blog: Look!", "<h1>Some other words</h1><h3>Look!</h3>")
    assert thresher.extract(html).title == "Look!"
    # a heading that names the site, found from the host
    html = page(
        "Ferry service resumes after storm - Gazette", "<h1>The Gazette</h1><h2>Ferry service resumes after storm</h2>"
    )
    assert thresher.extract(html, "http://www.gazette.example/x").title == "Ferry service resumes after storm"
    # a version number matching the title's words is no headline
    html = page("Firefox 6.0 released", "<h1>6.0</h1><h2>Firefox 6.0 released today</h2>")
    assert thresher.extract(html).title == "Firefox 6.0 released today"


def test_the_visible_headline_matching_title_wins_over_a_different_og_title():
    html = (
        "<html><head><title>BBC Sport - Barton loan to speed up ban considered</title>"
        '<meta property="og:title" content="Barton ban loophole"></head><body>'
        f"<h1>Barton loan to speed up ban considered</h1><article>{PARAGRAPHS}</article></body></html>"
    )
    assert thresher.extract(html, "http://www.bbc.co.uk/sport/1").title == "Barton loan to speed up ban considered"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["James Yum, Developer Programs Engineer"], ["James Yum"]),  # a job title split off
        (["Erin Molnar, Marketing Coordinator"], ["Erin Molnar"]),
        (["Mayank Gupta, CEO of CaseBasix"], ["Mayank Gupta"]),
        (["Insights from"], []),  # a phrase, not a name
        (["Geeks are Sexy"], []),
        (["you"], []),
        (["Acme GmbH & Co. KG"], []),
        (["Hildesheimer Presse"], []),
        (
            ["Michiel de Jong", "José da Silva", "Justus von Daniels"],
            ["Michiel de Jong", "José da Silva", "Justus von Daniels"],
        ),
        (["Emily Co"], ["Emily Co"]),
        (["stol.it", "katholisch.at"], []),  # a site's domain
        (["sara.r.peter"], ["sara.r.peter"]),  # a handle, not a domain
        (["Jan Fleischhauer, deutscher Journalist, Kolumnist"], ["Jan Fleischhauer"]),
        (["Loyola Marymount University", "TOUR Magazin"], []),
        (["CHAMPIONING CREATIVITY ACROSS THE ART"], []),  # a tagline in capitals
        (["ROD NORDLAND", "MAYY EL SHEIKH"], ["ROD NORDLAND", "MAYY EL SHEIKH"]),
    ],
)
def test_job_titles_firms_and_phrases_are_not_people(values, expected):
    from thresher.textmeta import clean_authors

    assert clean_authors(values, structured=True) == expected


def test_an_all_caps_word_by_a_byline_is_a_dateline_not_a_name():
    from thresher.textmeta import clean_authors

    assert clean_authors(["By WESTPORT"]) == []
    assert clean_authors(["By JANE PERLEZ"]) == ["JANE PERLEZ"]


def test_mastheads_desks_and_datelines_are_not_people():
    from thresher.textmeta import clean_authors

    values = ["WESTPORT", "The Water Coolest", "Die FURCHE", "Newsdesk", "BBNTEAM", "Гость", "Vinija Das", "Das"]
    assert clean_authors(values, structured=True) == ["Vinija Das", "Das"]


def test_a_malformed_url_is_no_locale_and_no_site():
    a = story("By Jane Doe | 04/05/2026", url="http://[::1")
    assert a.published == "2026-05-04" and a.title == "Harbour wall repairs agreed"


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        # a byline element's date is cut off, not taken for part of the name
        ('<span class="byline">By Mara Lindqvist Thursday, November 9, 2023 7:35AM</span>', ["Mara Lindqvist"]),
        # a parenthesis is the site's handle or an agency, not the name
        ('<span class="byline">by Jean-Luc Ostrander (HBNews)</span>', ["Jean-Luc Ostrander"]),
        # a date, a separator, a name: the author line of many small sites
        ("11.12.2019 - Amelie Stoltenberg", ["Amelie Stoltenberg"]),
        ("Dec. 19, 2025 · Niko Haarmann on behalf of the harbour board", ["Niko Haarmann"]),
        # a date followed by a sentence names nobody
        ("01.02.2022 - The council said the wall would be repaired", []),
    ],
)
def test_bylines_with_dates_and_handles(byline, expected):
    assert story(byline).authors == expected


def test_an_author_escaped_twice_is_read():
    head = '<meta name="author" content="Luc&amp;iacute;a P&amp;eacute;rez">'
    assert story("", head=head).authors == ["Lucía Pérez"]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        # the markup states the site itself as the author, and no person is named anywhere
        (
            '<meta property="og:site_name" content="Harbour Gazette"><meta name="author" content="Harbour Gazette">',
            ["Harbour Gazette"],
        ),
        (
            '<script type="application/ld+json">{"@type": "Article", "author": {"@type": "Organization", '
            '"name": "Loomis Construction Inc."}}</script>',
            ["Loomis Construction Inc."],
        ),
        # a placeholder, a default account or a handle is not a name of anything
        ('<meta name="author" content="admin">', []),
        ('<meta name="author" content="NOC Admin">', []),
        ('<meta name="author" content="guitar_00">', []),
        ('<meta name="author" content="Staff">', []),
    ],
)
def test_an_organisation_the_markup_states_is_the_author_when_no_person_is_named(head, expected):
    assert story("", head=head).authors == expected


def test_a_person_named_anywhere_wins_over_the_stated_organisation():
    head = '<meta property="og:site_name" content="Harbour Gazette"><meta name="author" content="Harbour Gazette">'
    assert story("By Mara Lindqvist", head=head).authors == ["Mara Lindqvist"]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["Sign In", "Join Us"], []),  # an account menu's links
        (["Kristen Falk Kristen Falk"], ["Kristen Falk"]),  # a link's text and its hidden copy
        # a lone word at the end of a phrase is not a person
        (["Corti AI platform for healthcare Research & Development"], []),
        (["Jane Doe & John Roe"], ["Jane Doe", "John Roe"]),
        (["Sat, 20 Dec, 2025 - 06:36"], []),
    ],
)
def test_byline_texts_that_are_not_people(values, expected):
    from thresher.textmeta import clean_authors

    assert clean_authors(values, structured=True) == expected


def test_a_menu_of_the_sites_authors_is_no_byline():
    extra = (
        '<ul class="sidebar-authors"><li><a href="/delana/">Delana</a></li><li><a href="/marc/">Marc</a></li>'
        '<li><a href="/mike/">Mike</a></li></ul>'
    )
    assert story("", extra=extra).authors == []


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("By Mara Lindqvist View In Digital Edition", ["Mara Lindqvist"]),  # a link's label after the name
        ("Dec 26, 2025 • Mara Lindqvist in Project Management", ["Mara Lindqvist"]),  # the section after "in"
        ("Mara Lindqvist sagt:", []),  # a comment's head
    ],
)
def test_labels_after_a_name_are_cut_off(byline, expected):
    assert story(byline).authors == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["deinen Hochzeitsbloggern"], []),  # a phrase: a lower-case word, then a capitalised noun
        (["annette thurmon"], ["annette thurmon"]),  # a name the markup writes in lower case
        (["zvg"], []),  # the press's "provided" credit
        (["Matt_Brooks"], ["Matt_Brooks"]),  # a forum's handle is its poster's name there
    ],
)
def test_phrases_credits_and_handles(values, expected):
    from thresher.textmeta import clean_authors

    assert clean_authors(values, structured=True) == expected


def test_a_phrase_split_off_a_sentence_is_no_author():
    from thresher.textmeta import clean_authors, stated_organisation

    assert clean_authors(["The Russian and Syrian defense ministries"], structured=True) == []
    assert stated_organisation(["deinen Hochzeitsbloggern"]) == []
    assert stated_organisation(["kath.net"]) == ["kath.net"]


def test_a_forum_posts_json_ld_names_its_author():
    head = (
        '<script type="application/ld+json">{"@type": "DiscussionForumPosting", "headline": "Harbour wall repairs agreed",'
        ' "author": {"@type": "Person", "name": "harbourwatcher"}, "datePublished": "2026-03-02T10:00:00Z"}</script>'
    )
    article = story("", head=head)
    assert article.authors == ["harbourwatcher"]
    assert article.published == "2026-03-02"
