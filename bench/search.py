"""Benchmark: ranked search over a synthetic catalogue, against a LIKE scan of the same data.

    .venv/bin/python -m bench.search                 # 100,000 guides (a few minutes on 2 cores)
    .venv/bin/python -m bench.search --guides 2000   # a quick run

Prints import throughput, database size, peak memory, the share of guides each query hits, the
p50/p95/p99 latency of a ranked top 10 through the index and through the scan, and their ratio.
Both answers are compared for every query: a benchmark of a wrong answer is worth nothing.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.catalogue import synthetic_guides
from kiosk.guides import Catalogue

#: A fixed mix of what residents type: hanzi of one to four characters, initials, full pinyin,
#: Traditional characters, colloquial names.
QUERIES = (
    "证",
    "卡",
    "税",
    "社保",
    "户籍",
    "公积",
    "医保",
    "补领",
    "公积金",
    "身份证",
    "营业执照",
    "社会保障卡",
    "养老保险",
    "不动产权",
    "sbk",
    "gjj",
    "yb",
    "sfz",
    "bdc",
    "hj",
    "gongjijin",
    "shehuibaozhang",
    "yiliao",
    "jiehundengji",
    "hukou",
    "社會保障卡",
    "住房公積金",
    "營業執照",
    "醫療保障",
    "退休",
    "低保",
    "开店",
    "房产证",
)


def percentile(samples: list[float], share: float) -> float:
    """The sample below which `share` of the samples lie (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guides", type=int, default=100_000, help="How many synthetic guides.")
    parser.add_argument("--rounds", type=int, default=5, help="Times each query runs through the index.")
    parser.add_argument("--scan-rounds", type=int, default=1, help="Times each query runs as a scan.")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as scratch:
        path = Path(scratch) / "guides.db"
        catalogue = Catalogue(path)
        started = time.perf_counter()
        # Generated as they are imported: like a JSON Lines file read line by line.
        catalogue.import_guides(synthetic_guides(args.guides))
        elapsed = time.perf_counter() - started
        catalogue.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = sum(file.stat().st_size for file in Path(scratch).iterdir())
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"guides            {args.guides:,}")
        throughput = args.guides / elapsed
        print(f"import            {elapsed:.1f} s  ({throughput:,.0f} guides/s, one transaction, with index)")
        print(f"database          {size / 2**20:.1f} MiB  ({size / args.guides / 1024:.1f} KiB per guide)")
        print(f"peak memory       {peak_mib:.0f} MiB (max RSS of the process during the import)")

        searcher = catalogue._searcher
        indexed: list[float] = []
        scanned: list[float] = []
        print(f"\n{'query':<16}{'hits':>8}{'share':>8}{'index ms':>10}{'scan ms':>10}  top hit")
        for query in QUERIES:
            share = _share(catalogue, query)
            times = []
            for _ in range(args.rounds):
                t0 = time.perf_counter()
                hits = catalogue.search(query, limit=10)
                times.append((time.perf_counter() - t0) * 1000)
            scan_times = []
            for _ in range(args.scan_rounds):
                t0 = time.perf_counter()
                baseline = searcher.scan(query, limit=10)
                scan_times.append((time.perf_counter() - t0) * 1000)
            if hits != baseline:
                print(f"MISMATCH for {query!r}: index and scan disagree", file=sys.stderr)
                return 1
            indexed.extend(times)
            scanned.extend(scan_times)
            top = hits[0].summary.name if hits else "-"
            print(
                f"{query:<16}{share:>8,}{share / args.guides:>8.1%}{statistics.median(times):>10.2f}"
                f"{statistics.median(scan_times):>10.1f}  {top}"
            )
        print()
        for label, samples in (("index", indexed), ("scan", scanned)):
            p50, p95, p99 = (percentile(samples, share) for share in (0.50, 0.95, 0.99))
            print(f"{label:<6} p50 {p50:8.2f} ms   p95 {p95:8.2f} ms   p99 {p99:8.2f} ms")
        ratio = statistics.median(scanned) / statistics.median(indexed)
        ratio95 = percentile(scanned, 0.95) / percentile(indexed, 0.95)
        print(f"scan / index: {ratio:.0f}x at p50, {ratio95:.0f}x at p95")
        fast = "met" if percentile(indexed, 0.95) <= 10 else "MISSED"
        faster = "met" if ratio95 >= 50 else "MISSED"
        print(f"targets at 100,000 guides: p95 <= 10 ms {fast}; >= 50x faster than the scan {faster}")
        catalogue.close()
    return 0


def _share(catalogue: Catalogue, query: str) -> int:
    """How many guides match the query at all (the scan without a limit)."""
    return len(catalogue._searcher.scan(query, limit=10**9))


if __name__ == "__main__":
    sys.exit(main())
