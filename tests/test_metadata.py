"""Metadata: dates, authors, titles, language; from HTML and from text dumps."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

import thresher
from thresher.dates import month_day, parse_date
from thresher.html.metadata import (
    DATE_SOURCES,
    clean_authors,
    date_candidates,
    html_metadata,
    text_metadata,
)
from thresher.html.parse import parse
from thresher.textmeta import date_line, strip_site_suffix

NOW = datetime(2026, 11, 23, tzinfo=UTC)
BODY = "<p>" + "The council met on Tuesday to discuss the harbour wall and the cost of its repair. " * 6 + "</p>"


def page(head: str = "", body: str = BODY) -> str:
    return f"<html><head>{head}</head><body><article><h1>Harbour wall repairs agreed</h1>{body}</article></body></html>"


def meta_of(html: str, url: str | None = None):
    return html_metadata(parse(html), url, latest=NOW)


# -- dates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-17", "2024-05-17"),
        ("2024-05-17T08:30:00Z", "2024-05-17T08:30:00+00:00"),
        ("2024-05-17T08:30:00.123+02:00", "2024-05-17T08:30:00+02:00"),
        ("Tue, 10 Dec 2007 10:28:00 GMT", "2007-12-10T10:28:00+00:00"),
        ("Monday, 10 December 2007, 10:28 GMT", "2007-12-10T10:28:00+00:00"),
        ("November 21, 2025", "2025-11-21"),
        ("2. Februar 2022", "2022-02-02"),
        ("le 9 avril 2026", "2026-04-09"),
        ("07.11.2023", "2023-11-07"),
        ("12/31/2024", "2024-12-31"),
        ("20240517", "2024-05-17"),
    ],
)
def test_parse_date_formats(text, expected):
    assert parse_date(text, latest=NOW) == expected


@pytest.mark.parametrize(
    "text", ["2007-13-45", "year 20071", "2099-01-01", "31.02.2020", "1850-01-01", "", "no date here"]
)
def test_impossible_future_and_ancient_dates_are_none(text):
    assert parse_date(text, latest=NOW) is None


def test_far_future_is_measured_against_the_crawl_time():
    assert parse_date("2026-11-24", latest=NOW) == "2026-11-24"  # one day of time-zone slack
    assert parse_date("2026-11-30", latest=NOW) is None
    assert parse_date("2020-06-01", latest=datetime(2020, 1, 1)) is None


def test_a_date_without_a_year_is_not_completed():
    assert parse_date("MOSCOW, November 21 (RIA Novosti)", latest=NOW) is None
    assert month_day("MOSCOW, November 21 (RIA Novosti)") == (11, 21)
    assert month_day("February 30") is None


# -- sources and their order ------------------------------------------------------


def test_jsonld_wins_over_meta_tags_and_graph_is_walked():
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Harbour Gazette"},
            {"@type": "Person", "@id": "#jane", "name": "Jane Doe"},
            {
                "@type": "NewsArticle",
                "headline": "Harbour wall repairs agreed",
                "datePublished": "2026-03-11T18:42:00Z",
                "dateModified": "2026-03-12T08:00:00Z",
                "author": {"@id": "#jane"},
                "articleSection": "Local",
                "keywords": ["harbour", "council"],
            },
        ],
    }
    html = page(
        f'<script type="application/ld+json">{json.dumps(ld)}</script>'
        '<meta property="article:published_time" content="2020-01-01T00:00:00Z">'
        '<meta name="author" content="Someone Else">'
    )
    m = meta_of(html)
    # the stored form: days, and the UTC instant when time and zone are stated
    assert (m.published, m.published_time, m.updated) == ("2026-03-11", "2026-03-11T18:42:00+00:00", "2026-03-12")
    assert m.authors == ["Jane Doe"]
    assert m.site_name == "Harbour Gazette"
    assert m.section == "Local" and m.tags == ["harbour", "council"]


_SCRIPT_KEYS = (
    "datePublished date_published publishDate publish_date publishdate published_at publishedAt "
    "pubDate pubdate dateTimePublished publication_date first_published_at firstPublished"
).split()


@pytest.mark.parametrize("key", _SCRIPT_KEYS)
def test_publication_date_read_from_inline_scripts(key):
    # a long script of analytics code that mentions "pubs" and "public" before the key
    filler = "var pubs = {public: true, club: []};" * 2000
    html = page(body=BODY + f'<script>{filler} window.meta = {{"{key}": "2019-07-08T09:10:00Z"}};</script>')
    assert meta_of(html).published.startswith("2019-07-08")
    html = page(body=BODY + f"<script>{filler} window.meta = {{{key}: '2019-07-08'}};</script>")
    assert meta_of(html).published == "2019-07-08"


@pytest.mark.parametrize(
    "script",
    [
        "{not json",
        "[" * 5000 + "]" * 5000,  # deeper than any walk
        '{"@type": "NewsArticle", "datePublished": "2007-13-45", "author": 42, "headline": ["x"]}',
        '{"@type": "NewsArticle", "datePublished": "20071-01-01", "author": {"name": null}}',
        '{"@type": ' + '"x", "a": ' * 10 + "1}",
    ],
)
def test_malformed_jsonld_is_ignored(script):
    html = page(
        f'<script type="application/ld+json">{script}</script><meta property="article:published_time" content="2024-05-17">'
    )
    m = meta_of(html)
    assert m.published == "2024-05-17"  # the next source in the order


def test_huge_jsonld_is_skipped_unparsed():
    blob = json.dumps({"@type": "NewsArticle", "pad": "x" * 2_000_000, "datePublished": "2024-05-17"})
    m = meta_of(page(f'<script type="application/ld+json">{blob}</script>'))
    assert m.published is None


def test_time_element_and_url_date():
    m = meta_of(page(body='<p class="meta"><time datetime="2025-02-03T07:00:00+00:00">3 Feb</time></p>' + BODY))
    assert m.published.startswith("2025-02-03")
    m = meta_of(page(), "https://example.org/news/2024/05/17/harbour-wall/")
    assert m.published == "2024-05-17"


def test_time_in_footer_or_related_list_is_not_the_publication_date():
    body = BODY + '<ul><li><a href="/x">Older story</a> <time datetime="2019-01-01">1 Jan</time></li></ul>'
    body += '<footer><time datetime="2018-01-01">2018</time> © Gazette</footer>'
    assert meta_of(page(body=body)).published is None


def test_published_falls_back_to_the_only_date_stated():
    m = meta_of(page('<meta property="article:modified_time" content="2024-05-20">'))
    assert m.updated == "2024-05-20" and m.published == "2024-05-20"


@pytest.mark.parametrize(
    "line", ["Last updated: November 13, 2025", "Aktualisiert: 13.11.2025", "Updated 13 November 2025"]
)
def test_an_update_line_far_from_the_headline_is_the_only_date_shown(line):
    """A page whose one visible date is an update line below the article
    (not by the headline) dates by it, as published and updated."""
    html = page(body=BODY * 10 + f'<p class="info">{line}</p>')  # ten paragraphs: beyond the headline's lines
    a = thresher.extract(html, "https://parks.example/webcams")
    assert (a.published, a.updated) == ("2025-11-13", "2025-11-13")


def test_an_update_line_does_not_override_a_stated_publication_date():
    html = page('<meta property="article:published_time" content="2024-05-17">', BODY + "<p>Updated: 13.11.2025</p>")
    a = thresher.extract(html, "https://gazette.example/news/wall")
    assert a.published == "2024-05-17"


def test_date_sources_are_read_only_until_one_gives_a_date(monkeypatch):
    """The costly sources (scripts, date-classed elements) are never scanned
    when an earlier one states the date; without one, they are read in order."""
    from thresher.html import metadata

    read = []
    monkeypatch.setattr(metadata, "_date_nodes", lambda tree: read.append("date_nodes") or [])
    monkeypatch.setattr(metadata, "_script_dates", lambda nodes, body: read.append("scripts") or [])
    assert meta_of(page('<meta property="article:published_time" content="2024-05-17">')).published == "2024-05-17"
    assert read == []
    assert meta_of(page()).published is None
    assert read == ["date_nodes", "scripts"]


def test_date_candidates_list_every_stated_date_with_its_source():
    """The candidate table (the date ranker experiment's input) holds each
    date the page states, its source named, including those the rules pass
    over (an update, a <time> in a related list), beside the rules' choice."""
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-05-17T09:30:00+02:00",'
        ' "dateModified": "2024-05-20"}</script><meta property="article:published_time" content="2024-05-17">'
    )
    body = "<p>17 May 2024</p>" + BODY + '<ul><li>Older <time datetime="2019-01-01">1 Jan</time></li></ul>'
    html = page(head, body)
    tree = parse(html)
    texts = ["Harbour wall repairs agreed", "17 May 2024", "Updated: 20 May 2024", BODY[3:-4]]
    cands, rules = date_candidates(tree, "https://gazette.example/2024/05/16/wall", texts=texts, headline=0, latest=NOW)
    found = {(c.source, c.day) for c in cands}
    assert {
        ("ld_published", "2024-05-17"),
        ("ld_modified", "2024-05-20"),
        ("tags_published", "2024-05-17"),
        ("url", "2024-05-16"),
        ("time_aside", "2019-01-01"),
        ("near_published", "2024-05-17"),
        ("near_updated", "2024-05-20"),
        ("lines", "2024-05-17"),
        ("lines_updated", "2024-05-20"),
    } <= found
    assert all(c.source in DATE_SOURCES for c in cands)
    ld = next(c for c in cands if c.source == "ld_published")
    assert ld.iso == "2024-05-17T09:30:00+02:00"  # the time and zone as stated
    line = next(c for c in cands if c.source == "lines")
    assert (line.line_offset, line.position) == (1, 0.25)
    # the rules' choice is what html_metadata gives the page
    meta = html_metadata(tree, "https://gazette.example/2024/05/16/wall", texts=texts, headline=0, latest=NOW)
    assert rules[:10] == meta.published == "2024-05-17"


