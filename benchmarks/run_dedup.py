"""Near-duplicate detection (thresher.corpus.dedup) on extracted article text: precision and recall.

    python benchmarks/run_dedup.py [--limit N] [--seed S] [--copies 2,3]
                                   [--modes gold,extract,dump] [--sweep] [--explain K]
                                   [--bench-dir DIR] [--quiet]

The task is the corpus store's: the same article scraped from several sites
must be found as one (positives), while different articles about the same story
must stay apart (negatives). Built from the wcxb_dev gold pages:

* **Positives -- syndication groups.** Each article page (page_type "article",
  at least MIN_SOURCE_WORDS gold words) is one group: the original page plus
  2-3 synthetic copies, each the article's gold paragraphs put into the chrome
  of another page (a "host"): the host's main-content container (the lowest
  common ancestor of the elements holding its own first and last gold
  paragraphs) is emptied and filled with the article, so the host's header,
  navigation, sidebars, related links and footer stay; its <h1> and <title>
  get the (re-worded) headline. Where no such container is found, a plain page
  is built from the host's chrome lines (header/nav before its text, related
  links and footer after) around the article. Each copy gets a syndicator's
  light edits, chosen at random: a different headline, an "originally
  appeared on" line, a dropped last paragraph (only a short one: <= 10 % of the
  words), straight/curly quotes swapped, whitespace changed. All pairs within a
  group are positives.
* **Negatives -- same story, different articles.** wcxb pages come in topic runs
  (consecutive ids, several sites' articles on one subject). Topic clusters are
  runs of consecutive pages whose titles share a content word (generic title
  words such as "best", "top", "guide", years dropped) with the run so far. All
  pairs of documents (originals and copies) of *different* pages with gold
  text within a cluster are negatives. Hosts are drawn from outside the
  source's cluster. (Pages without gold -- no main text -- are still indexed
  for the global figures.)
* **Negatives -- same chrome, different articles.** Two copies of different
  articles put into the same host page: the site's chrome is shared, only the
  article differs (a host serves about 2-3 articles on average).

Each document becomes text three ways (``--modes``):

* ``gold``: the text a perfect extractor returns (the original's gold, or the
  copy's edited article) -- the upper bound;
* ``extract``: ``process.signature_text(thresher.extract(html, url))`` -- the
  text the store signs (the blocks the model is surest of);
* ``dump``: the page rendered as a plain-text dump (benchmarks/render.py, the
  renderer alternating per document), then ``clean_text`` and ``signature_text``.

A pair is judged a duplicate by the store's own decision,
``dedup.duplicate_similarity``: the two texts have equal ``content_hash`` (so
texts of punctuation only are all one text), or they share an LSH band key and
``similarity >= NEAR_DUP_JACCARD``. An empty text, which the store does not
sign, is no text's duplicate. Reported per mode:

* pair-set figures: recall = positives judged duplicate / positives;
  precision = TP / (TP + negatives judged duplicate) over the listed pairs;
* global figures: every document indexed at once, every judged pair counted:
  precision = judged pairs in one group / judged pairs (any pair of distinct
  articles counts as a false positive, not only the listed negatives). The
  dataset holds a few pages twice (identical HTML under two URLs): pairs
  between those are real duplicates, counted apart ("same page"), neither TP
  nor FP;
* the exact Jaccard of the shingle sets: low percentiles for positives, high
  ones for negatives (where the threshold has room);
* time per signature (``minhash``; ``content_hash`` + ``band_keys`` apart) on
  the extracted texts.

``--explain K`` lists K missed positives (those whose texts were both
extracted well first, with token precision/recall against the article put in
the page) and the false duplicates. ``--sweep`` repeats the pair-set
evaluation for other shingle sizes and thresholds, with the LSH filter and by
similarity alone (the texts are computed once). Everything is deterministic
for a ``--seed``. Page text is read from ../shared/bench at run time; nothing
from it is stored.

A full run (1,353 pages, ~3,100 documents, three modes) takes about 2 minutes
for the texts on one core plus ~1 minute building the copies; ``--sweep`` adds
about 4 minutes.
"""

from __future__ import annotations

import argparse
import hashlib
import html as html_lib
import random
import re
import statistics
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from selectolax.lexbor import LexborHTMLParser

from benchmarks.corpus import Page, iter_pages, resolve_bench_dir, token_f1
from benchmarks.labels import page_type_label
from benchmarks.render import label_lines, perturb, render, render_browserlike
from thresher.corpus import dedup

DATASET = "wcxb_dev"
MODES = ("gold", "extract", "dump")

