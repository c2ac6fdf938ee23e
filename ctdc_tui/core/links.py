"""Checking a catalogue's links over HTTP, and the per-catalogue link-status cache.

The only module that imports httpx. API for the CLI and the app::

    from ctdc_tui.core import links

    cache = links.LinkStatusCache.load(catalogue_folder)  # never raises; cache.notices
    cache.get(resource_id) -> LinkResult | None           # main link: .status .label .health
                                                          # .final_url .http_status .checked_at
                                                          # .error .age_text() .redirects
    cache.results_for(resource_id) -> list[LinkResult]    # main link, then alternates
    cache.get_url(resource.url) -> LinkResult | None      # by address: right even after an edit
    cache.status_map(current=None) -> {id: "ok" | "dead" | "unknown"}  # for SearchIndex.sync_link_status;
                                                          # current={id: url now} skips edited links

    report = links.check_resources(resources, concurrency=8, timeout=10.0, progress=None)
    report.network_down  # no web server answered and the fault looks local: keep old statuses, say so
    # Ctrl+C during the check raises links.CheckInterrupted (a KeyboardInterrupt) whose .report
    # holds the links checked so far (.interrupted, .total): record and save those the same way.
    if not report.network_down:
        cache.record(report.resources, report.results.values()); cache.save()  # CtdcError if unwritable

    links.check_links(urls, concurrency=8, timeout=10.0, progress=None) -> list[LinkResult]
    links.check_one(url, timeout=10.0) -> LinkResult
    links.archived_url(url) -> str | None   # https://web.archive.org/web/<url>; None unless http(s)
    links.is_openable(url) -> bool          # only http and https are ever opened

The synchronous functions run their own event loop: call them from a thread
(in Textual, ``@work(thread=True)``), and hand ``progress(done, total, result)``
calls back to the app with ``call_from_thread``. ``check_links_async`` is the
same check for code already inside an event loop. Each link gets at most
``timeout`` seconds in all (HEAD, the GET fallback and every redirect), so a
check never hangs, online or off. The vocabulary, ``LinkResult`` and the cache
live in ``ctdc_tui.core.link_status``, which does not import httpx: import it
from there when nothing needs checking.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import errno
import os
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ctdc_tui import __version__
from ctdc_tui.core.link_status import (
    LABELS,
    STATUSES,
    LinkResult,
    LinkStatus,
    LinkStatusCache,
    archived_url,
    describe_age,
    health_of,
    is_openable,
    resource_urls,
)

if TYPE_CHECKING:
    from ctdc_tui.core.catalog import Resource

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_TIMEOUT",
    "LABELS",
    "STATUSES",
    "USER_AGENT",
    "CheckInterrupted",
    "CheckReport",
    "LinkResult",
    "LinkStatus",
    "LinkStatusCache",
    "archived_url",
    "check_links",
    "check_links_async",
    "check_one",
    "check_resources",
    "describe_age",
    "health_of",
    "is_openable",
    "resource_urls",
]

DEFAULT_CONCURRENCY = 8
DEFAULT_TIMEOUT = 10.0
PER_HOST_LIMIT = 4  # never more than this many requests at once to one host
MAX_REDIRECTS = 10
OFFLINE_HOSTS = 3  # this many hosts failing, none answering over HTTP: the network is down
USER_AGENT = (
    f"ctdc-tui/{__version__} (link check for the Civic Tech and Data Collaborative Toolkit; "
    f"python-httpx/{httpx.__version__})"
)

Progress = Callable[[int, int, LinkResult], None]
T = TypeVar("T")

_PERMANENT = (301, 308)
_NAME_MISSING = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}
_REFUSED = {errno.ECONNREFUSED, errno.ECONNRESET}


@dataclass
class CheckReport:
    """What ``check_resources`` found."""

    results: dict[str, LinkResult]  # address -> result
    resources: dict[str, tuple[str, ...]]  # resource id -> its addresses, main one first
    network_down: bool = False  # no HTTP answer and the fault looks local (see ``looks_offline``)
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)  # status -> number of addresses
    interrupted: bool = False  # stopped by Ctrl+C: ``results`` holds what was checked before
    total: int = 0  # addresses there were to check (``len(results)`` unless interrupted)

    def main_result(self, resource_id: str) -> LinkResult | None:
        urls = self.resources.get(resource_id)
        return self.results.get(urls[0]) if urls else None


class CheckInterrupted(KeyboardInterrupt):
    """Ctrl+C stopped ``check_resources``; ``report`` holds the links checked before it.

    Its ``resources`` lists only the resources whose main link was checked, so
    recording it never marks a resource from a link that was not checked.
    """

    def __init__(self, report: CheckReport) -> None:
        super().__init__("link check interrupted")
        self.report = report


def looks_offline(results: Iterable[LinkResult]) -> bool:
    """True when web addresses were tried, none got an HTTP answer, and the fault looks local.

    It looks local when nothing on the network replied at all (only timeouts and
    unreachable networks: what being offline looks like), or when at least
    ``OFFLINE_HOSTS`` different hosts all failed (a firewall, or a resolver that
    says "no such name" for everything). A reply is a refused connection, a TLS
    handshake that got far enough to fail, or a DNS server saying a name does
    not exist. In either case calling every link dead would be wrong.
    """
    tried = [r for r in results if r.status != "not_checked"]
    if not tried or any(r.http_status is not None for r in tried):
        return False
    if not any(r.answered for r in tried):
        return True
    hosts = {urllib.parse.urlsplit(r.url).hostname for r in tried}
    return len(hosts) >= OFFLINE_HOSTS


def check_one(url: str, timeout: float = DEFAULT_TIMEOUT) -> LinkResult:
    """Check one address (blocking; call from a thread)."""
    return check_links([url], concurrency=1, timeout=timeout)[0]


def check_links(
    urls: Sequence[str],
    concurrency: int = DEFAULT_CONCURRENCY,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
) -> list[LinkResult]:
    """Check every address (blocking); one result per address, in order. Never raises for a bad link."""
    return _run(check_links_async(urls, concurrency=concurrency, timeout=timeout, progress=progress))


def check_resources(
    resources: Iterable[Resource],
    concurrency: int = DEFAULT_CONCURRENCY,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
) -> CheckReport:
    """Check the main and alternate addresses of every resource (blocking)."""
    started = time.monotonic()
    mapping = {res.id: resource_urls(res.url, res.alternate_urls) for res in resources}
    unique = list(dict.fromkeys(u for urls in mapping.values() for u in urls))
    found: dict[str, LinkResult] = {}  # as they come: what Ctrl+C leaves

    def collect(done: int, total: int, result: LinkResult) -> None:
        found[result.url] = result
        if progress is not None:
            progress(done, total, result)

    try:
        results = check_links(unique, concurrency=concurrency, timeout=timeout, progress=collect)
    except KeyboardInterrupt:
        partial = [found[u] for u in unique if u in found]
        checked = {rid: urls for rid, urls in mapping.items() if urls and urls[0] in found}
        raise CheckInterrupted(_report(partial, checked, started, len(unique), interrupted=True)) from None
    return _report(results, mapping, started, len(unique))


def _report(
    results: list[LinkResult],
    mapping: dict[str, tuple[str, ...]],
    started: float,
    total: int,
    interrupted: bool = False,
) -> CheckReport:
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    return CheckReport(
        results={r.url: r for r in results},
        resources=mapping,
        network_down=looks_offline(results),
        seconds=time.monotonic() - started,
        counts=counts,
        interrupted=interrupted,
        total=total,
    )


async def check_links_async(
    urls: Sequence[str],
    concurrency: int = DEFAULT_CONCURRENCY,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
) -> list[LinkResult]:
    """``check_links`` for callers already inside an event loop."""
    unique = list(dict.fromkeys(urls))
    total = len(unique)
    found: dict[str, LinkResult] = {}
    queue: asyncio.Queue[str] = asyncio.Queue()
    for url in _interleave_hosts(unique):
        queue.put_nowait(url)
    workers = max(1, min(int(concurrency), total or 1))
    host_limits: dict[str, asyncio.Semaphore] = {}
    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    async with httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT, "Accept": "*/*"},
        timeout=httpx.Timeout(timeout),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        limits=limits,
    ) as client:

        async def worker() -> None:
            while True:
                try:
                    url = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                limit = host_limits.setdefault(_host(url), asyncio.Semaphore(PER_HOST_LIMIT))
                async with limit:
                    result = await _check(client, url, timeout)
                found[url] = result
                if progress is not None:
                    progress(len(found), total, result)

        await asyncio.gather(*(worker() for _ in range(workers)))
    return [found[u] for u in urls]


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc.lower() if is_openable(url) else ""


def _interleave_hosts(urls: Sequence[str]) -> list[str]:
    """The addresses taken one host at a time in turn, so that the workers spread over hosts
    instead of queueing behind one host's limit (catalogues list many links of one site together)."""
    by_host: dict[str, list[str]] = {}
    for url in urls:
        by_host.setdefault(_host(url), []).append(url)
    queues = list(by_host.values())
    return [q[i] for i in range(max((len(q) for q in queues), default=0)) for q in queues if i < len(q)]


