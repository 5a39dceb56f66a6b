#!/usr/bin/env python3
"""Steps of a Prometheus histogram between two scrapes of /metrics: for each
series of METRIC, the count, mean and bucket-estimated p50, p90 and p99 of
what was recorded between BEFORE and AFTER (two files of `/metrics` text).

    histogram_delta.py METRIC BEFORE AFTER [LABEL-PREFIX]

Quantiles are interpolated linearly within a bucket, as Prometheus's
histogram_quantile does.
"""
import re
import sys

LINE = re.compile(r'^(\w+)(?:\{(.*)\})?\s+(\S+)$')


def series(path, metric):
    """{labels without le: {"buckets": {le: count}, "sum": x, "count": n}}"""
    found = {}
    for line in open(path):
        match = LINE.match(line.strip())
        if not match or not match.group(1).startswith(metric):
            continue
        name, labels, value = match.groups()
        pairs = dict(re.findall(r'(\w+)="([^"]*)"', labels or ""))
        le = pairs.pop("le", None)
        key = ",".join(f"{k}={v}" for k, v in sorted(pairs.items()))
        entry = found.setdefault(key, {"buckets": {}, "sum": 0.0, "count": 0.0})
        if name == metric + "_bucket":
            entry["buckets"][float("inf") if le == "+Inf" else float(le)] = float(value)
        elif name == metric + "_sum":
            entry["sum"] = float(value)
        elif name == metric + "_count":
            entry["count"] = float(value)
    return found


def quantile(q, buckets, total):
    rank = q * total
    lower, below = 0.0, 0.0
    for le in sorted(buckets):
        count = buckets[le]
        if count >= rank:
            if le == float("inf"):
                return lower
            share = (rank - below) / (count - below) if count > below else 0
            return lower + (le - lower) * share
        lower, below = le, count
    return lower


def main():
    metric, before_path, after_path = sys.argv[1:4]
    prefix = sys.argv[4] if len(sys.argv) > 4 else ""
    before, after = series(before_path, metric), series(after_path, metric)
    for key, now in sorted(after.items()):
        then = before.get(key, {"buckets": {}, "sum": 0.0, "count": 0.0})
        count = now["count"] - then["count"]
        if count <= 0:
            continue
        buckets = {le: n - then["buckets"].get(le, 0.0) for le, n in now["buckets"].items()}
        mean = (now["sum"] - then["sum"]) / count
        cells = " ".join(f"p{int(q * 100)} {quantile(q, buckets, count) * 1000:7.2f}" for q in (0.5, 0.9, 0.99))
        print(f"{prefix}{key:<28} n {int(count):7d}  mean {mean * 1000:7.2f}  {cells} ms")


if __name__ == "__main__":
    main()
