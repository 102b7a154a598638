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