async def _check(client: httpx.AsyncClient, url: str, timeout: float) -> LinkResult:
    now = datetime.now(UTC)
    if not is_openable(url):
        scheme = urllib.parse.urlsplit(url).scheme if url else ""
        why = f"'{scheme}:' addresses are not fetched" if scheme else "not a web address"
        return LinkResult(url=url, status="not_checked", checked_at=now, error=why)
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            result = await _fetch(client, url, now)
    except TimeoutError:
        result = _failure(url, now, "timeout", f"no answer within {timeout:g} s")
    except Exception as exc:  # classified below; a bad link must never stop the check
        result = _classify_error(url, now, exc, timeout)
    return dataclasses.replace(result, elapsed=time.monotonic() - started)


async def _fetch(client: httpx.AsyncClient, url: str, now: datetime) -> LinkResult:
    """HEAD, then GET when HEAD is refused or answered with an error; only headers are read."""
    try:
        head = await client.head(url)
    except (httpx.RemoteProtocolError, httpx.ReadError):
        head = None  # some servers drop HEAD requests on the floor: ask with GET
    if head is not None and head.status_code < 400:
        return _from_response(url, now, head, "HEAD")
    async with client.stream("GET", url) as response:
        return _from_response(url, now, response, "GET")


def _from_response(url: str, now: datetime, response: httpx.Response, method: str) -> LinkResult:
    code = response.status_code
    hops = tuple((str(r.url), r.status_code) for r in response.history)
    final_url = str(response.url) if hops else None
    status: LinkStatus
    error = ""
    if 200 <= code < 300:
        if not hops:
            status = "ok"
        elif hops[0][1] in _PERMANENT:
            status = "moved"
        else:
            status = "redirected"
    elif code in (404, 410):
        status = "not_found"
    elif code >= 500:
        status = "server_error"
    elif 400 <= code < 500:
        status = "client_error"
    else:
        status, error = "error", f"unexpected answer HTTP {code}"
    return LinkResult(
        url=url,
        status=status,
        checked_at=now,
        http_status=code,
        final_url=final_url,
        redirects=hops,
        error=error or (response.reason_phrase if code >= 400 else ""),
        method=method,
        answered=True,
    )


