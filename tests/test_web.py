"""The web source: a real local HTTP server, a polite fetcher, and the SSRF guard."""

from __future__ import annotations

import gzip
import ipaddress
import itertools
import random
import re
import socket
import threading
import time
import tracemalloc
import zlib
from collections import Counter
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import brotli
import httpx
import pytest

from thresher.corpus.sources import Failure, Raw, web
from thresher.corpus.sources.web import (
    FetchPolicy,
    HostThrottle,
    check_url,
    iter_urls,
    read_url_list,
)

PAGE = "<html><head><title>Caf\xe9</title></head><body><p>Caf\xe9 cr\xe8me</p></body></html>".encode("iso-8859-1")
ROBOTS = "User-agent: *\nDisallow: /private/\n"
BIG = 100_000  # bytes served by /big and /big-stream; the test cap is half that

#: Bodies of hostile servers: decompression bombs under every coding and a chain
#: (64 MiB of spaces each), random bytes labelled text/html, and good pages coded.
_SPACES = b" " * (64 << 20)
HOSTILE = {
    "/bomb-br": (brotli.compress(_SPACES, quality=1), [("Content-Encoding", "br")]),
    "/bomb-gzip-gzip": (gzip.compress(gzip.compress(_SPACES, 9)), [("Content-Encoding", "gzip, gzip")]),
    "/bomb-deflate": (zlib.compress(_SPACES[: 40 << 20], 9), [("Content-Encoding", "deflate")]),  # within 50,000 bytes
    "/random": (random.Random(7).randbytes(40_000), []),
    "/coded-br": (brotli.compress(PAGE), [("Content-Encoding", "br")]),
    "/coded-gzip-br": (brotli.compress(gzip.compress(PAGE)), [("Content-Encoding", "gzip, br")]),
}
del _SPACES

# Fast settings for the local server: tiny delays and backoff, a small size cap.
LOCAL = FetchPolicy(
    allow_private=True,
    delay=0.01,
    retries=2,
    backoff=0.01,
    connect_timeout=2.0,
    read_timeout=0.3,
    max_bytes=50_000,
)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format, *args):
        pass

    def _send(self, status, body=b"", content_type="text/html", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location):
        self._send(302, b"", "text/plain", [("Location", location)])

    def do_GET(self):
        srv = self.server
        path = self.path
        with srv.lock:
            srv.log.append((path, time.monotonic(), self.headers.get("User-Agent", "")))
            srv.hits[path] += 1
            hits = srv.hits[path]
        if path == "/robots.txt":
            self._send(srv.robots_status, srv.robots_body.encode(), "text/plain")
        elif path == "/page.html" or path.startswith("/private/"):
            self._send(200, PAGE, "text/html; charset=ISO-8859-1")
        elif path == "/plain.txt":
            self._send(200, b"hello\n", "text/plain; charset=utf-8")
        elif path.startswith("/r/"):
            n = int(path[3:])
            if n > 0:
                self._redirect(f"/r/{n - 1}")
            else:
                self._send(200, PAGE, "text/html")
        elif path.startswith("/to?"):
            self._redirect(unquote(path[4:]))
        elif path.startswith("/flaky/"):
            if hits == 1:
                self._send(503, b"busy", "text/plain", [("Retry-After", "1")])
            else:
                self._send(200, b"back", "text/plain")
        elif path == "/busy-long":
            self._send(503, b"busy", "text/plain", [("Retry-After", "3600")])
        elif path == "/error":
            self._send(500, b"oops", "text/plain")
        elif path == "/big":
            self._send(200, b"x" * BIG, "text/html")
        elif path == "/big-stream":  # no Content-Length: the body runs until close
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(10):
                self.wfile.write(b"x" * (BIG // 10))
            self.close_connection = True
        elif path == "/image.png":
            self._send(200, b"\x89PNG\r\n\x1a\n", "image/png")
        elif path == "/slow":
            time.sleep(1.0)
            self._send(200, PAGE)
        elif path in HOSTILE:
            body, headers = HOSTILE[path]
            self._send(200, body, "text/html", headers)
        elif path == "/trickle":  # headers a byte at a time, each within the read timeout
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
            try:
                for _ in range(200):
                    self.wfile.write(b"X")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:  # the client hung up: that is the point
                pass
            self.close_connection = True
        else:
            self._send(404, b"not found", "text/plain")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, robots_status=200, robots_body=ROBOTS):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.robots_status = robots_status
        self.robots_body = robots_body
        self.lock = threading.Lock()
        self.log: list[tuple[str, float, str]] = []
        self.hits: Counter[str] = Counter()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def paths(self) -> list[str]:
        with self.lock:
            return [path for path, _, _ in self.log]

    def handle_error(self, request, client_address):
        pass  # clients that time out or stop reading abort connections on purpose


@contextmanager
def _serve(**kwargs):
    server = _Server(**kwargs)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def _shared_server():
    with _serve() as server:
        yield server


@pytest.fixture
def server(_shared_server):
    with _shared_server.lock:
        _shared_server.log.clear()
        _shared_server.hits.clear()
    return _shared_server


class FakeTime:
    """An injectable clock that only moves when slept on."""

    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def fetch(urls, policy=LOCAL, **kwargs):
    return list(iter_urls(urls, policy, **kwargs))


def fake_getaddrinfo(table):
    """A getaddrinfo answering from ``table`` (host -> addresses)."""

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port),
            )
            for a in table[host]
        ]

    return getaddrinfo


