"""Index build benchmark: a full build of a generated catalogue, against the schema-4 build.

    .venv/bin/python -m tests.benchmarks.bench_build --sizes 1000 10000 100000 [--baseline-sizes 1000 10000]

For each size it generates (once, cached under --work) a seeded catalogue, reads it once so the
loader's parse cache is warm (as it is for a user who reopens the app), then, each in a fresh
child process:

- **baseline**: the same schema built the way schema 4 was built: Whoosh's filter chains
  (``RegexTokenizer | LowercaseFilter | CharsetFilter | StopFilter | StemFilter``) in place of
  ``WordAnalyzer``, Whoosh's ``SegmentWriter`` with ``limitmb=256`` in one process, and a second
  analysis pass over every text for the vocabulary; ``load_catalog`` included, as
  ``SearchIndex.open`` includes it. (``--schema4`` builds schema 4's fields instead: indexed
  sort keys, trie years, no ``phrases`` field.)
- **new**: ``SearchIndex.open(..., rebuild=True)`` as the app and ``ctdc index`` call it
  (``--processes`` forces the number of processes; by default the build decides).

Each prints wall time, CPU time (the child's own and that of any helper process it forked),
peak RSS (the child's, and its helper's) and the number of progress reports, and the ratio of
the new build to the baseline measured in the same run. The machine is shared: read the CPU
column, and the wall column against the load average printed beside it.

Never part of the default test run (pytest ignores tests/benchmarks).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from tests.benchmarks.bench_search import _child
from tests.benchmarks.generate_catalogue import generate

COMMON = """
import json, os, resource, sys, time
from pathlib import Path

def finish(wall, extra):
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = {"wall_s": wall, "cpu_s": me.ru_utime + me.ru_stime,
           "helper_cpu_s": kids.ru_utime + kids.ru_stime,
           "peak_mb": me.ru_maxrss / 1024, "helper_peak_mb": kids.ru_maxrss / 1024,
           "load": os.getloadavg()[0], **extra}
    print(json.dumps(out))
"""

BASELINE = (
    COMMON
    + """
from collections import Counter
import whoosh.index
from whoosh import fields
from whoosh.analysis import (CharsetFilter, IDTokenizer, LowercaseFilter, RegexTokenizer,
                             StemFilter, StopFilter)
from whoosh.support.charset import accent_map
from ctdc_tui.core import search
from ctdc_tui.core.catalog import load_catalog

def fold(stop=False):
    chain = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
    return chain | StopFilter(minsize=1) if stop else chain

def schema4():
    stem = fold(stop=True) | StemFilter(cachesize=50_000)
    lower = IDTokenizer() | LowercaseFilter()
    return fields.Schema(
        id=fields.ID(unique=True, stored=True, sortable=True), data=fields.STORED(),
        text=fields.TEXT(analyzer=stem), title=fields.TEXT(analyzer=stem),
        authors=fields.TEXT(analyzer=fold()), organizations=fields.TEXT(analyzer=fold()),
        tags=fields.TEXT(analyzer=stem), note=fields.TEXT(analyzer=stem, stored=True),
        bookmarked=fields.ID(), category=fields.ID(analyzer=lower, sortable=True),
        kind=fields.ID(analyzer=lower), year=fields.NUMERIC(int, bits=32),
        year_sort=fields.NUMERIC(int, bits=32, sortable=True),
        order=fields.NUMERIC(int, bits=32, sortable=True), title_sort=fields.ID(sortable=True),
        **{"is": fields.ID()})

def chains():
    schema = search.build_schema()
    for name in schema.names():
        field = schema[name]
        if isinstance(field.analyzer, search.WordAnalyzer):
            field.analyzer = field.analyzer.chain()
    return schema

