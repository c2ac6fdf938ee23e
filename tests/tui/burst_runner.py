"""The app in a real terminal, for ``test_key_bursts.py``: ``python burst_runner.py REPORT``.

Runs ``CtdcApp`` on the bundled catalogue with Textual's own driver (the keys go through
its terminal parser), and keeps REPORT holding what the search box holds, one line, once
the first screen is up.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ctdc_tui.tui.app import CtdcApp
from ctdc_tui.tui.widgets.search_box import SearchBox


class ReportingApp(CtdcApp):
    def __init__(self, report: Path) -> None:
        super().__init__()
        self.report = report
        self.reported: str | None = None

    def on_ready(self) -> None:
        self.set_interval(0.02, self.write_report)

    def write_report(self) -> None:
        value = repr(self.query_one(SearchBox).value)
        if value != self.reported:
            self.reported = value
            part = self.report.with_suffix(".part")
            part.write_text(value + "\n", encoding="utf-8")
            part.replace(self.report)


if __name__ == "__main__":
    ReportingApp(Path(sys.argv[1])).run()