# --- pages, with allow_private=True -------------------------------------------


def test_html_page(server):
    url = server.base + "/page.html#section"
    [raw] = fetch([url])
    assert isinstance(raw, Raw)
    assert raw.source == url
    assert raw.url == server.base + "/page.html"
    assert raw.content == PAGE
    assert raw.kind == "html"
    assert raw.http_charset == "ISO-8859-1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", raw.fetched)
    assert server.paths == ["/robots.txt", "/page.html"]
    assert all(ua.startswith("thresher/") and "(+https://" in ua for _, _, ua in server.log)


def test_plain_text_page(server):
    [raw] = fetch([server.base + "/plain.txt"])
    assert isinstance(raw, Raw)
    assert (raw.kind, raw.content, raw.http_charset) == ("text", b"hello\n", "utf-8")


def test_redirect_chain_is_followed_up_to_the_limit(server):
    [raw] = fetch([server.base + "/r/5"])
    assert isinstance(raw, Raw)
    assert raw.source == server.base + "/r/5"
    assert raw.url == server.base + "/r/0"
    assert raw.content == PAGE
    assert server.paths[1:] == [f"/r/{n}" for n in range(5, -1, -1)]


def test_redirect_chain_beyond_the_limit_fails(server):
    url = server.base + "/r/6"
    assert fetch([url]) == [Failure(url, "fetch", "too many redirects (more than 5)")]
    assert "/r/0" not in server.paths


def test_404_is_a_failure_without_retries(server):
    url = server.base + "/missing"
    assert fetch([url]) == [Failure(url, "fetch", "HTTP 404")]
    assert server.hits["/missing"] == 1


def test_503_then_200_is_retried_after_retry_after(server):
    fake = FakeTime()
    [raw] = fetch([server.base + "/flaky/a"], clock=fake.clock, sleep=fake.sleep)
    assert isinstance(raw, Raw)
    assert raw.content == b"back"
    assert server.hits["/flaky/a"] == 2
    assert any(s >= 1.0 for s in fake.sleeps)  # Retry-After: 1 beats the 0.01 s backoff


def test_retry_after_beyond_the_limit_is_not_waited_for(server):
    fake = FakeTime()
    [failure] = fetch([server.base + "/busy-long"], clock=fake.clock, sleep=fake.sleep)
    assert isinstance(failure, Failure)
    assert failure.reason.startswith("HTTP 503 (Retry-After 3600 s")
    assert server.hits["/busy-long"] == 1
    assert all(s < 1.0 for s in fake.sleeps)


def test_500_fails_after_the_retries(server):
    url = server.base + "/error"
    start = time.monotonic()
    assert fetch([url]) == [Failure(url, "fetch", "HTTP 500")]
    assert server.hits["/error"] == 1 + LOCAL.retries
    assert time.monotonic() - start < 1.0


@pytest.mark.parametrize("path", ["/big", "/big-stream"])
def test_oversize_body_is_abandoned(server, path):
    [failure] = fetch([server.base + path])
    assert isinstance(failure, Failure)
    assert failure.stage == "fetch"
    assert failure.reason.startswith("response too large")
    assert "50,000" in failure.reason


def test_unsupported_content_type(server):
    url = server.base + "/image.png"
    assert fetch([url]) == [Failure(url, "fetch", "unsupported content type image/png")]


