"""Fetch pages over HTTP(S), politely and safely, as a source for ``thresher ingest``.

:func:`iter_urls` fetches a list of URLs one after the other and yields a
:class:`~thresher.sources.Raw` per page or a :class:`~thresher.sources.Failure`
per URL that could not be fetched; it never raises for a per-URL problem.

Politeness
    One request at a time, at least :attr:`FetchPolicy.delay` seconds between
    the end of one request to an origin (scheme, host, port) and the start of
    the next (:class:`HostThrottle`; robots.txt ``Crawl-delay`` /
    ``Request-rate`` raise it for the origin the robots.txt is of). robots.txt
    is read once per origin and obeyed, for the first URL and for every
    redirect hop. Retries back off exponentially, with jitter, and honour
    ``Retry-After``. URLs wait in a queue per origin (:meth:`Fetcher.fetch_all`),
    so a delay or a backoff holds back that origin's URLs, never the run. An
    identifying ``User-Agent``.

Safety (SSRF)
    A URL list may come from anywhere, so by default nothing but the public
    internet is reachable: only http/https, and before every connection (every
    redirect hop, which are followed here one by one, and robots.txt) the host
    is resolved and refused if *any* of its addresses is private, loopback,
    link-local, multicast, reserved, unspecified or otherwise not global. The
    address actually connected to is checked again, before the request is sent,
    which closes the DNS-rebinding gap between the check and the connection.
    ``FetchPolicy(allow_private=True)`` (the CLI's ``--allow-private``) lifts
    both checks. An IPv6 address is also judged by the IPv4 address it carries
    (IPv4-mapped, 6to4, Teredo).

Bounds
    Every request has a wall-clock deadline, slow headers included
    (:attr:`FetchPolicy.total_timeout`, a URL's requests together). Bodies are
    streamed, their content codings undone here (:mod:`.inflate`), and
    abandoned beyond :attr:`FetchPolicy.max_bytes`, compressed or not. Bytes
    that are no text (``decode.binary_kind``) are no page, whatever their
    Content-Type says.

robots.txt status handling follows RFC 9309 (and Google's crawler): 2xx is
parsed; 4xx other than 429 means "no robots.txt", so everything is allowed;
429, 5xx and network errors mean "unreachable", so the whole host is treated as
disallowed for the run. Rules are matched as RFC 9309 says, by ``protego``:
the group of the most specific matching user agent, ``*`` and ``$`` wildcards
in paths (``Disallow: /*?print=``), and the longest matching rule wins, an
``Allow`` over a ``Disallow`` of the same length. (The standard library's
``urllib.robotparser`` ignores wildcards and takes the first rule in file
order.) ``Crawl-delay`` may be fractional.
"""

from __future__ import annotations

import email.utils
import heapq
import ipaddress
import random
import re
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Self
from urllib.parse import unquote

import httpx
from protego import Protego

from ...decode import binary_kind, split_content_type
from . import Failure, Raw, RawKind
from .inflate import TooLarge, accept_encoding, content_codings, inflate

__all__ = [
    "FetchPolicy",
    "Fetcher",
    "HostThrottle",
    "check_url",
    "iter_urls",
    "read_url_list",
]

Clock = Callable[[], float]
Sleep = Callable[[float], None]
_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.1"