#: Sources (articles that get syndicated copies) need this many gold words.
#: Shorter texts have few shingles, so one edit moves their Jaccard a lot; the
#: store relies on the exact hash for them.
MIN_SOURCE_WORDS = 150
#: Only article pages are sources; hosts are pages of any type with gold.
SOURCE_TYPES = frozenset({"article"})
#: A dropped last paragraph is one of at most this share of the words.
MAX_DROPPED_SHARE = 0.10
#: Title words that say nothing about the topic, left out when clustering.
_GENERIC_TITLE_WORDS = frozenset(
    {
        "best", "top", "guide", "guides", "tips", "tip", "trend", "trends", "how", "what", "why", "when",
        "who", "which", "your", "you", "the", "and", "for", "with", "from", "that", "this", "are", "can",
        "does", "should", "need", "know", "things", "ways", "step", "steps", "ultimate", "complete",
        "beginner", "beginners", "basics", "basic", "introduction", "new", "most", "more", "versus", "about",
        "into", "our", "all", "review", "reviews", "compared", "comparison", "list", "every", "everything",
        "make", "way", "help", "right", "expert", "experts", "explained", "definition", "defined", "world",
        "online", "services", "service", "free", "type", "types", "year", "years", "near",
    }
)  # fmt: skip
_TITLE_WORD = re.compile(r"[^\W\d_]+")
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "head", "title"})
_WS = re.compile(r"\s+")


# --------------------------------------------------------------------------- documents


@dataclass(slots=True)
class Doc:
    """One page whose text is deduplicated: an original wcxb page or a synthetic copy."""

    name: str  # "0001" or "0001@0077" (article 0001 in the chrome of page 0077)
    page_id: str  # the article's page
    host_id: str | None  # the chrome's page (None: the original)
    url: str | None
    html: str
    gold_text: str  # what a perfect extractor returns
    edits: tuple[str, ...] = ()
    texts: dict[str, str] = field(default_factory=dict)  # mode -> text


def _title_words(title: str | None) -> set[str]:
    out = set()
    for w in _TITLE_WORD.findall((title or "").casefold()):
        if len(w) < 3 or w in _GENERIC_TITLE_WORDS:
            continue
        out.add(w[:-1] if w.endswith("s") and len(w) > 4 else w)
    return out


def topic_clusters(pages: Sequence[Page]) -> list[list[Page]]:
    """Runs of consecutive pages (by id) whose titles share a content word with the run so far."""
    clusters: list[list[Page]] = []
    words: set[str] = set()
    for page in pages:
        w = _title_words(page.extra.get("title"))
        if clusters and w & words:
            clusters[-1].append(page)
            words |= w
        else:
            clusters.append([page])
            words = set(w)
    return clusters


def _rng(seed: int, *parts: str) -> random.Random:
    return random.Random(zlib.crc32("\x00".join((str(seed), *parts)).encode()))


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip().casefold()


def _find_main(tree: LexborHTMLParser, gold: str):  # -> LexborNode | None
    """The host's main-content element: the lowest common ancestor of the
    elements holding its first and last gold lines (of 3+ words): for the first
    line the first element in document order whose text starts with it and is
    not much longer, for the last line the last such element."""
    lines = [ln for ln in gold.splitlines() if len(ln.split()) >= 3]
    if len(lines) < 2 or tree.body is None:
        return None
    firsts = [_norm(lines[0]), _norm(lines[-1])]
    snippets = [_norm(" ".join(ln.split()[:8])) for ln in (lines[0], lines[-1])]
    found: list = [None, None]
    for node in tree.body.traverse():
        if node.tag in _SKIP_TAGS or not node.tag or node.tag.startswith("-"):
            continue
        text = _norm(node.text(deep=True, separator=" "))
        for i, snip in enumerate(snippets):
            # the first match for the first line, the last one for the last line
            if text.startswith(snip) and len(text) <= 2 * len(firsts[i]) + 40 and (i == 1 or found[0] is None):
                found[i] = node
    if found[0] is None or found[1] is None:
        return None
    ancestors = set()
    node = found[0]
    while node is not None:
        ancestors.add(node.mem_id)
        node = node.parent
    node = found[1]
    while node is not None and node.mem_id not in ancestors:
        node = node.parent
    if node is None or node.tag in ("body", "html"):
        return None
    parent = node
    while parent is not None:  # a container a browser does not show (Discourse forums)
        if parent.tag in ("noscript", "template"):
            return None
        parent = parent.parent
    if len(node.text(deep=True, separator=" ")) > 2.5 * len(gold) + 2000:
        return None  # the container is most of the page: no chrome would be left
    return node


def _is_heading(line: str) -> bool:
    return len(line.split()) <= 12 and not line.rstrip().endswith((".", "!", "?", ":", '"', "\u201d", ")"))