def test_slow_response_times_out_and_is_retried(server):
    policy = FetchPolicy(allow_private=True, delay=0.01, retries=1, backoff=0.01, read_timeout=0.2)
    start = time.monotonic()
    [failure] = fetch([server.base + "/slow"], policy)
    assert isinstance(failure, Failure)
    assert failure.reason == "timeout (ReadTimeout)"
    assert server.hits["/slow"] == 2
    assert time.monotonic() - start < 1.5


def test_per_url_problems_never_stop_the_run(server):
    urls = [
        "",
        "not a url",
        "http://",
        "http://exa mple.com/",
        server.base + "/plain.txt",
    ]
    results = fetch(urls)
    assert [type(r) for r in results] == [Failure] * 4 + [Raw]
    no_scheme = "invalid URL: no scheme (expected http:// or https://)"
    assert results[:3] == [
        Failure("", "fetch", no_scheme),
        Failure("not a url", "fetch", no_scheme),
        Failure("http://", "fetch", "refused: URL has no host"),
    ]
    assert results[3].stage == "fetch" and results[3].reason  # why depends on the resolver
    assert results[4].content == b"hello\n"


# --- robots.txt ---------------------------------------------------------------


def test_robots_disallow_is_obeyed_and_read_once(server):
    private = server.base + "/private/secret.html"
    results = fetch([server.base + "/page.html", private, server.base + "/plain.txt"])
    assert isinstance(results[0], Raw) and isinstance(results[2], Raw)
    assert results[1] == Failure(private, "fetch", "disallowed by robots.txt")
    assert server.paths == ["/robots.txt", "/page.html", "/plain.txt"]


def test_robots_is_checked_on_redirect_hops(server):
    url = server.base + "/to?/private/x"
    assert fetch([url]) == [Failure(url, "fetch", "disallowed by robots.txt")]
    assert not any(p.startswith("/private/") for p in server.paths)


@pytest.mark.parametrize(
    ("status", "body", "allowed", "reason"),
    [
        (404, "", True, None),  # no robots.txt: all allowed
        (403, "", True, None),  # any 4xx but 429 (RFC 9309)
        (503, "", False, "disallowed: robots.txt unavailable (HTTP 503)"),
        (429, "", False, "disallowed: robots.txt unavailable (HTTP 429)"),
        (
            200,
            "User-agent: thresher\nDisallow: /\n\nUser-agent: *\nDisallow:\n",
            False,
            "disallowed by robots.txt",
        ),
        (200, "User-agent: otherbot\nDisallow: /\n", True, None),
    ],
)
def test_robots_status_and_groups(status, body, allowed, reason):
    with _serve(robots_status=status, robots_body=body) as server:
        url = server.base + "/private/page.html"
        [result] = fetch([url])
        if allowed:
            assert isinstance(result, Raw)
            assert server.paths == ["/robots.txt", "/private/page.html"]
        else:
            assert result == Failure(url, "fetch", reason)
            assert "/private/page.html" not in server.paths


@pytest.mark.parametrize(
    ("body", "path", "allowed"),
    [
        # wildcards (RFC 9309 2.2.3): the standard library's parser ignores them
        ("User-agent: *\nDisallow: /*?print=\n", "/private/a?print=1", False),
        ("User-agent: *\nDisallow: /*?print=\n", "/private/a?page=2", True),
        ("User-agent: *\nDisallow: /*.html$\n", "/private/page.html", False),
        ("User-agent: *\nDisallow: /*.html$\n", "/private/page.html?x=1", True),
        # the longest match wins, whatever the order (the standard library takes the first)
        ("User-agent: *\nDisallow: /private\nAllow: /private/open\n", "/private/open/page.html", True),
        ("User-agent: *\nDisallow: /private\nAllow: /private/open\n", "/private/closed.html", False),
        ("User-agent: *\nAllow: /\nDisallow: /private/\n", "/private/page.html", False),
    ],
)
def test_robots_follow_rfc_9309_wildcards_and_longest_match(body, path, allowed):
    with _serve(robots_body=body) as server:
        url = server.base + path
        [result] = fetch([url])
        if allowed:
            assert isinstance(result, Raw)
        else:
            assert result == Failure(url, "fetch", "disallowed by robots.txt")
            assert path not in server.paths


