"""Local HTTP servers on 127.0.0.1 for the link-check tests: never the internet.

``LocalSite`` answers a fixed set of paths (see ``ROUTES``); ``silent_server``
accepts connections and never answers; ``closed_port`` gives a port nobody
listens on.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# path -> (status for GET, Location or None, status for HEAD or None = same as GET)
ROUTES: dict[str, tuple[int, str | None, int | None]] = {
    "/ok": (200, None, None),
    "/chain/1": (301, "/chain/2", None),
    "/chain/2": (301, "/ok", None),
    "/temp": (302, "/ok", None),
    "/temp-to-missing": (302, "/missing", None),
    "/missing": (404, None, None),
    "/gone": (410, None, None),
    "/boom": (500, None, None),
    "/forbidden": (403, None, None),
    "/nohead": (200, None, 405),
    "/nohead501": (200, None, 501),
    "/loop": (302, "/loop", None),
    "/to-script": (302, "javascript:alert(1)", None),
    "/to-file": (301, "file:///etc/passwd", None),
}


class LocalSite:
    """A threaded HTTP server that records every request it gets."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, str]] = []  # (method, path, user agent)
        self.arrivals: list[float] = []  # time.monotonic() of each request, in order
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def do_HEAD(self) -> None:
                self._answer(head=True)

            def do_GET(self) -> None:
                self._answer(head=False)

            def _answer(self, head: bool) -> None:
                path = self.path.split("?")[0]
                with site._lock:
                    site.requests.append((self.command, self.path, self.headers.get("User-Agent", "")))
                    site.arrivals.append(time.monotonic())
                if path == "/slow":
                    with site._lock:
                        site.in_flight += 1
                        site.max_in_flight = max(site.max_in_flight, site.in_flight)
                    time.sleep(0.2)
                    with site._lock:
                        site.in_flight -= 1
                    code, location, head_code = 200, None, None
                else:
                    code, location, head_code = ROUTES.get(path, (404, None, None))
                if head and head_code is not None:
                    code = head_code
                body = f"status {code}\n".encode()
                self.send_response(code)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def methods(self, path: str) -> list[str]:
        return [method for method, p, _ua in self.requests if p == path]

    def __enter__(self) -> LocalSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def silent_server() -> Iterator[str]:
    """An address whose server accepts the connection and never says a word."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/never"
    finally:
        sock.close()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connections are refused)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    sock.close()
    return port