def _article_html(lines: Sequence[str], rng: random.Random) -> str:
    out = []
    for line in lines:
        body = html_lib.escape(line, quote=False)
        if rng.random() < 0.3:  # line breaks inside the paragraph's markup
            body = body.replace(". ", ".\n  ", 1)
        out.append(f"<h2>{body}</h2>" if _is_heading(line) else f"<p>{body}</p>")
    return "\n".join(out)


def _swap_quotes(text: str, rng: random.Random) -> str:
    if rng.random() < 0.5:  # curly -> straight
        return text.translate(str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}))
    text = re.sub(r"(\w)'(\w)", "\\1\u2019\\2", text)
    return re.sub(r'"([^"\n]*)"', "\u201c\\1\u201d", text)


def _syndicate(source: Page, host: Page, rng: random.Random) -> tuple[list[str], str, tuple[str, ...]]:
    """The article's lines and headline as a syndicating site prints them."""
    # A few gold texts hold HTML entities ("I&#39;m"); the article's text has none.
    lines = [html_lib.unescape(ln).strip() for ln in (source.gold or "").splitlines() if ln.strip()]
    title = source.extra.get("title") or lines[0]
    edits: list[str] = []
    host_name = host.extra.get("domain") or "partner site"
    src_name = source.extra.get("domain") or "the original site"
    if rng.random() < 0.5:
        title = rng.choice(
            (
                f"{title} | {host_name}",
                f"UPDATED: {title}",
                title.upper(),
                f"{title} (Report)",
            )
        )
        edits.append("headline")
    total = sum(len(ln.split()) for ln in lines)
    if len(lines) >= 5 and rng.random() < 0.3 and len(lines[-1].split()) <= MAX_DROPPED_SHARE * total:
        lines = lines[:-1]
        edits.append("drop-last")
    if rng.random() < 0.5:
        note = rng.choice(
            (
                f"This story originally appeared on {src_name}.",
                f"Republished with permission from {src_name}. All rights reserved.",
                f"This article first appeared on {src_name} and is reproduced here with permission.",
            )
        )
        if rng.random() < 0.5:
            lines = [*lines, note]
        else:
            lines = [note, *lines]
        edits.append("attribution")
    if rng.random() < 0.5:
        lines = [_swap_quotes(ln, rng) for ln in lines]
        edits.append("quotes")
    if rng.random() < 0.5:
        lines = [ln.replace(". ", ".  ").replace(", ", ",\u00a0") for ln in lines]
        edits.append("whitespace")
    return lines, title, tuple(edits)