def test_robots_fractional_crawl_delay_is_honoured():
    fake = FakeTime()
    with _serve(robots_body="User-agent: *\nCrawl-delay: 0.5\n") as server:
        fetch([server.base + "/page.html", server.base + "/plain.txt"], clock=fake.clock, sleep=fake.sleep)
    assert fake.sleeps == [pytest.approx(0.5), pytest.approx(0.5)]  # not LOCAL's 0.01 s


def test_robots_crawl_delay_is_honoured():
    fake = FakeTime()
    with _serve(robots_body="User-agent: *\nCrawl-delay: 2\n") as server:
        results = fetch(
            [server.base + "/page.html", server.base + "/plain.txt"],
            clock=fake.clock,
            sleep=fake.sleep,
        )
    assert all(isinstance(r, Raw) for r in results)
    # robots.txt at t=0; then each page waits the 2 s Crawl-delay, not LOCAL's 0.01 s
    assert fake.sleeps == [pytest.approx(2.0), pytest.approx(2.0)]


def test_crawl_delay_is_capped():
    fake = FakeTime()
    policy = FetchPolicy(allow_private=True, delay=0.01, max_crawl_delay=5.0)
    with _serve(robots_body="User-agent: *\nCrawl-delay: 3600\n") as server:
        [raw] = fetch([server.base + "/page.html"], policy, clock=fake.clock, sleep=fake.sleep)
    assert isinstance(raw, Raw)
    assert fake.sleeps == [pytest.approx(5.0)]


# --- politeness ---------------------------------------------------------------


def test_per_host_delay_is_respected_in_real_time(server):
    policy = FetchPolicy(allow_private=True, delay=0.15)
    fetch([server.base + p for p in ("/page.html", "/plain.txt", "/missing")], policy)
    times = [t for _, t, _ in server.log]
    assert len(times) == 4  # robots.txt + 3 pages
    assert all(b - a >= 0.15 for a, b in itertools.pairwise(times))


def test_host_throttle_with_a_fake_clock():
    fake = FakeTime()
    throttle = HostThrottle(1.0, clock=fake.clock, sleep=fake.sleep)
    assert throttle.wait("a.example") == 0.0  # first request: no wait
    throttle.done("a.example")
    assert throttle.wait("b.example") == 0.0  # another host is not held back
    throttle.done("b.example")
    fake.now += 0.25
    assert throttle.wait("a.example") == pytest.approx(0.75)
    throttle.done("a.example")
    throttle.set_delay("a.example", 3.0)
    throttle.set_delay("b.example", 0.1)  # never below the default
    assert throttle.delay_for("b.example") == 1.0
    assert throttle.wait("a.example") == pytest.approx(3.0)
    assert fake.sleeps == [pytest.approx(0.75), pytest.approx(3.0)]


# --- SSRF guard ---------------------------------------------------------------


def test_default_policy_refuses_local_hosts_without_any_request(server):
    port = server.server_address[1]
    urls = [
        f"http://127.0.0.1:{port}/page.html",
        f"http://localhost:{port}/page.html",
        f"http://[::1]:{port}/page.html",
        f"http://2130706433:{port}/page.html",  # 127.0.0.1 as one integer
    ]
    results = fetch(urls, FetchPolicy())
    assert len(results) == len(urls)
    assert results[0] == Failure(
        urls[0],
        "fetch",
        "refused: 127.0.0.1 is a loopback address (use --allow-private)",
    )
    for result in results:
        assert isinstance(result, Failure)
        assert result.reason.startswith("refused: ")
        assert "a loopback address (use --allow-private)" in result.reason
    assert "localhost resolves to" in results[1].reason
    assert server.log == []


@pytest.mark.parametrize(
    ("addresses", "kind"),
    [
        (["10.0.0.1"], "a private address"),
        (["192.168.1.20"], "a private address"),
        (["169.254.169.254"], "a link-local address"),
        (["::1"], "a loopback address"),
        (["::ffff:127.0.0.1"], "a loopback address"),
        (["fe80::1"], "a link-local address"),
        (["fd00::1"], "a private address"),
        (["224.0.0.1"], "a multicast address"),
        (["0.0.0.0"], "an unspecified address"),
        (["240.0.0.1"], "a reserved address"),
        (["100.64.0.1"], "a non-global address"),
        (["93.184.216.34", "10.0.0.1"], "a private address"),  # any bad address refuses
    ],
)
def test_check_url_refuses_non_public_addresses(monkeypatch, addresses, kind):
    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo({"victim.example": addresses}))
    reason = check_url("https://victim.example/x")
    assert reason is not None
    assert reason.startswith("refused: victim.example resolves to ")
    assert reason.endswith(f", {kind} (use --allow-private)")
    assert check_url("https://victim.example/x", FetchPolicy(allow_private=True)) is None


