"""Only http and https links are ever opened, archived or exported as links; everything else is refused.

``links.is_openable`` is the rule. Every other place that turns a saved address
into something clickable (the bookmark exports) must agree with it. The app's
open/copy keys are tested with a recorded ``open_url`` in ``test_display.py``.
"""

from __future__ import annotations

import pytest

from ctdc_tui.core import links
from ctdc_tui.core.bookmark_io import ExportContext, export_bookmarks
from ctdc_tui.core.bookmarks import Bookmark

OPENABLE = [
    "http://example.org",
    "https://example.org/",
    "HTTPS://EXAMPLE.ORG/Path?q=1&r=[2]#frag",
    "https://user@example.org:8443/a/b",
    "http://127.0.0.1:8080/x",
    "http://[::1]/v6",
    "https://例え.jp/パス",
    "https://xn--r8jz45g.jp/",
    "https://example.org/" + "a" * 5_000,
]

REFUSED = [
    "",
    " ",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "javascript://example.org/%0Aalert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "\x00javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
    "FILE:///C:/Windows/win.ini",
    "file://localhost/etc/shadow",
    "ftp://example.org/pub",
    "mailto:someone@example.org",
    "ssh://example.org",
    "smb://server/share",
    "about:blank",
    "chrome://settings",
    "x-man-page://ls",
    "//example.org/protocol-relative",
    "example.org/no-scheme",
    "www.example.org",
    "http:/one-slash.example.org",
    "https:example.org",
    "https:///etc/passwd",
    "http://",
    "http://[::1",
    "https://exa mple.org/",
    "https://example.org/\x1b[2J",
    "https://example.org/\x1b]52;c;cm0gLXJmIH4=\x07",
    "https://example.org/a\nb",
    "https://example.org/a\rSet-Cookie: x",
    "https://example.org/\x7f",
    "\u202ehttps://example.org/gpj.exe",
    "https://example.org/\x9b31m",
    "[link=file:///etc/passwd]x[/link]",
    "[@click=app.quit]",
]


@pytest.mark.parametrize("url", OPENABLE)
def test_http_and_https_are_openable(url: str) -> None:
    assert links.is_openable(url)
    archived = links.archived_url(url)
    assert archived is not None and archived.startswith("https://web.archive.org/web/")


def _params(urls: list[str]) -> list[object]:
    return [pytest.param(u, id=repr(u)[:40]) for u in urls]


@pytest.mark.parametrize("url", _params(REFUSED))
def test_everything_else_is_refused(url: str) -> None:
    assert not links.is_openable(url)
    assert links.archived_url(url) is None


def _bookmark(url: str) -> Bookmark:
    return Bookmark(
        catalogue="c",
        resource_id="r",
        title="T",
        url=url,
        category="cat",
        created="2026-01-01T00:00:00Z",
        changed="2026-01-01T00:00:00Z",
    )


@pytest.mark.parametrize("url", _params(REFUSED))
def test_exports_never_make_a_refused_address_a_link(url: str) -> None:
    """HTML and Markdown exports open in browsers and editors: a refused address must not be clickable."""
    context = ExportContext()
    html = export_bookmarks("html", [_bookmark(url)], context)
    assert "HREF=" not in html.upper().replace("DATA-CTDC-URL", ""), html
    markdown = export_bookmarks("markdown", [_bookmark(url)], context)
    assert "](" not in markdown and "<javascript" not in markdown.lower(), markdown


@pytest.mark.parametrize("url", OPENABLE)
def test_exports_keep_web_links_clickable(url: str) -> None:
    context = ExportContext()
    assert "HREF=" in export_bookmarks("html", [_bookmark(url)], context)
    assert "](<" in export_bookmarks("markdown", [_bookmark(url)], context)
