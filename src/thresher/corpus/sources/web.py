"""Fetch pages over HTTP(S), politely and safely, as a source for ``thresher ingest``.

:func:`iter_urls` fetches a list of URLs one after the other and yields a
:class:`~thresher.sources.Raw` per page or a :class:`~thresher.sources.Failure`
per URL that could not be fetched; it never raises for a per-URL problem.

Politeness
    One request at a time, at least :attr:`FetchPolicy.delay` seconds between
    the end of one request to a host and the start of the next
    (:class:`HostThrottle`; robots.txt ``Crawl-delay`` / ``Request-rate`` raise
    it per host). robots.txt is read once per scheme+host+port and obeyed, for
    the first URL and for every redirect hop. Retries back off exponentially,
    with jitter, and honour ``Retry-After``. An identifying ``User-Agent``.

Safety (SSRF)
    A URL list may come from anywhere, so by default nothing but the public
    internet is reachable: only http/https, and before every connection (every
    redirect hop, which are followed here one by one, and robots.txt) the host
    is resolved and refused if *any* of its addresses is private, loopback,
    link-local, multicast, reserved, unspecified or otherwise not global. The
    address actually connected to is checked again, before the request is sent,
    which closes the DNS-rebinding gap between the check and the connection.
    ``FetchPolicy(allow_private=True)`` (the CLI's ``--allow-private``) lifts
    both checks. Bodies are streamed and abandoned beyond
    :attr:`FetchPolicy.max_bytes`.

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
import ipaddress
import random
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Self

import httpx
from protego import Protego

from ...decode import split_content_type
from . import Failure, Raw, RawKind

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
    #: Wall-clock seconds for a whole response, including the streamed body; the
    #: read timeout alone cannot stop a server that trickles a byte every 29 s.
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
    #: then the streamed, decompressed body). Same 20 MB as
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
    """Per-host rate limiting: the gap between two requests to a host is at least its delay.

    Call :meth:`wait` before a request and :meth:`done` when it is over; the gap
    runs from the end of one request to the start of the next, so a slow server
    is not sent a request the moment it finishes answering. ``clock`` and
    ``sleep`` are injectable so tests need not wait.
    """

    def __init__(self, delay: float, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        self.delay = delay
        self._clock = clock
        self._sleep = sleep
        self._last: dict[str, float] = {}
        self._delays: dict[str, float] = {}

    def delay_for(self, host: str) -> float:
        return self._delays.get(host, self.delay)

    def set_delay(self, host: str, seconds: float) -> None:
        """Raise ``host``'s delay to ``seconds`` (never below the default)."""
        self._delays[host] = max(self.delay, seconds)

    def wait(self, host: str) -> float:
        """Sleep until ``host`` may be sent a request; returns the seconds slept."""
        last = self._last.get(host)
        if last is None:
            return 0.0
        remaining = last + self.delay_for(host) - self._clock()
        if remaining <= 0:
            return 0.0
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
    """Why ``address`` must not be reached ("a loopback address"...), or None if global."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
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


def check_url(url: str | httpx.URL, policy: FetchPolicy | None = None) -> str | None:
    """Return why ``url`` may not be fetched under ``policy``, or None if it may.

    Checks the scheme, that there is a host, and (unless ``policy.allow_private``)
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