def test_check_url_accepts_public_and_rejects_bad_urls(monkeypatch):
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        fake_getaddrinfo({"news.example": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]}),
    )
    assert check_url("https://news.example/story") is None
    assert check_url("http://169.254.169.254/latest/meta-data/") == (
        "refused: 169.254.169.254 is a link-local address (use --allow-private)"
    )
    assert check_url("http://nowhere.example/").startswith("cannot resolve nowhere.example")
    assert check_url("file:///etc/passwd") == ("refused: scheme 'file' is not allowed (only http and https)")
    assert check_url("ftp://news.example/x") == ("refused: scheme 'ftp' is not allowed (only http and https)")
    assert check_url("http:///path") == "refused: URL has no host"
    # allow_private lifts the address check, never the scheme check
    assert check_url("file:///etc/passwd", FetchPolicy(allow_private=True)).startswith("refused")


def test_file_and_ftp_urls_are_refused():
    urls = [
        "file:///etc/passwd",
        "ftp://ftp.example.com/pub/x",
        "gopher://example.com/",
    ]
    results = fetch(urls, LOCAL)
    assert results == [
        Failure(url, "fetch", f"refused: scheme {url.split(':')[0]!r} is not allowed (only http and https)")
        for url in urls
    ]


def test_redirect_to_another_scheme_is_refused(server):
    url = server.base + "/to?file:///etc/passwd"
    assert fetch([url]) == [Failure(url, "fetch", "refused: scheme 'file' is not allowed (only http and https)")]


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        (
            "http://169.254.169.254/latest/meta-data/",
            "refused: 169.254.169.254 is a link-local address (use --allow-private)",
        ),
        (
            "http://intranet.example/admin",
            ("refused: intranet.example resolves to 10.0.0.1, a private address (use --allow-private)"),
        ),
    ],
)
def test_redirect_from_public_host_to_private_address_is_refused(monkeypatch, location, reason):
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        fake_getaddrinfo({"public.example": ["93.184.216.34"], "intranet.example": ["10.0.0.1"]}),
    )
    requested = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        if request.url.host != "public.example":
            return httpx.Response(200, text="secret")
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(302, headers={"Location": location})

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        results = fetch(["http://public.example/article"], FetchPolicy(delay=0.01), client=client)
    assert results == [Failure("http://public.example/article", "fetch", reason)]
    assert requested == [
        "http://public.example/robots.txt",
        "http://public.example/article",
    ]


def test_connected_address_is_checked_before_the_request_is_sent(server, monkeypatch):
    # DNS rebinding: the check sees a public address, the connection reaches 127.0.0.1.
    monkeypatch.setattr(web, "_resolve", lambda host, port: ["93.184.216.34"])
    url = f"http://localhost:{server.server_address[1]}/page.html"
    [failure] = fetch([url], FetchPolicy(delay=0.01, retries=0))
    assert isinstance(failure, Failure)
    assert "refused: connected to 127.0.0.1, a loopback address" in failure.reason
    assert server.log == []  # not even robots.txt was requested


# --- URL lists ----------------------------------------------------------------


def test_read_url_list(tmp_path):
    path = tmp_path / "urls.txt"
    path.write_text(
        "\ufeff# news\nhttps://a.example/1\n\n   \n  https://b.example/2  \n#https://c.example/\n",
        encoding="utf-8",
    )
    assert read_url_list(path) == ["https://a.example/1", "https://b.example/2"]


# --- hostile servers ------------------------------------------------------------


def test_trickled_headers_are_stopped_at_the_deadline(server):
    """A server that sends its headers a byte at a time, each within the read timeout,
    is stopped at the wall-clock deadline (one URL held a run 817 s), and not retried."""
    policy = FetchPolicy(allow_private=True, delay=0.01, retries=2, backoff=0.01, read_timeout=0.5, total_timeout=1.0)
    start = time.monotonic()
    [failure] = fetch([server.base + "/trickle"], policy)
    assert failure == Failure(server.base + "/trickle", "fetch", "timeout: no complete response within 1 s")
    assert time.monotonic() - start < 2.5
    assert server.hits["/trickle"] == 1