schema4_only = sys.argv[3] == "schema4"
started = time.perf_counter()
catalog, _problems = load_catalog(Path(sys.argv[1]))
ix = whoosh.index.create_in(sys.argv[2], schema4() if schema4_only else chains())
words = fold(stop=True)
vocabulary = Counter()
keys = search._sort_keys(catalog.categories)
writer = ix.writer(limitmb=256)
for res in catalog:
    doc = search._document(res, order=keys.get(res.id))
    if schema4_only:
        doc.pop("sequence", None)
    vocabulary.update({t.text for t in words(doc["text"])})
    writer.add_document(**doc)
writer.commit()
search._save_vocabulary(vocabulary, Path(sys.argv[2]))
finish(time.perf_counter() - started, {"segments": len(ix._segments()), "progress_calls": 0})
"""
)

NEW = (
    COMMON
    + """
from ctdc_tui.core import search
if sys.argv[3] != "auto":
    search.INDEX_PROCESSES = int(sys.argv[3])
calls = []
started = time.perf_counter()
index = search.SearchIndex.open(Path(sys.argv[1]), sys.argv[2], rebuild=True,
                                progress=lambda done, total: calls.append(done))
wall = time.perf_counter() - started
assert calls and calls[-1] == index.info.resource_count, calls[-5:]
finish(wall, {"segments": len(index._ix._segments()), "progress_calls": len(calls)})
"""
)

WARM = """
import sys
from pathlib import Path
from ctdc_tui.core.catalog import load_catalog
load_catalog(Path(sys.argv[1]))
print("{}")
"""


def _line(label: str, r: dict[str, float]) -> str:
    helper = ""
    if r["helper_cpu_s"]:
        helper = f" (+ helper {r['helper_cpu_s']:.1f} s CPU, peak {r['helper_peak_mb']:.0f} MB)"
    return (
        f"  {label:<8} {r['wall_s']:7.1f} s wall  {r['cpu_s']:7.1f} s CPU{helper}  "
        f"peak RSS {r['peak_mb']:.0f} MB  segments {r['segments']:.0f}  "
        f"progress reports {r['progress_calls']:.0f}  load avg {r['load']:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument(
        "--baseline-sizes", type=int, nargs="*", default=None, help="sizes to also build the old way (all)"
    )
    parser.add_argument("--processes", default="auto", help="processes for the new build (auto, 1, 2)")
    parser.add_argument("--schema4", action="store_true", help="baseline: schema 4's fields")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "ctdc-bench")
    args = parser.parse_args()
    baseline_sizes = set(args.sizes if args.baseline_sizes is None else args.baseline_sizes)
    summary = []
    for size in args.sizes:
        folder = args.work / f"catalogue-{size}-seed{args.seed}"
        if not (folder / "catalog.yaml").is_file():
            generate(folder, size, args.seed)
        _child(WARM, str(folder))
        print(f"{size:,} resources ({os.cpu_count()} CPUs):")
        results = {}
        for label, code in (("baseline", BASELINE), ("new", NEW)):
            if label == "baseline" and size not in baseline_sizes:
                continue
            target = Path(tempfile.mkdtemp(prefix=f"bench-build-{label}-", dir=args.work))
            try:
                extra = (args.processes,) if label == "new" else ("schema4" if args.schema4 else "same",)
                results[label] = _child(code, str(folder), str(target), *extra)
            finally:
                shutil.rmtree(target, ignore_errors=True)
            print(_line(label, results[label]), flush=True)
        if "baseline" in results:
            old, new = results["baseline"], results["new"]
            new_cpu = new["cpu_s"] + new["helper_cpu_s"]
            print(
                f"  new / baseline: wall {new['wall_s'] / old['wall_s']:.2f}x, "
                f"CPU (all processes) {new_cpu / old['cpu_s']:.2f}x, "
                f"peak RSS {new['peak_mb'] / old['peak_mb']:.2f}x"
            )
        summary.append((size, results))
    print("\ntarget: 100,000 resources built in <= 60 s wall on a 2-core machine (issue 6)")
    for size, results in summary:
        if size == 100_000:
            print(f"  100,000: {results['new']['wall_s']:.1f} s wall")


if __name__ == "__main__":
    main()
