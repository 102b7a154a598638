"""A hostile crawl against the corpus side: bombs, slow servers, politeness, duplicate groups.

    python benchmarks/run_hostile_store.py [--only bombs,http,fetch,dups] [--pages 20000] [--workers 2]
                                           [--bomb-gib 1] [--deadline 10]

Every input here is built by the script (nothing is read from the bench), and
every ``thresher ingest`` runs as a child process whose peak resident memory is
read from the kernel when it is reaped (``os.wait4``; the total of
``resource.getrusage(RUSAGE_CHILDREN)`` is printed at the end too).

1. **bombs**: local inputs that inflate to ``--bomb-gib`` GiB of spaces each: a
   WARC record coded ``gzip, gzip`` (2 KB), one coded ``br``, a record whose
   Content-Length is the whole gigabyte, a small record followed by a gigabyte of
   padding in its gzip member, ``.html.gz``, ``.txt.gz``, a ``.jsonl.gz`` line,
   and the same page bomb piped to ``thresher ingest -``. Target: every child
   under 1 GB, every bomb a failure with its reason.
2. **http**: the same over HTTP from a local server (``--allow-private``): brotli
   (2 GiB in 3 KB), chained ``gzip, gzip``, plain gzip, and random bytes
   labelled ``text/html``. Target: under 1 GB, no page stored.
3. **fetch**: a server that trickles its headers a byte a second, fetched with
   ``FetchPolicy(total_timeout=--deadline)`` (target: the URL fails at its
   deadline, not after it); and two origins of one host, one asking a
   ``Crawl-delay`` of 10 s in its robots.txt (target: the other origin's URLs are
   not held up; the delayed origin's second URL waits its 10 s).
4. **dups**: ``--pages`` identical pages against as many distinct ones (a JSONL
   file each, one page a line, ``--workers`` workers). Target: the identical
   pages take at most 1.5 times as long.

Figures (2026-11-30, two cores shared with other jobs, the defaults):

- bombs of 1 GiB: peak RSS 56-96 MB for the WARC records (``gzip, gzip``:
  481 bytes; ``br``: 365 bytes), the ``.html.gz``/``.txt.gz`` pages and stdin,
  each a failure ("more than 20,000,000 bytes once decompressed"); 283 MB for
  the JSONL line (read up to 120 MB, then refused); the record padded with a
  gigabyte is stored, in 3.9 s. Over HTTP: 59-82 MB (brotli 2 GiB in 3,233
  bytes, ``gzip, gzip`` in 1,828). Before: 6.3 GB (WARC), 4.1 GB and 2.1 GB
  (HTTP chained and brotli).
- a trickling server fails at 10.06 s with a 10 s deadline (before: 817 s
  with 120 s); with a Crawl-delay of 10 s on one origin, the other origin's
  three URLs were done at 0.5, 1.0 and 1.6 s (its 0.5 s delay), the delayed
  origin's at 10.0 and 20.0 s (before: all of one host's ports waited).
- 20,000 pages, 2 workers: identical 50.9 s, distinct 52.5 s: 0.97x (before,
  2,000 pages: 137.7 s against 5.2 s, 26.5x). Peak RSS 147 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

GIB = 1 << 30
_BLOCK = 1 << 24
#: The memory any input may take, the issue's target.
MAX_RSS_MB = 1024


# -- children, measured -----------------------------------------------------------------------


def child(args: list[str], *, stdin: Path | None = None) -> tuple[float, float, str]:
    """Run ``args`` (a child process); its peak RSS in MB, its seconds, and its output."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    start = time.perf_counter()
    with open(stdin, "rb") if stdin else open(os.devnull, "rb") as fh:
        proc = subprocess.Popen(args, stdin=fh, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        out = proc.stdout.read().decode("utf-8", "replace")
        _, _, usage = os.wait4(proc.pid, 0)
    return usage.ru_maxrss / 1024, time.perf_counter() - start, out


def thresher(*args: str) -> list[str]:
    return [sys.executable, "-m", "thresher.cli", *args]


def failures(db: Path) -> list[str]:
    import sqlite3

    con = sqlite3.connect(db)
    try:
        return [f"{s}: {r}" for s, r in con.execute("SELECT stage, reason FROM documents WHERE status = 'failed'")]
    finally:
        con.close()


def articles(db: Path) -> int:
    import sqlite3

    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT COUNT(*) FROM documents WHERE status = 'ok'").fetchone()[0]
    finally:
        con.close()


# -- bombs --------------------------------------------------------------------------------------


def gz(parts: list[bytes | int], level: int = 9) -> bytes:
    """A gzip member of ``parts``: bytes as they are, an int as that many spaces (streamed)."""
    c = zlib.compressobj(level, zlib.DEFLATED, 31)
    out = []
    for part in parts:
        if isinstance(part, int):
            out += [c.compress(b" " * _BLOCK) for _ in range(part // _BLOCK)]
        else:
            out.append(c.compress(part))
    return b"".join([*out, c.flush()])


def warc_record(http: bytes, n: int = 1, length: int | None = None) -> bytes:
    return (
        f"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{n:012d}>\r\n"
        "WARC-Date: 2026-01-01T00:00:00Z\r\nWARC-Target-URI: http://bomb.example/\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {length or len(http)}\r\n\r\n"
    ).encode() + http


def http_message(body: bytes, coding: str | None) -> bytes:
    coded = f"Content-Encoding: {coding}\r\n" if coding else ""
    return f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n{coded}Content-Length: {len(body)}\r\n\r\n".encode() + body


def brotli_spaces(n: int) -> bytes:
    import brotli

    c = brotli.Compressor(quality=5)
    return b"".join([*(c.process(b" " * _BLOCK) for _ in range(n // _BLOCK)), c.finish()])


def build_bombs(d: Path, size: int) -> dict[str, Path]:
    """The local bombs, each inflating to ``size`` bytes of spaces."""
    page = gz([size])
    files = {
        "warc gzip, gzip": (
            d / "double.warc.gz",
            gz([warc_record(http_message(gz([page]), "gzip, gzip")), b"\r\n\r\n"]),
        ),
        "warc br": (d / "br.warc.gz", gz([warc_record(http_message(brotli_spaces(size), "br")), b"\r\n\r\n"])),
        "warc record of 1 GiB": (
            d / "biglen.warc.gz",
            gz(
                [
                    warc_record(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n", length=size + 44),
                    size,
                    b"\r\n\r\n",
                ]
            ),
        ),
        "warc member padded": (
            d / "padded.warc.gz",
            gz([warc_record(http_message(b"<html><p>hello</p></html>", None)), b"\r\n\r\n", size]),
        ),
        "page.html.gz": (d / "page.html.gz", page),
        "dump.txt.gz": (d / "dump.txt.gz", page),
        "jsonl.gz line": (d / "dump.jsonl.gz", gz([b'{"html": "', size, b'"}\n'])),
    }
    for path, data in files.values():
        path.write_bytes(data)
    return {name: path for name, (path, _) in files.items()}


def run_bombs(tmp: Path, size: int) -> list[dict]:
    d = tmp / "bombs"
    d.mkdir()
    rows = []
    for name, path in [*build_bombs(d, size).items(), ("stdin .html.gz", None)]:
        db = tmp / f"bomb-{len(rows)}.db"
        if path is None:
            mb, sec, out = child(
                thresher("ingest", "-", "--db", str(db), "-j", "1", "--no-progress"), stdin=d / "page.html.gz"
            )
            path = d / "page.html.gz"
        else:
            mb, sec, out = child(thresher("ingest", str(path), "--db", str(db), "-j", "1", "--no-progress"))
        rows.append({"input": name, "bytes": path.stat().st_size, "peak_mb": mb, "seconds": sec,
                     "failures": failures(db) if db.exists() else [out.strip()[-200:]]})  # fmt: skip
    return rows


# -- over HTTP ----------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    bodies: dict[str, tuple[bytes, str | None]] = {}

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        if self.path == "/robots.txt":
            body, coding, ctype = self.server.robots.encode(), None, "text/plain"
        elif self.path == "/trickle":
            return self._trickle()
        elif self.path in self.bodies:
            (body, coding), ctype = self.bodies[self.path], "text/html"
        else:
            body, coding, ctype = b"<html><p>a page</p></html>", None, "text/html"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if coding:
            self.send_header("Content-Encoding", coding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _trickle(self):
        self.wfile.write(b"HTTP/1.1 200 OK\r\n")
        try:
            for _ in range(3600):  # a header byte a second, for an hour
                self.wfile.write(b"X")
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            pass


def serve(robots: str = "User-agent: *\nDisallow:\n") -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.robots = robots
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_http(tmp: Path, size: int) -> list[dict]:
    _Handler.bodies = {
        "/br": (brotli_spaces(2 * size), "br"),
        "/gzip-gzip": (gz([gz([size])]), "gzip, gzip"),
        "/gzip": (gz([size]), "gzip"),
        "/random": (random.Random(1).randbytes(200_000), None),
    }
    server = serve()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    rows = []
    try:
        for path in _Handler.bodies:
            db = tmp / f"http{len(rows)}.db"
            args = thresher("ingest", base + path, "--db", str(db), "--allow-private", "--delay", "0", "--no-progress")
            mb, sec, _ = child(args)
            rows.append({"input": f"HTTP {path}", "bytes": len(_Handler.bodies[path][0]), "peak_mb": mb,
                         "seconds": sec, "failures": failures(db)})  # fmt: skip
    finally:
        server.shutdown()
    return rows


# -- fetching: the deadline, politeness per origin ---------------------------------------------


def run_fetch(deadline: float) -> dict:
    from thresher.corpus.sources.web import FetchPolicy, iter_urls

    slow = serve()
    delayed, other = serve("User-agent: *\nCrawl-delay: 10\n"), serve()
    out = {}
    try:
        policy = FetchPolicy(allow_private=True, delay=0.0, total_timeout=deadline)
        start = time.perf_counter()
        [failure] = iter_urls([f"http://127.0.0.1:{slow.server_address[1]}/trickle"], policy)
        out["trickle"] = {"seconds": time.perf_counter() - start, "deadline": deadline, "reason": failure.reason}
        a, b = (f"http://127.0.0.1:{s.server_address[1]}" for s in (delayed, other))
        urls = [f"{a}/1", f"{a}/2", f"{b}/1", f"{b}/2", f"{b}/3"]
        start, done = time.perf_counter(), {}
        for result in iter_urls(urls, FetchPolicy(allow_private=True, delay=0.5)):
            done[result.source] = round(time.perf_counter() - start, 2)
        out["politeness"] = {"crawl_delay": 10, "done_at": {("delayed" if u.startswith(a) else "other") + u[-2:]: t
                                                             for u, t in done.items()}}  # fmt: skip
    finally:
        for server in (slow, delayed, other):
            server.shutdown()
    return out


# -- duplicate groups ---------------------------------------------------------------------------

_WORDS = ("harbour council bridge river mayor storm tide budget school market ferry museum garden "
          "library festival rail station hospital orchard village traders engineers beams").split()  # fmt: skip


def story(seed: int) -> str:
    rng = random.Random(seed)
    paras = "".join(f"<p>{' '.join(rng.choice(_WORDS) for _ in range(70))}.</p>" for _ in range(6))
    nav = "".join(f'<li><a href="/{w}">{w}</a></li>' for w in ("news", "sport", "weather", "contact"))
    return (f"<html><head><title>Story {seed}</title></head><body><nav><ul>{nav}</ul></nav>"
            f"<article><h1>Story {seed}</h1>{paras}</article><footer>(c) 2026 Gazette</footer></body></html>")  # fmt: skip


def run_dups(tmp: Path, pages: int, workers: int) -> dict:
    out = {}
    for kind in ("distinct", "identical"):
        src = tmp / f"{kind}.jsonl"
        with open(src, "w", encoding="utf-8") as fh:
            for i in range(pages):
                html = story(0 if kind == "identical" else i)
                fh.write(json.dumps({"url": f"https://news.example/{kind}/{i}", "html": html}) + "\n")
        db = tmp / f"{kind}.db"
        mb, sec, report = child(thresher("ingest", str(src), "--db", str(db), "-j", str(workers), "--no-progress"))
        dups = next((line for line in report.splitlines() if line.startswith("duplicates:")), report[-300:])
        out[kind] = {"seconds": round(sec, 1), "peak_mb": round(mb), "articles": articles(db), "report": dups.strip()}
    out["ratio"] = round(out["identical"]["seconds"] / out["distinct"]["seconds"], 2)
    return out


# -- the run ------------------------------------------------------------------------------------


def table(rows: list[dict]) -> None:
    print("| input | bytes | peak RSS MB | seconds | stored as |")
    print("|---|---:|---:|---:|---|")
    for r in rows:
        why = "; ".join(r["failures"]) or "(no failure)"
        print(f"| {r['input']} | {r['bytes']:,} | {r['peak_mb']:.0f} | {r['seconds']:.1f} | {why} |")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="bombs,http,fetch,dups", help="comma-separated parts to run")
    ap.add_argument("--pages", type=int, default=20_000, help="pages of each duplicate run")
    ap.add_argument("--workers", type=int, default=2, help="workers of the duplicate runs")
    ap.add_argument("--bomb-gib", type=float, default=1.0, help="what each bomb inflates to, in GiB")
    ap.add_argument("--deadline", type=float, default=10.0, help="FetchPolicy.total_timeout of the trickle run")
    args = ap.parse_args(argv)
    parts = set(args.only.split(","))
    size = int(args.bomb_gib * GIB) // _BLOCK * _BLOCK
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if "bombs" in parts or "http" in parts:
            rows = (run_bombs(tmp, size) if "bombs" in parts else []) + (run_http(tmp, size) if "http" in parts else [])
            table(rows)
            worst = max(r["peak_mb"] for r in rows)
            print(f"\nlargest peak: {worst:.0f} MB (target < {MAX_RSS_MB} MB)\n")
        if "fetch" in parts:
            print(json.dumps(run_fetch(args.deadline), indent=2), "\n")
        if "dups" in parts:
            dups = run_dups(tmp, args.pages, args.workers)
            print(json.dumps(dups, indent=2))
            print(f"\nidentical / distinct: {dups['ratio']:.2f}x (target <= 1.5x)")
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"RUSAGE_CHILDREN peak RSS of all the children: {children:.0f} MB")
    return 0 if worst < MAX_RSS_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())
