#!/usr/bin/env python3
"""Lists the swift-testing tests a `swift test` log shows as started but never ended.

Used by scripts/test.sh when `swift test` runs out of time or crashes, so that
the hung or crashed test is named in CI's output instead of the run just
stopping.
"""
import re
import sys

started, ended = [], set()
with open(sys.argv[1], encoding="utf-8", errors="replace") as log:
    for line in log:
        begun = re.search(r"◇ (Test|Suite) (.+?) started\.", line)
        if begun and not begun.group(2).startswith("case passing"):
            started.append(begun.group(2))
            continue
        done = re.search(r"[✔✘] (Test|Suite) (.+?) (with \d+ test cases? )?(passed|failed)", line)
        if done:
            ended.add(done.group(2))
unfinished = [name for name in started if name not in ended and name != "run"]
for name in unfinished:
    print(f"  {name}")
if not unfinished:
    print("  (none: the hang is outside a test, or the log is incomplete)")
