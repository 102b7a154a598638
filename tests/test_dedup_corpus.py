"""The dedup benchmark's synthetic corpus: copies of an article in other sites' chrome."""

from __future__ import annotations

from itertools import combinations

from benchmarks.corpus import Page
from benchmarks.run_dedup import build_corpus, is_source, make_copy, topic_clusters

WORDS = "harbour council wall repair storm winter ferry island bridge road budget vote".split()


def article(topic: str, n: int, seed: int) -> list[str]:
    """Paragraphs of our own, about ``topic``, distinct per ``seed``."""
    out = []
    for i in range(n):
        words = [WORDS[(seed * 7 + i * 3 + k) % len(WORDS)] for k in range(24)]
        out.append(f"{topic.capitalize()} paragraph {i} of story {seed}: " + " ".join(words) + ".")
    return out


def page(pid: str, title: str, topic: str, seed: int, **extra) -> Page:
    paras = article(topic, 8, seed)
    body = "".join(f"<p>{p}</p>" for p in paras)
    html = (
        f"<html><head><title>{title} - Site {seed}</title></head><body>"
        f"<header><nav><a href=/>Home of site {seed}</a> <a href=/n>News {seed}</a></nav></header>"
        f"<main><div class=story><h1>{title}</h1>{body}</div></main>"
        f"<footer><p>Contact site {seed} for tips</p></footer></body></html>"
    )
    extra = {"page_type": "article", "title": title, "domain": f"site{seed}.example", **extra}
    return Page(pid, "wcxb_dev", f"https://site{seed}.example/{pid}", html, "\n".join(paras), extra=extra)


PAGES = [
    page("0001", "Harbour wall repairs agreed", "harbour", 1),
    page("0002", "Harbour wall vote delayed", "harbour", 2),
    page("0003", "Ferry timetable changes", "ferry", 3),
    page("0004", "Budget for the island road", "budget", 4, comments="Jane says: nice"),
]


def test_a_copy_is_the_source_article_in_the_host_chrome():
    copy = make_copy(PAGES[0], PAGES[2], seed=0)
    assert copy.page_id == "0001" and copy.host_id == "0003"
    assert "Contact site 3 for tips" in copy.html and "Home of site 3" in copy.html  # the host's chrome
    assert "story 3:" not in copy.html  # ...without the host's own article
    source_lines = PAGES[0].gold.splitlines()
    kept = [ln for ln in source_lines if ln in copy.gold_text]
    assert len(kept) >= len(source_lines) - 1  # at most a short last paragraph dropped
    assert copy.html == make_copy(PAGES[0], PAGES[2], seed=0).html  # deterministic for a seed


def test_topic_clusters_join_consecutive_pages_sharing_a_title_word():
    assert [[p.id for p in c] for c in topic_clusters(PAGES)] == [["0001", "0002"], ["0003"], ["0004"]]


def test_the_corpus_pairs():
    corpus = build_corpus(PAGES, seed=0, copies=[2])
    for source, members in corpus.groups.items():
        assert corpus.docs[members[0]].name == source and len(members) == 3
        assert {(i, j) for i, j in combinations(members, 2)} <= set(corpus.positives)
        # copies never use a host of the same topic
        hosts = {corpus.docs[i].host_id for i in members[1:]}
        assert not hosts & {p.id for c in topic_clusters(PAGES) for p in c if source in {q.id for q in c}}
    assert all(corpus.docs[i].page_id != corpus.docs[j].page_id for i, j in corpus.same_chrome)
    assert all(corpus.docs[i].host_id == corpus.docs[j].host_id for i, j in corpus.same_chrome)
    topic = {(corpus.docs[i].page_id, corpus.docs[j].page_id) for i, j in corpus.same_topic}
    assert topic == {("0001", "0002")}


def test_commented_sources():
    assert is_source(PAGES[3], commented=True) and not is_source(PAGES[0], commented=True)
    corpus = build_corpus(PAGES, seed=0, copies=[2], commented=True)
    assert [len(m) for m in corpus.groups.values()] == [1, 1, 1, 3]
