#!/usr/bin/env python3
"""When did the slow answers of a `throughput` run come?

    ampere bench throughput … --samples samples.csv
    scripts/diagnostics/latency_clusters.py samples.csv [window_ms]

Reads the CSV `--samples` writes (connection, due_us, latency_us) and prints
two views of the calls slower than the run's p99:

- by connection: how evenly each connection's mean latency and share of slow
  calls spread (a few connections always slow: something unfair in the
  order sockets are served);
- by moment: the share of slow calls among the calls answered in each window
  of `window_ms` (default 50) — slow calls crowded into a few windows point
  at a stall (a burst of other work taking the cores away), spread over all
  of them at the steady cost of each call.

Standard library only; a diagnostic, not part of the test suite.
"""
import csv
import statistics
import sys
from collections import defaultdict


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    window_us = int(float(sys.argv[2]) * 1000) if len(sys.argv) > 2 else 50_000
    by_connection = defaultdict(list)
    samples = []
    with open(sys.argv[1], newline="") as file:
        for row in csv.DictReader(file):
            due, latency = int(row["due_us"]), int(row["latency_us"])
            by_connection[int(row["connection"])].append(latency)
            samples.append((due + latency, latency))
    if not samples:
        sys.exit("no samples")
    latencies = sorted(latency for _, latency in samples)
    count = len(latencies)
    p99 = latencies[min(count - 1, int(0.99 * count))]
    mean = statistics.fmean(latencies)
    print(f"{count} calls over {len(by_connection)} connections: mean {mean / 1000:.1f} ms, "
          f"p50 {latencies[count // 2] / 1000:.1f} ms, p99 {p99 / 1000:.1f} ms ({p99 / mean:.2f}× the mean)")

    means = sorted(statistics.fmean(values) for values in by_connection.values())
    slow = sorted(sum(value > p99 for value in values) / len(values) for values in by_connection.values())

    def spread(values, scale, unit):
        pick = lambda q: values[min(len(values) - 1, int(q * len(values)))] * scale
        return f"min {pick(0):.1f}{unit}, p10 {pick(0.1):.1f}{unit}, p50 {pick(0.5):.1f}{unit}, " \
               f"p90 {pick(0.9):.1f}{unit}, max {pick(1):.1f}{unit}"

    print(f"by connection: mean latency {spread(means, 1e-3, ' ms')}")
    print(f"               share of calls over the p99 {spread(slow, 100, ' %')}")

    answered = defaultdict(int)
    over = defaultdict(int)
    for done, latency in samples:
        window = done // window_us
        answered[window] += 1
        over[window] += latency > p99
    # Windows with few answers (the run's edges) say little.
    floor = statistics.median(answered.values()) / 4
    kept = [w for w in answered if answered[w] >= floor]
    shares = sorted(over[w] / answered[w] for w in kept)
    crowded = sorted((over[w] for w in kept), reverse=True)
    tenth = max(1, len(crowded) // 10)
    in_top_tenth = sum(crowded[:tenth]) / max(1, sum(crowded))
    print(f"by moment ({window_us // 1000} ms windows, {len(shares)} of them): share of calls over the p99 "
          f"{spread(shares, 100, ' %')}")
    print(f"               the busiest tenth of the windows holds {100 * in_top_tenth:.0f} % of the slow calls "
          f"(10 % if they were spread evenly)")


if __name__ == "__main__":
    main()