def _default_user_agent() -> str:
    try:
        version = metadata.version("thresher")
    except metadata.PackageNotFoundError:  # running from a source tree
        version = "dev"
    return f"thresher/{version} (+https://github.com/thresher)"


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchPolicy:
    """How :func:`iter_urls` fetches: every limit is a named field with its reason."""

    #: Names the crawler and where to read about it, so a site operator can
    #: find us and write robots.txt rules for the ``thresher`` token.
    user_agent: str = field(default_factory=_default_user_agent)
    #: Minimum seconds between the end of one request to a host and the start
    #: of the next. 1 s is the common "polite crawler" floor (and the usual
    #: smallest robots.txt ``Crawl-delay``); a site's own Crawl-delay raises it.
    delay: float = 1.0
    #: Seconds to establish a connection (TCP + TLS). A reachable server answers
    #: in well under a second; 10 s allows for slow DNS and distant hosts.
    connect_timeout: float = 10.0
    #: Seconds to wait for each read (headers, then each body chunk). 30 s
    #: tolerates servers that render slowly before they send headers.
    read_timeout: float = 30.0
    #: Wall-clock seconds for a URL's requests, all of them (its redirects and
    #: retries; robots.txt has its own), from the connection to the last byte of
    #: the body: the read timeout alone cannot stop a server that trickles its
    #: headers or body a byte every 29 s (one such URL held a run 817 s). A request
    #: still running then is cut off (its socket shut down) and not retried.
    #: 120 s moves ``max_bytes`` at ~170 kB/s.
    total_timeout: float = 120.0
    #: Extra attempts after connection errors, timeouts, 429 and 5xx. Three,
    #: with the backoff below, rides out a restart or a brief overload (1+2+4 s
    #: at the default base) without hammering a server that is really down.
    retries: int = 3
    #: Base of the exponential backoff: attempt ``n`` (from 0) waits
    #: ``backoff * 2**n`` seconds plus up to ``backoff`` seconds of random
    #: jitter, so retries of many clients do not arrive in lockstep.
    backoff: float = 1.0
    #: ``Retry-After`` is honoured up to this many seconds. A server asking for
    #: longer is not retried (the URL fails at once): waiting an hour would
    #: stall the run, and retrying sooner than asked is impolite.
    max_retry_after: float = 60.0
    #: A body larger than this is abandoned (Content-Length is checked first,
    #: then the streamed body, compressed and decompressed: ``inflate`` stops
    #: there, so a 1.6 KB brotli body never becomes its 2 GB). Same 20 MB as
    #: ``Config.max_input_bytes``: the extractor would refuse a larger page anyway.
    max_bytes: int = 20_000_000
    #: Redirects followed per URL (each hop is vetted). Five is what browsers
    #: and RFC 9309 (for robots.txt) consider enough for legitimate chains.
    max_redirects: int = 5
    #: URL schemes that may be fetched, on the first URL and every redirect.
    #: Never ``file``, ``ftp``, ``gopher``...: they reach local or legacy services.
    schemes: frozenset[str] = frozenset({"http", "https"})
    #: Allow hosts that resolve to private, loopback, link-local, multicast,
    #: reserved or unspecified addresses. Off: a URL list is untrusted input,
    #: and such addresses are where SSRF targets live (cloud metadata on
    #: 169.254.169.254, admin panels on 127.0.0.1, the intranet...).
    allow_private: bool = False
    #: robots.txt is read up to this size; the rest is ignored. RFC 9309 asks
    #: crawlers to parse at least 500 KiB.
    max_robots_bytes: int = 512_000
    #: A robots.txt ``Crawl-delay`` (or ``Request-rate``) above this is capped
    #: to it, so that one site asking for an hour between requests cannot stall
    #: the run for days; the cap still keeps us far slower than the default.
    max_crawl_delay: float = 60.0