def test_date_candidates_of_an_undated_page_are_empty():
    assert date_candidates(parse(page()), latest=NOW) == ([], None)


# -- authors ------------------------------------------------------------------------


def test_clean_authors_rejects_non_names():
    raw = [
        "By Jane Doe and John Roe",
        "jane@example.org",
        "https://twitter.com/jane",
        "Staff",
        "Harbour Gazette",
        "@jdoe",
    ]
    assert clean_authors(raw, site_name="Harbour Gazette") == ["Jane Doe", "John Roe"]


def test_clean_authors_drops_credentials_and_labels():
    assert clean_authors(["Dylan Bailey, MS, RD"]) == ["Dylan Bailey"]
    assert clean_authors(["Von Katrin Oberländer und Jonas Rehbein"]) == ["Katrin Oberländer", "Jonas Rehbein"]
    assert clean_authors(["Author: Jane Doe | Reuters"]) == ["Jane Doe"]


def test_author_url_in_meta_is_not_a_name():
    m = meta_of(page('<meta property="article:author" content="https://www.facebook.com/someone">'))
    assert m.authors == []


def test_byline_of_a_related_story_is_not_the_author():
    body = (
        '<p class="byline">By Jane Doe</p>'
        + BODY
        + '<div class="related"><span class="byline">By Other Writer</span></div>'
    )
    assert meta_of(page(body=body)).authors == ["Jane Doe"]


