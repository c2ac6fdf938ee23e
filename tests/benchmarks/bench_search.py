"""Search benchmark: ctdc-tui's Whoosh index against SQLite FTS5 on the same synthetic catalogue.

    .venv/bin/python -m tests.benchmarks.bench_search --sizes 1000 10000 [100000] [--per-class 40]

For each size it generates (once, cached under --work) a seeded catalogue, then:

- builds the index in a child process and reports the wall time of ``SearchIndex.open``
  (YAML loading included), the index-only build time and the child's peak memory;
- times a no-op reopen (what every app start pays) in another child;
- runs the same queries, per class (common word, rare word, two words, phrase,
  prefix, as-you-type, fuzzy, field filter), on a reused searcher, in two modes:
  ``hits`` (top 50, first 20 resources loaded) and ``full`` (plus highlights of
  those 20 and the per-category facet counts);
- builds an FTS5 table over the same resources and runs the equivalent queries
  (FTS5 has no fuzzy matching: the fuzzy class runs the correctly spelt word there),
  and prints p50/p95 with the Whoosh/FTS5 ratio.

Never part of the default test run (pytest ignores tests/benchmarks).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.benchmarks.generate_catalogue import CIVIC_WORDS, generate

REPO = Path(__file__).resolve().parents[2]
CLASSES = ["common", "rare", "two words", "phrase", "prefix", "as-you-type", "fuzzy", "filter"]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(code: str, *args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=REPO, check=False
    )
    if out.returncode:
        raise SystemExit(f"child failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


BUILD = """
import json, sys, time, resource
from pathlib import Path
from ctdc_tui.core.search import SearchIndex
t = time.perf_counter()
ix = SearchIndex.open(Path(sys.argv[1]), sys.argv[2], rebuild=True)
wall = time.perf_counter() - t
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"open_s": wall, "index_s": ix.info.build_seconds, "resources": ix.info.resource_count,
                  "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024}))
