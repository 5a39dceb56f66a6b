#!/usr/bin/env python3
"""Prints the CPU each process used over the next SECONDS, busiest first.

    scripts/process_cpu.py SECONDS

Reads utime+stime of every process from /proc/<pid>/stat before and after;
`ampere` processes are told apart by their command line, others grouped by
name (all of PostgreSQL's backends count as "postgres"). 100 % is one core.
Used for the per-process CPU figures in docs/PERFORMANCE.md.
"""
import collections
import os
import sys
import time


def snapshot():
    seen = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as stat:
                text = stat.read()
            with open(f"/proc/{pid}/cmdline") as cmdline:
                command = cmdline.read().replace("\0", " ")[:80]
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        seen[pid] = (command if "ampere" in name else name, int(fields[11]) + int(fields[12]))
    return seen


def main():
    seconds = float(sys.argv[1])
    before = snapshot()
    time.sleep(seconds)
    after = snapshot()
    used = collections.Counter()
    for pid, (key, ticks) in after.items():
        used[key] += ticks - (before[pid][1] if pid in before else 0)
    hertz = os.sysconf("SC_CLK_TCK")
    for key, ticks in used.most_common(12):
        if ticks > 0:
            print(f"{100 * ticks / hertz / seconds:6.1f}%  {key}")


if __name__ == "__main__":
    main()