# -- titles and language ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("Harbour wall repairs agreed | Harbour Gazette", "Harbour Gazette", "Harbour wall repairs agreed"),
        ("Harbour wall repairs agreed - Gazette", None, "Harbour wall repairs agreed"),
        ("Gazette: Harbour wall repairs agreed", "Gazette", "Harbour wall repairs agreed"),
        ("Harbour wall repairs agreed", None, "Harbour wall repairs agreed"),
    ],
)
def test_strip_site_suffix(title, site, expected):
    assert strip_site_suffix(title, site_name=site) == expected


def test_extract_fills_every_field_and_title_is_the_visible_headline():
    html = page(
        "<title>Harbour wall repairs agreed | Harbour Gazette</title>"
        '<meta property="og:site_name" content="Harbour Gazette">'
        '<meta property="og:image" content="/img/wall.jpg">'
        '<meta name="description" content="The wall will be repaired.">'
        '<link rel="canonical" href="/news/wall">',
        body='<p class="byline">By Jane Doe</p>' + BODY,
    )
    a = thresher.extract(html, "https://gazette.example/news/wall?utm=x")
    assert a.title == "Harbour wall repairs agreed"
    assert a.authors == ["Jane Doe"]
    assert a.site_name == "Harbour Gazette"
    assert a.canonical_url == "https://gazette.example/news/wall"
    assert a.image == "https://gazette.example/img/wall.jpg"
    assert a.description == "The wall will be repaired."
    assert a.language == "en"