def _plain_page(lines: Sequence[str], title: str, host: Page, rng: random.Random) -> str:
    """A page from the host's chrome lines (before/after its own text) around the article."""
    dump = render_browserlike(host.html)
    content = [y >= 0.5 for y in label_lines(dump, host.gold or "")]
    first = content.index(True) if any(content) else len(dump)
    last = len(content) - 1 - content[::-1].index(True) if any(content) else len(dump)
    head = [ln for ln, c in zip(dump[:first], content[:first]) if not c][-40:]
    tail = [ln for ln, c in zip(dump[last + 1 :], content[last + 1 :]) if not c][:60]
    esc = html_lib.escape
    nav = "".join(f'<li><a href="/{i}">{esc(ln)}</a></li>' for i, ln in enumerate(head))
    related = tail[: len(tail) // 2]
    footer = tail[len(tail) // 2 :]
    rel = "".join(f'<li><a href="/r{i}">{esc(ln)}</a></li>' for i, ln in enumerate(related))
    foot = "".join(f"<p>{esc(ln)}</p>" for ln in footer)
    return (
        f"<!doctype html><html><head><title>{esc(title)}</title></head><body>"
        f"<header><nav><ul>{nav}</ul></nav></header><main><article><h1>{esc(title)}</h1>"
        f"{_article_html(lines, rng)}</article><aside><ul>{rel}</ul></aside></main>"
        f"<footer>{foot}</footer></body></html>"
    )


def make_copy(source: Page, host: Page, seed: int) -> Doc:
    """``source``'s article in ``host``'s chrome, with a syndicator's edits."""
    rng = _rng(seed, source.id, host.id)
    lines, title, edits = _syndicate(source, host, rng)
    tree = LexborHTMLParser(host.html)
    main = _find_main(tree, host.gold or "")
    if main is not None:
        main.inner_html = _article_html(lines, rng)
        h1s = tree.css("h1")  # the host's headline(s) become the article's
        for h1 in h1s:
            h1.inner_html = html_lib.escape(title, quote=False)
        if not h1s:
            main.inner_html = f"<h1>{html_lib.escape(title, quote=False)}</h1>\n" + main.inner_html
        title_node = tree.css_first("title")
        if title_node is not None:
            title_node.inner_html = html_lib.escape(f"{title} - {host.extra.get('domain', '')}", quote=False)
        page_html = tree.html or ""
        edits = ("transplant", *edits)
    else:
        page_html = _plain_page(lines, title, host, rng)
        edits = ("plain", *edits)
    url = host.url or f"https://{host.extra.get('domain', 'example.org')}/"
    url = url.rstrip("/") + "/syndicated/" + source.id
    return Doc(
        f"{source.id}@{host.id}",
        source.id,
        host.id,
        url,
        page_html,
        "\n".join(lines),
        edits,
    )


@dataclass(slots=True)
class Corpus:
    docs: list[Doc]
    groups: dict[str, list[int]]  # syndication group (source page id) -> doc indices
    clusters: list[list[str]]  # topic clusters of page ids
    positives: list[tuple[int, int]]
    same_topic: list[tuple[int, int]]
    same_chrome: list[tuple[int, int]]
    #: page id -> the first page id with the same HTML (wcxb_dev holds a few
    #: pages twice, e.g. /docs/18/ and /docs/current/ of one manual page)
    same_page: dict[str, str] = field(default_factory=dict)


def is_source(page: Page, commented: bool) -> bool:
    """An article page with enough words (with ``commented``: one that carries
    reader comments, so its copies come without them)."""
    article = page_type_label(page) in SOURCE_TYPES
    if commented and not page.extra.get("comments"):
        return False
    return article and len((page.gold or "").split()) >= MIN_SOURCE_WORDS


def build_corpus(pages: Sequence[Page], seed: int, copies: Sequence[int], commented: bool = False) -> Corpus:
    clusters = topic_clusters(pages)
    cluster_of = {p.id: ci for ci, c in enumerate(clusters) for p in c}
    # Gold texts with HTML entities unescaped: what a perfect extractor returns.
    docs = [Doc(p.id, p.id, None, p.url, p.html, html_lib.unescape(p.gold or "")) for p in pages]
    groups: dict[str, list[int]] = {p.id: [i] for i, p in enumerate(pages)}
    hosts = [p for p in pages if p.gold]
    for page in pages:
        if not is_source(page, commented):
            continue
        rng = _rng(seed, "hosts", page.id)
        pool = [h for h in hosts if cluster_of[h.id] != cluster_of[page.id]]
        for host in rng.sample(pool, min(rng.choice(list(copies)), len(pool))):
            groups[page.id].append(len(docs))
            docs.append(make_copy(page, host, seed))
    positives = [pair for idx in groups.values() for pair in combinations(idx, 2)]
    same_topic = []
    for cluster in clusters:
        for a, b in combinations([p for p in cluster if p.gold], 2):
            same_topic.extend((i, j) for i in groups[a.id] for j in groups[b.id])
    by_host: dict[str, list[int]] = defaultdict(list)
    for i, d in enumerate(docs):
        if d.host_id is not None:
            by_host[d.host_id].append(i)
    same_chrome = [
        (i, j) for idx in by_host.values() for i, j in combinations(idx, 2) if docs[i].page_id != docs[j].page_id
    ]
    first_by_html: dict[str, str] = {}
    same_page = {p.id: first_by_html.setdefault(hashlib.blake2b(p.html.encode()).hexdigest(), p.id) for p in pages}
    return Corpus(
        docs,
        groups,
        [[p.id for p in c] for c in clusters],
        positives,
        same_topic,
        same_chrome,
        same_page,
    )


# --------------------------------------------------------------------------- texts


def compute_texts(
    corpus: Corpus, modes: Sequence[str], seed: int, progress: bool
) -> tuple[dict[str, float], dict[str, int]]:
    """Fill ``doc.texts[mode]``; return the seconds spent and the errors per mode
    (an exception in thresher counts as an empty text; the first one per mode
    is printed)."""
    import thresher
    from thresher.corpus.process import signature_text  # the text the store signs

    spent = dict.fromkeys(modes, 0.0)
    errors = dict.fromkeys(modes, 0)
    for n, doc in enumerate(corpus.docs):
        for mode in modes:
            t0 = time.perf_counter()
            try:
                if mode == "gold":
                    text = doc.gold_text
                elif mode == "extract":
                    text = signature_text(thresher.extract(doc.html, doc.url))
                else:
                    rng = _rng(seed, "dump", doc.name)
                    renderer = ("blocks", "browserlike")[zlib.crc32(doc.name.encode()) % 2]
                    dump = perturb(render(doc.html, renderer, rng), rng)
                    text = signature_text(thresher.clean_text(dump, doc.url))
            except Exception as exc:  # noqa: BLE001 - an error counts as an empty text
                if not errors[mode]:
                    print(
                        f"  {mode} error on {doc.name}: {type(exc).__name__}: {exc}",
                        file=sys.stderr,
                    )
                errors[mode] += 1
                text = ""
            spent[mode] += time.perf_counter() - t0
            doc.texts[mode] = text
        if progress and (n + 1) % 250 == 0:
            print(f"  texts: {n + 1}/{len(corpus.docs)} documents", file=sys.stderr)
    return spent, errors


# --------------------------------------------------------------------------- signatures


@dataclass(slots=True)
class Sigs:
    #: What the store keeps of each text; None for an empty text, which the
    #: store never signs (an empty page is not linked to anything).
    prints: list[dedup.Fingerprint | None]
    shingle_sets: list[np.ndarray]


def signatures(texts: Sequence[str], shingle_words: int) -> Sigs:
    """The fingerprints the store would keep (``--sweep``: with another shingle size)."""
    prints = [dedup.Fingerprint.of(text, shingle_words) if text else None for text in texts]
    return Sigs(prints, [dedup.shingles(text, shingle_words) for text in texts])


def judged(s: Sigs, i: int, j: int, threshold: float, lsh: bool = True) -> bool:
    """The store's decision (``dedup.duplicate_similarity``) on a pair; ``lsh=False``
    (the sweep's ceiling, not the store's decision): every pair compared, by its
    exact hash or its similarity alone."""
    a, b = s.prints[i], s.prints[j]
    if a is None or b is None:
        return False
    if not lsh:
        return a.content_hash == b.content_hash or dedup.similarity(a.signature, b.signature) >= threshold
    return dedup.duplicate_similarity(a, b, threshold=threshold) is not None


def jaccard(s: Sigs, i: int, j: int) -> float:
    a, b = s.shingle_sets[i], s.shingle_sets[j]
    if a.size == 0 or b.size == 0:
        return 0.0
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / (a.size + b.size - inter)


def global_pairs(s: Sigs, threshold: float) -> set[tuple[int, int]]:
    """Every pair the store would judge duplicate, with all documents indexed at once."""
    buckets: dict[object, list[int]] = defaultdict(list)  # the store's indexed lookups: hash, band key
    for i, fp in enumerate(s.prints):
        if fp is not None:
            for key in (("h", fp.content_hash), *fp.band_keys):
                buckets[key].append(i)
    out = set()
    for idx in buckets.values():
        for i, j in combinations(idx, 2):
            if (i, j) not in out and judged(s, i, j, threshold):
                out.add((i, j))
    return out


@dataclass(slots=True)
class Result:
    mode: str
    shingle_words: int
    threshold: float
    tp: int
    fn: int
    fp_topic: int
    fp_chrome: int
    n_pos: int
    n_topic: int
    n_chrome: int
    g_tp: int = 0
    g_fp: int = 0
    g_same_page: int = 0  # pairs of copies of one page the dataset holds twice: neither TP nor FP
    empty: int = 0
    pos_j: list[float] = field(default_factory=list)
    neg_j: list[float] = field(default_factory=list)
    misses: list[tuple[float, int, int]] = field(default_factory=list)
    false_hits: list[tuple[float, int, int]] = field(default_factory=list)
    global_false: list[tuple[float, int, int]] = field(default_factory=list)
    sigs: Sigs | None = None

    @property
    def recall(self) -> float:
        return self.tp / self.n_pos if self.n_pos else float("nan")

    @property
    def precision(self) -> float:
        fp = self.fp_topic + self.fp_chrome
        return self.tp / (self.tp + fp) if self.tp + fp else float("nan")

    @property
    def g_precision(self) -> float:
        return self.g_tp / (self.g_tp + self.g_fp) if self.g_tp + self.g_fp else float("nan")

    @property
    def g_recall(self) -> float:
        return self.g_tp / self.n_pos if self.n_pos else float("nan")


def evaluate(
    corpus: Corpus,
    mode: str,
    s: Sigs,
    shingle_words: int,
    threshold: float,
    *,
    full: bool = True,
    lsh: bool = True,
) -> Result:
    def count(pairs: list[tuple[int, int]]) -> int:
        return sum(judged(s, i, j, threshold, lsh) for i, j in pairs)

    res = Result(
        mode, shingle_words, threshold,
        tp=count(corpus.positives), fn=0,
        fp_topic=count(corpus.same_topic), fp_chrome=count(corpus.same_chrome),
        n_pos=len(corpus.positives), n_topic=len(corpus.same_topic), n_chrome=len(corpus.same_chrome),
    )  # fmt: skip
    res.fn = res.n_pos - res.tp
    res.empty = sum(fp is None for fp in s.prints)
    res.sigs = s
    if not full:
        return res
    res.pos_j = [jaccard(s, i, j) for i, j in corpus.positives]
    res.neg_j = [jaccard(s, i, j) for i, j in corpus.same_topic + corpus.same_chrome]
    res.misses = sorted((jaccard(s, i, j), i, j) for i, j in corpus.positives if not judged(s, i, j, threshold))
    res.false_hits = sorted(
        ((jaccard(s, i, j), i, j) for i, j in corpus.same_topic + corpus.same_chrome if judged(s, i, j, threshold)),
        reverse=True,
    )
    group_of = {i: g for g, idx in corpus.groups.items() for i in idx}
    found = global_pairs(s, threshold)
    page_of = {i: corpus.same_page[corpus.docs[i].page_id] for i in group_of}
    res.g_tp = sum(group_of[i] == group_of[j] for i, j in found)
    res.g_same_page = sum(group_of[i] != group_of[j] and page_of[i] == page_of[j] for i, j in found)
    res.g_fp = len(found) - res.g_tp - res.g_same_page
    res.global_false = sorted(
        ((jaccard(s, i, j), i, j) for i, j in found if page_of[i] != page_of[j] and group_of[i] != group_of[j]),
        reverse=True,
    )
    return res


# --------------------------------------------------------------------------- timing


def time_signatures(texts: Sequence[str]) -> dict[str, float]:
    """Mean microseconds per text of minhash, content_hash and band_keys, and
    minhash microseconds per 1,000 words (texts with >= 100 words)."""
    texts = [t for t in texts if t]
    if not texts:
        return dict.fromkeys(
            (
                "minhash_us",
                "hash_us",
                "bands_us",
                "minhash_us_per_1000_words",
                "words_mean",
            ),
            float("nan"),
        )
    for t in texts[:5]:  # warm-up
        dedup.minhash(t)
    out: dict[str, float] = {}
    t0 = time.perf_counter()
    sigs = [dedup.minhash(t) for t in texts]
    out["minhash_us"] = (time.perf_counter() - t0) / len(texts) * 1e6
    t0 = time.perf_counter()
    for t in texts:
        dedup.content_hash(t)
    out["hash_us"] = (time.perf_counter() - t0) / len(texts) * 1e6
    t0 = time.perf_counter()
    for sig in sigs:
        dedup.band_keys(sig)
    out["bands_us"] = (time.perf_counter() - t0) / len(texts) * 1e6
    per_kw = []
    for t in texts:
        words = len(t.split())
        if words >= 100:
            t0 = time.perf_counter()
            dedup.minhash(t)
            per_kw.append((time.perf_counter() - t0) * 1e6 * 1000 / words)
    out["minhash_us_per_1000_words"] = statistics.median(per_kw) if per_kw else float("nan")
    out["words_mean"] = statistics.fmean(len(t.split()) for t in texts)
    return out


# --------------------------------------------------------------------------- report


def _pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def _row(r: Result) -> str:
    return (
        f"| {r.mode} | {r.shingle_words} | {r.threshold:.2f} | {r.precision:.4f} | {r.recall:.4f} "
        f"| {r.g_precision:.4f} | {r.g_recall:.4f} | {r.n_pos} | {r.tp} | {r.n_topic} | {r.fp_topic} "
        f"| {r.n_chrome} | {r.fp_chrome} | {r.g_fp} | {r.g_same_page} | {r.empty} |"
    )


_HEADER = (
    "| mode | n | thr | precision | recall | global P | global R | pos pairs | TP | same-topic pairs | FP "
    "| same-chrome pairs | FP | global FP | same page | empty |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def _jaccard_row(r: Result) -> str:
    return (
        f"| {r.mode} | {_pct(r.pos_j, 1):.3f} | {_pct(r.pos_j, 5):.3f} | {_pct(r.pos_j, 50):.3f} "
        f"| {_pct(r.neg_j, 50):.3f} | {_pct(r.neg_j, 99):.3f} | {_pct(r.neg_j, 99.9):.3f} "
        f"| {max(r.neg_j, default=float('nan')):.3f} |"
    )


def extraction_quality(corpus: Corpus, mode: str, misses: Sequence[tuple[float, int, int]]) -> list[str]:
    """Markdown rows: token precision/recall of the texts against the article
    text put in the page, for originals, transplanted and plain copies; and the
    share of missed positive pairs with an extraction below 0.9 in either."""
    kinds: dict[str, list[tuple[float, float]]] = defaultdict(list)
    pr = []
    for d in corpus.docs:
        p, r, _ = token_f1(d.texts[mode], d.gold_text)
        pr.append((p, r))
        kind = "original" if d.host_id is None else ("transplant" if "transplant" in d.edits else "plain")
        kinds[kind].append((p, r))
    rows = []
    for kind in ("original", "transplant", "plain"):
        vals = kinds.get(kind)
        if vals:
            rows.append(
                f"| {mode} | {kind} | {len(vals)} | {statistics.fmean(v[0] for v in vals):.3f} "
                f"| {statistics.fmean(v[1] for v in vals):.3f} "
                f"| {sum(v[0] < 0.9 for v in vals) / len(vals):.3f} | {sum(v[1] < 0.9 for v in vals) / len(vals):.3f} |"
            )
    bad = sum(min(pr[i][0], pr[i][1], pr[j][0], pr[j][1]) < 0.9 for _, i, j in misses)
    rows.append(f"| {mode} | missed pairs with an extraction P or R < 0.9 | {len(misses)} | {bad} | | | |")
    return rows


def _explain(corpus: Corpus, r: Result, limit: int) -> None:
    docs = corpus.docs

    def desc(i: int) -> str:
        d = docs[i]
        text = d.texts[r.mode]
        p, rec, _ = token_f1(text, d.gold_text)
        return f"{d.name} ({len(text.split())} w, P {p:.2f} R {rec:.2f}, {','.join(d.edits) or 'original'})"

    def extraction_ok(i: int) -> bool:
        p, rec, _ = token_f1(docs[i].texts[r.mode], docs[i].gold_text)
        return min(p, rec) >= 0.9

    if r.misses:
        clean = [m for m in r.misses if extraction_ok(m[1]) and extraction_ok(m[2])]
        print(
            f"\n{r.mode}: missed positives, lowest exact Jaccard first ({len(r.misses)} in all; "
            f"{len(clean)} with both texts at token P and R >= 0.9, listed first)"
        )
        shown = clean[:limit] + [m for m in r.misses if m not in clean][:limit]
        for jac, i, j in shown:
            print(f"  J={jac:.3f} est={dedup.similarity(*_sig_pair(r, i, j)):.3f}  {desc(i)}  vs  {desc(j)}")
    for title, pairs in (
        ("false duplicates among the listed negatives", r.false_hits),
        ("false duplicates with everything indexed", r.global_false),
    ):
        if pairs:
            print(f"\n{r.mode}: {title} ({len(pairs)} in all)")
            for jac, i, j in pairs[:limit]:
                print(f"  J={jac:.3f}  {desc(i)}  vs  {desc(j)}")


def _sig_pair(r: Result, i: int, j: int) -> tuple[np.ndarray, np.ndarray]:
    a, b = r.sigs.prints[i], r.sigs.prints[j]
    return (a.signature if a else np.empty(0)), (b.signature if b else np.empty(0))


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", default=DATASET, help=f"the gold pages to syndicate (default {DATASET})")
    ap.add_argument(
        "--commented",
        action="store_true",
        help="syndicate only pages with reader comments: each copy is the article without them",
    )
    ap.add_argument("--limit", type=int, default=None, help="first N pages (by id) of the dataset")
    ap.add_argument("--seed", type=int, default=0, help="seed of the hosts and edits (default 0)")
    ap.add_argument("--copies", default="2,3", help="copies per article, chosen at random among these")
    ap.add_argument("--modes", default=",".join(MODES), help="comma-separated from gold,extract,dump")
    ap.add_argument("--sweep", action="store_true", help="also other shingle sizes and thresholds")
    ap.add_argument("--explain", type=int, default=0, metavar="K", help="list K misses / false hits per mode")
    ap.add_argument("--bench-dir", default=None)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    args.modes = [m for m in args.modes.split(",") if m]
    unknown = set(args.modes) - set(MODES)
    if unknown:
        ap.error(f"unknown modes {sorted(unknown)}")
    args.copies = [int(c) for c in args.copies.split(",")]
    return args


def _print_results(corpus: Corpus, results: list[Result], args: argparse.Namespace, n_pages: int) -> None:
    n_copies = sum(d.host_id is not None for d in corpus.docs)
    which = f"{args.dataset}, commented pages" if args.commented else args.dataset
    print(f"\n## Near-duplicate detection, {which} (seed {args.seed}, limit {args.limit})\n")
    print(
        f"SHINGLE_WORDS={dedup.SHINGLE_WORDS}, NUM_PERM={dedup.NUM_PERM}, BANDS x ROWS={dedup.BANDS}x{dedup.ROWS}, "
        f"NEAR_DUP_JACCARD={dedup.NEAR_DUP_JACCARD}; {len(corpus.docs)} documents "
        f"({n_pages} pages + {n_copies} copies), {len(corpus.groups)} groups.\n"
    )
    print(_HEADER)
    for r in results:
        print(_row(r))
    print("\nExact Jaccard of the shingle sets (positives: low percentiles; negatives: high ones)\n")
    print("| mode | pos p1 | pos p5 | pos median | neg median | neg p99 | neg p99.9 | neg max |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(_jaccard_row(r))
    quality = [row for r in results if r.mode != "gold" for row in extraction_quality(corpus, r.mode, r.misses)]
    if quality:
        print("\nText quality against the article put in the page (token precision / recall)\n")
        print("| mode | documents | n | mean P | mean R | share P < 0.9 | share R < 0.9 |")
        print("|---|---|---:|---:|---:|---:|---:|")
        print("\n".join(quality))


def _print_timing(corpus: Corpus, modes: Sequence[str], spent: dict[str, float], errors: dict[str, int]) -> None:
    timing_mode = "extract" if "extract" in modes else modes[0]
    tm = time_signatures([d.texts[timing_mode] for d in corpus.docs])
    print(
        f"\nSignature time on the {timing_mode} texts ({tm['words_mean']:.0f} words on average): "
        f"minhash {tm['minhash_us']:.0f} us/text ({tm['minhash_us_per_1000_words']:.0f} us per 1,000 words, "
        f"median), content_hash {tm['hash_us']:.0f} us, band_keys {tm['bands_us']:.1f} us."
    )
    print("Text production: " + ", ".join(f"{m} {spent[m] / len(corpus.docs) * 1e3:.1f} ms/doc" for m in modes))
    if any(errors.values()):
        print("**Errors** (counted as empty texts): " + ", ".join(f"{m} {errors[m]}" for m in modes if errors[m]))


def _print_sweep(corpus: Corpus, modes: Sequence[str], sigs_by_mode: dict[str, Sigs]) -> None:
    print(
        "\n### Sweep: shingle size x threshold (pair sets)\n\n"
        f"P/R with the {dedup.BANDS}x{dedup.ROWS} LSH filter, and by similarity alone (every pair "
        "compared: what the best banding for that threshold could reach).\n"
    )
    print("| mode | n | thr | P (LSH) | R (LSH) | P (all pairs) | R (all pairs) | pos J p5 | neg J p99.9 | neg J max |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for mode in modes:
        for n in (3, 4, 5, 6, 8):
            texts = [d.texts[mode] for d in corpus.docs]
            s = sigs_by_mode[mode] if n == dedup.SHINGLE_WORDS else signatures(texts, n)
            full = evaluate(corpus, mode, s, n, dedup.NEAR_DUP_JACCARD)
            for thr in (0.6, 0.7, 0.75, 0.8, 0.85):
                r = evaluate(corpus, mode, s, n, thr, full=False)
                r_all = evaluate(corpus, mode, s, n, thr, full=False, lsh=False)
                print(
                    f"| {mode} | {n} | {thr:.2f} | {r.precision:.4f} | {r.recall:.4f} | {r_all.precision:.4f} "
                    f"| {r_all.recall:.4f} | {_pct(full.pos_j, 5):.3f} | {_pct(full.neg_j, 99.9):.3f} "
                    f"| {max(full.neg_j, default=0):.3f} |"
                )


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    pages = list(iter_pages(resolve_bench_dir(args.bench_dir), [args.dataset], args.limit))
    t0 = time.perf_counter()
    corpus = build_corpus(pages, args.seed, args.copies, args.commented)
    n_plain = sum("plain" in d.edits for d in corpus.docs)
    n_copies = sum(d.host_id is not None for d in corpus.docs)
    if not args.quiet:
        print(
            f"{len(pages)} pages, {len(corpus.clusters)} topic clusters "
            f"({sum(len(c) > 1 for c in corpus.clusters)} with 2+ pages), {n_copies} copies "
            f"({n_copies - n_plain} transplanted, {n_plain} plain pages), built in {time.perf_counter() - t0:.1f} s",
            file=sys.stderr,
        )
    spent, errors = compute_texts(corpus, args.modes, args.seed, not args.quiet)
    sigs_by_mode = {mode: signatures([d.texts[mode] for d in corpus.docs], dedup.SHINGLE_WORDS) for mode in args.modes}
    results = [
        evaluate(corpus, mode, sigs_by_mode[mode], dedup.SHINGLE_WORDS, dedup.NEAR_DUP_JACCARD) for mode in args.modes
    ]
    _print_results(corpus, results, args, len(pages))
    _print_timing(corpus, args.modes, spent, errors)
    if args.sweep:
        _print_sweep(corpus, args.modes, sigs_by_mode)
    if args.explain:
        for r in results:
            _explain(corpus, r, args.explain)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