@pytest.mark.parametrize(
    ("path", "coding"), [("/bomb-br", "br"), ("/bomb-gzip-gzip", "gzip, gzip"), ("/bomb-deflate", "deflate")]
)
def test_a_compressed_bomb_is_abandoned_at_the_size_limit(server, path, coding):
    tracemalloc.start()
    try:
        [failure] = fetch([server.base + path])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert failure == Failure(
        server.base + path, "fetch", f"response too large: more than 50,000 bytes once decompressed ({coding})"
    )
    assert peak < 4_000_000  # 64 MiB inflated would be there; the limit and a few decoder steps are


@pytest.mark.parametrize("path", ["/coded-br", "/coded-gzip-br"])
def test_coded_pages_are_decoded(server, path):
    [raw] = fetch([server.base + path])
    assert isinstance(raw, Raw) and raw.content == PAGE


def test_random_bytes_labelled_html_are_no_page(server):
    [failure] = fetch([server.base + "/random"])
    assert failure == Failure(server.base + "/random", "fetch", "binary data, not a page (Content-Type text/html)")


def test_a_crawl_delay_holds_back_its_own_origin_only():
    """robots.txt speaks for one origin (scheme, host, port): its Crawl-delay spaces out
    that origin's requests, while the other origin's go on (3 URLs took 242 s)."""
    fake = FakeTime()
    with _serve(robots_body="User-agent: *\nCrawl-delay: 30\n") as slow, _serve() as fast:
        urls = [slow.base + "/page.html", slow.base + "/plain.txt", fast.base + "/page.html", fast.base + "/plain.txt"]
        results = fetch(urls, clock=fake.clock, sleep=fake.sleep)
        assert fast.paths == ["/robots.txt", "/page.html", "/plain.txt"]
    assert [r.source for r in results] == [urls[2], urls[3], urls[0], urls[1]]  # the fast origin is not held up
    assert all(isinstance(r, Raw) for r in results)
    assert fake.now == pytest.approx(60.0)  # the slow origin's two waits of 30 s, and nothing more


def test_a_retry_after_holds_back_its_own_origin_only(server):
    fake = FakeTime()
    with _serve() as other:
        urls = [server.base + "/flaky/b", other.base + "/plain.txt"]
        results = fetch(urls, clock=fake.clock, sleep=fake.sleep)
    assert [r.source for r in results] == [urls[1], urls[0]]  # served while /flaky/b waits its Retry-After
    assert all(isinstance(r, Raw) for r in results) and server.hits["/flaky/b"] == 2


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("2002:7f00:1::", "a loopback address (127.0.0.1, by 6to4)"),
        ("2002:a00:1::5", "a private address (10.0.0.1, by 6to4)"),
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "a loopback address (127.0.0.1, by Teredo)"),
    ],
)
def test_ipv6_addresses_that_carry_a_private_ipv4_address_are_refused(host, reason):
    assert check_url(f"http://[{host}]/") == f"refused: {host} is {reason} (use --allow-private)"
    assert check_url(f"http://[{host}]/", FetchPolicy(allow_private=True)) is None


def test_a_6to4_address_of_a_public_ipv4_address_is_not_refused():
    assert web._address_kind(ipaddress.ip_address("2002:808:808::1")) is None  # 8.8.8.8


def test_an_upper_case_scheme_is_a_url_not_a_file(server):
    from thresher.corpus.ingest import open_inputs

    url = server.base.replace("http://", "HTTP://") + "/plain.txt"
    [raw] = open_inputs([url], fetch_policy=LOCAL)
    assert isinstance(raw, Raw) and raw.source == url and raw.content == b"hello\n"


def test_ingest_fetches_a_queue_per_origin():
    from thresher.corpus.ingest import open_inputs

    with _serve(robots_body="User-agent: *\nCrawl-delay: 1\n") as slow, _serve() as fast:
        urls = [slow.base + "/page.html", slow.base + "/plain.txt", fast.base + "/page.html"]
        got = [r.source for r in open_inputs(urls, fetch_policy=LOCAL)]
    assert got == [urls[2], urls[0], urls[1]]  # the other origin is not held up by the Crawl-delay
