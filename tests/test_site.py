"""The site key: one registrable domain per site, for site memory, the store and stats."""

from __future__ import annotations

import pytest

from thresher.corpus.process import process_batch
from thresher.corpus.sources import Raw
from thresher.textmeta import site_of

ARTICLE = (
    "<html><head><title>Harbour wall repairs agreed</title></head><body><article>"
    "<h1>Harbour wall repairs agreed</h1>"
    + "<p>The council met on Tuesday to discuss the harbour wall and the cost of its repair, "
    "which the engineers put at four million pounds over three years.</p>" * 5 + "</article></body></html>"
)


@pytest.mark.parametrize(
    ("url", "site"),
    [
        ("http://news.bbc.co.uk/2/hi/uk_news/1.stm", "bbc.co.uk"),
        ("https://www.bbc.co.uk/sport", "bbc.co.uk"),
        ("https://BBC.CO.UK./news", "bbc.co.uk"),
        ("http://english.example.com.cn/a", "example.com.cn"),
        ("https://www.example.com/a", "example.com"),
        # a private suffix: each blog is a site of its own
        ("https://janedoe.blogspot.com/2024/05/post.html", "janedoe.blogspot.com"),
        ("https://someone.github.io/notes/", "someone.github.io"),
        # addresses and bare hosts are their own site
        ("http://127.0.0.1:8000/page", "127.0.0.1"),
        ("http://[::1]:8080/page", "::1"),
        ("http://localhost/page", "localhost"),
    ],
)
def test_site_is_the_registrable_domain(url, site):
    assert site_of(url) == site


@pytest.mark.parametrize("url", [None, "", "not a url", "http://[broken/"])
def test_no_site_without_a_host(url):
    assert site_of(url) is None


def test_subdomains_of_one_site_share_the_store_site():
    docs = process_batch(
        [Raw("a", ARTICLE, url="http://news.bbc.co.uk/1"), Raw("b", ARTICLE, url="https://www.bbc.co.uk/news/2")]
    )
    assert [d.site for d in docs] == ["bbc.co.uk", "bbc.co.uk"]