"""

REOPEN = """
import json, sys, time, resource
from pathlib import Path
t = time.perf_counter()
from ctdc_tui.core.search import SearchIndex
ix = SearchIndex.open(Path(sys.argv[1]), sys.argv[2])
first = ix.search("data city", limit=50)
[r.id for r in first[:20]]
wall = time.perf_counter() - t
assert not ix.info.rebuilt
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime
print(json.dumps({"reopen_s": wall, "cpu_s": cpu, "peak_mb": usage.ru_maxrss / 1024}))
"""


def _queries(catalog: object, vocab: dict[str, int], rng: random.Random, n: int) -> dict[str, list[str]]:
    from ctdc_tui.core.catalog import Catalog

    assert isinstance(catalog, Catalog)
    by_freq = sorted(vocab, key=lambda w: -vocab[w])
    head = [w for w in CIVIC_WORDS if w.isalpha() and w in vocab][:25]
    mid = [w for w in by_freq[len(by_freq) // 50 : len(by_freq) // 5] if w.isalpha() and len(w) >= 5]
    rare = [w for w in reversed(by_freq) if w.isalpha()][:200]  # the least used words
    resources = list(catalog.resources.values())
    phrases = []
    while len(phrases) < n:
        words = rng.choice(resources).description.lower().rstrip(".").split()
        i = rng.randrange(len(words) - 1)
        if words[i].isalpha() and words[i + 1].isalpha():
            phrases.append(f'"{words[i]} {words[i + 1]}"')
    categories = [c.id for c in catalog.categories]
    tags = sorted({t for r in resources[:2000] for t in r.tags})

    def typo(word: str) -> str:
        i = rng.randrange(1, len(word) - 1)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]

    fuzzy_words = [rng.choice(mid) for _ in range(n)]
    return {
        "common": [rng.choice(head) for _ in range(n)],
        "rare": [rng.choice(rare) for _ in range(n)],
        "two words": [f"{rng.choice(head)} {rng.choice(mid)}" for _ in range(n)],
        "phrase": phrases,
        "prefix": [rng.choice(mid)[:4] + "*" for _ in range(n)],
        "as-you-type": [f"{rng.choice(head)} {rng.choice(mid)[:3]}" for _ in range(n)],
        "fuzzy": [typo(w) + "~" for w in fuzzy_words],
        "fuzzy-fts": fuzzy_words,
        "filter": [
            rng.choice(
                [
                    f"category:{rng.choice(categories)} {rng.choice(head)}",
                    f"year:2014..2017 {rng.choice(mid)}",
                    f"tag:{rng.choice(tags)} {rng.choice(head)}",
                ]
            )
            for _ in range(n)
        ],
    }


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def _time(fn: Callable[[str], object], queries: list[str]) -> list[float]:
    for q in queries[:3]:
        fn(q)  # warm-up
    out = []
    for q in queries:
        t = time.thread_time()  # CPU time: the benchmark machine is shared, wall time is noise
        fn(q)
        out.append(time.thread_time() - t)
    return out


def _whoosh_runners(index: object) -> dict[str, Callable[[str, bool], object]]:
    from ctdc_tui.core.search import SearchIndex

    assert isinstance(index, SearchIndex)

    def cold() -> None:
        # Every query starts without the posting lists of earlier ones: the repeats of a
        # benchmark's small word pool would otherwise be answered from the evaluator's cache.
        index.forget_cached_terms()

    def hits(q: str, as_you_type: bool) -> object:
        cold()
        r = index.search(q, limit=50, highlights=False, facets=False, as_you_type=as_you_type)
        return [res.id for res in r[:20]]

    def full(q: str, as_you_type: bool) -> object:
        cold()
        r = index.search(q, limit=50, as_you_type=as_you_type)
        for i in range(min(20, len(r))):
            r.highlight_title(i)
            r.highlight_description(i)
        return r.facets

    return {"hits": hits, "full": full}


def _fts_build(catalog: object) -> tuple[sqlite3.Connection, float]:
    from ctdc_tui.core.catalog import Catalog

    assert isinstance(catalog, Catalog)
    t = time.perf_counter()
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE res (rowid INTEGER PRIMARY KEY, id TEXT, category TEXT, year INT, data TEXT)")
    db.execute(
        "CREATE VIRTUAL TABLE fts USING fts5(title, description, authors, organizations, tags, "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    for n, r in enumerate(catalog.resources.values(), 1):
        db.execute(
            "INSERT INTO res VALUES (?,?,?,?,?)", (n, r.id, r.category, r.year, json.dumps(r.to_json()))
        )
        db.execute(
            "INSERT INTO fts(rowid, title, description, authors, organizations, tags) VALUES (?,?,?,?,?,?)",
            (n, r.title, r.description, " ".join(r.authors), " ".join(r.organizations), " ".join(r.tags)),
        )
    db.commit()
    return db, time.perf_counter() - t


def _fts_query(q: str) -> tuple[str, str, list[object]]:
    """Our query syntax -> (FTS5 MATCH text, extra SQL condition, its parameters)."""
    extra, params = "", []
    m = re.match(r"category:(\S+) (.*)", q)
    if m:
        extra, params, q = " AND res.category = ?", [m.group(1)], m.group(2)
    m = re.match(r"year:(\d+)\.\.(\d+) (.*)", q)
    if m:
        extra, params, q = " AND res.year BETWEEN ? AND ?", [int(m.group(1)), int(m.group(2))], m.group(3)
    m = re.match(r"tag:(\S+) (.*)", q)
    if m:
        q = f'tags:"{m.group(1)}" {m.group(2)}'
    return q, extra, params


def _fts_runners(db: sqlite3.Connection) -> dict[str, Callable[[str, bool], object]]:
    def rows(q: str, as_you_type: bool) -> list[tuple[int, str]]:
        match, extra, params = _fts_query(q + ("*" if as_you_type else ""))
        sql = (
            "SELECT res.rowid, res.data FROM fts JOIN res ON res.rowid = fts.rowid WHERE fts MATCH ?"
            f"{extra} ORDER BY bm25(fts, 4.0, 1.0, 1.5, 1.5, 2.0) LIMIT 50"
        )
        return db.execute(sql, [match, *params]).fetchall()

    def hits(q: str, as_you_type: bool) -> object:
        return [json.loads(data)["id"] for _rowid, data in rows(q, as_you_type)[:20]]

    def full(q: str, as_you_type: bool) -> object:
        found = rows(q, as_you_type)[:20]
        match, extra, params = _fts_query(q + ("*" if as_you_type else ""))
        if found:
            marks = ",".join(str(r) for r, _d in found)
            db.execute(
                "SELECT highlight(fts, 0, '[', ']'), snippet(fts, 1, '[', ']', '…', 30) FROM fts "
                f"WHERE fts MATCH ? AND rowid IN ({marks})",
                [match],
            ).fetchall()
        return db.execute(
            "SELECT res.category, count(*) FROM fts JOIN res ON res.rowid = fts.rowid "
            f"WHERE fts MATCH ?{extra} GROUP BY res.category",
            [match, *params],
        ).fetchall()

    return {"hits": hits, "full": full}


def bench(
    size: int, work: Path, per_class: int, seed: int, reuse: Path | None = None, keep: bool = False
) -> dict[str, object]:
    from ctdc_tui.core.catalog import load_catalog
    from ctdc_tui.core.search import SearchIndex

    folder = work / f"catalogue-{size}-seed{seed}"
    if not (folder / "catalog.yaml").is_file():
        print(f"[{size}] generating catalogue…", file=sys.stderr)
        generate(folder, size, seed)
    if reuse is not None:  # an index built by an earlier run: no build figures this time
        index_root = reuse
        nan = float("nan")
        built = {"open_s": nan, "index_s": nan, "cpu_s": nan, "peak_mb": nan, "resources": size}
    else:
        index_root = Path(tempfile.mkdtemp(prefix=f"idx-{size}-", dir=work))
        print(f"[{size}] building index (child process)…", file=sys.stderr)
        built = _child(BUILD, str(folder), str(index_root))
    reopen = _child(REOPEN, str(folder), str(index_root))
    t = time.perf_counter()
    catalog, _problems = load_catalog(folder)
    yaml_s = time.perf_counter() - t
    index = SearchIndex.open(folder, index_root)
    vocab = index._vocabulary(index._searcher.reader()).frequency
    queries = _queries(catalog, vocab, random.Random(seed), per_class)
    print(f"[{size}] building FTS5…", file=sys.stderr)
    db, fts_build_s = _fts_build(catalog)
    results: dict[str, dict[str, dict[str, float]]] = {}
    pooled: dict[str, list[float]] = {}
    engines = {"whoosh": _whoosh_runners(index), "fts5": _fts_runners(db)}
    for cls in CLASSES:
        results[cls] = {}
        for engine, runners in engines.items():
            for mode, fn in runners.items():
                qs = queries["fuzzy-fts" if (cls == "fuzzy" and engine == "fts5") else cls]
                ayt = cls == "as-you-type"
                try:
                    times = _time(lambda q, fn=fn, ayt=ayt: fn(q, ayt), qs)  # type: ignore[misc]
                except sqlite3.Error as exc:
                    print(f"[{size}] fts5 {cls}: {exc}", file=sys.stderr)
                    continue
                results[cls][f"{engine} {mode}"] = {"p50": _pct(times, 0.5), "p95": _pct(times, 0.95)}
                pooled.setdefault(f"{engine} {mode}", []).extend(times)
        print(f"[{size}] {cls}: {results[cls]}", file=sys.stderr)
    results["all classes"] = {k: {"p50": _pct(v, 0.5), "p95": _pct(v, 0.95)} for k, v in pooled.items()}
    index.close()
    if reuse is None and not keep:
        shutil.rmtree(index_root, ignore_errors=True)
    elif reuse is None:
        print(f"[{size}] index kept in {index_root} (pass it to --reuse-index)", file=sys.stderr)
    return {
        "size": size,
        "resources": built["resources"],
        "open_build_s": built["open_s"],
        "build_cpu_s": built["cpu_s"],
        "reopen_cpu_s": reopen["cpu_s"],
        "index_only_s": built["index_s"],
        "build_peak_mb": built["peak_mb"],
        "yaml_load_s": yaml_s,
        "reopen_s": reopen["reopen_s"],
        "reopen_peak_mb": reopen["peak_mb"],
        "fts5_build_s": fts_build_s,
        "query_peak_mb": _peak_mb(),
        "classes": results,
    }


def _all(values: list[dict[str, float]], key: str) -> float:
    return statistics.median(v[key] for v in values) if values else float("nan")


def report(run: dict[str, object]) -> str:
    classes = run["classes"]
    assert isinstance(classes, dict)
    lines = [
        f"### {run['size']:,} resources",
        "",
        f"- build: `SearchIndex.open` {run['open_build_s']:.1f} s wall ({run['build_cpu_s']:.1f} s CPU), "
        "of which indexing "
        f"{run['index_only_s']:.1f} s (the rest is YAML loading; `load_catalog` alone "
        f"{run['yaml_load_s']:.1f} s); peak RSS {run['build_peak_mb']:.0f} MB. FTS5 build "
        f"(from the loaded catalogue, in memory) {run['fts5_build_s']:.1f} s.",
        f"- no-op reopen + first query in a fresh process: {run['reopen_s'] * 1000:.0f} ms wall, "
        f"{run['reopen_cpu_s'] * 1000:.0f} ms CPU including the interpreter's start "
        f"(peak RSS {run['reopen_peak_mb']:.0f} MB); the YAML is not read.",
        "",
        "| class | Whoosh hits p50 / p95 | FTS5 hits p50 / p95 | ratio p50 | Whoosh full p50 / p95 "
        "| FTS5 full p50 / p95 | ratio p50 |",
        "|---|---|---|---|---|---|---|",
    ]
    for cls in [*CLASSES, "all classes"]:
        row = classes.get(cls, {})

        def cell(key: str, row: dict[str, dict[str, float]] = row) -> str:
            v = row.get(key)
            return f"{v['p50']:.1f} / {v['p95']:.1f}" if v else "n/a"

        def ratio(mode: str, row: dict[str, dict[str, float]] = row) -> str:
            w, f = row.get(f"whoosh {mode}"), row.get(f"fts5 {mode}")
            return f"{w['p50'] / f['p50']:.1f}×" if w and f and f["p50"] else "n/a"

        lines.append(
            f"| {cls} | {cell('whoosh hits')} | {cell('fts5 hits')} | {ratio('hits')} "
            f"| {cell('whoosh full')} | {cell('fts5 full')} | {ratio('full')} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--per-class", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "ctdc-bench")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--reuse-index", type=Path, help="index folder of an earlier run (one size only)")
    parser.add_argument("--keep-index", action="store_true", help="keep the built index for --reuse-index")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    runs = [
        bench(size, args.work, args.per_class, args.seed, args.reuse_index, args.keep_index)
        for size in args.sizes
    ]
    print(
        f"Command: python -m tests.benchmarks.bench_search --sizes {' '.join(map(str, args.sizes))} "
        f"--per-class {args.per_class} --seed {args.seed}"
    )
    print(
        "Query times: CPU milliseconds of the querying thread (the machine is shared; wall time is noise).\n"
    )
    for run in runs:
        print(report(run) + "\n")
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2))


if __name__ == "__main__":
    main()
