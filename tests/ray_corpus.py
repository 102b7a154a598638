"""A mixed corpus for the Ray tests and benchmark: WARC, HTML files, text dumps, JSONL,
syndicated copies and broken files, from the bench pages when present, else from the
repo's samples and pages of our own."""

from __future__ import annotations

import gzip
import json
import os
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared" / "bench" / "wcxb_dev.jsonl.gz"

WORDS = (
    "harbour council ferry island bridge budget vote storm repair winter school market library road "
    "river festival orchard farmer rail strike museum clinic water tower mayor tender plan night"
).split()


def own_pages(n: int, seed: int = 7) -> list[tuple[str, str]]:
    """``n`` (url, html) news pages written here: a headline, a byline, paragraphs, site chrome."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        site = f"site{i % 5}.example"
        paras = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(25, 45))).capitalize() + "."
            for _ in range(rng.randint(4, 9))
        ]
        title = " ".join(rng.choice(WORDS) for _ in range(5)).title()
        body = "".join(f"<p>{p}</p>" for p in paras)
        html = (
            f"<html><head><title>{title} | {site}</title>"
            f'<meta property="article:published_time" content="2025-0{1 + i % 9}-1{i % 10}"></head><body>'
            f"<nav><a href=/>Home</a> <a href=/news>News</a> <a href=/sport>Sport</a></nav>"
            f"<article><h1>{title}</h1><p class=byline>By Reporter {i % 7}</p>{body}</article>"
            f"<footer><p>Copyright {site}. All rights reserved.</p></footer></body></html>"
        )
        out.append((f"https://{site}/news/{i}", html))
    return out


def bench_pages(n: int) -> list[tuple[str, str]]:
    pages = []
    if BENCH.exists():
        with gzip.open(BENCH, "rt", encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                if rec.get("url"):
                    pages.append((rec["url"], rec["html"]))
                if len(pages) >= n:
                    break
    return pages


def warc_record(n: int, url: str, body: bytes) -> bytes:
    http = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
    )
    http += body
    head = (
        f"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{n:012d}>\r\n"
        f"WARC-Date: 2026-01-0{1 + n % 9}T00:00:00Z\r\nWARC-Target-URI: {url}\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n"
    ).encode()
    return gzip.compress(head + http + b"\r\n\r\n", compresslevel=1)


def visible_text(html: str) -> str:
    """A crude text dump of a page: its text, one block per line (chrome included)."""
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(html)
    for node in tree.css("script, style"):
        node.decompose()
    blocks = [n.text(separator=" ", strip=True) for n in tree.css("h1, h2, h3, p, li, nav, footer, td")]
    return "\n".join(b for b in blocks if b)


def make_corpus(root: Path, *, pages: int = 240, warcs: int = 3) -> list[str]:
    """Write the corpus under ``root``; return the inputs to ingest (in order)."""
    found = bench_pages(pages)
    found += own_pages(pages - len(found))
    rng = random.Random(11)
    root.mkdir(parents=True, exist_ok=True)
    html_dir, dump_dir = root / "html", root / "dumps"
    html_dir.mkdir()
    dump_dir.mkdir()
    # WARCs: half the pages, with a syndicated copy of every 10th page under another URL
    warc_pages = found[: len(found) // 2]
    per = -(-len(warc_pages) // warcs)
    n = 0
    for w in range(warcs):
        with open(root / f"crawl-{w}.warc.gz", "wb") as fh:
            for url, html in warc_pages[w * per : (w + 1) * per]:
                n += 1
                fh.write(warc_record(n, url, html.encode("utf-8")))
                if n % 10 == 0:
                    n += 1
                    fh.write(warc_record(n, url.replace("://", "://mirror.") + "?syndicated", html.encode("utf-8")))
    # loose HTML files: a quarter of the pages, and copies of a few WARC pages (syndication across kinds)
    rest = found[len(found) // 2 :]
    for i, (url, html) in enumerate(rest[: len(rest) // 2]):
        (html_dir / f"page-{i:04d}.html").write_text(html, encoding="utf-8")
    for i, (url, html) in enumerate(warc_pages[::15]):
        (html_dir / f"copy-{i:04d}.html").write_text(html, encoding="utf-8")
    # text dumps: a quarter of the pages rendered as text, some twice (a copy)
    for i, (url, html) in enumerate(rest[len(rest) // 2 :]):
        (dump_dir / f"dump-{i:04d}.txt").write_text(visible_text(html), encoding="utf-8")
        if i % 12 == 0:
            (dump_dir / f"dump-{i:04d}-again.txt").write_text(visible_text(html), encoding="utf-8")
    for sample in sorted((ROOT / "samples" / "dumps").glob("*.txt")):
        (dump_dir / sample.name).write_bytes(sample.read_bytes())
    # JSONL: text dumps of one site with URLs (site memory), one bad line
    with open(root / "feed.jsonl", "w", encoding="utf-8") as f:
        for i, (url, html) in enumerate(own_pages(12, seed=5)):
            f.write(json.dumps({"url": f"https://valley.example/story/{i}", "text": visible_text(html)}) + "\n")
        f.write("{not json\n")
    # broken inputs
    (html_dir / "image.html").write_bytes(bytes(rng.randrange(256) for _ in range(3000)))
    (html_dir / "empty.html").write_bytes(b"")
    cut = warc_record(9999, "https://cut.example/a", found[0][1].encode("utf-8"))
    (root / "cut.warc.gz").write_bytes(warc_record(9998, "https://cut.example/b", found[1][1].encode()) + cut[:-60])
    return [str(root)]


def dying_mapper(marker: Path):
    """A ``ShardMap`` whose worker process dies (``os._exit``) on its first shard, once:
    ``marker`` records that it did. Ray must restart it and run the shard again."""
    from thresher.corpus.cluster.ray_run import ShardMap

    class Dying(ShardMap):
        def __call__(self, batch):
            if not marker.exists():
                marker.write_text("died")
                os._exit(1)
            return super().__call__(batch)

    return Dying