def test_language_is_identified_from_the_text_not_the_template():
    body = (
        "<p>"
        + "Der Gemeinderat hat am Dienstag die Reparatur der Hafenmauer beschlossen, die seit Jahren marode ist. " * 5
        + "</p>"
    )
    html = f'<html lang="en"><body><article><h1>Hafenmauer wird repariert</h1>{body}</article></body></html>'
    assert thresher.extract(html).language == "de"


def test_metadata_off_gives_body_only():
    ex = thresher.Extractor(thresher.Config(metadata=False))
    a = ex.extract(page('<meta name="author" content="Jane Doe">'))
    assert a.authors == [] and a.language is None and a.text


# -- text dumps ---------------------------------------------------------------------------


def test_text_metadata_reads_date_lines_bylines_and_datelines():
    lines = ["Ferry service resumes", "By Jane Doe", "Last Updated: Monday, 10 December 2007, 10:28 GMT", "Body text."]
    m = text_metadata(lines, headline=0, latest=NOW)
    assert m.authors == ["Jane Doe"]
    assert m.updated == "2007-12-10T10:28:00+00:00" and m.published is None
    m = text_metadata(
        ["MOSCOW, November 21 (RIA Novosti) - A spokesman said on Wednesday that talks would go on."], latest=NOW
    )
    assert m.dateline == "MOSCOW, November 21" and m.published is None
    # a headline that holds a date-like string is not the page's date line
    lines = ["2024.4.4 -> 2024.5.0 upgrade fails", "raoul", "May 3, 2024", "After the upgrade the server stops."]
    assert text_metadata(lines, headline=0, latest=NOW).published == "2024-05-03"
    assert text_metadata(lines, headline=-1, latest=NOW).published == "2024-04-04"


@pytest.mark.parametrize("label", ["Registered: 2024-01-27", "Joined: Jan 27, 2024", "Mitglied seit 27.01.2024"])
def test_a_posters_account_date_is_not_the_posts(label):
    """A forum thread shows each poster's registration beside the post; the
    post's own date is the thread's."""
    lines = [
        "Upgrade breaks the boot loader",
        "archuser",
        label,
        "Posts: 98",
        "2024-08-03 14:02",
        "After the upgrade...",
    ]
    assert text_metadata(lines, headline=0, latest=NOW).published == "2024-08-03T14:02:00"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("By Bhaval Patel Last Updated: December 6, 2024", ("2024-12-06", True)),
        ("March 3, 2024 | Updated: May 1, 2025", ("2024-03-03", False)),
        ("Updated: May 1, 2025", ("2025-05-01", True)),
        ("Last post: 01/12/2025 at 6:49 pm", (None, False)),
        ("Date within of Examples: Monday, today, last week, Mar 26, 3/26/04", (None, False)),
        ("Date: Monday, 26 March 2024", ("2024-03-26", False)),
        # German update labels; an event's date is no publication
        ("Letzte Änderung: 31.10.2023 - 14:49:39", ("2023-10-31", True)),
        ("Zuletzt geändert am 05.05.2024", ("2024-05-05", True)),
        ("Erschienen am: 01.11.2023", ("2023-11-01", False)),
        ("Termin: 21.02.2020, 19 Uhr", (None, False)),
        ("Event date: May 5, 2024", (None, False)),
    ],
)
def test_a_date_lines_update_label_may_stand_inside_it(line, expected):
    assert date_line(line, latest=NOW) == expected


def test_a_bylines_update_is_not_the_publication():
    lines = ["Ferry service resumes", "By Jane Doe, for the Harbour Gazette newsroom, updated 30.12.2010", "Body."]
    m = text_metadata(lines, headline=0, latest=NOW)
    assert m.published is None


def test_clean_text_carries_metadata(tmp_path):
    text = (
        "Home | News | Sport\n\nFerry service to the islands resumes after storm\n\n"
        "Published: 4 March 2026\n\n"
        + "The ferry between the mainland and the islands sailed again on Tuesday after three days of storms kept it in port. "
        * 3
        + "\n\n"
        + "Operators said the timetable would return to normal by the weekend, with extra crossings for freight. " * 3
        + "\n\nCopyright 2026 Island Radio\n"
    )
    a = thresher.clean_text(text)
    assert a.title == "Ferry service to the islands resumes after storm"
    assert a.published == "2026-03-04"
    assert a.language == "en"
    assert "Published" not in a.text
