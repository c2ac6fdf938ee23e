"""Pure parts of the app: citation, literal text with highlights, spans moved onto a description."""

from __future__ import annotations

from ctdc_tui.core.catalog import Resource
from ctdc_tui.tui.citation import citation
from ctdc_tui.tui.widgets.data_text import highlighted_text
from ctdc_tui.tui.widgets.detail import locate_spans
from ctdc_tui.tui.widgets.status import StatusInfo, status_text


def test_citation_with_and_without_authors() -> None:
    res = Resource(
        "r",
        "A Guide",
        "https://x.org/g",
        "c",
        authors=("Ann Lee", "Bo Chan"),
        organizations=("Urban Institute",),
        year=2016,
    )
    assert citation(res) == "Ann Lee, Bo Chan (2016). A Guide. Urban Institute. https://x.org/g"
    corp = Resource("r", "Playbook?", "https://x.org/p", "c", organizations=("Code for America",))
    assert citation(corp) == "Code for America (n.d.). Playbook? https://x.org/p"
    hostile = Resource("r", "T\x1b[31m\nx", "https://x.org/h", "c")
    assert "\x1b" not in citation(hostile) and "\n" not in citation(hostile)


def test_highlighted_text_keeps_offsets_after_escaping() -> None:
    text = highlighted_text("a\x1bb hire [b]", [(4, 8)])
    assert text.plain == "a\\x1bb hire [b]"
    (span,) = [s for s in text.spans if s.style]
    assert text.plain[span.start : span.end] == "hire"


def test_locate_spans_moves_fragment_spans_onto_the_full_text() -> None:
    full = "one two three four five"
    assert locate_spans(full, "…three four five", ((1, 6),)) == ((8, 13),)
    assert full[8:13] == "three"
    assert locate_spans(full, "not there", ((0, 3),)) == ()


def test_status_text_is_literal() -> None:
    text = status_text(
        StatusInfo(
            "All resources",
            2,
            query="[@click=app.quit]",
            suggestion="hire",
            suggestion_key="^y",
            fallback=True,
        )
    )
    assert "[@click=app.quit]" in text.plain and "did you mean hire?" in text.plain and "^y" in text.plain