class Fetcher:
    """Fetches URLs one at a time under a :class:`FetchPolicy`.

    Holds the state of a run: the HTTP client, the per-host throttle and the
    robots.txt cache. ``client``, when given, is used as is (and not closed);
    timeouts, redirects and headers are set per request from the policy, so
    any ``httpx.Client`` works. The default client ignores proxy environment
    variables: through a proxy, the connected-address check would see the proxy.
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
        self._sleep = sleep
        self.throttle = HostThrottle(self.policy.delay, clock=clock, sleep=sleep)
        self._robots: dict[str, _Robots] = {}
        self._timeout = httpx.Timeout(self.policy.read_timeout, connect=self.policy.connect_timeout)
        self._headers = {"User-Agent": self.policy.user_agent, "Accept": _ACCEPT}

    def close(self) -> None:
        if self._own_client:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(self, url: str) -> Raw | Failure:
        """Fetch one URL; never raises for a problem with that URL."""
        source = url.strip() if isinstance(url, str) else str(url)
        try:
            start = httpx.URL(source).copy_with(fragment=None)
            response = self._get(
                start,
                accept=self._accept_page,
                max_bytes=self.policy.max_bytes,
                truncate=False,
                obey_robots=True,
            )
        except _FetchError as exc:
            return Failure(source, "fetch", exc.reason)
        except (httpx.InvalidURL, TypeError) as exc:
            return Failure(source, "fetch", f"invalid URL: {exc}")
        except Exception as exc:  # noqa: BLE001 - a bug or an exotic error must not end the run
            return Failure(source, "fetch", f"unexpected error: {_describe(exc)}")
        return Raw(
            source=source,
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

    # -- one URL, following redirects hop by hop

    def _get(
        self,
        url: httpx.URL,
        *,
        accept: Callable[[str], str | None] | None,
        max_bytes: int,
        truncate: bool,
        obey_robots: bool,
    ) -> _Response:
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            refusal = check_url(current, self.policy)
            if refusal is not None:
                kind = "refused" if refusal.startswith("refused") else "error"
                raise _FetchError(refusal, kind=kind)
            if obey_robots:
                self._check_robots(current)
            response = self._attempts(current, accept=accept, max_bytes=max_bytes, truncate=truncate)
            status = response.status
            if status in _REDIRECTS:
                if not response.location:
                    raise _FetchError(f"HTTP {status} redirect without a Location", status=status)
                try:
                    current = current.join(response.location).copy_with(fragment=None)
                except httpx.InvalidURL as exc:
                    raise _FetchError(f"bad redirect Location {response.location!r}: {exc}") from None
                continue
            if not 200 <= status < 300:
                raise _FetchError(f"HTTP {status}", status=status)
            return response
        raise _FetchError(
            f"too many redirects (more than {self.policy.max_redirects})",
            kind="redirects",
        )

    # -- one hop, with retries

    def _attempts(
        self,
        url: httpx.URL,
        *,
        accept: Callable[[str], str | None] | None,
        max_bytes: int,
        truncate: bool,
    ) -> _Response:
        policy = self.policy
        host = url.host
        for attempt in range(policy.retries + 1):
            last = attempt == policy.retries
            backoff = policy.backoff * 2**attempt + random.uniform(0, policy.backoff)
            self.throttle.wait(host)
            try:
                response = self._once(url, accept=accept, max_bytes=max_bytes, truncate=truncate)
            except _PeerRefused as exc:
                raise _FetchError(str(exc), kind="refused") from None
            except httpx.HTTPError as exc:
                if last or not _retryable(exc):
                    raise _FetchError(_describe(exc), kind="network") from None
                self._sleep(backoff)
                continue
            finally:
                self.throttle.done(host)
            status = response.status
            if status == 429 or 500 <= status <= 599:
                if last:
                    return response
                asked = _retry_after_seconds(response.retry_after)
                if asked is not None:
                    if asked > policy.max_retry_after:
                        raise _FetchError(
                            f"HTTP {status} (Retry-After {asked:.0f} s is beyond the "
                            f"{policy.max_retry_after:g} s limit; not retried)",
                            status=status,
                        )
                    backoff = max(backoff, asked)
                self._sleep(backoff)
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _check_peer(self, event: str, info: dict) -> None:
        """httpcore trace hook: vet the address a new connection reached, before sending."""
        if event != "connection.connect_tcp.complete":
            return
        stream = info.get("return_value")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        if not peer:
            return
        try:
            kind = _address_kind(ipaddress.ip_address(str(peer[0]).split("%")[0]))
        except ValueError:
            return
        if kind is not None:
            stream.close()
            raise _PeerRefused(f"refused: connected to {peer[0]}, {kind} (use --allow-private)")

    def _once(
        self,
        url: httpx.URL,
        *,
        accept: Callable[[str], str | None] | None,
        max_bytes: int,
        truncate: bool,
    ) -> _Response:
        extensions = {} if self.policy.allow_private else {"trace": self._check_peer}
        deadline = time.monotonic() + self.policy.total_timeout
        with self._client.stream(
            "GET",
            url,
            headers=self._headers,
            timeout=self._timeout,
            follow_redirects=False,
            extensions=extensions,
        ) as r:
            media_type, charset = split_content_type(r.headers.get("content-type"))
            response = _Response(
                url=url,
                status=r.status_code,
                media_type=media_type,
                charset=charset,
                location=r.headers.get("location"),
                retry_after=r.headers.get("retry-after"),
            )
            if not 200 <= r.status_code < 300:
                return response  # the body of an error or redirect is not needed
            if accept is not None and (problem := accept(media_type)) is not None:
                raise _FetchError(problem, status=r.status_code)
            length = r.headers.get("content-length", "")
            if not truncate and length.isdigit() and int(length) > max_bytes:
                raise _FetchError(
                    f"response too large: Content-Length {int(length):,} bytes exceeds the {max_bytes:,}-byte limit"
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in r.iter_bytes():
                if size + len(chunk) > max_bytes:
                    if truncate:
                        chunks.append(chunk[: max_bytes - size])
                        break
                    raise _FetchError(f"response too large: more than {max_bytes:,} bytes")
                chunks.append(chunk)
                size += len(chunk)
                if time.monotonic() > deadline:
                    raise _FetchError(f"timeout: body not received within {self.policy.total_timeout:g} s")
        return _Response(
            url=url,
            status=response.status,
            media_type=media_type,
            charset=charset,
            body=b"".join(chunks),
        )

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
            self.throttle.set_delay(url.host, min(delay, self.policy.max_crawl_delay))
        return _Robots(parser)


def iter_urls(
    urls: Iterable[str],
    policy: FetchPolicy | None = None,
    *,
    client: httpx.Client | None = None,
    clock: Clock = time.monotonic,
    sleep: Sleep = time.sleep,
) -> Iterator[Raw | Failure]:
    """Fetch ``urls`` in order, one at a time, yielding a ``Raw`` or a ``Failure`` for each.

    ``Raw.source`` is the URL as given (the stable key), ``Raw.url`` the final
    URL after redirects, ``Raw.kind`` "html" or "text" from the Content-Type,
    ``Raw.http_charset`` its charset parameter, ``Raw.fetched`` the UTC time of
    the fetch. Every failure is a ``Failure(url, "fetch", reason)``. ``clock``
    and ``sleep`` drive the waits (rate limit, backoff), for tests.
    """
    with Fetcher(policy, client=client, clock=clock, sleep=sleep) as fetcher:
        for url in urls:
            yield fetcher.fetch(url)


def read_url_list(path: str | Path) -> list[str]:
    """URLs from a text file: one per line; blank lines and ``#`` comments skipped."""
    text = Path(path).read_text(encoding="utf-8-sig")
    urls = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            urls.append(line)
    return urls
