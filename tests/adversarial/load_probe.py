"""Load one catalogue under a memory cap and report time, memory and problems as JSON.

Run as ``python -m tests.adversarial.load_probe FOLDER``: a separate process, so a loader
that blows up on a "billion laughs" file hits the cap (and fails the test) instead of
taking the machine down with it.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path

CAP_BYTES = 1024 * 1024 * 1024  # address space cap: 1 GiB


def main() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP_BYTES, CAP_BYTES))
    from ctdc_tui.core.catalog import load_catalog

    tracemalloc.start()
    started = time.process_time()  # CPU time: the machine may be busy with other work
    catalog, problems = load_catalog(Path(sys.argv[1]))
    seconds = time.process_time() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    longest = max((len(r.title) + len(r.description) + sum(map(len, r.tags)) for r in catalog), default=0)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_bytes": peak,
                "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "resources": sorted(catalog.resources),
                "longest_text": longest,
                "problems": [p.to_json() for p in problems],
            }
        )
    )


if __name__ == "__main__":
    main()