class HostThrottle:
    """Per-origin rate limiting: the gap between two requests to an origin is at least its delay.

    Call :meth:`wait` before a request and :meth:`done` when it is over; the gap
    runs from the end of one request to the start of the next, so a slow server
    is not sent a request the moment it finishes answering. :meth:`hold` keeps
    an origin waiting longer (a backoff, a ``Retry-After``); :meth:`ready_in`
    says how long without waiting (a scheduler serves another origin meanwhile).
    Keys are what the caller spaces out: :class:`Fetcher` uses origins (scheme,
    host, port), what a robots.txt speaks for. ``clock`` and ``sleep`` are
    injectable so tests need not wait.
    """

    def __init__(self, delay: float, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        self.delay = delay
        self._clock = clock
        self._sleep = sleep
        self._last: dict[str, float] = {}
        self._delays: dict[str, float] = {}
        self._held: dict[str, float] = {}

    def delay_for(self, host: str) -> float:
        return self._delays.get(host, self.delay)

    def set_delay(self, host: str, seconds: float) -> None:
        """Raise ``host``'s delay to ``seconds`` (never below the default)."""
        self._delays[host] = max(self.delay, seconds)

    def hold(self, host: str, seconds: float) -> None:
        """No request to ``host`` for ``seconds`` from now (nor before its delay is over)."""
        self._held[host] = max(self._held.get(host, 0.0), self._clock() + seconds)

    def due(self, host: str) -> float:
        """When (on the clock) ``host`` may be sent a request; 0 for a host never sent one."""
        last = self._last.get(host)
        return max(self._held.get(host, 0.0), 0.0 if last is None else last + self.delay_for(host))

    def ready_in(self, host: str) -> float:
        """Seconds until ``host`` may be sent a request (0 when it may now)."""
        return max(0.0, self.due(host) - self._clock())

    def wait(self, host: str) -> float:
        """Sleep until ``host`` may be sent a request; returns the seconds slept."""
        remaining = self.ready_in(host)
        if remaining > 0:
            self._sleep(remaining)
        return remaining

    def done(self, host: str) -> None:
        """Record that a request to ``host`` just ended."""
        self._last[host] = self._clock()


# --- SSRF guard --------------------------------------------------------------

_ADDRESS_KINDS = (
    # Order matters: the first match names the address; loopback, link-local
    # and reserved (240.0.0.0/4) addresses are also "private" to ipaddress.
    ("is_unspecified", "an unspecified"),
    ("is_loopback", "a loopback"),
    ("is_link_local", "a link-local"),
    ("is_multicast", "a multicast"),
    ("is_reserved", "a reserved"),
    ("is_private", "a private"),
)


def _address_kind(address: _IPAddress) -> str | None:
    """Why ``address`` must not be reached ("a loopback address"...), or None if global.

    An IPv6 address that carries an IPv4 address is judged by it too: IPv4-mapped
    (``::ffff:127.0.0.1`` is 127.0.0.1), 6to4 (``2002:7f00:1::`` reaches 127.0.0.1
    through a relay) and Teredo (``2001::/32``: its server and its client)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        else:
            carried = [(address.sixtofour, "6to4")] if address.sixtofour else []
            carried += [(inner, "Teredo") for inner in address.teredo or ()]
            for inner, how in carried:
                if (kind := _address_kind(inner)) is not None:
                    return f"{kind} ({inner}, by {how})"
    for attribute, kind in _ADDRESS_KINDS:
        if getattr(address, attribute):
            return f"{kind} address"
    if not address.is_global:  # e.g. 100.64.0.0/10, carrier-grade NAT
        return "a non-global address"
    return None


def _resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (raises ``OSError`` when it does not)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


# A host as httpx holds it (IDNA already ASCII): letters, digits, dots,
# hyphens, and underscores, which some real hosts have; an IPv6 address (no
# brackets). httpx percent-encodes what else it was given ("exa%20mple.com").
_HOST = re.compile(rb"[A-Za-z0-9._-]+|[0-9A-Fa-f:.]+")


def check_url(url: str | httpx.URL, policy: FetchPolicy | None = None) -> str | None:
    """Return why ``url`` may not be fetched under ``policy``, or None if it may.

    Checks the scheme, that there is a host and that it is a host name or an
    address (not "exa mple.com", which would only fail to resolve), and (unless ``policy.allow_private``)
    that no address the host resolves to is private, loopback, link-local,
    multicast, reserved or unspecified. Resolves the host with
    :func:`socket.getaddrinfo`; the answer is not cached.
    """
    policy = policy or FetchPolicy()
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        return f"invalid URL: {exc}"
    if not parsed.scheme:
        return "invalid URL: no scheme (expected http:// or https://)"
    if parsed.scheme not in policy.schemes:
        allowed = " and ".join(sorted(policy.schemes))
        return f"refused: scheme {parsed.scheme!r} is not allowed (only {allowed})"
    if not parsed.raw_host:
        return "refused: URL has no host"
    if not _HOST.fullmatch(parsed.raw_host):
        host = unquote(parsed.raw_host.decode("ascii", "replace"))
        what = "a space" if any(c.isspace() for c in host) else "a character no host name has"
        return f"invalid URL: the host {host!r} has {what}"
    if policy.allow_private:
        return None
    host = parsed.raw_host.decode("ascii")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        literal: _IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        kind = _address_kind(literal)
        return None if kind is None else f"refused: {host} is {kind} (use --allow-private)"
    try:
        addresses = _resolve(host, port)
    except (OSError, UnicodeError) as exc:
        return f"cannot resolve {host}: {getattr(exc, 'strerror', None) or exc}"
    if not addresses:
        return f"cannot resolve {host}: no addresses"
    for text in addresses:
        try:
            kind = _address_kind(ipaddress.ip_address(text))
        except ValueError:
            kind = "an unrecognised address"
        if kind is not None:
            return f"refused: {host} resolves to {text}, {kind} (use --allow-private)"
    return None


# --- fetching ----------------------------------------------------------------


class _FetchError(Exception):
    """A URL could not be fetched; ``reason`` is what the Failure will say."""

    def __init__(self, reason: str, *, status: int | None = None, kind: str = "error") -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status  # the final HTTP status, when there was one
        self.kind = kind  # "refused", "network", "redirects", "error"


class _PeerRefused(Exception):
    """Raised from the connection trace hook: the socket reached a forbidden address."""


@dataclass(frozen=True, slots=True)
class _Response:
    url: httpx.URL
    status: int
    media_type: str  # lower-case "type/subtype", "" when there is no Content-Type
    charset: str | None
    location: str | None = None
    retry_after: str | None = None
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class _Robots:
    parser: Protego | None  # None: no usable robots.txt
    deny: str | None = None  # set: the whole origin is off limits, and why


def _page_kind(media_type: str) -> RawKind | None:
    if media_type in ("", "text/html", "application/xhtml+xml"):
        return "html"  # a missing Content-Type is most often an HTML page
    if media_type == "text/plain":
        return "text"
    return None


def _retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _describe(exc: BaseException) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"timeout ({type(exc).__name__})"
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _retryable(exc: httpx.HTTPError) -> bool:
    if isinstance(exc, httpx.TimeoutException | httpx.RemoteProtocolError):
        return True
    if isinstance(exc, httpx.NetworkError):
        cause = exc.__cause__ or exc.__context__
        while cause is not None:  # a bad certificate will not get better
            if isinstance(cause, ssl.SSLCertVerificationError):
                return False
            cause = cause.__cause__ or cause.__context__
        return True
    return False


def _utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Watchdog:
    """A request's wall-clock deadline, slow headers included: httpx's timeouts bound each
    read, so a server sending a byte every few seconds would hold a request for ever.
    At the deadline the connection's socket is shut down, which ends whatever read
    the request is blocked in. The socket is taken from the connection trace
    (``watch``); its descriptor is duplicated, so the shutdown can never reach
    another connection that reused the number."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.fired = False
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> Self:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._socks:
                sock.close()
            self._socks.clear()

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._socks.append(sock.dup())
            if self.fired:
                self._shutdown(self._socks[-1])

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._socks:
                self._shutdown(sock)

    @staticmethod
    def _shutdown(sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:  # already closed by the other side
            pass


@dataclass(slots=True)
class _Task:
    """One URL being fetched: the hop it is at, its attempt there, and the seconds its
    requests took so far (``FetchPolicy.total_timeout`` bounds them)."""

    source: str
    url: httpx.URL
    accept: Callable[[str], str | None] | None
    max_bytes: int
    truncate: bool
    obey_robots: bool
    hop: int = 0
    attempt: int = 0
    spent: float = 0.0
    seq: int = 0  # its place in the list of URLs


class _Queues:
    """URLs queued by origin, for :meth:`Fetcher.fetch_all`. :meth:`next` is the task to
    serve now: of the origins that may be sent a request, the one whose first URL came
    first; when none may, it sleeps until the first that may. Each origin with URLs
    left is in one of two heaps: waiting (by when it may be sent a request) or ready
    (by its first URL's place in the list)."""

    def __init__(self, throttle: HostThrottle, clock: Clock, sleep: Sleep) -> None:
        self._throttle, self._clock, self._sleep = throttle, clock, sleep
        self._queues: dict[str, deque[_Task]] = {}
        self._waiting: list[tuple[float, str]] = []
        self._ready: list[tuple[int, str]] = []

    def add(self, task: _Task, *, front: bool = False) -> None:
        origin = _origin(task.url)
        queue = self._queues.get(origin)
        if queue is None:
            self._queues[origin] = deque([task])
            self._schedule(origin)
        elif front:
            queue.appendleft(task)
        else:
            queue.append(task)

    def next(self) -> _Task | None:
        """The task to serve now (sleeping until one may be served); ``None`` when all are done."""
        now = self._clock()
        while self._waiting and self._waiting[0][0] <= now:
            self._make_ready(heapq.heappop(self._waiting)[1])
        if not self._ready:
            if not self._waiting:
                return None
            due, origin = heapq.heappop(self._waiting)
            self._sleep(max(0.0, due - now))
            self._make_ready(origin)
        return self._queues[heapq.heappop(self._ready)[1]][0]

    def served(self, task: _Task, origin: str, *, finished: bool) -> None:
        """``task``, the first of ``origin``'s queue, was sent a request: it is done
        (``finished``), waits for its next attempt, or moved to its redirect's origin."""
        queue = self._queues[origin]
        moved = not finished and _origin(task.url) != origin
        if finished or moved:
            queue.popleft()
        if moved:
            self.add(task, front=True)
        if queue:
            self._schedule(origin)
        else:
            del self._queues[origin]

    def _schedule(self, origin: str) -> None:
        due = self._throttle.due(origin)
        if due <= self._clock():
            self._make_ready(origin)
        else:
            heapq.heappush(self._waiting, (due, origin))

    def _make_ready(self, origin: str) -> None:
        heapq.heappush(self._ready, (self._queues[origin][0].seq, origin))


def _origin(url: httpx.URL) -> str:
    """Scheme, host and port: what a robots.txt speaks for, and what politeness spaces out."""
    port = url.port or (443 if url.scheme == "https" else 80)
    return f"{url.scheme}://{url.host}:{port}"


class Fetcher:
    """Fetches URLs under a :class:`FetchPolicy`, one request at a time.

    Holds the state of a run: the HTTP client, the per-origin throttle and the
    robots.txt cache. :meth:`fetch_all` keeps a queue per origin (scheme, host,
    port) and serves the origins that may be sent a request, so a
    ``Crawl-delay``, a backoff or a ``Retry-After`` holds back that origin's
    URLs only; :meth:`fetch` fetches one URL. ``client``, when given, is used as
    is (and not closed); timeouts, redirects and headers are set per request
    from the policy, so any ``httpx.Client`` works. The default client ignores
    proxy environment variables: through a proxy, the connected-address check
    would see the proxy.
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        client: httpx.Client | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.policy = policy or FetchPolicy()
        self._own_client = client is None
        self._client = client if client is not None else httpx.Client(trust_env=False)
        self._clock = clock
        self._sleep = sleep
        self.throttle = HostThrottle(self.policy.delay, clock=clock, sleep=sleep)
        self._robots: dict[str, _Robots] = {}
        self._timeout = httpx.Timeout(self.policy.read_timeout, connect=self.policy.connect_timeout)
        # Content codings are undone here, capped (``inflate``), so only those are asked for.
        # One connection per request: the deadline watches the socket each request opens.
        self._headers = {
            "User-Agent": self.policy.user_agent,
            "Accept": _ACCEPT,
            "Accept-Encoding": accept_encoding(),
            "Connection": "close",
        }

    def close(self) -> None:
        if self._own_client:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(self, url: str) -> Raw | Failure:
        """Fetch one URL (waiting as politeness asks); never raises for a problem with that URL."""
        task = self._task(url)
        if isinstance(task, Failure):
            return task
        try:
            return self._page(task, self._run(task))
        except Exception as exc:  # noqa: BLE001
            return self._failure(task, exc)

    def fetch_all(
        self,
        urls: Iterable[str],
        *,
        on_url: Callable[[int, int, str | None], None] = lambda done, total, url: None,
    ) -> Iterator[Raw | Failure]:
        """Fetch every URL once, yielding each page or failure as it is done.

        URLs are queued by origin (:class:`_Queues`): the URLs of the origins
        that may be sent a request are served in the order they came in, so one
        host's politeness delay, backoff or ``Retry-After`` never holds up the
        others, and the run waits only when no origin may be sent a request.
        ``on_url(done, total, url)`` is called before each request, and once at
        the end with ``url=None``."""
        urls = list(urls)
        queues = _Queues(self.throttle, self._clock, self._sleep)
        done = 0
        for seq, url in enumerate(urls):
            task = self._task(url)
            if isinstance(task, Failure):
                done += 1
                yield task
            else:
                task.seq = seq
                queues.add(task)
        while (task := queues.next()) is not None:
            origin = _origin(task.url)
            on_url(done, len(urls), task.source)
            result = self._advance(task)
            queues.served(task, origin, finished=result is not None)
            if result is not None:
                done += 1
                yield result
        on_url(len(urls), len(urls), None)

    def _task(self, url: str) -> _Task | Failure:
        source = url.strip() if isinstance(url, str) else str(url)
        try:
            start = httpx.URL(source).copy_with(fragment=None)
        except (httpx.InvalidURL, TypeError) as exc:
            return Failure(source, "fetch", f"invalid URL: {exc}")
        return _Task(source, start, self._accept_page, self.policy.max_bytes, truncate=False, obey_robots=True)

    def _advance(self, task: _Task) -> Raw | Failure | None:
        """One request of ``task`` (its origin is ready): its page or failure, or ``None``
        when it is to be tried again or was redirected."""
        self.throttle.wait(_origin(task.url))
        try:
            response = self._step(task)
        except Exception as exc:  # noqa: BLE001
            return self._failure(task, exc)
        return None if response is None else self._page(task, response)

    @staticmethod
    def _failure(task: _Task, exc: Exception) -> Failure:
        if isinstance(exc, _FetchError):
            return Failure(task.source, "fetch", exc.reason)
        if isinstance(exc, httpx.InvalidURL | TypeError):
            return Failure(task.source, "fetch", f"invalid URL: {exc}")
        # a bug or an exotic error must not end the run
        return Failure(task.source, "fetch", f"unexpected error: {_describe(exc)}")

    @staticmethod
    def _page(task: _Task, response: _Response) -> Raw | Failure:
        what = binary_kind(response.body)
        if what is not None:  # random bytes labelled text/html are no page
            return Failure(task.source, "fetch", f"{what}, not a page (Content-Type {response.media_type or 'none'})")
        return Raw(
            source=task.source,
            content=response.body,
            kind=_page_kind(response.media_type) or "html",
            url=str(response.url),
            http_charset=response.charset,
            fetched=_utc_now(),
        )

    @staticmethod
    def _accept_page(media_type: str) -> str | None:
        if _page_kind(media_type) is None:
            return f"unsupported content type {media_type}"
        return None

    # -- one URL, a request at a time

    def _get(
        self,
        url: httpx.URL,
        *,
        accept: Callable[[str], str | None] | None,
        max_bytes: int,
        truncate: bool,
        obey_robots: bool,
    ) -> _Response:
        """``url`` fetched through its redirects and retries, waiting as politeness asks (robots.txt)."""
        return self._run(_Task(str(url), url, accept, max_bytes, truncate=truncate, obey_robots=obey_robots))

    def _run(self, task: _Task) -> _Response:
        while True:
            self.throttle.wait(_origin(task.url))
            response = self._step(task)
            if response is not None:
                return response

    def _step(self, task: _Task) -> _Response | None:
        """One request of ``task``: the final response, or ``None`` after a redirect (``task.url``
        moved on) or a failure to be tried again (its origin is held back meanwhile).
        Raises ``_FetchError`` when the URL has failed."""
        policy = self.policy
        if task.hop > policy.max_redirects:
            raise _FetchError(f"too many redirects (more than {policy.max_redirects})", kind="redirects")
        refusal = check_url(task.url, policy)
        if refusal is not None:
            raise _FetchError(refusal, kind="refused" if refusal.startswith("refused") else "error")
        if task.obey_robots:
            self._check_robots(task.url)
            if self.throttle.ready_in(_origin(task.url)):  # robots.txt was just read: the origin's delay first
                return None
        response = self._attempt(task)
        if response is None:
            return None
        status = response.status
        if status in _REDIRECTS:
            if not response.location:
                raise _FetchError(f"HTTP {status} redirect without a Location", status=status)
            try:
                task.url = task.url.join(response.location).copy_with(fragment=None)
            except httpx.InvalidURL as exc:
                raise _FetchError(f"bad redirect Location {response.location!r}: {exc}") from None
            task.hop, task.attempt = task.hop + 1, 0
            return None
        if not 200 <= status < 300:
            raise _FetchError(f"HTTP {status}", status=status)
        return response

    def _attempt(self, task: _Task) -> _Response | None:
        """The request of ``task``'s hop, its retries counted: the response (a final 429 or
        5xx among them), or ``None`` when it is to be tried again."""
        policy, origin = self.policy, _origin(task.url)
        last = task.attempt >= policy.retries
        backoff = policy.backoff * 2**task.attempt + random.uniform(0, policy.backoff)
        budget = policy.total_timeout - task.spent
        if budget <= 0:
            raise _FetchError(f"timeout: no response within {policy.total_timeout:g} s", kind="network")
        start = time.monotonic()
        try:
            response = self._once(task, budget)
        except _PeerRefused as exc:
            raise _FetchError(str(exc), kind="refused") from None
        except httpx.HTTPError as exc:
            if last or not _retryable(exc):
                raise _FetchError(_describe(exc), kind="network") from None
            return self._again(task, origin, backoff)
        finally:
            task.spent += time.monotonic() - start
            self.throttle.done(origin)
        status = response.status
        if (status == 429 or 500 <= status <= 599) and not last:
            asked = _retry_after_seconds(response.retry_after)
            if asked is not None:
                if asked > policy.max_retry_after:
                    raise _FetchError(
                        f"HTTP {status} (Retry-After {asked:.0f} s is beyond the "
                        f"{policy.max_retry_after:g} s limit; not retried)",
                        status=status,
                    )
                backoff = max(backoff, asked)
            return self._again(task, origin, backoff)
        return response

    def _again(self, task: _Task, origin: str, seconds: float) -> None:
        """Try ``task`` again in ``seconds``: its origin is held back that long."""
        task.attempt += 1
        self.throttle.hold(origin, seconds)

    def _check_peer(self, event: str, info: dict, watchdog: _Watchdog) -> None:
        """httpcore trace hook: vet the address a new connection reached, before sending
        (unless private addresses are allowed), and hand its socket to the deadline."""
        if event != "connection.connect_tcp.complete":
            return
        stream = info.get("return_value")
        if stream is None:
            return
        watchdog.watch(stream.get_extra_info("socket"))
        peer = stream.get_extra_info("server_addr")
        if not peer or self.policy.allow_private:
            return
        try:
            kind = _address_kind(ipaddress.ip_address(str(peer[0]).split("%")[0]))
        except ValueError:
            return
        if kind is not None:
            stream.close()
            raise _PeerRefused(f"refused: connected to {peer[0]}, {kind} (use --allow-private)")

    def _once(self, task: _Task, budget: float) -> _Response:
        """One HTTP request, all of it (connection, headers, body) within ``budget`` seconds."""
        with _Watchdog(budget) as watchdog:
            try:
                return self._request(task, watchdog)
            except httpx.HTTPError:
                if watchdog.fired:
                    raise _FetchError(f"timeout: no complete response within {budget:g} s", kind="network") from None
                raise

    def _request(self, task: _Task, watchdog: _Watchdog) -> _Response:
        def trace(event: str, info: dict) -> None:
            self._check_peer(event, info, watchdog)

        deadline = time.monotonic() + watchdog.seconds
        with self._client.stream(
            "GET",
            task.url,
            headers=self._headers,
            timeout=self._timeout,
            follow_redirects=False,
            extensions={"trace": trace},
        ) as r:
            media_type, charset = split_content_type(r.headers.get("content-type"))
            response = _Response(
                url=task.url,
                status=r.status_code,
                media_type=media_type,
                charset=charset,
                location=r.headers.get("location"),
                retry_after=r.headers.get("retry-after"),
            )
            if not 200 <= r.status_code < 300:
                return response  # the body of an error or redirect is not needed
            if task.accept is not None and (problem := task.accept(media_type)) is not None:
                raise _FetchError(problem, status=r.status_code)
            body = _body(r, task.max_bytes, task.truncate, deadline, watchdog.seconds)
        return _Response(url=task.url, status=response.status, media_type=media_type, charset=charset, body=body)

    # -- robots.txt

    def _check_robots(self, url: httpx.URL) -> None:
        origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
        robots = self._robots.get(origin)
        if robots is None:
            robots = self._robots[origin] = self._read_robots(url)
        if robots.deny is not None:
            raise _FetchError(robots.deny, kind="robots")
        if robots.parser is not None and not robots.parser.can_fetch(str(url), self.policy.user_agent):
            raise _FetchError("disallowed by robots.txt", kind="robots")

    def _read_robots(self, url: httpx.URL) -> _Robots:
        robots_url = url.copy_with(path="/robots.txt", query=None, fragment=None)
        try:
            response = self._get(
                robots_url,
                accept=None,
                max_bytes=self.policy.max_robots_bytes,
                truncate=True,
                obey_robots=False,
            )
        except _FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                return _Robots(None)  # no robots.txt: everything is allowed
            if exc.kind == "redirects":
                return _Robots(None)  # RFC 9309: may be treated as unavailable
            return _Robots(None, deny=f"disallowed: robots.txt unavailable ({exc.reason})")
        parser = Protego.parse(response.body.decode("utf-8", "replace"))
        agent = self.policy.user_agent
        delay = float(parser.crawl_delay(agent) or 0)
        rate = parser.request_rate(agent)
        if rate is not None and rate.requests > 0:
            delay = max(delay, rate.seconds / rate.requests)
        if delay > self.throttle.delay:
            self.throttle.set_delay(_origin(url), min(delay, self.policy.max_crawl_delay))
        return _Robots(parser)


def _body(r: httpx.Response, max_bytes: int, truncate: bool, deadline: float, seconds: float) -> bytes:
    """The body of ``r`` with its content codings undone, streamed, within ``max_bytes``
    whether compressed or not (``inflate``: a 1.6 KB brotli body can hold 2 GB), or its
    first ``max_bytes`` with ``truncate``. Raises ``_FetchError``."""
    length = r.headers.get("content-length", "")
    if not truncate and length.isdigit() and int(length) > max_bytes:
        raise _FetchError(
            f"response too large: Content-Length {int(length):,} bytes exceeds the {max_bytes:,}-byte limit"
        )
    codings = content_codings(r.headers.get("content-encoding"))

    def raw() -> Iterator[bytes]:
        size = 0
        for chunk in r.iter_raw():
            size += len(chunk)
            if size > max_bytes and not truncate:  # compressed, and already larger than the page may be
                raise TooLarge(f"more than {max_bytes:,} bytes")
            if time.monotonic() > deadline:  # a transport the watchdog cannot watch (no trace hook)
                raise _FetchError(f"timeout: no complete response within {seconds:g} s", kind="network")
            yield chunk

    try:
        return inflate(raw(), codings, max_bytes, truncate=truncate)
    except TooLarge:
        coded = f" once decompressed ({', '.join(codings)})" if codings else ""
        raise _FetchError(f"response too large: more than {max_bytes:,} bytes{coded}") from None
    except ValueError as exc:
        raise _FetchError(f"cannot undo Content-Encoding {', '.join(codings)}: {exc}") from None


def iter_urls(
    urls: Iterable[str],
    policy: FetchPolicy | None = None,
    *,
    client: httpx.Client | None = None,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
) -> Iterator[Raw | Failure]:
    """Fetch ``urls``, one request at a time, yielding a ``Raw`` or a ``Failure`` for each as it
    is done: in their order, but for an origin held back by politeness, whose URLs wait
    while the others go on (:meth:`Fetcher.fetch_all`).

    ``Raw.source`` is the URL as given (the stable key), ``Raw.url`` the final
    URL after redirects, ``Raw.kind`` "html" or "text" from the Content-Type,
    ``Raw.http_charset`` its charset parameter, ``Raw.fetched`` the UTC time of
    the fetch. Every failure is a ``Failure(url, "fetch", reason)``. ``clock``
    and ``sleep`` drive the waits (rate limit, backoff), for tests.
    """
    with Fetcher(policy, client=client, clock=clock, sleep=sleep) as fetcher:
        yield from fetcher.fetch_all(urls)


def read_url_list(path: str | Path) -> list[str]:
    """URLs from a text file: one per line; blank lines and ``#`` comments skipped."""
    text = Path(path).read_text(encoding="utf-8-sig")
    urls = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            urls.append(line)
    return urls