def _failure(url: str, now: datetime, status: LinkStatus, error: str, answered: bool = False) -> LinkResult:
    return LinkResult(url=url, status=status, checked_at=now, error=error, answered=answered)


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _classify_error(url: str, now: datetime, exc: Exception, timeout: float) -> LinkResult:
    chain = _causes(exc)
    if isinstance(exc, httpx.TimeoutException):
        return _failure(url, now, "timeout", f"no answer within {timeout:g} s")
    if isinstance(exc, httpx.TooManyRedirects):
        return _failure(url, now, "error", f"more than {MAX_REDIRECTS} redirects", answered=True)
    for cause in chain:
        if isinstance(cause, socket.gaierror):
            # "no such name" is an answer from a working resolver; "try again" is not
            missing = cause.errno in _NAME_MISSING
            return _failure(url, now, "dns", f"host name does not resolve ({cause.strerror})", missing)
        if isinstance(cause, ssl.SSLError):
            return _failure(url, now, "tls", f"secure connection failed ({cause.reason or cause})", True)
    for cause in chain:
        if isinstance(cause, OSError) and cause.errno is not None and not isinstance(cause, socket.gaierror):
            refused = cause.errno in _REFUSED
            return _failure(url, now, "unreachable", os.strerror(cause.errno).lower(), refused)
    if isinstance(exc, httpx.ConnectError):
        return _failure(url, now, "unreachable", str(exc) or "could not connect")
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol | ValueError | UnicodeError):
        return _failure(url, now, "error", f"the link or a redirect is not a usable web address ({exc})")
    if isinstance(exc, httpx.HTTPError):
        return _failure(url, now, "error", str(exc) or type(exc).__name__, answered=True)
    return _failure(url, now, "error", f"{type(exc).__name__}: {exc}")


class _DaemonExecutor(concurrent.futures.ThreadPoolExecutor):
    """Runs each blocking job (DNS look-ups) in its own daemon thread.

    A look-up the resolver never answers outlives its cancelled request; in a
    daemon thread it cannot hold up the end of the check or of the program.
    """

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:
                future.set_exception(exc)

        threading.Thread(target=run, name="ctdc-link-lookup", daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        return None


def _run(coro: Coroutine[Any, Any, T]) -> T:
    with asyncio.Runner() as runner:
        runner.get_loop().set_default_executor(_DaemonExecutor())
        return runner.run(coro)
